// App: what a request handler may use. The clock is passed in so tests control time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "change_notifier.h"
#include "http.h"
#include "metrics.h"
#include "rate_limiter.h"
#include "store.h"

namespace ashna::server {

// Limits, each with the reason it exists.
struct Limits {
  // A sync carries at most a few hundred small events; anything bigger is abuse or a bug.
  static constexpr std::size_t kMaxBodyBytes = 256 * 1024;
  // Browsers send a few KB of headers; cookies of other apps on the domain can add more.
  static constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
  // Bounded work per request, so one client cannot hold the store's lock for long.
  static constexpr std::size_t kMaxEventsPerDelta = 500;
  // A backend batch (POST /v1/events): one transaction, so bounded like a sync.
  static constexpr std::size_t kMaxIngestEvents = 500;
  // A device sends consent changes as they happen; 20 unsent ones is already a lot.
  static constexpr std::size_t kMaxConsentPerSync = 20;
  // A policy version label ("2026-03", "v12b"), not the policy text.
  static constexpr std::size_t kMaxPolicyBytes = 32;
};

// Request rates (issue 5), each a token bucket; 0 per second = unlimited. A browser syncs every
// few seconds at most; a backend batch job may run hard but not take the whole server.
struct RateLimits {
  RateRule device{5, 30};         // per device token (POST /v1/sync, /v1/identify)
  RateRule site{2000, 4000};      // per publishable key: one site's traffic, all devices together
  RateRule secret_key{1000, 2000};  // per secret key (backend API)
};

struct App {
  Store& store;
  std::vector<std::filesystem::path> static_roots;  // searched in order
  std::function<std::int64_t()> now;                 // Unix ms
  // Wakes change-feed waiters after each commit; null = no long-poll or streaming.
  ChangeNotifier* notifier = nullptr;
  std::shared_ptr<Metrics> metrics = std::make_shared<Metrics>();
  // Receives one JSON line per request (and other events); empty = no logging (tests).
  std::function<void(const std::string&)> log;
  RateLimits limits;
  std::shared_ptr<RateLimiter> limiter = std::make_shared<RateLimiter>();
};

// The whole HTTP surface as a plain function: routes, validates and answers. Never throws.
Response handle_request(const Request& request, App& app);

// Individual handlers, called by handle_request after method and route matched.
Response handle_sync(const Request& request, App& app);
Response handle_identify(const Request& request, App& app);
Response handle_get_profile(const Request& request, App& app, std::string_view profile_id);
Response handle_delete_profile(const Request& request, App& app, std::string_view profile_id);
Response handle_get_consent(const Request& request, App& app, std::string_view profile_id);
Response handle_export(const Request& request, App& app);
Response handle_changes(const Request& request, App& app);
Response handle_ingest(const Request& request, App& app);
Response handle_model(const Request& request, App& app);
Response handle_list_profiles(const Request& request, App& app);
Response handle_stats(const Request& request, App& app);
Response handle_dashboard(const Request& request, App& app);
// `rest`: the path after "/v1/experiments".
Response handle_experiments(const Request& request, App& app, std::string_view rest);
// The JSON the backend API gives for one profile (GET /v1/profiles/{id}, one line of the export).
std::string stored_profile_json(const StoredProfile& stored);
Response handle_static(const Request& request, App& app);

}  // namespace ashna::server
