// Routing: method and path first, then the handler. Unknown /v1 routes are JSON 404s, a known
// route with the wrong method is a 405 with Allow.
#include <exception>

#include "app.h"

namespace ashna::server {
namespace {

Response method_not_allowed(std::string_view allow) {
  Response r = json_error(405, "method_not_allowed", "use " + std::string(allow) + " for this route");
  r.headers["allow"] = std::string(allow);
  return r;
}

Response route(const Request& req, App& app) {
  std::string_view path = req.path();
  const std::string& m = req.method;
  if (path == "/healthz") {
    if (m != "GET" && m != "HEAD") return method_not_allowed("GET, HEAD");
    return json_ok("{\"status\":\"ok\"}");
  }
  if (path == "/v1/sync") {
    if (m != "POST") return method_not_allowed("POST");
    return handle_sync(req, app);
  }
  if (path == "/v1/identify") {
    if (m != "POST") return method_not_allowed("POST");
    return handle_identify(req, app);
  }
  constexpr std::string_view kProfiles = "/v1/profiles/";
  if (path.substr(0, kProfiles.size()) == kProfiles && path.size() > kProfiles.size()) {
    if (m != "GET" && m != "DELETE") return method_not_allowed("GET, DELETE");
    std::string id;
    if (!percent_decode(path.substr(kProfiles.size()), id, false))
      return json_error(400, "invalid_field", "profile id: malformed percent-encoding");
    return m == "GET" ? handle_get_profile(req, app, id) : handle_delete_profile(req, app, id);
  }
  if (path == "/v1" || path.substr(0, 4) == "/v1/")
    return json_error(404, "not_found", "no API route " + std::string(path.substr(0, 128)));
  if (m != "GET" && m != "HEAD") return method_not_allowed("GET, HEAD");
  return handle_static(req, app);
}

}  // namespace

Response handle_request(const Request& req, App& app) {
  Response r;
  try {
    r = route(req, app);
  } catch (const std::exception& e) {
    // Handlers do not throw by design; this keeps a bug (e.g. bad_alloc) from killing the server.
    r = json_error(500, "internal_error", "the server failed to handle this request");
  }
  r.headers.emplace("x-content-type-options", "nosniff");
  if (!r.headers.count("cache-control")) r.headers["cache-control"] = "no-store";
  return r;
}

}  // namespace ashna::server
