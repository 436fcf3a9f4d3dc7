// POST /v1/events: backend ingest by customer or profile id, idempotent, all or nothing, and the
// events reach the customer's browsers through down-sync.
#include <catch2/catch.hpp>

#include "ashna/codec.h"
#include "test_app.h"

using namespace ashna::server;
using namespace ashna::server::testing;
using nlohmann::json;

namespace {

Response ingest(TestApp& t, const std::string& body, const std::string& auth = "Bearer sk_demo",
                const std::string& type = "application/json") {
  Request r{"POST", "/v1/events", {{"content-type", type}}, body};
  if (!auth.empty()) r.headers["authorization"] = auth;
  return handle_request(r, *t.app);
}
std::string store_visit(const std::string& target, const std::string& id, std::int64_t ts = 1790000100000) {
  return "{" + target + R"(,"event":{"id":")" + id + R"(","type":"store_visit","ts":)" + std::to_string(ts) +
         R"(,"channel":"store"}})";
}
const std::string kTok = "t_device_one_0123456789";
std::string sync_since(const std::string& profile, std::int64_t since) {
  return R"({"v":1,"key":"pk_demo","token":")" + kTok + R"(","since":)" + std::to_string(since) +
         R"(,"delta":{"profile":")" + profile + R"(","replica":"r1","upto":1,"events":[]}})";
}
std::string identify(const std::string& profile, const std::string& user) {
  return R"({"v":1,"key":"pk_demo","token":")" + kTok + R"(","profile":")" + profile + R"(","user":")" + user +
         R"(","proof":")" + to_hex(hmac_sha256("is_demo", user)) + R"("})";
}
}  // namespace

TEST_CASE("ingest by customer id creates the customer's profile; replays are absorbed", "[server][ingest]") {
  TestApp t;
  Response r = ingest(t, R"({"events":[)" + store_visit(R"("customer":"alice")", "pos-1") + "]}");
  REQUIRE(r.status == 200);
  json b = body_of(r);
  CHECK(b["added"] == 1);
  CHECK(b["duplicates"] == 0);
  std::string id = b["profiles"][0];
  CHECK(id.substr(0, 2) == "c_");
  CHECK(id.size() == 34);

  json p = body_of(t.get("/v1/profiles/" + id, "Bearer sk_demo"));
  CHECK(p["version"] == 1);
  REQUIRE(p["events"].size() == 1);
  CHECK(p["events"][0]["channel"] == "store");

  SECTION("the same batch again adds nothing and keeps the version") {
    json again = body_of(ingest(t, R"({"events":[)" + store_visit(R"("customer":"alice")", "pos-1") + "]}"));
    CHECK(again["added"] == 0);
    CHECK(again["duplicates"] == 1);
    CHECK(again["profiles"][0] == id);
    CHECK(body_of(t.get("/v1/profiles/" + id, "Bearer sk_demo"))["version"] == 1);
  }
  SECTION("a browser that identifies as alice is merged into that profile and receives the store visit") {
    REQUIRE(t.post("/v1/sync", sync_since("a1", 0)).status == 200);
    Response who = t.post("/v1/identify", identify("a1", "alice"));
    REQUIRE(who.status == 200);
    CHECK(body_of(who)["profile"] == id);
    json s = body_of(t.post("/v1/sync", sync_since(id, 0)));
    REQUIRE(s["down"]["events"].size() == 1);
    CHECK(s["down"]["events"][0]["id"] == "pos-1");
    CHECK(s["down"]["events"][0]["channel"] == "store");
  }
}

TEST_CASE("ingest for an identified browser reaches it on its next sync", "[server][ingest]") {
  TestApp t;
  REQUIRE(t.post("/v1/sync", sync_since("a1", 0)).status == 200);
  REQUIRE(t.post("/v1/identify", identify("a1", "bob")).status == 200);
  json first = body_of(t.post("/v1/sync", sync_since("a1", 0)));
  std::int64_t held = first["down"]["version"];

  Response r = ingest(t, R"({"events":[)" + store_visit(R"("customer":"bob")", "pos-9") + "," +
                             store_visit(R"("profile":"a1")", "mail-1") + "]}");
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["added"] == 2);
  CHECK(body_of(r)["profiles"] == json::array({"a1", "a1"}));
  json s = body_of(t.post("/v1/sync", sync_since("a1", held)));
  CHECK(s["down"]["events"].size() == 2);
  CHECK(s["version"] == held + 1);  // one version for the whole batch
}

TEST_CASE("ingest refuses bad input precisely and writes nothing", "[server][ingest][errors]") {
  TestApp t;
  REQUIRE(t.post("/v1/sync", sync_since("a1", 0)).status == 200);
  const std::string good = store_visit(R"("customer":"carol")", "ok-1");
  struct Bad {
    std::string name, body;
    int status;
    std::string code, message;
  };
  std::vector<Bad> cases = {
      {"malformed JSON", R"({"events":[)", 400, "malformed_json", ""},
      {"not an object", "[]", 400, "invalid_field", "body must be a JSON object"},
      {"unknown top-level field", R"({"events":[],"x":1})", 400, "unknown_field", "x: unknown field"},
      {"no events", "{}", 400, "invalid_field", "events: a non-empty array is required"},
      {"empty events", R"({"events":[]})", 400, "invalid_field", "events: a non-empty array is required"},
      {"item not an object", R"({"events":[)" + good + ",3]}", 400, "invalid_field", "events[1]: must be an object"},
      {"unknown item field", R"({"events":[{"customer":"c","event":{},"x":1}]})", 400, "unknown_field", "events[0].x: unknown field"},
      {"both targets", R"({"events":[{"customer":"c","profile":"a1","event":{}}]})", 400, "invalid_field",
       "events[0]: give exactly one of customer and profile"},
      {"no target", R"({"events":[{"event":{}}]})", 400, "invalid_field", "events[0]: give exactly one of customer and profile"},
      {"empty customer", R"({"events":[{"customer":"","event":{}}]})", 400, "invalid_field",
       "events[0].customer: the customer's id (1 to 256 bytes)"},
      {"hostile profile id", R"({"events":[{"profile":"a1' --","event":{}}]})", 400, "invalid_field",
       "events[0].profile: 1 to 128 characters [A-Za-z0-9_.:-]"},
      {"missing event", R"({"events":[{"customer":"c"}]})", 400, "invalid_field", "events[0].event: is required"},
      {"bad event", R"({"events":[)" + good + R"(,{"customer":"c","event":{"id":"x","type":"teleport","ts":1790000000000}}]})",
       400, "invalid_field", ""},
      {"unknown profile, after a good item", R"({"events":[)" + good + "," + store_visit(R"("profile":"nobody")", "x") + "]}",
       404, "not_found", "events[1].profile: this site has no profile 'nobody'"},
  };
  for (const Bad& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Response r = ingest(t, c.body);
      CHECK(r.status == c.status);
      CHECK(error_code(r) == c.code);
      if (!c.message.empty()) CHECK(body_of(r)["error"]["message"] == c.message);
      CHECK(body_of(t.get("/v1/profiles/a1", "Bearer sk_demo"))["version"] == 1);
      CHECK(t.get("/v1/profiles/c_" + sha256_hex("1:carol").substr(0, 32), "Bearer sk_demo").status == 404);
    }
  }
  SECTION("bad event names the field by path") {
    Response r = ingest(t, R"({"events":[{"customer":"c","event":{"id":"x","type":"page_view","ts":"now"}}]})");
    CHECK(body_of(r)["error"]["message"].get<std::string>().find("events[0].event.ts") == 0);
  }
  SECTION("more than 500 events: 413 before parsing") {
    std::string events;
    for (int i = 0; i < 501; ++i) events += (i ? "," : "") + std::string("{}");
    Response r = ingest(t, R"({"events":[)" + events + "]}");
    CHECK(r.status == 413);
    CHECK(error_code(r) == "too_many_events");
  }
  SECTION("authentication and media type") {
    CHECK(error_code(ingest(t, "{}", "")) == "missing_key");
    CHECK(error_code(ingest(t, "{}", "Bearer pk_demo")) == "invalid_key");
    Response type = ingest(t, "{}", "Bearer sk_demo", "text/plain");
    CHECK(type.status == 415);
    CHECK(error_code(type) == "unsupported_media_type");
    Response get = t.get("/v1/events", "Bearer sk_demo");
    CHECK(get.status == 405);
    CHECK(get.headers["allow"] == "POST");
  }
}

TEST_CASE("ingest respects erasure: events older than the tombstone are refused", "[server][ingest][erasure]") {
  TestApp t;
  REQUIRE(t.post("/v1/sync", sync_since("a1", 0)).status == 200);
  t.clock = 1790000200000;
  Request del{"DELETE", "/v1/profiles/a1", {{"authorization", "Bearer sk_demo"}}, ""};
  REQUIRE(handle_request(del, *t.app).status == 200);
  json b = body_of(ingest(t, R"({"events":[)" + store_visit(R"("profile":"a1")", "old", 1790000100000) + "," +
                                 store_visit(R"("profile":"a1")", "new", 1790000300000) + "]}"));
  CHECK(b["added"] == 1);
  CHECK(b["erased"] == 1);
  json p = body_of(t.get("/v1/profiles/a1", "Bearer sk_demo"));
  REQUIRE(p["events"].size() == 1);
  CHECK(p["events"][0]["id"] == "new");
}
