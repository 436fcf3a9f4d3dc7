// Command-line parsing for ashna-server.
#include "options.h"

#include <charconv>

namespace ashna::server {

const char* const kUsage =
    "usage: ashna-server [--db PATH] [--listen HOST:PORT] [--static DIR]... [--demo] [--threads N]\n"
    "                    [--refit-hours N] [--rate-limits DEVICE,SITE,SECRET]\n"
    "  --db PATH          SQLite database file (created if absent; default ashna.db)\n"
    "  --listen HOST:PORT address to serve on (default 127.0.0.1:8080; port 0 picks a free one)\n"
    "  --static DIR       serve files from DIR (repeatable; searched in order)\n"
    "  --demo             create the demo site (keys pk_demo / sk_demo) if absent and print its keys;\n"
    "                     serves ./demo-site when no --static is given\n"
    "  --threads N        I/O threads (default 2)\n"
    "  --refit-hours N    refit each site's model (GET /v1/model) when older than N hours\n"
    "                     (default 24; 0 = only by `fit-value --site`)\n"
    "  --rate-limits D,S,K requests per second per device token, per site and per secret key\n"
    "                     (0 = unlimited; default 5,2000,1000 with bursts of 30,4000,2000;\n"
    "                     other rates keep those burst-to-rate ratios)\n"
    "subcommands (see docs/operations.md):\n"
    "  ashna-server site create|list|rotate-key ...   manage sites and keys\n"
    "  ashna-server eval-recs --input FILE.csv ...     evaluate recommendations on a purchase log\n"
    "  ashna-server fit-value --input FILE.csv ...     fit BG/NBD + Gamma-Gamma, print a holdout table\n"
    "  ashna-server fit-value --site PK [--db PATH]    fit a site's model from its profiles now\n";

namespace {

Status bad(const std::string& msg) { return Status::error("invalid_argument", msg); }

bool parse_int(std::string_view s, long& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<Options> parse_options(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) -> Status {
      if (i + 1 >= args.size()) return bad(a + " needs a value");
      out = args[++i];
      return Status::ok();
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--demo") {
      o.demo = true;
    } else if (a == "--db") {
      if (Status s = value(o.db); !s) return s;
      if (o.db.empty()) return bad("--db must not be empty");
    } else if (a == "--static") {
      if (Status s = value(v); !s) return s;
      o.static_dirs.push_back(v);
    } else if (a == "--listen") {
      if (Status s = value(v); !s) return s;
      auto colon = v.rfind(':');
      long port = -1;
      if (colon == std::string::npos || colon == 0 || !parse_int(std::string_view(v).substr(colon + 1), port) ||
          port < 0 || port > 65535)
        return bad("--listen expects HOST:PORT with a port 0-65535, got '" + v + "'");
      o.host = v.substr(0, colon);
      if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']')
        o.host = o.host.substr(1, o.host.size() - 2);  // [::1]:8080
      o.port = static_cast<unsigned short>(port);
    } else if (a == "--threads") {
      if (Status s = value(v); !s) return s;
      long n = 0;
      if (!parse_int(v, n) || n < 1 || n > 64) return bad("--threads expects 1-64, got '" + v + "'");
      o.threads = static_cast<int>(n);
    } else if (a == "--rate-limits") {
      if (Status s = value(v); !s) return s;
      std::optional<double>* slots[] = {&o.rate_device, &o.rate_site, &o.rate_secret};
      std::string_view rest = v;
      for (int k = 0; k < 3; ++k) {
        auto comma = rest.find(',');
        std::string_view part = rest.substr(0, comma);
        long n = -1;
        if ((k < 2) != (comma != std::string_view::npos) || !parse_int(part, n) || n < 0 || n > 1000000)
          return bad("--rate-limits expects three whole numbers DEVICE,SITE,SECRET (0 = unlimited), got '" + v + "'");
        *slots[k] = static_cast<double>(n);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    } else if (a == "--refit-hours") {
      if (Status s = value(v); !s) return s;
      long n = 0;
      if (!parse_int(v, n) || n < 0 || n > 24 * 365) return bad("--refit-hours expects 0-8760, got '" + v + "'");
      o.refit_hours = static_cast<int>(n);
    } else {
      return bad("unknown option '" + a + "'");
    }
  }
  return o;
}

}  // namespace ashna::server
