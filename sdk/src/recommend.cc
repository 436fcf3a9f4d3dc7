// Recommendations: buy-again when due, then what is often bought with the customer's items (when the
// server sent a population model), then what their affinities point to, then popularity; at most half
// the list from one category. The "two plus one" loyalty offer. And rank_items(), the full-catalogue
// scoring for offline evaluation. Every sentence comes from a phrase table, English or Persian.
#include "ashna/recommend.h"
#include "ashna/site_model.h"
#include "sort.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "text.h"

namespace ashna {
namespace {

// Placeholders: {0}, {1} as noted; each language orders them as it needs.
struct Phrases {
  std::string_view reorder;        // {0} interval, {1} date
  std::string_view lasts;          // {0} interval, {1} date
  std::string_view bought_with;    // {0} the anchor's title
  std::string_view because;        // {0} category
  std::string_view popular, range;
  std::string_view gone, needs_two, nothing_new, off;
  std::string_view bought_times;   // {0} count (always 2 or more)
  std::string_view something_new;  // {0} category, and the two below
  std::string_view miss_you, two_plus_one;
};

constexpr Phrases kEnglish = {
    "You reorder this about every {0}, last on {1}.",
    "It usually lasts about {0}; you bought it on {1}.",
    "Often bought with {0}.",
    "Because you like {0}.",
    "Popular with other customers.",
    "From our range.",
    "No offer: the value model says this customer has most likely stopped buying.",
    "Needs two items bought more than once.",
    "Nothing new fits next to what you buy.",
    "Personalisation is off.",
    "You have bought this {0} times.",
    "Something new from {0}, next to what you love.",
    "We miss you: two you love, plus one new from {0}.",
    "Two you love, plus one new from {0}.",
};

constexpr Phrases kPersian = {
    "این را حدوداً هر {0} دوباره می‌خرید؛ آخرین بار {1}.",
    "معمولاً حدود {0} کافی است؛ آن را {1} خریدید.",
    "اغلب همراه با {0} خریده می‌شود.",
    "چون به {0} علاقه دارید.",
    "محبوب میان مشتریان دیگر.",
    "از محصولات ما.",
    "پیشنهادی نیست: مدل ارزش می‌گوید این مشتری به احتمال زیاد دیگر خرید نمی‌کند.",
    "باید دو کالا بیش از یک بار خریده شده باشد.",
    "چیز تازه‌ای کنار خریدهای شما پیدا نشد.",
    "شخصی‌سازی خاموش است.",
    "این را {0} بار خریده‌اید.",
    "چیزی تازه از {0}، کنار آنچه دوست دارید.",
    "دلمان برایتان تنگ شده: دو چیز محبوب شما و یک چیز تازه از {0}.",
    "دو چیز محبوب شما و یک چیز تازه از {0}.",
};

const Phrases& phrases(text::Lang lang) { return lang == text::Lang::fa ? kPersian : kEnglish; }

struct Candidate {
  Recommendation rec;
  double score;
  std::size_t order = 0;  // insertion order: the tie-break that keeps the ranking deterministic
};

// What the customer bought, and when the guard must keep an item out.
struct History {
  std::map<std::string, Item> bought;  // item id -> the item as last bought
  std::set<std::string> blocked;       // sensitive, one-off, recently bought and not due, excluded,
                                       // dismissed ("not interested" in it, not bought since), or in
                                       // an interest the customer removed
  std::set<std::string> dismissed;     // "not interested" in it, and not bought since
};

History history_of(const Profile& profile, const Views& views, const Catalog& catalog, const RecommendOptions& o) {
  History h;
  for (const Event& e : profile.events()) {
    if (e.ts > o.now) continue;
    if (e.type == EventType::not_interested) h.dismissed.insert(e.item.id);
    if (e.type != EventType::purchase) continue;
    for (const Line& l : e.lines) {
      h.bought[l.item.id] = l.item;
      h.dismissed.erase(l.item.id);
    }
  }
  h.blocked = h.dismissed;
  for (const auto& [id, item] : h.bought)
    if (catalog.is_sensitive(id) || item_removed(profile, item, catalog)) h.blocked.insert(id);
  // "Not interested" in a category or tag keeps all its items out, whatever else points at them.
  if (!profile.interests('-').empty())
    for (const CatalogItem& c : catalog.items())
      if (item_removed(profile, Item{c.id, c.title, c.category, c.price}, catalog)) h.blocked.insert(c.id);
  // Bought and not due again (including one-offs, e.g. a gift): do not push it.
  for (const Cadence& c : views.items)
    if (c.status == CadenceStatus::one_off || c.status == CadenceStatus::not_due) h.blocked.insert(c.key);
  for (const std::string& id : o.exclude) h.blocked.insert(id);
  return h;
}

// Items at the impression cap: shown `impression_cap` times in the window, none of those times
// followed by a view, click, like, cart or purchase of the item.
// (Maps and sets of the types this file already uses: each new instantiation costs the browser.)
std::set<std::string_view> capped_items(const Profile& profile, const RecommendOptions& o) {
  std::set<std::string_view> out;
  if (!o.personalise || o.impression_cap <= 0 || o.impressions.empty()) return out;
  std::map<std::string_view, double> engaged;  // item -> latest engagement (Unix ms)
  auto touch = [&](const Item& item, std::int64_t ts) {
    double& t = engaged[item.id];
    t = std::max(t, static_cast<double>(ts));
  };
  for (const Event& e : profile.events()) {
    if (e.ts > o.now) continue;
    if (e.type == EventType::product_view || e.type == EventType::click || e.type == EventType::like) touch(e.item, e.ts);
    if (e.type == EventType::add_to_cart || e.type == EventType::purchase)
      for (const Line& l : e.lines) touch(l.item, e.ts);
  }
  std::map<std::string_view, double> shown;
  for (const Impression& i : o.impressions) {
    if (i.ts > o.now || o.now - i.ts >= o.impression_window_ms) continue;
    auto it = engaged.find(i.item);
    if ((it == engaged.end() || static_cast<double>(i.ts) > it->second) && ++shown[i.item] == o.impression_cap)
      out.insert(i.item);
  }
  return out;
}

Recommendation from(const Item& item, const Catalog& catalog, std::string strategy, std::string reason) {
  Recommendation r{item.id, item.title, item.category, item.price, std::move(strategy), std::move(reason)};
  if (const CatalogItem* c = catalog.find(item.id)) {  // the catalog is the shop's current truth
    if (!c->title.empty()) r.title = c->title;
    if (!c->category.empty()) r.category = c->category;
    if (c->price > 0) r.price = c->price;
  }
  return r;
}

std::string title_of(const Item& item, const Catalog& catalog) {
  const CatalogItem* c = catalog.find(item.id);
  if (c && !c->title.empty()) return c->title;
  return item.title.empty() ? item.id : item.title;
}

Recommendation from(const CatalogItem& c, std::string strategy, std::string reason) {
  return {c.id, c.title, c.category, c.price, std::move(strategy), std::move(reason)};
}

// What "often bought with" starts from: items the customer bought, put in the cart or looked at,
// weighted by how strong and how recent the signal is. Sensitive items never anchor anything.
struct Anchor {
  const Item* item;
  double weight;
};
constexpr double kAnchorHalfLifeDays = 30;

std::map<std::string, Anchor> anchors_of(const Profile& profile, const Catalog& catalog, std::int64_t now) {
  std::map<std::string, Anchor> out;
  auto add = [&](const Item& item, double kind, std::int64_t ts) {
    if (item.id.empty() || catalog.is_sensitive(item.id)) return;
    double w = kind * std::exp2(-static_cast<double>(now - ts) / (kAnchorHalfLifeDays * kDayMs));
    auto [it, fresh] = out.try_emplace(item.id, Anchor{&item, w});
    if (!fresh && w > it->second.weight) it->second = {&item, w};
  };
  for (const Event& e : profile.events()) {
    if (e.ts > now) continue;
    if (e.type == EventType::purchase || e.type == EventType::add_to_cart)
      for (const Line& l : e.lines) add(l.item, e.type == EventType::purchase ? 1.0 : 0.8, e.ts);
    else if (e.type == EventType::product_view || e.type == EventType::like)
      add(e.item, 0.5, e.ts);
  }
  return out;
}

std::string leaf(std::string_view category) {
  auto slash = category.rfind('/');
  std::string s(slash == std::string_view::npos ? category : category.substr(slash + 1));
  for (char& ch : s)
    if (ch == '-' || ch == '_') ch = ' ';
  return s;
}

// Highest score first; at most half the list from one top-level category while others remain;
// nothing in `rested` (the impression cap).
std::vector<Recommendation> pick(std::vector<Candidate> cands, int k, const std::set<std::string_view>& rested) {
  for (std::size_t i = 0; i < cands.size(); ++i) cands[i].order = i;
  sort(cands, [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.order < b.order;
  });
  std::vector<Recommendation> out;
  std::set<std::string> taken;
  std::map<std::string, int> per_cat;
  const int per_category = std::max(1, (k + 1) / 2);
  for (int pass = 0; pass < 2 && static_cast<int>(out.size()) < k; ++pass)
    for (const Candidate& c : cands) {
      if (static_cast<int>(out.size()) >= k) break;
      if (taken.count(c.rec.item) || rested.count(c.rec.item)) continue;
      std::string top(c.rec.category.substr(0, c.rec.category.find('/')));
      if (pass == 0 && per_cat[top] >= per_category) continue;
      taken.insert(c.rec.item);
      ++per_cat[top];
      out.push_back(c.rec);
    }
  return out;
}

}  // namespace

std::vector<Recommendation> recommend(const Profile& profile, const Views& views, const Catalog& catalog,
                                      const RecommendOptions& o) {
  if (o.k <= 0) return {};
  History h = history_of(profile, views, catalog, o);
  const text::Lang lang = text::lang_of(o.locale);
  const Phrases& p = phrases(lang);
  std::vector<Candidate> cands;

  // 1. Buy again: due or overdue by the customer's own rhythm (or the shop's hint).
  for (const Cadence& c : views.items) {
    if (h.blocked.count(c.key) || (c.status != CadenceStatus::due_soon && c.status != CadenceStatus::overdue)) continue;
    auto it = h.bought.find(c.key);
    if (it == h.bought.end()) continue;
    std::string reason = text::format(c.purchases >= 2 ? p.reorder : p.lasts,
                                      {text::interval(c.interval_days, lang), text::day_month(c.last, lang)});
    cands.push_back({from(it->second, catalog, "buy_again", std::move(reason)),
                     1000 + 100 * c.confidence + (c.status == CadenceStatus::overdue ? 50 : 0)});
  }

  // 2. Often bought with: the population's best partners of the customer's anchors; each candidate
  // keeps the anchor that supports it most, and names it in the reason.
  if (o.population) {
    std::map<std::string_view, std::pair<double, const Item*>> best;  // candidate -> (strength, anchor)
    for (const auto& [id, a] : anchors_of(profile, catalog, o.now))
      if (const ItemStats* s = o.population->find(id))
        for (const RelatedItem& r : s->related) {
          const CatalogItem* c = catalog.find(r.item);
          if (!c || c->sensitive || h.blocked.count(r.item) || h.bought.count(r.item)) continue;
          auto& b = best[r.item];
          if (!b.second || a.weight * r.score > b.first) b = {a.weight * r.score, a.item};
        }
    for (const auto& [id, b] : best)
      cands.push_back(
          {from(*catalog.find(id), "cooccurrence", text::format(p.bought_with, {title_of(*b.second, catalog)})),
           100 + 100 * b.first});
  }

  // 3. Affinity: unbought catalog items in the categories the customer engages with most.
  double top = views.categories.empty() ? 0 : views.categories.front().score;
  for (const CatalogItem& item : catalog.items()) {
    if (item.sensitive || h.blocked.count(item.id) || h.bought.count(item.id)) continue;
    double best = 0;
    std::string_view best_key;
    for (std::string_view level : category_levels(item.category))
      for (const Affinity& a : views.categories)
        if (a.key == level && a.score >= best) best = a.score, best_key = a.key;  // deeper wins a tie
    if (best <= 0 || top <= 0) continue;
    cands.push_back({from(item, "affinity", text::format(p.because, {leaf(best_key)})),
                     100 * best / top});
  }

  // 4. Popularity (from the population model, else the caller's list), else the shop's own order.
  const std::vector<std::string>& popularity =
      o.population && !o.population->popularity.empty() ? o.population->popularity : o.popularity;
  const bool known = !popularity.empty();
  std::vector<const CatalogItem*> ranked;
  if (known) {
    for (const std::string& id : popularity)
      if (const CatalogItem* c = catalog.find(id)) ranked.push_back(c);
  } else {
    for (const CatalogItem& c : catalog.items()) ranked.push_back(&c);
  }
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const CatalogItem& c = *ranked[i];
    if (c.sensitive || h.blocked.count(c.id) || h.bought.count(c.id)) continue;
    cands.push_back({from(c, "popular", std::string(known ? p.popular : p.range)),
                     10.0 / static_cast<double>(i + 1)});
  }
  if (!o.strategy.empty())
    std::erase_if(cands, [&](const Candidate& c) { return c.rec.strategy != o.strategy && c.rec.strategy != "popular"; });
  // The impression cap rests an item, but never empties the list while other items exist.
  const auto rested = capped_items(profile, o);
  std::vector<Recommendation> out = pick(cands, o.k, rested);
  return out.empty() && !rested.empty() ? pick(std::move(cands), o.k, {}) : out;
}

Offer loyalty_offer(const Profile& profile, const Views& views, const Catalog& catalog, const RecommendOptions& o) {
  Offer offer;
  const text::Lang lang = text::lang_of(o.locale);
  const Phrases& p = phrases(lang);
  if (!o.personalise || is_gone(views.value)) {
    offer.reason = o.personalise ? p.gone : p.off;
    return offer;
  }
  History h = history_of(profile, views, catalog, o);
  // The guard, as for recommend(): never sensitive, excluded, or in an interest the customer
  // removed. (Repeat items are usually "not due", which is fine for an offer.)
  auto refused = [&](const Item& item) {
    return catalog.is_sensitive(item.id) || item_removed(profile, item, catalog) || h.dismissed.count(item.id) ||
           std::find(o.exclude.begin(), o.exclude.end(), item.id) != o.exclude.end();
  };
  // Two repeat items: bought on the most distinct days, most recent first on a tie.
  std::vector<const Cadence*> repeats;
  for (const Cadence& c : views.items)
    if (c.purchases >= 2 && h.bought.count(c.key) && !refused(h.bought[c.key])) repeats.push_back(&c);
  sort(repeats, [](const Cadence* a, const Cadence* b) {
    if (a->purchases != b->purchases) return a->purchases > b->purchases;
    return a->last != b->last ? a->last > b->last : a->key < b->key;
  });
  if (repeats.size() < 2) {
    offer.reason = p.needs_two;
    return offer;
  }
  std::set<std::string> bought_categories, parents;
  double spent = 0, units = 0;
  for (const auto& [id, item] : h.bought) {
    std::string_view cat = category_of(item, catalog);
    if (cat.empty()) continue;
    bought_categories.insert(std::string(cat));
    parents.insert(std::string(category_levels(cat).front()));
    spent += item.price, units += 1;
  }
  const double usual_price = units > 0 ? spent / units : 0;
  // The new item: a category never bought, under a parent the customer buys from, with a higher
  // average price than what they usually pay; the category they looked at most wins, then price.
  std::map<std::string, std::pair<double, int>> cat_price;  // category -> (sum, n)
  for (const CatalogItem& c : catalog.items())
    if (!c.category.empty() && !refused(Item{c.id, c.title, c.category, c.price})) {
      auto& [sum, n] = cat_price[c.category];
      sum += c.price, ++n;
    }
  std::string best_cat;
  double best_interest = -1, best_avg = 0;
  for (const auto& [cat, sn] : cat_price) {
    double avg = sn.first / sn.second;
    if (bought_categories.count(cat) || !parents.count(std::string(category_levels(cat).front())) || avg <= usual_price)
      continue;
    double interest = 0;
    for (const Affinity& a : views.categories)
      if (a.key == cat) interest = a.score;
    if (interest > best_interest || (interest == best_interest && avg > best_avg))
      best_cat = cat, best_interest = interest, best_avg = avg;
  }
  if (best_cat.empty()) {
    offer.reason = p.nothing_new;
    return offer;
  }
  const CatalogItem* pick_new = nullptr;
  for (const CatalogItem& c : catalog.items())
    if (c.category == best_cat && !refused(Item{c.id, c.title, c.category, c.price}) &&
        (!pick_new || c.price > pick_new->price))
      pick_new = &c;
  for (int i = 0; i < 2; ++i) {
    const Cadence& c = *repeats[static_cast<std::size_t>(i)];
    std::string n = std::to_string(c.purchases);
    offer.items.push_back(from(h.bought[c.key], catalog, "offer_repeat",
                               text::format(p.bought_times, {lang == text::Lang::fa ? text::persian_digits(n) : n})));
  }
  const std::string cat = leaf(best_cat);
  offer.items.push_back(from(*pick_new, "offer_new", text::format(p.something_new, {cat})));
  offer.reason = text::format(is_slipping(views.value) ? p.miss_you : p.two_plus_one, {cat});
  return offer;
}

std::vector<RankedItem> rank_items(const Profile& profile, const Views& views, const Catalog& catalog,
                                   const RecommendOptions& o, const RankWeights& w) {
  struct Own {
    int orders = 0;          // orders holding the item
    std::int64_t last = 0;   // Unix ms of the latest
  };
  std::map<std::string, Own, std::less<>> own;
  int n = 0;  // orders
  std::set<std::string_view> in_order;
  for (const Event& e : profile.events()) {
    if (e.type != EventType::purchase || e.ts > o.now) continue;
    ++n;
    in_order.clear();  // an item on two lines of one order counts once
    for (const Line& l : e.lines)
      if (!l.item.id.empty() && !catalog.is_sensitive(l.item.id) && in_order.insert(l.item.id).second) {
        Own& x = own[l.item.id];
        ++x.orders;
        x.last = std::max(x.last, e.ts);
      }
  }
  std::set<std::string_view> due;
  for (const Cadence& c : views.items)
    if (c.status == CadenceStatus::due_soon || c.status == CadenceStatus::overdue) due.insert(c.key);

  const PopulationModel* pm = o.population;
  std::map<std::string_view, double> co;  // item -> sum over own items a of (k_a / n) * cosine(a, item)
  if (pm)
    for (const auto& [id, x] : own)
      if (const ItemStats* s = pm->find(id))
        for (const RelatedItem& r : s->related) co[r.item] += x.orders / static_cast<double>(n) * r.score;

  const double log_n = std::log(std::max(n, 1));
  std::vector<RankedItem> out;
  out.reserve(catalog.items().size());
  for (const CatalogItem& c : catalog.items()) {
    if (c.sensitive) continue;
    // Without a model the population terms drop out; only the customer's own signals remain.
    const double log_pop = pm ? std::log(pm->basket_share(c.id)) : 0;
    const double repeat = pm ? pm->repeat_rate(c.id) : 0;
    double z;
    auto mine = own.find(c.id);
    if (mine != own.end()) {
      const double age_days = static_cast<double>(std::max<std::int64_t>(0, o.now - mine->second.last)) / kDayMs;
      z = w.repeat_bias + w.repeat_log_k * std::log(mine->second.orders) + w.repeat_log_n * log_n +
          w.repeat_log_pop * log_pop + w.repeat_rate * repeat + w.repeat_log_age * std::log1p(age_days) +
          (due.count(c.id) ? w.repeat_due : 0);
    } else {
      auto it = co.find(c.id);
      z = w.new_bias + w.new_log_co * std::log((it == co.end() ? 0 : it->second) + 0.01) +
          w.new_log_pop * log_pop + w.new_log_n * log_n + w.new_repeat_rate * repeat;
    }
    out.push_back({c.id, z, mine != own.end()});
  }
  sort(out, [](const RankedItem& a, const RankedItem& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  });
  for (RankedItem& r : out) r.score = 1 / (1 + std::exp(-r.score));  // log-odds -> probability, same order
  return out;
}

}  // namespace ashna
