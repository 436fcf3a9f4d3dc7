// SqliteStore: the embedded default store, SQLite in WAL mode with synchronous=FULL. Writes are
// jobs of a GroupCommitter (one writer thread, concurrent writes share one durable commit);
// reads use a small pool of read connections that run beside the writer.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "group_commit.h"
#include "store.h"

struct sqlite3;

namespace ashna::server {

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database at `path` and applies schema migrations.
  // `on_commit` runs on the writer thread after each commit (the change feed's wake-up call).
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   std::function<void()> on_commit = {});
  ~SqliteStore() override;

  Result<Site> site_by_publishable_key(std::string_view key) override;
  Result<Site> site_by_secret_hash(std::string_view secret_hash) override;
  Result<Site> ensure_site(std::string_view name, std::string_view publishable_key,
                           std::string_view secret_hash, std::string_view identity_secret,
                           std::int64_t now) override;
  Result<SyncOutcome> apply_sync(const Site& site, std::string_view token_hash,
                                 const Delta& delta, std::int64_t since, std::int64_t now,
                                 const std::vector<ConsentRecord>& consent) override;
  void apply_sync_async(const Site& site, std::string token_hash, Delta delta, std::int64_t since,
                        std::int64_t now, std::vector<ConsentRecord> consent,
                        std::function<void(Result<SyncOutcome>)> done) override;
  Result<std::vector<StoredConsent>> consent_log(const Site& site, std::string_view profile_id) override;
  Result<std::string> identify(const Site& site, std::string_view token_hash, std::string_view anonymous_id,
                               std::string_view user_id, std::int64_t now) override;
  Result<StoredProfile> load_profile(const Site& site, std::string_view profile_id) override;
  Result<Erasure> erase(const Site& site, std::string_view profile_id, std::int64_t epoch,
                        std::int64_t now) override;
  Result<IngestOutcome> ingest(const Site& site, const std::vector<IngestItem>& items,
                               std::int64_t now) override;
  Result<std::vector<Change>> changes(const Site& site, std::int64_t after, std::size_t limit) override;
  Result<std::vector<std::string>> profile_ids(const Site& site, std::string_view after_id,
                                               std::size_t limit) override;
  Status save_model(const Site& site, std::int64_t fitted_at, std::string_view body_json,
                    std::string_view segments_json) override;
  Result<std::string> latest_model(const Site& site) override;
  Result<std::vector<std::pair<std::int64_t, std::string>>> model_history(const Site& site,
                                                                          std::size_t limit) override;
  Status put_experiment(const Site& site, std::string_view key, std::string_view body, std::int64_t now) override;
  Status delete_experiment(const Site& site, std::string_view key) override;
  Result<std::vector<std::pair<std::string, std::string>>> experiments(const Site& site) override;
  GroupCommitStats commit_stats() const override;

  //--- Site administration (the `ashna-server site` CLI); not part of Store: no handler may do this.
  struct SiteInfo {
    Site site;
    std::string origins;  // space-separated origin allowlist (for CORS)
    std::int64_t secret_keys = 0;
    std::int64_t created = 0;
  };
  // invalid_argument when the publishable key is taken.
  Result<Site> create_site(std::string_view name, std::string_view publishable_key, std::string_view secret_hash,
                           std::string_view identity_secret, std::string_view origins, std::int64_t now);
  Result<std::vector<SiteInfo>> list_sites();
  // Adds a secret key (by hash) to the site; with `revoke_others`, in the same transaction every
  // other key of the site stops working. not_found for an unknown publishable key.
  Status add_secret_key(std::string_view publishable_key, std::string_view secret_hash, bool revoke_others,
                        std::int64_t now);

 private:
  class ReadLease;
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  Status migrate();
  // Inside a transaction: the id a (possibly merged) profile id resolves to; "" when none.
  Result<std::string> resolve(sqlite3* db, const Site& site, std::string_view profile_id);
  // Inside a transaction: deletes what `epoch` erases and records the tombstone at `version`.
  Status erase_in(sqlite3* db, const Site& site, const std::string& profile, std::int64_t epoch, std::int64_t version,
                  std::int64_t now);
  // Inside a transaction: events and traits of `profile` after version `since`, not from `replica`.
  Status read_down(sqlite3* db, const Site& site, const std::string& profile, std::int64_t since,
                   const std::string& replica, std::int64_t version, SyncOutcome& out);
  // The write job of a sync: everything apply_sync does, on the writer's connection.
  Status sync_job(sqlite3* db, const Site& site, std::string_view token_hash, const Delta& delta,
                  std::int64_t since, std::int64_t now, const std::vector<ConsentRecord>& consent, SyncOutcome& out);
  Result<Site> site_where(const char* sql, std::string_view arg);

  sqlite3* db_;  // the write connection: migrations, then only the committer's thread
  std::unique_ptr<GroupCommitter> committer_;
  std::vector<sqlite3*> all_readers_;
  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<sqlite3*> free_readers_;  // guarded by readers_mutex_
};

}  // namespace ashna::server
