// POST /v1/sync: a browser sends what its profile gained since the last ack.
//   {"v":1,"key":"pk_...","token":"<device token>","delta":{...see docs/sync-protocol.md}}
// Answer: {"ack":{"upto":N},"profile":"id","version":V,"accepted":{"events":a,"traits":t}}
#include "ashna/codec.h"
#include "ashna/json.h"
#include "app.h"
#include "sha256.h"

namespace ashna::server {
namespace {

// Ids and tokens are opaque but restricted to URL-safe characters so they can never carry markup,
// quotes or path separators into logs, URLs or SQL.
bool safe_id(std::string_view s, std::size_t min, std::size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

Response from_status(const Status& s) {
  if (s.code() == "token_mismatch") return json_error(403, s.code(), s.message());
  if (s.code() == "storage_error") return json_error(503, s.code(), "the store is unavailable; retry later");
  return json_error(400, s.code(), s.message());
}

}  // namespace

Response handle_sync(const Request& req, App& app) {
  std::string_view type = req.header("content-type");
  if (type.substr(0, 16) != "application/json" && type.substr(0, 10) != "text/plain")
    return json_error(415, "unsupported_media_type",
                      "send the delta as application/json (or text/plain for sendBeacon)");
  auto parsed = parse_json(req.body);
  if (!parsed) return from_status(parsed.status());
  const nlohmann::json& j = parsed.value();
  if (!j.is_object()) return json_error(400, "invalid_field", "body must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "v" && it.key() != "key" && it.key() != "token" && it.key() != "delta")
      return json_error(400, "unknown_field", it.key().substr(0, 64) + ": unknown field");

  auto v = j.find("v");
  if (v == j.end() || !v->is_number_integer() || v->get<std::int64_t>() != 1)
    return json_error(400, "unsupported_version", "v: this server speaks sync protocol version 1");
  auto key = j.find("key");
  if (key == j.end()) return json_error(401, "missing_key", "key: the site's publishable key is required");
  if (!key->is_string()) return json_error(400, "invalid_field", "key: must be a string");
  const std::string& key_text = key->get_ref<const std::string&>();
  auto site = app.store.site_by_publishable_key(key_text);
  if (!site) {
    if (site.status().code() != "not_found") return from_status(site.status());
    return json_error(401, "invalid_key", "key: no site has this publishable key");
  }
  auto token = j.find("token");
  if (token == j.end() || !token->is_string() || !safe_id(token->get_ref<const std::string&>(), 16, 128))
    return json_error(400, "invalid_field",
                      "token: a device token of 16 to 128 characters [A-Za-z0-9_.:-] is required");
  auto dj = j.find("delta");
  if (dj == j.end()) return json_error(400, "invalid_field", "delta: is required");
  if (dj->is_object())
    if (auto ev = dj->find("events"); ev != dj->end() && ev->is_array() &&
                                      ev->size() > Limits::kMaxEventsPerDelta)
      return json_error(413, "too_many_events",
                        "delta.events: at most " + std::to_string(Limits::kMaxEventsPerDelta) +
                            " events per sync; send the rest in the next one");
  auto delta = delta_from_json(*dj);
  if (!delta) return from_status(delta.status());
  if (!safe_id(delta->profile_id, 1, 128))
    return json_error(400, "invalid_field", "delta.profile: 1 to 128 characters [A-Za-z0-9_.:-]");

  auto outcome = app.store.apply_sync(site.value(), sha256_hex(token->get_ref<const std::string&>()),
                                      delta.value(), app.now());
  if (!outcome) return from_status(outcome.status());
  std::string body = "{\"ack\":{\"upto\":" + std::to_string(delta->upto) + "},\"profile\":";
  append_json_string(body, delta->profile_id);
  body += ",\"version\":" + std::to_string(outcome->version) +
          ",\"accepted\":{\"events\":" + std::to_string(outcome->events_added) +
          ",\"traits\":" + std::to_string(outcome->traits_changed) + "}}";
  return json_ok(std::move(body));
}

}  // namespace ashna::server
