// Site model: what the server learns from all of a site's customers and ships to every browser
// (GET /v1/model), so each browser can score its own customer the way the server would: RFM
// breakpoints from the site's quintiles, BG/NBD and Gamma-Gamma parameters, CLV tier bounds.
// Pure: fitting and scoring take summaries and `now`; the same inputs always give the same model.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ashna/profile.h"
#include "ashna/status.h"
#include "ashna/value.h"
#include "ashna/views.h"

namespace ashna {

struct SiteModel {
  std::int64_t fitted_at = 0;  // Unix ms; 0 = never fitted: the defaults below
  int customers = 0;           // customers with at least one order the fit saw
  RfmBreakpoints breakpoints;  // the site's quintiles once fitted
  // Both set, or neither: the site has too little repeat buying yet to fit them. Then
  // `value_note` says why.
  std::optional<BgNbdParams> bgnbd;
  std::optional<GammaGammaParams> spend;
  std::string value_note;
  // The tier bounds: annual_value at the site's 50th and 80th percentiles; below the first is
  // "low", below the second "medium", else "high". Both 0 until fitted.
  double tier_median = 0, tier_p80 = 0;
  ClvOptions clv;  // the horizon and discount CLV is computed over (add_lifetime_value)
};

constexpr double kValueHorizonWeeks = 13;  // "next 90 days" for expected purchases

// The customer's (x, t_x, T) up to `now` from their purchase events, with the conventions of
// summarize_transactions: one occasion per UTC day, the first is not a repeat, weeks = days / 7.
// A customer without purchases has orders = 0 and a zero summary.
CustomerValue summarize_customer(const Profile& profile, std::int64_t now);

// Scores the customer against the model: summarize_customer + p_alive, expected spend, annual
// value and tier; closed forms only, so the browser build stays small. Never fails: a model
// without value parameters, or a customer without orders, gives scored = false.
CustomerValue score_customer(const Profile& profile, const SiteModel& model, std::int64_t now);
// Adds expected purchases in the next 13 weeks and CLV (BG/NBD's conditional expectation, which
// needs the hypergeometric function): for the server and tools. Leaves `value` as it is when it
// is not scored or the numbers cannot be computed.
void add_lifetime_value(CustomerValue& value, const SiteModel& model);

// A valuable customer (tier high or medium) whose purchase pattern says they are probably
// slipping away (p_alive < 0.5): the greeting welcomes them back, the offer is a win-back.
bool is_slipping(const CustomerValue& value);
// A low-value customer who has most likely gone (p_alive < 0.1): no retention offer is made,
// as classic RFM practice spends retention where it can still pay.
bool is_gone(const CustomerValue& value);

// What fitting needs to know about one customer with at least one order.
struct CustomerFacts {
  CustomerSummary summary;
  Rfm rfm;  // recency_days, orders and monetary are read; scores are not
};

// Fits the site model from its customers' facts: RFM quintile breakpoints (kept strictly
// monotonic so every score stays reachable), BG/NBD and Gamma-Gamma when the data identify them
// (otherwise value_note explains and the defaults stay), CLV tier bounds. Never fails on data:
// even zero customers give a valid (default) model stamped with `now`.
SiteModel fit_site_model(std::span<const CustomerFacts> customers, std::int64_t now);

}  // namespace ashna
