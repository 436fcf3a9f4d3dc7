// GET /v1/changes: ordered pages with a cursor, one site only, long-poll woken by a commit, SSE
// with ids that resume without gaps or duplicates, and erasure reaching the feed.
#include <catch2/catch.hpp>

#include <regex>

#include "ashna/codec.h"
#include "fake_responder.h"
#include "test_app.h"

using namespace ashna::server;
using namespace ashna::server::testing;
using nlohmann::json;

namespace {
json body_of(const std::string& text) {
  auto j = ashna::parse_json(text);
  REQUIRE(j.is_ok());
  return j.value();
}

Response changes(TestApp& t, const std::string& query, std::map<std::string, std::string> headers = {}) {
  Request r{"GET", "/v1/changes" + query, std::move(headers), ""};
  r.headers.emplace("authorization", "Bearer sk_demo");
  return handle_request(r, *t.app);
}
// Sync one event for profile p<n> (its own device token).
void sync_one(TestApp& t, int n, const std::string& event_id) {
  std::string body = sync_body(R"([{"id":")" + event_id + R"(","type":"page_view","ts":1790000000000}])",
                               "p" + std::to_string(n), "t_token_" + std::to_string(n) + "_0123456789abcdef");
  REQUIRE(t.post("/v1/sync", body).status == 200);
}
// The ids of the SSE events in `text`, in order.
std::vector<std::int64_t> sse_ids(const std::string& text) {
  std::vector<std::int64_t> ids;
  std::regex id_line("(^|\n)id: (\\d+)\n");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), id_line); it != std::sregex_iterator(); ++it)
    ids.push_back(std::stoll((*it)[2]));
  return ids;
}
}  // namespace

TEST_CASE("the change feed pages through the site's op log in order", "[server][changes]") {
  TestApp t;
  for (int i = 0; i < 5; ++i) sync_one(t, i, "e" + std::to_string(i));
  t.store->ensure_site("other", "pk_other", sha256_hex("sk_other"), "is_other", t.clock);

  Response all = changes(t, "");
  REQUIRE(all.status == 200);
  json page = body_of(all.body);
  REQUIRE(page["changes"].size() == 5);
  CHECK(page["changes"][0]["profile"] == "p0");
  CHECK(page["changes"][0]["version"] == 1);
  CHECK(page["changes"][0]["at"] == t.clock);
  CHECK(page["changes"][0]["change"]["events"][0]["id"] == "e0");
  CHECK(page["next"] == page["changes"][4]["seq"]);

  SECTION("limit and after walk the feed without gaps or repeats") {
    std::vector<std::int64_t> seen;
    std::int64_t after = 0;
    for (int round = 0; round < 10; ++round) {
      json p = body_of(changes(t, "?limit=2&after=" + std::to_string(after)).body);
      for (auto& c : p["changes"]) seen.push_back(c["seq"]);
      if (p["changes"].empty()) {
        CHECK(p["next"] == after);  // nothing new: the cursor stays
        break;
      }
      after = p["next"];
    }
    REQUIRE(seen.size() == 5);
    for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] > seen[i - 1]);
  }
  SECTION("another site's key sees none of these changes") {
    Request r{"GET", "/v1/changes", {{"authorization", "Bearer sk_other"}}, ""};
    CHECK(body_of(handle_request(r, *t.app).body)["changes"].empty());
  }
  SECTION("erasure redacts what the feed recorded of the profile, and is itself a change") {
    t.clock += 1000;
    Request del{"DELETE", "/v1/profiles/p0", {{"authorization", "Bearer sk_demo"}}, ""};
    REQUIRE(handle_request(del, *t.app).status == 200);
    json p = body_of(changes(t, "").body);
    REQUIRE(p["changes"].size() == 6);
    CHECK(p["changes"][0]["change"] == json::parse(R"({"redacted":"erased"})"));
    CHECK(p["changes"][5]["change"]["erased"] == t.clock);
    CHECK(p["changes"][1]["change"]["events"][0]["id"] == "e1");  // other profiles untouched
  }
}

TEST_CASE("the change feed refuses bad parameters precisely", "[server][changes][errors]") {
  TestApp t;
  struct Bad {
    std::string query;
    std::map<std::string, std::string> headers;
    std::string message;
  };
  std::vector<Bad> cases = {
      {"?after=-1", {}, "after: a sequence number (integer >= 0) is required"},
      {"?after=x", {}, "after: a sequence number (integer >= 0) is required"},
      {"?limit=0", {}, "limit: an integer from 1 to 1000"},
      {"?limit=1001", {}, "limit: an integer from 1 to 1000"},
      {"?wait=31", {}, "wait: seconds, an integer from 0 to 30"},
      {"?wait=1.5", {}, "wait: seconds, an integer from 0 to 30"},
      {"", {{"last-event-id", "abc"}}, "Last-Event-ID: must be a sequence number (integer >= 0)"},
  };
  for (const Bad& c : cases) {
    DYNAMIC_SECTION(c.query << " " << c.message) {
      Response r = changes(t, c.query, c.headers);
      CHECK(r.status == 400);
      CHECK(error_code(r) == "invalid_field");
      CHECK(body_of(r.body)["error"]["message"] == c.message);
    }
  }
  SECTION("secret key required; GET only") {
    Response none = handle_request(Request{"GET", "/v1/changes", {}, ""}, *t.app);
    CHECK(none.status == 401);
    CHECK(error_code(none) == "missing_key");
    Response pk = handle_request(Request{"GET", "/v1/changes", {{"authorization", "Bearer pk_demo"}}, ""}, *t.app);
    CHECK(error_code(pk) == "invalid_key");
    Response post = t.post("/v1/changes", "{}");
    CHECK(post.status == 405);
    CHECK(post.headers["allow"] == "GET");
  }
}

TEST_CASE("long-poll: answers at once when changes exist, else on the next commit or at the deadline", "[server][changes][longpoll]") {
  TestApp t;
  sync_one(t, 0, "e0");
  json first = body_of(changes(t, "?wait=5").body);
  REQUIRE(first["changes"].size() == 1);  // something after the cursor: no waiting
  const std::int64_t cursor = first["next"];

  Response r = changes(t, "?wait=5&after=" + std::to_string(cursor));
  REQUIRE(r.later);
  auto out = std::make_shared<FakeResponder>();
  r.later(out);
  out->run();
  CHECK_FALSE(out->replied());  // waiting
  CHECK(t.notifier.subscribers() == 1);

  SECTION("a commit wakes it with the new change") {
    sync_one(t, 1, "e1");
    out->run();
    REQUIRE(out->replied());
    json page = body_of(out->replied()->body);
    REQUIRE(page["changes"].size() == 1);
    CHECK(page["changes"][0]["profile"] == "p1");
    CHECK(page["next"] > cursor);
    CHECK(t.notifier.subscribers() == 0);
  }
  SECTION("the deadline answers an empty page with the same cursor") {
    out->run(std::chrono::seconds(5));
    REQUIRE(out->replied());
    json page = body_of(out->replied()->body);
    CHECK(page["changes"].empty());
    CHECK(page["next"] == cursor);
    CHECK(t.notifier.subscribers() == 0);
  }
}

TEST_CASE("SSE: every change once, with its seq as id; a resumed stream starts after Last-Event-ID", "[server][changes][sse]") {
  TestApp t;
  for (int i = 0; i < 3; ++i) sync_one(t, i, "e" + std::to_string(i));
  Response r = changes(t, "", {{"accept", "text/event-stream"}});
  REQUIRE(r.later);
  auto out = std::make_shared<FakeResponder>();
  r.later(out);
  out->run();
  REQUIRE(out->head());
  CHECK(out->head()->headers["content-type"] == "text/event-stream");
  CHECK(out->streamed().find("retry: 1000\n\n") == 0);
  std::vector<std::int64_t> ids = sse_ids(out->streamed());
  REQUIRE(ids.size() == 3);
  CHECK(out->streamed().find("event: change\ndata: {\"seq\":" + std::to_string(ids[0])) != std::string::npos);

  sync_one(t, 3, "e3");
  out->run();
  ids = sse_ids(out->streamed());
  REQUIRE(ids.size() == 4);
  out->run(std::chrono::seconds(15));
  CHECK(out->streamed().find(": ping\n\n") != std::string::npos);  // heartbeat
  out->end();  // the client goes away

  sync_one(t, 4, "e4");  // missed while disconnected
  Response again = changes(t, "?after=0", {{"accept", "text/event-stream"}, {"last-event-id", std::to_string(ids[1])}});
  auto resumed = std::make_shared<FakeResponder>();
  again.later(resumed);
  resumed->run();
  std::vector<std::int64_t> rest = sse_ids(resumed->streamed());
  REQUIRE(rest.size() == 3);  // ids[2], ids[3] and the missed one, nothing before
  CHECK(rest[0] == ids[2]);
  CHECK(rest[1] == ids[3]);
  CHECK(rest[2] > ids[3]);
  resumed->end();
}

TEST_CASE("a first identify is a change: backend consumers learn whose profile it is", "[server][changes]") {
  TestApp t;
  sync_one(t, 1, "e1");
  const std::string identify = R"({"v":1,"key":"pk_demo","token":"t_token_1_0123456789abcdef","profile":"p1",)"
                               R"("user":"alice","proof":")" + to_hex(hmac_sha256("is_demo", "alice")) + R"("})";
  Response who = t.post("/v1/identify", identify);
  REQUIRE(who.status == 200);
  json page = body_of(changes(t, "").body);
  REQUIRE(page["changes"].size() == 2);
  CHECK(page["changes"][1]["profile"] == "p1");
  CHECK(page["changes"][1]["version"] == 2);
  CHECK(page["changes"][1]["change"] == json{{"identified", "alice"}});
  CHECK(body_of(t.get("/v1/profiles/p1", "Bearer sk_demo"))["version"] == 2);
  SECTION("the same identify again changes nothing") {
    REQUIRE(t.post("/v1/identify", identify).status == 200);
    CHECK(body_of(changes(t, "").body)["changes"].size() == 2);
  }
  SECTION("erasure redacts the customer id from the feed") {
    REQUIRE(handle_request(Request{"DELETE", "/v1/profiles/p1", {{"authorization", "Bearer sk_demo"}}, ""}, *t.app)
                .status == 200);
    const json feed = body_of(changes(t, "").body);
    for (const auto& c : feed["changes"]) CHECK(c["change"].dump().find("alice") == std::string::npos);
  }
}

TEST_CASE("DELETE reports the erasure epoch in force, not the request time", "[server][changes]") {
  TestApp t;
  // A device whose clock runs a day ahead erased first: its epoch stays the one in force.
  const std::int64_t ahead = t.clock + 24 * 3600 * 1000;
  std::string body = R"({"v":1,"key":"pk_demo","token":"t_token_1_0123456789abcdef","delta":{"profile":"p1",)"
                     R"("replica":"r1","upto":1,"erased":)" + std::to_string(ahead) + R"(,"events":[]}})";
  REQUIRE(t.post("/v1/sync", body).status == 200);
  Response del = handle_request(Request{"DELETE", "/v1/profiles/p1", {{"authorization", "Bearer sk_demo"}}, ""}, *t.app);
  REQUIRE(del.status == 200);
  CHECK(body_of(del.body)["erased"] == ahead);
}
