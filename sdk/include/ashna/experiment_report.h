// Experiment reports: from recorded exposures and outcome events to, per variation, visitors,
// conversion rate, revenue per visitor and negative-signal rate; for each variation against the
// control, the lift with a confidence interval and a p-value; and a sample-ratio-mismatch check.
// The server builds them (GET of a report); the code is in the core so any build can.
// Pure functions: no I/O, clock, randomness, globals or exceptions; safe to call from many threads.
// The statistics and the attribution rule are written out in docs/experiments.md#reports.
// Error code: invalid_argument.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ashna/event.h"
#include "ashna/experiment.h"
#include "ashna/status.h"

namespace ashna {

// ---- distributions -------------------------------------------------------------------------------
// Written out here (no external library). Each returns NaN for a NaN argument or a parameter out of
// its domain, never fails otherwise, and is accurate to about 1e-11 relative or better (tested
// against 30-digit references in tests/sdk/experiment_report_test.cpp).

// Standard normal CDF, Phi(x), accurate in both tails (through erfc).
double normal_cdf(double x);
// Phi^-1(p): -inf at 0, +inf at 1, NaN outside [0, 1]. Tails beyond 1e-300 are clamped to +-37.047.
double normal_quantile(double p);
// Regularized upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a), for a > 0, x >= 0.
double regularized_gamma_q(double a, double x);
// P(X > x) for X ~ chi-square with df > 0 degrees of freedom: Q(df / 2, x / 2). 1 for x <= 0.
double chi_square_sf(double x, double df);
// Regularized incomplete beta I_x(a, b), for a, b > 0 and x in [0, 1].
double regularized_beta(double a, double b, double x);
// Student's t CDF with df > 0 (not necessarily whole) degrees of freedom.
double student_t_cdf(double t, double df);
// Student's t quantile: the t with student_t_cdf(t, df) = p; +-inf at p = 1 or 0.
double student_t_quantile(double p, double df);

// ---- attribution ---------------------------------------------------------------------------------

// What a visitor did after seeing a variation. Conversions and negative signals.
enum class OutcomeType : std::uint8_t {
  kClick,
  kAddToCart,
  kPurchase,
  kUnsubscribe,        // negative
  kNotificationBlock,  // negative
  kNotInterested,      // negative: "not interested" on a recommendation or offer
};
// "click", "add_to_cart", "purchase", "unsubscribe", "notification_block", "not_interested".
std::optional<OutcomeType> parse_outcome_type(std::string_view name);
const char* to_string(OutcomeType type);
bool is_negative(OutcomeType type);
// The outcome an event stands for (click, add_to_cart, purchase, unsubscribe, notification_block),
// or nullopt for the other event types.
std::optional<OutcomeType> outcome_type(EventType type);

// One recorded exposure: `profile` was shown `variation` of experiment `experiment` at `ts` (Unix
// ms). Exposures are recorded only when the variant is shown and analytics consent is given; this
// module trusts the records it is handed.
struct ExposureRecord {
  std::string profile;
  std::string experiment;  // the experiment's key
  int variation = 0;       // 0 is the control
  std::int64_t ts = 0;
};

// One outcome event of a profile; `revenue` (>= 0, in the shop's currency) counts for purchases.
struct OutcomeRecord {
  std::string profile;
  OutcomeType type = OutcomeType::kClick;
  std::int64_t ts = 0;  // Unix ms
  double revenue = 0;
};

struct AttributionOptions {
  static constexpr std::int64_t kDayMs = 86400000;
  // An event counts when first_exposure <= ts < first_exposure + window_ms. Must be > 0.
  std::int64_t window_ms = 14 * kDayMs;
  // The outcome that makes a visitor "converted": click, add_to_cart or purchase (not a negative).
  OutcomeType conversion = OutcomeType::kPurchase;
};

// One exposed visitor of one experiment, with the outcomes attributed to the exposure.
struct VisitorOutcome {
  std::string profile;
  int variation = 0;  // the variation of the first exposure
  std::int64_t first_exposure = 0;
  bool mixed = false;      // also exposed to another variation later (bucketing changed)
  bool converted = false;  // at least one attributed AttributionOptions::conversion
  double revenue = 0;      // sum of the attributed purchases' revenue
  bool negative = false;   // at least one attributed negative signal
  std::int64_t clicks = 0;
  std::int64_t add_to_carts = 0;
  std::int64_t purchases = 0;
  std::int64_t negatives = 0;  // attributed negative signals
};

// The visitors of experiment `experiment` (exposures of other experiments are ignored), sorted by
// profile. A visitor belongs to the variation of their first exposure (earliest ts; a tie goes to
// the lower variation, so the input order never matters); exposure to another variation after that
// sets `mixed`. An event of the visitor counts when it is at or after the first exposure and before
// the window closes; events of profiles never exposed are ignored. Fails with invalid_argument, naming
// the first bad record: window_ms <= 0, a negative conversion type, an exposure with an empty profile
// or a negative variation, an event with an empty profile or a revenue that is negative or not finite
// ("events[3].revenue: a finite number >= 0 is required").
Result<std::vector<VisitorOutcome>> attribute(std::span<const ExposureRecord> exposures,
                                              std::span<const OutcomeRecord> events,
                                              std::string_view experiment,
                                              const AttributionOptions& options = {});

// ---- report --------------------------------------------------------------------------------------

// One estimate with its confidence interval. `defined` is false when the data cannot give one (no
// visitors, no conversions, no variance, ...); the numbers are then 0 (and null in JSON), never NaN.
struct Estimate {
  bool defined = false;
  double value = 0;
  double ci_low = 0;
  double ci_high = 0;
  double p_value = 1;  // two-sided, against no difference
};

struct VariationStats {
  int variation = 0;
  double weight = 0;  // the expected share of visitors (weights normalised to sum 1)
  std::int64_t visitors = 0;
  std::int64_t mixed_visitors = 0;
  std::int64_t conversions = 0;  // converted visitors
  double conversion_rate = 0;
  double revenue = 0;  // total
  double revenue_per_visitor = 0;
  double revenue_per_visitor_se = 0;  // standard error of the mean (sample SD / sqrt(n))
  std::int64_t negatives = 0;         // visitors with a negative signal
  double negative_rate = 0;
};

// A variation against the control (variation 0). Methods in docs/experiments.md#reports.
struct Comparison {
  int variation = 0;
  Estimate conversion_absolute;  // rate_v - rate_0: normal approximation, unpooled SE
  Estimate conversion_relative;  // rate_v / rate_0 - 1: delta method on the log of the ratio
  Estimate revenue_absolute;     // rpv_v - rpv_0: Welch's t
  Estimate revenue_relative;     // rpv_v / rpv_0 - 1: delta method on the log of the ratio
  Estimate negative_absolute;    // neg_v - neg_0: Newcombe's hybrid score interval, pooled z p-value
  // The primary metric (conversion, absolute or relative) has no estimate.
  bool insufficient_data = false;
};

// Chi-square goodness of fit of the visitor counts against the weights.
struct SampleRatioCheck {
  bool defined = false;  // false without visitors
  double chi_square = 0;
  int df = 0;
  double p_value = 1;
  double threshold = 0.001;
  bool srm = false;  // p_value < threshold: the split is not what the weights say; distrust the lifts
};

struct ReportOptions {
  double confidence = 0.95;      // of every interval; in (0, 1)
  double srm_threshold = 0.001;  // in (0, 1)
};

struct ExperimentReport {
  std::string experiment;
  double confidence = 0.95;
  std::int64_t visitors = 0;
  std::int64_t mixed_visitors = 0;
  std::vector<VariationStats> variations;  // one per weight, in order
  std::vector<Comparison> comparisons;     // one per variation after the control
  SampleRatioCheck sample_ratio;
  // A variation has no visitors, or a comparison has insufficient_data.
  bool insufficient_data = false;
};

// The share of traffic each variation of `experiment` gets, as assign() splits it: the widths of
// `ranges` when set, otherwise the weights after GrowthBook's fallback to equal weights. Coverage
// cancels out (it scales every share alike).
std::vector<double> traffic_weights(const Experiment& experiment);

// The check on visitor counts per variation against expected shares (normalised here). A variation
// with weight 0 is left out of the statistic, unless it has visitors: then p_value is 0 and srm is
// set. Counts and weights of different lengths, or weights that are negative, not finite or sum to
// 0, give defined = false.
SampleRatioCheck sample_ratio_check(std::span<const std::int64_t> counts, std::span<const double> weights,
                                    double threshold = 0.001);

// The report on `visitors` (from attribute() or stored). `weights` holds one expected share per
// variation (normalised here); empty means equal shares over max(2, highest variation + 1).
// Fails with invalid_argument for a weight that is negative or not finite, weights summing to 0,
// fewer than 2 weights, a visitor whose variation has no weight, a revenue that is not finite, or
// options out of range.
Result<ExperimentReport> build_report(std::string experiment, std::span<const VisitorOutcome> visitors,
                                      std::span<const double> weights, const ReportOptions& options = {});

// {"experiment","confidence","visitors","mixed_visitors","insufficient_data",
//  "sample_ratio":{"chi_square","df","p_value","threshold","srm"} (null without visitors),
//  "variations":[{"variation","weight","visitors","mixed_visitors","conversions","conversion_rate",
//                 "revenue","revenue_per_visitor","revenue_per_visitor_se","negatives","negative_rate"}],
//  "comparisons":[{"variation","insufficient_data","conversion":{"absolute","relative"},
//                  "revenue_per_visitor":{"absolute","relative"},"negative_rate":{"absolute"}}]}
// where each estimate is {"value","ci":[low,high],"p_value"} or null. Numbers have at most 6
// decimals (a p-value below 5e-7 is written 0).
std::string to_json(const ExperimentReport& report);

}  // namespace ashna
