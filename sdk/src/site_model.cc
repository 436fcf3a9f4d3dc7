// Site model: fitting from all customers (server) and scoring one customer (browser and server).
#include "ashna/site_model.h"

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

CustomerValue summarize_customer(const Profile& profile, std::int64_t now) {
  CustomerValue v;
  std::vector<Transaction> txs;
  double total = 0;
  for (const Event& e : profile.events()) {
    if (e.type != EventType::purchase || e.ts > now) continue;
    txs.push_back({"c", e.ts, line_total(e)});
    total += line_total(e);
  }
  for (const HistorySummary::Day& d : profile.summary().purchases) {  // dropped from the history
    if (d.day * kDayMs > now) continue;
    txs.push_back({"c", d.day * kDayMs, d.spend});
    total += d.spend;
  }
  if (txs.empty()) return v;
  SummaryOptions options;
  options.time_unit = TimeUnit::kUnixMs;
  options.calibration_end = now;
  auto summaries = summarize_transactions(txs, options);
  if (!summaries || summaries->empty()) return v;  // unreachable with valid events; stay unscored
  v.summary = summaries->front();
  v.summary.id = profile.id();
  v.orders = v.summary.x + 1;
  v.spend_per_order = total / v.orders;
  return v;
}

CustomerValue score_customer(const Profile& profile, const SiteModel& model, std::int64_t now) {
  CustomerValue v = summarize_customer(profile, now);
  if (v.orders == 0 || !model.bgnbd || !model.spend) return v;
  auto alive = bgnbd_p_alive(*model.bgnbd, v.summary);
  auto purchases = bgnbd_expected_purchases(*model.bgnbd, v.summary, kValueHorizonWeeks);
  auto spend = gamma_gamma_expected_spend(*model.spend, v.summary);
  auto clv = customer_lifetime_value(*model.bgnbd, *model.spend, v.summary, model.clv);
  if (!alive || !purchases || !spend || !clv) return v;  // parameters out of their domain: unscored
  v.scored = true;
  v.p_alive = alive.value();
  v.expected_purchases = purchases.value();
  v.expected_spend = spend.value();
  v.clv = clv.value();
  v.tier = v.clv >= model.clv_p80 ? "high" : v.clv >= model.clv_median ? "medium" : "low";
  return v;
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
  std::vector<double> clvs;
  for (const CustomerSummary& s : summaries) {
    auto clv = customer_lifetime_value(*m.bgnbd, *m.spend, s, m.clv);
    if (!clv) {  // e.g. q <= 1: spend has no finite mean under the fitted model
      const BgNbdParams b = *m.bgnbd;
      m.bgnbd.reset();
      m.spend.reset();
      m.value_note = "value model not usable (r " + std::to_string(b.r) + ", alpha " + std::to_string(b.alpha) +
                     ", a " + std::to_string(b.a) + ", b " + std::to_string(b.b) + "): " + clv.status().message();
      return m;
    }
    clvs.push_back(clv.value());
  }
  std::sort(clvs.begin(), clvs.end());
  m.clv_median = quantile(clvs, 0.5);
  m.clv_p80 = quantile(clvs, 0.8);
  return m;
}

}  // namespace ashna
