// Catalog storage and validation.
#include "ashna/catalog.h"

#include <cmath>

#include "ashna/event.h"

namespace ashna {
namespace {
Status invalid(const std::string& field, const std::string& why) {
  return Status::error("invalid_catalog", "catalog item." + field + ": " + why);
}
}  // namespace

Status Catalog::add(CatalogItem item) {
  if (item.id.empty() || item.id.size() > EventLimits::kMaxId) return invalid("id", "must be 1 to 128 bytes");
  if (item.title.size() > EventLimits::kMaxText) return invalid("title", "longer than 512 bytes");
  if (item.category.size() > EventLimits::kMaxText) return invalid("category", "longer than 512 bytes");
  if (!std::isfinite(item.price) || item.price < 0 || item.price > EventLimits::kMaxPrice)
    return invalid("price", "must be a finite number from 0 to 1e9");
  if (item.tags.size() > kMaxTags) return invalid("tags", "at most 16 tags");
  for (const auto& t : item.tags)
    if (t.empty() || t.size() > 64) return invalid("tags", "each tag must be 1 to 64 bytes");
  if (item.replenish_days < 0 || item.replenish_days > 3650)
    return invalid("replenish_days", "must be 0 to 3650");
  auto it = index_.find(item.id);
  if (it != index_.end()) {
    items_[it->second] = std::move(item);
    return Status::ok();
  }
  if (items_.size() >= kMaxItems) return invalid("id", "the catalog holds at most 20000 items");
  index_.emplace(item.id, items_.size());
  items_.push_back(std::move(item));
  return Status::ok();
}

const CatalogItem* Catalog::find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &items_[it->second];
}

std::vector<std::string_view> category_levels(std::string_view path) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '/') {
      if (i > 0) out.push_back(path.substr(0, i));
    }
  return out;
}

}  // namespace ashna
