// Store: what the handlers need from durable storage, behind an interface so SQLite (the
// embedded default) can be joined by other back ends and by fault-injecting wrappers in tests.
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ashna/engine.h"
#include "ashna/profile.h"
#include "ashna/status.h"

namespace ashna::server {

struct Site {
  std::int64_t id = 0;
  std::string name;
  std::string publishable_key;
  std::string identity_secret;  // signs identify tokens: HMAC-SHA256(secret, user id)
};

struct SyncOutcome {
  std::int64_t version = 0;        // the profile's version after this delta
  bool created = false;            // the profile did not exist before
  std::size_t events_added = 0;    // new events (duplicates by id are not counted)
  std::size_t traits_changed = 0;  // traits that won last-writer-wins
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
  virtual Result<SyncOutcome> apply_sync(const Site& site, std::string_view token_hash,
                                         const Delta& delta, std::int64_t since, std::int64_t now) = 0;

  // Merges the device's anonymous profile into the customer's (created on first identify) and
  // binds the device to it. Returns the customer's profile id. token_mismatch when the device
  // token is not bound to `anonymous_id`.
  virtual Result<std::string> identify(const Site& site, std::string_view token_hash,
                                       std::string_view anonymous_id, std::string_view user_id,
                                       std::int64_t now) = 0;

  // Erasure (GDPR art. 17): deletes the profile's events and traits older than `epoch`, and those
  // of the anonymous profiles merged into it, and keeps a tombstone so devices erase their copies
  // on their next sync and late writes older than the epoch are refused. Returns the profile's
  // id and new version; not_found when the site has no such profile.
  virtual Result<std::pair<std::string, std::int64_t>> erase(const Site& site, std::string_view profile_id,
                                                             std::int64_t epoch, std::int64_t now) = 0;

  // not_found when the site has no such profile. A profile merged into a customer's by identify
  // resolves to the customer's profile.
  virtual Result<StoredProfile> load_profile(const Site& site, std::string_view profile_id) = 0;
};

}  // namespace ashna::server
