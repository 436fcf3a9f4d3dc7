// GET /v1/export: every profile of the key's site as NDJSON (one GET /v1/profiles/{id} object per
// line, in id order), streamed in chunks so neither side holds the whole site in memory. The
// stream ends with HTTP's last chunk; a stream cut short (client or server gone, storage error)
// lacks it, so a client can tell a complete export from a broken one.
#include "app.h"
#include "request_checks.h"

namespace ashna::server {
namespace {

// Profiles per chunk: big enough to amortise a read transaction, small enough to bound memory.
constexpr std::size_t kPage = 100;

// Owned by the write in flight; each step reads one page on the session's strand.
class ExportStream : public std::enable_shared_from_this<ExportStream> {
 public:
  ExportStream(App& app, Site site, std::shared_ptr<Responder> out)
      : app_(app), site_(std::move(site)), out_(std::move(out)) {}

  void start() {
    Response head;
    head.headers["content-type"] = "application/x-ndjson";
    head.headers["content-disposition"] = "attachment; filename=\"profiles.ndjson\"";
    out_->start(std::move(head));
    out_->after(std::chrono::milliseconds(0), [self = shared_from_this()] { self->step(); });
  }

 private:
  void step() {
    auto ids = app_.store.profile_ids(site_, last_id_, kPage);
    if (!ids) return fail("read profile ids");
    if (ids->empty()) return out_->finish();
    std::string text;
    for (const std::string& id : ids.value()) {
      auto stored = app_.store.load_profile(site_, id);
      if (!stored) {
        if (stored.status().code() == "not_found") continue;  // gone since the id was read
        return fail("read profile");
      }
      text += stored_profile_json(stored.value()) + "\n";
    }
    last_id_ = ids->back();
    out_->write(std::move(text), [self = shared_from_this()](bool ok) {
      if (ok) self->step();
    });
  }
  // Ending without the last chunk tells the client the export is incomplete.
  void fail(const char* what) {
    if (app_.log) app_.log(std::string("{\"level\":\"warn\",\"msg\":\"export cut short: ") + what + "\"}");
    out_->abort();
  }

  App& app_;
  Site site_;
  std::string last_id_;
  std::shared_ptr<Responder> out_;
};

}  // namespace

Response handle_export(const Request& req, App& app) {
  Response error;
  auto site = authenticate_backend(req, app, error);
  if (!site) return error;
  Response r;
  r.later = [&app, site = site.value()](std::shared_ptr<Responder> out) {
    std::make_shared<ExportStream>(app, site, std::move(out))->start();
  };
  return r;
}

}  // namespace ashna::server
