// Journey stage: where the customer is in the buying process right now, with the reason.
#include <map>
#include <set>

#include "ashna/views.h"

namespace ashna {
namespace {

constexpr std::int64_t kBoughtDays = 2, kEvaluatingDays = 14, kCartDays = 7, kComparingDays = 7;

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void compute_stage(const Profile& profile, const ViewOptions& o, Views& v) {
  std::int64_t last_purchase = -1, last_cart = -1;
  std::map<std::string, std::int64_t> cart;  // item -> quantity, since the last order
  for (const Event& e : profile.events()) {
    if (e.ts > o.now) continue;
    if (e.type == EventType::purchase) {
      last_purchase = e.ts;
      cart.clear();
    } else if (e.type == EventType::add_to_cart) {
      for (const Line& l : e.lines) cart[l.item.id] += l.quantity;
      last_cart = e.ts;
    } else if (e.type == EventType::remove_from_cart) {
      for (const Line& l : e.lines)
        if (auto it = cart.find(l.item.id); it != cart.end() && (it->second -= l.quantity) <= 0) cart.erase(it);
    }
  }
  auto days_since = [&](std::int64_t ts) { return (o.now - ts) / kDayMs; };

  if (profile.events().empty()) {
    v.stage = "discovering", v.stage_reason = "No activity yet.";
  } else if (last_purchase >= 0 && days_since(last_purchase) < kBoughtDays) {
    v.stage = "bought", v.stage_reason = "Ordered in the last 2 days.";
  } else if (!cart.empty() && days_since(last_cart) < kCartDays) {
    v.stage = "deciding", v.stage_reason = plural(static_cast<int>(cart.size()), "item is", "items are") + " in the cart.";
  } else if (last_purchase >= 0 && days_since(last_purchase) < kEvaluatingDays) {
    v.stage = "evaluating", v.stage_reason = "Ordered " + plural(static_cast<int>(days_since(last_purchase)), "day", "days") + " ago.";
  } else if (v.rfm.segment == "at_risk" || v.rfm.segment == "cant_lose" || v.rfm.segment == "hibernating" ||
             v.rfm.segment == "lost") {
    v.stage = "at_risk", v.stage_reason = "Last order " + plural(static_cast<int>(v.rfm.recency_days), "day", "days") + " ago.";
  } else if (v.rfm.orders >= 3 && v.rfm.r >= 3) {
    v.stage = "loyal", v.stage_reason = plural(v.rfm.orders, "order", "orders") + ", the last one recently.";
  } else {
    // Several products of one category viewed in the last week: comparing them.
    std::map<std::string, std::set<std::string>> viewed;
    for (const Event& e : profile.events())
      if (e.type == EventType::product_view && e.ts <= o.now && days_since(e.ts) < kComparingDays &&
          !e.item.category.empty())
        viewed[e.item.category].insert(e.item.id);
    int most = 0;
    for (auto& [cat, ids] : viewed) most = std::max(most, static_cast<int>(ids.size()));
    if (most >= 2)
      v.stage = "comparing", v.stage_reason = "Looked at " + std::to_string(most) + " products of one kind this week.";
    else
      v.stage = "discovering", v.stage_reason = "Browsing.";
  }
}

Views compute_views(const Profile& profile, const Catalog& catalog, const ViewOptions& o) {
  Views v;
  v.rfm = compute_rfm(profile, o);
  compute_affinities(profile, catalog, o, v.categories, v.tags);
  v.items = compute_item_cadence(profile, catalog, o);
  v.category_cadence = compute_category_cadence(profile, catalog, o);
  compute_stage(profile, o, v);
  return v;
}

}  // namespace ashna
