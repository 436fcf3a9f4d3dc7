#include "text.h"

#include <algorithm>
#include <cmath>

namespace ashna::text {

Lang lang_of(std::string_view locale) {
  return locale == "fa" || locale.substr(0, 3) == "fa-" ? Lang::fa : Lang::en;
}

std::string persian_digits(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    if (c >= '0' && c <= '9') out += "\xDB", out += static_cast<char>(0xB0 + (c - '0'));  // U+06F0..U+06F9
    else out += c;
  }
  return out;
}

std::string day_month(std::int64_t unix_ms, Lang lang) {
  // Howard Hinnant's civil_from_days: days since 1970-01-01 -> (year, month, day).
  std::int64_t days = (unix_ms >= 0 ? unix_ms : unix_ms - 86399999) / 86400000;
  std::int64_t z = days + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (lang == Lang::en) return std::to_string(d) + " " + std::string(kMonths[m - 1]);
  // Solar Hijri by the 33-year arithmetic cycle (as ICU's Persian calendar, which browsers use for
  // "fa"; equal to it from 1961 to 2124): 12053 days a cycle, one starting on 1 Farvardin 1342 =
  // 1963-03-21, 2478 days before 1970-01-01; within it 4-year blocks of 1461 days.
  static constexpr std::string_view kPersianMonths[] = {"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
                                                        "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"};
  std::int64_t k = days + 2478;
  k = ((k % 12053) + 12053) % 12053 % 1461;
  if (k > 365) k = (k - 1) % 365;
  std::int64_t jm = k < 186 ? k / 31 : 6 + (k - 186) / 30;
  std::int64_t jd = 1 + (k < 186 ? k % 31 : (k - 186) % 30);
  return persian_digits(std::to_string(jd)) + " " + std::string(kPersianMonths[jm]);
}

std::string interval(double days, Lang lang) {
  auto n = [](double v) { return static_cast<long long>(std::llround(v)); };
  // One, many: Persian counts with the singular.
  static constexpr std::string_view kUnits[2][6] = {{"day", "days", "week", "weeks", "month", "months"},
                                                    {"روز", "روز", "هفته", "هفته", "ماه", "ماه"}};
  const auto& units = kUnits[static_cast<int>(lang)];
  long long v;
  int u;
  if (days < 13.5) v = std::max(1LL, n(days)), u = 0;
  else if (days < 59.5) v = n(days / 7), u = 2;
  else v = n(days / 30.44), u = 4;
  std::string num = std::to_string(v);
  return (lang == Lang::fa ? persian_digits(num) : num) + " " + std::string(units[u + (v != 1)]);
}

std::string format(std::string_view tmpl, std::initializer_list<std::string_view> args) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    std::size_t a = i + 2 < tmpl.size() && tmpl[i] == '{' && tmpl[i + 2] == '}' ? tmpl[i + 1] - '0' : 10;
    if (a < args.size()) out += args.begin()[a], i += 2;
    else out += tmpl[i];
  }
  return out;
}

std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n;
  std::uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace ashna::text
