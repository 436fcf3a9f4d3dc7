#include <catch2/catch.hpp>

#include "ashna/codec.h"

using namespace ashna;

namespace {
Status delta_error(const std::string& text) {
  auto j = parse_json(text);
  if (!j) return j.status();
  auto d = delta_from_json(j.value());
  return d ? Status::ok() : d.status();
}
const std::string kEvent = R"({"id":"e1","type":"page_view","ts":1790000000000})";
}  // namespace

TEST_CASE("malformed JSON reports where", "[codec]") {
  auto r = parse_json(R"({"a":1,})");
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == "malformed_json");
  CHECK(r.status().message().find("at byte 8") != std::string::npos);
  CHECK_FALSE(parse_json("").is_ok());
  CHECK_FALSE(parse_json("\xFF").is_ok());
  CHECK_FALSE(parse_json(std::string(100000, '[')).is_ok());  // deep nesting: an error, no crash
}

TEST_CASE("delta errors name the field", "[codec]") {
  CHECK(delta_error("[]").message() == "delta: must be an object");
  CHECK(delta_error(R"({"replica":"r","upto":1})").message() == "delta.profile: is required");
  CHECK(delta_error(R"({"profile":1,"replica":"r","upto":1})").message() == "delta.profile: must be a string");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":-1})").message() == "delta.upto: must be >= 0");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":1.5})").message() == "delta.upto: must be an integer");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":1,"extra":true})").code() == "unknown_field");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":1,"extra":true})").message() == "delta.extra: unknown field");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":1,"events":{}})").message() == "delta.events: must be an array");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":1,"events":[)" + kEvent + R"(,{"id":"e2","type":"page_view","ts":"now"}]})")
            .message() == "delta.events[1].ts: must be an integer");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":1,"events":[{"id":"e2","type":"hack","ts":1790000000000}]})")
            .message() == "delta.events[0].type: unknown event type 'hack'");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":1,"events":[{"id":"e2","type":"page_view","ts":17}]})")
            .message() == "delta.events[0].ts: must be Unix milliseconds between 2000 and 2100, got 17");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":1,"events":[{"id":"e2","type":"page_view","ts":1790000000000,"item":{"id":"x","evil":1}}]})")
            .message() == "delta.events[0].item.evil: unknown field");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":1,"traits":{"role":{"value":"admin","ts":1790000000000,"replica":"r"}}})")
            .message() == "delta.traits.role: trait 'role' is not one of name, locale, channel, interest:<key>");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":18446744073709551615})").message() == "delta.upto: is out of range");
  CHECK(delta_error(R"({"profile":"p","replica":"r","upto":3,"events":[)" + kEvent + "]}").is_ok());
}

TEST_CASE("props must be an object and are kept as compact JSON", "[codec]") {
  auto j = parse_json(R"({"id":"e1","type":"click","ts":1790000000000,"props":{"b":[1,2],"a":"x"}})");
  REQUIRE(j.is_ok());
  auto e = event_from_json(j.value());
  REQUIRE(e.is_ok());
  CHECK(e->props == R"({"a":"x","b":[1,2]})");
  auto bad = parse_json(R"({"id":"e1","type":"click","ts":1790000000000,"props":"x"})");
  CHECK(event_from_json(bad.value()).status().message() == "event.props: must be an object");
}
