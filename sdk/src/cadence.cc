// Purchase cadence: from the days an item (or category) was bought, the typical interval and the
// date it is likely needed again. Used for "buy again" and reminders; a single purchase with no
// replenishment hint is a one-off and is never retargeted.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "ashna/views.h"
#include "sort.h"

namespace ashna {
namespace {

Cadence from_days(std::string key, std::vector<std::int64_t> days, int hint_days, const ViewOptions& o) {
  sort(days);
  days.erase(std::unique(days.begin(), days.end()), days.end());
  Cadence c;
  c.key = std::move(key);
  c.purchases = static_cast<int>(days.size());
  c.last = days.back() * kDayMs;
  if (days.size() >= 2) {
    std::vector<double> gaps;
    for (std::size_t i = 1; i < days.size(); ++i) gaps.push_back(static_cast<double>(days[i] - days[i - 1]));
    std::vector<double> sorted = gaps;
    sort(sorted);
    std::size_t n = sorted.size();
    c.interval_days = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    double mean = 0, var = 0;
    for (double g : gaps) mean += g / static_cast<double>(n);
    for (double g : gaps) var += (g - mean) * (g - mean) / static_cast<double>(n);
    double cv = mean > 0 ? std::sqrt(var) / mean : 1;
    // Steadier intervals and more of them: more confidence. Two purchases alone say little.
    c.confidence = std::min(1.0, static_cast<double>(n) / 4.0) * std::max(0.0, 1.0 - cv);
  } else if (hint_days > 0) {
    c.interval_days = hint_days;
    c.confidence = 0.2;  // the shop's hint, not this customer's habit
  } else {
    return c;  // one_off
  }
  c.next = c.last + static_cast<std::int64_t>(std::llround(c.interval_days * kDayMs));
  double interval_ms = c.interval_days * kDayMs;
  if (static_cast<double>(o.now) > static_cast<double>(c.next) + o.overdue_fraction * interval_ms)
    c.status = CadenceStatus::overdue;
  else if (static_cast<double>(o.now) >= static_cast<double>(c.next) - o.due_soon_fraction * interval_ms)
    c.status = CadenceStatus::due_soon;
  else
    c.status = CadenceStatus::not_due;
  return c;
}

std::vector<Cadence> ordered(std::vector<Cadence> v) {
  sort(v, [](const Cadence& a, const Cadence& b) {
    bool ao = a.status == CadenceStatus::one_off, bo = b.status == CadenceStatus::one_off;
    if (ao != bo) return bo;
    if (ao ? a.last != b.last : a.next != b.next) return ao ? a.last > b.last : a.next < b.next;
    return a.key < b.key;
  });
  return v;
}

// `summarized`: the purchase days the bounded history dropped, by the same key; `keep` filters them
// as key_of filters lines.
template <class KeyOf>
std::vector<Cadence> cadence_by(const Profile& profile, const ViewOptions& o, KeyOf key_of,
                                const std::function<int(const std::string&)>& hint,
                                const std::map<std::string, std::vector<std::int64_t>, std::less<>>& summarized,
                                const std::function<bool(const std::string&)>& keep) {
  std::map<std::string, std::vector<std::int64_t>> days;
  for (const auto& [k, d] : summarized)
    if (keep(k)) days[k] = d;
  for (const Event& e : profile.events()) {
    if (e.type != EventType::purchase || e.ts > o.now) continue;
    for (const Line& l : e.lines) {
      std::string k(key_of(l.item));
      if (!k.empty()) days[k].push_back(e.ts / kDayMs);
    }
  }
  std::vector<Cadence> out;
  for (auto& [k, d] : days) out.push_back(from_days(k, std::move(d), hint(k), o));
  return ordered(std::move(out));
}

}  // namespace

std::string_view to_string(CadenceStatus s) {
  switch (s) {
    case CadenceStatus::not_due: return "not_due";
    case CadenceStatus::due_soon: return "due_soon";
    case CadenceStatus::overdue: return "overdue";
    case CadenceStatus::one_off: return "one_off";
  }
  return "one_off";
}

std::vector<Cadence> compute_item_cadence(const Profile& profile, const Catalog& catalog, const ViewOptions& o) {
  return cadence_by(
      profile, o, [&](const Item& i) { return catalog.is_sensitive(i.id) ? std::string_view() : std::string_view(i.id); },
      [&](const std::string& id) {
        const CatalogItem* c = catalog.find(id);
        return c ? c->replenish_days : 0;
      },
      profile.summary().item_days, [&](const std::string& id) { return !catalog.is_sensitive(id); });
}

std::vector<Cadence> compute_category_cadence(const Profile& profile, const Catalog& catalog, const ViewOptions& o) {
  return cadence_by(
      profile, o,
      [&](const Item& i) { return catalog.is_sensitive(i.id) ? std::string_view() : category_of(i, catalog); },
      [](const std::string&) { return 0; }, profile.summary().category_days,
      [](const std::string&) { return true; });
}

}  // namespace ashna
