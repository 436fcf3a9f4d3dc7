#include <catch2/catch.hpp>

#include "ashna/codec.h"
#include "ashna/json.h"

using namespace ashna;

namespace {
std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}
constexpr std::int64_t T = 1790000000000;
}  // namespace

TEST_CASE("strings are escaped for JSON and for embedding in HTML", "[json]") {
  CHECK(json_quoted("plain") == "\"plain\"");
  CHECK(json_quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_quoted("\n\t\r\x01") == "\"\\n\\t\\r\\u0001\"");
  CHECK(json_quoted("<img src=x onerror=alert(1)>&") == "\"\\u003cimg src=x onerror=alert(1)\\u003e\\u0026\"");
  CHECK(json_quoted("\xE2\x80\xA8") == "\"\\u2028\"");
  CHECK(json_quoted("آشنا") == "\"آشنا\"");
}

TEST_CASE("invalid UTF-8 becomes U+FFFD, so output always parses", "[json]") {
  for (std::string bad : {std::string("\xFF"), std::string("a\xC3"), std::string("\xED\xA0\x80"),
                          std::string("\xC0\xAF"), std::string("\xF4\x90\x80\x80")}) {
    std::string out = json_quoted(bad);
    auto parsed = parse_json(out);
    REQUIRE(parsed.is_ok());
    CHECK(parsed.value().get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
  }
}

TEST_CASE("a profile round-trips through writer and codec", "[json][codec]") {
  Profile p("p1");
  Event e;
  e.id = "e1";
  e.type = EventType::product_view;
  e.ts = T;
  e.item = {"eth", "Ethiopian \"Yirg\" <b>", "coffee/single-origin", 14.5};
  e.path = "/products/eth.html";
  e.props = "{\"ref\":\"mail\"}";
  p.add_event(e);
  p.set_trait("name", {"Ana", T, "r1", 0});
  std::string text = to_json(p);
  auto j = parse_json(text);
  REQUIRE(j.is_ok());
  auto back = profile_from_json(j.value());
  REQUIRE(back.is_ok());
  CHECK(to_json(back.value()) == text);
  REQUIRE(back->events().size() == 1);
  CHECK(back->events()[0].item.title == e.item.title);
  CHECK(back->events()[0].item.price == 14.5);
  CHECK(back->trait_value("name") == "Ana");
}

TEST_CASE("numbers keep up to six decimals", "[json]") {
  Event e;
  e.id = "e";
  e.ts = T;
  for (auto [price, text] : {std::pair{14.5, "14.5"}, {3.0, "3"}, {0.1 + 0.2, "0.3"}, {1e-6, "0.000001"},
                             {123456.789, "123456.789"}}) {
    e.item = {"x", "", "", price};
    CHECK(to_json(e).find(std::string("\"price\":") + text + "}") != std::string::npos);
  }
}

TEST_CASE("errors have one shape", "[json]") {
  CHECK(to_json(Status::error("invalid_event", "event.id: <bad>")) ==
        "{\"error\":{\"code\":\"invalid_event\",\"message\":\"event.id: \\u003cbad\\u003e\"}}");
  CHECK(to_json(Status::ok()) == "{\"ok\":true}");
}
