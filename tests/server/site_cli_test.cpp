// `ashna-server site create|list|rotate-key`: keys printed once and stored hashed, several secret
// keys per site during a rotation, revocation, and precise usage errors.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "site_cli.h"
#include "test_app.h"

using namespace ashna::server;
using namespace ashna::server::testing;

namespace {
struct Run {
  int status;
  std::string out, err;
};
Run site(std::vector<std::string> args) {
  std::ostringstream out, err;
  int status = run_site_cli(args, out, err);
  return {status, out.str(), err.str()};
}
std::string grab(const std::string& text, const std::string& label) {
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex(label + ":\\s+(\\S+)")));
  return m[1];
}
}  // namespace

TEST_CASE("site create, list and rotate-key", "[server][cli]") {
  TestApp t;
  const std::string db = (t.dir / "cli.db").string();
  Run created = site({"create", "--name", "Shop", "--origin", "https://shop.example", "--db", db});
  REQUIRE(created.status == 0);
  const std::string pk = grab(created.out, "publishable key"), sk = grab(created.out, "secret key");
  CHECK(pk.substr(0, 3) == "pk_");
  CHECK(sk.size() == 35);
  CHECK(grab(created.out, "identity secret").substr(0, 3) == "is_");

  Run listed = site({"list", "--db", db});
  REQUIRE(listed.status == 0);
  CHECK(listed.out.find(pk + "\t1\thttps://shop.example\tShop") != std::string::npos);
  CHECK(listed.out.find(sk) == std::string::npos);  // secrets are never shown again

  Run rotated = site({"rotate-key", pk, "--db", db});
  REQUIRE(rotated.status == 0);
  const std::string sk2 = grab(rotated.out, "new secret key");
  {
    auto store = SqliteStore::open(db);
    REQUIRE(store.is_ok());
    CHECK(store.value()->site_by_secret_hash(sha256_hex(sk)).is_ok());   // both work during the rotation
    CHECK(store.value()->site_by_secret_hash(sha256_hex(sk2)).is_ok());
    CHECK(store.value()->site_by_publishable_key(pk)->name == "Shop");
  }
  Run revoked = site({"rotate-key", pk, "--revoke-old", "--db", db});
  REQUIRE(revoked.status == 0);
  const std::string sk3 = grab(revoked.out, "new secret key");
  auto store = SqliteStore::open(db);
  REQUIRE(store.is_ok());
  CHECK_FALSE(store.value()->site_by_secret_hash(sha256_hex(sk)).is_ok());
  CHECK_FALSE(store.value()->site_by_secret_hash(sha256_hex(sk2)).is_ok());
  CHECK(store.value()->site_by_secret_hash(sha256_hex(sk3)).is_ok());
  CHECK(site({"list", "--db", db}).out.find(pk + "\t1\t") != std::string::npos);
}

TEST_CASE("site CLI errors are precise", "[server][cli][errors]") {
  TestApp t;
  const std::string db = (t.dir / "cli.db").string();
  struct Bad {
    std::vector<std::string> args;
    int status;
    std::string message;
  };
  std::vector<Bad> cases = {
      {{}, 2, "a command is required"},
      {{"destroy", "--db", db}, 2, "unknown command 'destroy'"},
      {{"create", "--db", db}, 2, "create needs --name (1 to 200 bytes)"},
      {{"create", "--name", "x", "--origin", "shop.example", "--db", db}, 2, "--origin expects scheme://host[:port], got 'shop.example'"},
      {{"create", "--name", "x", "--origin", "https://shop.example/path", "--db", db}, 2, "--origin expects scheme://host[:port]"},
      {{"list", "--name", "x", "--db", db}, 2, "unknown argument '--name' for 'list'"},
      {{"rotate-key", "--db", db}, 2, "rotate-key needs the site's publishable key"},
      {{"rotate-key", "pk_nobody", "--db", db}, 1, "no site has publishable key 'pk_nobody'"},
      {{"list", "--db", "/nonexistent-dir/x.db"}, 1, "cannot open database '/nonexistent-dir/x.db'"},
  };
  for (const Bad& c : cases) {
    Run r = site(c.args);
    INFO(c.message);
    CHECK(r.status == c.status);
    CHECK(r.err.find("ashna-server site: " + c.message) == 0);
    CHECK(r.out.empty());
  }
}
