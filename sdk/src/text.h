// Small text helpers for reasons: dates and intervals in words. Internal to the core.
#pragma once

#include <cstdint>
#include <string>

namespace ashna::text {

// "2 Nov" for a Unix-ms time (UTC date).
std::string day_month(std::int64_t unix_ms);
// "5 days", "3 weeks", "2 months".
std::string interval(double days);

}  // namespace ashna::text
