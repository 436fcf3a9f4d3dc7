// Recommendations and the loyalty offer, each item with a reason a person can read, and rank_items(),
// the unguarded full-catalogue scoring used for offline evaluation.
// Deterministic: the same profile, catalog and options always give the same list.
// In recommend() and loyalty_offer() the creepiness guard is always on: sensitive items, one-off
// purchases and excluded items never appear, and nothing the customer just bought is pushed again
// before it is due, and an item shown `impression_cap` times without being looked at is rested.
// Reasons are in English or Persian (RecommendOptions::locale), with Persian digits and dates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ashna/catalog.h"
#include "ashna/population.h"
#include "ashna/profile.h"
#include "ashna/views.h"

namespace ashna {

struct Recommendation {
  std::string item;
  std::string title;
  std::string category;
  double price = 0;
  std::string strategy;  // buy_again, cooccurrence, affinity, popular, offer_repeat, offer_new
  std::string reason;
};

// The item was shown in a recommendation slot at `ts` (Unix ms). Kept by the caller on the device
// (the loader: localStorage, never synced); see RecommendOptions::impressions.
struct Impression {
  std::string item;
  std::int64_t ts = 0;
};

struct RecommendOptions {
  std::int64_t now = 0;                   // Unix ms
  int k = 4;                              // how many
  std::string locale = "en";              // "fa" or "fa-*": reasons in Persian; others: English
  // false: recommend() ignores `impressions`, loyalty_offer() gives no offer ("personalisation is off").
  bool personalise = true;
  // Impression cap: an item with `impression_cap` impressions in the window (now - window, now],
  // none of them followed by a view, click, like, cart or purchase of it, is left out of
  // recommend() until the window passes, unless nothing else is left to show. 0 = no cap.
  std::vector<Impression> impressions;
  int impression_cap = 3;
  std::int64_t impression_window_ms = 7LL * 24 * 3600 * 1000;
  std::vector<std::string> exclude;       // e.g. the product on the page
  // One strategy only ("buy_again", "cooccurrence", "affinity", "popular"), e.g. an experiment's
  // variation: the other strategies drop out and popularity fills the rest. "" = all of them.
  std::string strategy;
  std::vector<std::string> popularity;    // item ids, most popular first; may be empty
  // The server's population model, or nullptr. When given, recommend() adds "often bought with" items
  // and uses the model's popularity instead of `popularity`. Not owned; must outlive the call.
  const PopulationModel* population = nullptr;
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

// Weights of rank_items(): two logistic models of "the item is in the customer's next basket", one
// for items the customer has bought (k of their n orders, last `age` days ago) and one for new items.
// pop = the item's share of baskets, repeat = its repeat rate, co = sum over the customer's items a of
// (k_a / n) * cosine(a, item). Defaults were fitted on a validation split of the UCI Online Retail II
// data that ends before the evaluation's test period; docs/recommendations-eval.md has the numbers.
struct RankWeights {
  // repeat: bias + log_k*ln k + log_n*ln n + log_pop*ln pop + repeat_rate*repeat
  //         + log_age*ln(1 + age) + due*[due soon or overdue]
  double repeat_bias = 0.64, repeat_log_k = 0.80, repeat_log_n = -0.55, repeat_log_pop = 0.39;
  double repeat_rate = 2.45, repeat_log_age = -0.21, repeat_due = 0.16;
  // new: bias + log_co*ln(co + 0.01) + log_pop*ln pop + log_n*ln n + repeat_rate*repeat
  double new_bias = -0.98, new_log_co = 0.65, new_log_pop = 0.37, new_log_n = -0.15, new_repeat_rate = -1.45;
};

struct RankedItem {
  std::string item;
  double score = 0;     // estimated probability that the item is in the next basket
  bool repeat = false;  // the customer has bought it before
};

// Every catalog item that is not sensitive, best first (score, then id): the customer's own items by
// frequency, recency and cadence, new items by co-occurrence, then popularity. Without a population
// model only the customer's own signals count. No guard, no diversity: this is for offline ranking
// and evaluation, never for showing to a person; recommend() is the path for that.
std::vector<RankedItem> rank_items(const Profile& profile, const Views& views, const Catalog& catalog,
                                   const RecommendOptions& options, const RankWeights& weights = {});

}  // namespace ashna
