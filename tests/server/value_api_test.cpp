// Issue 7 in the server: a site's model fitted from its profiles, served as GET /v1/model with an
// ETag, and per-profile value in GET /v1/profiles/{id}, the filtered listing and GET /v1/stats.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <set>
#include <sstream>

#include "ashna/json.h"
#include "refitter.h"
#include "site_cli.h"
#include "site_models.h"
#include "test_app.h"

using namespace ashna::server;
using namespace ashna::server::testing;
using nlohmann::json;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

// `n` customers buying over the year before the clock: a fifth buy once, the others come back
// at their own pace and some stop. Deterministic (fixed seed).
void seed_customers(TestApp& t, int n) {
  std::mt19937 rng(7);
  std::vector<std::string> lines;
  auto flush = [&] {
    if (lines.empty()) return;
    std::string body = "{\"events\":[";
    for (std::size_t i = 0; i < lines.size(); ++i) body += (i ? "," : "") + lines[i];
    Request r{"POST", "/v1/events", {{"content-type", "application/json"}, {"authorization", "Bearer sk_demo"}},
              body + "]}"};
    Response res = handle_request(r, *t.app);
    REQUIRE(res.status == 200);
    lines.clear();
  };
  for (int c = 0; c < n; ++c) {
    std::int64_t day = 365 - static_cast<int>(rng() % 300);  // first purchase, days before the clock
    const int orders = c % 5 == 0 ? 1 : 1 + static_cast<int>(rng() % 7);
    // Spend as the Gamma-Gamma model has it: each customer's rate nu ~ Gamma(q=4, rate 40), each
    // order ~ Gamma(p=6, rate nu): a mean order of about 80 that varies between customers.
    const double nu = std::gamma_distribution<double>(4.0, 1.0 / 40)(rng);
    std::gamma_distribution<double> order_value(6.0, 1.0 / nu);
    for (int k = 0; k < orders && day > 0; ++k) {
      const std::int64_t ts = t.clock - day * kDay;
      lines.push_back(R"({"customer":"cust-)" + std::to_string(c) + R"(","event":{"id":"o-)" + std::to_string(c) +
                      "-" + std::to_string(k) + R"(","type":"purchase","ts":)" + std::to_string(ts) +
                      R"(,"channel":"store","lines":[{"id":"sku-)" + std::to_string(rng() % 20) +
                      R"(","price":)" + std::to_string(std::round(order_value(rng) * 100) / 100) + "}]}}");
      day -= 5 + static_cast<int>(rng() % 60);
      if (lines.size() == 400) flush();
    }
  }
  flush();
}

Site demo(TestApp& t) { return t.store->site_by_publishable_key("pk_demo").value(); }

}  // namespace

TEST_CASE("GET /v1/model serves the defaults, then the fitted model, with a working ETag", "[server][value]") {
  TestApp t;
  Response before = t.get("/v1/model?key=pk_demo");
  REQUIRE(before.status == 200);
  CHECK(body_of(before)["fitted_at"] == 0);
  CHECK(body_of(before)["value"].is_null());
  const std::string etag = before.headers["etag"];
  REQUIRE(etag.size() > 2);
  CHECK(before.headers["cache-control"] == "public, max-age=300");

  Request again{"GET", "/v1/model?key=pk_demo", {{"if-none-match", etag}}, ""};
  Response same = handle_request(again, *t.app);
  CHECK(same.status == 304);
  CHECK(same.body.empty());

  seed_customers(t, 300);
  auto fit = fit_site(*t.store, demo(t), t.clock);
  REQUIRE(fit.is_ok());
  CHECK(fit->profiles == 300);
  INFO(fit->model.value_note);
  REQUIRE(fit->model.bgnbd.has_value());

  Response after = handle_request(again, *t.app);  // the old ETag no longer matches
  REQUIRE(after.status == 200);
  CHECK(after.headers["etag"] != etag);
  json m = body_of(after);
  CHECK(m["customers"] == 300);
  CHECK(m["value"]["bgnbd"]["r"].get<double>() > 0);
  CHECK(m["value"]["tier_p80"].get<double>() >= m["value"]["tier_median"].get<double>());
  // Breakpoints keep every score reachable: strictly ordered.
  for (int k = 1; k < 4; ++k) {
    CHECK(m["rfm"]["recency_days"][k] < m["rfm"]["recency_days"][k - 1]);
    CHECK(m["rfm"]["frequency"][k] > m["rfm"]["frequency"][k - 1]);
    CHECK(m["rfm"]["monetary"][k] > m["rfm"]["monetary"][k - 1]);
  }
  // What is stored reads back to the same model.
  auto back = site_model_from_json(after.body);
  REQUIRE(back.is_ok());
  CHECK(back->bgnbd->a == Approx(fit->model.bgnbd->a).epsilon(1e-5));

  CHECK(error_code(t.get("/v1/model")) == "missing_key");
  CHECK(error_code(t.get("/v1/model?key=pk_nobody")) == "invalid_key");
  Request post{"POST", "/v1/model?key=pk_demo", {{"content-type", "application/json"}}, "{}"};
  CHECK(handle_request(post, *t.app).status == 405);
}

TEST_CASE("profiles carry views and value; the listing filters and pages without gaps", "[server][value]") {
  TestApp t;
  seed_customers(t, 200);
  auto fit = fit_site(*t.store, demo(t), t.clock);
  REQUIRE(fit.is_ok());

  // Every profile, in pages of 7: each exactly once.
  std::vector<json> all;
  std::string after;
  for (int page = 0; page < 100; ++page) {
    json b = body_of(t.get("/v1/profiles?limit=7" + (after.empty() ? "" : "&after=" + after), "Bearer sk_demo"));
    for (auto& p : b["profiles"]) all.push_back(p);
    if (b["next"].is_null()) break;
    after = b["next"];
  }
  REQUIRE(all.size() == 200);
  std::set<std::string> ids;
  for (auto& p : all) ids.insert(p["id"].get<std::string>());
  CHECK(ids.size() == 200);

  // The single profile view agrees with its listing row.
  json one = body_of(t.get("/v1/profiles/" + all[3]["id"].get<std::string>(), "Bearer sk_demo"));
  REQUIRE(one.contains("views"));
  CHECK(one["views"]["rfm"]["segment"] == all[3]["segment"]);
  CHECK(one["views"]["value"]["scored"] == true);
  CHECK(one["views"]["value"]["p_alive"] == all[3]["value"]["p_alive"]);
  double p_alive = one["views"]["value"]["p_alive"];
  CHECK(p_alive >= 0);
  CHECK(p_alive <= 1);

  // Filters: every row matches, and the filtered set is exactly the matching subset of all.
  auto count_if = [&](auto pred) {
    std::size_t n = 0;
    for (auto& p : all) n += pred(p) ? 1 : 0;
    return n;
  };
  json high = body_of(t.get("/v1/profiles?tier=high&limit=500", "Bearer sk_demo"));
  CHECK(high["profiles"].size() == count_if([](const json& p) { return p["value"]["tier"] == "high"; }));
  CHECK(high["profiles"].size() > 20);  // about the top fifth
  for (auto& p : high["profiles"]) CHECK(p["value"]["tier"] == "high");

  json slipping = body_of(t.get("/v1/profiles?tier=high,medium&max_p_alive=0.5&limit=500", "Bearer sk_demo"));
  REQUIRE(slipping.contains("error"));  // tier takes one value
  json at_risk = body_of(t.get("/v1/profiles?segment=at_risk,cant_lose,hibernating&max_p_alive=0.6&limit=500",
                               "Bearer sk_demo"));
  CHECK(at_risk["profiles"].size() == count_if([](const json& p) {
          std::string s = p["segment"];
          return (s == "at_risk" || s == "cant_lose" || s == "hibernating") && p["value"]["p_alive"] <= 0.6;
        }));
  json recent = body_of(t.get("/v1/profiles?active_within_days=30&limit=500", "Bearer sk_demo"));
  for (auto& p : recent["profiles"]) CHECK(t.clock - p["last_activity"].get<std::int64_t>() <= 31 * kDay);

  SECTION("bad filters are named") {
    CHECK(error_code(t.get("/v1/profiles?segment=whales", "Bearer sk_demo")) == "invalid_field");
    CHECK(body_of(t.get("/v1/profiles?segment=whales", "Bearer sk_demo"))["error"]["message"].get<std::string>().find(
              "segment:") == 0);
    CHECK(error_code(t.get("/v1/profiles?max_p_alive=1.5", "Bearer sk_demo")) == "invalid_field");
    CHECK(error_code(t.get("/v1/profiles?limit=0", "Bearer sk_demo")) == "invalid_field");
    CHECK(error_code(t.get("/v1/profiles?after=%3Cimg%3E", "Bearer sk_demo")) == "invalid_field");
    CHECK(t.get("/v1/profiles").status == 401);
    CHECK(t.get("/v1/stats", "Bearer pk_demo").status == 401);
  }
}

TEST_CASE("GET /v1/stats adds up and keeps the history of fits", "[server][value]") {
  TestApp t;
  seed_customers(t, 150);
  REQUIRE(fit_site(*t.store, demo(t), t.clock).is_ok());
  t.clock += 7 * kDay;
  REQUIRE(fit_site(*t.store, demo(t), t.clock).is_ok());
  json s = body_of(t.get("/v1/stats", "Bearer sk_demo"));
  CHECK(s["profiles"] == 150);
  CHECK(s["complete"] == true);
  std::size_t in_segments = 0, in_grid = 0, in_histogram = 0;
  for (auto& [name, n] : s["segments"].items()) in_segments += n.get<std::size_t>();
  for (auto& row : s["grid"])
    for (auto& n : row) in_grid += n.get<std::size_t>();
  for (auto& n : s["clv"]["counts"]) in_histogram += n.get<std::size_t>();
  CHECK(in_segments == 150);
  CHECK(in_grid == 150);  // every seeded profile bought
  CHECK(in_histogram == 150);
  CHECK(s["alive"].size() == 150);
  REQUIRE(s["history"].size() == 2);
  CHECK(s["history"][1]["fitted_at"] == t.clock);
  std::size_t total = 0;
  for (auto& [name, n] : s["history"][1]["segments"].items()) total += n.get<std::size_t>();
  CHECK(total == 150);
}

TEST_CASE("the refitter fits stale and never-fitted sites, and leaves fresh ones", "[server][value]") {
  TestApp t;
  seed_customers(t, 60);
  Refitter refitter(*t.store, std::chrono::hours(24), [&t] { return t.clock; }, {}, std::chrono::seconds(3600));
  CHECK(refitter.refit_stale() == 1);  // never fitted
  CHECK(refitter.refit_stale() == 0);  // fresh
  t.clock += 25 * 3600 * 1000LL;
  CHECK(refitter.refit_stale() == 1);  // a day old
  auto history = t.store->model_history(demo(t), 10);
  REQUIRE(history.is_ok());
  CHECK(history->size() == 2);
}

TEST_CASE("`fit-value --site` fits and prints the model; bad usage is explained", "[server][value]") {
  TestApp t;
  seed_customers(t, 40);
  const std::string db = (t.dir / "test.db").string();
  std::ostringstream out, err;
  CHECK(run_fit_site({"--site", "pk_demo", "--db", db}, out, err) == 0);
  json printed = json::parse(out.str());
  CHECK(printed["profiles"] == 40);
  CHECK(printed["model"]["customers"] == 40);
  CHECK(err.str().find("profiles read: 40") != std::string::npos);
  CHECK(body_of(t.get("/v1/model?key=pk_demo"))["customers"] == 40);  // the server serves it

  std::ostringstream out2, err2;
  CHECK(run_fit_site({"--site", "pk_nobody", "--db", db}, out2, err2) == 1);
  CHECK(err2.str().find("no site with publishable key 'pk_nobody'") != std::string::npos);
  CHECK(run_fit_site({"--site"}, out2, err2) == 2);
}

TEST_CASE("the dashboard is served from the binary under a strict CSP", "[server][value]") {
  TestApp t;
  Response page = t.get("/dashboard/");
  REQUIRE(page.status == 200);
  CHECK(page.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(page.headers["content-security-policy"].find("script-src 'self';") != std::string::npos);
  CHECK(page.body.find("<script src=\"/dashboard/dashboard.js\"") != std::string::npos);
  Response js = t.get("/dashboard/dashboard.js");
  REQUIRE(js.status == 200);
  CHECK(js.headers["content-type"] == "text/javascript; charset=utf-8");
  CHECK(js.body.find("innerHTML") == std::string::npos);  // everything goes in as text
  Request again{"GET", "/dashboard/dashboard.js", {{"if-none-match", js.headers["etag"]}}, ""};
  CHECK(handle_request(again, *t.app).status == 304);
  CHECK(t.get("/dashboard").status == 308);
  CHECK(t.get("/dashboard/../ashna.db").status == 404);
  CHECK(t.get("/dashboard/secret.txt").status == 404);
  Request post{"POST", "/dashboard/", {{"content-type", "text/plain"}}, "x"};
  CHECK(handle_request(post, *t.app).status == 405);
}

TEST_CASE("a stored model keeps its parameters exactly", "[server][value]") {
  ashna::SiteModel m;
  m.fitted_at = 1790000000000;
  m.bgnbd = ashna::BgNbdParams{2.0611536224385579e-09, 4.414, 0.793, 485165195.40979};
  m.spend = ashna::GammaGammaParams{6.25, 3.74, 1.0 / 3};
  m.tier_median = 0.1234567891234;
  m.tier_p80 = 3e-7;
  auto back = site_model_from_json(ashna::to_json(m));
  REQUIRE(back.is_ok());
  CHECK(back->bgnbd->r == m.bgnbd->r);
  CHECK(back->bgnbd->b == m.bgnbd->b);
  CHECK(back->spend->gamma == m.spend->gamma);
  CHECK(back->tier_median == m.tier_median);
  CHECK(back->tier_p80 == m.tier_p80);
}

TEST_CASE("the fit ships a bounded population model with the site model: popularity and often bought with",
          "[server][value][population]") {
  TestApp t;
  // 40 customers, each with two orders: beans with a filter (30 of them), beans alone, or a mug
  // with a spoon; so beans are the most bought and a filter their best partner.
  std::string body = "{\"events\":[";
  for (int c = 0; c < 40; ++c) {
    const std::string who = R"({"customer":"c)" + std::to_string(c) + R"(","event":{"type":"purchase","channel":"store","ts":)";
    const std::string first = c < 30 ? R"([{"id":"beans","price":9},{"id":"filter","price":4}])" : R"([{"id":"mug","price":12},{"id":"spoon","price":3}])";
    for (int k = 0; k < 2; ++k)
      body += (c || k ? "," : "") + who + std::to_string(t.clock - (10 + 20 * k) * kDay) + R"(,"id":"o)" +
              std::to_string(c) + "-" + std::to_string(k) + R"(","lines":)" +
              (k == 0 ? first : std::string(R"([{"id":"beans","price":9}])")) + "}}";
  }
  Request post{"POST", "/v1/events", {{"content-type", "application/json"}, {"authorization", "Bearer sk_demo"}}, body + "]}"};
  REQUIRE(handle_request(post, *t.app).status == 200);
  auto fit = fit_site(*t.store, demo(t), t.clock);
  REQUIRE(fit.is_ok());
  CHECK(fit->population_baskets == 80);

  json m = body_of(t.get("/v1/model?key=pk_demo"));
  const json& p = m["population"];
  CHECK(p["baskets"] == 80);
  REQUIRE(p["popular"].size() == 4);
  CHECK(p["popular"][0] == "beans");  // in 70 of the 80 orders
  CHECK(p["related"]["beans"][0][0] == "filter");
  CHECK(p["related"]["beans"][0][1].get<double>() > 0.5);
  CHECK(p["related"]["mug"][0][0] == "spoon");
  CHECK(p["related"]["spoon"][0][0] == "mug");
  // The value model reads back as before: the population sits beside it.
  CHECK(site_model_from_json(m.dump()).is_ok());
}
