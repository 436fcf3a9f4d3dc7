// Store: what the handlers need from durable storage, behind an interface so SQLite (the
// embedded default) can be joined by other back ends and by fault-injecting wrappers in tests.
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ashna/engine.h"
#include "ashna/profile.h"
#include "ashna/site_model.h"
#include "ashna/status.h"
#include "group_commit.h"

namespace ashna::server {

struct Site {
  std::int64_t id = 0;
  std::string name;
  std::string publishable_key;
  std::string identity_secret;  // signs identify tokens: HMAC-SHA256(secret, user id)
  std::string origins;          // space-separated origins allowed to call browser endpoints; "" = any
};

// One consent choice as the browser recorded it (issue 6): the audit trail's unit. Kept by
// (profile, ts, source), so a device that sends the same record again adds nothing.
struct ConsentRecord {
  std::int64_t ts = 0;  // Unix ms, the customer's choice on the device's clock
  bool personalisation = false, analytics = false, marketing = false;
  std::string source;   // banner | profile_centre | api | gpc
  std::string policy;   // the policy version shown, 1-32 bytes
};

// A stored consent record, with the profile that recorded it and when the server got it.
struct StoredConsent {
  std::string profile;
  ConsentRecord record;
  std::int64_t received = 0;
};

struct SyncOutcome {
  std::int64_t version = 0;        // the profile's version after this delta
  bool created = false;            // the profile did not exist before
  std::size_t events_added = 0;    // new events (duplicates by id are not counted)
  std::size_t traits_changed = 0;  // traits that won last-writer-wins
  std::size_t consent_added = 0;   // consent records new to the server
  // What the device lacks: events other replicas (devices, channels, merges) added after the
  // device's `since`, and traits written after it.
  Delta down;
  std::int64_t down_version = 0;   // the device is complete up to this version
  bool more = false;               // down was cut at a version boundary; sync again for the rest
};

struct StoredProfile {
  Profile profile{""};
  std::int64_t erased = 0;   // tombstone epoch (Unix ms), 0 = never erased
  std::int64_t version = 0;
  std::int64_t created = 0;  // Unix ms
  std::int64_t updated = 0;
};

// What an erasure did: the (resolved) profile, its new version, and the tombstone epoch now in
// force (the later of the requested one and any earlier erasure's).
struct Erasure {
  std::string profile;
  std::int64_t version = 0;
  std::int64_t epoch = 0;
};

// One entry of the change feed: a row of the op log.
struct Change {
  std::int64_t seq = 0;  // increasing across the whole store; the feed's cursor
  std::string profile;
  std::int64_t version = 0;  // the profile's version this change created
  std::int64_t at = 0;       // Unix ms, server clock
  // JSON: the accepted delta, {"identified":user id} (first identify), {"merged":id},
  // {"erased":epoch} or {"redacted":"erased"}
  std::string body;
};

// One event from the shop's other systems (POST /v1/events), for a customer (by the id identify
// uses) or for an existing profile (by its id, e.g. an anonymous browser profile).
struct IngestItem {
  std::string customer;  // exactly one of customer and profile is set
  std::string profile;
  Event event;
};

struct IngestOutcome {
  std::size_t added = 0;       // events new to the server
  std::size_t duplicates = 0;  // already stored (same profile, same event id): ignored
  std::size_t erased = 0;      // older than the profile's erasure: refused, as from a device
  std::vector<std::string> profiles;  // the profile each item went to, in request order
};

class Store {
 public:
  virtual ~Store() = default;

  // not_found when no site has this publishable key.
  virtual Result<Site> site_by_publishable_key(std::string_view key) = 0;
  // not_found when no site has a secret key with this SHA-256 (hex).
  virtual Result<Site> site_by_secret_hash(std::string_view secret_hash) = 0;
  // Creates the site with these keys unless a site with this publishable key exists; adds the
  // secret key hash to it either way. Returns the site.
  virtual Result<Site> ensure_site(std::string_view name, std::string_view publishable_key,
                                   std::string_view secret_hash, std::string_view identity_secret,
                                   std::int64_t now) = 0;

  // Applies a device's delta in one durable transaction. A new profile is bound to the device
  // token (by its hash); an existing one accepts only a token bound to it (token_mismatch).
  // Idempotent: replaying the same delta changes nothing but returns the same version.
  // `since` is the version the device already holds; the outcome's `down` carries the rest.
  // `consent` records join the profile's consent log in the same transaction; they change no
  // version (they are an audit trail, not profile data) and no erasure removes them.
  virtual Result<SyncOutcome> apply_sync(const Site& site, std::string_view token_hash,
                                         const Delta& delta, std::int64_t since, std::int64_t now,
                                         const std::vector<ConsentRecord>& consent) = 0;

  // As apply_sync, but returns at once; `done` gets the outcome once the delta's commit finished,
  // possibly on another thread (keep it short). Lets the HTTP layer wait for durability without
  // holding an I/O thread, so many syncs share one commit. The default just calls apply_sync.
  virtual void apply_sync_async(const Site& site, std::string token_hash, Delta delta, std::int64_t since,
                                std::int64_t now, std::vector<ConsentRecord> consent,
                                std::function<void(Result<SyncOutcome>)> done) {
    done(apply_sync(site, token_hash, delta, since, now, consent));
  }

  // The consent log of a profile (resolved like load_profile) and of the anonymous profiles
  // merged into it, ordered by (ts, source). not_found when the site has no such profile.
  virtual Result<std::vector<StoredConsent>> consent_log(const Site& site, std::string_view profile_id) = 0;

  // Merges the device's anonymous profile into the customer's (created on first identify) and
  // binds the device to it. Returns the customer's profile id. token_mismatch when the device
  // token is not bound to `anonymous_id`.
  virtual Result<std::string> identify(const Site& site, std::string_view token_hash,
                                       std::string_view anonymous_id, std::string_view user_id,
                                       std::int64_t now) = 0;

  // Erasure (GDPR art. 17): deletes the profile's events and traits older than `epoch`, and those
  // of the anonymous profiles merged into it, and keeps a tombstone so devices erase their copies
  // on their next sync and late writes older than the epoch are refused. not_found when the site
  // has no such profile.
  virtual Result<Erasure> erase(const Site& site, std::string_view profile_id, std::int64_t epoch,
                                std::int64_t now) = 0;

  // not_found when the site has no such profile. A profile merged into a customer's by identify
  // resolves to the customer's profile.
  virtual Result<StoredProfile> load_profile(const Site& site, std::string_view profile_id) = 0;

  // Adds server-side events (replica "server", channel as given) in one transaction: all or
  // nothing. A customer without a profile gets one ("c_" + 32 hex of SHA-256 of site and
  // customer id) that a browser's identify later merges into. Idempotent by (profile, event id).
  // Each touched profile gets one new version, so its devices receive the events on their next
  // sync. not_found (naming the item) when a profile id is unknown to the site.
  virtual Result<IngestOutcome> ingest(const Site& site, const std::vector<IngestItem>& items,
                                       std::int64_t now) = 0;

  // The site's changes with seq > `after`, in seq order, at most `limit`. Complete: a change with
  // a smaller seq than one returned is never committed later (there is one writer), so a reader
  // that resumes from the last seq it saw misses nothing and sees nothing twice.
  virtual Result<std::vector<Change>> changes(const Site& site, std::int64_t after, std::size_t limit) = 0;

  // Ids of the site's profiles after `after_id` (in id order), at most `limit`; profiles merged
  // into another are left out (their data is the other's). For paging through a whole site.
  virtual Result<std::vector<std::string>> profile_ids(const Site& site, std::string_view after_id,
                                                       std::size_t limit) = 0;

  // Keeps a fitted site model (GET /v1/model serves the latest) with the RFM segment sizes it
  // found, as JSON {"champions":n,...}: the history of segment sizes is the dashboard's time line.
  // Saves a fit: the model's JSON as served (to_json(SiteModel) and what comes with it), and the
  // segment sizes it found.
  virtual Status save_model(const Site& site, std::int64_t fitted_at, std::string_view body_json,
                            std::string_view segments_json) = 0;
  // The latest saved model's JSON; not_found when the site was never fitted.
  virtual Result<std::string> latest_model(const Site& site) = 0;
  // (fitted_at, segments JSON) of the latest `limit` fits, oldest first.
  virtual Result<std::vector<std::pair<std::int64_t, std::string>>> model_history(const Site& site,
                                                                                  std::size_t limit) = 0;

  // The site's experiments (issue 9), as the JSON the backend PUT (validated by the handler).
  // put_experiment replaces one with the same key; delete_experiment: not_found when absent.
  virtual Status put_experiment(const Site& site, std::string_view key, std::string_view body, std::int64_t now) = 0;
  virtual Status delete_experiment(const Site& site, std::string_view key) = 0;
  // (key, body) of every experiment of the site, by key.
  virtual Result<std::vector<std::pair<std::string, std::string>>> experiments(const Site& site) = 0;

  // How writes have been batched into commits so far (for /metrics and tests); zeros for a
  // store without group commit.
  virtual GroupCommitStats commit_stats() const { return {}; }
};

}  // namespace ashna::server
