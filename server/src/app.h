// App: what a request handler may use. The clock is passed in so tests control time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "http.h"
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
};

struct App {
  Store& store;
  std::vector<std::filesystem::path> static_roots;  // searched in order
  std::function<std::int64_t()> now;                 // Unix ms
};

// The whole HTTP surface as a plain function: routes, validates and answers. Never throws.
Response handle_request(const Request& request, App& app);

// Individual handlers, called by handle_request after method and route matched.
Response handle_sync(const Request& request, App& app);
Response handle_identify(const Request& request, App& app);
Response handle_get_profile(const Request& request, App& app, std::string_view profile_id);
Response handle_delete_profile(const Request& request, App& app, std::string_view profile_id);
Response handle_static(const Request& request, App& app);

}  // namespace ashna::server
