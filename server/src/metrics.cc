// Metrics; see metrics.h. Names follow Prometheus conventions: ashna_ prefix, _total counters,
// _seconds for durations.
#include "metrics.h"

namespace ashna::server {
namespace {

// Request latencies: from sub-millisecond reads to multi-second stalls.
const std::vector<double> kLatencyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

}  // namespace

void Metrics::record_request(std::string_view route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), status}];
  auto it = latency_.find(std::string(route));
  if (it == latency_.end()) it = latency_.emplace(std::string(route), Histogram(kLatencyBounds)).first;
  it->second.observe(seconds);
}

void Metrics::record_sync(std::size_t events) {
  std::lock_guard lock(mutex_);
  sync_events_.observe(static_cast<double>(events));
}

std::string Metrics::render(const GroupCommitStats& c, std::size_t feed_waiters) const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP ashna_http_requests_total Requests answered, by route pattern and status.\n";
  out += "# TYPE ashna_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out += "ashna_http_requests_total{route=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"} " +
           std::to_string(n) + "\n";
  out += "# HELP ashna_http_request_duration_seconds Time to produce the answer (a long-poll or stream: until it was handed to the session).\n";
  out += "# TYPE ashna_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_)
    out += h.render("ashna_http_request_duration_seconds", "route=\"" + route + "\",");
  out += "# HELP ashna_sync_events Events per sync delta.\n# TYPE ashna_sync_events histogram\n";
  out += sync_events_.render("ashna_sync_events");
  out += "# HELP ashna_store_write_jobs_total Write jobs run by the group committer.\n# TYPE ashna_store_write_jobs_total counter\n";
  out += "ashna_store_write_jobs_total " + std::to_string(c.jobs) + "\n";
  out += "# HELP ashna_store_failed_jobs_total Write jobs rolled back alone (their own error).\n# TYPE ashna_store_failed_jobs_total counter\n";
  out += "ashna_store_failed_jobs_total " + std::to_string(c.failed_jobs) + "\n";
  out += "# HELP ashna_store_commits_total Durable transactions committed.\n# TYPE ashna_store_commits_total counter\n";
  out += "ashna_store_commits_total " + std::to_string(c.commits) + "\n";
  out += "# HELP ashna_store_failed_commits_total Batches lost to a storage error.\n# TYPE ashna_store_failed_commits_total counter\n";
  out += "ashna_store_failed_commits_total " + std::to_string(c.failed_commits) + "\n";
  out += "# HELP ashna_store_queue_depth Write jobs waiting for the writer.\n# TYPE ashna_store_queue_depth gauge\n";
  out += "ashna_store_queue_depth " + std::to_string(c.queued) + "\n";
  out += "# HELP ashna_store_batch_size Write jobs per commit.\n# TYPE ashna_store_batch_size histogram\n";
  out += c.batch_size.render("ashna_store_batch_size");
  out += "# HELP ashna_store_commit_seconds Time in COMMIT (the fsync).\n# TYPE ashna_store_commit_seconds histogram\n";
  out += c.commit_seconds.render("ashna_store_commit_seconds");
  out += "# HELP ashna_feed_waiters Long-polls and SSE streams waiting for changes.\n# TYPE ashna_feed_waiters gauge\n";
  out += "ashna_feed_waiters " + std::to_string(feed_waiters) + "\n";
  return out;
}

}  // namespace ashna::server
