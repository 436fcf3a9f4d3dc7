// Request accessors and JSON response helpers.
#include "http.h"

#include "ashna/json.h"

namespace ashna::server {

std::string_view Request::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string Request::query(std::string_view name) const {
  std::string_view t = target;
  auto q = t.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = t.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    std::string key, value;
    if (percent_decode(pair.substr(0, eq), key, true) && key == name) {
      if (eq != std::string_view::npos && percent_decode(pair.substr(eq + 1), value, true)) return value;
      return {};
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return {};
}

std::string Request::malformed_query() const {
  std::string_view t = target;
  auto q = t.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = t.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    std::string key, value;
    const bool key_ok = percent_decode(pair.substr(0, eq), key, true);
    if (!key_ok || (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), value, true)))
      return key_ok && !key.empty() ? key : std::string("query");
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return {};
}

Response json_error(int status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  r.headers["content-type"] = "application/json";
  r.body = to_json(Status::error(std::string(code), std::string(message)));
  return r;
}

Response json_ok(std::string body, int status) {
  Response r;
  r.status = status;
  r.headers["content-type"] = "application/json";
  r.body = std::move(body);
  return r;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      int hi = i + 1 < in.size() ? hex(in[i + 1]) : -1;
      int lo = i + 2 < in.size() ? hex(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out += c;
  }
  return true;
}

}  // namespace ashna::server
