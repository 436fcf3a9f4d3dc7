// JsonValue and parse_json_value: the model, lookups, the writer, and the parser under hostile input
// (every error reports its byte offset; nothing crashes, however deep or truncated).
#include <catch2/catch.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "ashna/json_value.h"

using namespace ashna;

namespace {

std::string error_of(std::string_view text, int max_depth = kJsonMaxDepth) {
  auto v = parse_json_value(text, max_depth);
  if (v.is_ok()) return "ok";
  CHECK(v.status().code() == "malformed_json");
  return v.status().message();
}

}  // namespace

TEST_CASE("parse_json_value reads every JSON type, keeping member order", "[json_value]") {
  auto v = parse_json_value(R"( {"b": [1, -2.5e3, 0.1, true, false, null], "a": {"x": "y\u00e9\ud83d\ude00"}, "": 0} )");
  REQUIRE(v.is_ok());
  const JsonValue& doc = v.value();
  REQUIRE(doc.is_object());
  REQUIRE(doc.size() == 3);
  CHECK(doc.as_object()[0].first == "b");  // document order, not sorted
  CHECK(doc.as_object()[1].first == "a");
  CHECK(doc.find("b")->at(1)->as_number() == -2500);
  CHECK(doc.find("b")->at(2)->as_number() == 0.1);
  CHECK(doc.find("b")->at(3)->as_bool());
  CHECK(doc.find("b")->at(5)->is_null());
  CHECK(doc.find("b")->at(6) == nullptr);
  CHECK(doc.find_path("a.x")->as_string() == "y\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(doc.find_path("b.0")->as_number() == 1);
  CHECK(doc.find_path("b.01") == nullptr);
  CHECK(doc.find_path("a.x.y") == nullptr);
  CHECK(doc.find_path("")->as_number() == 0);
  CHECK(doc.find("missing") == nullptr);
  CHECK(doc.find("b")->find("x") == nullptr);  // not an object
  CHECK(doc.as_string().empty());              // typed reads of the wrong type are empty
}

TEST_CASE("to_json writes compact JSON that reads back equal", "[json_value]") {
  const char* text = R"({"n":[0,-0.5,1e+21,1.5e-7,123456789012,0.1],"s":"<a href=\"x\">\n","o":{},"a":[],"z":null})";
  auto v = parse_json_value(text);
  REQUIRE(v.is_ok());
  std::string out = to_json(v.value());
  CHECK(out == R"({"n":[0,-0.5,1e+21,1.5e-7,123456789012,0.1],"s":"\u003ca href=\"x\"\u003e\n","o":{},"a":[],"z":null})");
  auto back = parse_json_value(out);
  REQUIRE(back.is_ok());
  CHECK(back.value() == v.value());
}

TEST_CASE("format_number and parse_decimal follow JavaScript", "[json_value]") {
  CHECK(format_number(0) == "0");
  CHECK(format_number(-0.0) == "0");
  CHECK(format_number(42) == "42");
  CHECK(format_number(-1.5) == "-1.5");
  CHECK(format_number(0.1 + 0.2) == "0.30000000000000004");
  CHECK(format_number(1e21) == "1e+21");
  CHECK(format_number(1e20) == "100000000000000000000");
  CHECK(format_number(1.5e-7) == "1.5e-7");
  CHECK(format_number(0.000001) == "0.000001");
  CHECK(format_number(5e-324) == "5e-324");
  CHECK(format_number(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(format_number(NAN) == "NaN");
  CHECK(*parse_decimal("5.") == 5);
  CHECK(*parse_decimal(".5") == 0.5);
  CHECK(*parse_decimal("+1e2") == 100);
  CHECK(*parse_decimal("0.1") == 0.1);
  CHECK(*parse_decimal("9007199254740993") == 9007199254740992.0);  // rounds to even, as JS
  CHECK(*parse_decimal("2.2250738585072011e-308") == 2.2250738585072011e-308);
  CHECK(std::isinf(*parse_decimal("1e400")));
  CHECK(*parse_decimal("1e-400") == 0);
  CHECK(!parse_decimal("."));
  CHECK(!parse_decimal("1e"));
  CHECK(!parse_decimal("1x"));
  CHECK(!parse_decimal(""));
}

TEST_CASE("number conversions agree with the C library on random input", "[json_value]") {
  // parse_decimal must equal strtod (correctly rounded); format_number must give to_chars' shortest
  // round-trip digits (what JavaScript prints), in JavaScript's layout.
  std::mt19937_64 rng(20240901);
  int mismatches = 0;
  for (int i = 0; i < 20000; ++i) {
    double v;
    std::uint64_t bits = rng();
    std::memcpy(&v, &bits, sizeof v);
    if (i % 2) v = static_cast<double>(rng() % 1000000) / static_cast<double>(1 + rng() % 1000);
    if (!std::isfinite(v) || v == 0) continue;
    char buf[64];
    auto end = std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific).ptr;
    std::string sci(buf, end), digits;
    std::size_t e = sci.find('e');
    for (std::size_t k = 0; k < e; ++k) {
      if (sci[k] != '.') digits += sci[k];
    }
    std::string got = format_number(v);
    // Reading our text back must give v, and its digits must be to_chars' digits.
    std::string ours;
    for (char c : got.substr(0, got.find('e'))) {
      if (c >= '0' && c <= '9' && !(ours.empty() && c == '0')) ours += c;
    }
    while (ours.size() > 1 && ours.back() == '0') ours.pop_back();
    auto back = parse_decimal(got);
    if (!back || *back != v || ours != digits) {
      if (++mismatches <= 5) FAIL_CHECK("format_number(" << sci << ") = " << got);
    }
    // A random decimal text, up to 40 digits, exponents far out of range included.
    std::string text;
    for (int k = 1 + static_cast<int>(rng() % 40); k > 0; --k) text += static_cast<char>('0' + rng() % 10);
    text.insert(1 + rng() % text.size(), ".");
    text += "e" + std::to_string(static_cast<int>(rng() % 700) - 350);
    double want = std::strtod(text.c_str(), nullptr);
    auto parsed = parse_decimal(text);
    if (!parsed || *parsed != want) {
      if (++mismatches <= 5) FAIL_CHECK("parse_decimal(" << text << ")");
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("parse errors name the byte and the reason", "[json_value]") {
  CHECK(error_of("") == "syntax error at byte 0: unexpected end of input");
  CHECK(error_of("{\"a\" 1}") == "syntax error at byte 5: expected ':' after an object key");
  CHECK(error_of("[1,]") == "syntax error at byte 3: expected a value");
  CHECK(error_of("[1 2]") == "syntax error at byte 3: expected ',' or ']' in an array");
  CHECK(error_of("{\"a\":1,}") == "syntax error at byte 7: expected a string key");
  CHECK(error_of("{\"a\":1 \"b\":2}") == "syntax error at byte 7: expected ',' or '}' in an object");
  CHECK(error_of("{\"a\":1,\"a\":2}") == "syntax error at byte 7: duplicate key in an object");
  CHECK(error_of("1 2") == "syntax error at byte 2: unexpected text after the JSON value");
  CHECK(error_of("tru") == "syntax error at byte 0: invalid literal");
  CHECK(error_of("01") == "syntax error at byte 1: unexpected text after the JSON value");
  CHECK(error_of("-") == "syntax error at byte 1: expected a digit");
  CHECK(error_of("1.") == "syntax error at byte 2: expected a digit after the decimal point");
  CHECK(error_of("1e+") == "syntax error at byte 3: expected a digit in the exponent");
  CHECK(error_of("1e999") == "syntax error at byte 0: number out of range");
  CHECK(error_of("\"abc") == "syntax error at byte 4: unterminated string");
  CHECK(error_of("\"a\\qb\"") == "syntax error at byte 2: invalid escape in a string");
  CHECK(error_of("\"\\u12G4\"") == "syntax error at byte 5: invalid \\u escape");
  CHECK(error_of("\"\\u12") == "syntax error at byte 3: truncated \\u escape");
  CHECK(error_of("\"a\nb\"") == "syntax error at byte 2: control character in a string (escape it)");
  CHECK(error_of("NaN") == "syntax error at byte 0: expected a value");
  CHECK(error_of("\xEF\xBB\xBF{}") == "syntax error at byte 0: expected a value");  // no BOM
}

TEST_CASE("hostile input: depth, invalid UTF-8, truncation", "[json_value]") {
  SECTION("nesting is limited, and the limit is exact") {
    CHECK(error_of(std::string(64, '[') + std::string(64, ']')) == "ok");
    CHECK(error_of(std::string(65, '[') + std::string(65, ']')) ==
          "syntax error at byte 64: nesting deeper than the limit");
    CHECK(error_of("{\"a\":{\"b\":1}}", 1) == "syntax error at byte 5: nesting deeper than the limit");
    // Far past the limit, with no closing brackets: an error, not a stack overflow.
    CHECK(error_of(std::string(1000000, '[')) == "syntax error at byte 64: nesting deeper than the limit");
    CHECK(error_of(std::string(500000, '{') ) != "ok");
  }
  SECTION("strings must be valid UTF-8") {
    CHECK(error_of("\"\xFF\"") == "syntax error at byte 1: invalid UTF-8 in a string");
    CHECK(error_of("\"ab\xC3\"") == "syntax error at byte 3: invalid UTF-8 in a string");
    CHECK(error_of("\"\xED\xA0\x80\"") == "syntax error at byte 1: invalid UTF-8 in a string");  // surrogate
    CHECK(error_of("\"\xC0\xAF\"") == "syntax error at byte 1: invalid UTF-8 in a string");      // overlong
    CHECK(error_of("\"\xEF\xBF\xBD\"") == "ok");  // U+FFFD itself is fine
  }
  SECTION("escaped lone surrogates become U+FFFD; escaped NUL is kept") {
    auto v = parse_json_value(R"(["\ud800", "\udc00x", "\ud800\u0041", "a\u0000b"])");
    REQUIRE(v.is_ok());
    CHECK(v.value().at(0)->as_string() == "\xEF\xBF\xBD");
    CHECK(v.value().at(1)->as_string() == "\xEF\xBF\xBDx");
    CHECK(v.value().at(2)->as_string() == "\xEF\xBF\xBD" "A");
    CHECK(v.value().at(3)->as_string() == std::string("a\0b", 3));
  }
  SECTION("every truncation of a valid document is an error, never a crash") {
    std::string doc = R"({"key":"k","variations":[{"t":"Hi \u00e9"},-1.5e-3,true,null],"w":[0.5,0.5]})";
    REQUIRE(error_of(doc) == "ok");
    for (std::size_t n = 0; n < doc.size(); ++n) {
      INFO(n);
      CHECK(error_of(doc.substr(0, n)) != "ok");
    }
  }
  SECTION("many members with one duplicate stay fast") {
    std::string doc = "{";
    for (int i = 0; i < 100000; ++i) doc += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    doc += "\"k5\":0}";
    CHECK(error_of(doc).find("duplicate key") != std::string::npos);
  }
}

TEST_CASE("JsonValue equality ignores member order and compares numbers by value", "[json_value]") {
  auto a = parse_json_value(R"({"x": 1, "y": [1, 2, {"z": null}]})");
  auto b = parse_json_value(R"({"y": [1.0, 2e0, {"z": null}], "x": 1})");
  auto c = parse_json_value(R"({"y": [2, 1, {"z": null}], "x": 1})");
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  REQUIRE(c.is_ok());
  CHECK(a.value() == b.value());
  CHECK_FALSE(a.value() == c.value());
  CHECK_FALSE(JsonValue(1) == JsonValue("1"));
  CHECK(JsonValue::object({{"a", 1}}) == JsonValue::object({{"a", 1.0}}));
}
