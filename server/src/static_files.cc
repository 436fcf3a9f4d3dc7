// Static files for the demo shop and the SDK build: GET/HEAD only, no directory listing, no
// path outside the roots, ETag revalidation, and a strict CSP on pages so the SDK proves it needs
// nothing more than script-src 'self' 'wasm-unsafe-eval'.
#include <fstream>
#include <sstream>
#include <system_error>

#include "app.h"

namespace ashna::server {
namespace {

namespace fs = std::filesystem;

std::string_view content_type(const fs::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".wasm") return "application/wasm";  // required for streaming compilation
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".txt" || ext == ".md") return "text/plain; charset=utf-8";
  if (ext == ".ts") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// Relative path under a root, or empty when the request path is not acceptable.
fs::path safe_relative(std::string_view url_path) {
  std::string decoded;
  if (!percent_decode(url_path, decoded, false)) return {};
  if (decoded.empty() || decoded[0] != '/' || decoded.find('\\') != std::string::npos) return {};
  fs::path rel;
  std::string_view rest = std::string_view(decoded).substr(1);
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (part == ".." || part == ".") return {};
    if (!part.empty() && part[0] == '.') return {};  // no dotfiles
    if (!part.empty()) rel /= std::string(part);
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  if (decoded.back() == '/') rel /= "index.html";
  return rel;
}

}  // namespace

Response handle_static(const Request& req, App& app) {
  fs::path rel = safe_relative(req.path());
  if (rel.empty()) return json_error(404, "not_found", "no such file");
  for (const fs::path& root : app.static_roots) {
    std::error_code ec;
    fs::path file = root / rel;
    if (fs::is_directory(file, ec)) file /= "index.html";
    if (!fs::is_regular_file(file, ec)) continue;
    auto size = fs::file_size(file, ec);
    auto mtime = fs::last_write_time(file, ec);
    if (ec) continue;
    std::string etag = "\"" + std::to_string(size) + "-" +
                       std::to_string(static_cast<unsigned long long>(mtime.time_since_epoch().count())) + "\"";
    Response r;
    r.headers["content-type"] = std::string(content_type(file));
    r.headers["etag"] = etag;
    // Revalidate every time: the demo and the SDK change while you work; ETags keep it cheap.
    r.headers["cache-control"] = "no-cache";
    if (file.extension() == ".html")
      r.headers["content-security-policy"] =
          "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'";
    if (req.header("if-none-match") == etag) {
      r.status = 304;
      return r;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (!in) return json_error(500, "internal_error", "cannot read file");
    r.body = buf.str();
    return r;
  }
  return json_error(404, "not_found", "no such file");
}

}  // namespace ashna::server
