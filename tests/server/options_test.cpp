#include <catch2/catch.hpp>

#include "options.h"

using namespace ashna::server;

TEST_CASE("command-line options", "[options]") {
  auto d = parse_options({});
  REQUIRE(d.is_ok());
  CHECK(d->host == "127.0.0.1");
  CHECK(d->port == 8080);
  CHECK(d->db == "ashna.db");
  auto o = parse_options({"--db", "/tmp/x.db", "--listen", "0.0.0.0:9090", "--static", "a", "--static", "b", "--demo"});
  REQUIRE(o.is_ok());
  CHECK(o->db == "/tmp/x.db");
  CHECK(o->host == "0.0.0.0");
  CHECK(o->port == 9090);
  CHECK(o->static_dirs == std::vector<std::string>{"a", "b"});
  CHECK(o->demo);
  CHECK(parse_options({"--listen", "[::1]:80"})->host == "::1");
  CHECK(parse_options({"--listen", "localhost"}).status().message() ==
        "--listen expects HOST:PORT with a port 0-65535, got 'localhost'");
  CHECK(parse_options({"--listen", "h:70000"}).status().code() == "invalid_argument");
  CHECK(parse_options({"--db"}).status().message() == "--db needs a value");
  CHECK(parse_options({"--frobnicate"}).status().message() == "unknown option '--frobnicate'");
  CHECK(parse_options({"--threads", "0"}).status().code() == "invalid_argument");
}

TEST_CASE("refit interval and rate limits", "[options]") {
  auto d = parse_options({});
  REQUIRE(d.is_ok());
  CHECK(d->refit_hours == 24);
  CHECK_FALSE(d->rate_device.has_value());
  auto o = parse_options({"--refit-hours", "0", "--rate-limits", "10,0,500"});
  REQUIRE(o.is_ok());
  CHECK(o->refit_hours == 0);
  CHECK(o->rate_device == 10);
  CHECK(o->rate_site == 0);
  CHECK(o->rate_secret == 500);
  for (const char* bad : {"10,0", "10,0,500,1", "a,b,c", "-1,0,0", "1,,2", ""})
    CHECK(parse_options({"--rate-limits", bad}).status().message().find("--rate-limits expects three whole numbers") == 0);
  CHECK(parse_options({"--refit-hours", "-1"}).status().code() == "invalid_argument");
}
