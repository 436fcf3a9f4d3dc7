// POST /v1/sync: a browser sends what its profile gained since the last ack, and gets back
// what it lacks, in one round trip. Two encodings of one protocol, chosen by Content-Type, and
// answered in the same one (docs/sync-protocol.md):
//   version 1, application/json (or text/plain): readable, for debugging and old clients
//     {"v":1,"key":"pk_...","token":"<device token>","since":V0,"delta":{...},
//      "consent":[{"ts","personalisation","analytics","marketing","source","policy"}]}   (optional)
//     Answer: {"ack":{"upto":N},"profile":"id","version":V,"accepted":{"events":a,"traits":t},
//              "down":{"version":V1,"more":false,"events":[...],"traits":{...}}}
//     ("accepted" also has "consent":c when the request carried consent records.)
//   version 2, application/msgpack: the same envelope and delta, compact (grammar in
//     sdk/src/wire.cc); decoded by the codec into the version-1 shape, so every check is shared.
// Errors are JSON for both versions, as on every endpoint.
// POST /v1/identify: {"v":1,"key","token","profile":"<anonymous id>","user":"<id>","proof":"<hex HMAC>"}
// Answer: {"profile":"<the customer's profile id>"}
#include "ashna/codec.h"
#include "ashna/json.h"
#include "ashna/wire.h"
#include "app.h"
#include "request_checks.h"
#include "sha256.h"

#include <cctype>
#include <string_view>

namespace ashna::server {
namespace {

// A status from the codecs as an answer: limits are 413, like the body limit they extend.
Response refuse(const Status& s) {
  if (s.code() == "payload_too_large" || s.code() == "too_many_events") return json_error(413, s.code(), s.message());
  return from_status(s);
}

// Checks the envelope shared by /v1/sync and /v1/identify: content type, body syntax, only the
// allowed keys, protocol version, publishable key, device token. `msgpack` (sync only) accepts a
// version-2 body, read into the version-1 shape (its delta stays compact). Fills `j`, `site`,
// `token` and `wire2`; returns a response with status 0 when all is well.
Response check_envelope(const Request& req, App& app, std::initializer_list<std::string_view> allowed, bool msgpack,
                        nlohmann::json& j, Site& site, std::string& token, bool& wire2) {
  // Media types are case-insensitive (RFC 9110 8.3.1).
  std::string type(req.header("content-type").substr(0, 32));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  wire2 = msgpack && type.substr(0, 19) == "application/msgpack";
  if (!wire2 && type.substr(0, 16) != "application/json" && type.substr(0, 10) != "text/plain")
    return json_error(415, "unsupported_media_type",
                      msgpack ? "send the body as application/msgpack (version 2) or application/json (version 1; "
                                "text/plain for sendBeacon)"
                              : "send the body as application/json (or text/plain for sendBeacon)");
  auto parsed = wire2 ? sync_request_from_msgpack(req.body) : parse_json(req.body);
  if (!parsed) return refuse(parsed.status());
  j = std::move(parsed.value());
  if (!j.is_object()) return json_error(400, "invalid_field", "body must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || it.key() == a;
    if (!ok) return json_error(400, "unknown_field", it.key().substr(0, 64) + ": unknown field");
  }
  auto v = j.find("v");
  if (wire2 && (v == j.end() || !v->is_number_integer() || v->get<std::int64_t>() != kWireVersion))
    return json_error(400, "unsupported_version", "v: an application/msgpack body speaks sync protocol version 2");
  if (!wire2 && (v == j.end() || !v->is_number_integer() || v->get<std::int64_t>() != 1))
    return json_error(400, "unsupported_version", "v: this server speaks sync protocol version 1");
  auto key = j.find("key");
  if (key == j.end()) return json_error(401, "missing_key", "key: the site's publishable key is required");
  if (!key->is_string()) return json_error(400, "invalid_field", "key: must be a string");
  auto found = app.store.site_by_publishable_key(key->get_ref<const std::string&>());
  if (!found) {
    if (found.status().code() != "not_found") return from_status(found.status());
    return json_error(401, "invalid_key", "key: no site has this publishable key");
  }
  site = std::move(found.value());
  // A site that lists its origins accepts browser calls only from them (CORS is enforced by the
  // browser for reading the answer; this refuses the write itself).
  if (std::string_view origin = req.header("origin"); !origin.empty() && !site.origins.empty()) {
    bool listed = false;
    std::string_view rest = site.origins;
    while (!rest.empty() && !listed) {
      auto sp = rest.find(' ');
      listed = rest.substr(0, sp) == origin;
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
    if (!listed)
      return json_error(403, "origin_not_allowed",
                        "origin " + std::string(origin.substr(0, 128)) + " is not in this site's allowed origins");
  }
  auto t = j.find("token");
  if (t == j.end() || !t->is_string() || !safe_id(t->get_ref<const std::string&>(), 16, 128))
    return json_error(400, "invalid_field",
                      "token: a device token of 16 to 128 characters [A-Za-z0-9_.:-] is required");
  token = t->get_ref<const std::string&>();
  // Rates: per device, and per site (all its devices together), so one page in a loop or one
  // busy site cannot take the server from the others.
  if (Response r = check_rate(app, "dev:" + sha256_hex(token), app.limits.device, "device"); r.status) return r;
  return check_rate(app, "site:" + std::to_string(site.id), app.limits.site, "site");
}

// Reads the optional consent records of a sync (issue 6's audit trail). Every field is required
// and checked; status 0 when all is well.
Response parse_consent(const nlohmann::json& j, std::vector<ConsentRecord>& out) {
  if (!j.is_array()) return json_error(400, "invalid_field", "consent: must be an array of consent records");
  if (j.size() > Limits::kMaxConsentPerSync)
    return json_error(413, "too_many_consent_records", "consent: at most " + std::to_string(Limits::kMaxConsentPerSync) +
                                                           " records per sync; send the rest in the next one");
  for (std::size_t i = 0; i < j.size(); ++i) {
    const nlohmann::json& r = j[i];
    const std::string where = "consent[" + std::to_string(i) + "]";
    if (!r.is_object()) return json_error(400, "invalid_field", where + ": must be an object");
    for (auto it = r.begin(); it != r.end(); ++it) {
      bool known = false;
      for (std::string_view k : {"ts", "personalisation", "analytics", "marketing", "source", "policy"})
        known = known || it.key() == k;
      if (!known) return json_error(400, "unknown_field", where + "." + it.key().substr(0, 64) + ": unknown field");
    }
    ConsentRecord c;
    auto ts = r.find("ts");
    if (ts == r.end() || !ts->is_number_integer() || ts->get<std::int64_t>() < EventLimits::kMinTs ||
        ts->get<std::int64_t>() > EventLimits::kMaxTs)
      return json_error(400, "invalid_field", where + ".ts: Unix milliseconds between 2000 and 2100 is required");
    c.ts = ts->get<std::int64_t>();
    for (auto [name, field] : {std::pair{"personalisation", &c.personalisation}, std::pair{"analytics", &c.analytics},
                               std::pair{"marketing", &c.marketing}}) {
      auto b = r.find(name);
      if (b == r.end() || !b->is_boolean())
        return json_error(400, "invalid_field", where + "." + name + ": true or false is required");
      *field = b->get<bool>();
    }
    auto source = r.find("source");
    if (source == r.end() || !source->is_string() ||
        (*source != "banner" && *source != "profile_centre" && *source != "api" && *source != "gpc"))
      return json_error(400, "invalid_field", where + ".source: one of banner, profile_centre, api, gpc");
    c.source = source->get<std::string>();
    auto policy = r.find("policy");
    if (policy == r.end() || !policy->is_string() || policy->get_ref<const std::string&>().empty() ||
        policy->get_ref<const std::string&>().size() > Limits::kMaxPolicyBytes)
      return json_error(400, "invalid_field", where + ".policy: the policy version, 1 to " +
                                                  std::to_string(Limits::kMaxPolicyBytes) + " bytes");
    c.policy = policy->get<std::string>();
    out.push_back(std::move(c));
  }
  return Response{0, {}, {}, {}, false};
}

// The ack of a committed sync, in version 2 (MessagePack).
Response sync_answer_v2(const SyncOutcome& outcome, std::uint64_t upto, const std::string& profile, bool with_consent) {
  WireAnswer a;
  a.upto = upto;
  a.profile = profile;
  a.version = outcome.version;
  a.events_added = static_cast<std::int64_t>(outcome.events_added);
  a.traits_changed = static_cast<std::int64_t>(outcome.traits_changed);
  a.consent_added = with_consent ? static_cast<std::int64_t>(outcome.consent_added) : -1;
  a.down_version = outcome.down_version;
  a.more = outcome.more;
  Response r;
  r.headers["content-type"] = "application/msgpack";
  r.body = encode_answer(a, outcome.down);
  return r;
}

// The ack of a committed sync, in version 1 (JSON).
Response sync_answer(const SyncOutcome& outcome, std::uint64_t upto, const std::string& profile, bool with_consent) {
  std::string body = "{\"ack\":{\"upto\":" + std::to_string(upto) + "},\"profile\":";
  append_json_string(body, profile);
  body += ",\"version\":" + std::to_string(outcome.version) +
          ",\"accepted\":{\"events\":" + std::to_string(outcome.events_added) +
          ",\"traits\":" + std::to_string(outcome.traits_changed) +
          (with_consent ? ",\"consent\":" + std::to_string(outcome.consent_added) : std::string()) + "}" +
          ",\"down\":{\"version\":" + std::to_string(outcome.down_version) +
          ",\"more\":" + (outcome.more ? "true" : "false");
  // The down delta's erasure, events and traits, in the same shape the browser sends up.
  std::string down = to_json(outcome.down);
  std::size_t from = down.find(",\"erased\":");
  if (from == std::string::npos) from = down.find(",\"events\":");
  body += down.substr(from) + "}";
  return json_ok(std::move(body));
}

}  // namespace

Response handle_sync(const Request& req, App& app) {
  nlohmann::json j;
  Site site;
  std::string token;
  bool wire2 = false;
  if (Response r = check_envelope(req, app, {"v", "key", "token", "since", "delta", "consent"}, true, j, site, token,
                                  wire2);
      r.status)
    return r;
  std::int64_t since = 0;
  if (auto s = j.find("since"); s != j.end()) {
    if (!s->is_number_integer() || s->get<std::int64_t>() < 0)
      return json_error(400, "invalid_field", "since: must be an integer >= 0 (the last version received)");
    since = s->get<std::int64_t>();
  }
  auto dj = j.find("delta");
  if (dj == j.end()) return json_error(400, "invalid_field", "delta: is required");
  if (dj->is_object())
    if (auto ev = dj->find(wire2 ? "e" : "events"); ev != dj->end() && ev->is_array() &&
                                                      ev->size() > Limits::kMaxEventsPerDelta)
      return json_error(413, "too_many_events",
                        "delta.events: at most " + std::to_string(Limits::kMaxEventsPerDelta) +
                            " events per sync; send the rest in the next one");
  auto delta = wire2 ? delta_from_wire(*dj) : delta_from_json(*dj);
  if (!delta) return refuse(delta.status());
  if (!safe_id(delta->profile_id, 1, 128))
    return json_error(400, "invalid_field", "delta.profile: 1 to 128 characters [A-Za-z0-9_.:-]");
  if (!safe_id(delta->replica, 1, 128))
    return json_error(400, "invalid_field", "delta.replica: 1 to 128 characters [A-Za-z0-9_.:-]");

  std::vector<ConsentRecord> consent;
  auto cj = j.find("consent");
  if (cj != j.end())
    if (Response r = parse_consent(*cj, consent); r.status) return r;
  if (app.metrics) app.metrics->record_sync(delta->events.size());
  // Answered from the commit, not by waiting here: while the writer fsyncs, this I/O thread reads
  // more requests, and their syncs join the next commit (group commit needs concurrency).
  Response r;
  r.later = [&app, site, hash = sha256_hex(token), d = std::move(delta.value()), since, now = app.now(),
             consent = std::move(consent), with_consent = cj != j.end(), wire2](std::shared_ptr<Responder> out) {
    app.store.apply_sync_async(
        site, hash, d, since, now, consent,
        [out, upto = d.upto, profile = d.profile_id, with_consent, wire2](Result<SyncOutcome> outcome) {
          if (!outcome) return out->reply(from_status(outcome.status()));
          out->reply(wire2 ? sync_answer_v2(outcome.value(), upto, profile, with_consent)
                           : sync_answer(outcome.value(), upto, profile, with_consent));
        });
  };
  return r;
}

Response handle_identify(const Request& req, App& app) {
  nlohmann::json j;
  Site site;
  std::string token;
  bool wire2 = false;
  if (Response r = check_envelope(req, app, {"v", "key", "token", "profile", "user", "proof"}, false, j, site, token,
                                  wire2);
      r.status)
    return r;
  auto text = [&](const char* k) -> const std::string* {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  const std::string *profile = text("profile"), *user = text("user"), *proof = text("proof");
  if (!profile || !safe_id(*profile, 1, 128))
    return json_error(400, "invalid_field", "profile: the device's current profile id is required");
  if (!user || user->empty() || user->size() > 256)
    return json_error(400, "invalid_field", "user: the customer's id (1 to 256 bytes) is required");
  if (!proof || proof->size() != 64)
    return json_error(400, "invalid_field", "proof: hex HMAC-SHA256 of the user id with the site's identity secret");
  if (site.identity_secret.empty())
    return json_error(403, "identity_disabled", "this site has no identity secret; identify is off");
  // Constant time: the comparison must not reveal how many leading characters were right.
  std::string expected = to_hex(hmac_sha256(site.identity_secret, *user));
  unsigned diff = 0;
  for (std::size_t i = 0; i < expected.size(); ++i)
    diff |= static_cast<unsigned>(expected[i] ^ (*proof)[i]);
  if (diff != 0) return json_error(403, "invalid_proof", "proof: does not match this user id; sign it on your server");

  auto customer = app.store.identify(site, sha256_hex(token), *profile, *user, app.now());
  if (!customer) return from_status(customer.status());
  std::string body = "{\"profile\":";
  append_json_string(body, customer.value());
  return json_ok(body + "}");
}

}  // namespace ashna::server
