// JsonValue: a small JSON document model and a parser that treats its input as hostile. It is in
// every build, the browser's included (nlohmann's reader costs ~30 KB there), and carries experiment
// definitions, targeting conditions and attributes. Plain values: copies are deep, nothing is shared,
// so a value is safe to read from many threads. Pure: no I/O, clock, globals or exceptions.
//
// Model: null, bool, number (a finite double), string (valid UTF-8), array, object. Objects keep
// their members in document order, because GrowthBook's conditions compare objects the way
// JSON.stringify does, which is order-sensitive; the parser rejects duplicate keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ashna/status.h"

namespace ashna {

class JsonValue {
 public:
  enum class Type : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  using Array = std::vector<JsonValue>;
  using Member = std::pair<std::string, JsonValue>;
  using Object = std::vector<Member>;  // document order

  JsonValue() = default;                                                     // null
  JsonValue(std::nullptr_t) {}                                               // NOLINT
  JsonValue(bool b) : type_(Type::kBool), bool_(b) {}                        // NOLINT
  JsonValue(double n) : type_(Type::kNumber), number_(n) {}                  // NOLINT
  JsonValue(int n) : type_(Type::kNumber), number_(n) {}                     // NOLINT
  JsonValue(std::string s) : type_(Type::kString), string_(std::move(s)) {}  // NOLINT
  JsonValue(const char* s) : type_(Type::kString), string_(s) {}             // NOLINT
  static JsonValue array(Array items = {});
  static JsonValue object(Object members = {});

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Typed reads. Each returns false, 0, "" or an empty container when the value has another type.
  bool as_bool() const { return bool_; }
  double as_number() const { return number_; }
  const std::string& as_string() const { return string_; }
  const Array& as_array() const { return array_; }
  const Object& as_object() const { return object_; }
  // Mutable access for building values in code; nullptr when the value has another type.
  Array* mutable_array() { return is_array() ? &array_ : nullptr; }
  Object* mutable_object() { return is_object() ? &object_ : nullptr; }

  // Elements of an array or members of an object; 0 for anything else.
  std::size_t size() const;
  // The member named `key` (the first one, if a value built in code has two), or nullptr when
  // this is not an object or has no such member. Linear in the number of members.
  const JsonValue* find(std::string_view key) const;
  // Element `index` of an array, or nullptr.
  const JsonValue* at(std::size_t index) const;
  // A dotted path, "a.b.c": each part names an object member or, on an array, a decimal index
  // ("items.0.id"). nullptr as soon as a part is missing. "" names the member with the empty key.
  const JsonValue* find_path(std::string_view path) const;

  // Structural equality: same type and value; arrays element by element; objects as sets of members
  // (order ignored). Numbers compare as doubles, so 1 == 1.0.
  friend bool operator==(const JsonValue& a, const JsonValue& b);

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  Array array_;
  Object object_;
};

// Deepest nesting parse_json_value accepts by default: arrays and objects inside each other.
inline constexpr int kJsonMaxDepth = 64;

// Parses one JSON text (RFC 8259; surrounding whitespace allowed, nothing else). On failure the
// code is "malformed_json" and the message gives the 0-based byte offset and the reason:
// "syntax error at byte 17: expected ':' after an object key". Rejected besides syntax errors:
// nesting deeper than `max_depth`, invalid UTF-8 and raw control characters in strings, duplicate
// keys in an object, numbers outside the range of a double. An escaped lone surrogate (\ud800)
// becomes U+FFFD. Size limits are the caller's: check them before calling. Never throws; stack
// use is bounded by `max_depth`.
Result<JsonValue> parse_json_value(std::string_view text, int max_depth = kJsonMaxDepth);

// Compact JSON text. Strings are escaped as append_json_string does (json.h: safe in HTML);
// numbers as format_number writes them.
std::string to_json(const JsonValue& value);

// ---- number and text helpers shared by the JSON code and the condition language -----------------

// JavaScript's Number::toString: the shortest text that reads back as the same double, in JS's
// layout ("0.1", "1e+21", "1.5e-7", "-0" -> "0", "NaN", "Infinity").
std::string format_number(double v);
// Decimal text to the nearest double (correctly rounded, independent of the C locale):
// [+-] digits [. digits] [(e|E) [+-] digits], where either side of the point may be empty but not
// both. nullopt when `text` is anything else. Huge exponents give +-infinity or zero.
std::optional<double> parse_decimal(std::string_view text);
// The code point of the UTF-8 sequence at s[i], advancing i past it. An invalid or truncated
// sequence yields U+FFFD and advances i by one byte. Requires i < s.size().
std::uint32_t next_code_point(std::string_view s, std::size_t& i);

}  // namespace ashna
