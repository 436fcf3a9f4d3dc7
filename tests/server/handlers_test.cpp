// The HTTP surface as a function: status codes, error bodies, and that refused input changes nothing.
#include <catch2/catch.hpp>

#include "ashna/codec.h"
#include "test_app.h"

using namespace ashna::server;
using namespace ashna::server::testing;
using nlohmann::json;

namespace {
const std::string kView =
    R"([{"id":"e1","type":"product_view","ts":1790000000000,"item":{"id":"eth","title":"<img src=x onerror=alert(1)>"}}])";

}  // namespace

TEST_CASE("a sync is stored and readable through the backend API", "[server][sync]") {
  TestApp t;
  Response r = t.post("/v1/sync", sync_body(kView, "p_test", "t_token_0123456789abcdef", 2,
                                            R"({"name":{"value":"Ana","ts":1790000000000,"replica":"r1"}})"));
  REQUIRE(r.status == 200);
  json ack = body_of(r);
  CHECK(ack["ack"]["upto"] == 2);
  CHECK(ack["profile"] == "p_test");
  CHECK(ack["version"] == 1);
  CHECK(ack["accepted"]["events"] == 1);
  CHECK(ack["accepted"]["traits"] == 1);

  Response p = t.get("/v1/profiles/p_test", "Bearer sk_demo");
  REQUIRE(p.status == 200);
  json prof = body_of(p);
  CHECK(prof["id"] == "p_test");
  CHECK(prof["version"] == 1);
  CHECK(prof["traits"]["name"]["value"] == "Ana");
  REQUIRE(prof["events"].size() == 1);
  CHECK(prof["events"][0]["item"]["title"] == "<img src=x onerror=alert(1)>");
  CHECK(p.body.find("<img") == std::string::npos);  // escaped on the wire too

  SECTION("replaying the same delta is absorbed: same version, nothing added") {
    Response again = t.post("/v1/sync", sync_body(kView, "p_test", "t_token_0123456789abcdef", 2));
    REQUIRE(again.status == 200);
    CHECK(body_of(again)["version"] == 1);
    CHECK(body_of(again)["accepted"]["events"] == 0);
  }
  SECTION("an older trait write loses, a newer one wins") {
    t.post("/v1/sync", sync_body("[]", "p_test", "t_token_0123456789abcdef", 3,
                                 R"({"name":{"value":"Old","ts":1780000000000,"replica":"r1"}})"));
    CHECK(body_of(t.get("/v1/profiles/p_test", "Bearer sk_demo"))["traits"]["name"]["value"] == "Ana");
    t.post("/v1/sync", sync_body("[]", "p_test", "t_token_0123456789abcdef", 4,
                                 R"({"name":{"value":"Ava","ts":1790000000001,"replica":"r1"}})"));
    CHECK(body_of(t.get("/v1/profiles/p_test", "Bearer sk_demo"))["traits"]["name"]["value"] == "Ava");
  }
  SECTION("another device token cannot write this profile") {
    Response other = t.post("/v1/sync", sync_body(kView, "p_test", "t_other_0123456789abcdef"));
    CHECK(other.status == 403);
    CHECK(error_code(other) == "token_mismatch");
  }
  SECTION("a token bound to one profile cannot write another") {
    Response other = t.post("/v1/sync", sync_body(kView, "p_other", "t_token_0123456789abcdef"));
    CHECK(other.status == 403);
    CHECK(error_code(other) == "token_mismatch");
  }
}

TEST_CASE("bad sync input gets a precise 4xx and changes nothing", "[server][sync][errors]") {
  TestApp t;
  struct Bad {
    std::string name, body;
    int status;
    std::string code;
  };
  std::vector<Bad> cases = {
      {"malformed JSON", "{\"v\":1,", 400, "malformed_json"},
      {"not an object", "[1,2]", 400, "invalid_field"},
      {"unknown top-level field", R"({"v":1,"key":"pk_demo","admin":true})", 400, "unknown_field"},
      {"wrong protocol version", R"({"v":2,"key":"pk_demo"})", 400, "unsupported_version"},
      {"missing key", R"({"v":1,"token":"t_token_0123456789abcdef","delta":{}})", 401, "missing_key"},
      {"wrong key", R"({"v":1,"key":"pk_nope","token":"t_token_0123456789abcdef","delta":{}})", 401, "invalid_key"},
      {"secret key used in the browser", R"({"v":1,"key":"sk_demo","token":"t_token_0123456789abcdef","delta":{}})", 401, "invalid_key"},
      {"missing token", R"({"v":1,"key":"pk_demo","delta":{}})", 400, "invalid_field"},
      {"hostile token", R"({"v":1,"key":"pk_demo","token":"<script>alert(1)</script>xx","delta":{}})", 400, "invalid_field"},
      {"hostile profile id", sync_body(kView, "p' OR 1=1; --"), 400, "invalid_field"},
      {"bad event", sync_body(R"([{"id":"e1","type":"page_view","ts":"yesterday"}])"), 400, "invalid_field"},
      {"unknown event field", sync_body(R"([{"id":"e1","type":"page_view","ts":1790000000000,"x":1}])"), 400, "unknown_field"},
  };
  for (const Bad& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Response r = t.post("/v1/sync", c.body);
      CHECK(r.status == c.status);
      CHECK(r.headers["content-type"] == "application/json");
      CHECK(error_code(r) == c.code);
      CHECK_FALSE(body_of(r)["error"]["message"].get<std::string>().empty());
      CHECK(t.get("/v1/profiles/p_test", "Bearer sk_demo").status == 404);
    }
  }
  SECTION("too many events in one delta: 413") {
    std::string events = "[";
    for (int i = 0; i < 501; ++i)
      events += (i ? "," : "") + std::string(R"({"id":"e)") + std::to_string(i) + R"(","type":"page_view","ts":1790000000000})";
    Response r = t.post("/v1/sync", sync_body(events + "]"));
    CHECK(r.status == 413);
    CHECK(error_code(r) == "too_many_events");
  }
  SECTION("wrong content type: 415") {
    Response r = t.post("/v1/sync", sync_body(kView), "application/x-www-form-urlencoded");
    CHECK(r.status == 415);
    CHECK(error_code(r) == "unsupported_media_type");
  }
}

TEST_CASE("routing: unknown routes 404, wrong methods 405 with Allow", "[server][routes]") {
  TestApp t;
  CHECK(t.get("/healthz").status == 200);
  Response nf = t.get("/v1/nothing");
  CHECK(nf.status == 404);
  CHECK(error_code(nf) == "not_found");
  Response m = t.get("/v1/sync");
  CHECK(m.status == 405);
  CHECK(m.headers["allow"] == "POST");
  CHECK(error_code(m) == "method_not_allowed");
  Response d = handle_request(Request{"PUT", "/v1/profiles/x", {}, ""}, *t.app);
  CHECK(d.status == 405);
  CHECK(d.headers["allow"] == "GET, DELETE");
  CHECK(t.post("/index.html", "").status == 405);
}

TEST_CASE("backend API authentication", "[server][auth]") {
  TestApp t;
  REQUIRE(t.post("/v1/sync", sync_body(kView)).status == 200);
  Response none = t.get("/v1/profiles/p_test");
  CHECK(none.status == 401);
  CHECK(error_code(none) == "missing_key");
  CHECK(none.headers["www-authenticate"] == "Bearer");
  Response pk = t.get("/v1/profiles/p_test", "Bearer pk_demo");
  CHECK(pk.status == 401);
  CHECK(body_of(pk)["error"]["message"] == "this is a publishable key; backend endpoints need a secret key");
  CHECK(t.get("/v1/profiles/p_test", "Bearer sk_wrong").status == 401);
  CHECK(t.get("/v1/profiles/p_test", "Basic c2tfZGVtbzo=").status == 401);
  CHECK(t.get("/v1/profiles/nobody", "Bearer sk_demo").status == 404);
  CHECK(t.get("/v1/profiles/p%zz", "Bearer sk_demo").status == 400);
  SECTION("a second site's secret key cannot read the first site's profiles") {
    t.store->ensure_site("other", "pk_other", sha256_hex("sk_other"), "is_other", t.clock);
    CHECK(t.get("/v1/profiles/p_test", "Bearer sk_other").status == 404);
  }
}

namespace {
std::string identify_body(const std::string& token, const std::string& profile, const std::string& user,
                          const std::string& proof) {
  return R"({"v":1,"key":"pk_demo","token":")" + token + R"(","profile":")" + profile + R"(","user":")" + user +
         R"(","proof":")" + proof + R"("})";
}
std::string proof_for(const std::string& user) { return to_hex(hmac_sha256("is_demo", user)); }
std::string sync_from(const std::string& token, const std::string& profile, const std::string& replica,
                      const std::string& events, std::int64_t since) {
  return R"({"v":1,"key":"pk_demo","token":")" + token + R"(","since":)" + std::to_string(since) +
         R"(,"delta":{"profile":")" + profile + R"(","replica":")" + replica + R"(","upto":1,"events":)" + events + "}}";
}
std::string ev(const std::string& id) { return R"([{"id":")" + id + R"(","type":"page_view","ts":1790000000000}])"; }
const std::string kTok1 = "t_device_one_0123456789", kTok2 = "t_device_two_0123456789";
}  // namespace

TEST_CASE("identify merges devices of one customer, and down-sync brings each the other's events", "[server][identity]") {
  TestApp t;
  REQUIRE(t.post("/v1/sync", sync_from(kTok1, "a1", "r1", ev("e1"), 0)).status == 200);
  Response first = t.post("/v1/identify", identify_body(kTok1, "a1", "alice", proof_for("alice")));
  REQUIRE(first.status == 200);
  CHECK(body_of(first)["profile"] == "a1");  // the first device's profile becomes alice's

  REQUIRE(t.post("/v1/sync", sync_from(kTok2, "a2", "r2", ev("e2"), 0)).status == 200);
  Response second = t.post("/v1/identify", identify_body(kTok2, "a2", "alice", proof_for("alice")));
  REQUIRE(second.status == 200);
  CHECK(body_of(second)["profile"] == "a1");  // merged into alice's profile

  SECTION("the second device, now on alice's profile, receives the first device's events only") {
    json r = body_of(t.post("/v1/sync", sync_from(kTok2, "a1", "r2", "[]", 0)));
    REQUIRE(r["down"]["events"].size() == 1);
    CHECK(r["down"]["events"][0]["id"] == "e1");
    CHECK(r["down"]["more"] == false);
    CHECK(r["down"]["version"] == r["version"]);
  }
  SECTION("the first device receives the merged events after the version it holds") {
    json r = body_of(t.post("/v1/sync", sync_from(kTok1, "a1", "r1", "[]", 1)));
    REQUIRE(r["down"]["events"].size() == 1);
    CHECK(r["down"]["events"][0]["id"] == "e2");
    json again = body_of(t.post("/v1/sync", sync_from(kTok1, "a1", "r1", "[]", r["down"]["version"])));
    CHECK(again["down"]["events"].empty());
  }
  SECTION("the anonymous id resolves to the customer's profile in the backend API") {
    json p = body_of(t.get("/v1/profiles/a2", "Bearer sk_demo"));
    CHECK(p["id"] == "a1");
    CHECK(p["events"].size() == 2);
  }
  SECTION("the old anonymous profile can no longer be written by the merged device") {
    CHECK(t.post("/v1/sync", sync_from(kTok2, "a2", "r2", ev("e3"), 0)).status == 403);
  }
}

TEST_CASE("identify refuses forged, unbound or malformed requests and merges nothing", "[server][identity][errors]") {
  TestApp t;
  REQUIRE(t.post("/v1/sync", sync_from(kTok1, "a1", "r1", ev("e1"), 0)).status == 200);
  Response forged = t.post("/v1/identify", identify_body(kTok1, "a1", "alice", proof_for("mallory")));
  CHECK(forged.status == 403);
  CHECK(error_code(forged) == "invalid_proof");
  Response unbound = t.post("/v1/identify", identify_body(kTok2, "a1", "alice", proof_for("alice")));
  CHECK(unbound.status == 403);
  CHECK(error_code(unbound) == "token_mismatch");
  CHECK(t.post("/v1/identify", identify_body(kTok1, "a1", "", proof_for(""))).status == 400);
  CHECK(t.post("/v1/identify", identify_body(kTok1, "a1", "alice", "abc")).status == 400);
  CHECK(error_code(t.post("/v1/identify", identify_body(kTok1, "a1", "alice", proof_for("alice")) + "x")) ==
        "malformed_json");
  json p = body_of(t.get("/v1/profiles/a1", "Bearer sk_demo"));
  CHECK(p["version"] == 1);  // nothing happened to the profile
  SECTION("a site without an identity secret has identify switched off") {
    t.store->ensure_site("other", "pk_other", sha256_hex("sk_other"), "", t.clock);
    std::string body = identify_body(kTok1, "a1", "alice", proof_for("alice"));
    body.replace(body.find("pk_demo"), 7, "pk_other");
    Response off = t.post("/v1/identify", body);
    CHECK(off.status == 403);
    CHECK(error_code(off) == "identity_disabled");
  }
}

TEST_CASE("down-sync of a long backlog comes in bounded slices", "[server][sync]") {
  TestApp t;
  REQUIRE(t.post("/v1/sync", sync_from(kTok1, "a1", "r1", "[]", 0)).status == 200);
  REQUIRE(t.post("/v1/identify", identify_body(kTok1, "a1", "bob", proof_for("bob"))).status == 200);
  // 5 syncs of 400 events each from device 1, then device 2 (merged in) catches up: the first
  // slice is cut at the first version boundary past 1,000 events (1,200), the second has the rest.
  for (int s = 0; s < 5; ++s) {
    std::string events = "[";
    for (int i = 0; i < 400; ++i)
      events += (i ? "," : "") + std::string(R"({"id":"b)") + std::to_string(s * 400 + i) +
                R"(","type":"page_view","ts":1790000000000})";
    REQUIRE(t.post("/v1/sync", sync_from(kTok1, "a1", "r1", events + "]", 0)).status == 200);
  }
  REQUIRE(t.post("/v1/sync", sync_from(kTok2, "a2", "r2", "[]", 0)).status == 200);
  REQUIRE(t.post("/v1/identify", identify_body(kTok2, "a2", "bob", proof_for("bob"))).status == 200);
  std::int64_t since = 0;
  std::size_t got = 0, rounds = 0;
  for (bool more = true; more; ++rounds) {
    json r = body_of(t.post("/v1/sync", sync_from(kTok2, "a1", "r2", "[]", since)));
    got += r["down"]["events"].size();
    CHECK(r["down"]["events"].size() <= 1000 + 400);
    since = r["down"]["version"];
    more = r["down"]["more"];
    REQUIRE(rounds < 5);
  }
  CHECK(got == 2000);
  CHECK(rounds == 2);
}

TEST_CASE("erasure reaches every copy: server rows, merged profiles, other devices, late writes", "[server][erasure]") {
  TestApp t;
  REQUIRE(t.post("/v1/sync", sync_from(kTok1, "a1", "r1", ev("e1"), 0)).status == 200);
  REQUIRE(t.post("/v1/identify", identify_body(kTok1, "a1", "carol", proof_for("carol"))).status == 200);
  REQUIRE(t.post("/v1/sync", sync_from(kTok2, "a2", "r2", ev("e2"), 0)).status == 200);
  REQUIRE(t.post("/v1/identify", identify_body(kTok2, "a2", "carol", proof_for("carol"))).status == 200);
  t.clock += 1000;

  SECTION("the backend erases by any of the customer's ids") {
    Request del{"DELETE", "/v1/profiles/a2", {{"authorization", "Bearer sk_demo"}}, ""};
    Response r = handle_request(del, *t.app);
    REQUIRE(r.status == 200);
    CHECK(body_of(r)["id"] == "a1");
    CHECK(body_of(r)["erased"] == t.clock);
  }
  SECTION("a device erases through its delta") {
    std::string body = R"({"v":1,"key":"pk_demo","token":")" + kTok1 +
                       R"(","since":0,"delta":{"profile":"a1","replica":"r1","upto":5,"erased":)" +
                       std::to_string(t.clock) + "}}";
    REQUIRE(t.post("/v1/sync", body).status == 200);
  }
  json p = body_of(t.get("/v1/profiles/a1", "Bearer sk_demo"));
  CHECK(p["events"].empty());
  CHECK(p["erased"] == t.clock);
  CHECK(body_of(t.get("/v1/profiles/a2", "Bearer sk_demo"))["events"].empty());

  // The other device learns of the erasure on its next sync, and its late old events are refused.
  json r = body_of(t.post("/v1/sync", sync_from(kTok2, "a1", "r2", ev("e-old"), 1)));
  CHECK(r["down"]["erased"] == t.clock);
  CHECK(r["accepted"]["events"] == 0);
  std::string fresh = R"([{"id":"e-new","type":"page_view","ts":)" + std::to_string(t.clock + 5) + "}]";
  CHECK(body_of(t.post("/v1/sync", sync_from(kTok2, "a1", "r2", fresh, 1)))["accepted"]["events"] == 1);
  CHECK(t.get("/v1/profiles/nobody", "Bearer sk_demo").status == 404);
  Request missing{"DELETE", "/v1/profiles/nobody", {{"authorization", "Bearer sk_demo"}}, ""};
  CHECK(handle_request(missing, *t.app).status == 404);
  Request nokey{"DELETE", "/v1/profiles/a1", {}, ""};
  CHECK(handle_request(nokey, *t.app).status == 401);
}

TEST_CASE("CORS: browser endpoints answer preflights and echo the origin; a site can restrict origins", "[server][cors]") {
  TestApp t;
  Response pre = handle_request(Request{"OPTIONS", "/v1/sync", {{"origin", "https://shop.example"}}, ""}, *t.app);
  CHECK(pre.status == 204);
  CHECK(pre.headers["access-control-allow-origin"] == "https://shop.example");
  CHECK(pre.headers["access-control-allow-methods"] == "POST");
  CHECK(pre.headers["access-control-allow-headers"] == "Content-Type");
  Request post{"POST", "/v1/sync", {{"content-type", "application/json"}, {"origin", "https://shop.example"}},
               sync_body(kView)};
  Response ok = TestApp::settle(handle_request(post, *t.app));
  CHECK(ok.status == 200);
  CHECK(ok.headers["access-control-allow-origin"] == "https://shop.example");
  CHECK(ok.headers["vary"] == "Origin");
  SECTION("backend endpoints never get CORS headers") {
    Response api = handle_request(Request{"GET", "/v1/profiles/p_test", {{"origin", "https://shop.example"},
                                                                          {"authorization", "Bearer sk_demo"}}, ""}, *t.app);
    CHECK(api.status == 200);
    CHECK(api.headers.count("access-control-allow-origin") == 0);
  }
  SECTION("a site with an origin list refuses other origins, and accepts its own") {
    REQUIRE(t.store->create_site("locked", "pk_locked", sha256_hex("sk_locked"), "", "https://a.example https://b.example",
                                 t.clock).is_ok());
    std::string body = sync_body(kView, "p_locked", "t_locked_0123456789abcdef");
    body.replace(body.find("pk_demo"), 7, "pk_locked");
    Request evil{"POST", "/v1/sync", {{"content-type", "application/json"}, {"origin", "https://evil.example"}}, body};
    Response refused = TestApp::settle(handle_request(evil, *t.app));
    CHECK(refused.status == 403);
    CHECK(error_code(refused) == "origin_not_allowed");
    evil.headers["origin"] = "https://b.example";
    Response allowed = TestApp::settle(handle_request(evil, *t.app));
    CHECK(allowed.status == 200);
  }
}

TEST_CASE("identify after an erasure does not bring the erased data back", "[server][erasure][identity]") {
  TestApp t;
  REQUIRE(t.post("/v1/sync", sync_from(kTok1, "a1", "r1", ev("e1"), 0)).status == 200);
  REQUIRE(t.post("/v1/identify", identify_body(kTok1, "a1", "erin", proof_for("erin"))).status == 200);
  // Device 2 browsed anonymously before the erasure...
  REQUIRE(t.post("/v1/sync", sync_from(kTok2, "a2", "r2", ev("e-before"), 0)).status == 200);
  t.clock += 1000;
  Request del{"DELETE", "/v1/profiles/a1", {{"authorization", "Bearer sk_demo"}}, ""};
  REQUIRE(handle_request(del, *t.app).status == 200);
  // ...and identifies after it: its older events must not resurrect in the customer's profile.
  REQUIRE(t.post("/v1/identify", identify_body(kTok2, "a2", "erin", proof_for("erin"))).status == 200);
  CHECK(body_of(t.get("/v1/profiles/a1", "Bearer sk_demo"))["events"].empty());
}
