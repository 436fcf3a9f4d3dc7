// Group commit: concurrent writers share durable transactions, each is acknowledged only after
// its commit, and one failing job does not take its batch down.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <thread>

#include "test_app.h"

using namespace ashna;
using namespace ashna::server;
using namespace ashna::server::testing;

TEST_CASE("concurrent syncs are all acknowledged, all stored, in fewer commits than syncs", "[store][group_commit]") {
  TestApp t;
  auto site = t.store->site_by_publishable_key("pk_demo");
  REQUIRE(site.is_ok());
  const GroupCommitStats before = t.store->commit_stats();
  constexpr int kThreads = 32, kSyncsEach = 20;
  std::atomic<int> acked{0}, failed{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th)
    threads.emplace_back([&, th] {
      std::string profile = "p" + std::to_string(th);
      for (int i = 0; i < kSyncsEach; ++i) {
        auto out = t.store->apply_sync(site.value(), "hash" + std::to_string(th),
                                       delta_with({"e" + std::to_string(i)}, profile), 0, t.clock, {});
        (out.is_ok() && out->events_added == 1 ? acked : failed)++;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(failed == 0);
  CHECK(acked == kThreads * kSyncsEach);

  for (int th = 0; th < kThreads; ++th) {
    auto p = t.store->load_profile(site.value(), "p" + std::to_string(th));
    REQUIRE(p.is_ok());
    CHECK(p->profile.events().size() == kSyncsEach);
    CHECK(p->version == kSyncsEach);
  }
  const GroupCommitStats after = t.store->commit_stats();
  const auto jobs = after.jobs - before.jobs, commits = after.commits - before.commits;
  CHECK(jobs == kThreads * kSyncsEach);
  CHECK(commits < jobs);  // batching happened
  CHECK(after.failed_commits == 0);
  CHECK(after.batch_size.count == after.commits);
  CHECK(after.queued == 0);
  WARN("group commit: " << jobs << " syncs in " << commits << " commits");

  // Durable: another connection sees every event, and the op log has no gap.
  t.store.reset();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((t.dir / "test.db").string().c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM events), count(*), max(seq) - min(seq) + 1 FROM oplog", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == kThreads * kSyncsEach);
  CHECK(sqlite3_column_int(st, 1) == kThreads * kSyncsEach);
  CHECK(sqlite3_column_int(st, 2) == kThreads * kSyncsEach);
  sqlite3_finalize(st);
  sqlite3_close(db);
  auto reopened = SqliteStore::open((t.dir / "test.db").string());
  REQUIRE(reopened.is_ok());
  t.store = std::move(reopened.value());
}

TEST_CASE("a failing job rolls back alone; the rest of its batch commits", "[store][group_commit]") {
  TestApp t;
  auto site = t.store->site_by_publishable_key("pk_demo");
  REQUIRE(site.is_ok());
  REQUIRE(t.store->apply_sync(site.value(), "owner", delta_with({"e0"}, "shared"), 0, t.clock, {}).is_ok());
  // Half the threads use a token not bound to the profile: token_mismatch, rolled back; the other
  // half write their own profiles, possibly in the same batch.
  constexpr int kThreads = 16;
  std::atomic<int> ok{0}, mismatched{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th)
    threads.emplace_back([&, th] {
      bool bad = th % 2 == 0;
      auto out = t.store->apply_sync(site.value(), "tok" + std::to_string(th),
                                     delta_with({"x" + std::to_string(th)}, bad ? "shared" : "own" + std::to_string(th)),
                                     0, t.clock, {});
      if (out.is_ok()) ++ok;
      else if (out.status().code() == "token_mismatch") ++mismatched;
    });
  for (auto& th : threads) th.join();
  CHECK(ok == kThreads / 2);
  CHECK(mismatched == kThreads / 2);
  auto shared = t.store->load_profile(site.value(), "shared");
  REQUIRE(shared.is_ok());
  CHECK(shared->profile.events().size() == 1);  // nothing of the refused writes
  CHECK(t.store->commit_stats().failed_jobs == kThreads / 2);
  CHECK(t.store->commit_stats().failed_commits == 0);
}

TEST_CASE("HTTP syncs are answered from their commit, so one I/O thread fills a batch", "[server][group_commit]") {
  TestApp t;
  const auto before = t.store->commit_stats().commits;
  constexpr int kSyncs = 64;
  // One thread, like one I/O thread: handle_request returns before the commit, so the next
  // request is read while the writer is busy.
  std::vector<std::shared_ptr<FakeResponder>> outs;
  for (int i = 0; i < kSyncs; ++i) {
    std::string body = sync_body(R"([{"id":"e","type":"page_view","ts":1790000000000}])", "h" + std::to_string(i),
                                 "t_http_" + std::to_string(i) + "_0123456789abcdef");
    Response r = handle_request(Request{"POST", "/v1/sync", {{"content-type", "application/json"}}, body}, *t.app);
    REQUIRE(r.later);  // not answered yet: no thread waits for the fsync
    outs.push_back(std::make_shared<FakeResponder>());
    r.later(outs.back());
  }
  for (auto& out : outs)
    for (int spin = 0; spin < 50000 && !out->replied(); ++spin) std::this_thread::sleep_for(std::chrono::microseconds(100));
  for (auto& out : outs) {
    REQUIRE(out->replied());
    CHECK(out->replied()->status == 200);
  }
  const auto commits = t.store->commit_stats().commits - before;
  CHECK(commits < kSyncs);
  WARN("one thread: " << kSyncs << " HTTP syncs in " << commits << " commits");
}
