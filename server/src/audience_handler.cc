// Reading many profiles at once, with their views and value computed as of now (issue 5 and 7):
// GET /v1/profiles?segment=&stage=&tier=&max_p_alive=&min_clv=&active_within_days=&inactive_days=
//                 &after=&limit=
//   {"profiles":[{"id","updated","last_activity","orders","monetary","segment","r","f","m",
//                 "stage","value":{..}}],"next":"<cursor>"|null,"scanned":n}
//   Filters combine with AND; "valuable customers at risk" is ?tier=high&max_p_alive=0.5.
// GET /v1/stats: what the dashboard draws: segment sizes and the R x F grid now, a CLV
//   histogram, p_alive against recency (a sample), and segment sizes at each past fit.
// Views depend on `now` (recency decays daily), so they are computed on read, never stored
// stale. A page reads at most kScanBudget profiles; "next" resumes where it stopped, so a
// selective filter over a large site pages through it in bounded steps.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "ashna/json.h"
#include "app.h"
#include "profile_scan.h"
#include "request_checks.h"
#include "site_models.h"

namespace ashna::server {
namespace {

constexpr std::size_t kScanBudget = 5000;
constexpr std::int64_t kMaxLimit = 500;
constexpr std::size_t kStatsMaxProfiles = 100000;
constexpr std::size_t kScatterPoints = 400;

// One profile, as the listing and the dashboard see it.
struct Row {
  std::string id;
  std::int64_t updated = 0, last_activity = 0;
  Views views;  // with value scored
};

// scan_profiles, each profile as a Row with its views and value as of `now`.
Result<ScanEnd> scan(Store& store, const Site& site, const SiteModel& model, std::int64_t now, std::string after,
                     std::size_t budget, const std::function<bool(const Row&)>& visit) {
  ViewOptions options;
  options.now = now;
  options.breakpoints = model.breakpoints;
  const Catalog catalog;
  return scan_profiles(store, site, std::move(after), budget, [&](const StoredProfile& stored) {
    const Profile& p = stored.profile;
    Row row{p.id(), stored.updated, p.events().empty() ? 0 : p.events().back().ts, compute_views(p, catalog, options)};
    row.views.value = score_customer(p, model, now);
    add_lifetime_value(row.views.value, model);
    return visit(row);
  });
}

std::optional<double> parse_decimal(std::string_view s, double lo, double hi) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v) || v < lo || v > hi)
    return std::nullopt;
  return v;
}

bool one_of(std::string_view v, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

struct Filter {
  std::vector<std::string> segments, stages;
  std::string tier;
  std::optional<double> max_p_alive, min_clv;
  std::optional<std::int64_t> active_within_days, inactive_days;

  bool matches(const Row& r, std::int64_t now) const {
    auto listed = [](const std::vector<std::string>& list, const std::string& v) {
      return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
    };
    if (!listed(segments, r.views.rfm.segment) || !listed(stages, r.views.stage)) return false;
    if (!tier.empty() && r.views.value.tier != tier) return false;
    if (max_p_alive && (!r.views.value.scored || r.views.value.p_alive > *max_p_alive)) return false;
    if (min_clv && (!r.views.value.lifetime || r.views.value.clv < *min_clv)) return false;
    const std::int64_t idle_days = r.last_activity ? (now - r.last_activity) / kDayMs : INT64_MAX;
    if (active_within_days && idle_days > *active_within_days) return false;
    if (inactive_days && idle_days < *inactive_days) return false;
    return true;
  }
};

// Splits "a,b" and checks each against `allowed`; false (with `error` set) on an unknown one.
bool parse_list(const Request& req, const char* name, std::initializer_list<std::string_view> allowed,
                std::vector<std::string>& out, Response& error) {
  std::string v = req.query(name);
  std::string_view rest = v;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view one = rest.substr(0, comma);
    if (!one_of(one, allowed)) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      error = json_error(400, "invalid_field", std::string(name) + ": one or more of " + list);
      return false;
    }
    out.emplace_back(one);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return true;
}

void append_row(std::string& out, const Row& r) {
  const Rfm& rfm = r.views.rfm;
  out += "{\"id\":";
  append_json_string(out, r.id);
  out += ",\"updated\":" + std::to_string(r.updated) + ",\"last_activity\":" + std::to_string(r.last_activity) +
         ",\"orders\":" + std::to_string(rfm.orders) + ",\"monetary\":";
  append_json_number(out, rfm.monetary);
  out += ",\"segment\":";
  append_json_string(out, rfm.segment);
  out += ",\"r\":" + std::to_string(rfm.r) + ",\"f\":" + std::to_string(rfm.f) + ",\"m\":" + std::to_string(rfm.m) +
         ",\"stage\":";
  append_json_string(out, r.views.stage);
  out += ",\"value\":" + to_json(r.views.value) + "}";
}

}  // namespace

Response handle_list_profiles(const Request& req, App& app) {
  Response error;
  auto site = authenticate_backend(req, app, error);
  if (!site) return error;
  Filter f;
  if (!parse_list(req, "segment",
                  {"champions", "loyal", "potential_loyalist", "new", "at_risk", "cant_lose", "hibernating", "lost",
                   "none"},
                  f.segments, error))
    return error;
  if (!parse_list(req, "stage", {"discovering", "comparing", "deciding", "bought", "evaluating", "loyal", "at_risk"},
                  f.stages, error))
    return error;
  if (std::string v = req.query("tier"); !v.empty()) {
    if (!one_of(v, {"high", "medium", "low"}))
      return json_error(400, "invalid_field", "tier: one of high, medium, low");
    f.tier = v;
  }
  if (std::string v = req.query("max_p_alive"); !v.empty()) {
    f.max_p_alive = parse_decimal(v, 0, 1);
    if (!f.max_p_alive) return json_error(400, "invalid_field", "max_p_alive: a number from 0 to 1");
  }
  if (std::string v = req.query("min_clv"); !v.empty()) {
    f.min_clv = parse_decimal(v, 0, 1e12);
    if (!f.min_clv) return json_error(400, "invalid_field", "min_clv: a number >= 0");
  }
  for (auto [name, slot] : {std::pair{"active_within_days", &f.active_within_days}, {"inactive_days", &f.inactive_days}})
    if (std::string v = req.query(name); !v.empty()) {
      *slot = parse_count(v, 36500);
      if (!*slot) return json_error(400, "invalid_field", std::string(name) + ": days, an integer from 0 to 36500");
    }
  std::int64_t limit = 50;
  if (std::string v = req.query("limit"); !v.empty()) {
    auto n = parse_count(v, kMaxLimit);
    if (!n || *n == 0) return json_error(400, "invalid_field", "limit: an integer from 1 to " + std::to_string(kMaxLimit));
    limit = *n;
  }
  std::string after = req.query("after");
  if (!after.empty() && !safe_id(after, 1, 128)) return json_error(400, "invalid_field", "after: a profile id cursor");

  auto model = current_model(app.store, site.value());
  if (!model) return from_status(model.status());
  const std::int64_t now = app.now();
  std::string body = "{\"profiles\":[";
  std::int64_t found = 0;
  auto end = scan(app.store, site.value(), model.value(), now, after, kScanBudget, [&](const Row& r) {
    if (!f.matches(r, now)) return true;
    body += found++ ? "," : "";
    append_row(body, r);
    return found < limit;
  });
  if (!end) return from_status(end.status());
  body += "],\"next\":";
  if (end->exhausted) body += "null";
  else append_json_string(body, end->last);
  body += ",\"scanned\":" + std::to_string(end->read) + "}";
  return json_ok(std::move(body));
}

}  // namespace ashna::server

namespace ashna::server {

Response handle_stats(const Request& req, App& app) {
  Response error;
  auto site = authenticate_backend(req, app, error);
  if (!site) return error;
  auto model = current_model(app.store, site.value());
  if (!model) return from_status(model.status());
  const std::int64_t now = app.now();
  std::map<std::string, std::size_t> segments;
  std::size_t grid[5][5] = {};  // [r-1][f-1], buyers only
  std::vector<double> clvs;
  struct Point {
    std::int64_t recency_days;
    double p_alive;
    std::string tier;
  };
  std::vector<Point> points;
  auto end = scan(app.store, site.value(), model.value(), now, "", kStatsMaxProfiles, [&](const Row& r) {
    const Rfm& rfm = r.views.rfm;
    ++segments[rfm.segment];
    if (rfm.orders > 0) ++grid[rfm.r - 1][rfm.f - 1];
    if (r.views.value.lifetime) {
      clvs.push_back(r.views.value.clv);
      points.push_back({rfm.recency_days, r.views.value.p_alive, r.views.value.tier});
    }
    return true;
  });
  if (!end) return from_status(end.status());

  std::string body = "{\"profiles\":" + std::to_string(end->read) +
                     ",\"complete\":" + (end->exhausted ? "true" : "false") + ",\"model\":{\"fitted_at\":" +
                     std::to_string(model->fitted_at) + ",\"customers\":" + std::to_string(model->customers) +
                     ",\"value\":" + (model->bgnbd ? "true" : "false") + ",\"note\":";
  append_json_string(body, model->value_note);
  body += "},\"segments\":{";
  bool first = true;
  for (const auto& [name, n] : segments) {
    body += first ? "" : ",";
    first = false;
    append_json_string(body, name);
    body += ':';
    body += std::to_string(n);
  }
  body += "},\"grid\":[";
  for (int r = 0; r < 5; ++r) {
    body += r ? ",[" : "[";
    for (int f = 0; f < 5; ++f) {
      if (f) body += ',';
      body += std::to_string(grid[r][f]);
    }
    body += "]";
  }
  // CLV histogram: 20 equal bins up to the 98th percentile; the tail goes into the last bin so
  // one whale does not squash the picture.
  body += "],\"clv\":";
  if (clvs.empty()) {
    body += "null";
  } else {
    std::sort(clvs.begin(), clvs.end());
    const double top = std::max(clvs[static_cast<std::size_t>(0.98 * static_cast<double>(clvs.size() - 1))], 1e-9);
    constexpr int kBins = 20;
    std::size_t bins[kBins] = {};
    for (double c : clvs) ++bins[std::min(kBins - 1, static_cast<int>(c / top * kBins))];
    body += "{\"bin_width\":";
    append_json_number(body, top / kBins);
    body += ",\"counts\":[";
    for (int i = 0; i < kBins; ++i) {
      if (i) body += ',';
      body += std::to_string(bins[i]);
    }
    body += "],\"median\":";
    append_json_number(body, clvs[(clvs.size() - 1) / 2]);
    body += ",\"p80\":";
    append_json_number(body, clvs[static_cast<std::size_t>(0.8 * static_cast<double>(clvs.size() - 1))]);
    body += "}";
  }
  // p_alive against recency: an even sample (every k-th in id order), so the picture is stable.
  body += ",\"alive\":[";
  const std::size_t step = std::max<std::size_t>(1, (points.size() + kScatterPoints - 1) / kScatterPoints);
  for (std::size_t i = 0; i < points.size(); i += step) {
    body += i ? ",[" : "[";
    body += std::to_string(points[i].recency_days) + ",";
    append_json_number(body, points[i].p_alive);
    body += ",";
    append_json_string(body, points[i].tier);
    body += "]";
  }
  body += "],\"history\":[";
  auto history = app.store.model_history(site.value(), 60);
  if (!history) return from_status(history.status());
  for (std::size_t i = 0; i < history->size(); ++i)
    body += (i ? ",{\"fitted_at\":" : "{\"fitted_at\":") + std::to_string(history.value()[i].first) +
            ",\"segments\":" + history.value()[i].second + "}";
  body += "]}";
  return json_ok(std::move(body));
}

}  // namespace ashna::server
