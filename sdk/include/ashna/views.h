// Views: what the core derives from a profile. Never synced; recomputed from events whenever
// needed, so the browser and the server, running this same code, always agree.
// Pure functions of (profile, catalog, now, options).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ashna/catalog.h"
#include "ashna/profile.h"
#include "ashna/value.h"

namespace ashna {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

// RFM score boundaries: a score is 1 + the number of boundaries passed. The server's population
// model can replace the defaults with its customers' quintiles.
struct RfmBreakpoints {
  std::int64_t recency_days[4] = {120, 60, 30, 14};  // at most this many days ago -> 2, 3, 4, 5
  int frequency[4] = {2, 3, 6, 10};                   // at least this many orders -> 2, 3, 4, 5
  double monetary[4] = {40, 100, 250, 500};           // at least this much spent -> 2, 3, 4, 5
};

struct Rfm {
  int orders = 0;                 // purchase events (each order counts once)
  double monetary = 0;            // total spend over all orders
  std::int64_t recency_days = -1; // days since the last order; -1 without orders
  int r = 0, f = 0, m = 0;        // 1..5; 0 without orders
  // champions, loyal, potential_loyalist, new, at_risk, cant_lose, hibernating, lost; "none"
  // without orders.
  std::string segment = "none";
};

struct Affinity {
  std::string key;       // a category path level ("coffee", "coffee/single-origin") or a tag
  double score = 0;      // decayed weighted count
  int views = 0, carts = 0, purchases = 0;
  bool stated = false;   // the customer said so (an explicit interest): ranked above inferred ones
};

// True when the customer removed `key`, or a parent category of it ("coffee" removes
// "coffee/single-origin").
bool removed_interest(const Profile& profile, std::string_view key);
// True when the item (its category levels or catalog tags) touches a removed interest.
bool item_removed(const Profile& profile, const Item& item, const Catalog& catalog);

enum class CadenceStatus { not_due, due_soon, overdue, one_off };
std::string_view to_string(CadenceStatus status);

// When an item (or category) is likely needed again.
struct Cadence {
  std::string key;                 // item id or category
  int purchases = 0;               // distinct purchase days
  std::int64_t last = 0;           // Unix ms of the last purchase
  double interval_days = 0;        // typical days between purchases (median), or the catalog hint
  std::int64_t next = 0;           // expected next purchase, Unix ms; 0 for one_off
  double confidence = 0;           // 0..1: more purchases and steadier intervals -> higher
  CadenceStatus status = CadenceStatus::one_off;
};

struct ViewOptions {
  std::int64_t now = 0;                     // Unix ms
  double half_life_days = 30;               // affinity decay
  double weight_view = 1, weight_cart = 3, weight_purchase = 5, weight_like = 4;
  RfmBreakpoints breakpoints;
  double due_soon_fraction = 0.15;          // due_soon within this fraction of the interval before `next`
  double overdue_fraction = 0.25;           // overdue after this fraction of the interval past `next`
};

struct Views {
  Rfm rfm;
  std::vector<Affinity> categories;   // best first
  std::vector<Affinity> tags;         // best first
  std::vector<Cadence> items;         // soonest `next` first; one_off last
  std::vector<Cadence> category_cadence;
  std::string stage = "discovering";  // discovering, comparing, deciding, bought, evaluating, loyal, at_risk
  std::string stage_reason;
  // Filled by whoever holds the site model (Engine::set_model, the server); compute_views leaves
  // it unscored.
  CustomerValue value;
};

Rfm compute_rfm(const Profile& profile, const ViewOptions& options);
// Scores and names orders, monetary and recency_days against other breakpoints.
Rfm score_rfm(Rfm rfm, const RfmBreakpoints& breakpoints);
// Sensitive catalog items never count.
void compute_affinities(const Profile& profile, const Catalog& catalog, const ViewOptions& options,
                        std::vector<Affinity>& categories, std::vector<Affinity>& tags);
std::vector<Cadence> compute_item_cadence(const Profile& profile, const Catalog& catalog, const ViewOptions& options);
std::vector<Cadence> compute_category_cadence(const Profile& profile, const Catalog& catalog,
                                              const ViewOptions& options);
// Needs rfm and item cadence already computed in `views`.
void compute_stage(const Profile& profile, const ViewOptions& options, Views& views);

Views compute_views(const Profile& profile, const Catalog& catalog, const ViewOptions& options);

// The category of an item: the event line's own, else the catalog's, else "".
std::string_view category_of(const Item& item, const Catalog& catalog);

}  // namespace ashna
