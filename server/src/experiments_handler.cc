// Experiments for backend teams (issue 9), secret key required:
//   PUT    /v1/experiments/{key}         define or replace one (docs/experiments.md); the JSON's
//                                       "key" must be the path's
//   GET    /v1/experiments               {"experiments":[definition, ...]}
//   DELETE /v1/experiments/{key}         {"key","deleted":true}
//   GET    /v1/experiments/{key}/report?window_days=14&conversion=purchase
//                                       the report of docs/experiments.md#reports, from the
//                                       exposure events browsers recorded and the outcomes after them
// Browsers get the definitions with the site model (GET /v1/model), decide variants locally and
// record an `exposure` event {"experiment","variation"} when one is shown (analytics consent).
#include <nlohmann/json.hpp>

#include "ashna/codec.h"
#include "ashna/experiment.h"
#include "ashna/experiment_report.h"
#include "ashna/json.h"
#include "ashna/json_value.h"
#include "app.h"
#include "profile_scan.h"
#include "request_checks.h"

namespace ashna::server {
namespace {

constexpr std::size_t kMaxExperiments = 100;       // per site: each one ships to every browser
constexpr std::size_t kReportMaxProfiles = 200000;  // read per report

Response method_not_allowed(std::string_view allow) {
  Response r = json_error(405, "method_not_allowed", "use " + std::string(allow) + " for this route");
  r.headers["allow"] = std::string(allow);
  return r;
}

// The experiment `key` of the site, parsed; not_found when there is none.
Result<Experiment> find_experiment(App& app, const Site& site, std::string_view key) {
  auto all = app.store.experiments(site);
  if (!all) return all.status();
  for (const auto& [k, body] : all.value()) {
    if (k != key) continue;
    auto json = parse_json_value(body);
    if (!json) return Status::error("storage_error", "stored experiment is unreadable");
    return experiment_from_json(json.value());
  }
  return Status::error("not_found", "no experiment with this key");
}

// The exposures of one experiment (`variations` of them) and the outcomes in one profile's events.
// Exposure props come from devices: one naming a variation the definition does not have is
// ignored, not allowed to spoil the report.
void collect(const Profile& p, std::string_view key, std::size_t variations, std::vector<ExposureRecord>& exposures,
             std::vector<OutcomeRecord>& outcomes) {
  for (const Event& e : p.events()) {
    if (e.type == EventType::exposure) {
      auto props = nlohmann::json::parse(e.props, nullptr, false);
      if (!props.is_object()) continue;
      auto exp = props.find("experiment");
      auto var = props.find("variation");
      if (exp == props.end() || !exp->is_string() || exp->get_ref<const std::string&>() != key) continue;
      if (var == props.end() || !var->is_number_unsigned() || var->get<std::uint64_t>() >= variations) continue;
      exposures.push_back({p.id(), std::string(key), static_cast<int>(var->get<std::uint64_t>()), e.ts});
    } else if (auto type = outcome_type(e.type)) {
      outcomes.push_back({p.id(), *type, e.ts, e.type == EventType::purchase ? line_total(e) : 0.0});
    }
  }
}

Response put(const Request& req, App& app, const Site& site, std::string_view key) {
  if (Response r = require_json(req); r.status) return r;
  auto json = parse_json_value(req.body);
  if (!json) return json_error(400, "malformed_json", json.status().message());
  auto exp = experiment_from_json(json.value());
  if (!exp) return json_error(400, exp.status().code(), exp.status().message());
  if (exp->key != key) return json_error(400, "invalid_field", "key: must be the key in the path");
  auto all = app.store.experiments(site);
  if (!all) return from_status(all.status());
  bool replacing = false;
  for (const auto& entry : all.value()) replacing = replacing || entry.first == key;
  if (!replacing && all->size() >= kMaxExperiments)
    return json_error(400, "too_many_experiments",
                      "a site has at most " + std::to_string(kMaxExperiments) + " experiments; delete one first");
  if (Status s = app.store.put_experiment(site, key, to_json(json.value()), app.now()); !s) return from_status(s);
  std::string body = "{\"key\":";
  append_json_string(body, key);
  return json_ok(body + ",\"stored\":true}");
}

Response report(const Request& req, App& app, const Site& site, std::string_view key) {
  auto exp = find_experiment(app, site, key);
  if (!exp) return from_status(exp.status());
  AttributionOptions options;
  if (std::string v = req.query("window_days"); !v.empty()) {
    auto days = parse_count(v, 90);
    if (!days || *days == 0) return json_error(400, "invalid_field", "window_days: an integer from 1 to 90");
    options.window_ms = *days * AttributionOptions::kDayMs;
  }
  if (std::string v = req.query("conversion"); !v.empty()) {
    auto type = parse_outcome_type(v);
    if (!type || is_negative(*type))
      return json_error(400, "invalid_field", "conversion: one of click, add_to_cart, purchase");
    options.conversion = *type;
  }
  std::vector<ExposureRecord> exposures;
  std::vector<OutcomeRecord> outcomes;
  const std::size_t variations = traffic_weights(exp.value()).size();
  auto end = scan_profiles(app.store, site, "", kReportMaxProfiles, [&](const StoredProfile& stored) {
    collect(stored.profile, key, variations, exposures, outcomes);
    return true;
  });
  if (!end) return from_status(end.status());
  const std::size_t read = end->read;
  const bool complete = end->exhausted;
  auto visitors = attribute(exposures, outcomes, key, options);
  if (!visitors) return json_error(400, visitors.status().code(), visitors.status().message());
  auto r = build_report(std::string(key), visitors.value(), traffic_weights(exp.value()));
  if (!r) return json_error(400, r.status().code(), r.status().message());
  std::string body = to_json(r.value());
  body.pop_back();
  return json_ok(body + ",\"profiles\":" + std::to_string(read) + ",\"complete\":" + (complete ? "true" : "false") +
                 ",\"window_days\":" + std::to_string(options.window_ms / AttributionOptions::kDayMs) +
                 ",\"conversion\":\"" + to_string(options.conversion) + "\"}");
}

}  // namespace

// `rest` is what follows "/v1/experiments" in the path: "", "/{key}" or "/{key}/report".
Response handle_experiments(const Request& req, App& app, std::string_view rest) {
  Response error;
  auto site = authenticate_backend(req, app, error);
  if (!site) return error;
  if (rest.empty() || rest == "/") {
    if (req.method != "GET") return method_not_allowed("GET");
    auto all = app.store.experiments(site.value());
    if (!all) return from_status(all.status());
    std::string body = "{\"experiments\":[";
    for (std::size_t i = 0; i < all->size(); ++i) body += (i ? "," : "") + all.value()[i].second;
    return json_ok(body + "]}");
  }
  rest.remove_prefix(1);
  constexpr std::string_view kReport = "/report";
  const bool is_report = rest.size() > kReport.size() && rest.substr(rest.size() - kReport.size()) == kReport;
  std::string key;
  if (!percent_decode(is_report ? rest.substr(0, rest.size() - kReport.size()) : rest, key, false) ||
      !safe_id(key, 1, 128))
    return json_error(400, "invalid_field", "key: 1 to 128 characters [A-Za-z0-9_.:-]");
  if (is_report) {
    if (req.method != "GET") return method_not_allowed("GET");
    return report(req, app, site.value(), key);
  }
  if (req.method == "PUT") return put(req, app, site.value(), key);
  if (req.method == "DELETE") {
    if (Status s = app.store.delete_experiment(site.value(), key); !s) return from_status(s);
    std::string body = "{\"key\":";
    append_json_string(body, key);
    return json_ok(body + ",\"deleted\":true}");
  }
  return method_not_allowed("PUT, DELETE");
}

}  // namespace ashna::server
