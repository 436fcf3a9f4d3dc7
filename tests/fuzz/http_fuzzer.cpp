// libFuzzer target: arbitrary bytes as one HTTP/1.1 request, in process and without sockets.
// The bytes go through Beast's request parser with the server's own limits (Limits::kMaxBodyBytes,
// kMaxHeaderBytes) and, when they make a complete request, through handle_request() (router,
// checks, every handler) against a real SqliteStore in a temporary file with the demo site; late
// answers (syncs answered from the commit, long-polls, streams) are driven to their end.
// Checks besides "no crash, no sanitizer report, no uncaught exception": every answer has a status
// in 100..599, and every 4xx/5xx JSON error has the documented shape {"error":{"code","message"}}.
// The store keeps what earlier inputs wrote, so later inputs meet existing profiles; a crash is
// replayed on a fresh store (it is kept in build/fuzz/crashes/ and belongs in the seed corpus).
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>

#include "app.h"
#include "ashna/codec.h"
#include "ashna/json.h"
#include "beast_request.h"
#include "fake_responder.h"
#include "sha256.h"
#include "sqlite_store.h"

namespace http = boost::beast::http;
using namespace ashna::server;

namespace {

struct World {
  std::filesystem::path dir;
  ChangeNotifier notifier;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<App> app;
  std::int64_t clock = 1790000000000;
};
World* world = nullptr;

void setup() {
  world = new World;
  // /dev/shm when there is one: the store commits with synchronous=FULL, and fsync there is free.
  std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  world->dir = base / ("ashna-http-fuzz-" + std::to_string(::getpid()));
  std::filesystem::remove_all(world->dir);
  std::filesystem::create_directories(world->dir / "static");
  auto s = SqliteStore::open((world->dir / "fuzz.db").string(), [] { world->notifier.notify(); });
  if (!s) std::abort();
  world->store = std::move(s.value());
  world->store->ensure_site("demo", "pk_demo", sha256_hex("sk_demo"), "is_demo", world->clock);
  world->app = std::make_unique<App>(App{*world->store, {world->dir / "static"}, [] { return world->clock; },
                                         &world->notifier});
  world->app->limits = RateLimits{{0, 0}, {0, 0}, {0, 0}};  // rates are not what is fuzzed here
  std::atexit([] {
    world->app.reset();
    world->store.reset();
    std::error_code ec;
    std::filesystem::remove_all(world->dir, ec);
  });
}

void check(const Response& r) {
  if (r.status < 100 || r.status > 599) __builtin_trap();
  auto type = r.headers.find("content-type");
  if (r.status >= 400 && type != r.headers.end() && type->second == "application/json") {
    auto j = ashna::parse_json(r.body);
    if (!j || !j->is_object() || j->size() != 1 || !j->contains("error")) __builtin_trap();
    const auto& e = j.value()["error"];
    if (!e.is_object() || !e.contains("code") || !e["code"].is_string() || !e.contains("message") ||
        !e["message"].is_string())
      __builtin_trap();
  }
}

// A late answer, driven as the session would: timers fire at once (a long-poll's wait ends, a
// stream's heartbeat is written), and a sync's commit is waited for (a bounded time).
void settle(Response r) {
  if (!r.later) return check(r);
  auto out = std::make_shared<ashna::server::testing::FakeResponder>();
  r.later(out);
  for (int i = 0; i < 20000 && !out->done(); ++i) {
    out->run(std::chrono::hours(1));
    if (!out->done()) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  if (auto answer = out->replied()) check(*answer);
  if (auto head = out->head()) check(*head);
  out->end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (!world) setup();
  // As session.cc reads a request: the same parser, the same limits.
  http::request_parser<http::string_body> parser;
  parser.body_limit(Limits::kMaxBodyBytes);
  parser.header_limit(static_cast<std::uint32_t>(Limits::kMaxHeaderBytes));
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t at = 0;
  while (!parser.is_done() && at < size) {
    std::size_t used = parser.put(boost::asio::buffer(data + at, size - at), ec);
    if (ec == http::error::need_more) ec = {};
    if (ec || used == 0) break;
    at += used;
  }
  // The input ends as a client closing its side would: a body without length ends there,
  // anything else unfinished is an error (partial_message), as in session.cc.
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  ++world->clock;
  settle(handle_request(to_plain(parser.release()), *world->app));
  return 0;
}
