// The site administration CLI; see site_cli.h.
#include "site_cli.h"

#include <chrono>
#include <random>

#include "ashna/json.h"
#include "sha256.h"
#include "site_models.h"
#include "sqlite_store.h"

namespace ashna::server {
namespace {

const char* const kSiteUsage =
    "usage: ashna-server site create --name NAME [--origin ORIGIN]... [--db PATH]\n"
    "       ashna-server site list [--db PATH]\n"
    "       ashna-server site rotate-key PUBLISHABLE_KEY [--revoke-old] [--db PATH]\n"
    "  create      makes a site and prints its publishable key, secret key and identity secret\n"
    "  list        prints every site (keys are stored hashed: secret keys are only counted)\n"
    "  rotate-key  adds a new secret key and prints it; the old ones keep working until\n"
    "              --revoke-old is given (then only the new one works)\n"
    "  --origin    an origin allowed to call the API from a browser (for CORS), e.g. https://shop.example\n";

// Key material: 24 random bytes in base62-ish URL-safe characters, from the OS's random source.
std::string random_key(const char* prefix) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;  // /dev/urandom on Linux
  std::string key = prefix;
  for (int i = 0; i < 32; ++i) key += kChars[rd() % 62];
  return key;
}

std::int64_t unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int usage(std::ostream& err, const std::string& message) {
  err << "ashna-server site: " << message << "\n" << kSiteUsage;
  return 2;
}

// An origin as browsers send it: scheme://host[:port], nothing after.
bool valid_origin(const std::string& o) {
  auto scheme = o.find("://");
  if (scheme == std::string::npos || (o.substr(0, scheme) != "https" && o.substr(0, scheme) != "http")) return false;
  std::string host = o.substr(scheme + 3);
  if (host.empty() || host.size() > 253) return false;
  for (char c : host)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':')) return false;
  return true;
}

}  // namespace

int run_site_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage(err, "a command is required");
  const std::string& command = args[0];
  std::string db = "ashna.db", name, key;
  std::vector<std::string> origins;
  bool revoke_old = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& to) {
      if (i + 1 >= args.size()) return false;
      to = args[++i];
      return true;
    };
    std::string v;
    if (a == "--db") {
      if (!value(db) || db.empty()) return usage(err, "--db needs a path");
    } else if (a == "--name" && command == "create") {
      if (!value(name)) return usage(err, "--name needs a value");
    } else if (a == "--origin" && command == "create") {
      if (!value(v) || !valid_origin(v)) return usage(err, "--origin expects scheme://host[:port], got '" + v + "'");
      origins.push_back(v);
    } else if (a == "--revoke-old" && command == "rotate-key") {
      revoke_old = true;
    } else if (command == "rotate-key" && key.empty() && a.substr(0, 2) != "--") {
      key = a;
    } else {
      return usage(err, "unknown argument '" + a + "' for '" + command + "'");
    }
  }
  if (command != "create" && command != "list" && command != "rotate-key")
    return usage(err, "unknown command '" + command + "'");
  if (command == "create" && (name.empty() || name.size() > 200)) return usage(err, "create needs --name (1 to 200 bytes)");
  if (command == "rotate-key" && key.empty()) return usage(err, "rotate-key needs the site's publishable key");

  auto store = SqliteStore::open(db);
  if (!store) {
    err << "ashna-server site: " << store.status().message() << "\n";
    return 1;
  }
  if (command == "create") {
    std::string publishable = random_key("pk_"), secret = random_key("sk_"), identity = random_key("is_");
    std::string joined;
    for (const auto& o : origins) joined += (joined.empty() ? "" : " ") + o;
    auto site = store.value()->create_site(name, publishable, sha256_hex(secret), identity, joined, unix_ms());
    if (!site) {
      err << "ashna-server site: " << site.status().message() << "\n";
      return 1;
    }
    out << "site " << site->id << " created: " << name << "\n"
        << "publishable key: " << publishable << "   (in the <script> tag)\n"
        << "secret key:      " << secret << "   (backend only; shown once, stored hashed)\n"
        << "identity secret: " << identity << "   (signs identify tokens on your backend)\n";
    return 0;
  }
  if (command == "list") {
    auto sites = store.value()->list_sites();
    if (!sites) {
      err << "ashna-server site: " << sites.status().message() << "\n";
      return 1;
    }
    out << "id\tpublishable key\tsecret keys\torigins\tname\n";
    for (const auto& s : sites.value())
      out << s.site.id << "\t" << s.site.publishable_key << "\t" << s.secret_keys << "\t"
          << (s.origins.empty() ? "-" : s.origins) << "\t" << s.site.name << "\n";
    return 0;
  }
  std::string secret = random_key("sk_");
  if (Status s = store.value()->add_secret_key(key, sha256_hex(secret), revoke_old, unix_ms()); !s) {
    err << "ashna-server site: " << s.message() << "\n";
    return 1;
  }
  out << "new secret key: " << secret << "   (shown once, stored hashed)\n"
      << (revoke_old ? "every other secret key of this site was revoked\n"
                     : "the old secret keys still work; run again with --revoke-old once they are replaced\n");
  return 0;
}

int run_fit_site(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string key, db = "ashna.db";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--site" || args[i] == "--db") && i + 1 < args.size()) {
      (args[i] == "--site" ? key : db) = args[i + 1];
      ++i;
    } else {
      err << "ashna-server fit-value: unexpected '" << args[i] << "'\n"
          << "usage: ashna-server fit-value --site PUBLISHABLE_KEY [--db PATH]\n";
      return 2;
    }
  }
  if (key.empty()) {
    err << "ashna-server fit-value: --site needs the site's publishable key\n";
    return 2;
  }
  auto store = SqliteStore::open(db);
  if (!store) {
    err << "ashna-server fit-value: " << store.status().message() << "\n";
    return 1;
  }
  auto site = store.value()->site_by_publishable_key(key);
  if (!site) {
    err << "ashna-server fit-value: no site with publishable key '" << key << "' in " << db << "\n";
    return 1;
  }
  auto report = fit_site(*store.value(), site.value(), unix_ms(),
                         [&err](std::size_t n) { err << "\rprofiles read: " << n << std::flush; });
  err << "\n";
  if (!report) {
    err << "ashna-server fit-value: " << report.status().message() << "\n";
    return 1;
  }
  out << "{\"site\":";
  std::string name;
  append_json_string(name, key);
  out << name << ",\"profiles\":" << report->profiles << ",\"model\":" << report->body
      << ",\"segments\":" << report->segments << "}\n";
  return 0;
}

}  // namespace ashna::server
