// Runs tests/cases/experiments.json against the core's assign(). The browser assigns with
// wasm/experiments.js (JavaScript, kept out of the wasm for size), and tests/wasm/growthbook.test.js
// runs the same file through it: the two implementations must put every profile in the same variation.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "ashna/experiment.h"
#include "ashna/json_value.h"

using namespace ashna;

namespace {

JsonValue load_experiment_cases() {
  std::ifstream in(std::string(ASHNA_CASES_DIR) + "/experiments.json", std::ios::binary);
  REQUIRE(in.good());
  std::stringstream buf;
  buf << in.rdbuf();
  auto doc = parse_json_value(buf.str());
  REQUIRE(doc.is_ok());
  return doc.value();
}

Experiment experiment_of(const JsonValue& json) {
  auto e = experiment_from_json(json);
  INFO(to_json(json));
  REQUIRE(e.is_ok());
  return e.value();
}

const JsonValue& field(const JsonValue& obj, std::string_view key) {
  const JsonValue* v = obj.find(key);
  INFO(key);
  REQUIRE(v);
  return *v;
}

}  // namespace

TEST_CASE("experiments.json: assign() gives what the browser's experiments.js gives", "[cases][experiment]") {
  JsonValue doc = load_experiment_cases();
  REQUIRE(field(doc, "cases").size() >= 30);
  for (const JsonValue& c : field(doc, "cases").as_array()) {
    DYNAMIC_SECTION(field(c, "name").as_string()) {
      Experiment e = experiment_of(field(c, "experiment"));
      auto a = assign(e, field(c, "attributes"), static_cast<std::int64_t>(field(c, "now").as_number()));
      REQUIRE(a.is_ok());
      const JsonValue& want = field(c, "expect");
      CHECK(a->in_experiment == field(want, "inExperiment").as_bool());
      CHECK(a->hash_used == field(want, "hashUsed").as_bool());
      CHECK(a->holdout == field(want, "holdout").as_bool());
      CHECK(a->variation_id == static_cast<int>(field(want, "variationId").as_number()));
      CHECK(to_json(a->value) == to_json(field(want, "value")));
      CHECK(std::string(to_string(a->reason)) == field(want, "reason").as_string());
      CHECK(a->hash_value == field(want, "hashValue").as_string());
      const JsonValue& bucket = field(want, "bucket");
      if (bucket.is_null()) {
        CHECK_FALSE(a->bucket.has_value());
      } else {
        REQUIRE(a->bucket.has_value());
        CHECK(*a->bucket == bucket.as_number());
      }
    }
  }
}

TEST_CASE("experiments.json bulk: many ids, one character each", "[cases][experiment]") {
  JsonValue doc = load_experiment_cases();
  for (const JsonValue& b : field(doc, "bulk").as_array()) {
    Experiment e = experiment_of(field(b, "experiment"));
    std::string got;
    for (const JsonValue& id : field(b, "ids").as_array()) {
      JsonValue attributes = field(b, "attributes");
      attributes.mutable_object()->emplace_back("id", id);
      auto a = assign(e, attributes, static_cast<std::int64_t>(field(b, "now").as_number()));
      REQUIRE(a.is_ok());
      got += a->holdout ? 'h' : a->in_experiment ? static_cast<char>('0' + a->variation_id) : '-';
    }
    INFO(field(b, "name").as_string());
    CHECK(got == field(b, "expect").as_string());
  }
}
