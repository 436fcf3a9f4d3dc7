// SQLite store. Schema (user_version 9; migrations run in order on open):
//   sites(id, name, publishable_key UNIQUE, created, identity_secret, origins)
//   secret_keys(hash PK, site_id, created)            -- SHA-256 of the key, never the key
//   profiles(site_id, id, version, created, updated, customer, merged_into, erased, erased_version)
//   devices(token_hash PK, site_id, profile_id, created)
//   traits(site_id, profile_id, name, value, ts, replica, version, tick)   -- LWW registers
//   events(site_id, profile_id, id, ts, body, received, version, replica)  -- grow-only set by id
//   oplog(seq AUTOINCREMENT, site_id, profile_id, version, at, body) -- change feed, audit;
//     body: the accepted delta, {"identified":user}, {"merged":id}, {"erased":epoch} or redacted
//   consent_log(site_id, profile_id, ts, source, personalisation, analytics, marketing, policy,
//               received)                                           -- consent audit trail
//   site_models(site_id, fitted_at, body, segments)   -- fitted site models, newest served
//   experiments(site_id, key, body, updated)          -- the site's experiment definitions
// `version` on events and traits is the profile version that added them: a device that holds
// version v is sent everything after v (down-sync).
//
// Connections: one write connection, used only by the GroupCommitter's writer thread (every
// write is a job there, so concurrent syncs share one durable commit), and a few read
// connections; WAL lets readers run beside the writer, each read in its own snapshot.
#include "sqlite_store.h"

#include <sqlite3.h>

#include <chrono>
#include <map>
#include <mutex>

#include "ashna/codec.h"
#include "ashna/json.h"
#include "sha256.h"

namespace ashna::server {
namespace {

// Prepared statements, kept per connection and reused: compiling the SQL was most of the writer
// thread's time per sync (tests/load). Each is lent to one Stmt at a time; the store finalizes a
// connection's statements before it closes it.
class StatementPool {
 public:
  sqlite3_stmt* take(sqlite3* db, const char* sql) {
    {
      std::lock_guard lock(mutex_);
      auto it = idle_.find(Key{db, sql});
      if (it != idle_.end() && !it->second.empty()) {
        sqlite3_stmt* s = it->second.back();
        it->second.pop_back();
        return s;
      }
    }
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) == SQLITE_OK) return s;
    sqlite3_finalize(s);
    return nullptr;
  }
  void give(sqlite3_stmt* s) {
    sqlite3_reset(s);  // releases its locks; the next user binds afresh
    sqlite3_clear_bindings(s);
    std::lock_guard lock(mutex_);
    idle_[Key{sqlite3_db_handle(s), sqlite3_sql(s)}].push_back(s);
  }
  void forget(sqlite3* db) {
    std::lock_guard lock(mutex_);
    for (auto it = idle_.begin(); it != idle_.end();) {
      if (it->first.first != db) {
        ++it;
        continue;
      }
      for (sqlite3_stmt* s : it->second) sqlite3_finalize(s);
      it = idle_.erase(it);
    }
  }

 private:
  using Key = std::pair<sqlite3*, std::string>;
  std::mutex mutex_;
  std::map<Key, std::vector<sqlite3_stmt*>> idle_;
};

StatementPool& statements() {
  static StatementPool pool;
  return pool;
}

// One prepared statement from the pool, given back (reset) on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db), stmt_(statements().take(db, sql)) {}
  ~Stmt() {
    if (stmt_) statements().give(stmt_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  // Ready to run again with new bindings.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_ERROR; }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A trait row's value, ts, replica, tick, from column `first` on.
Trait stored_trait(const Stmt& s, int first) {
  return Trait{s.text(first), s.int64(first + 1), s.text(first + 2), 0,
               static_cast<std::uint32_t>(s.int64(first + 3))};
}

Status storage_error(sqlite3* db, std::string_view what) {
  return Status::error(storage_code(sqlite3_errcode(db)), std::string(what) + ": " + sqlite3_errmsg(db));
}

Status exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::error(storage_code(rc), msg);
  }
  return Status::ok();
}

// Opens one connection with the pragmas every connection needs.
Result<sqlite3*> open_connection(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status::error("storage_error", "cannot open database '" + path + "': " +
                                                  (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);  // another process (backup, CLI) may hold the lock briefly
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"})
    if (Status s = exec(db, pragma); !s) {
      sqlite3_close(db);
      return s;
    }
  return db;
}

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE sites(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  publishable_key TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL);
CREATE TABLE secret_keys(
  hash TEXT PRIMARY KEY,
  site_id INTEGER NOT NULL REFERENCES sites(id),
  created INTEGER NOT NULL);
CREATE TABLE profiles(
  site_id INTEGER NOT NULL REFERENCES sites(id),
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  PRIMARY KEY(site_id, id)) WITHOUT ROWID;
CREATE TABLE devices(
  token_hash TEXT PRIMARY KEY,
  site_id INTEGER NOT NULL,
  profile_id TEXT NOT NULL,
  created INTEGER NOT NULL);
CREATE TABLE traits(
  site_id INTEGER NOT NULL,
  profile_id TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  ts INTEGER NOT NULL,
  replica TEXT NOT NULL,
  PRIMARY KEY(site_id, profile_id, name)) WITHOUT ROWID;
CREATE TABLE events(
  site_id INTEGER NOT NULL,
  profile_id TEXT NOT NULL,
  id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  body TEXT NOT NULL,
  received INTEGER NOT NULL,
  PRIMARY KEY(site_id, profile_id, id)) WITHOUT ROWID;
CREATE TABLE oplog(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id INTEGER NOT NULL,
  profile_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  at INTEGER NOT NULL,
  body TEXT NOT NULL);
PRAGMA user_version = 1;
)sql";

// v2: identity (customer profiles, merges) and versions for down-sync.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE sites ADD COLUMN identity_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN customer TEXT;
ALTER TABLE profiles ADD COLUMN merged_into TEXT;
CREATE UNIQUE INDEX profiles_by_customer ON profiles(site_id, customer) WHERE customer IS NOT NULL;
ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN replica TEXT NOT NULL DEFAULT '';
CREATE INDEX events_by_version ON events(site_id, profile_id, version);
ALTER TABLE traits ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
PRAGMA user_version = 2;
)sql";

// v3: erasure tombstones.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE profiles ADD COLUMN erased INTEGER NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN erased_version INTEGER NOT NULL DEFAULT 0;
PRAGMA user_version = 3;
)sql";

// v4: the change feed reads one site's op log by seq.
constexpr const char* kSchemaV4 = R"sql(
CREATE INDEX oplog_by_site ON oplog(site_id, seq);
PRAGMA user_version = 4;
)sql";

// v5: the consent audit trail (issue 6). Never erased: it is the legal record of consent.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE consent_log(
  site_id INTEGER NOT NULL,
  profile_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  source TEXT NOT NULL,
  personalisation INTEGER NOT NULL,
  analytics INTEGER NOT NULL,
  marketing INTEGER NOT NULL,
  policy TEXT NOT NULL,
  received INTEGER NOT NULL,
  PRIMARY KEY(site_id, profile_id, ts, source)) WITHOUT ROWID;
PRAGMA user_version = 5;
)sql";

// v6: the origin allowlist of a site (space-separated origins, for CORS).
constexpr const char* kSchemaV6 = R"sql(
ALTER TABLE sites ADD COLUMN origins TEXT NOT NULL DEFAULT '';
PRAGMA user_version = 6;
)sql";

// v7: fitted site models (issue 7): the JSON GET /v1/model serves, and the segment sizes found.
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE site_models(
  site_id INTEGER NOT NULL,
  fitted_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  segments TEXT NOT NULL,
  PRIMARY KEY(site_id, fitted_at)) WITHOUT ROWID;
PRAGMA user_version = 7;
)sql";

// v8: experiment definitions (issue 9), delivered to browsers with the site model.
constexpr const char* kSchemaV8 = R"sql(
CREATE TABLE experiments(
  site_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  body TEXT NOT NULL,
  updated INTEGER NOT NULL,
  PRIMARY KEY(site_id, key)) WITHOUT ROWID;
PRAGMA user_version = 8;
)sql";

// v9: the hybrid logical clock's counter on traits (issue 4): orders writes within one ts.
constexpr const char* kSchemaV9 = R"sql(
ALTER TABLE traits ADD COLUMN tick INTEGER NOT NULL DEFAULT 0;
PRAGMA user_version = 9;
)sql";

// Every released step, in order; append new ones, never edit old ones.
constexpr const char* kMigrations[] = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4, kSchemaV5, kSchemaV6,
                                     kSchemaV7, kSchemaV8, kSchemaV9};
constexpr std::int64_t kSchemaVersion = std::size(kMigrations);
// Readers at once; more than the I/O threads plus a streaming export or two.
constexpr int kReaders = 4;
// A device that was offline long gets its backlog in slices: bounded work per request.
constexpr std::size_t kMaxDownEvents = 1000;

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       std::function<void()> on_commit) {
  auto writer = open_connection(path);
  if (!writer) return writer.status();
  std::unique_ptr<SqliteStore> store(new SqliteStore(writer.value()));
  if (Status s = store->migrate(); !s) return s;
  for (int i = 0; i < kReaders; ++i) {
    auto reader = open_connection(path);
    if (!reader) return reader.status();
    store->all_readers_.push_back(reader.value());
    store->free_readers_.push_back(reader.value());
    // A read connection never writes: a bug that tries gets an error, not a second writer.
    if (Status s = exec(reader.value(), "PRAGMA query_only=1"); !s) return s;
  }
  store->committer_ = std::make_unique<GroupCommitter>(store->db_, std::move(on_commit));
  return store;
}

SqliteStore::~SqliteStore() {
  committer_.reset();  // finishes queued writes before the connections close
  for (sqlite3* r : all_readers_) {
    statements().forget(r);
    sqlite3_close(r);
  }
  statements().forget(db_);
  sqlite3_close(db_);
}

GroupCommitStats SqliteStore::commit_stats() const {
  return committer_ ? committer_->stats() : GroupCommitStats{};
}

// A read connection for the lifetime of this object, inside one read transaction (a consistent
// snapshot across the several statements of one read).
class SqliteStore::ReadLease {
 public:
  explicit ReadLease(SqliteStore& store) : store_(store) {
    std::unique_lock lock(store_.readers_mutex_);
    store_.reader_free_.wait(lock, [this] { return !store_.free_readers_.empty(); });
    db_ = store_.free_readers_.back();
    store_.free_readers_.pop_back();
    lock.unlock();
    begun_ = exec(db_, "BEGIN").is_ok();
  }
  ~ReadLease() {
    if (begun_) exec(db_, "COMMIT");
    {
      std::lock_guard lock(store_.readers_mutex_);
      store_.free_readers_.push_back(db_);
    }
    store_.reader_free_.notify_one();
  }
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;
  sqlite3* db() const { return db_; }

 private:
  SqliteStore& store_;
  sqlite3* db_ = nullptr;
  bool begun_ = false;
};

Status SqliteStore::migrate() {
  Stmt v(db_, "PRAGMA user_version");
  if (v.step() != SQLITE_ROW) return storage_error(db_, "read schema version");
  std::int64_t version = v.int64(0);
  if (version > kSchemaVersion)
    return Status::error("storage_error", "database schema version " + std::to_string(version) +
                                              " is newer than this server understands (" +
                                              std::to_string(kSchemaVersion) + ")");
  // Each step in its own transaction: a crash mid-migration leaves the previous version intact.
  for (const char* step : kMigrations) {
    if (version-- > 0) continue;
    if (Status s = exec(db_, "BEGIN IMMEDIATE"); !s) return s;
    if (Status s = exec(db_, step); !s) {
      exec(db_, "ROLLBACK");
      return s;
    }
    if (Status s = exec(db_, "COMMIT"); !s) return s;
  }
  return Status::ok();
}

Result<Site> SqliteStore::site_where(const char* sql, std::string_view arg) {
  ReadLease read(*this);
  Stmt q(read.db(), sql);
  q.bind(1, arg);
  int rc = q.step();
  if (rc == SQLITE_DONE) return Status::error("not_found", "no such site");
  if (rc != SQLITE_ROW) return storage_error(read.db(), "read site");
  return Site{q.int64(0), q.text(1), q.text(2), q.text(3), q.text(4)};
}

Result<Site> SqliteStore::site_by_publishable_key(std::string_view key) {
  return site_where("SELECT id, name, publishable_key, identity_secret, origins FROM sites WHERE publishable_key = ?1", key);
}

Result<Site> SqliteStore::site_by_secret_hash(std::string_view hash) {
  return site_where(
      "SELECT s.id, s.name, s.publishable_key, s.identity_secret, s.origins FROM secret_keys k "
      "JOIN sites s ON s.id = k.site_id "
      "WHERE k.hash = ?1",
      hash);
}

Result<Site> SqliteStore::ensure_site(std::string_view name, std::string_view publishable_key,
                                      std::string_view secret_hash, std::string_view identity_secret,
                                      std::int64_t now) {
  Status written = committer_->run([&](sqlite3* db) -> Status {
    Stmt ins(db, "INSERT OR IGNORE INTO sites(name, publishable_key, created, identity_secret) VALUES(?1, ?2, ?3, ?4)");
    ins.bind(1, name).bind(2, publishable_key).bind(3, now).bind(4, identity_secret);
    Stmt key(db,
             "INSERT OR IGNORE INTO secret_keys(hash, site_id, created) "
             "SELECT ?1, id, ?3 FROM sites WHERE publishable_key = ?2");
    key.bind(1, secret_hash).bind(2, publishable_key).bind(3, now);
    // A site from before schema v2 has no identity secret yet.
    Stmt secret(db, "UPDATE sites SET identity_secret = ?2 WHERE publishable_key = ?1 AND identity_secret = ''");
    secret.bind(1, publishable_key).bind(2, identity_secret);
    if (ins.step() != SQLITE_DONE || key.step() != SQLITE_DONE || secret.step() != SQLITE_DONE)
      return storage_error(db, "create site");
    return Status::ok();
  });
  if (!written) return written;
  return site_by_publishable_key(publishable_key);
}

Result<SyncOutcome> SqliteStore::apply_sync(const Site& site, std::string_view token_hash,
                                            const Delta& delta, std::int64_t since, std::int64_t now,
                                            const std::vector<ConsentRecord>& consent) {
  SyncOutcome out;
  Status written = committer_->run(
      [&](sqlite3* db) { return sync_job(db, site, token_hash, delta, since, now, consent, out); });
  if (!written) return written;
  return out;
}

void SqliteStore::apply_sync_async(const Site& site, std::string token_hash, Delta delta, std::int64_t since,
                                   std::int64_t now, std::vector<ConsentRecord> consent,
                                   std::function<void(Result<SyncOutcome>)> done) {
  // The job owns its inputs and its outcome: the caller is gone by the time it runs.
  struct State {
    Site site;
    std::string token_hash;
    Delta delta;
    std::vector<ConsentRecord> consent;
    SyncOutcome out;
  };
  auto state = std::make_shared<State>(State{site, std::move(token_hash), std::move(delta), std::move(consent), {}});
  committer_->submit(
      [this, state, since, now](sqlite3* db) {
        return sync_job(db, state->site, state->token_hash, state->delta, since, now, state->consent, state->out);
      },
      [state, done = std::move(done)](Status s) {
        if (!s) return done(s);
        done(std::move(state->out));
      });
}

Status SqliteStore::sync_job(sqlite3* db, const Site& site, std::string_view token_hash, const Delta& delta,
                             std::int64_t since, std::int64_t now, const std::vector<ConsentRecord>& consent,
                             SyncOutcome& out) {
  out = SyncOutcome{};

  Stmt device(db, "SELECT site_id, profile_id FROM devices WHERE token_hash = ?1");
  device.bind(1, token_hash);
  int rc = device.step();
  bool bound = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return storage_error(db, "read device");
  if (bound && (device.int64(0) != site.id || device.text(1) != delta.profile_id))
    return Status::error("token_mismatch", "this device token belongs to another profile");

  Stmt prof(db, "SELECT version, erased, erased_version FROM profiles WHERE site_id = ?1 AND id = ?2");
  prof.bind(1, site.id).bind(2, delta.profile_id);
  rc = prof.step();
  std::int64_t erased = 0;
  if (rc == SQLITE_ROW) {
    if (!bound)
      return Status::error("token_mismatch",
                           "profile '" + delta.profile_id.substr(0, 64) + "' is bound to another device token");
    out.version = prof.int64(0);
    erased = prof.int64(1);
  } else if (rc == SQLITE_DONE) {
    Stmt create(db, "INSERT INTO profiles(site_id, id, version, created, updated) VALUES(?1, ?2, 0, ?3, ?3)");
    create.bind(1, site.id).bind(2, delta.profile_id).bind(3, now);
    Stmt bind(db, "INSERT INTO devices(token_hash, site_id, profile_id, created) VALUES(?1, ?2, ?3, ?4)");
    bind.bind(1, token_hash).bind(2, site.id).bind(3, delta.profile_id).bind(4, now);
    if (create.step() != SQLITE_DONE || bind.step() != SQLITE_DONE)
      return storage_error(db, "create profile");
    out.created = true;
  } else {
    return storage_error(db, "read profile");
  }

  // Events: a grow-only set keyed by id, so a replayed event is ignored by the primary key.
  // New rows carry the version this delta will create.
  const std::int64_t next_version = out.version + 1;
  Delta accepted{delta.profile_id, delta.replica, {}, {}, delta.upto, 0};
  bool erasing = delta.erased > erased;
  if (erasing) {
    if (Status s = erase_in(db, site, delta.profile_id, delta.erased, next_version, now); !s) return s;
    erased = accepted.erased = delta.erased;
  }
  Stmt one(db,
           "INSERT OR IGNORE INTO events(site_id, profile_id, id, ts, body, received, version, replica) "
           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  for (const Event& e : delta.events) {
    if (e.ts < erased) continue;  // the tombstone wins over anything older
    one.reset();
    one.bind(1, site.id).bind(2, delta.profile_id).bind(3, e.id).bind(4, e.ts).bind(5, to_json(e)).bind(6, now);
    one.bind(7, next_version).bind(8, delta.replica);
    if (one.step() != SQLITE_DONE) return storage_error(db, "insert event");
    if (sqlite3_changes(db) == 1) {
      ++out.events_added;
      accepted.events.push_back(e);
    }
  }
  // Traits: last-writer-wins, decided by the same rule the browser uses.
  for (const auto& [name, t] : delta.traits) {
    if (t.ts < erased) continue;
    Stmt cur(db, "SELECT value, ts, replica, tick FROM traits WHERE site_id = ?1 AND profile_id = ?2 AND name = ?3");
    cur.bind(1, site.id).bind(2, delta.profile_id).bind(3, name);
    rc = cur.step();
    if (rc == SQLITE_ROW && !lww_wins(t, stored_trait(cur, 0))) continue;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return storage_error(db, "read trait");
    Stmt up(db,
            "INSERT INTO traits(site_id, profile_id, name, value, ts, replica, version, tick) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(site_id, profile_id, name) DO UPDATE SET "
            "value = excluded.value, ts = excluded.ts, replica = excluded.replica, version = excluded.version, "
            "tick = excluded.tick");
    up.bind(1, site.id).bind(2, delta.profile_id).bind(3, name).bind(4, t.value).bind(5, t.ts).bind(6, t.replica);
    up.bind(7, next_version).bind(8, static_cast<std::int64_t>(t.tick));
    if (up.step() != SQLITE_DONE) return storage_error(db, "write trait");
    ++out.traits_changed;
    accepted.traits.emplace(name, t);
  }

  // Consent records: the audit trail. Kept even when older than a tombstone (unlike events):
  // the record of what the customer agreed to must outlive the data it covered.
  Stmt cons(db,
            "INSERT OR IGNORE INTO consent_log(site_id, profile_id, ts, source, personalisation, analytics, "
            "marketing, policy, received) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  for (const ConsentRecord& c : consent) {
    cons.reset();
    cons.bind(1, site.id).bind(2, delta.profile_id).bind(3, c.ts).bind(4, c.source);
    cons.bind(5, std::int64_t{c.personalisation}).bind(6, std::int64_t{c.analytics}).bind(7, std::int64_t{c.marketing});
    cons.bind(8, c.policy).bind(9, now);
    if (cons.step() != SQLITE_DONE) return storage_error(db, "insert consent");
    out.consent_added += static_cast<std::size_t>(sqlite3_changes(db));
  }

  if (out.events_added + out.traits_changed > 0 || out.created || erasing) {
    out.version = next_version;
    Stmt bump(db, "UPDATE profiles SET version = ?3, updated = ?4 WHERE site_id = ?1 AND id = ?2");
    bump.bind(1, site.id).bind(2, delta.profile_id).bind(3, out.version).bind(4, now);
    Stmt log(db, "INSERT INTO oplog(site_id, profile_id, version, at, body) VALUES(?1, ?2, ?3, ?4, ?5)");
    log.bind(1, site.id).bind(2, delta.profile_id).bind(3, out.version).bind(4, now).bind(5, to_json(accepted));
    if (bump.step() != SQLITE_DONE || log.step() != SQLITE_DONE)
      return storage_error(db, "write op log");
  }
  return read_down(db, site, delta.profile_id, since, delta.replica, out.version, out);
}

Status SqliteStore::read_down(sqlite3* db, const Site& site, const std::string& profile, std::int64_t since,
                              const std::string& replica, std::int64_t version, SyncOutcome& out) {
  out.down = Delta{profile, "server", {}, {}, 0, 0};
  out.down_version = version;
  if (since >= version) return Status::ok();
  Stmt tomb(db, "SELECT erased, erased_version FROM profiles WHERE site_id = ?1 AND id = ?2");
  tomb.bind(1, site.id).bind(2, profile);
  if (tomb.step() == SQLITE_ROW && tomb.int64(1) > since) out.down.erased = tomb.int64(0);
  Stmt ev(db,
          "SELECT body, version FROM events WHERE site_id = ?1 AND profile_id = ?2 AND version > ?3 "
          "AND replica != ?4 ORDER BY version, ts, id");
  ev.bind(1, site.id).bind(2, profile).bind(3, since).bind(4, replica);
  int rc;
  std::int64_t last_version = since;
  while ((rc = ev.step()) == SQLITE_ROW) {
    std::int64_t v = ev.int64(1);
    // Cut only between versions, so `down_version` is a point the device is complete up to.
    if (out.down.events.size() >= kMaxDownEvents && v != last_version) {
      out.more = true;
      out.down_version = last_version;
      break;
    }
    auto j = parse_json(ev.text(0));
    auto e = j ? event_from_json(j.value()) : Result<Event>(j.status());
    if (!e) return Status::error("storage_error", "stored event is corrupt: " + e.status().message());
    out.down.events.push_back(std::move(e.value()));
    last_version = v;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return storage_error(db, "read down events");
  Stmt tr(db,
          "SELECT name, value, ts, replica, tick FROM traits WHERE site_id = ?1 AND profile_id = ?2 AND version > ?3 "
          "AND version <= ?4");
  tr.bind(1, site.id).bind(2, profile).bind(3, since).bind(4, out.down_version);
  while ((rc = tr.step()) == SQLITE_ROW)
    out.down.traits.emplace(tr.text(0), stored_trait(tr, 1));
  if (rc != SQLITE_DONE) return storage_error(db, "read down traits");
  return Status::ok();
}

Status SqliteStore::erase_in(sqlite3* db, const Site& site, const std::string& profile, std::int64_t epoch,
                             std::int64_t version, std::int64_t now) {
  // The profile and every anonymous profile merged into it: erasure reaches every copy.
  // The consent_log is deliberately NOT erased: it is the legal record (GDPR art. 7(1): the
  // controller must be able to demonstrate consent), holds no behavioural data, and must survive
  // the erasure it may itself have led to.
  const char* scope = "site_id = ?1 AND (profile_id = ?2 OR profile_id IN "
                      "(SELECT id FROM profiles WHERE site_id = ?1 AND merged_into = ?2)) AND ts < ?3";
  for (const char* table : {"events", "traits"}) {
    Stmt del(db, (std::string("DELETE FROM ") + table + " WHERE " + scope).c_str());
    del.bind(1, site.id).bind(2, profile).bind(3, epoch);
    if (del.step() != SQLITE_DONE) return storage_error(db, "erase");
  }
  // The op log is the change feed: what it recorded of the erased data goes too. The rows stay
  // (with their seq), so feed cursors keep working and consumers learn that the profile changed.
  Stmt scrub(db, "UPDATE oplog SET body = '{\"redacted\":\"erased\"}' WHERE site_id = ?1 AND (profile_id = ?2 OR "
                 "profile_id IN (SELECT id FROM profiles WHERE site_id = ?1 AND merged_into = ?2))");
  scrub.bind(1, site.id).bind(2, profile);
  if (scrub.step() != SQLITE_DONE) return storage_error(db, "erase op log");
  Stmt mark(db, "UPDATE profiles SET erased = ?3, erased_version = ?4, version = ?4, updated = ?5 "
                 "WHERE site_id = ?1 AND id = ?2");
  mark.bind(1, site.id).bind(2, profile).bind(3, epoch).bind(4, version).bind(5, now);
  Stmt log(db, "INSERT INTO oplog(site_id, profile_id, version, at, body) VALUES(?1, ?2, ?3, ?4, ?5)");
  log.bind(1, site.id).bind(2, profile).bind(3, version).bind(4, now)
      .bind(5, "{\"erased\":" + std::to_string(epoch) + "}");
  if (mark.step() != SQLITE_DONE || log.step() != SQLITE_DONE) return storage_error(db, "record erasure");
  return Status::ok();
}

Result<std::string> SqliteStore::resolve(sqlite3* db, const Site& site, std::string_view profile_id) {
  std::string id(profile_id);
  for (int hops = 0; hops < 4; ++hops) {  // merges form short chains; bounded in case of a cycle
    Stmt q(db, "SELECT merged_into FROM profiles WHERE site_id = ?1 AND id = ?2");
    q.bind(1, site.id).bind(2, id);
    int rc = q.step();
    if (rc == SQLITE_DONE) return std::string();
    if (rc != SQLITE_ROW) return storage_error(db, "read profile");
    std::string next = q.text(0);
    if (next.empty()) return id;
    id = next;
  }
  return id;
}

Result<Erasure> SqliteStore::erase(const Site& site, std::string_view profile_id, std::int64_t epoch,
                                   std::int64_t now) {
  Erasure out;
  Status written = committer_->run([&](sqlite3* db) -> Status {
    auto id = resolve(db, site, profile_id);
    if (!id) return id.status();
    if (id->empty()) return Status::error("not_found", "no profile with this id");
    Stmt v(db, "SELECT version, erased FROM profiles WHERE site_id = ?1 AND id = ?2");
    v.bind(1, site.id).bind(2, id.value());
    if (v.step() != SQLITE_ROW) return storage_error(db, "read profile");
    out = Erasure{id.value(), v.int64(0) + 1, std::max(epoch, v.int64(1))};
    return erase_in(db, site, out.profile, out.epoch, out.version, now);
  });
  if (!written) return written;
  return out;
}

Result<std::string> SqliteStore::identify(const Site& site, std::string_view token_hash,
                                          std::string_view anonymous_id, std::string_view user_id,
                                          std::int64_t now) {
  std::string customer;
  Status written = committer_->run([&](sqlite3* db) -> Status {
    Stmt device(db, "SELECT profile_id FROM devices WHERE token_hash = ?1 AND site_id = ?2");
    device.bind(1, token_hash).bind(2, site.id);
    int rc = device.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return storage_error(db, "read device");
    if (rc == SQLITE_DONE || device.text(0) != anonymous_id)
      return Status::error("token_mismatch", "this device token is not bound to profile '" +
                                                 std::string(anonymous_id.substr(0, 64)) + "'");
    Stmt cust(db, "SELECT id, version FROM profiles WHERE site_id = ?1 AND customer = ?2");
    cust.bind(1, site.id).bind(2, user_id);
    rc = cust.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return storage_error(db, "read customer");
    customer = rc == SQLITE_ROW ? cust.text(0) : std::string();
    if (customer.empty()) {
      // First identify of this customer: the device's profile becomes theirs, nothing to merge.
      // A new version and a change-feed entry tell backend consumers whose profile this now is.
      Stmt claim(db, "UPDATE profiles SET customer = ?3, updated = ?4, version = version + 1 "
                     "WHERE site_id = ?1 AND id = ?2 RETURNING version");
      claim.bind(1, site.id).bind(2, anonymous_id).bind(3, user_id).bind(4, now);
      if (claim.step() != SQLITE_ROW) return storage_error(db, "claim profile");
      const std::int64_t version = claim.int64(0);
      std::string body = "{\"identified\":";
      append_json_string(body, user_id);
      body += '}';
      Stmt log(db, "INSERT INTO oplog(site_id, profile_id, version, at, body) VALUES(?1, ?2, ?3, ?4, ?5)");
      log.bind(1, site.id).bind(2, anonymous_id).bind(3, version).bind(4, now).bind(5, body);
      if (log.step() != SQLITE_DONE) return storage_error(db, "log identify");
      customer = std::string(anonymous_id);
    } else if (customer != anonymous_id) {
      // Merge: the anonymous profile's events and traits join the customer's under a new version,
      // so the customer's other devices receive them on their next sync.
      const std::int64_t version = cust.int64(1) + 1;
      Stmt events(db,
                  "INSERT OR IGNORE INTO events(site_id, profile_id, id, ts, body, received, version, replica) "
                  "SELECT site_id, ?3, id, ts, body, received, ?4, replica FROM events WHERE site_id = ?1 AND profile_id = ?2 "
                  // the customer's erasure wins over the anonymous profile's older data too
                  "AND ts >= (SELECT erased FROM profiles WHERE site_id = ?1 AND id = ?3)");
      events.bind(1, site.id).bind(2, anonymous_id).bind(3, customer).bind(4, version);
      if (events.step() != SQLITE_DONE) return storage_error(db, "merge events");
      Stmt traits(db, "SELECT name, value, ts, replica, tick FROM traits WHERE site_id = ?1 AND profile_id = ?2 "
                      "AND ts >= (SELECT erased FROM profiles WHERE site_id = ?1 AND id = ?3)");
      traits.bind(1, site.id).bind(2, anonymous_id).bind(3, customer);
      while ((rc = traits.step()) == SQLITE_ROW) {
        Trait t = stored_trait(traits, 1);
        Stmt cur(db, "SELECT value, ts, replica, tick FROM traits WHERE site_id = ?1 AND profile_id = ?2 AND name = ?3");
        cur.bind(1, site.id).bind(2, customer).bind(3, traits.text(0));
        int c = cur.step();
        if (c == SQLITE_ROW && !lww_wins(t, stored_trait(cur, 0))) continue;
        Stmt up(db,
                "INSERT INTO traits(site_id, profile_id, name, value, ts, replica, version, tick) "
                "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(site_id, profile_id, name) DO UPDATE SET "
                "value = excluded.value, ts = excluded.ts, replica = excluded.replica, "
                "version = excluded.version, tick = excluded.tick");
        up.bind(1, site.id).bind(2, customer).bind(3, traits.text(0)).bind(4, t.value).bind(5, t.ts).bind(6, t.replica);
        up.bind(7, version).bind(8, static_cast<std::int64_t>(t.tick));
        if (up.step() != SQLITE_DONE) return storage_error(db, "merge traits");
      }
      if (rc != SQLITE_DONE) return storage_error(db, "read traits");
      Stmt merged(db, "UPDATE profiles SET merged_into = ?3, updated = ?4 WHERE site_id = ?1 AND id = ?2");
      merged.bind(1, site.id).bind(2, anonymous_id).bind(3, customer).bind(4, now);
      Stmt rebind(db, "UPDATE devices SET profile_id = ?3 WHERE site_id = ?1 AND profile_id = ?2");
      rebind.bind(1, site.id).bind(2, anonymous_id).bind(3, customer);
      Stmt bump(db, "UPDATE profiles SET version = ?3, updated = ?4 WHERE site_id = ?1 AND id = ?2");
      bump.bind(1, site.id).bind(2, customer).bind(3, version).bind(4, now);
      std::string body = "{\"merged\":";
      append_json_string(body, anonymous_id);
      body += '}';
      Stmt log(db, "INSERT INTO oplog(site_id, profile_id, version, at, body) VALUES(?1, ?2, ?3, ?4, ?5)");
      log.bind(1, site.id).bind(2, customer).bind(3, version).bind(4, now).bind(5, body);
      if (merged.step() != SQLITE_DONE || rebind.step() != SQLITE_DONE || bump.step() != SQLITE_DONE ||
          log.step() != SQLITE_DONE)
        return storage_error(db, "merge profile");
    }
    return Status::ok();
  });
  if (!written) return written;
  return customer;
}

Result<StoredProfile> SqliteStore::load_profile(const Site& site, std::string_view requested_id) {
  ReadLease read(*this);
  sqlite3* db = read.db();
  StoredProfile out;
  auto resolved = resolve(db, site, requested_id);
  if (!resolved) return resolved.status();
  if (resolved->empty()) return Status::error("not_found", "no profile with this id");
  std::string profile_id = resolved.value();
  Stmt prof(db, "SELECT version, created, updated, erased FROM profiles WHERE site_id = ?1 AND id = ?2");
  prof.bind(1, site.id).bind(2, profile_id);
  int rc = prof.step();
  if (rc != SQLITE_ROW) return storage_error(db, "read profile");
  out.version = prof.int64(0);
  out.created = prof.int64(1);
  out.updated = prof.int64(2);
  out.erased = prof.int64(3);
  out.profile = Profile(profile_id);

  Stmt traits(db, "SELECT name, value, ts, replica, tick FROM traits WHERE site_id = ?1 AND profile_id = ?2");
  traits.bind(1, site.id).bind(2, profile_id);
  while ((rc = traits.step()) == SQLITE_ROW)
    out.profile.set_trait(traits.text(0), stored_trait(traits, 1));
  if (rc != SQLITE_DONE) return storage_error(db, "read traits");

  Stmt events(db, "SELECT body FROM events WHERE site_id = ?1 AND profile_id = ?2 ORDER BY ts, id");
  events.bind(1, site.id).bind(2, profile_id);
  while ((rc = events.step()) == SQLITE_ROW) {
    auto j = parse_json(events.text(0));
    if (!j) return Status::error("storage_error", "stored event is corrupt: " + j.status().message());
    auto e = event_from_json(j.value());
    if (!e) return Status::error("storage_error", "stored event is corrupt: " + e.status().message());
    out.profile.add_event(std::move(e.value()));
  }
  if (rc != SQLITE_DONE) return storage_error(db, "read events");
  return out;
}

Result<std::vector<Change>> SqliteStore::changes(const Site& site, std::int64_t after, std::size_t limit) {
  ReadLease read(*this);
  Stmt q(read.db(), "SELECT seq, profile_id, version, at, body FROM oplog WHERE site_id = ?1 AND seq > ?2 "
                    "ORDER BY seq LIMIT ?3");
  q.bind(1, site.id).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
  std::vector<Change> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back(Change{q.int64(0), q.text(1), q.int64(2), q.int64(3), q.text(4)});
  if (rc != SQLITE_DONE) return storage_error(read.db(), "read changes");
  return out;
}

Result<std::vector<std::string>> SqliteStore::profile_ids(const Site& site, std::string_view after_id,
                                                         std::size_t limit) {
  ReadLease read(*this);
  Stmt q(read.db(), "SELECT id FROM profiles WHERE site_id = ?1 AND id > ?2 AND merged_into IS NULL ORDER BY id LIMIT ?3");
  q.bind(1, site.id).bind(2, after_id).bind(3, static_cast<std::int64_t>(limit));
  std::vector<std::string> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back(q.text(0));
  if (rc != SQLITE_DONE) return storage_error(read.db(), "read profile ids");
  return out;
}

Status SqliteStore::save_model(const Site& site, std::int64_t fitted_at, std::string_view body_json,
                               std::string_view segments_json) {
  return committer_->run([&](sqlite3* db) -> Status {
    Stmt q(db, "INSERT OR REPLACE INTO site_models(site_id, fitted_at, body, segments) VALUES(?1, ?2, ?3, ?4)");
    q.bind(1, site.id).bind(2, fitted_at).bind(3, body_json).bind(4, segments_json);
    return q.step() == SQLITE_DONE ? Status::ok() : storage_error(db, "save model");
  });
}

Result<std::string> SqliteStore::latest_model(const Site& site) {
  ReadLease read(*this);
  Stmt q(read.db(), "SELECT body FROM site_models WHERE site_id = ?1 ORDER BY fitted_at DESC LIMIT 1");
  q.bind(1, site.id);
  int rc = q.step();
  if (rc == SQLITE_DONE) return Status::error("not_found", "this site has no fitted model yet");
  if (rc != SQLITE_ROW) return storage_error(read.db(), "read model");
  return q.text(0);
}

Result<std::vector<std::pair<std::int64_t, std::string>>> SqliteStore::model_history(const Site& site,
                                                                                     std::size_t limit) {
  ReadLease read(*this);
  Stmt q(read.db(), "SELECT fitted_at, segments FROM (SELECT fitted_at, segments FROM site_models "
                    "WHERE site_id = ?1 ORDER BY fitted_at DESC LIMIT ?2) ORDER BY fitted_at");
  q.bind(1, site.id).bind(2, static_cast<std::int64_t>(limit));
  std::vector<std::pair<std::int64_t, std::string>> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.emplace_back(q.int64(0), q.text(1));
  if (rc != SQLITE_DONE) return storage_error(read.db(), "read model history");
  return out;
}

Status SqliteStore::put_experiment(const Site& site, std::string_view key, std::string_view body, std::int64_t now) {
  return committer_->run([&](sqlite3* db) -> Status {
    Stmt q(db, "INSERT OR REPLACE INTO experiments(site_id, key, body, updated) VALUES(?1, ?2, ?3, ?4)");
    q.bind(1, site.id).bind(2, key).bind(3, body).bind(4, now);
    return q.step() == SQLITE_DONE ? Status::ok() : storage_error(db, "save experiment");
  });
}

Status SqliteStore::delete_experiment(const Site& site, std::string_view key) {
  return committer_->run([&](sqlite3* db) -> Status {
    Stmt q(db, "DELETE FROM experiments WHERE site_id = ?1 AND key = ?2");
    q.bind(1, site.id).bind(2, key);
    if (q.step() != SQLITE_DONE) return storage_error(db, "delete experiment");
    return sqlite3_changes(db) ? Status::ok() : Status::error("not_found", "no experiment with this key");
  });
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::experiments(const Site& site) {
  ReadLease read(*this);
  Stmt q(read.db(), "SELECT key, body FROM experiments WHERE site_id = ?1 ORDER BY key");
  q.bind(1, site.id);
  std::vector<std::pair<std::string, std::string>> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.emplace_back(q.text(0), q.text(1));
  if (rc != SQLITE_DONE) return storage_error(read.db(), "read experiments");
  return out;
}

Result<std::vector<StoredConsent>> SqliteStore::consent_log(const Site& site, std::string_view profile_id) {
  ReadLease read(*this);
  sqlite3* db = read.db();
  auto resolved = resolve(db, site, profile_id);
  if (!resolved) return resolved.status();
  if (resolved->empty()) return Status::error("not_found", "no profile with this id");
  Stmt q(db,
         "SELECT profile_id, ts, source, personalisation, analytics, marketing, policy, received FROM consent_log "
         "WHERE site_id = ?1 AND (profile_id = ?2 OR profile_id IN "
         "(SELECT id FROM profiles WHERE site_id = ?1 AND merged_into = ?2)) ORDER BY ts, source, profile_id");
  q.bind(1, site.id).bind(2, resolved.value());
  std::vector<StoredConsent> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW)
    out.push_back(StoredConsent{q.text(0), ConsentRecord{q.int64(1), q.int64(3) != 0, q.int64(4) != 0, q.int64(5) != 0,
                                                         q.text(2), q.text(6)},
                                q.int64(7)});
  if (rc != SQLITE_DONE) return storage_error(db, "read consent log");
  return out;
}

Result<IngestOutcome> SqliteStore::ingest(const Site& site, const std::vector<IngestItem>& items,
                                          std::int64_t now) {
  IngestOutcome out;
  Status written = committer_->run([&](sqlite3* db) -> Status {
    out = IngestOutcome{};
    // Per touched profile: its version before, its tombstone, and what this batch added to it.
    struct Touched {
      std::int64_t version = 0, erased = 0;
      bool created = false;
      Delta accepted;
    };
    std::map<std::string, Touched> touched;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const IngestItem& item = items[i];
      const std::string where = "events[" + std::to_string(i) + "]";
      std::string id;
      bool created = false;
      if (!item.customer.empty()) {
        Stmt cust(db, "SELECT id FROM profiles WHERE site_id = ?1 AND customer = ?2");
        cust.bind(1, site.id).bind(2, item.customer);
        int rc = cust.step();
        if (rc == SQLITE_ROW) {
          id = cust.text(0);
        } else if (rc == SQLITE_DONE) {
          // Derived from the customer id so the same customer always gets the same id, and never
          // shaped like one a browser makes ("a_..."). No device is bound: identify merges.
          id = "c_" + sha256_hex(std::to_string(site.id) + ":" + item.customer).substr(0, 32);
          Stmt create(db, "INSERT INTO profiles(site_id, id, version, created, updated, customer) "
                          "VALUES(?1, ?2, 0, ?3, ?3, ?4)");
          create.bind(1, site.id).bind(2, id).bind(3, now).bind(4, item.customer);
          if (create.step() != SQLITE_DONE) return storage_error(db, "create customer profile");
          created = true;
        } else {
          return storage_error(db, "read customer");
        }
      } else {
        auto resolved = resolve(db, site, item.profile);
        if (!resolved) return resolved.status();
        if (resolved->empty())
          return Status::error("not_found", where + ".profile: this site has no profile '" + item.profile + "'");
        id = resolved.value();
      }
      auto [it, fresh] = touched.try_emplace(id);
      Touched& t = it->second;
      if (fresh) {
        Stmt prof(db, "SELECT version, erased FROM profiles WHERE site_id = ?1 AND id = ?2");
        prof.bind(1, site.id).bind(2, id);
        if (prof.step() != SQLITE_ROW) return storage_error(db, "read profile");
        t.version = prof.int64(0);
        t.erased = prof.int64(1);
        t.created = created;
        t.accepted = Delta{id, "server", {}, {}, 0, 0};
      }
      out.profiles.push_back(id);
      if (item.event.ts < t.erased) {  // the tombstone wins over anything older, from any source
        ++out.erased;
        continue;
      }
      Stmt ins(db,
               "INSERT OR IGNORE INTO events(site_id, profile_id, id, ts, body, received, version, replica) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'server')");
      ins.bind(1, site.id).bind(2, id).bind(3, item.event.id).bind(4, item.event.ts).bind(5, to_json(item.event));
      ins.bind(6, now).bind(7, t.version + 1);
      if (ins.step() != SQLITE_DONE) return storage_error(db, "insert event");
      if (sqlite3_changes(db) == 1) {
        ++out.added;
        t.accepted.events.push_back(item.event);
      } else {
        ++out.duplicates;
      }
    }
    // One version (and one op-log entry) per profile that changed.
    for (auto& [id, t] : touched) {
      if (t.accepted.events.empty() && !t.created) continue;
      Stmt bump(db, "UPDATE profiles SET version = ?3, updated = ?4 WHERE site_id = ?1 AND id = ?2");
      bump.bind(1, site.id).bind(2, id).bind(3, t.version + 1).bind(4, now);
      Stmt log(db, "INSERT INTO oplog(site_id, profile_id, version, at, body) VALUES(?1, ?2, ?3, ?4, ?5)");
      log.bind(1, site.id).bind(2, id).bind(3, t.version + 1).bind(4, now).bind(5, to_json(t.accepted));
      if (bump.step() != SQLITE_DONE || log.step() != SQLITE_DONE) return storage_error(db, "write op log");
    }
    return Status::ok();
  });
  if (!written) return written;
  return out;
}

Result<Site> SqliteStore::create_site(std::string_view name, std::string_view publishable_key,
                                      std::string_view secret_hash, std::string_view identity_secret,
                                      std::string_view origins, std::int64_t now) {
  Status written = committer_->run([&](sqlite3* db) -> Status {
    Stmt ins(db, "INSERT OR IGNORE INTO sites(name, publishable_key, created, identity_secret, origins) "
                 "VALUES(?1, ?2, ?3, ?4, ?5)");
    ins.bind(1, name).bind(2, publishable_key).bind(3, now).bind(4, identity_secret).bind(5, origins);
    if (ins.step() != SQLITE_DONE) return storage_error(db, "create site");
    if (sqlite3_changes(db) == 0)
      return Status::error("invalid_argument", "a site with publishable key '" + std::string(publishable_key) + "' exists");
    Stmt key(db, "INSERT INTO secret_keys(hash, site_id, created) VALUES(?1, last_insert_rowid(), ?2)");
    key.bind(1, secret_hash).bind(2, now);
    if (key.step() != SQLITE_DONE) return storage_error(db, "create secret key");
    return Status::ok();
  });
  if (!written) return written;
  return site_by_publishable_key(publishable_key);
}

Result<std::vector<SqliteStore::SiteInfo>> SqliteStore::list_sites() {
  ReadLease read(*this);
  Stmt q(read.db(), "SELECT s.id, s.name, s.publishable_key, s.identity_secret, s.origins, s.created, "
                    "(SELECT count(*) FROM secret_keys k WHERE k.site_id = s.id) FROM sites s ORDER BY s.id");
  std::vector<SiteInfo> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW)
    out.push_back(SiteInfo{Site{q.int64(0), q.text(1), q.text(2), q.text(3), q.text(4)}, q.text(4), q.int64(6), q.int64(5)});
  if (rc != SQLITE_DONE) return storage_error(read.db(), "list sites");
  return out;
}

Status SqliteStore::add_secret_key(std::string_view publishable_key, std::string_view secret_hash, bool revoke_others,
                                   std::int64_t now) {
  return committer_->run([&](sqlite3* db) -> Status {
    Stmt site(db, "SELECT id FROM sites WHERE publishable_key = ?1");
    site.bind(1, publishable_key);
    int rc = site.step();
    if (rc == SQLITE_DONE) return Status::error("not_found", "no site has publishable key '" + std::string(publishable_key) + "'");
    if (rc != SQLITE_ROW) return storage_error(db, "read site");
    const std::int64_t id = site.int64(0);
    if (revoke_others) {
      Stmt del(db, "DELETE FROM secret_keys WHERE site_id = ?1");
      del.bind(1, id);
      if (del.step() != SQLITE_DONE) return storage_error(db, "revoke keys");
    }
    Stmt key(db, "INSERT INTO secret_keys(hash, site_id, created) VALUES(?1, ?2, ?3)");
    key.bind(1, secret_hash).bind(2, id).bind(3, now);
    if (key.step() != SQLITE_DONE) return storage_error(db, "add secret key");
    return Status::ok();
  });
}

}  // namespace ashna::server
