// Gamma-Gamma spend model (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value", after
// Colombo & Jiang 1999). Assumes spend per occasion is independent of how often a customer buys.
#include <algorithm>
#include <cmath>

#include "ashna/value.h"
#include "optimize.h"
#include "value_internal.h"

namespace ashna {
namespace {

using internal::fmt;
using internal::positive_finite;

Status check(const GammaGammaParams& p) {
  if (positive_finite(p.p) && positive_finite(p.q) && positive_finite(p.gamma)) return Status::ok();
  return Status::error("invalid_parameters", "Gamma-Gamma parameters must be finite and > 0, got p = " +
                                                 fmt(p.p) + ", q = " + fmt(p.q) + ", gamma = " + fmt(p.gamma));
}

// The repeat buyers as the likelihood needs them: the logs that do not depend on the parameters are
// taken once, and lgamma is evaluated once per distinct x (CDNOW: 9,450 buyers, 36 values of x).
struct Buyers {
  struct One {
    double x, zbar, log_x, log_zbar;
    std::size_t xi;  // index into xs
  };
  std::vector<One> list;
  std::vector<int> xs;
};

// The repeat buyers, or why there are none to fit.
Result<Buyers> repeat_buyers(std::span<const CustomerSummary> customers) {
  if (Status s = internal::validate_summaries(customers); !s) return s;
  Buyers out;
  for (std::size_t i = 0; i < customers.size(); ++i) {
    const CustomerSummary& c = customers[i];
    if (c.x == 0) continue;
    if (c.monetary == 0)  // Gamma spend is > 0; a zero mean says the data are not spend
      return Status::error("degenerate_input", internal::customer_name(c, i) +
                                                   ": repeat buyer with mean spend 0; the Gamma-Gamma "
                                                   "model needs spend > 0");
    const double x = c.x;
    out.list.push_back({x, c.monetary, std::log(x), std::log(c.monetary), 0});
    out.xs.push_back(c.x);
  }
  if (out.list.empty())
    return Status::error("degenerate_input",
                         "no repeat buyers (x >= 1) among " + std::to_string(customers.size()) +
                             " customers: spend per repeat occasion cannot be estimated");
  std::sort(out.xs.begin(), out.xs.end());
  out.xs.erase(std::unique(out.xs.begin(), out.xs.end()), out.xs.end());
  for (auto& b : out.list)
    b.xi = std::lower_bound(out.xs.begin(), out.xs.end(), static_cast<int>(b.x)) - out.xs.begin();
  return out;
}

// The density of zbar given x, with nu integrated out:
//   f(zbar | x) = Gamma(p x + q) / (Gamma(p x) Gamma(q)) * gamma^q * zbar^(p x - 1) * x^(p x)
//                 / (gamma + x zbar)^(p x + q)
double log_likelihood(const GammaGammaParams& g, const Buyers& buyers) {
  const double shared = -std::lgamma(g.q) + g.q * std::log(g.gamma);
  std::vector<double> by_x(buyers.xs.size());
  for (std::size_t i = 0; i < buyers.xs.size(); ++i)
    by_x[i] = std::lgamma(g.p * buyers.xs[i] + g.q) - std::lgamma(g.p * buyers.xs[i]);
  double sum = 0;
  for (const auto& b : buyers.list) {
    const double px = g.p * b.x;
    sum += shared + by_x[b.xi] + (px - 1) * b.log_zbar + px * b.log_x -
           (px + g.q) * std::log(g.gamma + b.x * b.zbar);
  }
  return sum;
}

}  // namespace

Result<double> gamma_gamma_log_likelihood(const GammaGammaParams& params,
                                          std::span<const CustomerSummary> customers) {
  if (Status s = check(params); !s) return s;
  auto buyers = repeat_buyers(customers);
  if (!buyers) return buyers.status();
  return log_likelihood(params, buyers.value());
}

Result<GammaGammaFit> fit_gamma_gamma(std::span<const CustomerSummary> customers) {
  auto found = repeat_buyers(customers);
  if (!found) return found.status();
  const Buyers& buyers = found.value();
  const double n = static_cast<double>(buyers.list.size());
  double mean = 0;
  for (const auto& b : buyers.list) mean += b.zbar / n;

  auto params = [](std::span<const double> v) {
    return GammaGammaParams{std::exp(v[0]), std::exp(v[1]), std::exp(v[2])};
  };
  auto objective = [&](std::span<const double> v) { return -log_likelihood(params(v), buyers) / n; };
  // Two starts: all ones, and gamma on the scale of the spend (the mean spend is p gamma / (q - 1)).
  const auto best = internal::minimize(objective, {{0, 0, 0}, {0, std::log(2.0), std::log(mean)}});
  if (!std::isfinite(best.value))
    return Status::error("fit_failed", "Gamma-Gamma: no parameters give a finite likelihood");
  GammaGammaFit fit;
  fit.params = params(best.x);
  fit.log_likelihood = log_likelihood(fit.params, buyers);
  fit.customers = static_cast<int>(buyers.list.size());
  fit.evaluations = best.evaluations;
  fit.converged = best.converged;
  return fit;
}

// The posterior mean of p / nu: a weighted average of the population mean p gamma / (q - 1) and the
// customer's own zbar, the weight on zbar growing with x.
Result<double> gamma_gamma_expected_spend(const GammaGammaParams& g, const CustomerSummary& c) {
  if (Status s = check(g); !s) return s;
  if (Status s = validate_summary(c); !s) return s;
  const double denom = g.p * c.x + g.q - 1;
  if (!(denom > 0))
    return Status::error("invalid_parameters",
                         "expected spend is infinite when p x + q <= 1 (p = " + fmt(g.p) + ", q = " +
                             fmt(g.q) + ", x = " + std::to_string(c.x) + ")");
  return g.p * (g.gamma + c.x * c.monetary) / denom;
}

}  // namespace ashna
