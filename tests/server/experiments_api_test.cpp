// Experiments on the server (issue 9): definitions stored per site and shipped with the model,
// and the report built from the exposure events browsers recorded and the outcomes after them.
#include <catch2/catch.hpp>

#include <random>

#include "test_app.h"

using namespace ashna::server;
using namespace ashna::server::testing;
using nlohmann::json;

namespace {

const std::string kExperiment =
    R"({"key":"greet-test","slot":"greeting","variations":[{"template":"a"},{"template":"b"}],)"
    R"("weights":[0.5,0.5],"hashVersion":2})";

Response call(TestApp& t, const std::string& method, const std::string& target, const std::string& body = "") {
  Request r{method, target, {{"authorization", "Bearer sk_demo"}, {"content-type", "application/json"}}, body};
  return handle_request(r, *t.app);
}

}  // namespace

TEST_CASE("experiments are defined by the backend and ship with the site model", "[server][experiments]") {
  TestApp t;
  const std::string etag = t.get("/v1/model?key=pk_demo").headers["etag"];
  Response put = call(t, "PUT", "/v1/experiments/greet-test", kExperiment);
  REQUIRE(put.status == 200);
  CHECK(body_of(put) == json{{"key", "greet-test"}, {"stored", true}});

  json list = body_of(call(t, "GET", "/v1/experiments"));
  REQUIRE(list["experiments"].size() == 1);
  CHECK(list["experiments"][0]["slot"] == "greeting");

  Response model = t.get("/v1/model?key=pk_demo");
  CHECK(model.headers["etag"] != etag);  // browsers refetch it
  REQUIRE(body_of(model)["experiments"].size() == 1);
  CHECK(body_of(model)["experiments"][0]["key"] == "greet-test");

  SECTION("bad definitions are refused precisely") {
    CHECK(error_code(call(t, "PUT", "/v1/experiments/other", kExperiment)) == "invalid_field");
    CHECK(error_code(call(t, "PUT", "/v1/experiments/x", "{\"key\":")) == "malformed_json");
    Response unknown = call(t, "PUT", "/v1/experiments/x", R"({"key":"x","variations":[1,2],"colour":"red"})");
    CHECK(unknown.status == 400);
    CHECK(body_of(unknown)["error"]["message"].get<std::string>().find("colour") != std::string::npos);
    CHECK(error_code(call(t, "PUT", "/v1/experiments/%3Cimg%3E", kExperiment)) == "invalid_field");
    CHECK(t.get("/v1/experiments", "Bearer pk_demo").status == 401);
  }
  SECTION("deleting one removes it from the model") {
    CHECK(call(t, "DELETE", "/v1/experiments/greet-test").status == 200);
    CHECK(call(t, "DELETE", "/v1/experiments/greet-test").status == 404);
    CHECK_FALSE(body_of(t.get("/v1/model?key=pk_demo")).contains("experiments"));
  }
}

TEST_CASE("the report attributes outcomes to exposures and finds a real lift", "[server][experiments]") {
  TestApp t;
  REQUIRE(call(t, "PUT", "/v1/experiments/greet-test", kExperiment).status == 200);
  // 2,000 visitors alternately shown A and B; B converts at 15%, A at 10%. A purchase before the
  // exposure, and one after the 14-day window, must not count.
  std::mt19937 rng(5);
  std::vector<std::string> events;
  int conversions[2] = {0, 0}, late_only[2] = {0, 0};
  auto flush = [&] {
    std::string body = "{\"events\":[";
    for (std::size_t i = 0; i < events.size(); ++i) body += (i ? "," : "") + events[i];
    REQUIRE(call(t, "POST", "/v1/events", body + "]}").status == 200);
    events.clear();
  };
  const std::int64_t shown = t.clock - 20LL * 86400000;
  for (int i = 0; i < 2000; ++i) {
    const int v = i % 2;
    const std::string who = R"({"customer":"u)" + std::to_string(i) + R"(","event":)";
    events.push_back(who + R"({"id":"x)" + std::to_string(i) + R"(","type":"exposure","ts":)" + std::to_string(shown) +
                     R"(,"props":{"experiment":"greet-test","variation":)" + std::to_string(v) + "}}}");
    const bool converts = static_cast<double>(rng() % 1000) < (v ? 150 : 100);
    if (converts) {
      ++conversions[v];
      events.push_back(who + R"({"id":"p)" + std::to_string(i) + R"(","type":"purchase","ts":)" +
                       std::to_string(shown + 3600000) + R"(,"lines":[{"id":"sku","price":20}]}})");
    }
    if (i % 50 == 0) {  // outside the attribution: before the exposure, and after the window
      late_only[v] += converts ? 0 : 1;
      events.push_back(who + R"({"id":"b)" + std::to_string(i) + R"(","type":"purchase","ts":)" +
                       std::to_string(shown - 1000) + R"(,"lines":[{"id":"sku","price":20}]}})");
      events.push_back(who + R"({"id":"l)" + std::to_string(i) + R"(","type":"purchase","ts":)" +
                       std::to_string(shown + 15LL * 86400000) + R"(,"lines":[{"id":"sku","price":20}]}})");
    }
    if (events.size() >= 400) flush();
  }
  flush();

  json r = body_of(call(t, "GET", "/v1/experiments/greet-test/report"));
  INFO(r.dump());
  REQUIRE(r["visitors"] == 2000);
  CHECK(r["complete"] == true);
  REQUIRE(r["variations"].size() == 2);
  CHECK(r["variations"][0]["visitors"] == 1000);
  CHECK(r["variations"][0]["conversions"] == conversions[0]);
  CHECK(r["variations"][1]["conversions"] == conversions[1]);
  CHECK(r["variations"][1]["revenue"].get<double>() == Approx(20.0 * conversions[1]));
  CHECK(r["sample_ratio"]["srm"] == false);
  const json& lift = r["comparisons"][0]["conversion"]["relative"];
  const double truth = static_cast<double>(conversions[1]) / conversions[0] - 1;
  CHECK(lift["value"].get<double>() == Approx(truth).epsilon(1e-5));
  CHECK(lift["ci"][0].get<double>() > 0);  // found: the interval excludes no effect
  CHECK(lift["p_value"].get<double>() < 0.05);

  SECTION("parameters are checked") {
    CHECK(error_code(call(t, "GET", "/v1/experiments/greet-test/report?window_days=0")) == "invalid_field");
    CHECK(error_code(call(t, "GET", "/v1/experiments/greet-test/report?conversion=unsubscribe")) == "invalid_field");
    CHECK(call(t, "GET", "/v1/experiments/nope/report").status == 404);
    json wide = body_of(call(t, "GET", "/v1/experiments/greet-test/report?window_days=30"));
    CHECK(wide["variations"][0]["conversions"] == conversions[0] + late_only[0]);  // the late ones count now
    CHECK(late_only[0] > 0);
  }
}
