#include <catch2/catch.hpp>

#include <fstream>

#include "test_app.h"

using namespace ashna::server;
using namespace ashna::server::testing;

TEST_CASE("static files: content, types, revalidation and no escape from the root", "[server][static]") {
  TestApp t;
  std::filesystem::create_directories(t.dir / "static" / "sub");
  std::ofstream(t.dir / "static" / "index.html") << "<h1>shop</h1>";
  std::ofstream(t.dir / "static" / "ashna.wasm") << "wasm";
  std::ofstream(t.dir / "static" / ".env") << "SECRET=1";
  std::ofstream(t.dir / "secret.txt") << "outside";

  Response home = t.get("/");
  REQUIRE(home.status == 200);
  CHECK(home.body == "<h1>shop</h1>");
  CHECK(home.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(home.headers["content-security-policy"].find("script-src 'self' 'wasm-unsafe-eval'") == 0);
  CHECK(t.get("/ashna.wasm").headers["content-type"] == "application/wasm");

  Request cond{"GET", "/", {{"if-none-match", home.headers["etag"]}}, ""};
  CHECK(handle_request(cond, *t.app).status == 304);

  for (const char* evil : {"/../secret.txt", "/%2e%2e/secret.txt", "/sub/..%2f..%2fsecret.txt", "/.env",
                           "/..\\secret.txt", "/%00", "/nothing.html"}) {
    INFO(evil);
    Response r = t.get(evil);
    CHECK(r.status == 404);
    CHECK(r.body.find("outside") == std::string::npos);
  }
}
