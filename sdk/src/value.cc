// Customer summaries (transactions -> x, t_x, T, zbar) and lifetime value. The models themselves
// are in bgnbd.cc and gamma_gamma.cc.
#include "ashna/value.h"

#include <algorithm>
#include <numeric>

#include "value_internal.h"

namespace ashna {
namespace {

using internal::fmt;

constexpr std::int64_t kMsPerDay = 86'400'000;
// Keeps day differences far from overflow; +-1e9 days is +-2.7 million years.
constexpr std::int64_t kMaxAbsDay = 1'000'000'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The day number of `time`, or nullopt when it is out of range.
std::optional<std::int64_t> to_day(std::int64_t time, TimeUnit unit) {
  if (unit == TimeUnit::kUnixMs) return floor_div(time, kMsPerDay);
  if (time < -kMaxAbsDay || time > kMaxAbsDay) return std::nullopt;
  return time;
}

}  // namespace

Status validate_summary(const CustomerSummary& c) {
  auto bad = [&](const std::string& why) {
    return Status::error("invalid_summary",
                         (c.id.empty() ? "" : "customer '" + c.id.substr(0, 64) + "': ") + why);
  };
  if (c.x < 0) return bad("x must be >= 0, got " + std::to_string(c.x));
  if (!std::isfinite(c.t_x) || !std::isfinite(c.T) || c.t_x < 0 || c.t_x > c.T)
    return bad("need 0 <= t_x <= T, got t_x = " + fmt(c.t_x) + ", T = " + fmt(c.T));
  if (!std::isfinite(c.monetary) || c.monetary < 0)
    return bad("monetary must be a finite number >= 0, got " + fmt(c.monetary));
  return Status::ok();
}

Result<std::vector<CustomerSummary>> summarize_transactions(std::span<const Transaction> txs,
                                                            const SummaryOptions& options) {
  const auto cal_day = to_day(options.calibration_end, options.time_unit);
  if (!cal_day) return Status::error("invalid_argument", "calibration_end is out of range");
  std::int64_t hold_day = *cal_day;
  if (options.holdout_end) {
    if (*options.holdout_end < options.calibration_end)
      return Status::error("invalid_argument", "holdout_end is before calibration_end");
    const auto d = to_day(*options.holdout_end, options.time_unit);
    if (!d) return Status::error("invalid_argument", "holdout_end is out of range");
    hold_day = *d;
  }

  std::vector<std::int64_t> days(txs.size());
  for (std::size_t i = 0; i < txs.size(); ++i) {
    const Transaction& t = txs[i];
    auto bad = [&](const char* why) {
      return Status::error("invalid_transaction", "transactions[" + std::to_string(i) + "]: " + why);
    };
    if (t.customer_id.empty()) return bad("customer_id is empty");
    if (!std::isfinite(t.amount) || t.amount < 0) return bad("amount must be a finite number >= 0");
    const auto d = to_day(t.time, options.time_unit);
    if (!d) return bad("time is out of range (a day number within +-1e9)");
    days[i] = *d;
  }

  std::vector<std::size_t> order(txs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (txs[a].customer_id != txs[b].customer_id) return txs[a].customer_id < txs[b].customer_id;
    return days[a] < days[b];
  });

  std::vector<CustomerSummary> out;
  for (std::size_t i = 0; i < order.size();) {
    const std::string& id = txs[order[i]].customer_id;
    const std::int64_t first = days[order[i]];
    std::int64_t last = first;
    double repeat_spend = 0;
    CustomerSummary c;
    // Walk the customer's occasions (runs of the same day), the first one included.
    while (i < order.size() && txs[order[i]].customer_id == id) {
      const std::int64_t day = days[order[i]];
      double value = 0;
      for (; i < order.size() && txs[order[i]].customer_id == id && days[order[i]] == day; ++i)
        value += txs[order[i]].amount;
      if (day == first) continue;  // the first purchase is not a repeat
      if (day <= *cal_day) {
        ++c.x;
        last = day;
        repeat_spend += value;
      } else if (day <= hold_day) {
        ++c.holdout_x;
      }
    }
    if (first > *cal_day) continue;  // joined after calibration: not in the cohort
    c.id = id;
    c.T = static_cast<double>(*cal_day - first) / 7.0;
    c.t_x = static_cast<double>(last - first) / 7.0;
    c.monetary = c.x > 0 ? repeat_spend / c.x : 0.0;
    out.push_back(std::move(c));
  }
  if (out.empty())
    return Status::error("degenerate_input", "no customer made a purchase on or before the calibration end");
  return out;
}

Result<double> customer_lifetime_value(const BgNbdParams& bgnbd, const GammaGammaParams& spend,
                                       const CustomerSummary& customer, const ClvOptions& o) {
  if (o.periods < 1 || o.periods > 10000)
    return Status::error("invalid_argument", "periods must be 1..10000, got " + std::to_string(o.periods));
  if (!internal::positive_finite(o.period_weeks))
    return Status::error("invalid_argument", "period_weeks must be > 0, got " + fmt(o.period_weeks));
  if (!std::isfinite(o.discount_rate) || o.discount_rate < 0)
    return Status::error("invalid_argument", "discount_rate must be >= 0, got " + fmt(o.discount_rate));
  auto m = gamma_gamma_expected_spend(spend, customer);
  if (!m) return m.status();
  double clv = 0, before = 0, discount = 1;
  for (int k = 1; k <= o.periods; ++k) {
    auto upto = bgnbd_expected_purchases(bgnbd, customer, k * o.period_weeks);
    if (!upto) return upto.status();
    discount /= 1 + o.discount_rate;
    clv += m.value() * (upto.value() - before) * discount;
    before = upto.value();
  }
  return clv;
}

}  // namespace ashna
