// A real SqliteStore in a fresh temporary directory, with the demo site, for handler tests.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "ashna/codec.h"
#include "app.h"
#include "fake_responder.h"
#include "sha256.h"
#include "sqlite_store.h"

namespace ashna::server::testing {

struct TestApp {
  std::filesystem::path dir;
  std::unique_ptr<SqliteStore> store;
  std::int64_t clock = 1790000000000;
  ChangeNotifier notifier;  // before the store, which notifies it from its writer thread
  std::unique_ptr<App> app;

  TestApp() {
    std::random_device rd;
    dir = std::filesystem::temp_directory_path() / ("ashna-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    auto s = SqliteStore::open((dir / "test.db").string(), [this] { notifier.notify(); });
    if (!s) throw std::runtime_error(s.status().message());
    store = std::move(s.value());
    store->ensure_site("demo", "pk_demo", sha256_hex("sk_demo"), "is_demo", clock);
    app = std::make_unique<App>(App{*store, {dir / "static"}, [this] { return clock; }, &notifier});
  }
  ~TestApp() {
    app.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  Response post(const std::string& target, const std::string& body,
                const std::string& type = "application/json") {
    Request r{"POST", target, {{"content-type", type}}, body};
    return settle(handle_request(r, *app));
  }
  // A late answer (a sync is answered from its commit, on the store's writer thread) waited for
  // and returned like an immediate one, with the router's headers, as the session sends it.
  static Response settle(Response r) {
    if (!r.later) return r;
    auto out = std::make_shared<FakeResponder>();
    r.later(out);
    for (int i = 0; i < 50000 && !out->replied(); ++i) {
      out->run();
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    auto answer = out->replied();
    if (!answer) throw std::runtime_error("no late answer within 5 s");
    for (auto& [k, v] : r.headers) answer->headers.emplace(k, v);
    return *answer;
  }
  Response get(const std::string& target, const std::string& auth = "") {
    Request r{"GET", target, {}, ""};
    if (!auth.empty()) r.headers["authorization"] = auth;
    return handle_request(r, *app);
  }
};

// The JSON body of an answer (the test fails if it is not JSON).
inline nlohmann::json body_of(const Response& r) {
  auto j = ashna::parse_json(r.body);
  REQUIRE(j.is_ok());
  return j.value();
}
inline std::string error_code(const Response& r) { return body_of(r)["error"]["code"]; }

// A delta from replica r1 with one page view per id.
inline Delta delta_with(std::vector<std::string> ids, std::string profile = "p1") {
  Delta d{std::move(profile), "r1", {}, {}, ids.size()};
  for (auto& id : ids) {
    Event e;
    e.id = id;
    e.ts = 1790000000000;
    d.events.push_back(e);
  }
  return d;
}

inline std::string sync_body(const std::string& events, const std::string& profile = "p_test",
                             const std::string& token = "t_token_0123456789abcdef", int upto = 1,
                             const std::string& traits = "{}") {
  return R"({"v":1,"key":"pk_demo","token":")" + token + R"(","delta":{"profile":")" + profile +
         R"(","replica":"r1","upto":)" + std::to_string(upto) + R"(,"events":)" + events +
         R"(,"traits":)" + traits + "}}";
}

}  // namespace ashna::server::testing
