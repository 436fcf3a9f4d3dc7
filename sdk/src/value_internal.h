// Helpers shared by the customer-value sources (value.cc, bgnbd.cc, gamma_gamma.cc). Internal.
#pragma once

#include <cmath>
#include <cstdio>
#include <span>
#include <string>

#include "ashna/status.h"
#include "ashna/value.h"

namespace ashna::internal {

// Shortest readable form of a number for error messages ("4.414", "1e+30", "nan").
inline std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

inline bool positive_finite(double v) { return std::isfinite(v) && v > 0; }

// How error messages name customer i: by id when it has one.
inline std::string customer_label(const CustomerSummary& c, std::size_t i) {
  return c.id.empty() ? "customers[" + std::to_string(i) + "]" : "customer '" + c.id.substr(0, 64) + "'";
}

// ok, or the first invalid summary's error, prefixed with which customer it is.
inline Status validate_summaries(std::span<const CustomerSummary> customers) {
  for (std::size_t i = 0; i < customers.size(); ++i) {
    Status s = validate_summary(customers[i]);
    if (!s) return Status::error(s.code(), customer_label(customers[i], i) + ": " + s.message());
  }
  return Status::ok();
}

}  // namespace ashna::internal
