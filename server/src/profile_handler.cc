// GET /v1/profiles/{id}: the backend's view of one profile (secret key required), with its views
//   (RFM segment, affinities, cadence, stage) and value (p_alive, expected purchases, CLV, tier)
//   computed now under the site's model.
// DELETE /v1/profiles/{id}: erasure of that profile everywhere (GDPR article 17).
// GET /v1/profiles/{id}/consent: the profile's consent audit trail, ordered by ts (issue 6).
//   {"id":"<profile>","consent":[{"profile","ts","personalisation","analytics","marketing",
//                                 "source","policy","received"}]}
#include "ashna/json.h"
#include "app.h"
#include "request_checks.h"
#include "site_models.h"

namespace ashna::server {

std::string stored_profile_json(const StoredProfile& stored) {
  // to_json(Profile) is an object; the store's bookkeeping goes in front of its fields.
  return "{\"version\":" + std::to_string(stored.version) + ",\"created\":" + std::to_string(stored.created) +
         ",\"updated\":" + std::to_string(stored.updated) + "," +
         (stored.erased ? "\"erased\":" + std::to_string(stored.erased) + "," : std::string()) +
         to_json(stored.profile).substr(1);
}

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
  // Views are derived as of now under the site's model; the export leaves them out (they are
  // recomputable, and an export is data, not opinion).
  auto model = current_model(app.store, site.value());
  if (!model) return from_status(model.status());
  std::string body = stored_profile_json(stored.value());
  body.pop_back();
  body += ",\"views\":" + profile_views_json(stored->profile, model.value(), app.now()) + "}";
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
  append_json_string(body, erased->profile);
  body += ",\"erased\":" + std::to_string(erased->epoch) + ",\"version\":" + std::to_string(erased->version) + "}";
  return json_ok(std::move(body));
}

Response handle_get_consent(const Request& req, App& app, std::string_view profile_id) {
  Response error;
  auto site = authenticate_backend(req, app, error);
  if (!site) return error;
  auto stored = app.store.load_profile(site.value(), profile_id);  // for the resolved id
  if (!stored) {
    if (stored.status().code() == "not_found")
      return json_error(404, "not_found", "this site has no profile with that id");
    return json_error(503, "storage_error", "the store is unavailable; retry later");
  }
  auto log = app.store.consent_log(site.value(), profile_id);
  if (!log) return json_error(503, "storage_error", "the store is unavailable; retry later");
  std::string body = "{\"id\":";
  append_json_string(body, stored->profile.id());
  body += ",\"consent\":[";
  for (std::size_t i = 0; i < log->size(); ++i) {
    const StoredConsent& c = log.value()[i];
    auto flag = [](bool b) { return b ? "true" : "false"; };
    body += i ? ",{\"profile\":" : "{\"profile\":";
    append_json_string(body, c.profile);
    body += ",\"ts\":" + std::to_string(c.record.ts) + ",\"personalisation\":" + flag(c.record.personalisation) +
            ",\"analytics\":" + flag(c.record.analytics) + ",\"marketing\":" + flag(c.record.marketing) +
            ",\"source\":";
    append_json_string(body, c.record.source);
    body += ",\"policy\":";
    append_json_string(body, c.record.policy);
    body += ",\"received\":" + std::to_string(c.received) + "}";
  }
  return json_ok(body + "]}");
}

}  // namespace ashna::server
