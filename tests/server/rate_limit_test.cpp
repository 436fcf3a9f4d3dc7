// Rate limits (issue 5): token buckets per key, 429 with Retry-After, bounded memory.
#include <catch2/catch.hpp>

#include "rate_limiter.h"
#include "test_app.h"

using namespace ashna::server;
using namespace ashna::server::testing;

TEST_CASE("a token bucket allows the burst, then the sustained rate", "[server][rate]") {
  RateLimiter limiter;
  const RateRule rule{2, 5};  // 2 per second, 5 at once
  std::int64_t t = 1000000;
  for (int i = 0; i < 5; ++i) CHECK_FALSE(limiter.take("a", rule, t).has_value());
  auto wait = limiter.take("a", rule, t);
  REQUIRE(wait.has_value());
  CHECK(*wait == 1);
  CHECK_FALSE(limiter.take("b", rule, t).has_value());  // other keys are not affected
  t += 500;                                              // half a second: one token back
  CHECK_FALSE(limiter.take("a", rule, t).has_value());
  CHECK(limiter.take("a", rule, t).has_value());
  t += 10000;  // a long pause refills to the burst, not beyond
  for (int i = 0; i < 5; ++i) CHECK_FALSE(limiter.take("a", rule, t).has_value());
  CHECK(limiter.take("a", rule, t).has_value());
  CHECK_FALSE(limiter.take("x", RateRule{0, 0}, t).has_value());  // 0 = unlimited

  SECTION("a slow rule asks for a longer wait") {
    const RateRule slow{0.1, 1};
    CHECK_FALSE(limiter.take("s", slow, t).has_value());
    CHECK(limiter.take("s", slow, t) == 10);
  }
  SECTION("a clock that goes backwards does not mint tokens") {
    CHECK(limiter.take("a", rule, t - 60000).has_value());
  }
}

TEST_CASE("memory stays bounded however many keys appear", "[server][rate]") {
  RateLimiter limiter(100);
  const RateRule rule{1, 2};
  for (int i = 0; i < 10000; ++i) limiter.take("k" + std::to_string(i), rule, 1000000 + i);
  CHECK(limiter.keys() <= 100);
  // A drained bucket that is still recent survives the eviction of full ones.
  RateLimiter small(3);
  small.take("busy", rule, 0);
  small.take("busy", rule, 0);
  small.take("idle1", rule, 0);
  small.take("idle2", rule, 0);
  small.take("new", rule, 10000);  // idle ones have refilled by now: they go first
  CHECK(small.take("busy", rule, 10000) == std::nullopt);  // refilled too (10 s at 1/s)
  CHECK(small.keys() <= 3);
}

TEST_CASE("the backend API answers 429 with Retry-After per secret key", "[server][rate]") {
  TestApp t;
  t.app->limits.secret_key = RateRule{1, 3};
  for (int i = 0; i < 3; ++i) CHECK(t.get("/v1/changes", "Bearer sk_demo").status == 200);
  Response limited = t.get("/v1/changes", "Bearer sk_demo");
  REQUIRE(limited.status == 429);
  CHECK(error_code(limited) == "rate_limited");
  CHECK(limited.headers["retry-after"] == "1");
  CHECK(body_of(limited)["error"]["message"] == "too many requests for this secret key; retry after 1 s");
  // Unknown keys are refused as before (401), not counted against the real one.
  CHECK(t.get("/v1/changes", "Bearer sk_other").status == 401);
  t.clock += 1000;
  CHECK(t.get("/v1/changes", "Bearer sk_demo").status == 200);
}
