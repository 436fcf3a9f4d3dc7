// The store against a real SQLite file: durability across reopen, schema versioning, idempotence.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "test_app.h"

using namespace ashna;
using namespace ashna::server;
using namespace ashna::server::testing;

TEST_CASE("synced data survives closing and reopening the database", "[store]") {
  TestApp t;
  auto site = t.store->site_by_publishable_key("pk_demo");
  REQUIRE(site.is_ok());
  auto out = t.store->apply_sync(site.value(), "hash1", delta_with({"a", "b"}), 0, t.clock, {});
  REQUIRE(out.is_ok());
  CHECK(out->created);
  CHECK(out->events_added == 2);
  CHECK(out->version == 1);
  auto again = t.store->apply_sync(site.value(), "hash1", delta_with({"b", "c"}), 0, t.clock, {});
  CHECK(again->events_added == 1);
  CHECK(again->version == 2);

  t.store.reset();
  auto reopened = SqliteStore::open((t.dir / "test.db").string());
  REQUIRE(reopened.is_ok());
  auto p = reopened.value()->load_profile(site.value(), "p1");
  REQUIRE(p.is_ok());
  CHECK(p->version == 2);
  CHECK(p->profile.events().size() == 3);

  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((t.dir / "test.db").string().c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*), max(seq) FROM oplog", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 2);  // one op-log entry per accepted change
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
  t.store = std::move(reopened.value());
}

TEST_CASE("a database from a newer server is refused, not damaged", "[store]") {
  TestApp t;
  t.store.reset();
  auto path = (t.dir / "test.db").string();
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto s = SqliteStore::open(path);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.status().message() == "database schema version 99 is newer than this server understands (9)");
}

TEST_CASE("an unopenable path is a clear error", "[store]") {
  auto s = SqliteStore::open("/nonexistent-dir/sub/x.db");
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.status().code() == "storage_error");
  CHECK(s.status().message().find("cannot open database '/nonexistent-dir/sub/x.db'") == 0);
}

TEST_CASE("a version 1 database is migrated to the current version on open, keeping its data", "[store][migration]") {
  TestApp t;
  t.store.reset();
  auto path = (t.dir / "v1.db").string();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  // The version 1 schema as released, with one profile and one event.
  const char* v1 = R"sql(
    CREATE TABLE sites(id INTEGER PRIMARY KEY, name TEXT NOT NULL, publishable_key TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);
    CREATE TABLE secret_keys(hash TEXT PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id), created INTEGER NOT NULL);
    CREATE TABLE profiles(site_id INTEGER NOT NULL REFERENCES sites(id), id TEXT NOT NULL, version INTEGER NOT NULL,
      created INTEGER NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY(site_id, id)) WITHOUT ROWID;
    CREATE TABLE devices(token_hash TEXT PRIMARY KEY, site_id INTEGER NOT NULL, profile_id TEXT NOT NULL, created INTEGER NOT NULL);
    CREATE TABLE traits(site_id INTEGER NOT NULL, profile_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
      ts INTEGER NOT NULL, replica TEXT NOT NULL, PRIMARY KEY(site_id, profile_id, name)) WITHOUT ROWID;
    CREATE TABLE events(site_id INTEGER NOT NULL, profile_id TEXT NOT NULL, id TEXT NOT NULL, ts INTEGER NOT NULL,
      body TEXT NOT NULL, received INTEGER NOT NULL, PRIMARY KEY(site_id, profile_id, id)) WITHOUT ROWID;
    CREATE TABLE oplog(seq INTEGER PRIMARY KEY AUTOINCREMENT, site_id INTEGER NOT NULL, profile_id TEXT NOT NULL,
      version INTEGER NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL);
    INSERT INTO sites VALUES(1, 'old', 'pk_old', 1);
    INSERT INTO profiles VALUES(1, 'p_old', 1, 1, 1);
    INSERT INTO events VALUES(1, 'p_old', 'e1', 1790000000000, '{"id":"e1","type":"page_view","ts":1790000000000,"channel":"web"}', 1);
    PRAGMA user_version = 1;)sql";
  REQUIRE(sqlite3_exec(db, v1, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  auto store = SqliteStore::open(path);
  REQUIRE(store.is_ok());
  auto site = store.value()->site_by_publishable_key("pk_old");
  REQUIRE(site.is_ok());
  CHECK(site->identity_secret.empty());
  auto p = store.value()->load_profile(site.value(), "p_old");
  REQUIRE(p.is_ok());
  CHECK(p->profile.events().size() == 1);
  store.value().reset();
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 9);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_CASE("traits keep their hybrid clock tick: stored, compared, read back and sent down", "[store][hlc]") {
  TestApp t;
  auto site = t.store->site_by_publishable_key("pk_demo");
  REQUIRE(site.is_ok());
  constexpr std::int64_t ts = 1790000000000;
  auto sync = [&](std::string value, std::string replica, std::uint32_t tick, std::uint64_t upto) {
    Delta d = delta_with({}, "p1");
    d.upto = upto;
    d.traits["name"] = Trait{std::move(value), ts, std::move(replica), 0, tick};
    return t.store->apply_sync(site.value(), "hash1", d, 0, t.clock, {});
  };
  REQUIRE(sync("Ana", "r1", 3, 1)->traits_changed == 1);
  CHECK(sync("Bo", "r2", 2, 2)->traits_changed == 0);  // same ms, lower tick: loses to Ana
  auto won = sync("Cy", "r0", 4, 3);                    // higher tick wins before the replica id
  REQUIRE(won.is_ok());
  CHECK(won->traits_changed == 1);
  REQUIRE(won->down.traits.count("name") == 1);
  CHECK(won->down.traits.at("name").tick == 4);
  auto p = t.store->load_profile(site.value(), "p1");
  REQUIRE(p.is_ok());
  CHECK(p->profile.trait_value("name") == "Cy");
  CHECK(p->profile.trait("name")->tick == 4);
}
