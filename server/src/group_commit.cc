// The writer thread of GroupCommitter. A batch is:
//   BEGIN IMMEDIATE
//   for each job:  SAVEPOINT job; <job>; RELEASE job        (on error: ROLLBACK TO job; RELEASE job)
//   COMMIT                                                  (the one fsync for the whole batch)
// and only then is each caller told its outcome.
#include "group_commit.h"

#include <sqlite3.h>

#include <chrono>

namespace ashna::server {
namespace {

bool exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

Status storage_error(sqlite3* db, const char* what) {
  return Status::error(storage_code(sqlite3_errcode(db)), std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

const char* storage_code(int sqlite_rc) {
  switch (sqlite_rc & 0xff) {
    case SQLITE_FULL: return "storage_full";
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return "store_busy";
    default: return "storage_error";
  }
}

GroupCommitter::GroupCommitter(sqlite3* db, std::function<void()> on_commit)
    : db_(db), on_commit_(std::move(on_commit)), writer_([this] { loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

Status GroupCommitter::run(Job job) {
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> done = promise->get_future();
  submit(std::move(job), [promise](Status s) { promise->set_value(std::move(s)); });
  return done.get();
}

void GroupCommitter::submit(Job job, std::function<void(Status)> done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(job), std::move(done)});
      ++stats_.queued;
      done = nullptr;
    }
  }
  if (done) return done(Status::error("storage_error", "the store is closing"));
  wake_.notify_one();
}

GroupCommitStats GroupCommitter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void GroupCommitter::loop() {
  for (;;) {
    std::deque<Pending> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has been run
      // Everything that queued up during the previous commit goes into this one.
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stats_.queued -= batch.size();
    }
    run_batch(batch);
  }
}

void GroupCommitter::run_batch(std::deque<Pending>& batch) {
  std::vector<Status> results(batch.size());
  Status batch_status;
  std::uint64_t failed_jobs = 0;
  if (!exec(db_, "BEGIN IMMEDIATE")) batch_status = storage_error(db_, "begin");
  for (std::size_t i = 0; i < batch.size() && batch_status; ++i) {
    if (!exec(db_, "SAVEPOINT job")) {
      batch_status = storage_error(db_, "savepoint");
      break;
    }
    Status s;
    try {
      s = batch[i].job(db_);
    } catch (const std::exception& e) {  // jobs do not throw by design; bad_alloc must not kill the writer
      s = Status::error("storage_error", std::string("write job failed: ") + e.what());
    }
    if (!s) {
      ++failed_jobs;
      // If SQLite itself rolled the whole transaction back (e.g. disk full), the batch is lost.
      if (sqlite3_get_autocommit(db_) || !exec(db_, "ROLLBACK TO job")) {
        batch_status = storage_error(db_, "rollback to savepoint");
        break;
      }
    }
    if (!exec(db_, "RELEASE job")) {
      batch_status = storage_error(db_, "release savepoint");
      break;
    }
    results[i] = std::move(s);
  }
  auto start = std::chrono::steady_clock::now();
  if (batch_status && !exec(db_, "COMMIT")) batch_status = storage_error(db_, "commit");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!batch_status && !sqlite3_get_autocommit(db_)) exec(db_, "ROLLBACK");
  {
    std::lock_guard lock(mutex_);
    stats_.jobs += batch.size();
    stats_.failed_jobs += failed_jobs;
    if (batch_status) {
      ++stats_.commits;
      stats_.batch_size.observe(static_cast<double>(batch.size()));
      stats_.commit_seconds.observe(seconds);
    } else {
      ++stats_.failed_commits;
    }
  }
  if (batch_status && on_commit_) on_commit_();
  for (std::size_t i = 0; i < batch.size(); ++i)
    batch[i].done(batch_status ? std::move(results[i]) : batch_status);
}

}  // namespace ashna::server
