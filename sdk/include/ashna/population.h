// Population model: what the shop's customers as a whole say about its items: how popular each is,
// how often its buyers come back for it, and what is often bought with it. The server builds it from
// past baskets (the caller gathers them); recommend() and rank_items() read it. Pure: no I/O, clock
// or randomness; the same baskets always give the same model. Immutable once built, so it is safe to
// share between threads.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ashna/status.h"

namespace ashna {

// One order: who placed it and what was in it.
struct Basket {
  std::string customer;            // "" when unknown: counts for popularity and co-occurrence only
  std::vector<std::string> items;  // item ids; an item listed twice counts once
};

struct RelatedItem {
  std::string item;
  // Cosine of the two items' basket sets: support / sqrt(baskets(a) * baskets(b)), in (0, 1], over the
  // baskets of 2 to max_basket distinct items. Unlike lift it does not reward two rarities meeting
  // once; unlike P(b|a) it does not favour bestsellers.
  double score = 0;
  int support = 0;  // baskets holding both
};

struct ItemStats {
  int baskets = 0;                   // baskets holding the item
  int buyers = 0;                    // distinct known customers who bought it
  int repeat_buyers = 0;             // ... in two or more baskets
  double repeat_rate = 0;            // (repeat_buyers + 0.5) / (buyers + 5): few buyers -> about 10%
  std::vector<RelatedItem> related;  // best first (score, then id), at most PopulationOptions::top_n
};

struct PopulationModel {
  int baskets = 0;                                      // baskets it was built from
  std::vector<std::string> popularity;                  // item ids, most baskets first, ties by id
  std::map<std::string, ItemStats, std::less<>> items;  // every item seen

  // nullptr when the item was never bought.
  const ItemStats* find(std::string_view id) const;
  // Share of baskets holding the item; never 0 (half a basket for an unseen item) so it can be logged.
  double basket_share(std::string_view id) const;
  // The item's repeat rate; 0.1, the rate of an item without buyers, when it was never bought.
  double repeat_rate(std::string_view id) const;
};

struct PopulationOptions {
  int top_n = 50;       // related items kept per item
  int min_support = 2;  // a pair seen in a single basket is chance, not a pattern
  // Baskets with more distinct items skip co-occurrence (their pairs grow quadratically and say little
  // about what belongs together); they still count for popularity and repeat rates.
  int max_basket = 1000;
};

// The model for these baskets. Baskets with no items are ignored. invalid_argument when top_n,
// min_support or max_basket is below 1.
Result<PopulationModel> build_population(const std::vector<Basket>& baskets,
                                         const PopulationOptions& options = {});

}  // namespace ashna
