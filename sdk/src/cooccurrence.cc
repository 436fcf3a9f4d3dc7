// Building the population model: popularity, repeat rates and co-occurrence ("often bought with")
// from baskets. Items become dense indices in id order, so every tie is broken by id and the model is
// the same for the same baskets in any order. Cost: the sum over baskets of (distinct items)^2.
#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

#include "ashna/population.h"

namespace ashna {

const ItemStats* PopulationModel::find(std::string_view id) const {
  auto it = items.find(id);
  return it == items.end() ? nullptr : &it->second;
}

double PopulationModel::basket_share(std::string_view id) const {
  const ItemStats* s = find(id);
  const double n = baskets > 0 ? baskets : 1;
  return s && s->baskets > 0 ? s->baskets / n : 0.5 / n;
}

double PopulationModel::repeat_rate(std::string_view id) const {
  const ItemStats* s = find(id);
  return s ? s->repeat_rate : 0.5 / 5.0;
}

Result<PopulationModel> build_population(const std::vector<Basket>& baskets, const PopulationOptions& o) {
  if (o.top_n < 1 || o.min_support < 1 || o.max_basket < 1)
    return Status::error("invalid_argument",
                         "population options: top_n, min_support and max_basket must be at least 1");

  std::vector<std::string_view> ids;
  for (const Basket& b : baskets)
    for (const std::string& i : b.items)
      if (!i.empty()) ids.push_back(i);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const std::size_t n = ids.size();

  PopulationModel model;
  std::vector<std::vector<std::size_t>> sets;  // each non-empty basket's distinct items
  std::vector<ItemStats> stats(n);             // by index; moved into the model at the end
  std::vector<std::pair<std::size_t, std::string_view>> bought_by;  // (item, customer), for repeat rates
  for (const Basket& b : baskets) {
    std::vector<std::size_t> s;
    for (const std::string& i : b.items)
      if (!i.empty())
        s.push_back(static_cast<std::size_t>(std::lower_bound(ids.begin(), ids.end(), i) - ids.begin()));
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    if (s.empty()) continue;
    for (std::size_t i : s) {
      ++stats[i].baskets;
      if (!b.customer.empty()) bought_by.emplace_back(i, b.customer);
    }
    sets.push_back(std::move(s));
  }
  model.baskets = static_cast<int>(sets.size());

  // Runs of equal (item, customer) are one customer's baskets with that item.
  std::sort(bought_by.begin(), bought_by.end());
  for (std::size_t r = 0; r < bought_by.size();) {
    std::size_t end = r;
    while (end < bought_by.size() && bought_by[end] == bought_by[r]) ++end;
    ItemStats& s = stats[bought_by[r].first];
    ++s.buyers;
    if (end - r >= 2) ++s.repeat_buyers;
    r = end;
  }
  for (ItemStats& s : stats) s.repeat_rate = (s.repeat_buyers + 0.5) / (s.buyers + 5.0);

  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return stats[a].baskets != stats[b].baskets ? stats[a].baskets > stats[b].baskets : a < b;
  });
  for (std::size_t i : order) model.popularity.emplace_back(ids[i]);

  // Co-occurrence, one item at a time: count its partners over the baskets holding it in a dense
  // counter (memory O(items), no table of all pairs), then keep the best top_n.
  std::vector<std::vector<std::size_t>> holding(n);
  for (std::size_t b = 0; b < sets.size(); ++b)
    if (sets[b].size() >= 2 && sets[b].size() <= static_cast<std::size_t>(o.max_basket))
      for (std::size_t i : sets[b]) holding[i].push_back(b);
  std::vector<int> together(n, 0);
  std::vector<std::size_t> touched;
  std::vector<std::pair<double, std::size_t>> best;  // (score, partner)
  const auto better = [](const auto& p, const auto& q) {
    return p.first != q.first ? p.first > q.first : p.second < q.second;
  };
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b : holding[a])
      for (std::size_t x : sets[b])
        if (x != a && together[x]++ == 0) touched.push_back(x);
    best.clear();
    for (std::size_t x : touched)
      if (together[x] >= o.min_support)
        best.emplace_back(together[x] / std::sqrt(static_cast<double>(holding[a].size()) *
                                                  static_cast<double>(holding[x].size())),
                          x);
    const auto keep = static_cast<std::ptrdiff_t>(std::min(best.size(), static_cast<std::size_t>(o.top_n)));
    std::partial_sort(best.begin(), best.begin() + keep, best.end(), better);
    for (auto p = best.begin(); p != best.begin() + keep; ++p)
      stats[a].related.push_back({std::string(ids[p->second]), p->first, together[p->second]});
    for (std::size_t x : touched) together[x] = 0;
    touched.clear();
  }
  for (std::size_t i = 0; i < n; ++i)
    model.items.emplace_hint(model.items.end(), std::string(ids[i]), std::move(stats[i]));
  return model;
}

}  // namespace ashna
