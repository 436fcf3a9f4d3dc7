// POST /v1/events: omnichannel ingest from the shop's other systems (tills, email, call centre),
// secret key required. All or nothing, idempotent by event id, so a failed batch is simply sent
// again.
//   {"events":[{"customer":"<id identify uses>","event":{...event, see docs/sync-protocol.md}},
//              {"profile":"<profile id>","event":{...}}]}
// Answer: {"added":a,"duplicates":d,"erased":e,"profiles":["<profile id of item 0>",...]}
#include "ashna/codec.h"
#include "ashna/json.h"
#include "app.h"
#include "request_checks.h"

namespace ashna::server {

Response handle_ingest(const Request& req, App& app) {
  Response error;
  auto site = authenticate_backend(req, app, error);
  if (!site) return error;
  if (Response r = require_json(req); r.status) return r;
  auto parsed = parse_json(req.body);
  if (!parsed) return from_status(parsed.status());
  const nlohmann::json& j = parsed.value();
  if (!j.is_object()) return json_error(400, "invalid_field", "body must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "events") return json_error(400, "unknown_field", it.key().substr(0, 64) + ": unknown field");
  auto events = j.find("events");
  if (events == j.end() || !events->is_array() || events->empty())
    return json_error(400, "invalid_field", "events: a non-empty array is required");
  // Counted before any event is parsed: bounded work for a refused request.
  if (events->size() > Limits::kMaxIngestEvents)
    return json_error(413, "too_many_events", "events: at most " + std::to_string(Limits::kMaxIngestEvents) +
                                                  " per request; send the rest in the next one");

  std::vector<IngestItem> items;
  items.reserve(events->size());
  for (std::size_t i = 0; i < events->size(); ++i) {
    const nlohmann::json& e = (*events)[i];
    const std::string where = "events[" + std::to_string(i) + "]";
    if (!e.is_object()) return json_error(400, "invalid_field", where + ": must be an object");
    for (auto it = e.begin(); it != e.end(); ++it)
      if (it.key() != "customer" && it.key() != "profile" && it.key() != "event")
        return json_error(400, "unknown_field", where + "." + it.key().substr(0, 64) + ": unknown field");
    auto customer = e.find("customer"), profile = e.find("profile"), event = e.find("event");
    if ((customer == e.end()) == (profile == e.end()))
      return json_error(400, "invalid_field", where + ": give exactly one of customer and profile");
    IngestItem item;
    if (customer != e.end()) {
      // The same rule as identify's user id, so both name the same customer.
      if (!customer->is_string() || customer->get_ref<const std::string&>().empty() ||
          customer->get_ref<const std::string&>().size() > 256)
        return json_error(400, "invalid_field", where + ".customer: the customer's id (1 to 256 bytes)");
      item.customer = customer->get<std::string>();
    } else {
      if (!profile->is_string() || !safe_id(profile->get_ref<const std::string&>(), 1, 128))
        return json_error(400, "invalid_field", where + ".profile: 1 to 128 characters [A-Za-z0-9_.:-]");
      item.profile = profile->get<std::string>();
    }
    if (event == e.end()) return json_error(400, "invalid_field", where + ".event: is required");
    auto parsed_event = event_from_json(*event, where + ".event");
    if (!parsed_event) return from_status(parsed_event.status());
    item.event = std::move(parsed_event.value());
    items.push_back(std::move(item));
  }

  auto outcome = app.store.ingest(site.value(), items, app.now());
  if (!outcome) return from_status(outcome.status());
  std::string body = "{\"added\":" + std::to_string(outcome->added) +
                     ",\"duplicates\":" + std::to_string(outcome->duplicates) +
                     ",\"erased\":" + std::to_string(outcome->erased) + ",\"profiles\":[";
  for (std::size_t i = 0; i < outcome->profiles.size(); ++i) {
    if (i) body += ',';
    append_json_string(body, outcome->profiles[i]);
  }
  return json_ok(body + "]}");
}

}  // namespace ashna::server
