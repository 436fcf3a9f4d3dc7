// Refitter: keeps every site's model fresh. A background thread wakes now and then and refits
// each site whose model is older than the interval (or was never fitted), so GET /v1/model and
// the value numbers in the API follow the customers without an operator's cron job.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ashna::server {

class SqliteStore;

class Refitter {
 public:
  // `interval` 0 disables it. The first check runs after `first_delay` (let the server start).
  Refitter(SqliteStore& store, std::chrono::hours interval, std::function<std::int64_t()> now,
           std::function<void(const std::string&)> log, std::chrono::seconds first_delay = std::chrono::seconds(10));
  ~Refitter();  // stops; waits for a fit in progress
  Refitter(const Refitter&) = delete;
  Refitter& operator=(const Refitter&) = delete;

  // One pass over all sites now; returns how many were refitted. For the thread and for tests.
  int refit_stale();

 private:
  void loop(std::chrono::seconds first_delay);

  SqliteStore& store_;
  std::chrono::hours interval_;
  std::function<std::int64_t()> now_;
  std::function<void(const std::string&)> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ashna::server
