// Shared request checks; see request_checks.h.
#include "request_checks.h"

#include <cctype>
#include <charconv>

#include "sha256.h"

namespace ashna::server {

bool safe_id(std::string_view s, std::size_t min, std::size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::int64_t> parse_count(std::string_view s, std::int64_t max) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 0 || v > max) return std::nullopt;
  return v;
}

Result<Site> authenticate_backend(const Request& req, App& app, Response& error) {
  std::string_view auth = req.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.empty() || auth.substr(0, kBearer.size()) != kBearer) {
    error = json_error(401, "missing_key", "send the site's secret key as 'Authorization: Bearer sk_...'");
    error.headers["www-authenticate"] = "Bearer";
    return Status::error("missing_key", "");
  }
  std::string_view secret = auth.substr(kBearer.size());
  const std::string hash = sha256_hex(secret);
  auto site = app.store.site_by_secret_hash(hash);
  if (!site) {
    if (site.status().code() != "not_found") {
      error = json_error(503, "storage_error", "the store is unavailable; retry later");
    } else {
      bool publishable = secret.substr(0, 3) == "pk_";
      error = json_error(401, "invalid_key", publishable
                                                 ? "this is a publishable key; backend endpoints need a secret key"
                                                 : "no site has this secret key");
      error.headers["www-authenticate"] = "Bearer error=\"invalid_token\"";
    }
    return site;
  }
  error = check_rate(app, "sk:" + hash, app.limits.secret_key, "secret key");
  if (error.status) return Status::error("rate_limited", "");
  return site;
}

Response check_rate(App& app, std::string_view key, const RateRule& rule, std::string_view what) {
  if (!app.limiter) return Response{0, {}, {}, {}, false};
  auto wait = app.limiter->take(key, rule, app.now());
  if (!wait) return Response{0, {}, {}, {}, false};
  Response r = json_error(429, "rate_limited",
                          "too many requests for this " + std::string(what) + "; retry after " +
                              std::to_string(*wait) + " s");
  r.headers["retry-after"] = std::to_string(*wait);
  return r;
}

Response from_status(const Status& s) {
  if (s.code() == "token_mismatch") return json_error(403, s.code(), s.message());
  if (s.code() == "not_found") return json_error(404, s.code(), s.message());
  if (s.code() == "storage_error") return json_error(503, s.code(), "the store is unavailable; retry later");
  // Faults a client outlives: the disk is full (until an operator frees space), or another
  // process held the database's write lock beyond the busy timeout. Nothing was written.
  if (s.code() == "storage_full") {
    Response r = json_error(507, s.code(), "the server's disk is full; nothing was stored, retry later");
    r.headers["retry-after"] = std::to_string(kStorageFullRetrySeconds);
    return r;
  }
  if (s.code() == "store_busy") {
    Response r = json_error(503, s.code(), "the store is locked by another process; nothing was stored, retry later");
    r.headers["retry-after"] = std::to_string(kStoreBusyRetrySeconds);
    return r;
  }
  return json_error(400, s.code(), s.message());
}

bool media_type_is(const Request& req, std::string_view type) {
  std::string_view given = req.header("content-type");
  given = given.substr(0, given.find(';'));
  while (!given.empty() && (given.back() == ' ' || given.back() == '\t')) given.remove_suffix(1);
  if (given.size() != type.size()) return false;
  for (std::size_t i = 0; i < type.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(given[i])) != type[i]) return false;
  return true;
}

Response require_json(const Request& req) {
  if (!media_type_is(req, "application/json"))
    return json_error(415, "unsupported_media_type", "send the body as application/json");
  return Response{0, {}, {}, {}, false};
}

}  // namespace ashna::server
