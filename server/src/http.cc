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

namespace {

// Calls visit(name, value, has_value) for each `name=value` pair of the query string, raw (still
// %-encoded), until it returns true.
template <class Visit>
void each_query_pair(std::string_view target, Visit visit) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    if (visit(pair.substr(0, eq), eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1),
              eq != std::string_view::npos))
      return;
    if (amp == std::string_view::npos) return;
    rest = rest.substr(amp + 1);
  }
}

}  // namespace

std::string Request::query(std::string_view name) const {
  std::string found;
  each_query_pair(target, [&](std::string_view raw_key, std::string_view raw_value, bool has_value) {
    std::string key;
    if (!percent_decode(raw_key, key, true) || key != name) return false;
    if (!has_value || !percent_decode(raw_value, found, true)) found.clear();
    return true;
  });
  return found;
}

std::string Request::malformed_query() const {
  std::string bad;
  each_query_pair(target, [&](std::string_view raw_key, std::string_view raw_value, bool) {
    std::string key, value;
    const bool key_ok = percent_decode(raw_key, key, true);
    if (key_ok && percent_decode(raw_value, value, true)) return false;
    bad = key_ok && !key.empty() ? key : std::string("query");
    return true;
  });
  return bad;
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
