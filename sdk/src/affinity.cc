// Category and tag affinities: what the customer engages with, weighted by how strongly (a
// purchase says more than a view) and by how recently (exponential decay with a half-life).
#include <algorithm>
#include <cmath>
#include <map>

#include "ashna/views.h"
#include "sort.h"

namespace ashna {
namespace {

struct Touch {
  const Item* item;
  double weight;
  int kind;  // 0 view, 1 cart, 2 purchase
};

void add(std::map<std::string, Affinity, std::less<>>& into, std::string_view key, double score, int kind) {
  auto it = into.find(key);
  if (it == into.end()) it = into.emplace(std::string(key), Affinity{std::string(key)}).first;
  it->second.score += score;
  (kind == 0 ? it->second.views : kind == 1 ? it->second.carts : it->second.purchases) += 1;
}

std::vector<Affinity> ranked(std::map<std::string, Affinity, std::less<>>& m) {
  std::vector<Affinity> out;
  for (auto& [k, a] : m) out.push_back(std::move(a));
  sort(out, [](const Affinity& a, const Affinity& b) {
    return a.score != b.score ? a.score > b.score : a.key < b.key;
  });
  return out;
}

}  // namespace

bool removed_interest(const Profile& profile, std::string_view key) {
  for (std::string_view level : category_levels(key)) {
    const Trait* t = profile.trait(std::string(kInterestPrefix) + std::string(level));
    if (t && t->value == "-") return true;
  }
  return false;
}

bool item_removed(const Profile& profile, const Item& item, const Catalog& catalog) {
  if (removed_interest(profile, category_of(item, catalog))) return true;
  if (const CatalogItem* c = catalog.find(item.id))
    for (const std::string& tag : c->tags)
      if (removed_interest(profile, tag)) return true;
  return false;
}

std::string_view category_of(const Item& item, const Catalog& catalog) {
  if (!item.category.empty()) return item.category;
  const CatalogItem* c = catalog.find(item.id);
  return c ? std::string_view(c->category) : std::string_view();
}

void compute_affinities(const Profile& profile, const Catalog& catalog, const ViewOptions& o,
                        std::vector<Affinity>& categories, std::vector<Affinity>& tags) {
  std::map<std::string, Affinity, std::less<>> cats, tagm;
  std::vector<Touch> touches;
  for (const Event& e : profile.events()) {
    if (e.ts > o.now) continue;  // a clock running behind must not give future events extra weight
    double decay = std::exp2(-static_cast<double>(o.now - e.ts) / (o.half_life_days * kDayMs));
    touches.clear();
    switch (e.type) {
      case EventType::product_view: touches.push_back({&e.item, o.weight_view, 0}); break;
      case EventType::like: touches.push_back({&e.item, o.weight_like, 0}); break;
      case EventType::add_to_cart:
        for (const Line& l : e.lines) touches.push_back({&l.item, o.weight_cart, 1});
        break;
      case EventType::purchase:
        for (const Line& l : e.lines) touches.push_back({&l.item, o.weight_purchase, 2});
        break;
      default: break;
    }
    for (const Touch& t : touches) {
      if (t.item->id.empty() || catalog.is_sensitive(t.item->id)) continue;
      double s = t.weight * decay;
      for (std::string_view level : category_levels(category_of(*t.item, catalog))) add(cats, level, s, t.kind);
      if (const CatalogItem* c = catalog.find(t.item->id))
        for (const std::string& tag : c->tags) add(tagm, tag, s, t.kind);
    }
  }
  // What the customer said outranks what we inferred; what they removed never comes back,
  // however many old events point at it.
  double top = 0;
  for (auto* m : {&cats, &tagm})
    for (auto& [k, a] : *m) top = std::max(top, a.score);
  for (const std::string& key : profile.interests('+')) {
    bool is_tag = false;
    for (const CatalogItem& c : catalog.items())
      is_tag = is_tag || std::find(c.tags.begin(), c.tags.end(), key) != c.tags.end();
    auto& into = is_tag ? tagm : cats;
    auto it = into.find(key);
    if (it == into.end()) it = into.emplace(key, Affinity{key}).first;
    it->second.score += top + 1;
    it->second.stated = true;
  }
  if (!profile.interests('-').empty())
    for (auto* m : {&cats, &tagm})
      for (auto it = m->begin(); it != m->end();) it = removed_interest(profile, it->first) ? m->erase(it) : std::next(it);
  categories = ranked(cats);
  tags = ranked(tagm);
}

}  // namespace ashna
