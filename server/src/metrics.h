// Metrics: counters and histograms for GET /metrics, in Prometheus text format. Labels are
// bounded (routes are patterns, never raw paths), so the series count cannot grow with traffic.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "group_commit.h"
#include "histogram.h"

namespace ashna::server {

class Metrics {
 public:
  // One answered request: `route` is a pattern such as "/v1/profiles/{id}".
  void record_request(std::string_view route, int status, double seconds);
  // Events in one sync's delta (accepted or not).
  void record_sync(std::size_t events);
  // The text for GET /metrics; the store's group-commit figures and the change-feed waiters
  // are read at scrape time.
  std::string render(const GroupCommitStats& commits, std::size_t feed_waiters) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;  // by route
  Histogram sync_events_{{0, 1, 2, 5, 10, 20, 50, 100, 200, 500}};
};

}  // namespace ashna::server
