// GET /metrics, request ids and JSON request logs, and GET /v1/export (NDJSON, streamed).
#include <catch2/catch.hpp>

#include "ashna/codec.h"
#include "fake_responder.h"
#include "test_app.h"

using namespace ashna::server;
using namespace ashna::server::testing;
using nlohmann::json;

namespace {
json parse(const std::string& text) {
  auto j = ashna::parse_json(text);
  REQUIRE(j.is_ok());
  return j.value();
}
void sync_one(TestApp& t, const std::string& profile, int events = 1) {
  std::string list = "[";
  for (int i = 0; i < events; ++i)
    list += (i ? "," : "") + std::string(R"({"id":"e)") + std::to_string(i) + R"(","type":"page_view","ts":1790000000000})";
  REQUIRE(t.post("/v1/sync", sync_body(list + "]", profile, "t_tok_" + profile + "_0123456789abcdef")).status == 200);
}
}  // namespace

TEST_CASE("metrics: requests by route and status, latency, sync sizes, group commit", "[server][metrics]") {
  TestApp t;
  sync_one(t, "p1", 3);
  t.get("/v1/profiles/p1", "Bearer sk_demo");
  t.get("/v1/profiles/nobody", "Bearer sk_demo");
  t.get("/v1/nothing");
  Response m = t.get("/metrics");
  REQUIRE(m.status == 200);
  CHECK(m.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = m.body;
  auto has = [&](const std::string& line) {
    INFO(line);
    CHECK(text.find(line + "\n") != std::string::npos);
  };
  has("ashna_http_requests_total{route=\"/v1/sync\",status=\"200\"} 1");
  has("ashna_http_requests_total{route=\"/v1/profiles/{id}\",status=\"200\"} 1");
  has("ashna_http_requests_total{route=\"/v1/profiles/{id}\",status=\"404\"} 1");
  has("ashna_http_requests_total{route=\"/v1/unknown\",status=\"404\"} 1");
  has("ashna_http_request_duration_seconds_count{route=\"/v1/sync\"} 1");
  has("ashna_http_request_duration_seconds_bucket{route=\"/v1/sync\",le=\"+Inf\"} 1");
  has("ashna_sync_events_bucket{le=\"2\"} 0");
  has("ashna_sync_events_bucket{le=\"5\"} 1");
  has("ashna_sync_events_sum 3");
  has("ashna_store_commits_total 2");  // the demo site, the sync
  has("ashna_store_batch_size_count 2");
  has("ashna_store_commit_seconds_count 2");
  has("ashna_store_queue_depth 0");
  has("ashna_feed_waiters 0");
  CHECK(text.find("# TYPE ashna_store_batch_size histogram") != std::string::npos);
  SECTION("GET only") { CHECK(t.post("/metrics", "").status == 405); }
}

TEST_CASE("every answer carries a request id, echoed or made, and one JSON log line", "[server][logs]") {
  TestApp t;
  std::vector<std::string> lines;
  t.app->log = [&](const std::string& l) { lines.push_back(l); };
  Request given{"GET", "/healthz", {{"x-request-id", "edge-42.abc"}}, ""};
  CHECK(handle_request(given, *t.app).headers["x-request-id"] == "edge-42.abc");
  Request hostile{"GET", "/v1/profiles/x?q=1", {{"x-request-id", "<script>\"x"}}, ""};
  Response r = handle_request(hostile, *t.app);
  std::string made = r.headers["x-request-id"];
  CHECK(made.size() == 16);
  CHECK(made.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(t.get("/healthz").headers["x-request-id"] != made);
  REQUIRE(lines.size() == 3);
  json line = parse(lines[1]);
  CHECK(line["request_id"] == made);
  CHECK(line["method"] == "GET");
  CHECK(line["route"] == "/v1/profiles/{id}");
  CHECK(line["path"] == "/v1/profiles/x");  // no query string in logs
  CHECK(line["status"] == 401);
  CHECK(line["level"] == "info");
  CHECK(line["ms"].is_number());
}

TEST_CASE("export streams every profile of the site as NDJSON, in pages", "[server][export]") {
  TestApp t;
  for (int i = 0; i < 250; ++i) sync_one(t, "p" + std::to_string(1000 + i));
  t.store->ensure_site("other", "pk_other", sha256_hex("sk_other"), "is_other", t.clock);
  Response r = t.get("/v1/export", "Bearer sk_demo");
  REQUIRE(r.later);
  auto out = std::make_shared<FakeResponder>();
  r.later(out);
  out->run();
  REQUIRE(out->head());
  CHECK(out->head()->headers["content-type"] == "application/x-ndjson");
  CHECK(out->done());  // finished: the last chunk was sent
  CHECK_FALSE(out->aborted_);
  std::string text = out->streamed();
  std::vector<std::string> ids;
  for (std::size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
    json p = parse(text.substr(at, nl - at));
    ids.push_back(p["id"]);
    CHECK(p["events"].size() == 1);
    CHECK(p["version"] == 1);
  }
  REQUIRE(ids.size() == 250);
  CHECK(ids.front() == "p1000");
  CHECK(ids.back() == "p1249");
  CHECK(std::is_sorted(ids.begin(), ids.end()));

  SECTION("another site's export is empty; keys are required") {
    Response other = t.get("/v1/export", "Bearer sk_other");
    auto o = std::make_shared<FakeResponder>();
    other.later(o);
    o->run();
    CHECK(o->streamed().empty());
    CHECK(o->done());
    CHECK(t.get("/v1/export").status == 401);
    CHECK(t.get("/v1/export", "Bearer pk_demo").status == 401);
    CHECK(t.post("/v1/export", "").status == 405);
  }
}
