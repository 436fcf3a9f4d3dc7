// Walking a site's profiles; see profile_scan.h.
#include "profile_scan.h"

#include <algorithm>

namespace ashna::server {
namespace {

constexpr std::size_t kPage = 500;  // ids per read

}  // namespace

Result<ScanEnd> scan_profiles(Store& store, const Site& site, std::string after, std::size_t budget,
                              const std::function<bool(const StoredProfile&)>& visit) {
  ScanEnd end;
  while (end.read < budget) {
    const std::size_t page = std::min(kPage, budget - end.read);
    auto ids = store.profile_ids(site, after, page);
    if (!ids) return ids.status();
    for (const std::string& id : ids.value()) {
      auto stored = store.load_profile(site, id);
      ++end.read;
      end.last = id;
      if (!stored) {
        if (stored.status().code() == "not_found") continue;  // merged meanwhile
        return stored.status();
      }
      if (!visit(stored.value())) return end;
    }
    if (ids->size() < page) {
      end.exhausted = true;
      return end;
    }
    after = ids->back();
  }
  return end;
}

}  // namespace ashna::server
