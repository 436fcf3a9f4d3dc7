// A Beast request as the plain Request the handlers take: method, target, headers with lower-case
// names, body. Header-only and Beast-dependent, so only the socket layer (session.cc) and the
// in-process HTTP fuzzer include it; the handler library stays free of Beast.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "http.h"

namespace ashna::server {

inline Request to_plain(boost::beast::http::request<boost::beast::http::string_body>&& req) {
  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  for (const auto& f : req) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    r.headers[name] = std::string(f.value());
  }
  r.body = std::move(req.body());
  return r;
}

}  // namespace ashna::server
