// RateLimiter: token buckets by key (a device token, a site's key), so one client cannot take
// the server's capacity from the others. Time is passed in; thread-safe. Memory is bounded: when
// more than `max_keys` buckets exist, buckets that have refilled completely (they hold no
// information) are dropped, and if that is not enough, the least recently used ones.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ashna::server {

struct RateRule {
  double per_second = 0;  // sustained rate; 0 = unlimited
  double burst = 0;       // bucket size: requests allowed at once after a quiet spell
};

class RateLimiter {
 public:
  explicit RateLimiter(std::size_t max_keys = 100000) : max_keys_(max_keys) {}

  // Takes one token from `key`'s bucket. nullopt: allowed. Otherwise the whole seconds (>= 1)
  // until a token is available, for Retry-After.
  std::optional<int> take(std::string_view key, const RateRule& rule, std::int64_t now_ms);

  std::size_t keys() const;

 private:
  struct Bucket {
    RateRule rule;
    double tokens = 0;
    std::int64_t at = 0;  // when `tokens` was last brought up to date
    std::list<std::string>::iterator lru;
  };
  void evict(std::int64_t now_ms);

  std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> lru_;  // most recently used first
};

}  // namespace ashna::server
