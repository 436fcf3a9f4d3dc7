// Walking a site's profiles in id order, in pages, with a bound on how many are read: what the
// site-model fit, the profile listing, the dashboard statistics and experiment reports share.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "ashna/status.h"
#include "store.h"

namespace ashna::server {

struct ScanEnd {
  std::string last;        // id of the last profile read ("" when none): the cursor to resume after
  bool exhausted = false;  // the site has no profile after `last`
  std::size_t read = 0;
};

// Calls `visit` for each profile of the site after `after` until it returns false or `budget`
// profiles were read. Profiles merged away meanwhile are skipped (they count as read). Errors:
// the store's.
Result<ScanEnd> scan_profiles(Store& store, const Site& site, std::string after, std::size_t budget,
                              const std::function<bool(const StoredProfile&)>& visit);

}  // namespace ashna::server
