// Experiment reports: the distributions against reference values (mpmath, 30 digits), attribution
// of outcomes to exposures, the report's statistics against values worked out by hand, edge cases
// (no visitors, no conversions, everyone converting), and simulations with a fixed seed: coverage
// and power for a known lift, the false-positive rate of A/A tests, and the sample-ratio check.
// The simulations print their figures; docs/experiments.md#reports quotes them.
#include "ashna/experiment_report.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "ashna/json_value.h"

using namespace ashna;

namespace {

constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01, Unix ms
constexpr std::int64_t kDay = AttributionOptions::kDayMs;

// Relative closeness, with an absolute floor for values near 0.
bool close(double actual, double expected, double rel = 1e-12, double abs = 1e-300) {
  return std::fabs(actual - expected) <= std::max(rel * std::fabs(expected), abs);
}

ExposureRecord exposure(std::string profile, int variation, std::int64_t ts, std::string experiment = "exp") {
  return ExposureRecord{std::move(profile), std::move(experiment), variation, ts};
}

OutcomeRecord outcome(std::string profile, OutcomeType type, std::int64_t ts, double revenue = 0) {
  return OutcomeRecord{std::move(profile), type, ts, revenue};
}

// n visitors of `variation`, the first `converted` of whom converted and spent `spend`, the first
// `negative` of whom gave a negative signal.
void add_visitors(std::vector<VisitorOutcome>& out, int variation, int n, int converted, double spend,
                  int negative) {
  for (int i = 0; i < n; ++i) {
    VisitorOutcome v;
    v.profile = "v" + std::to_string(variation) + "-" + std::to_string(i);
    v.variation = variation;
    v.converted = i < converted;
    v.revenue = v.converted ? spend : 0;
    v.negative = i < negative;
    out.push_back(v);
  }
}

void check_estimate(const Estimate& e, double value, double low, double high, double p, double rel = 1e-9) {
  INFO("estimate " << e.value << " [" << e.ci_low << ", " << e.ci_high << "] p " << e.p_value);
  REQUIRE(e.defined);
  CHECK(close(e.value, value, rel, 1e-15));
  CHECK(close(e.ci_low, low, rel, 1e-15));
  CHECK(close(e.ci_high, high, rel, 1e-15));
  CHECK(close(e.p_value, p, rel, 1e-15));
}

bool finite_or_flagged(const Estimate& e) {
  return std::isfinite(e.value) && std::isfinite(e.ci_low) && std::isfinite(e.ci_high) &&
         std::isfinite(e.p_value) && (e.defined || (e.value == 0 && e.ci_low == 0 && e.ci_high == 0));
}

bool no_nan(const ExperimentReport& r) {
  for (const VariationStats& s : r.variations) {
    if (!std::isfinite(s.conversion_rate) || !std::isfinite(s.revenue_per_visitor) ||
        !std::isfinite(s.revenue_per_visitor_se) || !std::isfinite(s.negative_rate)) {
      return false;
    }
  }
  for (const Comparison& c : r.comparisons) {
    for (const Estimate* e : {&c.conversion_absolute, &c.conversion_relative, &c.revenue_absolute,
                              &c.revenue_relative, &c.negative_absolute}) {
      if (!finite_or_flagged(*e)) return false;
    }
  }
  return std::isfinite(r.sample_ratio.chi_square) && std::isfinite(r.sample_ratio.p_value);
}

ExperimentReport report_of(const std::vector<VisitorOutcome>& visitors,
                           std::vector<double> weights = {0.5, 0.5}) {
  auto r = build_report("exp", visitors, weights);
  REQUIRE(r.is_ok());
  return r.value();
}

}  // namespace

// ---- distributions --------------------------------------------------------------------------------

TEST_CASE("normal CDF and quantile against reference values", "[experiment_report]") {
  CHECK(close(normal_quantile(0.975), 1.959963984540054, 1e-14));
  CHECK(close(normal_quantile(0.025), -1.959963984540054, 1e-14));
  CHECK(normal_quantile(0.5) == 0);
  CHECK(close(normal_quantile(0.3), -0.5244005127080408, 1e-14));
  CHECK(close(normal_quantile(0.999), 3.090232306167814, 1e-14));
  CHECK(close(normal_quantile(1e-10), -6.361340902404056, 1e-14));
  CHECK(close(normal_quantile(1e-300), -37.04709629936120, 1e-13));
  CHECK(close(normal_cdf(1.96), 0.9750021048517796, 1e-15));
  CHECK(close(normal_cdf(-8), 6.220960574271784e-16, 1e-12));
  CHECK(close(normal_cdf(-30), 4.906713927148187e-198, 1e-11));
  // Round trips over the whole range.
  for (double p : {1e-200, 1e-50, 1e-12, 1e-6, 0.001, 0.01, 0.1, 0.25, 0.4, 0.5, 0.6, 0.9, 0.99, 0.999999}) {
    INFO("p = " << p);
    CHECK(close(normal_cdf(normal_quantile(p)), p, 1e-12));
  }
  SECTION("outside the domain: infinities and NaN, never a crash") {
    CHECK(normal_quantile(0) == -std::numeric_limits<double>::infinity());
    CHECK(normal_quantile(1) == std::numeric_limits<double>::infinity());
    CHECK(std::isnan(normal_quantile(-0.1)));
    CHECK(std::isnan(normal_quantile(1.5)));
    CHECK(std::isnan(normal_quantile(std::nan(""))));
    CHECK(normal_cdf(std::numeric_limits<double>::infinity()) == 1);
    CHECK(normal_cdf(-std::numeric_limits<double>::infinity()) == 0);
  }
}

TEST_CASE("chi-square survival function against reference values", "[experiment_report]") {
  CHECK(close(chi_square_sf(3.841458820694124, 1), 0.05, 1e-12));
  CHECK(close(chi_square_sf(10, 3), 0.01856613546304323, 1e-12));
  CHECK(close(chi_square_sf(16, 1), 6.334248366623984e-05, 1e-12));
  CHECK(close(chi_square_sf(18.307038, 10), 0.05000000082473224, 1e-12));
  CHECK(close(chi_square_sf(124.342, 100), 0.05000071576997176, 1e-11));
  CHECK(close(chi_square_sf(1000, 900), 0.01099460894213585, 1e-10));
  CHECK(close(chi_square_sf(0.5, 5), 0.9921232932326296, 1e-12));
  CHECK(close(chi_square_sf(200, 3), 4.218541107192042e-43, 1e-11));
  // Large shape parameters, where lgamma alone would lose digits to cancellation.
  CHECK(close(regularized_gamma_q(20, 15), 0.8752187849674752, 1e-12));
  CHECK(close(regularized_gamma_q(20, 30), 0.02187346844139085, 1e-12));
  CHECK(close(regularized_gamma_q(1e5, 1e5 + 300), 0.1713636887487924, 1e-11));
  CHECK(close(regularized_gamma_q(1e6, 1e6), 0.4998670192391274, 1e-11));
  // Closed forms: df 2 is exp(-x/2), df 1 is erfc(sqrt(x/2)); Q(1, x) = exp(-x).
  for (double x : {0.01, 0.5, 1.0, 2.0, 3.0, 7.5, 20.0, 50.0, 300.0}) {
    INFO("x = " << x);
    CHECK(close(chi_square_sf(x, 2), std::exp(-x / 2), 1e-12));
    CHECK(close(chi_square_sf(x, 1), std::erfc(std::sqrt(x / 2)), 1e-11));
    CHECK(close(regularized_gamma_q(1, x), std::exp(-x), 1e-12));
  }
  SECTION("edges") {
    CHECK(chi_square_sf(0, 3) == 1);
    CHECK(chi_square_sf(-1, 3) == 1);
    CHECK(chi_square_sf(std::numeric_limits<double>::infinity(), 3) == 0);
    CHECK(std::isnan(chi_square_sf(1, 0)));
    CHECK(std::isnan(chi_square_sf(1, -2)));
    CHECK(std::isnan(chi_square_sf(std::nan(""), 2)));
    CHECK(std::isnan(regularized_gamma_q(0, 1)));
  }
}

TEST_CASE("Student's t and the incomplete beta against reference values", "[experiment_report]") {
  CHECK(close(student_t_cdf(2, 5), 0.9490302605850708, 1e-12));
  CHECK(close(student_t_cdf(-3, 7.5), 0.009195469304102255, 1e-11));
  CHECK(close(student_t_cdf(2.5, 10000), 0.9937823902247082, 1e-12));
  CHECK(close(student_t_quantile(0.975, 10), 2.228138851986274, 1e-12));
  CHECK(close(student_t_quantile(0.975, 1), 12.70620473617469, 1e-12));
  CHECK(close(student_t_quantile(0.975, 2), 4.302652729749462, 1e-12));
  CHECK(close(student_t_quantile(0.975, 2.5), 3.574654842003682, 1e-12));
  CHECK(close(student_t_quantile(0.975, 30), 2.042272456301238, 1e-12));
  CHECK(close(student_t_quantile(0.975, 1e6), 1.959966356814107, 1e-10));
  CHECK(close(student_t_quantile(0.025, 10), -2.228138851986274, 1e-12));
  // Large df: the continued fraction up to 1e6, the Cornish-Fisher expansion above; they agree.
  CHECK(close(student_t_cdf(-6, 2e5), 9.882749439674029e-10, 1e-10));
  CHECK(close(1 - student_t_cdf(2.5, 999999), 1 - 0.9937902552488390, 1e-10));
  CHECK(close(1 - student_t_cdf(2.5, 1000001), 1 - 0.9937902552489978, 1e-10));
  CHECK(close(student_t_cdf(-6, 1e7), 9.866213666838918e-10, 1e-12));
  CHECK(close(student_t_cdf(-6, 1e9), 9.865879822492459e-10, 1e-12));
  CHECK(close(student_t_quantile(0.975, 1e7), 1.959964221767205, 1e-14));
  CHECK(close(student_t_quantile(0.975, 1e9), 1.959963986912325, 1e-14));
  CHECK(close(student_t_quantile(0.975, 1e300), 1.959963984540054, 1e-14));
  // Heavy tails: df 1 has t = tan(pi (p - 1/2)), here far beyond where t^2 overflows.
  CHECK(close(student_t_quantile(1e-300, 1), -1 / (std::numbers::pi * 1e-300), 1e-9));
  CHECK(close(student_t_cdf(-1e200, 1), 1 / (std::numbers::pi * 1e200), 1e-12));
  // Closed forms: df 1 is Cauchy, df 2 is 1/2 + t / (2 sqrt(2 + t^2)).
  for (double t : {-50.0, -3.0, -0.5, 0.0, 0.25, 1.0, 4.0, 100.0}) {
    INFO("t = " << t);
    CHECK(close(student_t_cdf(t, 1), 0.5 + std::atan(t) / std::numbers::pi, 1e-12));
    CHECK(close(student_t_cdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), 1e-12));
  }
  // I_x(a, 1) = x^a and I_x(1, b) = 1 - (1 - x)^b.
  CHECK(close(regularized_beta(3.5, 1, 0.3), std::pow(0.3, 3.5), 1e-12));
  CHECK(close(regularized_beta(1, 4, 0.2), 1 - std::pow(0.8, 4), 1e-12));
  CHECK(close(regularized_beta(40, 60, 0.3), 0.01759250846893009, 1e-12));
  CHECK(close(regularized_beta(5e4, 0.5, 0.99999), 0.3173105078568648, 1e-10));
  SECTION("edges") {
    CHECK(student_t_quantile(0.5, 3) == 0);
    CHECK(student_t_quantile(1, 3) == std::numeric_limits<double>::infinity());
    CHECK(std::isnan(student_t_quantile(0.9, 0)));
    CHECK(std::isnan(student_t_cdf(1, -1)));
    CHECK(std::isnan(regularized_beta(1, 1, 1.5)));
    CHECK(close(student_t_cdf(1.3, std::numeric_limits<double>::infinity()), normal_cdf(1.3), 1e-15));
  }
}

// ---- attribution ----------------------------------------------------------------------------------

TEST_CASE("attribution counts outcomes at or after the first exposure, within the window",
          "[experiment_report]") {
  std::vector<ExposureRecord> exposures = {
      exposure("alice", 1, kT0),
      exposure("bob", 0, kT0 + 5),
      exposure("carol", 1, kT0, "other-experiment"),
  };
  std::vector<OutcomeRecord> events = {
      outcome("alice", OutcomeType::kPurchase, kT0 - 1, 99),             // before exposure: not counted
      outcome("alice", OutcomeType::kClick, kT0),                        // at exposure: counted
      outcome("alice", OutcomeType::kPurchase, kT0 + kDay, 20),          // counted
      outcome("alice", OutcomeType::kPurchase, kT0 + 14 * kDay - 1, 5),  // last ms of the window
      outcome("alice", OutcomeType::kPurchase, kT0 + 14 * kDay, 1000),   // window closed
      outcome("bob", OutcomeType::kUnsubscribe, kT0 + 6),
      outcome("bob", OutcomeType::kAddToCart, kT0 + 7),
      outcome("carol", OutcomeType::kPurchase, kT0 + 1, 50),  // exposed to another experiment only
      outcome("dave", OutcomeType::kPurchase, kT0 + 1, 50),   // never exposed
  };
  auto r = attribute(exposures, events, "exp");
  REQUIRE(r.is_ok());
  const auto& v = r.value();
  REQUIRE(v.size() == 2);
  CHECK(v[0].profile == "alice");
  CHECK(v[0].variation == 1);
  CHECK(v[0].first_exposure == kT0);
  CHECK(v[0].converted);
  CHECK(v[0].purchases == 2);
  CHECK(v[0].revenue == 25);
  CHECK(v[0].clicks == 1);
  CHECK_FALSE(v[0].negative);
  CHECK(v[1].profile == "bob");
  CHECK(v[1].variation == 0);
  CHECK_FALSE(v[1].converted);
  CHECK(v[1].negative);
  CHECK(v[1].negatives == 1);
  CHECK(v[1].add_to_carts == 1);

  SECTION("the window is an option") {
    AttributionOptions options;
    options.window_ms = kDay;
    auto s = attribute(exposures, events, "exp", options);
    REQUIRE(s.is_ok());
    CHECK(s.value()[0].purchases == 0);
    CHECK(s.value()[0].revenue == 0);
    CHECK(s.value()[0].clicks == 1);
  }
  SECTION("the conversion is an option") {
    AttributionOptions options;
    options.conversion = OutcomeType::kAddToCart;
    auto s = attribute(exposures, events, "exp", options);
    REQUIRE(s.is_ok());
    CHECK_FALSE(s.value()[0].converted);
    CHECK(s.value()[1].converted);
  }
  SECTION("the other experiment has its own visitors") {
    auto s = attribute(exposures, events, "other-experiment");
    REQUIRE(s.is_ok());
    REQUIRE(s.value().size() == 1);
    CHECK(s.value()[0].profile == "carol");
    CHECK(s.value()[0].revenue == 50);
  }
  SECTION("the window runs from the first exposure, not from later ones") {
    exposures.push_back(exposure("alice", 1, kT0 + 13 * kDay));
    auto s = attribute(exposures, events, "exp");
    REQUIRE(s.is_ok());
    CHECK(s.value()[0].revenue == 25);
    CHECK_FALSE(s.value()[0].mixed);  // the same variation again is not mixing
  }
}

TEST_CASE("attribution: a visitor seen in two variations counts in the first, flagged",
          "[experiment_report]") {
  std::vector<ExposureRecord> exposures = {
      exposure("erin", 1, kT0 + 100),  // later exposure, listed first: order must not matter
      exposure("erin", 0, kT0),       exposure("erin", 0, kT0 + 50),
      exposure("finn", 2, kT0),  // a tie in time: the lower variation wins
      exposure("finn", 1, kT0),
  };
  std::vector<OutcomeRecord> events = {outcome("erin", OutcomeType::kPurchase, kT0 + 200, 10)};
  auto r = attribute(exposures, events, "exp");
  REQUIRE(r.is_ok());
  REQUIRE(r.value().size() == 2);
  const VisitorOutcome& erin = r.value()[0];
  CHECK(erin.variation == 0);
  CHECK(erin.first_exposure == kT0);
  CHECK(erin.mixed);
  CHECK(erin.converted);
  const VisitorOutcome& finn = r.value()[1];
  CHECK(finn.variation == 1);
  CHECK(finn.mixed);

  auto report = build_report("exp", r.value(), std::vector<double>{1, 1, 1});
  REQUIRE(report.is_ok());
  CHECK(report->mixed_visitors == 2);
  CHECK(report->variations[0].mixed_visitors == 1);
  CHECK(report->variations[0].visitors == 1);
  CHECK(report->variations[1].visitors == 1);
  CHECK(report->variations[2].visitors == 0);
}

TEST_CASE("attribution rejects bad records with the field named", "[experiment_report]") {
  std::vector<ExposureRecord> exposures = {exposure("a", 0, kT0)};
  std::vector<OutcomeRecord> events = {outcome("a", OutcomeType::kPurchase, kT0, 10)};
  auto fails = [](const Result<std::vector<VisitorOutcome>>& r, const std::string& message) {
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == "invalid_argument");
    CHECK(r.status().message() == message);
  };
  SECTION("window") {
    AttributionOptions o;
    o.window_ms = 0;
    fails(attribute(exposures, events, "exp", o), "window_ms: must be > 0");
  }
  SECTION("conversion") {
    AttributionOptions o;
    o.conversion = OutcomeType::kUnsubscribe;
    fails(attribute(exposures, events, "exp", o), "conversion: must be click, add_to_cart or purchase");
  }
  SECTION("exposure") {
    exposures.push_back(exposure("", 0, kT0));
    fails(attribute(exposures, events, "exp"), "exposures[1].profile: must not be empty");
    exposures.back() = exposure("b", -1, kT0);
    fails(attribute(exposures, events, "exp"), "exposures[1].variation: must be >= 0");
  }
  SECTION("event") {
    events.push_back(outcome("a", OutcomeType::kPurchase, kT0, -1));
    fails(attribute(exposures, events, "exp"), "events[1].revenue: a finite number >= 0 is required");
    events.back().revenue = std::nan("");
    fails(attribute(exposures, events, "exp"), "events[1].revenue: a finite number >= 0 is required");
    events.back() = outcome("", OutcomeType::kClick, kT0);
    fails(attribute(exposures, events, "exp"), "events[1].profile: must not be empty");
    events.back() = outcome("a", static_cast<OutcomeType>(99), kT0);
    fails(attribute(exposures, events, "exp"), "events[1].type: unknown outcome type");
  }
  SECTION("extreme timestamps do not overflow the window") {
    exposures = {exposure("a", 0, std::numeric_limits<std::int64_t>::min())};
    events = {outcome("a", OutcomeType::kPurchase, std::numeric_limits<std::int64_t>::max(), 1)};
    auto r = attribute(exposures, events, "exp");
    REQUIRE(r.is_ok());
    CHECK_FALSE(r.value()[0].converted);
  }
  SECTION("nothing to attribute") {
    auto r = attribute({}, {}, "exp");
    REQUIRE(r.is_ok());
    CHECK(r.value().empty());
  }
}

TEST_CASE("outcome types", "[experiment_report]") {
  for (const char* name :
       {"click", "add_to_cart", "purchase", "unsubscribe", "notification_block", "not_interested"}) {
    auto t = parse_outcome_type(name);
    REQUIRE(t);
    CHECK(std::string(to_string(*t)) == name);
  }
  CHECK_FALSE(parse_outcome_type("page_view"));
  CHECK(is_negative(OutcomeType::kNotInterested));
  CHECK_FALSE(is_negative(OutcomeType::kPurchase));
  CHECK(outcome_type(EventType::notification_block) == OutcomeType::kNotificationBlock);
  CHECK(outcome_type(EventType::purchase) == OutcomeType::kPurchase);
  CHECK(outcome_type(EventType::not_interested) == OutcomeType::kNotInterested);  // a negative signal in reports
  CHECK_FALSE(outcome_type(EventType::page_view));
}

// ---- report -----------------------------------------------------------------------------------------

TEST_CASE("report statistics against values worked out by hand", "[experiment_report]") {
  // Control: 1000 visitors, 100 convert and spend 50 each, 10 negatives. Variation 1: 1000, 120, 20.
  std::vector<VisitorOutcome> visitors;
  add_visitors(visitors, 0, 1000, 100, 50, 10);
  add_visitors(visitors, 1, 1000, 120, 50, 20);
  const ExperimentReport r = report_of(visitors);

  REQUIRE(r.variations.size() == 2);
  CHECK(r.visitors == 2000);
  CHECK(r.variations[0].conversion_rate == Approx(0.10));
  CHECK(r.variations[1].conversion_rate == Approx(0.12));
  CHECK(r.variations[0].revenue == Approx(5000));
  CHECK(close(r.variations[1].revenue_per_visitor, 6.0, 1e-12));
  CHECK(close(r.variations[0].revenue_per_visitor_se, 0.4745789978762495, 1e-10));
  CHECK(close(r.variations[1].revenue_per_visitor_se, 0.5140664006373732, 1e-10));
  CHECK(r.variations[1].negative_rate == Approx(0.02));
  CHECK_FALSE(r.insufficient_data);

  REQUIRE(r.comparisons.size() == 1);
  const Comparison& c = r.comparisons[0];
  CHECK(c.variation == 1);
  CHECK_FALSE(c.insufficient_data);
  // Normal approximation, unpooled SE.
  check_estimate(c.conversion_absolute, 0.02, -0.007411481998019936, 0.04741148199801994, 0.1527080101938778);
  // Delta method on log(p1 / p0).
  check_estimate(c.conversion_relative, 0.2, -0.06589424893700621, 0.5415813448973080, 0.1536967512363753);
  // Welch: df 1985.37, t quantile 1.96116.
  check_estimate(c.revenue_absolute, 1.0, -0.3720963794102583, 2.372096379410258, 0.1530706956345824);
  check_estimate(c.revenue_relative, 0.2, -0.06601132017414953, 0.5417745751142287, 0.1539026284150718);
  // Newcombe's hybrid score interval; pooled z p-value.
  check_estimate(c.negative_absolute, 0.01, -0.0008754760044852794, 0.02162165787817534, 0.06582831837519061);

  CHECK(r.sample_ratio.defined);
  CHECK(r.sample_ratio.chi_square == 0);
  CHECK(r.sample_ratio.p_value == 1);
  CHECK_FALSE(r.sample_ratio.srm);

  SECTION("a 99% confidence level widens every interval") {
    ReportOptions options;
    options.confidence = 0.99;
    auto wide = build_report("exp", visitors, std::vector<double>{0.5, 0.5}, options);
    REQUIRE(wide.is_ok());
    const Comparison& w = wide->comparisons[0];
    CHECK(w.conversion_absolute.ci_low < c.conversion_absolute.ci_low);
    CHECK(w.conversion_relative.ci_high > c.conversion_relative.ci_high);
    CHECK(w.revenue_absolute.ci_low < c.revenue_absolute.ci_low);
    CHECK(w.negative_absolute.ci_high > c.negative_absolute.ci_high);
    CHECK(w.conversion_absolute.p_value == c.conversion_absolute.p_value);
  }
}

TEST_CASE("report edge cases give flags, never NaN", "[experiment_report]") {
  SECTION("no visitors at all") {
    const ExperimentReport r = report_of({});
    CHECK(r.insufficient_data);
    CHECK_FALSE(r.sample_ratio.defined);
    CHECK_FALSE(r.sample_ratio.srm);
    REQUIRE(r.comparisons.size() == 1);
    CHECK(r.comparisons[0].insufficient_data);
    CHECK_FALSE(r.comparisons[0].negative_absolute.defined);
    CHECK(no_nan(r));
  }
  SECTION("a variation with no visitors") {
    std::vector<VisitorOutcome> visitors;
    add_visitors(visitors, 0, 100, 10, 20, 1);
    const ExperimentReport r = report_of(visitors);
    CHECK(r.insufficient_data);
    CHECK(r.variations[1].visitors == 0);
    CHECK(r.variations[1].conversion_rate == 0);
    CHECK(r.comparisons[0].insufficient_data);
    CHECK(r.sample_ratio.srm);  // 100 against 0 of a 50/50 split
    CHECK(no_nan(r));
  }
  SECTION("no conversions anywhere") {
    std::vector<VisitorOutcome> visitors;
    add_visitors(visitors, 0, 500, 0, 0, 0);
    add_visitors(visitors, 1, 500, 0, 0, 0);
    const ExperimentReport r = report_of(visitors);
    CHECK(r.insufficient_data);
    const Comparison& c = r.comparisons[0];
    CHECK_FALSE(c.conversion_absolute.defined);
    CHECK_FALSE(c.conversion_relative.defined);
    CHECK_FALSE(c.revenue_absolute.defined);
    CHECK_FALSE(c.revenue_relative.defined);
    // No negatives in either: Newcombe still bounds the difference, symmetric around 0.
    REQUIRE(c.negative_absolute.defined);
    CHECK(c.negative_absolute.value == 0);
    // Wilson's upper bound for 0 of 500 is z^2 / (n + z^2).
    CHECK(close(c.negative_absolute.ci_high, 0.007624340461552242, 1e-10));
    CHECK(c.negative_absolute.ci_low == -c.negative_absolute.ci_high);
    CHECK(c.negative_absolute.p_value == 1);
    CHECK(no_nan(r));
  }
  SECTION("conversions in the variation only: the absolute lift exists, the relative does not") {
    std::vector<VisitorOutcome> visitors;
    add_visitors(visitors, 0, 500, 0, 0, 0);
    add_visitors(visitors, 1, 500, 10, 30, 0);
    const ExperimentReport r = report_of(visitors);
    const Comparison& c = r.comparisons[0];
    CHECK(c.conversion_absolute.defined);
    CHECK(c.conversion_absolute.value == Approx(0.02));
    CHECK_FALSE(c.conversion_relative.defined);
    CHECK(c.revenue_absolute.defined);
    CHECK_FALSE(c.revenue_relative.defined);
    CHECK(c.insufficient_data);
    CHECK(r.insufficient_data);
    CHECK(no_nan(r));
  }
  SECTION("everyone converts") {
    std::vector<VisitorOutcome> visitors;
    add_visitors(visitors, 0, 300, 300, 10, 300);
    add_visitors(visitors, 1, 300, 300, 10, 300);
    const ExperimentReport r = report_of(visitors);
    CHECK(r.variations[0].conversion_rate == 1);
    CHECK(r.insufficient_data);
    CHECK_FALSE(r.comparisons[0].conversion_absolute.defined);
    CHECK_FALSE(r.comparisons[0].conversion_relative.defined);
    CHECK_FALSE(r.comparisons[0].revenue_absolute.defined);  // no variance
    CHECK(r.comparisons[0].negative_absolute.defined);
    CHECK(r.comparisons[0].negative_absolute.p_value == 1);
    CHECK(no_nan(r));
  }
  SECTION("one visitor per variation") {
    std::vector<VisitorOutcome> visitors;
    add_visitors(visitors, 0, 1, 1, 10, 0);
    add_visitors(visitors, 1, 1, 0, 0, 0);
    const ExperimentReport r = report_of(visitors);
    CHECK(r.variations[0].revenue_per_visitor_se == 0);
    CHECK_FALSE(r.comparisons[0].revenue_absolute.defined);
    CHECK(no_nan(r));
  }
  SECTION("identical variations: no lift, p = 1") {
    std::vector<VisitorOutcome> visitors;
    add_visitors(visitors, 0, 400, 40, 25, 4);
    add_visitors(visitors, 1, 400, 40, 25, 4);
    const ExperimentReport r = report_of(visitors);
    const Comparison& c = r.comparisons[0];
    CHECK(c.conversion_absolute.value == 0);
    CHECK(c.conversion_absolute.p_value == 1);
    CHECK(c.conversion_relative.value == 0);
    CHECK(c.conversion_absolute.ci_low == -c.conversion_absolute.ci_high);
    CHECK(c.revenue_absolute.p_value == 1);
    CHECK(c.negative_absolute.p_value == 1);
  }
}

TEST_CASE("report inputs are checked", "[experiment_report]") {
  std::vector<VisitorOutcome> visitors;
  add_visitors(visitors, 0, 10, 1, 5, 0);
  add_visitors(visitors, 2, 10, 1, 5, 0);
  auto fails = [&](std::vector<double> weights, const std::string& message, ReportOptions options = {}) {
    auto r = build_report("exp", visitors, weights, options);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == "invalid_argument");
    CHECK(r.status().message() == message);
  };
  fails({0.5, 0.5}, "visitors[10].variation: 2 has no weight (2 variations)");
  fails({0.5, -0.5, 1}, "weights[1]: a finite number >= 0 is required");
  fails({0.5, std::nan(""), 1}, "weights[1]: a finite number >= 0 is required");
  fails({0, 0, 0}, "weights: must not all be 0");
  fails({1}, "weights: at least 2 are required");
  ReportOptions bad_confidence;
  bad_confidence.confidence = 1;
  fails({1, 1, 1}, "confidence: must be in (0, 1)", bad_confidence);
  ReportOptions bad_threshold;
  bad_threshold.srm_threshold = 0;
  fails({1, 1, 1}, "srm_threshold: must be in (0, 1)", bad_threshold);
  visitors[3].revenue = std::numeric_limits<double>::infinity();
  fails({1, 1, 1}, "visitors[3].revenue: must be finite");

  SECTION("no weights: equal shares over the variations seen") {
    visitors[3].revenue = 5;
    auto r = build_report("exp", visitors, {});
    REQUIRE(r.is_ok());
    REQUIRE(r->variations.size() == 3);
    CHECK(r->variations[1].weight == Approx(1.0 / 3));
    CHECK(r->insufficient_data);  // variation 1 has nobody
    CHECK(r->comparisons.size() == 2);
  }
}

TEST_CASE("sample-ratio check", "[experiment_report]") {
  SECTION("52/48 of 10,000 on a 50/50 split is a mismatch") {
    const std::vector<std::int64_t> counts = {5200, 4800};
    const SampleRatioCheck c = sample_ratio_check(counts, std::vector<double>{0.5, 0.5});
    CHECK(c.defined);
    CHECK(close(c.chi_square, 16, 1e-12));
    CHECK(c.df == 1);
    CHECK(close(c.p_value, 6.334248366623984e-05, 1e-10));
    CHECK(c.srm);
  }
  SECTION("through the report") {
    std::vector<VisitorOutcome> visitors;
    add_visitors(visitors, 0, 5200, 260, 40, 0);
    add_visitors(visitors, 1, 4800, 240, 40, 0);
    const ExperimentReport r = report_of(visitors);
    CHECK(r.sample_ratio.srm);
    CHECK(r.sample_ratio.threshold == 0.001);
  }
  SECTION("three variations with unequal weights") {
    const std::vector<std::int64_t> counts = {190, 310, 500};
    const SampleRatioCheck c = sample_ratio_check(counts, std::vector<double>{2, 3, 5});  // normalised
    CHECK(close(c.chi_square, 0.8333333333333333, 1e-12));
    CHECK(c.df == 2);
    CHECK(close(c.p_value, 0.6592406302004438, 1e-12));
    CHECK_FALSE(c.srm);
  }
  SECTION("visitors in a variation with weight 0") {
    const std::vector<std::int64_t> counts = {500, 500, 1};
    const SampleRatioCheck c = sample_ratio_check(counts, std::vector<double>{0.5, 0.5, 0});
    CHECK(c.df == 1);
    CHECK(c.p_value == 0);
    CHECK(c.srm);
    const std::vector<std::int64_t> none = {500, 500, 0};
    CHECK_FALSE(sample_ratio_check(none, std::vector<double>{0.5, 0.5, 0}).srm);
  }
  SECTION("undefined inputs") {
    const std::vector<std::int64_t> counts = {0, 0};
    CHECK_FALSE(sample_ratio_check(counts, std::vector<double>{0.5, 0.5}).defined);
    const std::vector<std::int64_t> two = {10, 10};
    CHECK_FALSE(sample_ratio_check(two, std::vector<double>{1}).defined);
    CHECK_FALSE(sample_ratio_check(two, std::vector<double>{1, -1}).defined);
  }
  SECTION("traffic weights follow assign()") {
    Experiment e;
    e.key = "k";
    e.slot = "s";
    e.variations = {JsonValue(0), JsonValue(1), JsonValue(2)};
    e.weights = {0.2, 0.3, 0.5};
    e.coverage = 0.5;
    auto w = traffic_weights(e);
    REQUIRE(w.size() == 3);
    CHECK(w[0] == Approx(0.2));
    CHECK(w[2] == Approx(0.5));
    e.weights = {0.2, 0.3};  // wrong length: GrowthBook falls back to equal weights
    w = traffic_weights(e);
    CHECK(w[1] == Approx(1.0 / 3));
    e.ranges = {{0, 0.1}, {0.1, 0.4}, {0.4, 0.5}};
    w = traffic_weights(e);
    CHECK(w[1] == Approx(0.3));
  }
}

TEST_CASE("report JSON", "[experiment_report]") {
  std::vector<VisitorOutcome> visitors;
  add_visitors(visitors, 0, 1000, 100, 50, 10);
  add_visitors(visitors, 1, 1000, 120, 50, 20);
  add_visitors(visitors, 2, 1000, 0, 0, 0);
  const std::string json = to_json(report_of(visitors, {1, 1, 1}));
  INFO(json);
  CHECK(json.find("nan") == std::string::npos);
  CHECK(json.find("inf") == std::string::npos);
  auto doc = parse_json_value(json);
  REQUIRE(doc.is_ok());
  const JsonValue& d = doc.value();
  CHECK(d.find("experiment")->as_string() == "exp");
  CHECK(d.find("visitors")->as_number() == 3000);
  CHECK(d.find("insufficient_data")->as_bool());
  CHECK(d.find_path("sample_ratio.df")->as_number() == 2);
  CHECK(d.find_path("variations.1.conversion_rate")->as_number() == 0.12);
  CHECK(d.find_path("comparisons.0.conversion.relative.value")->as_number() == 0.2);
  CHECK(d.find_path("comparisons.0.conversion.absolute.ci.0")->as_number() == -0.007411);
  CHECK(d.find_path("comparisons.0.negative_rate.absolute.p_value")->as_number() == 0.065828);
  CHECK(d.find_path("comparisons.1.conversion.relative")->is_null());
  CHECK(d.find_path("comparisons.1.insufficient_data")->as_bool());

  const std::string empty = to_json(report_of({}));
  auto e = parse_json_value(empty);
  REQUIRE(e.is_ok());
  CHECK(e.value().find("sample_ratio")->is_null());
}

// ---- simulation ----------------------------------------------------------------------------------------
// Synthetic customers with a fixed seed. Each visitor lands in a variation at random (50/50),
// converts with the variation's rate, and a converting visitor spends Gamma(2, 25) (mean 50), so
// revenue per visitor has the same relative lift as the conversion rate.

namespace {

struct SimulationResult {
  int runs = 0;
  int covered = 0;          // conversion relative-lift CI holds the true lift
  int detected = 0;         // conversion relative-lift CI excludes 0
  int p_below_05 = 0;       // conversion p-value < 0.05
  int revenue_covered = 0;  // revenue relative-lift CI holds the true lift
  int revenue_detected = 0;
  int revenue_p_below_05 = 0;
  int negative_covered = 0;  // negative-rate difference CI holds the true difference
  int srm = 0;
};

SimulationResult simulate(std::mt19937_64& rng, int runs, int visitors, double base, double lift,
                          double negative_rate) {
  std::bernoulli_distribution coin(0.5);
  std::gamma_distribution<double> spend(2.0, 25.0);
  std::uniform_real_distribution<double> u(0, 1);
  const double rates[2] = {base, base * (1 + lift)};
  SimulationResult out;
  out.runs = runs;
  std::vector<VisitorOutcome> sample(static_cast<std::size_t>(visitors));
  const std::vector<double> weights = {0.5, 0.5};
  for (int run = 0; run < runs; ++run) {
    for (VisitorOutcome& v : sample) {
      v.variation = coin(rng) ? 1 : 0;
      v.converted = u(rng) < rates[v.variation];
      v.revenue = v.converted ? spend(rng) : 0;
      v.negative = u(rng) < negative_rate;
    }
    auto report = build_report("sim", sample, weights);
    REQUIRE(report.is_ok());
    const Comparison& c = report->comparisons[0];
    REQUIRE(c.conversion_relative.defined);
    REQUIRE(c.revenue_relative.defined);
    const Estimate& rel = c.conversion_relative;
    out.covered += rel.ci_low <= lift && lift <= rel.ci_high;
    out.detected += rel.ci_low > 0 || rel.ci_high < 0;
    out.p_below_05 += c.conversion_absolute.p_value < 0.05;
    const Estimate& rev = c.revenue_relative;
    out.revenue_covered += rev.ci_low <= lift && lift <= rev.ci_high;
    out.revenue_detected += rev.ci_low > 0 || rev.ci_high < 0;
    out.revenue_p_below_05 += c.revenue_absolute.p_value < 0.05;
    out.negative_covered += c.negative_absolute.ci_low <= 0 && 0 <= c.negative_absolute.ci_high;
    out.srm += report->sample_ratio.srm;
  }
  return out;
}

// Power of the two-sided test on log(p1 / p0) (what "the relative-lift CI excludes 0" is), normal
// approximation, n visitors per variation.
double theoretical_power(double p0, double p1, double n, double confidence) {
  const double z = normal_quantile(0.5 + confidence / 2);
  const double se = std::sqrt((1 - p1) / (n * p1) + (1 - p0) / (n * p0));
  const double shift = std::fabs(std::log(p1 / p0)) / se;
  return normal_cdf(shift - z) + normal_cdf(-shift - z);
}

// The least count of `runs` a binomial(runs, p) falls under with probability ~0.0013 (3 sigma).
int lower_bound_3sigma(int runs, double p) {
  return static_cast<int>(std::floor(runs * p - 3 * std::sqrt(runs * p * (1 - p))));
}

void print(const char* name, int count, int runs) {
  std::printf("  %-58s %4d/%d = %5.1f%%\n", name, count, runs, 100.0 * count / runs);
}

}  // namespace

TEST_CASE("simulation: a known lift is covered and found; A/A tests hold their false-positive rate",
          "[experiment_report][simulation]") {
  std::mt19937_64 rng(20240609);
  const double base = 0.05, lift = 0.20;
  const int runs = 200;

  SECTION("a true +20% lift") {
    std::printf(
        "experiment_report simulation (seed 20240609, %d experiments per size, 50/50, base 5%%, "
        "true lift +20%%, spend Gamma(2, 25), negatives 0.2%%):\n",
        runs);
    for (int per_variation : {5000, 10000}) {
      const double power = theoretical_power(base, base * (1 + lift), per_variation, 0.95);
      const SimulationResult s = simulate(rng, runs, 2 * per_variation, base, lift, 0.002);
      std::printf(" %d visitors per variation (theoretical power %.1f%%):\n", per_variation, 100 * power);
      print("conversion: 95% CI of relative lift holds +20%", s.covered, runs);
      print("conversion: lift detected (CI excludes 0)", s.detected, runs);
      print("revenue per visitor: 95% CI of relative lift holds +20%", s.revenue_covered, runs);
      print("revenue per visitor: lift detected", s.revenue_detected, runs);
      print("negative rate (no true difference): CI holds 0", s.negative_covered, runs);
      print("SRM flagged (fair split)", s.srm, runs);
      // Coverage of a 95% interval: binomial(200, 0.95) is >= 180 with probability > 0.999.
      CHECK(s.covered >= 180);
      CHECK(s.revenue_covered >= 180);
      CHECK(s.negative_covered >= 180);
      // Power: from the normal approximation, less three binomial standard deviations.
      CHECK(s.detected >= lower_bound_3sigma(runs, power));
      CHECK(s.srm <= 2);
      if (per_variation == 10000) {
        CHECK(power > 0.8);
        CHECK(s.detected >= 140);  // >= 70% where the design has the power for it
      }
    }
  }

  SECTION("A/A: no lift") {
    const SimulationResult s = simulate(rng, runs, 10000, base, 0.0, 0.002);
    std::printf(
        "experiment_report A/A simulation (seed 20240609, %d experiments, 5000 visitors per "
        "variation, base 5%%):\n",
        runs);
    print("conversion: p < 0.05 (false positive)", s.p_below_05, runs);
    print("conversion: relative-lift CI excludes 0", s.detected, runs);
    print("revenue per visitor: p < 0.05 (false positive)", s.revenue_p_below_05, runs);
    print("SRM flagged (fair split)", s.srm, runs);
    // Expected 10 of 200; 20 is 3.2 standard deviations above.
    CHECK(s.p_below_05 <= 20);
    CHECK(s.detected <= 20);
    CHECK(s.revenue_p_below_05 <= 20);
    CHECK(s.srm <= 2);
  }
}

TEST_CASE("simulation: the sample-ratio check finds broken splits and passes fair ones",
          "[experiment_report][simulation]") {
  std::mt19937_64 rng(7);
  const int runs = 200;
  const std::vector<double> weights = {0.5, 0.5};
  auto flagged = [&](int n, double share) {
    std::binomial_distribution<std::int64_t> split(n, share);
    int count = 0;
    for (int i = 0; i < runs; ++i) {
      const std::int64_t first = split(rng);
      const std::vector<std::int64_t> counts = {first, n - first};
      count += sample_ratio_check(counts, weights).srm;
    }
    return count;
  };
  // Power of the chi-square test with 1 df at 0.001: P(|Z + shift| > z_0.9995).
  auto srm_power = [](int n, double share) {
    const double shift = (share - 0.5) * n / std::sqrt(n * 0.25);
    const double z = normal_quantile(1 - 0.001 / 2);
    return normal_cdf(shift - z) + normal_cdf(-shift - z);
  };
  const int fair = flagged(10000, 0.5);
  const int broken = flagged(10000, 0.52);
  const int broken_large = flagged(50000, 0.52);
  const int fair_three = [&] {
    // 20/30/50 split of 10,000.
    int count = 0;
    std::discrete_distribution<int> pick({2, 3, 5});
    for (int i = 0; i < runs; ++i) {
      std::vector<std::int64_t> counts(3, 0);
      for (int k = 0; k < 10000; ++k) ++counts[static_cast<std::size_t>(pick(rng))];
      count += sample_ratio_check(counts, std::vector<double>{0.2, 0.3, 0.5}).srm;
    }
    return count;
  }();
  std::printf("experiment_report SRM simulation (seed 7, %d runs each, threshold p < 0.001):\n", runs);
  print("fair 50/50 of 10,000 flagged", fair, runs);
  print("fair 20/30/50 of 10,000 flagged", fair_three, runs);
  std::printf("  (theoretical power of 52/48 of 10,000: %.1f%%; of 50,000: %.1f%%)\n",
              100 * srm_power(10000, 0.52), 100 * srm_power(50000, 0.52));
  print("broken 52/48 of 10,000 flagged", broken, runs);
  print("broken 52/48 of 50,000 flagged", broken_large, runs);
  CHECK(fair <= 2);
  CHECK(fair_three <= 2);
  CHECK(broken >= lower_bound_3sigma(runs, srm_power(10000, 0.52)));
  CHECK(broken_large >= 199);
}
