// Command-line options of ashna-server.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ashna/status.h"

namespace ashna::server {

struct Options {
  std::string db = "ashna.db";
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::vector<std::string> static_dirs;
  bool demo = false;
  int threads = 2;
  // Each site's model (GET /v1/model) is refitted when older than this; 0 = only on demand.
  int refit_hours = 24;
  // Requests per second per device token, per site (publishable key) and per secret key; the
  // burst allowed is twice the rate. 0 = unlimited. Defaults in app.h (RateLimits).
  std::optional<double> rate_device, rate_site, rate_secret;
  bool help = false;
};

// Parses argv; invalid_argument with a message naming the flag on error.
Result<Options> parse_options(const std::vector<std::string>& args);
extern const char* const kUsage;

}  // namespace ashna::server
