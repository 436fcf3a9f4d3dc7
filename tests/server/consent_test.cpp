// Consent audit trail (issue 6, server part): consent records ride on a sync, are kept once by
// (profile, ts, source), are read through GET /v1/profiles/{id}/consent, and survive erasure.
#include <catch2/catch.hpp>

#include "ashna/codec.h"
#include "test_app.h"

using namespace ashna::server;
using namespace ashna::server::testing;
using nlohmann::json;

namespace {

const std::string kTok = "t_consent_0123456789ab";
std::string record(std::int64_t ts, const std::string& source, bool on, const std::string& policy = "2026-01") {
  std::string b = on ? "true" : "false";
  return R"({"ts":)" + std::to_string(ts) + R"(,"personalisation":)" + b + R"(,"analytics":)" + b +
         R"(,"marketing":false,"source":")" + source + R"(","policy":")" + policy + R"("})";
}
std::string sync_with(const std::string& consent, const std::string& profile = "a1", const std::string& token = kTok) {
  return R"({"v":1,"key":"pk_demo","token":")" + token + R"(","delta":{"profile":")" + profile +
         R"(","replica":"r1","upto":1,"events":[]},"consent":)" + consent + "}";
}
Response consent_of(TestApp& t, const std::string& id, const std::string& auth = "Bearer sk_demo") {
  return t.get("/v1/profiles/" + id + "/consent", auth);
}
}  // namespace

TEST_CASE("consent records are stored once each and read back in time order", "[server][consent]") {
  TestApp t;
  Response r = t.post("/v1/sync", sync_with("[" + record(1790000002000, "profile_centre", false) + "," +
                                            record(1790000001000, "banner", true) + "]"));
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["accepted"]["consent"] == 2);
  CHECK(body_of(r)["version"] == 1);

  json log = body_of(consent_of(t, "a1"));
  CHECK(log["id"] == "a1");
  REQUIRE(log["consent"].size() == 2);
  CHECK(log["consent"][0] == json::parse(R"({"profile":"a1","ts":1790000001000,"personalisation":true,"analytics":true,
    "marketing":false,"source":"banner","policy":"2026-01","received":1790000000000})"));
  CHECK(log["consent"][1]["source"] == "profile_centre");
  CHECK(log["consent"][1]["personalisation"] == false);

  SECTION("a replayed sync adds nothing and does not bump the version") {
    Response again = t.post("/v1/sync", sync_with("[" + record(1790000001000, "banner", true) + "]"));
    CHECK(body_of(again)["accepted"]["consent"] == 0);
    CHECK(body_of(again)["version"] == 1);
    CHECK(body_of(consent_of(t, "a1"))["consent"].size() == 2);
  }
  SECTION("same time, other source: a separate record") {
    t.post("/v1/sync", sync_with("[" + record(1790000001000, "gpc", false) + "]"));
    CHECK(body_of(consent_of(t, "a1"))["consent"].size() == 3);
  }
  SECTION("a sync without consent says nothing about it") {
    Response plain = t.post("/v1/sync", sync_body("[]", "a1", kTok));
    CHECK_FALSE(body_of(plain)["accepted"].contains("consent"));
  }
  SECTION("erasure keeps the consent log: it is the legal record") {
    Request del{"DELETE", "/v1/profiles/a1", {{"authorization", "Bearer sk_demo"}}, ""};
    REQUIRE(handle_request(del, *t.app).status == 200);
    CHECK(body_of(t.get("/v1/profiles/a1", "Bearer sk_demo"))["events"].empty());
    CHECK(body_of(consent_of(t, "a1"))["consent"].size() == 2);
  }
  SECTION("a merged anonymous profile's records are read through the customer's id") {
    const std::string tok2 = "t_consent_second_0123";
    REQUIRE(t.post("/v1/identify", R"({"v":1,"key":"pk_demo","token":")" + kTok +
                                        R"(","profile":"a1","user":"dana","proof":")" +
                                        to_hex(hmac_sha256("is_demo", "dana")) + R"("})").status == 200);
    REQUIRE(t.post("/v1/sync", sync_with("[" + record(1790000000500, "api", true) + "]", "a2", tok2)).status == 200);
    REQUIRE(t.post("/v1/identify", R"({"v":1,"key":"pk_demo","token":")" + tok2 +
                                        R"(","profile":"a2","user":"dana","proof":")" +
                                        to_hex(hmac_sha256("is_demo", "dana")) + R"("})").status == 200);
    json merged = body_of(consent_of(t, "a2"));
    CHECK(merged["id"] == "a1");
    REQUIRE(merged["consent"].size() == 3);
    CHECK(merged["consent"][0]["profile"] == "a2");
    CHECK(merged["consent"][0]["source"] == "api");
  }
}

TEST_CASE("bad consent records are refused precisely and nothing of the sync is stored", "[server][consent][errors]") {
  TestApp t;
  struct Bad {
    std::string name, consent;
    int status;
    std::string code, message;
  };
  std::string twenty_one = "[";
  for (int i = 0; i < 21; ++i) twenty_one += (i ? "," : "") + record(1790000000000 + i, "banner", true);
  twenty_one += "]";
  std::vector<Bad> cases = {
      {"not an array", "{}", 400, "invalid_field", "consent: must be an array of consent records"},
      {"too many", twenty_one, 413, "too_many_consent_records", "consent: at most 20 records per sync; send the rest in the next one"},
      {"not an object", "[1]", 400, "invalid_field", "consent[0]: must be an object"},
      {"unknown field", R"([{"ts":1790000000000,"extra":1}])", 400, "unknown_field", "consent[0].extra: unknown field"},
      {"missing ts", R"([{"personalisation":true}])", 400, "invalid_field", "consent[0].ts: Unix milliseconds between 2000 and 2100 is required"},
      {"ts in seconds", "[" + record(1790000000, "banner", true) + "]", 400, "invalid_field",
       "consent[0].ts: Unix milliseconds between 2000 and 2100 is required"},
      {"purpose not a bool", R"([{"ts":1790000000000,"personalisation":1,"analytics":true,"marketing":true,"source":"api","policy":"p"}])",
       400, "invalid_field", "consent[0].personalisation: true or false is required"},
      {"missing purpose", R"([{"ts":1790000000000,"personalisation":true,"analytics":true,"source":"api","policy":"p"}])",
       400, "invalid_field", "consent[0].marketing: true or false is required"},
      {"unknown source", "[" + record(1790000000000, "popup", true) + "]", 400, "invalid_field",
       "consent[0].source: one of banner, profile_centre, api, gpc"},
      {"empty policy", "[" + record(1790000000000, "banner", true, "") + "]", 400, "invalid_field",
       "consent[0].policy: the policy version, 1 to 32 bytes"},
      {"long policy", "[" + record(1790000000000, "banner", true, std::string(33, 'p')) + "]", 400, "invalid_field",
       "consent[0].policy: the policy version, 1 to 32 bytes"},
  };
  for (const Bad& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Response r = t.post("/v1/sync", sync_with(c.consent));
      CHECK(r.status == c.status);
      CHECK(error_code(r) == c.code);
      CHECK(body_of(r)["error"]["message"] == c.message);
      CHECK(t.get("/v1/profiles/a1", "Bearer sk_demo").status == 404);
    }
  }
  SECTION("a refused token stores no consent either") {
    REQUIRE(t.post("/v1/sync", sync_with("[]")).status == 200);
    Response other = t.post("/v1/sync", sync_with("[" + record(1790000000000, "banner", true) + "]", "a1",
                                                  "t_someone_else_01234567"));
    CHECK(other.status == 403);
    CHECK(body_of(consent_of(t, "a1"))["consent"].empty());
  }
}

TEST_CASE("GET /v1/profiles/{id}/consent: key, existence and method", "[server][consent][errors]") {
  TestApp t;
  REQUIRE(t.post("/v1/sync", sync_with("[]")).status == 200);
  CHECK(consent_of(t, "a1").status == 200);
  Response none = consent_of(t, "a1", "");
  CHECK(none.status == 401);
  CHECK(error_code(none) == "missing_key");
  CHECK(error_code(consent_of(t, "a1", "Bearer pk_demo")) == "invalid_key");
  Response missing = consent_of(t, "nobody");
  CHECK(missing.status == 404);
  CHECK(error_code(missing) == "not_found");
  CHECK(consent_of(t, "a%zz").status == 400);
  Response del = handle_request(Request{"DELETE", "/v1/profiles/a1/consent", {{"authorization", "Bearer sk_demo"}}, ""}, *t.app);
  CHECK(del.status == 405);
  CHECK(del.headers["allow"] == "GET");
  t.store->ensure_site("other", "pk_other", sha256_hex("sk_other"), "is_other", t.clock);
  CHECK(consent_of(t, "a1", "Bearer sk_other").status == 404);  // nothing crosses sites
}
