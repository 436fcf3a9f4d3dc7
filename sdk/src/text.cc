#include "text.h"

#include <cmath>

namespace ashna::text {

std::string day_month(std::int64_t unix_ms) {
  // Howard Hinnant's civil_from_days: days since 1970-01-01 -> (year, month, day).
  std::int64_t z = (unix_ms >= 0 ? unix_ms : unix_ms - 86399999) / 86400000 + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return std::to_string(d) + " " + kMonths[m - 1];
}

std::string interval(double days) {
  auto n = [](double v) { return static_cast<long long>(std::llround(v)); };
  auto unit = [](long long v, const char* one, const char* many) {
    return std::to_string(v) + " " + (v == 1 ? one : many);
  };
  if (days < 13.5) return unit(std::max(1LL, n(days)), "day", "days");
  if (days < 59.5) return unit(n(days / 7), "week", "weeks");
  return unit(n(days / 30.44), "month", "months");
}

}  // namespace ashna::text
