// libFuzzer target: the identity proof of POST /v1/identify (sync_handler.cc), through the real
// router against a SqliteStore in a temporary file, and HMAC-SHA256 itself (sha256.cc).
// Input: byte 0 chooses how the proof is made, then the user id, a '\n', and the rest.
//   0  the proof is the rest, as given                  accepted only if it is the right HMAC
//   1  the right HMAC with one character changed        403 invalid_proof
//   2  the right HMAC                                   200, the customer's profile
//   3  HMAC of the user under another secret (the rest)  403 invalid_proof
//   4  the right HMAC in upper case, or with spaces     refused (the proof is lower-case hex)
// Before each identify a sync binds a fresh device token to a fresh profile, so a refusal can
// only come from the proof or the user id. Also checks hmac_sha256 against RFC 2104 written out
// over sha256 (keys longer than a block are hashed first).
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
#include "fake_responder.h"
#include "sha256.h"
#include "sqlite_store.h"

using namespace ashna::server;

namespace {

constexpr const char* kIdentitySecret = "is_demo";

struct World {
  std::filesystem::path dir;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<App> app;
  std::int64_t clock = 1790000000000;
  std::uint64_t n = 0;
};
World* world = nullptr;

void setup() {
  world = new World;
  std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  world->dir = base / ("ashna-identity-fuzz-" + std::to_string(::getpid()));
  std::filesystem::remove_all(world->dir);
  std::filesystem::create_directories(world->dir);
  auto s = SqliteStore::open((world->dir / "fuzz.db").string());
  if (!s) std::abort();
  world->store = std::move(s.value());
  world->store->ensure_site("demo", "pk_demo", sha256_hex("sk_demo"), kIdentitySecret, world->clock);
  world->app = std::make_unique<App>(App{*world->store, {}, [] { return world->clock; }, nullptr});
  world->app->limits = RateLimits{{0, 0}, {0, 0}, {0, 0}};
  std::atexit([] {
    world->app.reset();
    world->store.reset();
    std::error_code ec;
    std::filesystem::remove_all(world->dir, ec);
  });
}

Response post(const std::string& target, const std::string& body) {
  Response r = handle_request(Request{"POST", target, {{"content-type", "application/json"}}, body}, *world->app);
  if (!r.later) return r;
  auto out = std::make_shared<ashna::server::testing::FakeResponder>();
  r.later(out);
  for (int i = 0; i < 100000 && !out->replied(); ++i) std::this_thread::sleep_for(std::chrono::microseconds(20));
  auto answer = out->replied();
  if (!answer) __builtin_trap();  // a sync not answered within 2 s
  return *answer;
}

std::string error_code(const Response& r) {
  auto j = ashna::parse_json(r.body);
  if (!j || !j->is_object() || !j->contains("error")) return "";
  const auto& e = j.value()["error"];
  return e.is_object() && e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
}

// RFC 2104 written out, independent of hmac_sha256()'s own code.
std::string reference_hmac(std::string key, std::string_view message) {
  if (key.size() > 64) {
    auto k = sha256(key);
    key.assign(k.begin(), k.end());
  }
  key.resize(64, '\0');
  std::string inner(64, '\0'), outer(64, '\0');
  for (int i = 0; i < 64; ++i) {
    inner[i] = static_cast<char>(key[i] ^ 0x36);
    outer[i] = static_cast<char>(key[i] ^ 0x5c);
  }
  auto h = sha256(inner + std::string(message));
  return to_hex(sha256(outer + std::string(h.begin(), h.end())));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if (!world) setup();
  const int mode = data[0] % 5;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string_view user_in = in.substr(0, in.find('\n'));
  std::string_view rest = user_in.size() < in.size() ? in.substr(user_in.size() + 1) : std::string_view();

  // The HMAC itself, on arbitrary keys and messages.
  if (to_hex(hmac_sha256(rest, user_in)) != reference_hmac(std::string(rest), user_in)) __builtin_trap();

  // The user id as the server will read it (JSON text: invalid UTF-8 becomes U+FFFD).
  using json = nlohmann::json;
  const auto replace = json::error_handler_t::replace;
  std::string user = json::parse(json(std::string(user_in)).dump(-1, ' ', false, replace)).get<std::string>();
  const std::string right = to_hex(hmac_sha256(kIdentitySecret, user));
  std::string proof;
  switch (mode) {
    case 0: proof = std::string(rest); break;
    case 1: {
      proof = right;
      std::size_t at = rest.empty() ? 0 : static_cast<unsigned char>(rest[0]) % 64;
      char c = rest.size() > 1 ? rest[1] : 'x';
      proof[at] = c != proof[at] ? c : (c == '0' ? '1' : '0');
      break;
    }
    case 2: proof = right; break;
    case 3:
      if (rest == kIdentitySecret) return 0;
      proof = to_hex(hmac_sha256(rest, user));
      break;
    case 4: {
      proof = right;
      bool changed = false;
      for (char& c : proof)
        if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A'), changed = true;
      if (!changed) proof[0] = ' ';
      break;
    }
  }
  proof = json::parse(json(proof).dump(-1, ' ', false, replace)).get<std::string>();

  // A fresh device, bound to a fresh profile by its first sync.
  ++world->n;
  const std::string token = "t_identity_fuzz_" + std::to_string(world->n);
  const std::string profile = "p_identity_fuzz_" + std::to_string(world->n);
  Response bound = post("/v1/sync", R"({"v":1,"key":"pk_demo","token":")" + token + R"(","delta":{"profile":")" +
                                        profile + R"(","replica":"r1","upto":0,"events":[]}})");
  if (bound.status != 200) __builtin_trap();

  json body = {{"v", 1}, {"key", "pk_demo"}, {"token", token}, {"profile", profile}, {"user", user}, {"proof", proof}};
  Response r = post("/v1/identify", body.dump(-1, ' ', false, replace));
  const bool user_ok = !user.empty() && user.size() <= 256;
  const bool signed_right = proof == right;
  if (!user_ok) {
    if (r.status != 400 || error_code(r) != "invalid_field") __builtin_trap();
  } else if (signed_right) {
    if (r.status != 200) __builtin_trap();  // the right proof is accepted
  } else if (r.status == 200) {
    __builtin_trap();  // a wrong proof must never be accepted
  } else if (proof.size() == 64) {
    if (r.status != 403 || error_code(r) != "invalid_proof") __builtin_trap();
  } else if (r.status != 400 || error_code(r) != "invalid_field") {
    __builtin_trap();
  }
  if ((mode == 1 || mode == 4) && signed_right) __builtin_trap();  // the input builder is wrong
  ++world->clock;
  return 0;
}
