// Small text helpers for reasons: dates and intervals in words. Internal to the core.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ashna::text {

// "2 Nov" for a Unix-ms time (UTC date).
std::string day_month(std::int64_t unix_ms);
// "5 days", "3 weeks", "2 months".
std::string interval(double days);

// Length of the valid UTF-8 sequence at s[i] (i < s.size()), or 0 when it is invalid (overlong,
// surrogate, truncated, out of range). The JSON and MessagePack writers share it.
std::size_t utf8_sequence(std::string_view s, std::size_t i);

}  // namespace ashna::text
