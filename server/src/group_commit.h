// GroupCommitter: one writer thread runs the write jobs of many request threads in shared
// durable transactions ("group commit"). With synchronous=FULL each COMMIT costs an fsync; jobs
// that arrive while one commit is in flight are committed together by the next, so durable
// throughput grows with concurrency instead of being capped at one fsync per request.
//
// Each job runs inside its own SAVEPOINT, so a job that fails (bad token, unknown profile) rolls
// back alone and the rest of the batch still commits. run() returns only after the job's
// transaction has committed: a caller that acknowledges after run() acknowledges durable data.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "ashna/status.h"
#include "histogram.h"

struct sqlite3;

namespace ashna::server {

// The store's error code for a SQLite result code: the disk being full (storage_full) and the
// lock held by another process past the busy timeout (store_busy) are told apart, so clients are
// told when to retry; anything else is storage_error.
const char* storage_code(int sqlite_rc);

struct GroupCommitStats {
  std::uint64_t jobs = 0;            // jobs run (committed or rolled back)
  std::uint64_t failed_jobs = 0;     // jobs that returned an error and were rolled back alone
  std::uint64_t commits = 0;         // transactions committed
  std::uint64_t failed_commits = 0;  // batches lost to a storage error (every job in them failed)
  std::uint64_t queued = 0;          // jobs waiting right now
  Histogram batch_size{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}};
  Histogram commit_seconds{{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1}};
};

class GroupCommitter {
 public:
  // A write: runs on the writer thread with the write connection, inside a transaction and its
  // own savepoint. Returns ok to keep its writes, an error to roll them back.
  using Job = std::function<Status(sqlite3* db)>;

  // `db` must be open and stay open until this object is destroyed. `on_commit` runs on the
  // writer thread after every successful commit (keep it cheap: it delays the next batch).
  GroupCommitter(sqlite3* db, std::function<void()> on_commit);
  // Finishes the queued jobs, then stops the writer thread.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `job` and waits until its batch committed (ok or the job's own error), or failed to
  // commit (storage_error).
  Status run(Job job);
  // Queues `job` and returns at once; `done` gets the same outcome as run() would return, on the
  // writer thread after the commit (keep it short: the next batch waits for it). Lets a caller
  // wait for durability without holding a thread.
  void submit(Job job, std::function<void(Status)> done);
  GroupCommitStats stats() const;

 private:
  // Bounds one transaction, so a burst cannot make a commit (and the wait of its callers) huge.
  static constexpr std::size_t kMaxBatch = 512;

  struct Pending {
    Job job;
    std::function<void(Status)> done;
  };
  void loop();
  void run_batch(std::deque<Pending>& batch);

  sqlite3* db_;
  std::function<void()> on_commit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  GroupCommitStats stats_;  // guarded by mutex_
  std::thread writer_;      // last: starts after everything above is ready
};

}  // namespace ashna::server
