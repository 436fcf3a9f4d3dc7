// Small text helpers for reasons: dates and intervals in words. Internal to the core.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace ashna::text {

// The language of a locale: "fa" and "fa-*" are Persian, anything else English.
enum class Lang : std::uint8_t { en, fa };
Lang lang_of(std::string_view locale);

// ASCII digits replaced by Persian ones ("42" -> "۴۲"); every other byte kept.
std::string persian_digits(std::string_view ascii);

// "2 Nov" for a Unix-ms time (UTC date); in Persian the Solar Hijri date, "۱۱ آبان".
std::string day_month(std::int64_t unix_ms, Lang lang = Lang::en);
// "5 days", "3 weeks", "2 months"; in Persian "۵ روز", "۳ هفته", "۲ ماه".
std::string interval(double days, Lang lang = Lang::en);

// `tmpl` with "{0}" .. "{9}" replaced by args[0] .. args[9] (a placeholder without an argument
// stays as written). Phrase tables order the arguments however the language needs them.
std::string format(std::string_view tmpl, std::initializer_list<std::string_view> args);

// Length of the valid UTF-8 sequence at s[i] (i < s.size()), or 0 when it is invalid (overlong,
// surrogate, truncated, out of range). The JSON and MessagePack writers share it.
std::size_t utf8_sequence(std::string_view s, std::size_t i);

}  // namespace ashna::text
