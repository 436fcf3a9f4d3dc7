// Plain request and response types shared by the router and handlers. They carry no Beast types,
// so handlers compile fast and are tested without sockets; session.cc converts at the edge.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace ashna::server {

struct Request {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // as received: path plus optional ?query
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // Header value, or "" when absent.
  std::string_view header(std::string_view name) const;
  // The target without its query string.
  std::string_view path() const;
  // Value of one query parameter (percent-decoded), or "" when absent.
  std::string query(std::string_view name) const;
  // The name of the first query parameter whose name or value has a malformed %-escape or
  // decodes to a NUL ("" when all are well formed): such a request is refused, not half-read.
  std::string malformed_query() const;
};

class Responder;

struct Response {
  int status = 200;
  std::map<std::string, std::string> headers;
  std::string body;
  // Set when the answer comes later (long-poll) or as a stream (SSE, NDJSON export): the session
  // calls it once with a Responder and answers through that; status and body are then unused,
  // the headers are added to the later answer. Handlers never block an I/O thread to wait.
  std::function<void(std::shared_ptr<Responder>)> later;
  // For `later`: the client resumes by itself if the exchange is dropped (long-poll, SSE), so a
  // stopping server closes it at once instead of waiting for it.
  bool resumable = false;
};

// The session's side of an answer given later or streamed. Thread-safe: any method may be called
// from any thread (e.g. the store's writer thread); the work runs on the session's strand, in call
// order. Calls after the exchange ended (answered, client gone, server stopping) are ignored.
class Responder {
 public:
  virtual ~Responder() = default;
  // The whole answer; ends the exchange. Do not combine with start().
  virtual void reply(Response response) = 0;
  // Starts a chunked stream with this status and these headers; the connection closes when the
  // stream ends, so a stream needs no length.
  virtual void start(Response head) = 0;
  // Sends one chunk after the ones before it; `done(false)` when the client is gone or the
  // stream ended (stop producing). `done` runs on the session's strand.
  virtual void write(std::string chunk, std::function<void(bool ok)> done) = 0;
  // Ends the stream after the chunks already given.
  virtual void finish() = 0;
  // Ends the exchange at once by closing the connection: a stream cut short lacks HTTP's last
  // chunk, so the client can tell it is incomplete.
  virtual void abort() = 0;
  // Runs `fn` on the session's strand after `delay`, unless the exchange has ended by then.
  virtual void after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  // True once the exchange ended; a producer should stop.
  virtual bool done() const = 0;
};

// {"error":{"code":..,"message":..}} with the given status.
Response json_error(int status, std::string_view code, std::string_view message);
// 200 (or `status`) with a JSON body.
Response json_ok(std::string body, int status = 200);

// Decodes %XX and '+' (query only). Returns false on a malformed escape or a decoded NUL.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

}  // namespace ashna::server
