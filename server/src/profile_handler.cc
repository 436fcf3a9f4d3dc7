// GET /v1/profiles/{id}: the backend's view of one profile (secret key required).
// DELETE /v1/profiles/{id}: erasure of that profile everywhere (GDPR article 17).
#include "ashna/json.h"
#include "app.h"
#include "sha256.h"

namespace ashna::server {
namespace {

// The site whose secret key is the request's bearer token, or the 401 that explains why not.
Result<Site> authenticate_backend(const Request& req, App& app, Response& error) {
  std::string_view auth = req.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.empty() || auth.substr(0, kBearer.size()) != kBearer) {
    error = json_error(401, "missing_key", "send the site's secret key as 'Authorization: Bearer sk_...'");
    error.headers["www-authenticate"] = "Bearer";
    return Status::error("missing_key", "");
  }
  std::string_view secret = auth.substr(kBearer.size());
  auto site = app.store.site_by_secret_hash(sha256_hex(secret));
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
  }
  return site;
}

}  // namespace

Response handle_get_profile(const Request& req, App& app, std::string_view profile_id) {
  Response error;
  auto site = authenticate_backend(req, app, error);
  if (!site) return error;
  auto stored = app.store.load_profile(site.value(), profile_id);
  if (!stored) {
    if (stored.status().code() == "not_found")
      return json_error(404, "not_found", "this site has no profile with that id");
    return json_error(503, "storage_error", "the store is unavailable; retry later");
  }
  // to_json(Profile) is an object; the store's bookkeeping goes in front of its fields.
  std::string body = "{\"version\":" + std::to_string(stored->version) +
                     ",\"created\":" + std::to_string(stored->created) +
                     ",\"updated\":" + std::to_string(stored->updated) + "," +
                     (stored->erased ? "\"erased\":" + std::to_string(stored->erased) + "," : std::string()) +
                     to_json(stored->profile).substr(1);
  return json_ok(std::move(body));
}

Response handle_delete_profile(const Request& req, App& app, std::string_view profile_id) {
  Response error;
  auto site = authenticate_backend(req, app, error);
  if (!site) return error;
  const std::int64_t now = app.now();
  auto erased = app.store.erase(site.value(), profile_id, now, now);
  if (!erased) {
    if (erased.status().code() == "not_found")
      return json_error(404, "not_found", "this site has no profile with that id");
    return json_error(503, "storage_error", "the store is unavailable; retry later");
  }
  std::string body = "{\"id\":";
  append_json_string(body, erased->first);
  body += ",\"erased\":" + std::to_string(now) + ",\"version\":" + std::to_string(erased->second) + "}";
  return json_ok(std::move(body));
}

}  // namespace ashna::server
