// Site models on the server: fitting one from every profile a site holds, reading the one to
// score with, and the views + value of one profile as the backend API shows them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ashna/site_model.h"
#include "ashna/status.h"
#include "store.h"

namespace ashna::server {

struct FitReport {
  SiteModel model;
  std::size_t profiles = 0;  // profiles read (buyers and browsers)
  std::string segments;      // JSON {"champions":n,...,"none":n} under the new breakpoints
  int population_baskets = 0;  // orders the population model (GET /v1/model "population") saw
  std::string body;            // the model's JSON as GET /v1/model serves it, less experiments
};

// Reads every profile of the site, fits its model at `now` and saves it with the population
// model of its orders (popularity, often bought with) beside it (the newest is what
// GET /v1/model serves). `progress(profiles read)` is called now and then (the CLI's indicator).
// Errors: the store's.
Result<FitReport> fit_site(Store& store, const Site& site, std::int64_t now,
                           const std::function<void(std::size_t)>& progress = {});

// The site's latest model, or the defaults (fitted_at 0) when it was never fitted.
Result<SiteModel> current_model(Store& store, const Site& site);

// Reads what to_json(SiteModel) wrote. invalid_field naming the path on anything else.
Result<SiteModel> site_model_from_json(std::string_view text);

// to_json(Views) of the profile now, under the site's breakpoints, with its value scored.
std::string profile_views_json(const Profile& profile, const SiteModel& model, std::int64_t now);

}  // namespace ashna::server
