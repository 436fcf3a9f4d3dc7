// Site models on the server; see site_models.h.
#include "site_models.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "ashna/codec.h"
#include "ashna/json.h"
#include "ashna/population.h"
#include "ashna/views.h"
#include "profile_scan.h"

namespace ashna::server {
namespace {

constexpr std::size_t kPage = 500;  // profiles per read while fitting

// What browsers get of the population model: the most bought items, and for each of the most
// bought items its best partners. Bounded, so GET /v1/model stays a few KB on any catalogue.
constexpr std::size_t kPopular = 50, kWithPartners = 300, kPartners = 5;

// {"baskets":n,"popular":[id,...],"related":{id:[[id,score],...],...}}: scores to 4 decimals.
std::string population_json(const PopulationModel& p) {
  nlohmann::json related = nlohmann::json::object();
  for (std::size_t i = 0; i < p.popularity.size() && i < kWithPartners; ++i) {
    const ItemStats* s = p.find(p.popularity[i]);
    if (!s || s->related.empty()) continue;
    nlohmann::json& out = related[p.popularity[i]] = nlohmann::json::array();
    for (std::size_t k = 0; k < s->related.size() && k < kPartners; ++k)
      out.push_back({s->related[k].item, std::round(s->related[k].score * 1e4) / 1e4});
  }
  std::vector<std::string> popular(p.popularity.begin(),
                                   p.popularity.begin() + static_cast<std::ptrdiff_t>(std::min(kPopular, p.popularity.size())));
  return nlohmann::json{{"baskets", p.baskets}, {"popular", popular}, {"related", related}}.dump();
}

}  // namespace

Result<FitReport> fit_site(Store& store, const Site& site, std::int64_t now,
                           const std::function<void(std::size_t)>& progress) {
  FitReport report;
  std::vector<CustomerFacts> buyers;
  std::vector<Basket> baskets;  // every order: the population model (popularity, often bought with)
  std::vector<Rfm> rfms;  // one per profile read, for the segment sizes once breakpoints are known
  ViewOptions options;
  options.now = now;
  // Every profile, in pages; progress after each page.
  const std::function<bool(const StoredProfile&)> visit = [&](const StoredProfile& stored) {
    ++report.profiles;
    CustomerValue v = summarize_customer(stored.profile, now);
    Rfm rfm = compute_rfm(stored.profile, options);
    if (v.orders > 0) buyers.push_back({v.summary, rfm});
    rfms.push_back(rfm);
    for (const Event& e : stored.profile.events()) {
      if (e.type != EventType::purchase || e.lines.empty()) continue;
      Basket& b = baskets.emplace_back(Basket{stored.profile.id(), {}});
      for (const Line& l : e.lines) b.items.push_back(l.item.id);
    }
    return true;
  };
  for (std::string after;;) {
    auto end = scan_profiles(store, site, after, kPage, visit);
    if (!end) return end.status();
    if (progress) progress(report.profiles);
    if (end->exhausted) break;
    after = end->last;
  }
  report.model = fit_site_model(buyers, now);

  // Segment sizes under the site's own breakpoints: the scores depend only on the three numbers.
  std::map<std::string, std::size_t> sizes;
  for (const char* s : {"champions", "loyal", "potential_loyalist", "new", "at_risk", "cant_lose", "hibernating",
                        "lost", "none"})
    sizes[s] = 0;
  for (const Rfm& r : rfms) {
    if (r.orders == 0) {
      ++sizes["none"];
      continue;
    }
    Rfm scored = score_rfm(r, report.model.breakpoints);
    ++sizes[scored.segment];
  }
  report.segments = "{";
  for (const auto& [name, n] : sizes)
    report.segments += (report.segments.size() > 1 ? ",\"" : "\"") + name + "\":" + std::to_string(n);
  report.segments += "}";
  auto population = build_population(baskets);
  if (!population) return population.status();
  report.population_baskets = population->baskets;
  // The model's JSON with the population beside it: site_model_from_json reads only its own keys.
  report.body = to_json(report.model);
  report.body.pop_back();
  report.body += ",\"population\":" + population_json(population.value()) + "}";
  if (Status s = store.save_model(site, report.model.fitted_at, report.body, report.segments); !s) return s;
  return report;
}

Result<SiteModel> current_model(Store& store, const Site& site) {
  auto text = store.latest_model(site);
  if (!text) {
    if (text.status().code() == "not_found") return SiteModel{};
    return text.status();
  }
  auto model = site_model_from_json(text.value());
  if (model) return model;
  // Written by an older server (another shape): score with the defaults until the next fit.
  SiteModel defaults;
  defaults.value_note = "the stored model is from an older version and is ignored until the next fit";
  return defaults;
}

Result<SiteModel> site_model_from_json(std::string_view text) {
  auto parsed = parse_json(text);
  if (!parsed) return parsed.status();
  const nlohmann::json& j = parsed.value();
  auto bad = [](std::string_view path) {
    return Status::error("invalid_field", "model." + std::string(path) + ": missing or of the wrong type");
  };
  auto number = [](const nlohmann::json& o, const char* k, double& out) {
    auto it = o.find(k);
    if (it == o.end() || !it->is_number()) return false;
    out = it->get<double>();
    return true;
  };
  if (!j.is_object()) return bad("");
  SiteModel m;
  auto fitted = j.find("fitted_at");
  auto customers = j.find("customers");
  if (fitted == j.end() || !fitted->is_number_integer()) return bad("fitted_at");
  if (customers == j.end() || !customers->is_number_integer()) return bad("customers");
  m.fitted_at = fitted->get<std::int64_t>();
  m.customers = customers->get<int>();
  auto rfm = j.find("rfm");
  if (rfm == j.end() || !rfm->is_object()) return bad("rfm");
  for (const char* k : {"recency_days", "frequency", "monetary"}) {
    auto a = rfm->find(k);
    if (a == rfm->end() || !a->is_array() || a->size() != 4) return bad(std::string("rfm.") + k);
    for (int i = 0; i < 4; ++i)
      if (!(*a)[i].is_number()) return bad(std::string("rfm.") + k);
  }
  for (int i = 0; i < 4; ++i) {
    m.breakpoints.recency_days[i] = (*rfm)["recency_days"][i].get<std::int64_t>();
    m.breakpoints.frequency[i] = (*rfm)["frequency"][i].get<int>();
    m.breakpoints.monetary[i] = (*rfm)["monetary"][i].get<double>();
  }
  if (auto note = j.find("value_note"); note != j.end() && note->is_string()) m.value_note = note->get<std::string>();
  auto value = j.find("value");
  if (value == j.end()) return bad("value");
  if (value->is_null()) return m;
  if (!value->is_object()) return bad("value");
  auto bg = value->find("bgnbd");
  auto sp = value->find("spend");
  if (bg == value->end() || !bg->is_object()) return bad("value.bgnbd");
  if (sp == value->end() || !sp->is_object()) return bad("value.spend");
  BgNbdParams b;
  GammaGammaParams g;
  if (!number(*bg, "r", b.r) || !number(*bg, "alpha", b.alpha) || !number(*bg, "a", b.a) || !number(*bg, "b", b.b))
    return bad("value.bgnbd");
  if (!number(*sp, "p", g.p) || !number(*sp, "q", g.q) || !number(*sp, "gamma", g.gamma)) return bad("value.spend");
  double months = 0;
  if (!number(*value, "tier_median", m.tier_median) || !number(*value, "tier_p80", m.tier_p80) ||
      !number(*value, "clv_months", months) || !number(*value, "monthly_discount", m.clv.discount_rate))
    return bad("value");
  m.clv.periods = static_cast<int>(months);
  m.bgnbd = b;
  m.spend = g;
  return m;
}

std::string profile_views_json(const Profile& profile, const SiteModel& model, std::int64_t now) {
  ViewOptions options;
  options.now = now;
  options.breakpoints = model.breakpoints;
  Views views = compute_views(profile, Catalog{}, options);
  views.value = score_customer(profile, model, now);
  add_lifetime_value(views.value, model);
  return to_json(views);
}

}  // namespace ashna::server
