// Listener and sessions: HTTP/1.1 with keep-alive over Boost.Beast. They know nothing about
// profiles: each request is converted to a plain Request, answered by handle_request(), and the
// Response written back. Thread-safe: each session runs on its own strand.
#pragma once

#include <memory>
#include <string>

#include "app.h"

namespace ashna::server {

class Server {
 public:
  // Binds host:port (port 0 picks a free one). Errors: a clear message in `error`.
  static std::unique_ptr<Server> create(App& app, const std::string& host, unsigned short port,
                                        std::string& error);
  virtual ~Server() = default;
  // The bound port (useful with port 0).
  virtual unsigned short port() const = 0;
  // Serves on `threads` threads until SIGINT/SIGTERM, then stops accepting, lets in-flight
  // requests finish (up to a grace period) and returns.
  virtual void run(int threads) = 0;
};

}  // namespace ashna::server
