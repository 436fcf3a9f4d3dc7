// SqliteStore: the embedded default store. One connection in WAL mode with synchronous=FULL,
// serialized by a mutex (group commit of concurrent syncs is the next step, see docs).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store.h"

struct sqlite3;

namespace ashna::server {

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database at `path` and applies schema migrations.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  ~SqliteStore() override;

  Result<Site> site_by_publishable_key(std::string_view key) override;
  Result<Site> site_by_secret_hash(std::string_view secret_hash) override;
  Result<Site> ensure_site(std::string_view name, std::string_view publishable_key,
                           std::string_view secret_hash, std::string_view identity_secret,
                           std::int64_t now) override;
  Result<SyncOutcome> apply_sync(const Site& site, std::string_view token_hash,
                                 const Delta& delta, std::int64_t since, std::int64_t now) override;
  Result<std::string> identify(const Site& site, std::string_view token_hash, std::string_view anonymous_id,
                               std::string_view user_id, std::int64_t now) override;
  Result<StoredProfile> load_profile(const Site& site, std::string_view profile_id) override;
  Result<std::pair<std::string, std::int64_t>> erase(const Site& site, std::string_view profile_id,
                                                     std::int64_t epoch, std::int64_t now) override;

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  Status migrate();
  // Inside a transaction: the id a (possibly merged) profile id resolves to; "" when none.
  Result<std::string> resolve(const Site& site, std::string_view profile_id);
  // Inside a transaction: deletes what `epoch` erases and records the tombstone at `version`.
  Status erase_in(const Site& site, const std::string& profile, std::int64_t epoch, std::int64_t version,
                  std::int64_t now);
  // Inside a transaction: events and traits of `profile` after version `since`, not from `replica`.
  Status read_down(const Site& site, const std::string& profile, std::int64_t since,
                   const std::string& replica, std::int64_t version, SyncOutcome& out);
  Status exec(const char* sql);
  Result<Site> site_where(const char* sql, std::string_view arg);

  sqlite3* db_;
  std::mutex mutex_;
};

}  // namespace ashna::server
