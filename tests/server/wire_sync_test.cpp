// POST /v1/sync in protocol version 2 (application/msgpack): the same store, checks and answers
// as version 1, in MessagePack; errors stay JSON.
#include <catch2/catch.hpp>

#include "ashna/codec.h"
#include "ashna/json.h"
#include "ashna/wire.h"
#include "test_app.h"

using namespace ashna;
using namespace ashna::server;
using namespace ashna::server::testing;
using nlohmann::json;

namespace {

constexpr const char* kToken = "t_token_0123456789abcdef";
constexpr const char* kMsgpack = "application/msgpack";

std::string to_bytes(const json& j) {
  auto v = json::to_msgpack(j);
  return std::string(v.begin(), v.end());
}

// A version-2 request: the envelope around the core's encoding of the delta.
std::string request(const Delta& d, std::int64_t since = 0, json consent = nullptr, const std::string& token = kToken) {
  json env = {{"v", 2}, {"k", "pk_demo"}, {"t", token}, {"s", since}, {"d", parse_msgpack(encode_delta(d)).value()}};
  if (!consent.is_null()) env["c"] = consent;
  return to_bytes(env);
}

Delta shopping(const std::string& profile, const std::string& replica, std::uint64_t upto) {
  Delta d{profile, replica, {}, {}, upto, 0};
  for (int i = 0; i < 3; ++i) {
    Event e;
    e.id = "Qx7b." + std::to_string(i + 1);
    e.type = i == 2 ? EventType::purchase : EventType::product_view;
    e.ts = 1790000000000 + i * 4000;
    e.path = "/products/eth.html";
    Item eth{"eth", "Ethiopian <Yirgacheffe>", "coffee/single-origin", 14.5};
    if (i == 2) e.lines = {{eth, 2}}, e.currency = "EUR", e.props = R"({"order":"o-1"})";
    else e.item = eth;
    d.events.push_back(e);
  }
  d.traits["name"] = {"Ana", 1790000010000, replica, 0};
  return d;
}

}  // namespace

TEST_CASE("a MessagePack sync is stored and answered in MessagePack", "[server][sync][wire]") {
  TestApp t;
  Response r = t.post("/v1/sync", request(shopping("p_wire", "r1", 4), 0, json::array({{1790000000000, true, true, false, "banner", "2026-09"}})),
                      kMsgpack);
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"] == kMsgpack);
  auto answer = answer_from_msgpack(r.body);
  REQUIRE(answer.is_ok());
  CHECK(answer.value()["ack"]["upto"] == 4);
  CHECK(answer.value()["profile"] == "p_wire");
  CHECK(answer.value()["version"] == 1);
  CHECK(answer.value()["accepted"] == json{{"events", 3}, {"traits", 1}, {"consent", 1}});
  CHECK(answer.value()["down"]["events"].empty());
  CHECK(answer.value()["down"]["traits"]["name"]["value"] == "Ana");  // its own, as in version 1

  json stored = body_of(t.get("/v1/profiles/p_wire", "Bearer sk_demo"));
  REQUIRE(stored["events"].size() == 3);
  CHECK(stored["events"][2]["lines"][0]["qty"] == 2);
  CHECK(stored["events"][2]["props"] == json{{"order", "o-1"}});
  CHECK(stored["events"][0]["item"]["title"] == "Ethiopian <Yirgacheffe>");
  CHECK(body_of(t.get("/v1/profiles/p_wire/consent", "Bearer sk_demo")).dump().find("banner") != std::string::npos);

  SECTION("a replay is absorbed, as in version 1") {
    Response again = t.post("/v1/sync", request(shopping("p_wire", "r1", 4)), kMsgpack);
    REQUIRE(again.status == 200);
    CHECK(answer_from_msgpack(again.body).value()["accepted"] == json{{"events", 0}, {"traits", 0}});
    CHECK(answer_from_msgpack(again.body).value()["version"] == 1);
  }
  SECTION("another device gets the same down delta in either version") {
    // Two identical reads of what replica r2 lacks since 0: one per version.
    Delta empty{"p_wire", "r2", {}, {}, 0, 0};
    Response v2 = t.post("/v1/sync", request(empty), kMsgpack);
    Response v1 = t.post("/v1/sync", std::string(R"({"v":1,"key":"pk_demo","token":")") + kToken +
                                         R"(","delta":{"profile":"p_wire","replica":"r2","upto":0}})");
    REQUIRE(v2.status == 200);
    REQUIRE(v1.status == 200);
    CHECK(v1.headers["content-type"] == "application/json");
    json a2 = answer_from_msgpack(v2.body).value(), a1 = body_of(v1);
    CHECK(a2 == a1);
    CHECK(a2["down"]["events"].size() == 3);
    CHECK(v2.body.size() * 2 < v1.body.size());
  }
  SECTION("media types are case-insensitive") {
    Response upper = t.post("/v1/sync", request(shopping("p_wire", "r1", 4)), "Application/MsgPack");
    CHECK(upper.status == 200);
    CHECK(upper.headers["content-type"] == kMsgpack);
  }
  SECTION("a version-1 text/plain body (a sendBeacon) still works") {
    Response beacon = t.post("/v1/sync", sync_body("[]", "p_wire", kToken, 5), "text/plain;charset=UTF-8");
    CHECK(beacon.status == 200);
    CHECK(beacon.headers["content-type"] == "application/json");
  }
}

TEST_CASE("bad MessagePack syncs get a precise JSON 4xx and change nothing", "[server][sync][wire][errors]") {
  TestApp t;
  std::string good = request(shopping("p_test", "r1", 4));
  json env = parse_msgpack(good).value();
  auto with = [&](const char* key, json value) {
    json e = env;
    e[key] = std::move(value);
    return to_bytes(e);
  };
  auto without = [&](const char* key) {
    json e = env;
    e.erase(key);
    return to_bytes(e);
  };
  json many = json::array();
  for (int i = 0; i < 501; ++i) many.push_back({"e" + std::to_string(i), 0, 0});
  json bomb = {{"p", "p_test"}, {"r", "r1"}, {"u", 1}, {"b", 1790000000000}, {"S", {std::string(8000, 'x')}}, {"e", json::array()}};
  for (int i = 0; i < 300; ++i) bomb["e"].push_back({"e" + std::to_string(i), 0, 0, 0});
  struct Bad {
    std::string name, body;
    int status;
    std::string code, message;  // the message starts with this
  };
  std::vector<Bad> cases = {
      {"truncated", good.substr(0, good.size() - 3), 400, "malformed_msgpack",
       "malformed MessagePack at byte " + std::to_string(good.size() - 2) + ": syntax error"},
      {"JSON sent as MessagePack", sync_body("[]"), 400, "malformed_msgpack", ""},
      {"not a map", to_bytes(json::array({2})), 400, "invalid_field", "body must be a MessagePack map"},
      {"a long key where a short one belongs", with("key", "pk_demo"), 400, "unknown_field", "key: unknown field"},
      {"version 1 in MessagePack", with("v", 1), 400, "unsupported_version",
       "v: an application/msgpack body speaks sync protocol version 2"},
      {"missing key", without("k"), 401, "missing_key", ""},
      {"wrong key", with("k", "pk_nope"), 401, "invalid_key", ""},
      {"hostile token", with("t", "<script>alert(1)</script>xx"), 400, "invalid_field", ""},
      {"negative since", with("s", -1), 400, "invalid_field", ""},
      {"missing delta", without("d"), 400, "invalid_field", "delta: is required"},
      {"too many events", with("d", {{"p", "p_test"}, {"r", "r1"}, {"u", 1}, {"e", many}}), 413, "too_many_events", ""},
      {"a string table bomb", with("d", bomb), 413, "payload_too_large", ""},
      {"bad event", with("d", {{"p", "p_test"}, {"r", "r1"}, {"u", 1}, {"e", {{"e1", 0, "soon"}}}}), 400, "invalid_field",
       "delta.events[0].ts: must be an integer (ms after the previous event)"},
      {"unknown delta key", with("d", {{"p", "p_test"}, {"r", "r1"}, {"u", 1}, {"profile", "x"}}), 400, "unknown_field",
       "delta.profile: unknown field"},
      {"hostile profile id", with("d", {{"p", "p' OR 1=1; --"}, {"r", "r1"}, {"u", 1}}), 400, "invalid_field", ""},
      {"consent record as an object", with("c", {{{"ts", 1790000000000}}}), 400, "invalid_field",
       "consent[0]: must be an array [ts, personalisation, analytics, marketing, source, policy]"},
      {"consent record with a bad source", with("c", {{1790000000000, true, true, false, "popup", "v1"}}), 400,
       "invalid_field", "consent[0].source: one of banner, profile_centre, api, gpc"},
      {"too large before parsing", std::string(WireLimits::kMaxBytes + 1, '\xc0'), 413, "payload_too_large", ""},
  };
  for (const Bad& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Response r = t.post("/v1/sync", c.body, kMsgpack);
      CHECK(r.status == c.status);
      CHECK(r.headers["content-type"] == "application/json");
      CHECK(error_code(r) == c.code);
      CHECK(body_of(r)["error"]["message"].get<std::string>().rfind(c.message, 0) == 0);  // starts with it
      CHECK(t.get("/v1/profiles/p_test", "Bearer sk_demo").status == 404);
    }
  }
  SECTION("identify stays JSON: MessagePack is 415") {
    Response r = t.post("/v1/identify", good, kMsgpack);
    CHECK(r.status == 415);
    CHECK(error_code(r) == "unsupported_media_type");
  }
  SECTION("another media type is still 415, naming both versions") {
    Response r = t.post("/v1/sync", good, "application/octet-stream");
    CHECK(r.status == 415);
    CHECK(body_of(r)["error"]["message"].get<std::string>().find("application/msgpack") != std::string::npos);
  }
}
