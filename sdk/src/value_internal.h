// Helpers shared by the customer-value sources (value.cc, bgnbd.cc, gamma_gamma.cc). Internal.
#pragma once

#include <cmath>
#include <span>
#include <string>

#include "ashna/json.h"
#include "ashna/status.h"
#include "ashna/value.h"

namespace ashna::internal {

// A number for error messages ("4.414", "-0.5", "nan"). Not snprintf: its floating-point code
// alone costs the browser build about 10 KB brotli.
inline std::string fmt(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string out;
  append_json_number(out, v);  // up to 6 decimals; "null" beyond +-9e12
  if (out == "null") return v > 0 ? "more than 9e12" : "less than -9e12";
  return out;
}

inline bool positive_finite(double v) { return std::isfinite(v) && v > 0; }

// How an error message names customers[i]: by id when it has one, else by position.
inline std::string customer_name(const CustomerSummary& c, std::size_t i) {
  return c.id.empty() ? "customers[" + std::to_string(i) + "]" : "customer '" + c.id.substr(0, 64) + "'";
}

// ok, or the first invalid summary's error. validate_summary names a customer by id; one without
// an id is named by its position here.
inline Status validate_summaries(std::span<const CustomerSummary> customers) {
  for (std::size_t i = 0; i < customers.size(); ++i) {
    Status s = validate_summary(customers[i]);
    if (!s && customers[i].id.empty())
      return Status::error(s.code(), customer_name(customers[i], i) + ": " + s.message());
    if (!s) return s;
  }
  return Status::ok();
}

}  // namespace ashna::internal
