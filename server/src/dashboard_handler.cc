// GET /dashboard/: the customer-value dashboard (issue 7), a static page compiled into the server.
// The page itself holds no data: it asks for the site's secret key and reads GET /v1/stats and
// GET /v1/profiles with it. Its CSP allows nothing but this server's own scripts, styles and API.
#include "app.h"
#include "dashboard_assets.h"
#include "sha256.h"

namespace ashna::server {

Response handle_dashboard(const Request& req, App&) {
  std::string_view path = req.path();
  if (path == "/dashboard") {
    Response r;
    r.status = 308;
    r.headers["location"] = "/dashboard/";
    return r;
  }
  if (path == "/dashboard/") path = "/dashboard/index.html";
  for (const DashboardAsset& a : dashboard_assets()) {
    if (a.path != path) continue;
    Response r;
    const std::string_view ext = path.substr(path.rfind('.'));
    r.headers["content-type"] = ext == ".html" ? "text/html; charset=utf-8"
                                : ext == ".js"  ? "text/javascript; charset=utf-8"
                                : ext == ".svg" ? "image/svg+xml"
                                                : "text/css; charset=utf-8";
    r.headers["content-security-policy"] =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    r.headers["referrer-policy"] = "no-referrer";
    r.headers["cache-control"] = "no-cache";
    r.headers["etag"] = "\"" + sha256_hex(a.body).substr(0, 24) + "\"";
    if (req.header("if-none-match") == r.headers["etag"]) {
      r.status = 304;
      return r;
    }
    if (req.method != "HEAD") r.body = std::string(a.body);
    return r;
  }
  return json_error(404, "not_found", "no dashboard file " + std::string(path.substr(0, 128)));
}

}  // namespace ashna::server
