// RateLimiter; see rate_limiter.h.
#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace ashna::server {

std::optional<int> RateLimiter::take(std::string_view key, const RateRule& rule, std::int64_t now_ms) {
  if (rule.per_second <= 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) evict(now_ms);
    lru_.emplace_front(key);
    it = buckets_.emplace(std::string(key), Bucket{rule, rule.burst, now_ms, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Bucket& b = it->second;
  b.rule = rule;
  const double elapsed = static_cast<double>(std::max<std::int64_t>(0, now_ms - b.at)) / 1000.0;
  b.tokens = std::min(rule.burst, b.tokens + elapsed * rule.per_second);
  b.at = std::max(b.at, now_ms);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::nullopt;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rule.per_second)));
}

std::size_t RateLimiter::keys() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void RateLimiter::evict(std::int64_t now_ms) {
  // Full buckets first: forgetting them changes nothing (a new bucket starts full).
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = static_cast<double>(now_ms - it->second.at) / 1000.0;
    const RateRule& r = it->second.rule;
    if (it->second.tokens + elapsed * r.per_second >= r.burst) {
      lru_.erase(it->second.lru);
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  while (buckets_.size() >= max_keys_ && !lru_.empty()) {
    buckets_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace ashna::server
