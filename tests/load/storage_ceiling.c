/* The storage ceiling of tests/load/run: what SQLite alone does with the writes (and the reads
 * inside the write transaction) of one POST /v1/sync of 3 events, as SqliteStore::sync_job and
 * read_down in server/src/sqlite_store.cc run them, with every statement prepared once, no
 * HTTP, no JSON parsing, no savepoints, and 100 syncs per transaction (WAL, synchronous=FULL).
 *
 * Usage: storage_ceiling DB SECONDS DEVICES [server-style]
 *   DB must have been created by ashna-server (its schema, and site 1: `--demo`).
 *   server-style: as the server's writer runs a sync today (a diagnostic, not a ceiling): every
 *   statement prepared again for each sync, and each sync inside SAVEPOINT/RELEASE run by
 *   sqlite3_exec, still 100 per transaction.
 * Prints: RESULT syncs=N seconds=S commits=C
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 100

static sqlite3 *db;

static void die(const char *what) {
  fprintf(stderr, "storage_ceiling: %s: %s\n", what, sqlite3_errmsg(db));
  exit(1);
}
static sqlite3_stmt *prep(const char *sql) {
  sqlite3_stmt *s;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) die(sql);
  return s;
}
static void exec(const char *sql) {
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) die(sql);
}
static void text(sqlite3_stmt *s, int i, const char *v) { sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT); }
static int step(sqlite3_stmt *s) {
  int rc = sqlite3_step(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) die("step");
  return rc;
}
static void done(sqlite3_stmt *s) {
  while (step(s) == SQLITE_ROW) {
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
}
static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: storage_ceiling DB SECONDS DEVICES [server-style]\n");
    return 2;
  }
  const double seconds = atof(argv[2]);
  const long devices = atol(argv[3]);
  const int server_style = argc == 5 && strcmp(argv[4], "server-style") == 0;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) die("open");
  sqlite3_busy_timeout(db, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");

  sqlite3_stmt *device = NULL;
  sqlite3_stmt *prof = NULL;
  sqlite3_stmt *create = NULL;
  sqlite3_stmt *bind = NULL;
  sqlite3_stmt *event = NULL;
  sqlite3_stmt *bump = NULL;
  sqlite3_stmt *oplog = NULL;
  sqlite3_stmt *tomb = NULL;
  sqlite3_stmt *down_events = NULL;
  sqlite3_stmt *down_traits = NULL;
/* (Re)prepares every statement; sqlite3_finalize(NULL) is a no-op. */
#define PREPARE_ALL() do { \
    sqlite3_finalize(device); device = prep("SELECT site_id, profile_id FROM devices WHERE token_hash = ?1"); \
    sqlite3_finalize(prof); prof = prep("SELECT version, erased, erased_version FROM profiles WHERE site_id = ?1 AND id = ?2"); \
    sqlite3_finalize(create); create = prep("INSERT INTO profiles(site_id, id, version, created, updated) VALUES(?1, ?2, 0, ?3, ?3)"); \
    sqlite3_finalize(bind); bind = prep("INSERT INTO devices(token_hash, site_id, profile_id, created) VALUES(?1, ?2, ?3, ?4)"); \
    sqlite3_finalize(event); event = prep("INSERT OR IGNORE INTO events(site_id, profile_id, id, ts, body, received, version, replica) " "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"); \
    sqlite3_finalize(bump); bump = prep("UPDATE profiles SET version = ?3, updated = ?4 WHERE site_id = ?1 AND id = ?2"); \
    sqlite3_finalize(oplog); oplog = prep("INSERT INTO oplog(site_id, profile_id, version, at, body) VALUES(?1, ?2, ?3, ?4, ?5)"); \
    sqlite3_finalize(tomb); tomb = prep("SELECT erased, erased_version FROM profiles WHERE site_id = ?1 AND id = ?2"); \
    sqlite3_finalize(down_events); down_events = prep("SELECT body, version FROM events WHERE site_id = ?1 AND profile_id = ?2 AND version > ?3 " "AND replica != ?4 ORDER BY version, ts, id"); \
    sqlite3_finalize(down_traits); down_traits = prep("SELECT name, value, ts, replica FROM traits WHERE site_id = ?1 AND profile_id = ?2 AND version > ?3 " "AND version <= ?4"); \
  } while (0)
  PREPARE_ALL();

  long *syncs = calloc((size_t)devices, sizeof(long));
  long n = 0, commits = 0;
  char token[96], profile[64], replica[64], id[96], body[1024], accepted[4096];
  const double start = now_s();
  double elapsed = 0;
  while (elapsed < seconds) {
    exec("BEGIN IMMEDIATE");
    for (int b = 0; b < BATCH; ++b, ++n) {
      const long d = n % devices, k = syncs[d]++;
      if (server_style) {
        PREPARE_ALL();
        exec("SAVEPOINT job");
      }
      const long long ts = 1790000000000LL + k * 60000 + d, now = 1795000000000LL + n;
      /* the server stores SHA-256 hex of the token: 64 characters */
      snprintf(token, sizeof token, "%064ld", d);
      snprintf(profile, sizeof profile, "a_ceiling_%ld", d);
      snprintf(replica, sizeof replica, "r_ceiling_%ld", d);

      text(device, 1, token);
      int bound = step(device) == SQLITE_ROW;
      done(device);
      sqlite3_bind_int64(prof, 1, 1);
      text(prof, 2, profile);
      long long version = step(prof) == SQLITE_ROW ? sqlite3_column_int64(prof, 0) : -1;
      done(prof);
      if (version < 0) {
        if (bound) die("device bound without a profile");
        version = 0;
        sqlite3_bind_int64(create, 1, 1);
        text(create, 2, profile);
        sqlite3_bind_int64(create, 3, now);
        done(create);
        text(bind, 1, token);
        sqlite3_bind_int64(bind, 2, 1);
        text(bind, 3, profile);
        sqlite3_bind_int64(bind, 4, now);
        done(bind);
      }
      const long long next = version + 1;
      int len = snprintf(accepted, sizeof accepted, "{\"profile\":\"%s\",\"replica\":\"%s\",\"upto\":%ld,\"events\":[",
                         profile, replica, 3 * k + 3);
      for (int e = 1; e <= 3; ++e) {
        snprintf(id, sizeof id, "ceiling_%ld.%ld.%d", d, k, e);
        /* the size and shape of the server's to_json(event) for the load script's events */
        snprintf(body, sizeof body,
                 e == 1 ? "{\"id\":\"%s\",\"type\":\"page_view\",\"ts\":%lld,\"channel\":\"web\",\"path\":\"/products/"
                          "kenya-aa.html\",\"props\":{\"title\":\"Kenya AA\"}}"
                 : e == 2 ? "{\"id\":\"%s\",\"type\":\"product_view\",\"ts\":%lld,\"channel\":\"web\",\"item\":{\"id\":"
                            "\"kenya-aa\",\"title\":\"Kenya AA\",\"category\":\"coffee/single-origin\",\"price\":16},"
                            "\"path\":\"/products/kenya-aa.html\"}"
                          : "{\"id\":\"%s\",\"type\":\"add_to_cart\",\"ts\":%lld,\"channel\":\"web\",\"lines\":[{\"id\":"
                            "\"kenya-aa\",\"title\":\"Kenya AA\",\"category\":\"coffee/single-origin\",\"price\":16,"
                            "\"qty\":1}],\"path\":\"/products/kenya-aa.html\"}",
                 id, ts + e);
        sqlite3_bind_int64(event, 1, 1);
        text(event, 2, profile);
        text(event, 3, id);
        sqlite3_bind_int64(event, 4, ts + e);
        text(event, 5, body);
        sqlite3_bind_int64(event, 6, now);
        sqlite3_bind_int64(event, 7, next);
        text(event, 8, replica);
        done(event);
        len += snprintf(accepted + len, sizeof accepted - (size_t)len, "%s%s", e > 1 ? "," : "", body);
      }
      snprintf(accepted + len, sizeof accepted - (size_t)len, "],\"traits\":{}}");
      sqlite3_bind_int64(bump, 1, 1);
      text(bump, 2, profile);
      sqlite3_bind_int64(bump, 3, next);
      sqlite3_bind_int64(bump, 4, now);
      done(bump);
      sqlite3_bind_int64(oplog, 1, 1);
      text(oplog, 2, profile);
      sqlite3_bind_int64(oplog, 3, next);
      sqlite3_bind_int64(oplog, 4, now);
      text(oplog, 5, accepted);
      done(oplog);
      /* read_down with since = the version before this sync */
      sqlite3_bind_int64(tomb, 1, 1);
      text(tomb, 2, profile);
      done(tomb);
      sqlite3_bind_int64(down_events, 1, 1);
      text(down_events, 2, profile);
      sqlite3_bind_int64(down_events, 3, version);
      text(down_events, 4, replica);
      done(down_events);
      sqlite3_bind_int64(down_traits, 1, 1);
      text(down_traits, 2, profile);
      sqlite3_bind_int64(down_traits, 3, version);
      sqlite3_bind_int64(down_traits, 4, next);
      done(down_traits);
      if (server_style) exec("RELEASE job");
    }
    exec("COMMIT");
    ++commits;
    elapsed = now_s() - start;
  }
  printf("RESULT syncs=%ld seconds=%.3f commits=%ld\n", n, elapsed, commits);
  sqlite3_close(db);
  return 0;
}
