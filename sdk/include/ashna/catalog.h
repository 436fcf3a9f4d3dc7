// Catalog: what the shop sells, as the shop describes it. Decisions use it for titles, categories,
// prices, replenishment hints, and to keep sensitive items out of personalisation.
#pragma once

#include <string>
#include <string_view>
#include <map>
#include <vector>

#include "ashna/status.h"

namespace ashna {

struct CatalogItem {
  std::string id;
  std::string title;
  std::string category;            // path, "coffee/single-origin"
  double price = 0;
  std::vector<std::string> tags;
  int replenish_days = 0;          // typical days until a customer needs it again; 0 = unknown
  bool sensitive = false;          // never drives a decision (health, intimate, ...)
};

class Catalog {
 public:
  static constexpr std::size_t kMaxItems = 20000;
  static constexpr std::size_t kMaxTags = 16;

  // Adds or replaces the item with this id. invalid_catalog naming the field on bad input.
  Status add(CatalogItem item);
  // nullptr when unknown.
  const CatalogItem* find(std::string_view id) const;
  const std::vector<CatalogItem>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  // True when the item, or the catalog entry for its id, is marked sensitive.
  bool is_sensitive(std::string_view id) const {
    const CatalogItem* c = find(id);
    return c && c->sensitive;
  }

 private:
  std::vector<CatalogItem> items_;
  std::map<std::string, std::size_t, std::less<>> index_;  // by id; string_view lookups
};

// "coffee/single-origin" -> {"coffee", "coffee/single-origin"}: each level of a category path.
std::vector<std::string_view> category_levels(std::string_view path);

}  // namespace ashna
