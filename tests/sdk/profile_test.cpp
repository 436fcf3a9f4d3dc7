#include <catch2/catch.hpp>

#include "ashna/profile.h"

using ashna::Event;
using ashna::EventType;
using ashna::Profile;
using ashna::Trait;

namespace {
Event ev(std::string id, std::int64_t ts, std::uint64_t seq = 0) {
  Event e;
  e.id = std::move(id);
  e.ts = ts;
  e.seq = seq;
  return e;
}
constexpr std::int64_t T = 1790000000000;
}  // namespace

TEST_CASE("events are a grow-only set ordered by time", "[profile]") {
  Profile p("p1");
  CHECK(p.add_event(ev("b", T + 2)));
  CHECK(p.add_event(ev("a", T + 1)));
  CHECK_FALSE(p.add_event(ev("a", T + 99)));  // same id: same fact, ignored
  REQUIRE(p.events().size() == 2);
  CHECK(p.events()[0].id == "a");
  CHECK(p.events()[1].id == "b");
  SECTION("equal timestamps order by id, so every replica lists them alike") {
    p.add_event(ev("0", T + 2));
    CHECK(p.events()[1].id == "0");
  }
}

TEST_CASE("traits are last-writer-wins registers", "[profile]") {
  Profile p("p1");
  CHECK(p.set_trait("name", {"Ana", T, "r1", 0}));
  CHECK_FALSE(p.set_trait("name", {"Old", T - 1, "r9", 0}));
  CHECK(p.trait_value("name") == "Ana");
  SECTION("a tie on time goes to the larger replica id, whatever the order of arrival") {
    Profile q("p1");
    q.set_trait("name", {"B", T, "r2", 0});
    q.set_trait("name", {"A", T, "r1", 0});
    p.set_trait("name", {"B", T, "r2", 0});
    CHECK(p.trait_value("name") == "B");
    CHECK(q.trait_value("name") == "B");
  }
  SECTION("unset traits read as empty") { CHECK(p.trait_value("locale").empty()); }
}

TEST_CASE("trim drops the oldest acknowledged events only", "[profile]") {
  Profile p("p1");
  for (int i = 0; i < 10; ++i) p.add_event(ev("e" + std::to_string(i), T + i, i + 1));
  SECTION("nothing acknowledged: nothing dropped, whatever the cap") {
    CHECK(p.trim(3, 0) == 0);
    CHECK(p.events().size() == 10);
  }
  SECTION("acknowledged up to seq 6: at most 6 dropped, oldest first") {
    CHECK(p.trim(3, 6) == 6);
    REQUIRE(p.events().size() == 4);
    CHECK(p.events().front().id == "e6");
    CHECK_FALSE(p.has_event("e0"));
    CHECK(p.summary().events == 6);
    // A dropped event that comes back (a down-sync) is not counted twice: it is older than the
    // summary. A newer event is added as usual.
    CHECK_FALSE(p.add_event(ev("e0", T)));
    CHECK(p.add_event(ev("e10", T + 10)));
    CHECK(p.add_event(ev("own", T, 11)));  // this replica's own write is never refused
  }
}

TEST_CASE("trait validation", "[profile]") {
  CHECK(ashna::validate_trait("name", {"Ana", T, "r1", 0}).is_ok());
  auto s = ashna::validate_trait("favourite_colour", {"x", T, "r1", 0});
  CHECK(s.code() == "invalid_trait");
  CHECK(s.message() == "trait 'favourite_colour' is not one of name, locale, channel, interest:<key>");
  CHECK(ashna::validate_trait("name", {std::string(257, 'a'), T, "r1", 0}).message() ==
        "trait 'name' is longer than 256 bytes");
  CHECK(ashna::validate_trait("name", {"Ana", 5, "r1", 0}).code() == "invalid_trait");
  CHECK(ashna::validate_trait("name", {"Ana", T, "", 0}).code() == "invalid_trait");
}
