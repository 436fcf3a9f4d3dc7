// Plain request and response types shared by the router and handlers. They carry no Beast types,
// so handlers compile fast and are tested without sockets; session.cc converts at the edge.
#pragma once

#include <map>
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
};

struct Response {
  int status = 200;
  std::map<std::string, std::string> headers;
  std::string body;
};

// {"error":{"code":..,"message":..}} with the given status.
Response json_error(int status, std::string_view code, std::string_view message);
// 200 (or `status`) with a JSON body.
Response json_ok(std::string body, int status = 200);

// Decodes %XX and '+' (query only). Returns false on a malformed escape or a decoded NUL.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

}  // namespace ashna::server
