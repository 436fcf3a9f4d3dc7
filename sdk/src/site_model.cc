// Site model: fitting from all customers (server) and scoring one customer (browser and server).
#include "ashna/site_model.h"

#include "ashna/json.h"

#include <algorithm>
#include <cmath>

namespace ashna {
namespace {

// The value at fraction q of sorted values (nearest rank).
template <class T>
T quantile(const std::vector<T>& sorted, double q) {
  const auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// Quintile breakpoints. Frequencies and recencies are small integers with many ties (most
// customers bought once), so raw quintiles collapse; each bound is pushed past the one before
// so that every score 1-5 stays reachable and the scores keep their order.
RfmBreakpoints quintiles(std::span<const CustomerFacts> customers) {
  RfmBreakpoints b;
  if (customers.size() < 20) return b;  // too few to say more than the defaults
  std::vector<std::int64_t> recency;
  std::vector<int> frequency;
  std::vector<double> monetary;
  for (const CustomerFacts& c : customers) {
    recency.push_back(c.rfm.recency_days);
    frequency.push_back(c.rfm.orders);
    monetary.push_back(c.rfm.monetary);
  }
  std::sort(recency.begin(), recency.end(), std::greater<>());  // long ago first: score 1
  std::sort(frequency.begin(), frequency.end());
  std::sort(monetary.begin(), monetary.end());
  for (int k = 0; k < 4; ++k) {
    const double q = 0.2 * (k + 1);
    // Recency: "at most this many days ago" scores higher; strictly decreasing, >= 0.
    std::int64_t r = quantile(recency, q);
    if (k > 0) r = std::min(r, b.recency_days[k - 1] - 1);
    b.recency_days[k] = std::max<std::int64_t>(r, 3 - k);
    // Frequency: "at least this many orders"; 2 or more (one order is where everyone starts).
    int f = std::max(quantile(frequency, q), 2);
    if (k > 0) f = std::max(f, b.frequency[k - 1] + 1);
    b.frequency[k] = f;
    double m = quantile(monetary, q);
    if (k > 0) m = std::max(m, b.monetary[k - 1] * 1.0001 + 0.01);
    b.monetary[k] = m;
  }
  // The pushes may have run recency below zero for the top scores; restore order from the top.
  for (int k = 3; k > 0; --k) b.recency_days[k - 1] = std::max(b.recency_days[k - 1], b.recency_days[k] + 1);
  return b;
}

}  // namespace

// The conventions of summarize_transactions (one occasion per UTC day, the first is not a repeat,
// weeks = days / 7), walked in time order without sorting or strings: it runs in the browser.
CustomerValue summarize_customer(const Profile& profile, std::int64_t now) {
  CustomerValue v;
  std::int64_t first = -1, last = -1, day_of_last = -1;
  double total = 0, repeat_spend = 0;
  auto occasion = [&](std::int64_t day, double spend) {
    total += spend;
    if (first < 0) first = day;
    if (day != first) repeat_spend += spend;
    if (day != day_of_last && day != first) ++v.summary.x;
    if (day != first) last = day;
    day_of_last = day;
  };
  // The summary's days are older than every event still in the history.
  for (const HistorySummary::Day& d : profile.summary().purchases)
    if (d.day * kDayMs <= now) occasion(d.day, d.spend);
  for (const Event& e : profile.events())
    if (e.type == EventType::purchase && e.ts <= now) occasion(e.ts / kDayMs, line_total(e));
  if (first < 0) return v;
  v.summary.id = profile.id();
  v.summary.T = static_cast<double>(now / kDayMs - first) / 7.0;
  v.summary.t_x = last < 0 ? 0 : static_cast<double>(last - first) / 7.0;
  v.summary.monetary = v.summary.x > 0 ? repeat_spend / v.summary.x : 0;
  v.orders = v.summary.x + 1;
  v.spend_per_order = total / v.orders;
  return v;
}

namespace {

// p_alive, expected spend and annual value of a summarized customer; false when the parameters
// are out of their domain.
bool score(CustomerValue& v, const BgNbdParams& bgnbd, const GammaGammaParams& spend) {
  auto alive = bgnbd_p_alive(bgnbd, v.summary);
  auto per_order = gamma_gamma_expected_spend(spend, v.summary);
  if (!alive || !per_order) return false;
  v.p_alive = alive.value();
  v.expected_spend = per_order.value();
  const double rate = (bgnbd.r + v.summary.x) / (bgnbd.alpha + v.summary.T);  // orders per week, alive
  v.annual_value = v.p_alive * rate * 52 * v.expected_spend;
  return std::isfinite(v.annual_value);
}

}  // namespace

CustomerValue score_customer(const Profile& profile, const SiteModel& model, std::int64_t now) {
  CustomerValue v = summarize_customer(profile, now);
  if (v.orders == 0 || !model.bgnbd || !model.spend || !score(v, *model.bgnbd, *model.spend)) return v;
  v.scored = true;
  v.tier = v.annual_value >= model.tier_p80 ? "high" : v.annual_value >= model.tier_median ? "medium" : "low";
  return v;
}

bool is_slipping(const CustomerValue& v) {
  return v.scored && v.p_alive < 0.5 && (v.tier == "high" || v.tier == "medium");
}

bool is_gone(const CustomerValue& v) { return v.scored && v.p_alive < 0.1 && v.tier == "low"; }

void add_lifetime_value(CustomerValue& v, const SiteModel& model) {
  if (!v.scored || !model.bgnbd || !model.spend) return;
  auto purchases = bgnbd_expected_purchases(*model.bgnbd, v.summary, kValueHorizonWeeks);
  auto clv = customer_lifetime_value(*model.bgnbd, *model.spend, v.summary, model.clv);
  if (!purchases || !clv) return;
  v.lifetime = true;
  v.expected_purchases = purchases.value();
  v.clv = clv.value();
}

SiteModel fit_site_model(std::span<const CustomerFacts> customers, std::int64_t now) {
  SiteModel m;
  m.fitted_at = now;
  m.customers = static_cast<int>(customers.size());
  m.breakpoints = quintiles(customers);
  std::vector<CustomerSummary> summaries;
  for (const CustomerFacts& c : customers) summaries.push_back(c.summary);
  if (summaries.empty()) {
    m.value_note = "no customer has bought yet";
    return m;
  }
  auto bgnbd = fit_bgnbd(summaries);
  if (!bgnbd) {
    m.value_note = "purchase model not fitted: " + bgnbd.status().message();
    return m;
  }
  // Repeat buyers whose repeat orders are worth 0 (prices missing) say nothing about spend and
  // would make the spend model undefined for everyone: they are left out of its fit only.
  std::vector<CustomerSummary> paying;
  for (const CustomerSummary& c : summaries)
    if (c.x == 0 || c.monetary > 0) paying.push_back(c);
  auto spend = fit_gamma_gamma(paying);
  if (!spend) {
    m.value_note = "spend model not fitted: " + spend.status().message();
    return m;
  }
  m.bgnbd = bgnbd->params;
  m.spend = spend->params;
  // Every customer must be scorable under the fitted model (e.g. q > 1, or spend has no finite
  // mean); the tier bounds are the quantiles of their annual value.
  std::vector<double> values;
  for (const CustomerSummary& s : summaries) {
    CustomerValue v;
    v.summary = s;
    auto clv = customer_lifetime_value(*m.bgnbd, *m.spend, s, m.clv);
    if (!clv || !score(v, *m.bgnbd, *m.spend)) {
      const BgNbdParams b = *m.bgnbd;
      m.bgnbd.reset();
      m.spend.reset();
      std::string note = "value model not usable (r ";
      append_json_number(note, b.r), note += ", alpha ", append_json_number(note, b.alpha);
      note += ", a ", append_json_number(note, b.a), note += ", b ", append_json_number(note, b.b);
      m.value_note = note + "): " + (clv ? std::string("spend has no finite mean") : clv.status().message());
      return m;
    }
    values.push_back(v.annual_value);
  }
  std::sort(values.begin(), values.end());
  m.tier_median = quantile(values, 0.5);
  m.tier_p80 = quantile(values, 0.8);
  return m;
}

}  // namespace ashna
