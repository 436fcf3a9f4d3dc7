// Beast lives only in this file and beast_request.h (each Beast TU costs ~10 s and 0.5 GB to
// compile).
// Reads top to bottom: fail(), session (with its Responder for answers given later or streamed),
// listener, server.
#include "session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/version.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <iostream>
#include <list>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "beast_request.h"

namespace ashna::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// A client gets this long to send a complete request; slow clients cannot hold a connection.
constexpr auto kReadTimeout = std::chrono::seconds(30);
// A client must take each chunk of a stream (or a late answer) within this; one that stopped
// reading cannot hold a stream open forever.
constexpr auto kWriteTimeout = std::chrono::seconds(30);
// On shutdown, in-flight requests get this long to finish before the server stops anyway.
constexpr auto kShutdownGrace = std::chrono::seconds(10);

void fail(beast::error_code ec, const char* what) {
  if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == net::error::connection_reset || ec == http::error::end_of_stream)
    return;  // routine: client went away, timeout, or our own shutdown
  std::cerr << "{\"level\":\"warn\",\"what\":\"" << what << "\",\"error\":\"" << ec.message() << "\"}\n";
}

http::response<http::string_body> to_beast(Response&& res, unsigned version, bool keep_alive, bool head) {
  http::response<http::string_body> out{static_cast<http::status>(res.status), version};
  out.set(http::field::server, "ashna");
  for (auto& [k, v] : res.headers) out.set(k, v);
  std::size_t size = res.body.size();
  out.body() = head ? std::string() : std::move(res.body);
  out.keep_alive(keep_alive);
  if (res.status != 304) out.content_length(size);
  return out;
}

class Registry;
class Session;

// The Responder of one exchange: forwards to the session's strand, tagged with the exchange's
// number so a late call (a timer of an exchange already answered) cannot touch the next one.
class SessionResponder final : public Responder {
 public:
  SessionResponder(std::shared_ptr<Session> session, std::uint64_t exchange)
      : session_(std::move(session)), exchange_(exchange) {}
  void reply(Response response) override;
  void start(Response head) override;
  void write(std::string chunk, std::function<void(bool)> done) override;
  void finish() override;
  void abort() override;
  void after(std::chrono::milliseconds delay, std::function<void()> fn) override;
  bool done() const override;

 private:
  std::shared_ptr<Session> session_;
  std::uint64_t exchange_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, App& app, Registry& registry)
      : stream_(std::move(socket)), app_(app), registry_(registry) {}
  void start();
  // Closes now if waiting for a request or for a resumable late answer (long-poll and stream
  // clients reconnect); otherwise after the response in flight (a sync waiting for its commit,
  // an export) is written.
  void shutdown() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      // Idle means no request has begun; bytes already received mean one has (its header read
      // just has not completed yet), so it is in flight and is answered with Connection: close.
      beast::error_code ec;
      if (self->idle_ && self->buffer_.size() == 0 && self->stream_.socket().available(ec) == 0)
        self->stream_.socket().close();
      if (self->deferred_ && self->resumable_) self->end_deferred(), self->close();
    });
  }

  //--- the deferred exchange (answer later, or stream); everything runs on the strand.
  bool deferred_done(std::uint64_t exchange) const { return exchange != exchange_ || ended_.load(); }

  void deferred_reply(std::uint64_t exchange, Response res) {
    if (deferred_done(exchange) || streaming_) return;
    end_deferred();
    for (auto& [k, v] : base_headers_) res.headers.emplace(k, v);
    respond(std::move(res), version_, keep_alive_ && !stopping_, head_);
  }

  void deferred_start(std::uint64_t exchange, Response head) {
    if (deferred_done(exchange) || streaming_) return;
    streaming_ = true;
    for (auto& [k, v] : base_headers_) head.headers.emplace(k, v);
    auto msg = std::make_shared<http::response<http::empty_body>>(static_cast<http::status>(head.status), version_);
    msg->set(http::field::server, "ashna");
    for (auto& [k, v] : head.headers) msg->set(k, v);
    msg->keep_alive(false);  // the stream's end is the connection's end
    msg->chunked(true);
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*msg);
    writing_ = true;
    stream_.expires_after(kWriteTimeout);
    http::async_write_header(stream_, *sr, [self = shared_from_this(), msg, sr](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return fail(ec, "write stream header"), self->abort_stream();
      self->pump_chunks();
    });
  }

  void deferred_write(std::uint64_t exchange, std::string chunk, std::function<void(bool)> done) {
    if (deferred_done(exchange) || !streaming_ || finishing_) {
      if (done) done(false);
      return;
    }
    chunks_.emplace_back(std::move(chunk), std::move(done));
    pump_chunks();
  }

  void deferred_finish(std::uint64_t exchange) {
    if (deferred_done(exchange) || !streaming_) return;
    finishing_ = true;
    pump_chunks();
  }

  void deferred_after(std::uint64_t exchange, std::chrono::milliseconds delay, std::function<void()> fn) {
    if (deferred_done(exchange)) return;
    auto timer = std::make_shared<net::steady_timer>(stream_.get_executor(), delay);
    timers_.push_back(timer);
    timer->async_wait([self = shared_from_this(), exchange, timer, fn = std::move(fn)](beast::error_code ec) {
      self->timers_.remove(timer);
      if (!ec && !self->deferred_done(exchange)) fn();
    });
  }

  net::any_io_executor executor() { return stream_.get_executor(); }
  void deferred_abort(std::uint64_t exchange) {
    if (!deferred_done(exchange)) abort_stream();
  }
  std::atomic<bool>& ended() { return ended_; }

 private:
  // A request is in flight from its first complete header on: shutdown lets it finish. Before
  // that the session is idle (waiting for the next request) and shutdown closes it.
  void do_read() {
    parser_.emplace();
    parser_->body_limit(Limits::kMaxBodyBytes);
    parser_->header_limit(static_cast<std::uint32_t>(Limits::kMaxHeaderBytes));
    stream_.expires_after(kReadTimeout);
    idle_ = true;
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    idle_ = false;
    if (!ec && !framing_is_clear()) {
      // RFC 9112 6.1/6.3: a request whose body length is ambiguous is refused and the connection
      // closed, or the bytes after it could be read as a second, smuggled request.
      return respond(json_error(400, "bad_request",
                                "malformed HTTP request: Transfer-Encoding must be exactly 'chunked', once, "
                                "without Content-Length"),
                     11, false, false);
    }
    if (ec || parser_->is_done()) return on_read(ec, 0);
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      // curl and others wait for this before sending a body larger than 1 KB.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      return http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code e, std::size_t) {
        if (e) return fail(e, "write 100-continue"), self->close();
        self->read_body();
      });
    }
    read_body();
  }

  // Only one framing is accepted: Content-Length, or a single "Transfer-Encoding: chunked".
  bool framing_is_clear() const {
    const auto& h = parser_->get();
    std::size_t te = 0;
    bool ok = true;
    for (auto it = h.find(http::field::transfer_encoding); it != h.end() && it->name() == http::field::transfer_encoding;
         ++it) {
      ++te;
      ok = ok && beast::iequals(it->value(), "chunked");
    }
    if (te == 0) return true;
    return te == 1 && ok && h.count(http::field::content_length) == 0;
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) {
      return respond(json_error(413, "payload_too_large",
                                "body larger than " + std::to_string(Limits::kMaxBodyBytes) + " bytes"),
                     11, false, false);
    }
    if (ec == http::error::header_limit) {
      return respond(json_error(431, "headers_too_large",
                                "headers larger than " + std::to_string(Limits::kMaxHeaderBytes) + " bytes"),
                     11, false, false);
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return respond(json_error(400, "bad_request", "malformed HTTP request: " + ec.message()), 11,
                     false, false);
    }
    if (ec) {
      fail(ec, "read");
      return close();
    }
    http::request<http::string_body> req = parser_->release();
    bool keep_alive = req.keep_alive() && !stopping_;
    bool head = req.method() == http::verb::head;
    unsigned version = req.version();
    Response res = handle_request(to_plain(std::move(req)), app_);
    if (res.later) return begin_deferred(std::move(res), version, keep_alive, head);
    respond(std::move(res), version, keep_alive, head);
  }

  // The handler answers later through a Responder. No read timeout while it waits: the handler
  // bounds the wait (long-poll) or the stream writes heartbeats.
  void begin_deferred(Response res, unsigned version, bool keep_alive, bool head) {
    ++exchange_;
    ended_ = false;
    deferred_ = true;
    streaming_ = finishing_ = false;
    version_ = version;
    keep_alive_ = keep_alive;
    head_ = head;
    base_headers_ = std::move(res.headers);
    resumable_ = res.resumable;
    stream_.expires_never();
    res.later(std::make_shared<SessionResponder>(shared_from_this(), exchange_.load()));
  }

  void end_deferred() {
    ended_ = true;
    deferred_ = false;
    for (auto& t : timers_) t->cancel();
    timers_.clear();
    for (auto& [chunk, done] : chunks_)
      if (done) done(false);
    chunks_.clear();
  }

  // Writes queued chunks one at a time, then the last chunk once finish() was called.
  void pump_chunks() {
    if (writing_ || !streaming_ || ended_) return;
    if (chunks_.empty()) {
      if (!finishing_) return;
      writing_ = true;
      stream_.expires_after(kWriteTimeout);
      return net::async_write(stream_, http::make_chunk_last(), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        if (ec) fail(ec, "write last chunk");
        self->end_deferred();
        self->close();
      });
    }
    auto data = std::make_shared<std::string>(std::move(chunks_.front().first));
    auto done = std::move(chunks_.front().second);
    chunks_.pop_front();
    writing_ = true;
    stream_.expires_after(kWriteTimeout);
    net::async_write(stream_, http::make_chunk(net::buffer(*data)),
                     [self = shared_from_this(), data, done = std::move(done)](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (ec) {
                         fail(ec, "write chunk");
                         if (done) done(false);
                         return self->abort_stream();
                       }
                       if (done) done(!self->ended_);
                       self->pump_chunks();
                     });
  }

  void abort_stream() {
    end_deferred();
    close();
  }

  void respond(Response&& res, unsigned version, bool keep_alive, bool head) {
    auto msg = std::make_shared<http::response<http::string_body>>(
        to_beast(std::move(res), version, keep_alive, head));
    stream_.expires_after(kReadTimeout);
    http::async_write(stream_, *msg,
                      [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
                        if (ec) return fail(ec, "write"), self->close();
                        if (!msg->keep_alive() || self->stopping_) return self->close();
                        self->do_read();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  App& app_;
  Registry& registry_;
  bool idle_ = false;
  bool stopping_ = false;
  // The deferred exchange, if any.
  std::atomic<std::uint64_t> exchange_{0};  // also read by Responder::done() off the strand
  std::atomic<bool> ended_{true};
  bool deferred_ = false, streaming_ = false, finishing_ = false, writing_ = false;
  unsigned version_ = 11;
  bool keep_alive_ = false, head_ = false, resumable_ = false;
  std::map<std::string, std::string> base_headers_;  // the router's headers, for the later answer
  std::deque<std::pair<std::string, std::function<void(bool)>>> chunks_;
  std::list<std::shared_ptr<net::steady_timer>> timers_;
};

void SessionResponder::reply(Response response) {
  net::post(session_->executor(), [s = session_, e = exchange_, r = std::move(response)]() mutable {
    s->deferred_reply(e, std::move(r));
  });
}
void SessionResponder::start(Response head) {
  net::post(session_->executor(), [s = session_, e = exchange_, h = std::move(head)]() mutable {
    s->deferred_start(e, std::move(h));
  });
}
void SessionResponder::write(std::string chunk, std::function<void(bool)> done) {
  net::post(session_->executor(), [s = session_, e = exchange_, c = std::move(chunk), d = std::move(done)]() mutable {
    s->deferred_write(e, std::move(c), std::move(d));
  });
}
void SessionResponder::finish() {
  net::post(session_->executor(), [s = session_, e = exchange_] { s->deferred_finish(e); });
}
void SessionResponder::abort() {
  net::post(session_->executor(), [s = session_, e = exchange_] { s->deferred_abort(e); });
}
void SessionResponder::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  net::post(session_->executor(), [s = session_, e = exchange_, delay, f = std::move(fn)]() mutable {
    s->deferred_after(e, delay, std::move(f));
  });
}
bool SessionResponder::done() const { return session_->ended().load() || session_->deferred_done(exchange_); }

// Live sessions, so shutdown can reach them.
class Registry {
 public:
  void add(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(mutex_);
    sessions_.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
    sessions_.push_back(s);
  }
  std::size_t live() {
    std::lock_guard lock(mutex_);
    sessions_.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
    return sessions_.size();
  }
  void shutdown_all() {
    std::lock_guard lock(mutex_);
    for (auto& w : sessions_)
      if (auto s = w.lock()) s->shutdown();
  }

 private:
  std::mutex mutex_;
  std::list<std::weak_ptr<Session>> sessions_;
};

void Session::start() {
  net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::do_read, shared_from_this()));
}

//------------------------------------------------------------------------------

class ServerImpl final : public Server {
 public:
  ServerImpl(App& app) : app_(app), acceptor_(net::make_strand(ioc_)) {}

  bool bind(const std::string& host, unsigned short port, std::string& error) {
    beast::error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec) return error = "invalid listen address '" + host + "'", false;
    tcp::endpoint ep{address, port};
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return error = "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message(), false;
    return true;
  }

  unsigned short port() const override { return acceptor_.local_endpoint().port(); }

  void run(int threads) override {
    net::signal_set signals(ioc_, SIGINT, SIGTERM);
    net::steady_timer deadline(ioc_), poll(ioc_);
    // Once every session has closed, nothing is in flight: cancel the grace timer and return.
    std::function<void()> wait_for_sessions = [&] {
      if (registry_.live() == 0) {
        deadline.cancel();
        return;
      }
      poll.expires_after(std::chrono::milliseconds(20));
      poll.async_wait([&](beast::error_code e) {
        if (!e) wait_for_sessions();
      });
    };
    signals.async_wait([&](beast::error_code ec, int) {
      if (ec) return;
      std::cerr << "{\"level\":\"info\",\"msg\":\"shutting down: finishing in-flight requests\"}\n";
      net::post(acceptor_.get_executor(), [this] {
        beast::error_code ignored;
        acceptor_.close(ignored);
      });
      registry_.shutdown_all();
      deadline.expires_after(kShutdownGrace);
      deadline.async_wait([&](beast::error_code e) {
        if (!e) ioc_.stop();
        poll.cancel();
      });
      wait_for_sessions();
    });
    do_accept();
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : pool) t.join();
  }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != net::error::operation_aborted) fail(ec, "accept");
        if (!acceptor_.is_open()) return;
      } else {
        auto s = std::make_shared<Session>(std::move(socket), app_, registry_);
        registry_.add(s);
        s->start();
      }
      do_accept();
    });
  }

  App& app_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  Registry registry_;
};

}  // namespace

std::unique_ptr<Server> Server::create(App& app, const std::string& host, unsigned short port,
                                       std::string& error) {
  auto s = std::make_unique<ServerImpl>(app);
  if (!s->bind(host, port, error)) return nullptr;
  return s;
}

}  // namespace ashna::server
