// GET /v1/changes?after=SEQ&limit=N[&wait=S]: the site's change feed (secret key required).
//   Answer: {"changes":[{"seq","profile","version","at","change":{...}}],"next":SEQ}
//   `next` is the cursor for the next call (the last seq returned, or `after` when none).
// With wait=S (1..30) and nothing after the cursor, the answer waits until a change commits or
// S seconds pass (long-poll). With `Accept: text/event-stream` the answer is a Server-Sent Events
// stream: one event per change with `id: SEQ`, so an EventSource that reconnects sends
// Last-Event-ID and resumes exactly after the last change it received.
//
// Waiting never blocks an I/O thread: the waiter subscribes to the ChangeNotifier and answers
// through the session's Responder when the store commits.
#include <charconv>

#include "ashna/json.h"
#include "app.h"
#include "change_notifier.h"
#include "request_checks.h"

namespace ashna::server {
namespace {

// Each answer and each stream step reads at most this many changes: bounded work per step.
constexpr std::size_t kMaxLimit = 1000;
constexpr std::size_t kDefaultLimit = 100;
// Long enough to save requests, short enough for proxies that cut idle connections at 60 s.
constexpr std::int64_t kMaxWaitSeconds = 30;
// An SSE comment this often keeps proxies from closing an idle stream and finds dead clients.
constexpr auto kHeartbeat = std::chrono::seconds(15);
// EventSource waits this long before reconnecting after the stream ends.
constexpr int kRetryMs = 1000;

std::string change_json(const Change& c) {
  std::string out = "{\"seq\":" + std::to_string(c.seq) + ",\"profile\":";
  append_json_string(out, c.profile);
  return out + ",\"version\":" + std::to_string(c.version) + ",\"at\":" + std::to_string(c.at) +
         ",\"change\":" + c.body + "}";
}

std::string page_json(const std::vector<Change>& changes, std::int64_t after) {
  std::string out = "{\"changes\":[";
  for (std::size_t i = 0; i < changes.size(); ++i) out += (i ? "," : "") + change_json(changes[i]);
  std::int64_t next = changes.empty() ? after : changes.back().seq;
  return out + "],\"next\":" + std::to_string(next) + "}";
}

Response storage_unavailable() { return json_error(503, "storage_error", "the store is unavailable; retry later"); }

// A long-poll: answers with the first changes after the cursor, or an empty page at the deadline.
// Owned by its deadline timer and by notifications in flight; all its steps run on the strand.
class LongPoll : public std::enable_shared_from_this<LongPoll> {
 public:
  LongPoll(App& app, Site site, std::int64_t after, std::size_t limit, std::shared_ptr<Responder> out)
      : app_(app), site_(std::move(site)), after_(after), limit_(limit), out_(std::move(out)) {}
  ~LongPoll() { app_.notifier->unsubscribe(subscription_); }

  void start(std::chrono::seconds wait) {
    std::weak_ptr<LongPoll> weak = weak_from_this();
    subscription_ = app_.notifier->subscribe([weak] {
      if (auto self = weak.lock()) self->out_->after(std::chrono::milliseconds(0), [self] { self->check(false); });
    });
    out_->after(wait, [self = shared_from_this()] { self->check(true); });
    // A change may have committed between the handler's first read and the subscription.
    out_->after(std::chrono::milliseconds(0), [self = shared_from_this()] { self->check(false); });
  }

 private:
  void check(bool deadline) {
    if (answered_) return;
    auto changes = app_.store.changes(site_, after_, limit_);
    if (!changes) return answer(storage_unavailable());
    if (changes->empty() && !deadline) return;
    answer(json_ok(page_json(changes.value(), after_)));
  }
  void answer(Response r) {
    answered_ = true;
    app_.notifier->unsubscribe(subscription_);
    out_->reply(std::move(r));
  }

  App& app_;
  Site site_;
  std::int64_t after_;
  std::size_t limit_;
  std::shared_ptr<Responder> out_;
  ChangeNotifier::Id subscription_ = 0;
  bool answered_ = false;
};

// An SSE stream: sends every change after the cursor, then each new one as it commits. At most
// one read-and-write step at a time; a notification during a step makes it run once more.
class ChangeStream : public std::enable_shared_from_this<ChangeStream> {
 public:
  ChangeStream(App& app, Site site, std::int64_t after, std::shared_ptr<Responder> out)
      : app_(app), site_(std::move(site)), cursor_(after), out_(std::move(out)) {}
  ~ChangeStream() { app_.notifier->unsubscribe(subscription_); }

  void start() {
    Response head;
    head.headers["content-type"] = "text/event-stream";
    head.headers["x-accel-buffering"] = "no";  // nginx: pass events through at once
    out_->start(std::move(head));
    out_->write("retry: " + std::to_string(kRetryMs) + "\n\n", nullptr);
    std::weak_ptr<ChangeStream> weak = weak_from_this();
    subscription_ = app_.notifier->subscribe([weak] {
      if (auto self = weak.lock()) self->out_->after(std::chrono::milliseconds(0), [self] { self->wake(); });
    });
    heartbeat();
    out_->after(std::chrono::milliseconds(0), [self = shared_from_this()] { self->wake(); });
  }

 private:
  void wake() {
    if (busy_) {
      again_ = true;
      return;
    }
    step();
  }
  void step() {
    again_ = false;
    auto changes = app_.store.changes(site_, cursor_, kMaxLimit);
    if (!changes) return out_->finish();  // the client reconnects with Last-Event-ID
    if (changes->empty()) return;
    std::string text;
    for (const Change& c : changes.value())
      text += "id: " + std::to_string(c.seq) + "\nevent: change\ndata: " + change_json(c) + "\n\n";
    cursor_ = changes->back().seq;
    bool full = changes->size() == kMaxLimit;
    busy_ = true;
    out_->write(std::move(text), [self = shared_from_this(), full](bool ok) {
      self->busy_ = false;
      if (ok && (full || self->again_)) self->step();
    });
  }
  void heartbeat() {
    out_->after(kHeartbeat, [self = shared_from_this()] {
      self->out_->write(": ping\n\n", nullptr);
      self->heartbeat();
    });
  }

  App& app_;
  Site site_;
  std::int64_t cursor_;
  std::shared_ptr<Responder> out_;
  ChangeNotifier::Id subscription_ = 0;
  bool busy_ = false, again_ = false;
};

}  // namespace

Response handle_changes(const Request& req, App& app) {
  Response error;
  auto site = authenticate_backend(req, app, error);
  if (!site) return error;
  std::int64_t after = 0, limit = kDefaultLimit, wait = 0;
  if (std::string v = req.query("after"); !v.empty()) {
    auto n = parse_count(v, INT64_MAX);
    if (!n) return json_error(400, "invalid_field", "after: a sequence number (integer >= 0) is required");
    after = *n;
  }
  // EventSource sends the last id it received when it reconnects: that is the newer cursor.
  if (std::string_view v = req.header("last-event-id"); !v.empty()) {
    auto n = parse_count(v, INT64_MAX);
    if (!n) return json_error(400, "invalid_field", "Last-Event-ID: must be a sequence number (integer >= 0)");
    after = *n;
  }
  if (std::string v = req.query("limit"); !v.empty()) {
    auto n = parse_count(v, kMaxLimit);
    if (!n || *n == 0)
      return json_error(400, "invalid_field", "limit: an integer from 1 to " + std::to_string(kMaxLimit));
    limit = *n;
  }
  if (std::string v = req.query("wait"); !v.empty()) {
    auto n = parse_count(v, kMaxWaitSeconds);
    if (!n) return json_error(400, "invalid_field", "wait: seconds, an integer from 0 to " + std::to_string(kMaxWaitSeconds));
    wait = *n;
  }
  bool sse = req.header("accept").find("text/event-stream") != std::string_view::npos;
  if (sse) {
    if (!app.notifier) return json_error(501, "not_supported", "this server does not stream changes");
    Response r;
    r.resumable = true;
    r.later = [&app, site = site.value(), after](std::shared_ptr<Responder> out) {
      std::make_shared<ChangeStream>(app, site, after, std::move(out))->start();
    };
    return r;
  }
  auto changes = app.store.changes(site.value(), after, static_cast<std::size_t>(limit));
  if (!changes) return storage_unavailable();
  if (!changes->empty() || wait == 0 || !app.notifier) return json_ok(page_json(changes.value(), after));
  Response r;
  r.resumable = true;
  r.later = [&app, site = site.value(), after, limit, wait](std::shared_ptr<Responder> out) {
    std::make_shared<LongPoll>(app, site, after, static_cast<std::size_t>(limit), std::move(out))
        ->start(std::chrono::seconds(wait));
  };
  return r;
}

}  // namespace ashna::server
