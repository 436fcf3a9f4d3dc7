// Customer value: how often a customer will buy again and what they will spend.
//   BG/NBD (Fader, Hardie & Lee 2005) for purchase counts and dropout, Gamma-Gamma (Fader & Hardie
//   2013) for spend per occasion, and CLV from the two. Pure functions: no I/O, clock, randomness,
//   exceptions or state of their own, so concurrent calls are independent.
// Time is in weeks throughout, as in the paper. The formulas are written out in docs/customer-value.md.
// Error codes: invalid_transaction, invalid_summary, invalid_parameters, invalid_argument,
// degenerate_input (the data cannot identify the model); fit_failed and numerical_error are
// guards that no input is known to reach.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ashna/status.h"

namespace ashna {

// What the models need to know about one customer. Members follow the paper's notation (x, t_x, T)
// so the code reads next to the formulas.
struct CustomerSummary {
  std::string id;
  int x = 0;            // repeat purchase occasions in the calibration period
  double t_x = 0;       // weeks from the first purchase to the last repeat occasion (0 when x = 0)
  double T = 0;         // weeks from the first purchase to the end of calibration
  double monetary = 0;  // mean value of the x repeat occasions (0 when x = 0): zbar
  int holdout_x = 0;    // occasions after calibration, up to the holdout end (validation only)
};

// ok, or invalid_summary when x < 0, t_x or T is not finite, t_x is outside [0, T], or
// monetary is negative or not finite.
Status validate_summary(const CustomerSummary& summary);

// ---- transactions -> summaries -------------------------------------------------------------------

enum class TimeUnit : std::uint8_t {
  kDays,    // day numbers (any epoch): the CDNOW files, or dates already converted
  kUnixMs,  // Unix milliseconds, bucketed into UTC days
};

struct Transaction {
  std::string customer_id;
  std::int64_t time = 0;  // in SummaryOptions::time_unit
  double amount = 0;      // value of the purchase; >= 0
};

struct SummaryOptions {
  TimeUnit time_unit = TimeUnit::kDays;
  // The calibration period ends with the day that holds this instant (inclusive).
  std::int64_t calibration_end = 0;
  // When set, occasions after calibration, through the day holding this instant, are counted in
  // CustomerSummary::holdout_x. Must not be before calibration_end.
  std::optional<std::int64_t> holdout_end;
};

// Builds one summary per customer whose first purchase is on or before the calibration end,
// sorted by id, with the paper's conventions: all of a customer's transactions on one day are one
// occasion (their amounts add up), the first occasion is not a repeat, times are in weeks
// (days / 7). Customers who first bought after the calibration end are left out (not in the cohort).
// Errors: invalid_transaction (empty id, negative or non-finite amount, day outside +-1e9),
// invalid_argument (holdout_end before calibration_end), degenerate_input (no customer bought in
// the calibration period).
Result<std::vector<CustomerSummary>> summarize_transactions(std::span<const Transaction> transactions,
                                                            const SummaryOptions& options);

// ---- BG/NBD --------------------------------------------------------------------------------------

// Purchase rate lambda ~ Gamma(shape r, rate alpha); after each purchase the customer drops out with
// probability p ~ Beta(a, b). All four must be finite and > 0.
struct BgNbdParams {
  double r = 1, alpha = 1, a = 1, b = 1;
};

struct BgNbdFit {
  BgNbdParams params;
  double log_likelihood = 0;
  int evaluations = 0;     // likelihood evaluations the optimiser used
  bool converged = false;  // false: budget exhausted or a parameter ran to its bound (e^+-20)
};

// Sum over customers of the log of equation (6) of the paper. Errors: invalid_parameters,
// invalid_summary, degenerate_input (no customers).
Result<double> bgnbd_log_likelihood(const BgNbdParams& params,
                                    std::span<const CustomerSummary> customers);

// Maximum-likelihood estimate of r, alpha, a, b: Nelder-Mead on the log-parameters from two
// starting points, restarted until it stops improving. Never returns NaN. Errors: invalid_summary,
// degenerate_input (no customers, or nobody made a repeat purchase), fit_failed.
Result<BgNbdFit> fit_bgnbd(std::span<const CustomerSummary> customers);

// P(alive at T | x, t_x, T), in [0, 1]. Errors: invalid_parameters, invalid_summary.
Result<double> bgnbd_p_alive(const BgNbdParams& params, const CustomerSummary& customer);

// E[purchases in (T, T + t] | x, t_x, T], equation (10) of the paper; finite for any valid input.
// With x = t_x = T = 0 it is the unconditional E[X(t)] of a new customer. Errors:
// invalid_parameters, invalid_summary, invalid_argument (t negative or not finite), numerical_error.
Result<double> bgnbd_expected_purchases(const BgNbdParams& params, const CustomerSummary& customer,
                                        double t);

// ---- Gamma-Gamma spend ---------------------------------------------------------------------------

// The value of each occasion ~ Gamma(shape p, rate nu), nu ~ Gamma(shape q, rate gamma) across
// customers. All three must be finite and > 0.
struct GammaGammaParams {
  double p = 1, q = 1, gamma = 1;
};

struct GammaGammaFit {
  GammaGammaParams params;
  double log_likelihood = 0;
  int customers = 0;  // repeat buyers the fit used
  int evaluations = 0;
  bool converged = false;
};

// Log-likelihood of the repeat buyers' (x, monetary); customers with x = 0 are skipped.
// Errors: invalid_parameters, invalid_summary, degenerate_input (no repeat buyers, or a repeat buyer
// whose mean spend is 0).
Result<double> gamma_gamma_log_likelihood(const GammaGammaParams& params,
                                          std::span<const CustomerSummary> customers);

// Maximum-likelihood p, q, gamma on the repeat buyers (x >= 1); same optimiser and errors as
// gamma_gamma_log_likelihood, plus fit_failed.
Result<GammaGammaFit> fit_gamma_gamma(std::span<const CustomerSummary> customers);

// E[spend per occasion | x, monetary] = p (gamma + x zbar) / (p x + q - 1); for x = 0 the population
// mean p gamma / (q - 1). Errors: invalid_parameters (also when p x + q <= 1: the mean is infinite),
// invalid_summary.
Result<double> gamma_gamma_expected_spend(const GammaGammaParams& params,
                                          const CustomerSummary& customer);

// ---- lifetime value ------------------------------------------------------------------------------

struct ClvOptions {
  int periods = 12;                          // horizon, in periods
  double period_weeks = 365.25 / 12.0 / 7;   // a month
  double discount_rate = 0.01;               // per period; 0.01 a month is about 12.7% a year
};

// CLV = sum over k = 1..periods of E[spend] * (E[Y(k L)] - E[Y((k-1) L)]) / (1 + d)^k, with
// L = period_weeks, d = discount_rate, E[Y] the BG/NBD conditional expectation and E[spend] the
// Gamma-Gamma conditional mean: expected purchases in each period, valued at the expected spend and
// discounted at the end of the period. Errors: those of the two models, invalid_argument (periods
// outside 1..10000, period_weeks <= 0, discount_rate < 0 or not finite).
Result<double> customer_lifetime_value(const BgNbdParams& bgnbd, const GammaGammaParams& spend,
                                       const CustomerSummary& customer, const ClvOptions& options);

// ---- one customer, scored ------------------------------------------------------------------------

// A customer's value under a site's model (site_model.h scores it; views carry it).
struct CustomerValue {
  CustomerSummary summary;        // x, t_x, T in weeks up to now; monetary = mean repeat order
  int orders = 0;                 // purchase occasions (distinct days), the first one included
  double spend_per_order = 0;     // mean value of all occasions
  bool scored = false;            // false: no orders, or the model has no value parameters
  double p_alive = 0;             // probability the customer still buys here
  double expected_spend = 0;      // per future order (Gamma-Gamma)
  // The year's spend at the customer's own pace, weighted by p_alive: p_alive x E[orders per week
  // while alive] (r + x) / (alpha + T) x 52 x expected_spend. Cheap enough for the browser, and
  // what the tier ranks by.
  double annual_value = 0;
  std::string tier;               // high | medium | low | "" (not scored)
  // The full lifetime figures (server and tools: add_lifetime_value), false in the browser.
  bool lifetime = false;
  double expected_purchases = 0;  // in the next 13 weeks (kValueHorizonWeeks)
  double clv = 0;                 // over the model's CLV horizon, discounted
};

}  // namespace ashna
