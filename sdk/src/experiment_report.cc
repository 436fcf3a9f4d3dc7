// Experiment reports: attribution of outcomes to exposures, the per-variation statistics, the
// comparisons against the control and the sample-ratio check, with the distributions they need.
// The formulas are in docs/experiments.md#reports.
#include "ashna/experiment_report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "ashna/json.h"

namespace ashna {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = 1e-15;          // relative convergence of the series and continued fractions
constexpr double kTiny = 1e-300;        // Lentz's guard against division by zero
constexpr int kMaxIterations = 100000;  // a cap far above what the arguments of a report need

// ---- distributions ------------------------------------------------------------------------------

// Stirling's series for lgamma(z) - ((z - 1/2) log z - z + log(2 pi) / 2), for z >= 15, where the
// first omitted term is below 2e-14. Used so large arguments do not lose digits to cancellation
// between lgammas (lgamma(1e6) is 1.3e7: its last bit is 2e-9).
double stirling_correction(double z) {
  const double r = 1 / z, r2 = r * r;
  return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 / 1680)));
}
constexpr double kStirlingMin = 15;

// d - log(1 + d), for d > -1, without cancellation for small d.
double log1pmx_neg(double d) {
  if (std::fabs(d) >= 0.5) return d - std::log1p(d);
  // d^2/2 - d^3/3 + d^4/4 - ...
  double term = d * d, sum = 0;
  for (int k = 2; k < 200; ++k) {
    const double add = term / k;
    sum += add;
    if (std::fabs(add) <= std::fabs(sum) * 1e-17) break;
    term *= -d;
  }
  return sum;
}

// log(x^a e^-x / Gamma(a)), the factor in front of both P(a, x) and Q(a, x).
double log_gamma_front(double a, double x) {
  if (a < kStirlingMin) return a * std::log(x) - x - std::lgamma(a);
  const double d = (x - a) / a;
  return -a * log1pmx_neg(d) + 0.5 * std::log(a / (2 * 3.14159265358979323846)) - stirling_correction(a);
}

// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), by Stirling where an argument is large.
double log_beta(double a, double b) {
  const double small = std::min(a, b), big = std::max(a, b);
  if (big < kStirlingMin) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  const double sum = a + b;
  if (small < kStirlingMin) {
    // lgamma(big + small) - lgamma(big), from the two Stirling expansions.
    const double ratio = (big - 0.5) * std::log1p(small / big) + small * std::log(sum) - small +
                         stirling_correction(sum) - stirling_correction(big);
    return std::lgamma(small) - ratio;
  }
  return 0.5 * std::log(2 * 3.14159265358979323846) + (a - 0.5) * std::log(a / sum) +
         (b - 0.5) * std::log(b / sum) - 0.5 * std::log(sum) + stirling_correction(a) +
         stirling_correction(b) - stirling_correction(sum);
}

// P(a, x) by its series, for x < a + 1 (Numerical Recipes, gser).
double gamma_p_series(double a, double x) {
  double ap = a;
  double term = 1 / a;
  double sum = term;
  for (int n = 0; n < kMaxIterations; ++n) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * kEps) break;
  }
  return sum * std::exp(log_gamma_front(a, x));
}

// Q(a, x) by its continued fraction (modified Lentz), for x >= a + 1 (Numerical Recipes, gcf).
double gamma_q_fraction(double a, double x) {
  double b = x + 1 - a;
  double c = 1 / kTiny;
  double d = 1 / b;
  double h = d;
  for (int i = 1; i < kMaxIterations; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kEps) break;
  }
  return std::exp(log_gamma_front(a, x)) * h;
}

// The continued fraction of I_x(a, b) (Numerical Recipes, betacf).
double beta_fraction(double a, double b, double x) {
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1;
  double d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m < kMaxIterations; ++m) {
    const int m2 = 2 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kEps) break;
  }
  return h;
}

// I_x(a, b), with y = 1 - x and the logarithms of both given by the caller, who can form them
// without rounding x first (for x near 1, log x would otherwise be off by a * 1e-16) or underflow.
double beta_inc(double a, double b, double x, double y, double log_x, double log_y) {
  if (log_x == -kInf) return 0;
  if (log_y == -kInf) return 1;
  const double front = std::exp(a * log_x + b * log_y - log_beta(a, b));
  if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, y) / b;
}

// Above this many degrees of freedom the t distribution is computed from the normal by the
// Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5, terms to 1/df^4): its error there is below
// 1e-15, while the continued fraction would need ever more terms (about sqrt(df)).
constexpr double kLargeDf = 1e6;

// The t quantile for normal quantile z (A&S 26.7.5), and its derivative in z.
double cornish_fisher(double z, double df) {
  const double z2 = z * z;
  const double g1 = (z2 + 1) * z / 4;
  const double g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
  const double g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
  const double g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}
double cornish_fisher_slope(double z, double df) {
  const double z2 = z * z;
  const double d1 = (3 * z2 + 1) / 4;
  const double d2 = ((25 * z2 + 48) * z2 + 3) / 96;
  const double d3 = (((21 * z2 + 95) * z2 + 51) * z2 - 15) / 384;
  const double d4 = ((((711 * z2 + 5432) * z2 + 7410) * z2 - 5760) * z2 - 945) / 92160;
  return 1 + (d1 + (d2 + (d3 + d4 / df) / df) / df) / df;
}

// P(T > |t|) for T ~ t(df), df > 0.
double t_upper_tail(double t, double df) {
  t = std::fabs(t);
  if (std::isinf(t)) return 0;
  if (t == 0) return 0.5;
  if (df > kLargeDf) {
    // Beyond 40 the tail is below 1e-300 for every df > 1e6. Otherwise solve cornish_fisher(z) = t
    // by Newton from z = t (the expansion is within 1e-3 of the identity there).
    if (t > 40) return 0;
    double z = t;
    for (int i = 0; i < 6; ++i) {
      const double step = (cornish_fisher(z, df) - t) / cornish_fisher_slope(z, df);
      z -= step;
      if (std::fabs(step) <= 1e-16 * z) break;
    }
    return normal_cdf(-z);
  }
  // I_x(df/2, 1/2) / 2 with x = df / (df + t^2) and y = 1 - x formed from whichever of t^2 / df
  // and df / t^2 is small, so neither overflows nor cancels.
  if (t * t < df) {
    const double s2 = t * t / df;
    const double l = std::log1p(s2);
    return beta_inc(df / 2, 0.5, 1 / (1 + s2), s2 / (1 + s2), -l, std::log(s2) - l) / 2;
  }
  const double r = std::sqrt(df) / t;  // t can be so large that r * r underflows: keep logs
  const double r2 = r * r;
  const double l = std::log1p(r2);
  return beta_inc(df / 2, 0.5, r2 / (1 + r2), 1 / (1 + r2), 2 * std::log(r) - l, -l) / 2;
}

// ---- attribution ------------------------------------------------------------------------------------

Status bad(std::string message) { return Status::error("invalid_argument", std::move(message)); }

std::string indexed(const char* what, std::size_t i, const char* field) {
  return std::string(what) + "[" + std::to_string(i) + "]." + field;
}

// ---- report -----------------------------------------------------------------------------------------

struct Counts {
  std::int64_t n = 0;
  std::int64_t conversions = 0;
  std::int64_t negatives = 0;
  std::int64_t mixed = 0;
  double revenue = 0;
  // Welford's running mean and sum of squared deviations of revenue per visitor.
  double mean = 0;
  double m2 = 0;
};

double rate(std::int64_t k, std::int64_t n) {
  return n > 0 ? static_cast<double>(k) / static_cast<double>(n) : 0;
}

// Two-sided normal p-value of z.
double normal_p(double z) { return 2 * normal_cdf(-std::fabs(z)); }

Estimate make_estimate(double value, double low, double high, double p) {
  Estimate e;
  if (!std::isfinite(value) || !std::isfinite(low) || !std::isfinite(high) || !std::isfinite(p)) return e;
  e.defined = true;
  e.value = value;
  e.ci_low = low;
  e.ci_high = high;
  e.p_value = std::clamp(p, 0.0, 1.0);
  return e;
}

// Difference of two means (or rates) with a known SE, normal approximation.
Estimate normal_difference(double diff, double se, double z) {
  if (!(se > 0)) return {};
  return make_estimate(diff, diff - z * se, diff + z * se, normal_p(diff / se));
}

// Ratio of two positive means minus 1, by the delta method on log(m1 / m0):
// var(log m) ~ se(m)^2 / m^2. The interval is exp(log ratio +- z se) - 1, so it never goes below -1.
Estimate log_ratio(double m1, double se1, double m0, double se0, double z) {
  if (!(m1 > 0) || !(m0 > 0)) return {};
  const double log_ratio = std::log(m1) - std::log(m0);
  const double se = std::sqrt((se1 * se1) / (m1 * m1) + (se0 * se0) / (m0 * m0));
  if (!(se > 0)) return {};
  return make_estimate(std::expm1(log_ratio), std::expm1(log_ratio - z * se), std::expm1(log_ratio + z * se),
                       normal_p(log_ratio / se));
}

// Wilson's score interval for k of n.
std::pair<double, double> wilson(std::int64_t k, std::int64_t n, double z) {
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

// Difference of two proportions k1/n1 - k0/n0 with Newcombe's hybrid score interval (his method 10,
// built from the two Wilson intervals): sound for rare events and for 0 events, where the Wald
// interval collapses to a point. The p-value is the pooled two-proportion z test.
Estimate newcombe_difference(std::int64_t k1, std::int64_t n1, std::int64_t k0, std::int64_t n0, double z) {
  if (n1 <= 0 || n0 <= 0) return {};
  const double p1 = rate(k1, n1), p0 = rate(k0, n0);
  const auto [l1, u1] = wilson(k1, n1, z);
  const auto [l0, u0] = wilson(k0, n0, z);
  const double d = p1 - p0;
  const double low = d - std::sqrt((p1 - l1) * (p1 - l1) + (u0 - p0) * (u0 - p0));
  const double high = d + std::sqrt((u1 - p1) * (u1 - p1) + (p0 - l0) * (p0 - l0));
  const double pooled = rate(k1 + k0, n1 + n0);
  const double se =
      std::sqrt(pooled * (1 - pooled) * (1 / static_cast<double>(n1) + 1 / static_cast<double>(n0)));
  const double p = se > 0 ? normal_p(d / se) : 1;  // se 0: both rates are 0 (or both 1), so d is 0
  return make_estimate(d, low, high, p);
}

// Welch's t: difference of means with unequal variances, Welch-Satterthwaite degrees of freedom.
Estimate welch_difference(const Counts& c1, const Counts& c0, double confidence) {
  if (c1.n < 2 || c0.n < 2) return {};
  const double n1 = static_cast<double>(c1.n), n0 = static_cast<double>(c0.n);
  const double v1 = c1.m2 / (n1 - 1) / n1;  // squared SE of each mean
  const double v0 = c0.m2 / (n0 - 1) / n0;
  const double se = std::sqrt(v1 + v0);
  if (!(se > 0)) return {};
  const double df = (v1 + v0) * (v1 + v0) / (v1 * v1 / (n1 - 1) + v0 * v0 / (n0 - 1));
  const double t = student_t_quantile(0.5 + confidence / 2, df);
  const double diff = c1.mean - c0.mean;
  return make_estimate(diff, diff - t * se, diff + t * se, 2 * t_upper_tail(diff / se, df));
}

double mean_se(const Counts& c) {
  if (c.n < 2) return 0;
  const double n = static_cast<double>(c.n);
  return std::sqrt(c.m2 / (n - 1) / n);
}

// ---- JSON ---------------------------------------------------------------------------------------------

void key(std::string& out, std::string_view k) {
  append_json_string(out, k);
  out += ':';
}

void append_int(std::string& out, std::int64_t v) { out += std::to_string(v); }
void append_bool(std::string& out, bool v) { out += v ? "true" : "false"; }

void append_estimate(std::string& out, const Estimate& e) {
  if (!e.defined) {
    out += "null";
    return;
  }
  out += '{';
  key(out, "value"), append_json_number(out, e.value);
  out += ',', key(out, "ci"), out += '[', append_json_number(out, e.ci_low), out += ',';
  append_json_number(out, e.ci_high), out += ']';
  out += ',', key(out, "p_value"), append_json_number(out, e.p_value);
  out += '}';
}

}  // namespace

// ---- distributions ------------------------------------------------------------------------------------

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double normal_quantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p == 0.5) return 0;
  // Work in the lower tail, q <= 0.5, where Phi is accurate, and mirror (1 - p is exact for p >= 0.5).
  const double q = std::max(std::min(p, 1 - p), 1e-300);
  // Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4) as the start, then Halley's method on
  // Phi(z) - q, which triples the correct digits each step: three steps reach double precision.
  const double t = std::sqrt(-2 * std::log(q));
  double z = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                       (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));
  const double sqrt_2pi = 2.5066282746310002;
  for (int i = 0; i < 3; ++i) {
    const double e = normal_cdf(z) - q;
    const double u = e * sqrt_2pi * std::exp(z * z / 2);
    z -= u / (1 + z * u / 2);
  }
  return p < 0.5 ? z : -z;
}

double regularized_gamma_q(double a, double x) {
  if (std::isnan(a) || std::isnan(x) || !(a > 0) || x < 0 || std::isinf(a)) return kNaN;
  if (x == 0) return 1;
  if (std::isinf(x)) return 0;
  if (x < a + 1) return std::clamp(1 - gamma_p_series(a, x), 0.0, 1.0);
  return std::clamp(gamma_q_fraction(a, x), 0.0, 1.0);
}

double chi_square_sf(double x, double df) {
  if (std::isnan(x) || std::isnan(df) || !(df > 0) || std::isinf(df)) return kNaN;
  if (x <= 0) return 1;
  return regularized_gamma_q(df / 2, x / 2);
}

double regularized_beta(double a, double b, double x) {
  if (std::isnan(a) || std::isnan(b) || std::isnan(x) || !(a > 0) || !(b > 0) || std::isinf(a) ||
      std::isinf(b) || x < 0 || x > 1) {
    return kNaN;
  }
  return std::clamp(beta_inc(a, b, x, 1 - x, std::log(x), std::log1p(-x)), 0.0, 1.0);
}

double student_t_cdf(double t, double df) {
  if (std::isnan(t) || std::isnan(df) || !(df > 0)) return kNaN;
  if (std::isinf(df)) return normal_cdf(t);
  const double tail = std::clamp(t_upper_tail(t, df), 0.0, 0.5);
  return t > 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (std::isnan(p) || std::isnan(df) || !(df > 0) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (std::isinf(df)) return normal_quantile(p);
  if (p == 0.5) return 0;
  if (df > kLargeDf) return cornish_fisher(normal_quantile(p), df);
  // Solve for the upper tail P(T > t) = q on t > 0 by bisection: the tail is monotone, and a report
  // needs one quantile per comparison, so robustness beats speed. 1 - p is exact for p >= 0.5.
  const double q = p < 0.5 ? p : 1 - p;
  const auto upper_tail = [&](double t) { return t_upper_tail(t, df); };
  double lo = 0;
  double hi = std::max(1.0, -2 * normal_quantile(q));
  while (upper_tail(hi) > q) {
    lo = hi;
    hi *= 2;
    if (std::isinf(hi)) break;  // q below what the tail reaches in doubles: the answer is huge
  }
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    (upper_tail(mid) > q ? lo : hi) = mid;
  }
  const double t = lo + (hi - lo) / 2;
  return p < 0.5 ? -t : t;
}

// ---- attribution ------------------------------------------------------------------------------------

std::optional<OutcomeType> parse_outcome_type(std::string_view name) {
  constexpr OutcomeType kAll[] = {
      OutcomeType::kClick,       OutcomeType::kAddToCart,         OutcomeType::kPurchase,
      OutcomeType::kUnsubscribe, OutcomeType::kNotificationBlock, OutcomeType::kNotInterested};
  for (OutcomeType t : kAll) {
    if (name == to_string(t)) return t;
  }
  return std::nullopt;
}

const char* to_string(OutcomeType type) {
  switch (type) {
    case OutcomeType::kClick:
      return "click";
    case OutcomeType::kAddToCart:
      return "add_to_cart";
    case OutcomeType::kPurchase:
      return "purchase";
    case OutcomeType::kUnsubscribe:
      return "unsubscribe";
    case OutcomeType::kNotificationBlock:
      return "notification_block";
    case OutcomeType::kNotInterested:
      return "not_interested";
  }
  return "unknown";
}

bool is_negative(OutcomeType type) {
  return type == OutcomeType::kUnsubscribe || type == OutcomeType::kNotificationBlock ||
         type == OutcomeType::kNotInterested;
}

std::optional<OutcomeType> outcome_type(EventType type) {
  switch (type) {
    case EventType::click:
      return OutcomeType::kClick;
    case EventType::add_to_cart:
      return OutcomeType::kAddToCart;
    case EventType::purchase:
      return OutcomeType::kPurchase;
    case EventType::unsubscribe:
      return OutcomeType::kUnsubscribe;
    case EventType::notification_block:
      return OutcomeType::kNotificationBlock;
    case EventType::not_interested:
      return OutcomeType::kNotInterested;
    default:
      return std::nullopt;
  }
}

Result<std::vector<VisitorOutcome>> attribute(std::span<const ExposureRecord> exposures,
                                              std::span<const OutcomeRecord> events,
                                              std::string_view experiment,
                                              const AttributionOptions& options) {
  if (options.window_ms <= 0) return bad("window_ms: must be > 0");
  if (is_negative(options.conversion) || to_string(options.conversion) == std::string_view("unknown")) {
    return bad("conversion: must be click, add_to_cart or purchase");
  }

  // This experiment's exposures, ordered by (profile, ts, variation): each profile's first exposure
  // comes first, and the order of the input does not matter.
  std::vector<const ExposureRecord*> mine;
  for (std::size_t i = 0; i < exposures.size(); ++i) {
    const ExposureRecord& e = exposures[i];
    if (e.experiment != experiment) continue;
    if (e.profile.empty()) return bad(indexed("exposures", i, "profile") + ": must not be empty");
    if (e.variation < 0) return bad(indexed("exposures", i, "variation") + ": must be >= 0");
    mine.push_back(&e);
  }
  std::sort(mine.begin(), mine.end(), [](const ExposureRecord* a, const ExposureRecord* b) {
    if (a->profile != b->profile) return a->profile < b->profile;
    if (a->ts != b->ts) return a->ts < b->ts;
    return a->variation < b->variation;
  });

  std::vector<VisitorOutcome> visitors;
  for (const ExposureRecord* e : mine) {
    if (!visitors.empty() && visitors.back().profile == e->profile) {
      if (e->variation != visitors.back().variation) visitors.back().mixed = true;
      continue;
    }
    VisitorOutcome v;
    v.profile = e->profile;
    v.variation = e->variation;
    v.first_exposure = e->ts;
    visitors.push_back(std::move(v));
  }

  const auto window = static_cast<std::uint64_t>(options.window_ms);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const OutcomeRecord& ev = events[i];
    if (ev.profile.empty()) return bad(indexed("events", i, "profile") + ": must not be empty");
    if (!std::isfinite(ev.revenue) || ev.revenue < 0) {
      return bad(indexed("events", i, "revenue") + ": a finite number >= 0 is required");
    }
    if (to_string(ev.type) == std::string_view("unknown")) {
      return bad(indexed("events", i, "type") + ": unknown outcome type");
    }
    auto it = std::lower_bound(visitors.begin(), visitors.end(), ev.profile,
                               [](const VisitorOutcome& v, const std::string& p) { return v.profile < p; });
    if (it == visitors.end() || it->profile != ev.profile) continue;
    VisitorOutcome& v = *it;
    if (ev.ts < v.first_exposure) continue;
    // ts >= first_exposure, so the unsigned difference is the true one, even across the int64 range.
    if (static_cast<std::uint64_t>(ev.ts) - static_cast<std::uint64_t>(v.first_exposure) >= window) continue;
    switch (ev.type) {
      case OutcomeType::kClick:
        ++v.clicks;
        break;
      case OutcomeType::kAddToCart:
        ++v.add_to_carts;
        break;
      case OutcomeType::kPurchase:
        ++v.purchases;
        v.revenue += ev.revenue;
        break;
      case OutcomeType::kUnsubscribe:
      case OutcomeType::kNotificationBlock:
      case OutcomeType::kNotInterested:
        ++v.negatives;
        v.negative = true;
        break;
    }
    if (ev.type == options.conversion) v.converted = true;
  }
  return visitors;
}

// ---- report -----------------------------------------------------------------------------------------

std::vector<double> traffic_weights(const Experiment& experiment) {
  const int n = static_cast<int>(experiment.variations.size());
  std::vector<double> out;
  if (!experiment.ranges.empty() && static_cast<int>(experiment.ranges.size()) == n) {
    for (const BucketRange& r : experiment.ranges) out.push_back(std::max(0.0, r.end - r.start));
    return out;
  }
  for (const BucketRange& r : get_bucket_ranges(n, 1, experiment.weights)) out.push_back(r.end - r.start);
  return out;
}

SampleRatioCheck sample_ratio_check(std::span<const std::int64_t> counts, std::span<const double> weights,
                                    double threshold) {
  SampleRatioCheck check;
  check.threshold = threshold;
  if (counts.size() != weights.size() || counts.empty()) return check;
  double weight_sum = 0;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] < 0 || counts[i] < 0) return check;
    weight_sum += weights[i];
    total += counts[i];
  }
  if (!(weight_sum > 0) || total <= 0) return check;
  check.defined = true;
  bool unexpected = false;  // visitors in a variation that should get none
  int cells = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double expected = static_cast<double>(total) * weights[i] / weight_sum;
    if (weights[i] == 0) {
      unexpected = unexpected || counts[i] > 0;
      continue;
    }
    const double diff = static_cast<double>(counts[i]) - expected;
    check.chi_square += diff * diff / expected;
    ++cells;
  }
  check.df = cells - 1;
  if (unexpected) {
    check.p_value = 0;
  } else if (check.df > 0) {
    check.p_value = chi_square_sf(check.chi_square, check.df);
  }
  check.srm = check.p_value < threshold;
  return check;
}

Result<ExperimentReport> build_report(std::string experiment, std::span<const VisitorOutcome> visitors,
                                      std::span<const double> weights, const ReportOptions& options) {
  if (!(options.confidence > 0 && options.confidence < 1)) return bad("confidence: must be in (0, 1)");
  if (!(options.srm_threshold > 0 && options.srm_threshold < 1))
    return bad("srm_threshold: must be in (0, 1)");

  std::vector<double> w(weights.begin(), weights.end());
  if (w.empty()) {
    int highest = 1;
    for (const VisitorOutcome& v : visitors) highest = std::max(highest, v.variation);
    w.assign(static_cast<std::size_t>(highest) + 1, 1.0);
  }
  if (w.size() < 2) return bad("weights: at least 2 are required");
  double weight_sum = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (!std::isfinite(w[i]) || w[i] < 0) {
      return bad("weights[" + std::to_string(i) + "]: a finite number >= 0 is required");
    }
    weight_sum += w[i];
  }
  if (!(weight_sum > 0)) return bad("weights: must not all be 0");

  std::vector<Counts> counts(w.size());
  for (std::size_t i = 0; i < visitors.size(); ++i) {
    const VisitorOutcome& v = visitors[i];
    if (v.variation < 0 || static_cast<std::size_t>(v.variation) >= w.size()) {
      return bad("visitors[" + std::to_string(i) + "].variation: " + std::to_string(v.variation) +
                 " has no weight (" + std::to_string(w.size()) + " variations)");
    }
    if (!std::isfinite(v.revenue)) return bad(indexed("visitors", i, "revenue") + ": must be finite");
    Counts& c = counts[static_cast<std::size_t>(v.variation)];
    ++c.n;
    c.conversions += v.converted;
    c.negatives += v.negative;
    c.mixed += v.mixed;
    c.revenue += v.revenue;
    const double delta = v.revenue - c.mean;
    c.mean += delta / static_cast<double>(c.n);
    c.m2 += delta * (v.revenue - c.mean);
  }

  ExperimentReport report;
  report.experiment = std::move(experiment);
  report.confidence = options.confidence;
  std::vector<std::int64_t> visitor_counts;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const Counts& c = counts[i];
    VariationStats s;
    s.variation = static_cast<int>(i);
    s.weight = w[i] / weight_sum;
    s.visitors = c.n;
    s.mixed_visitors = c.mixed;
    s.conversions = c.conversions;
    s.conversion_rate = rate(c.conversions, c.n);
    s.revenue = c.revenue;
    s.revenue_per_visitor = c.mean;
    s.revenue_per_visitor_se = mean_se(c);
    s.negatives = c.negatives;
    s.negative_rate = rate(c.negatives, c.n);
    report.visitors += c.n;
    report.mixed_visitors += c.mixed;
    if (c.n == 0 && w[i] > 0) report.insufficient_data = true;
    visitor_counts.push_back(c.n);
    report.variations.push_back(s);
  }

  const double z = normal_quantile(0.5 + options.confidence / 2);
  const Counts& c0 = counts[0];
  const VariationStats& s0 = report.variations[0];
  for (std::size_t i = 1; i < counts.size(); ++i) {
    const Counts& c1 = counts[i];
    const VariationStats& s1 = report.variations[i];
    Comparison cmp;
    cmp.variation = static_cast<int>(i);
    if (c1.n > 0 && c0.n > 0) {
      const double p1 = s1.conversion_rate, p0 = s0.conversion_rate;
      const double n1 = static_cast<double>(c1.n), n0 = static_cast<double>(c0.n);
      const double se1 = std::sqrt(p1 * (1 - p1) / n1), se0 = std::sqrt(p0 * (1 - p0) / n0);
      cmp.conversion_absolute = normal_difference(p1 - p0, std::sqrt(se1 * se1 + se0 * se0), z);
      cmp.conversion_relative = log_ratio(p1, se1, p0, se0, z);
      cmp.revenue_absolute = welch_difference(c1, c0, options.confidence);
      if (c1.n >= 2 && c0.n >= 2) {
        cmp.revenue_relative = log_ratio(c1.mean, mean_se(c1), c0.mean, mean_se(c0), z);
      }
      cmp.negative_absolute = newcombe_difference(c1.negatives, c1.n, c0.negatives, c0.n, z);
    }
    cmp.insufficient_data = !cmp.conversion_absolute.defined || !cmp.conversion_relative.defined;
    report.insufficient_data = report.insufficient_data || cmp.insufficient_data;
    report.comparisons.push_back(cmp);
  }
  report.sample_ratio = sample_ratio_check(visitor_counts, w, options.srm_threshold);
  return report;
}

std::string to_json(const ExperimentReport& r) {
  std::string out = "{";
  key(out, "experiment"), append_json_string(out, r.experiment);
  out += ',', key(out, "confidence"), append_json_number(out, r.confidence);
  out += ',', key(out, "visitors"), append_int(out, r.visitors);
  out += ',', key(out, "mixed_visitors"), append_int(out, r.mixed_visitors);
  out += ',', key(out, "insufficient_data"), append_bool(out, r.insufficient_data);
  out += ',', key(out, "sample_ratio");
  const SampleRatioCheck& srm = r.sample_ratio;
  if (srm.defined) {
    out += '{';
    key(out, "chi_square"), append_json_number(out, srm.chi_square);
    out += ',', key(out, "df"), append_int(out, srm.df);
    out += ',', key(out, "p_value"), append_json_number(out, srm.p_value);
    out += ',', key(out, "threshold"), append_json_number(out, srm.threshold);
    out += ',', key(out, "srm"), append_bool(out, srm.srm);
    out += '}';
  } else {
    out += "null";
  }
  out += ',', key(out, "variations"), out += '[';
  for (std::size_t i = 0; i < r.variations.size(); ++i) {
    const VariationStats& s = r.variations[i];
    if (i) out += ',';
    out += '{';
    key(out, "variation"), append_int(out, s.variation);
    out += ',', key(out, "weight"), append_json_number(out, s.weight);
    out += ',', key(out, "visitors"), append_int(out, s.visitors);
    out += ',', key(out, "mixed_visitors"), append_int(out, s.mixed_visitors);
    out += ',', key(out, "conversions"), append_int(out, s.conversions);
    out += ',', key(out, "conversion_rate"), append_json_number(out, s.conversion_rate);
    out += ',', key(out, "revenue"), append_json_number(out, s.revenue);
    out += ',', key(out, "revenue_per_visitor"), append_json_number(out, s.revenue_per_visitor);
    out += ',', key(out, "revenue_per_visitor_se"), append_json_number(out, s.revenue_per_visitor_se);
    out += ',', key(out, "negatives"), append_int(out, s.negatives);
    out += ',', key(out, "negative_rate"), append_json_number(out, s.negative_rate);
    out += '}';
  }
  out += "],";
  key(out, "comparisons"), out += '[';
  for (std::size_t i = 0; i < r.comparisons.size(); ++i) {
    const Comparison& c = r.comparisons[i];
    if (i) out += ',';
    out += '{';
    key(out, "variation"), append_int(out, c.variation);
    out += ',', key(out, "insufficient_data"), append_bool(out, c.insufficient_data);
    out += ',', key(out, "conversion"), out += '{';
    key(out, "absolute"), append_estimate(out, c.conversion_absolute);
    out += ',', key(out, "relative"), append_estimate(out, c.conversion_relative);
    out += "},";
    key(out, "revenue_per_visitor"), out += '{';
    key(out, "absolute"), append_estimate(out, c.revenue_absolute);
    out += ',', key(out, "relative"), append_estimate(out, c.revenue_relative);
    out += "},";
    key(out, "negative_rate"), out += '{';
    key(out, "absolute"), append_estimate(out, c.negative_absolute);
    out += "}}";
  }
  out += "]}";
  return out;
}

}  // namespace ashna
