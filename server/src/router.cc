// Routing: method and path first, then the handler. Unknown /v1 routes are JSON 404s, a known
// route with the wrong method is a 405 with Allow. handle_request() also gives every request an
// id (X-Request-Id, echoed or made), a JSON log line and its metrics.
#include <atomic>
#include <chrono>
#include <exception>
#include <random>

#include "ashna/json.h"
#include "app.h"
#include "request_checks.h"

namespace ashna::server {
namespace {

Response method_not_allowed(std::string_view allow) {
  Response r = json_error(405, "method_not_allowed", "use " + std::string(allow) + " for this route");
  r.headers["allow"] = std::string(allow);
  return r;
}

// Browser endpoints: called from shop pages on other origins, authenticated by the body (key and
// device token), never by cookies.
bool browser_endpoint(std::string_view path) {
  return path == "/v1/sync" || path == "/v1/identify" || path == "/v1/model";
}

Response route(const Request& req, App& app) {
  std::string_view path = req.path();
  const std::string& m = req.method;
  if (std::string bad = req.malformed_query(); !bad.empty() && (path == "/v1" || path.substr(0, 4) == "/v1/")) {
    std::string name = bad.substr(0, 32);
    for (char& c : name)
      if (!safe_id(std::string_view(&c, 1), 1, 1)) c = '_';  // the name is echoed: keep it plain
    return json_error(400, "invalid_field", name + ": malformed percent-encoding in the query string");
  }
  if (m == "OPTIONS" && browser_endpoint(path)) {
    // CORS preflight (application/json bodies need one). The site, and so its origin list, is only
    // known from the body, so the POST itself is checked (origin_not_allowed).
    Response r;
    r.status = 204;
    r.headers["access-control-allow-methods"] = path == "/v1/model" ? "GET" : "POST";
    r.headers["access-control-allow-headers"] = "Content-Type";
    r.headers["access-control-max-age"] = "86400";
    return r;
  }
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
  if (path == "/metrics") {
    if (m != "GET") return method_not_allowed("GET");
    Response r;
    r.headers["content-type"] = "text/plain; version=0.0.4; charset=utf-8";
    r.body = app.metrics->render(app.store.commit_stats(), app.notifier ? app.notifier->subscribers() : 0);
    return r;
  }
  if (path == "/v1/model") {
    if (m != "GET") return method_not_allowed("GET");
    return handle_model(req, app);
  }
  if (path == "/v1/profiles") {
    if (m != "GET") return method_not_allowed("GET");
    return handle_list_profiles(req, app);
  }
  if (path == "/v1/experiments" || path.substr(0, 16) == "/v1/experiments/") return handle_experiments(req, app, path.substr(15));
  if (path == "/v1/stats") {
    if (m != "GET") return method_not_allowed("GET");
    return handle_stats(req, app);
  }
  if (path == "/v1/export") {
    if (m != "GET") return method_not_allowed("GET");
    return handle_export(req, app);
  }
  if (path == "/v1/changes") {
    if (m != "GET") return method_not_allowed("GET");
    return handle_changes(req, app);
  }
  if (path == "/v1/events") {
    if (m != "POST") return method_not_allowed("POST");
    return handle_ingest(req, app);
  }
  constexpr std::string_view kProfiles = "/v1/profiles/";
  if (path.substr(0, kProfiles.size()) == kProfiles && path.size() > kProfiles.size()) {
    std::string_view rest = path.substr(kProfiles.size());
    constexpr std::string_view kConsent = "/consent";
    if (rest.size() > kConsent.size() && rest.substr(rest.size() - kConsent.size()) == kConsent) {
      if (m != "GET") return method_not_allowed("GET");
      std::string id;
      if (!percent_decode(rest.substr(0, rest.size() - kConsent.size()), id, false))
        return json_error(400, "invalid_field", "profile id: malformed percent-encoding");
      return handle_get_consent(req, app, id);
    }
    if (m != "GET" && m != "DELETE") return method_not_allowed("GET, DELETE");
    std::string id;
    if (!percent_decode(rest, id, false))
      return json_error(400, "invalid_field", "profile id: malformed percent-encoding");
    return m == "GET" ? handle_get_profile(req, app, id) : handle_delete_profile(req, app, id);
  }
  if (path == "/dashboard" || path.substr(0, 11) == "/dashboard/") {
    if (m != "GET" && m != "HEAD") return method_not_allowed("GET, HEAD");
    return handle_dashboard(req, app);
  }
  if (path == "/v1" || path.substr(0, 4) == "/v1/")
    return json_error(404, "not_found", "no API route " + std::string(path.substr(0, 128)));
  if (m != "GET" && m != "HEAD") return method_not_allowed("GET, HEAD");
  return handle_static(req, app);
}

// The route pattern for metrics and logs: a fixed set, never the raw path.
std::string_view route_label(std::string_view path) {
  for (std::string_view fixed : {"/healthz", "/metrics", "/v1/sync", "/v1/identify", "/v1/events", "/v1/changes",
                                 "/v1/export", "/v1/model", "/v1/profiles", "/v1/stats"})
    if (path == fixed) return fixed;
  if (path.substr(0, 13) == "/v1/profiles/") {
    if (path.size() > 8 && path.substr(path.size() - 8) == "/consent") return "/v1/profiles/{id}/consent";
    return "/v1/profiles/{id}";
  }
  if (path == "/v1/experiments") return "/v1/experiments";
  if (path.substr(0, 16) == "/v1/experiments/")
    return path.size() > 7 && path.substr(path.size() - 7) == "/report" ? "/v1/experiments/{key}/report"
                                                                         : "/v1/experiments/{key}";
  if (path == "/v1" || path.substr(0, 4) == "/v1/") return "/v1/unknown";
  if (path == "/dashboard" || path.substr(0, 11) == "/dashboard/") return "/dashboard";

  return "static";
}

// The caller's X-Request-Id when it is a sane id (so a proxy's id joins the logs), else a new one.
std::string request_id(const Request& req) {
  std::string_view given = req.header("x-request-id");
  if (safe_id(given, 1, 128)) return std::string(given);
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  std::uint64_t bits = random();
  for (char& c : id) c = kHex[bits & 15], bits >>= 4;
  return id;
}

// What the log line and metrics of one request need, kept until a late answer is given.
struct Observation {
  std::string id, method, path;
  std::string_view route;
  std::chrono::steady_clock::time_point start;
};

void observe(App& app, const Observation& o, int status, bool deferred) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - o.start).count();
  if (app.metrics) app.metrics->record_request(o.route, status, seconds);
  if (!app.log) return;
  std::string line = "{\"ts\":" + std::to_string(app.now()) + ",\"level\":\"info\",\"msg\":\"request\",\"request_id\":";
  append_json_string(line, o.id);
  line += ",\"method\":";
  append_json_string(line, o.method);
  line += ",\"route\":\"" + std::string(o.route) + "\",\"path\":";
  append_json_string(line, o.path);
  line += ",\"status\":" + std::to_string(status) + ",\"deferred\":" + (deferred ? "true" : "false") +
          ",\"ms\":" + std::to_string(seconds * 1000) + "}";
  app.log(line);
}

// The session's Responder, plus: the first answer (or stream header) is counted and logged like
// an immediate answer, with the time until it was given.
class ObservedResponder final : public Responder {
 public:
  ObservedResponder(std::shared_ptr<Responder> inner, App& app, Observation o)
      : inner_(std::move(inner)), app_(app), o_(std::move(o)) {}
  void reply(Response r) override {
    once(r.status);
    inner_->reply(std::move(r));
  }
  void start(Response head) override {
    once(head.status);
    inner_->start(std::move(head));
  }
  void write(std::string chunk, std::function<void(bool)> done) override { inner_->write(std::move(chunk), std::move(done)); }
  void finish() override { inner_->finish(); }
  void abort() override { inner_->abort(); }
  void after(std::chrono::milliseconds delay, std::function<void()> fn) override { inner_->after(delay, std::move(fn)); }
  bool done() const override { return inner_->done(); }

 private:
  void once(int status) {
    if (!observed_.exchange(true)) observe(app_, o_, status, true);
  }
  std::shared_ptr<Responder> inner_;
  App& app_;
  Observation o_;
  std::atomic<bool> observed_{false};
};

}  // namespace

Response handle_request(const Request& req, App& app) {
  Observation o{request_id(req), req.method.substr(0, 16), std::string(req.path().substr(0, 256)),
                route_label(req.path()), std::chrono::steady_clock::now()};
  Response r;
  try {
    r = route(req, app);
  } catch (const std::exception& e) {
    // Handlers do not throw by design; this keeps a bug (e.g. bad_alloc) from killing the server.
    r = json_error(500, "internal_error", "the server failed to handle this request");
  }
  if (std::string_view origin = req.header("origin"); !origin.empty() && browser_endpoint(req.path())) {
    r.headers["access-control-allow-origin"] = std::string(origin);
    r.headers["vary"] = "Origin";
  }
  r.headers.emplace("x-content-type-options", "nosniff");
  if (!r.headers.count("cache-control")) r.headers["cache-control"] = "no-store";
  r.headers["x-request-id"] = o.id;
  if (!r.later) {
    observe(app, o, r.status, false);
    return r;
  }
  r.later = [later = std::move(r.later), &app, o](std::shared_ptr<Responder> out) {
    later(std::make_shared<ObservedResponder>(std::move(out), app, o));
  };
  return r;
}

}  // namespace ashna::server
