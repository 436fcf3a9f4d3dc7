// Recommendations and the loyalty offer, each item with a reason a person can read.
// Deterministic: the same profile, catalog and options always give the same list.
// The creepiness guard is always on: sensitive items, one-off purchases and excluded items never
// appear, and nothing the customer just bought is pushed again before it is due.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ashna/catalog.h"
#include "ashna/profile.h"
#include "ashna/views.h"

namespace ashna {

struct Recommendation {
  std::string item;
  std::string title;
  std::string category;
  double price = 0;
  std::string strategy;  // buy_again, affinity, popular, offer_repeat, offer_new
  std::string reason;
};

struct RecommendOptions {
  std::int64_t now = 0;                   // Unix ms
  int k = 4;                              // how many
  std::vector<std::string> exclude;       // e.g. the product on the page
  std::vector<std::string> popularity;    // item ids, most popular first (population model); may be empty
};

std::vector<Recommendation> recommend(const Profile& profile, const Views& views, const Catalog& catalog,
                                      const RecommendOptions& options);

// "Two you love plus one new category": two items the customer buys again and again, plus one item
// from a related category they have not bought, priced higher. Empty items (with the reason) when
// the customer has fewer than two repeat items or nothing new fits.
struct Offer {
  std::vector<Recommendation> items;
  std::string reason;
};
Offer loyalty_offer(const Profile& profile, const Views& views, const Catalog& catalog,
                    const RecommendOptions& options);

}  // namespace ashna
