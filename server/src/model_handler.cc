// GET /v1/model?key=pk_...: the site model every browser scores its customer with (issue 7):
// RFM breakpoints, BG/NBD and Gamma-Gamma parameters, tier bounds, and the site's experiments. No personal data, so
// the publishable key suffices. Cacheable: an ETag (a hash of the body) lets browsers revalidate
// with If-None-Match and get a bodiless 304 until the site is fitted again.
#include "ashna/json.h"
#include "app.h"
#include "request_checks.h"
#include "sha256.h"

namespace ashna::server {

Response handle_model(const Request& req, App& app) {
  std::string key = req.query("key");
  if (key.empty()) return json_error(401, "missing_key", "key: the site's publishable key is required (?key=pk_...)");
  auto site = app.store.site_by_publishable_key(key);
  if (!site) {
    if (site.status().code() != "not_found") return from_status(site.status());
    return json_error(401, "invalid_key", "key: no site has this publishable key");
  }
  auto stored = app.store.latest_model(site.value());
  std::string body;
  if (stored) {
    body = std::move(stored.value());
  } else if (stored.status().code() == "not_found") {
    body = to_json(SiteModel{});  // never fitted: the defaults, so every browser gets an answer
  } else {
    return from_status(stored.status());
  }
  // The site's experiments ride along: browsers decide variants locally (issue 9).
  auto experiments = app.store.experiments(site.value());
  if (!experiments) return from_status(experiments.status());
  if (!experiments->empty()) {
    body.pop_back();
    body += ",\"experiments\":[";
    for (std::size_t i = 0; i < experiments->size(); ++i) body += (i ? "," : "") + experiments.value()[i].second;
    body += "]}";
  }
  const std::string etag = "\"" + sha256_hex(body).substr(0, 24) + "\"";
  Response r;
  r.headers["etag"] = etag;
  // Browsers may reuse it for five minutes, then revalidate (cheap: 304 without a body).
  r.headers["cache-control"] = "public, max-age=300";
  // Shared caches must keep a copy per Origin (the CORS header differs); pages may read the ETag.
  r.headers["vary"] = "Origin";
  r.headers["access-control-expose-headers"] = "ETag";
  std::string_view match = req.header("if-none-match");
  if (match == etag || match == "W/" + etag || match == "*") {
    r.status = 304;
    return r;
  }
  r.headers["content-type"] = "application/json";
  r.body = std::move(body);
  return r;
}

}  // namespace ashna::server
