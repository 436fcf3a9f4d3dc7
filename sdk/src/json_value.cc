// JsonValue, its parser and writer, and exact number conversion. It ships in the browser build, so
// it leans on nothing heavier than std::string and std::vector. The parser is recursive descent
// with an explicit depth limit, reads every byte through bounds checks, and reports the first
// error with its byte offset.
#include "ashna/json_value.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "ashna/json.h"

namespace ashna {

JsonValue JsonValue::array(Array items) {
  JsonValue v;
  v.type_ = Type::kArray;
  v.array_ = std::move(items);
  return v;
}

JsonValue JsonValue::object(Object members) {
  JsonValue v;
  v.type_ = Type::kObject;
  v.object_ = std::move(members);
  return v;
}

std::size_t JsonValue::size() const {
  return is_array() ? array_.size() : is_object() ? object_.size() : 0;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const Member& m : object_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

const JsonValue* JsonValue::at(std::size_t index) const {
  return index < array_.size() ? &array_[index] : nullptr;
}

const JsonValue* JsonValue::find_path(std::string_view path) const {
  const JsonValue* current = this;
  while (current) {
    std::size_t dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    if (current->is_object()) {
      current = current->find(part);
    } else if (current->is_array()) {
      // A canonical decimal index: "0", "12"; not "01", "+1" or "".
      bool canonical = !part.empty() && part.size() <= 9 && (part == "0" || part[0] != '0') &&
                       std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
      current = canonical ? current->at(static_cast<std::size_t>(std::atol(std::string(part).c_str())))
                          : nullptr;
    } else {
      current = nullptr;
    }
    if (dot == std::string_view::npos) return current;
    path.remove_prefix(dot + 1);
  }
  return nullptr;
}

bool operator==(const JsonValue& a, const JsonValue& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case JsonValue::Type::kNull: return true;
    case JsonValue::Type::kBool: return a.bool_ == b.bool_;
    case JsonValue::Type::kNumber: return a.number_ == b.number_;
    case JsonValue::Type::kString: return a.string_ == b.string_;
    case JsonValue::Type::kArray: return a.array_ == b.array_;
    case JsonValue::Type::kObject:
      if (a.object_.size() != b.object_.size()) return false;
      for (const JsonValue::Member& m : a.object_) {
        const JsonValue* other = b.find(m.first);
        if (!other || !(*other == m.second)) return false;
      }
      return true;
  }
  return false;
}

// ---- UTF-8 ------------------------------------------------------------------------------------

std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n;
  std::uint32_t cp;
  if (c < 0x80) return ++i, c;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else return ++i, 0xFFFD;
  if (i + n > s.size()) return ++i, 0xFFFD;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return ++i, 0xFFFD;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return ++i, 0xFFFD;
  i += n;
  return cp;
}

// ---- numbers ------------------------------------------------------------------------------------
// Decimal text <-> double without strtod or printf, which drag about 25 KB of long-double code into
// the wasm. Short numbers take an exact fast path; the rest are settled by exact comparisons on big
// integers. Both directions are correctly rounded, as JavaScript's are, and the same on every build.

namespace {

// value = digits * 10^exp; digits has no leading or trailing zeros ("" is zero).
struct Decimal {
  std::string digits;
  long exp = 0;
};

// Enough digits to decide any rounding: a double's exact decimal expansion has at most 767
// significant digits. Longer inputs keep a nonzero "sticky" digit in place of what was cut.
constexpr std::size_t kMaxDigits = 800;

// An unsigned big integer (base 2^32, least significant limb first): just enough arithmetic to
// compare a decimal with a binary number exactly.
class BigInt {
 public:
  explicit BigInt(std::uint64_t v) {
    if (v) limbs_.push_back(static_cast<std::uint32_t>(v));
    if (v >> 32) limbs_.push_back(static_cast<std::uint32_t>(v >> 32));
  }
  explicit BigInt(const std::string& digits) {
    for (std::size_t i = 0; i < digits.size(); i += 9) {
      std::uint32_t chunk = 0, scale = 1;
      for (std::size_t j = i; j < digits.size() && j < i + 9; ++j) {
        chunk = chunk * 10 + static_cast<std::uint32_t>(digits[j] - '0');
        scale *= 10;
      }
      mul_add(scale, chunk);
    }
  }
  void mul_add(std::uint32_t m, std::uint32_t add) {  // *this = *this * m + add
    std::uint64_t carry = add;
    for (std::uint32_t& l : limbs_) {
      carry += static_cast<std::uint64_t>(l) * m;
      l = static_cast<std::uint32_t>(carry);
      carry >>= 32;
    }
    if (carry) limbs_.push_back(static_cast<std::uint32_t>(carry));
  }
  void mul_pow10(long n) {
    for (; n >= 9; n -= 9) mul_add(1000000000, 0);
    static constexpr std::uint32_t kSmall[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    mul_add(kSmall[n], 0);
  }
  void mul_pow2(long n) {
    if (limbs_.empty()) return;
    limbs_.insert(limbs_.begin(), static_cast<std::size_t>(n / 32), 0);
    if (const int bits = static_cast<int>(n % 32)) {
      std::uint32_t carry = 0;
      for (std::uint32_t& l : limbs_) {
        std::uint32_t out = l >> (32 - bits);
        l = (l << bits) | carry;
        carry = out;
      }
      if (carry) limbs_.push_back(carry);
    }
  }
  friend int compare(const BigInt& a, const BigInt& b) {
    if (a.limbs_.size() != b.limbs_.size()) return a.limbs_.size() < b.limbs_.size() ? -1 : 1;
    for (std::size_t i = a.limbs_.size(); i-- > 0;) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
    }
    return 0;
  }

 private:
  std::vector<std::uint32_t> limbs_;  // no leading zero limbs
};

// The sign of d - m * 2^e2, exactly.
int compare_exact(const Decimal& d, std::uint64_t m, int e2) {
  BigInt a(d.digits), b(m);
  if (d.exp >= 0) a.mul_pow10(d.exp);
  else b.mul_pow10(-d.exp);
  if (e2 >= 0) b.mul_pow2(e2);
  else a.mul_pow2(-e2);
  return compare(a, b);
}

// x = m * 2^e exactly, for finite x >= 0 (+inf counts as 2^1024, the first value past the largest).
void decompose(double x, std::uint64_t& m, int& e) {
  if (std::isinf(x)) return m = std::uint64_t{1} << 53, e = 1024 - 53, void();
  int ex = 0;
  double f = std::frexp(x, &ex);
  m = static_cast<std::uint64_t>(std::ldexp(f, 53));
  e = ex - 53;
}

// x * 10^e in double arithmetic: within a few units in the last place, a first guess.
double scale10(double x, long e) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  for (; e > 22; e -= 22) x *= 1e22;
  for (; e < -22; e += 22) x /= 1e22;
  return e >= 0 ? x * kPow10[e] : x / kPow10[-e];
}

double to_double(const Decimal& d) {
  if (d.digits.empty()) return 0;
  // d is in [10^(magnitude-1), 10^magnitude).
  const long magnitude = d.exp + static_cast<long>(d.digits.size());
  if (magnitude > 310) return INFINITY;
  if (magnitude < -330) return 0;
  std::uint64_t lead = 0;
  std::size_t n = std::min<std::size_t>(d.digits.size(), 19);
  for (std::size_t i = 0; i < n; ++i) lead = lead * 10 + static_cast<std::uint64_t>(d.digits[i] - '0');
  // Clinger's fast path: the digits and the power of ten are exact doubles, so one operation
  // rounds correctly.
  if (d.digits.size() <= 15 && d.exp >= -22 && d.exp <= 22) return scale10(static_cast<double>(lead), d.exp);
  // Otherwise guess, then step one unit in the last place at a time until d lies between the
  // midpoints to both neighbours (ties to even). Values near the bottom are guessed at a scale
  // where the guess cannot underflow.
  long e = d.exp + static_cast<long>(d.digits.size() - n);
  double x = magnitude < -290 ? scale10(scale10(static_cast<double>(lead), e + 300), -300)
                              : scale10(static_cast<double>(lead), e);
  if (std::isinf(x)) x = std::numeric_limits<double>::max();  // the loop below decides overflow
  auto midpoint_vs_d = [&](double lo, double hi) {  // sign of d - (lo + hi) / 2
    std::uint64_t ml = 0, mh = 0;
    int el = 0, eh = 0;
    decompose(hi, mh, eh);
    if (lo > 0) decompose(lo, ml, el);
    else el = eh;
    int base = std::min(el, eh);
    return compare_exact(d, (ml << (el - base)) + (mh << (eh - base)), base - 1);
  };
  auto odd = [](double v) {
    std::uint64_t m = 0;
    int e = 0;
    decompose(v, m, e);
    return v > 0 && ((m >> std::max(0, -1074 - e)) & 1);
  };
  for (int step = 0; step < 200 && std::isfinite(x); ++step) {
    double up = std::nextafter(x, INFINITY);
    int c = midpoint_vs_d(x, up);
    if (c > 0 || (c == 0 && odd(x))) {
      x = up;
      continue;
    }
    if (x == 0) break;
    double down = std::nextafter(x, 0.0);
    c = midpoint_vs_d(down, x);
    if (c < 0 || (c == 0 && odd(x))) {
      x = down;
      continue;
    }
    break;
  }
  return x;
}

std::optional<Decimal> read_decimal(std::string_view text, bool& negative) {
  std::size_t i = 0;
  negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  Decimal d;
  bool any_digit = false, point = false, sticky = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    if (c == '0' && d.digits.empty()) {
      if (point) --d.exp;  // a leading zero after the point
    } else if (d.digits.size() < kMaxDigits) {
      d.digits += c;
      if (point) --d.exp;
    } else {
      sticky = sticky || c != '0';
      if (!point) ++d.exp;
    }
  }
  if (!any_digit) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
    long e = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      e = std::min(e * 10 + (text[i] - '0'), 100000L);  // far past the range of a double either way
    }
    d.exp += exp_negative ? -e : e;
  }
  if (i != text.size()) return std::nullopt;
  if (sticky) d.digits += '1', --d.exp;
  while (!d.digits.empty() && d.digits.back() == '0') d.digits.pop_back(), ++d.exp;
  if (d.digits.empty()) d.exp = 0;
  return d;
}

}  // namespace

std::optional<double> parse_decimal(std::string_view text) {
  bool negative = false;
  std::optional<Decimal> d = read_decimal(text, negative);
  if (!d) return std::nullopt;
  double v = to_double(*d);
  return negative ? -v : v;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  if (v == 0) return "0";
  if (std::trunc(v) == v && std::fabs(v) < 9007199254740992.0) {
    return std::to_string(static_cast<long long>(v));  // integers up to 2^53: every digit exact
  }
  const double a = std::fabs(v);
  std::uint64_t m = 0;
  int e2 = 0;
  decompose(a, m, e2);
  // k with 10^k <= a < 10^(k+1): a guess from the binary exponent, then exact.
  long k = static_cast<long>(std::floor((e2 + 52) * 0.30102999566398119));
  while (compare_exact({"1", k}, m, e2) > 0) --k;
  while (compare_exact({"1", k + 1}, m, e2) <= 0) ++k;
  // The shortest p whose nearest p-digit decimal (ties to even) reads back as a: ECMA-262's
  // Number::toString picks exactly that one.
  Decimal best;
  for (int p = 1; p <= 17; ++p) {
    const long q = k - p + 1;  // a ~ c * 10^q with c of p digits
    const double scaled = scale10(a, -q);
    auto c = static_cast<std::uint64_t>(scaled + 0.5);
    // One rounding (|q| <= 22) errs by under 0.12 for p <= 15 digits, so c is surely the nearest
    // when the fraction is not near 1/2; otherwise settle it exactly.
    const bool sure = p <= 15 && q >= -22 && q <= 22 && std::fabs(scaled - std::floor(scaled) - 0.5) > 0.25;
    for (int guard = 0; !sure && guard < 64; ++guard) {  // c exact nearest: |a - c 10^q| <= 10^q / 2
      int above = compare_exact({std::to_string(2 * c + 1), q}, m, e2 + 1);  // (c + 1/2) 10^q vs a
      if (above < 0 || (above == 0 && (c & 1))) {
        ++c;
        continue;
      }
      int below = c ? compare_exact({std::to_string(2 * c - 1), q}, m, e2 + 1) : -1;  // (c - 1/2) 10^q vs a
      if (below > 0 || (below == 0 && (c & 1))) {
        --c;
        continue;
      }
      break;
    }
    best = {std::to_string(c), q};
    while (best.digits.size() > 1 && best.digits.back() == '0') best.digits.pop_back(), ++best.exp;
    if (to_double(best) == a) break;
  }
  // JS layout (ECMA-262 Number::toString), with a = 0.digits * 10^n.
  const std::string& digits = best.digits;
  const int len = static_cast<int>(digits.size()), n = static_cast<int>(best.exp) + len;
  std::string out = v < 0 ? "-" : "";
  if (len <= n && n <= 21) {
    out += digits + std::string(static_cast<std::size_t>(n - len), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n)) + "." + digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (len > 1) out += "." + digits.substr(1);
    out += (n - 1 > 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
  return out;
}

// ---- parser -----------------------------------------------------------------------------------

namespace {

class Parser {
 public:
  Parser(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

  Result<JsonValue> parse_document() {
    JsonValue v;
    skip_space();
    if (!parse_value(v, 0)) return error_status();
    skip_space();
    if (pos_ != s_.size()) return fail("unexpected text after the JSON value"), error_status();
    return v;
  }

 private:
  bool fail(const char* why) {
    if (error_.empty()) error_ = why;
    return false;
  }
  Status error_status() const {
    return Status::error("malformed_json", "syntax error at byte " + std::to_string(pos_) + ": " + error_);
  }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  void skip_space() {
    while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool parse_value(JsonValue& out, int depth) {
    switch (peek()) {
      case '{': return parse_object(out, depth + 1);
      case '[': return parse_array(out, depth + 1);
      case '"': {
        std::string s;
        if (!parse_string(s)) return false;
        out = JsonValue(std::move(s));
        return true;
      }
      case 't': return literal("true") && (out = JsonValue(true), true);
      case 'f': return literal("false") && (out = JsonValue(false), true);
      case 'n': return literal("null") && (out = JsonValue(), true);
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return parse_number(out);
        return fail(at_end() ? "unexpected end of input" : "expected a value");
    }
  }

  bool parse_array(JsonValue& out, int depth) {
    if (depth > max_depth_) return fail("nesting deeper than the limit");
    ++pos_;  // '['
    JsonValue::Array items;
    skip_space();
    if (peek() == ']') return ++pos_, out = JsonValue::array(std::move(items)), true;
    for (;;) {
      skip_space();
      items.emplace_back();
      if (!parse_value(items.back(), depth)) return false;
      skip_space();
      if (peek() == ']') break;
      if (peek() != ',') return fail("expected ',' or ']' in an array");
      ++pos_;
    }
    ++pos_;
    out = JsonValue::array(std::move(items));
    return true;
  }

  bool parse_object(JsonValue& out, int depth) {
    if (depth > max_depth_) return fail("nesting deeper than the limit");
    ++pos_;  // '{'
    JsonValue::Object members;
    std::vector<std::size_t> key_positions;
    skip_space();
    if (peek() == '}') return ++pos_, out = JsonValue::object(std::move(members)), true;
    for (;;) {
      skip_space();
      if (peek() != '"') return fail("expected a string key");
      key_positions.push_back(pos_);
      members.emplace_back();
      if (!parse_string(members.back().first)) return false;
      skip_space();
      if (peek() != ':') return fail("expected ':' after an object key");
      ++pos_;
      skip_space();
      if (!parse_value(members.back().second, depth)) return false;
      skip_space();
      if (peek() == '}') break;
      if (peek() != ',') return fail("expected ',' or '}' in an object");
      ++pos_;
    }
    ++pos_;
    // Duplicate keys: sort the member indices by key, O(n log n), so a hostile object cannot make
    // this quadratic. The error points at the later of the two keys.
    std::vector<std::size_t> order(members.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return members[a].first < members[b].first || (members[a].first == members[b].first && a < b);
    });
    for (std::size_t i = 1; i < order.size(); ++i) {
      if (members[order[i]].first == members[order[i - 1]].first) {
        pos_ = key_positions[order[i]];
        return fail("duplicate key in an object");
      }
    }
    out = JsonValue::object(std::move(members));
    return true;
  }

  bool hex4(std::uint32_t& out) {
    if (pos_ + 4 > s_.size()) return fail("truncated \\u escape");
    out = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[pos_++];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return --pos_, fail("invalid \\u escape");
      out = out * 16 + static_cast<std::uint32_t>(d);
    }
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool parse_string(std::string& out) {
    ++pos_;  // opening quote
    for (;;) {
      if (at_end()) return fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') return ++pos_, true;
      if (c < 0x20) return fail("control character in a string (escape it)");
      if (c == '\\') {
        ++pos_;
        if (at_end()) return fail("unterminated string");
        char e = s_[pos_++];
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            std::uint32_t cp;
            if (!hex4(cp)) return false;
            if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(pos_, 2) == "\\u") {
              std::size_t save = pos_;
              pos_ += 2;
              std::uint32_t low;
              if (!hex4(low)) return false;
              if (low >= 0xDC00 && low <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              else pos_ = save;  // not a pair: the high half is lone, the next escape stands alone
            }
            append_utf8(out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
            break;
          }
          default: return pos_ -= 2, fail("invalid escape in a string");  // at the backslash
        }
        continue;
      }
      std::size_t start = pos_;
      if (next_code_point(s_, pos_) == 0xFFFD && s_.substr(start, 3) != "\xEF\xBF\xBD") {
        pos_ = start;
        return fail("invalid UTF-8 in a string");
      }
      out.append(s_.substr(start, pos_ - start));
    }
  }

  bool parse_number(JsonValue& out) {
    // Strict JSON grammar first: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    std::size_t start = pos_;
    auto digits = [&] {
      std::size_t from = pos_;
      while (!at_end() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') ++pos_;
    else if (digits() == 0) return fail("expected a digit");
    if (peek() == '.') {
      ++pos_;
      if (digits() == 0) return fail("expected a digit after the decimal point");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (digits() == 0) return fail("expected a digit in the exponent");
    }
    std::optional<double> v = parse_decimal(s_.substr(start, pos_ - start));
    if (!v || !std::isfinite(*v)) return pos_ = start, fail("number out of range");
    out = JsonValue(*v);
    return true;
  }

  std::string_view s_;
  int max_depth_;
  std::size_t pos_ = 0;
  std::string error_;
};

void write(std::string& out, const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::kNull: out += "null"; break;
    case JsonValue::Type::kBool: out += v.as_bool() ? "true" : "false"; break;
    case JsonValue::Type::kNumber:
      out += std::isfinite(v.as_number()) ? format_number(v.as_number()) : "null";  // as JSON.stringify
      break;
    case JsonValue::Type::kString: append_json_string(out, v.as_string()); break;
    case JsonValue::Type::kArray:
      out += '[';
      for (std::size_t i = 0; i < v.as_array().size(); ++i) {
        if (i) out += ',';
        write(out, v.as_array()[i]);
      }
      out += ']';
      break;
    case JsonValue::Type::kObject:
      out += '{';
      for (std::size_t i = 0; i < v.as_object().size(); ++i) {
        if (i) out += ',';
        append_json_string(out, v.as_object()[i].first);
        out += ':';
        write(out, v.as_object()[i].second);
      }
      out += '}';
      break;
  }
}

}  // namespace

Result<JsonValue> parse_json_value(std::string_view text, int max_depth) {
  return Parser(text, max_depth).parse_document();
}

std::string to_json(const JsonValue& value) {
  std::string out;
  write(out, value);
  return out;
}

}  // namespace ashna
