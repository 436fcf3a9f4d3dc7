// Runs the language-neutral fixtures in tests/cases/ against the native core. The same files run
// against the wasm build in tests/wasm/cases.test.js: both builds must give the same answers.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "ashna/codec.h"
#include "ashna/engine.h"
#include "ashna/json.h"

using nlohmann::json;

namespace {

json load(const std::string& name) {
  std::ifstream in(std::string(ASHNA_CASES_DIR) + "/" + name);
  REQUIRE(in.good());
  std::stringstream buf;
  buf << in.rdbuf();
  auto j = ashna::parse_json(buf.str());
  REQUIRE(j.is_ok());
  return j.value();
}

// Fixture events are loose on purpose (they test validation), so read fields directly
// instead of through the strict codec.
ashna::Event loose_event(const json& e) {
  ashna::Event ev;
  ev.id = e.value("id", "");
  ev.type = ashna::parse_event_type(e.value("type", "")).value_or(ashna::EventType::page_view);
  ev.ts = e.value("ts", std::int64_t{0});
  ev.channel = e.value("channel", "web");
  ev.path = e.value("path", "");
  if (e.contains("item")) {
    const json& i = e["item"];
    ev.item = {i.value("id", ""), i.value("title", ""), i.value("category", ""), i.value("price", 0.0)};
  }
  return ev;
}

ashna::Consent consent_of(const json& c) {
  return {c.value("decided", false), c.value("personalisation", false), c.value("analytics", false),
          c.value("marketing", false)};
}

}  // namespace

TEST_CASE("greeting fixtures", "[cases][greeting]") {
  json doc = load("greeting.json");
  REQUIRE(doc["cases"].size() >= 20);
  for (const json& c : doc["cases"]) {
    DYNAMIC_SECTION(c["name"].get<std::string>()) {
      ashna::Engine engine("p1", "r1");
      if (c.contains("consent")) engine.set_consent(consent_of(c["consent"]));
      if (c.contains("traits"))
        for (auto& [name, t] : c["traits"].items())
          REQUIRE(engine.restore_trait(name, {t["value"], t["ts"], t["replica"], 0}).is_ok());
      for (const json& e : c["events"]) {
        auto r = engine.track(loose_event(e));
        if (!r) REQUIRE(r.status().code() == "consent_refused");
      }
      const json& ctx = c["context"];
      ashna::GreetingContext gc;
      gc.now = ctx["now"];
      gc.local_hour = ctx["hour"];
      gc.locale = ctx["locale"];
      std::string templates;  // {phrase: template} as the core's lines, like wasm/engine.js
      if (ctx.contains("templates"))
        for (auto& [phrase, text] : ctx["templates"].items()) templates += phrase + "=" + text.get<std::string>() + "\n";
      gc.templates = templates;
      json got = json::parse(ashna::to_json(engine.greeting(gc)));
      for (auto& [k, v] : c["expect"].items()) {
        INFO("field " << k);
        CHECK(got[k] == v);
      }
    }
  }
}

TEST_CASE("event validation fixtures", "[cases][events]") {
  json doc = load("events.json");
  for (const json& c : doc["cases"]) {
    DYNAMIC_SECTION(c["name"].get<std::string>()) {
      ashna::Engine engine("p1", "r1");
      engine.set_consent(ashna::Consent::accept_all());
      int repeat = c.value("repeat", 1);
      ashna::Result<std::uint64_t> r = ashna::Status::error("none", "");
      for (int i = 0; i < repeat; ++i) r = engine.track(loose_event(c["event"]));
      const json& expect = c["expect"];
      if (expect.contains("ok")) {
        CHECK(r.is_ok());
        if (expect.contains("events")) CHECK(engine.profile().events().size() == expect["events"]);
      } else {
        REQUIRE_FALSE(r.is_ok());
        CHECK(r.status().code() == expect["code"]);
        CHECK(r.status().message() == expect["message"]);
      }
    }
  }
}

namespace {

// Expected is partial: its keys must match; arrays match in length and order; numbers to 1e-6.
void check_partial(const json& expected, const json& actual, const std::string& path) {
  INFO(path << ": expected " << expected.dump() << ", got " << actual.dump());
  if (expected.is_object()) {
    REQUIRE(actual.is_object());
    for (auto& [k, v] : expected.items()) {
      REQUIRE(actual.contains(k));
      check_partial(v, actual[k], path + "." + k);
    }
  } else if (expected.is_array()) {
    REQUIRE(actual.is_array());
    REQUIRE(actual.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
      check_partial(expected[i], actual[i], path + "[" + std::to_string(i) + "]");
  } else if (expected.is_number()) {
    REQUIRE(actual.is_number());
    CHECK(actual.get<double>() == Approx(expected.get<double>()).margin(1e-6));
  } else {
    CHECK(actual == expected);
  }
}

ashna::Event strict_event(const json& e) {
  auto r = ashna::event_from_json(e);
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  return r.value();
}

}  // namespace

TEST_CASE("views, recommendations and offer fixtures", "[cases][views]") {
  json doc = load("views.json");
  auto catalog = ashna::catalog_from_json(doc["catalog"]);
  REQUIRE(catalog.is_ok());
  const std::int64_t now = doc["now"];
  for (const json& c : doc["cases"]) {
    DYNAMIC_SECTION(c["name"].get<std::string>()) {
      ashna::Engine engine("p1", "r1");
      for (const auto& item : catalog->items()) REQUIRE(engine.add_catalog_item(item).is_ok());
      engine.set_consent(consent_of(c["consent"]));
      if (c.contains("traits"))
        for (auto& [name, t] : c["traits"].items())
          REQUIRE(engine.restore_trait(name, {t["value"], t["ts"], t["replica"], 0}).is_ok());
      for (const json& e : c["events"]) REQUIRE(engine.track(strict_event(e)).is_ok());
      const json& ex = c["expect"];
      const std::string locale = c.value("locale", "en");
      if (ex.contains("views")) check_partial(ex["views"], json::parse(ashna::to_json(engine.views(now))), "views");
      if (ex.contains("recommend")) {
        const json& r = ex["recommend"];
        ashna::RecommendOptions o;
        o.now = now;
        o.k = r["k"];
        o.locale = locale;
        for (const json& i : c.value("impressions", json::array())) o.impressions.push_back({i[0], i[1]});
        json got = json::parse(ashna::to_json(engine.recommend(o)));
        json items = json::array(), strategies = json::array(), reasons = json::array();
        for (const json& g : got) items.push_back(g["item"]), strategies.push_back(g["strategy"]), reasons.push_back(g["reason"]);
        check_partial(r["items"], items, "recommend.items");
        if (r.contains("strategies")) check_partial(r["strategies"], strategies, "recommend.strategies");
        if (r.contains("reasons")) check_partial(r["reasons"], reasons, "recommend.reasons");
      }
      if (ex.contains("offer")) {
        ashna::RecommendOptions o;
        o.now = now;
        o.locale = locale;
        check_partial(ex["offer"], json::parse(ashna::to_json(engine.offer(o))), "offer");
      }
      if (ex.contains("greeting")) {
        ashna::GreetingContext g;
        g.now = now;
        g.locale = locale;
        check_partial(ex["greeting"], json::parse(ashna::to_json(engine.greeting(g))), "greeting");
      }
    }
  }
}
