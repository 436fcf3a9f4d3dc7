#include <catch2/catch.hpp>

#include "ashna/engine.h"
#include "ashna/json.h"

using namespace ashna;

namespace {
constexpr std::int64_t T = 1790000000000;
Event view(std::string id, std::string item = "eth", std::int64_t ts = T) {
  Event e;
  e.id = std::move(id);
  e.type = EventType::product_view;
  e.ts = ts;
  e.item = {std::move(item), "Ethiopian Yirgacheffe", "coffee", 14.5};
  return e;
}
}  // namespace

TEST_CASE("before a consent choice: kept in memory, never offered for storage or sync", "[engine][consent]") {
  Engine e("p1", "r1");
  REQUIRE(e.track(view("v1")).is_ok());
  CHECK(e.profile().events().size() == 1);
  CHECK(e.pending().upto == 0);
  CHECK(e.pending().events.empty());
  SECTION("accept all: the held events become pending") {
    e.set_consent(Consent::accept_all());
    CHECK(e.pending().events.size() == 1);
    CHECK(e.pending().upto == 1);
  }
  SECTION("necessary only: everything is forgotten and new events are refused") {
    e.set_consent(Consent::necessary_only());
    CHECK(e.profile().events().empty());
    auto r = e.track(view("v2"));
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == "consent_refused");
    CHECK(e.set_trait("name", "Ana", T).status().code() == "consent_refused");
  }
}

TEST_CASE("pending deltas and acknowledgement", "[engine][sync]") {
  Engine e("p1", "r1");
  e.set_consent(Consent::accept_all());
  REQUIRE(e.track(view("v1")).value() == 1);
  REQUIRE(e.set_trait("name", "Ana", T).value() == 2);
  REQUIRE(e.track(view("v2")).value() == 3);
  Delta d = e.pending();
  CHECK(d.profile_id == "p1");
  CHECK(d.replica == "r1");
  CHECK(d.upto == 3);
  CHECK(d.events.size() == 2);
  CHECK(d.traits.count("name") == 1);
  SECTION("an ack removes exactly what it covers") {
    e.ack(2);
    Delta rest = e.pending();
    CHECK(rest.upto == 3);
    REQUIRE(rest.events.size() == 1);
    CHECK(rest.events[0].id == "v2");
    CHECK(rest.traits.empty());
  }
  SECTION("a stale or replayed ack changes nothing") {
    e.ack(3);
    e.ack(1);
    CHECK(e.acked() == 3);
    CHECK(e.pending().upto == 0);
  }
  SECTION("an ack beyond what was written is clamped") {
    e.ack(99);
    CHECK(e.acked() == 3);
    REQUIRE(e.track(view("v3")).value() == 4);
    CHECK(e.pending().events.size() == 1);
  }
  SECTION("tracking the same event id twice keeps one") {
    REQUIRE(e.track(view("v1")).is_ok());
    CHECK(e.profile().events().size() == 2);
  }
}

TEST_CASE("restoring from storage keeps local order and acknowledgement", "[engine][storage]") {
  Engine e("p1", "r1");
  e.set_consent(Consent::accept_all());
  Event v = view("v1");
  v.seq = 7;
  REQUIRE(e.restore_event(v).is_ok());
  REQUIRE(e.restore_trait("name", {"Ana", T, "r1", 8}).is_ok());
  e.ack(7);
  CHECK(e.pending().upto == 8);
  CHECK(e.track(view("v2")).value() == 9);  // seq continues after the restored ones
  SECTION("invalid stored data is refused, not kept") {
    Event bad = view("");
    CHECK(e.restore_event(bad).code() == "invalid_event");
  }
}

TEST_CASE("history is bounded but never loses unacknowledged events", "[engine]") {
  EngineOptions opts;
  opts.max_events = 5;
  Engine e("p1", "r1", opts);
  e.set_consent(Consent::accept_all());
  for (int i = 0; i < 8; ++i) REQUIRE(e.track(view("v" + std::to_string(i), "eth", T + i)).is_ok());
  CHECK(e.profile().events().size() == 8);  // offline: all 8 still to send
  e.ack(8);
  CHECK(e.profile().events().size() == 5);
  CHECK(e.profile().events().front().id == "v3");
}

TEST_CASE("greeting respects personalisation consent", "[engine][consent]") {
  Engine e("p1", "r1");
  e.set_consent(Consent::accept_all());
  REQUIRE(e.set_trait("name", "Ana", T - 3LL * 86400000).is_ok());
  REQUIRE(e.track(view("v1", "eth", T - 2LL * 86400000)).is_ok());
  GreetingContext ctx;
  ctx.now = T;
  ctx.local_hour = 9;
  CHECK(e.greeting(ctx).text == "Welcome back, Ana — still thinking about the Ethiopian Yirgacheffe?");
  Consent analytics_only{true, false, true, false};
  e.set_consent(analytics_only);
  Greeting g = e.greeting(ctx);
  CHECK(g.kind == "generic");
  CHECK(g.text.find("Ana") == std::string::npos);
}

TEST_CASE("erasure is a tombstone that wins over everything older", "[engine][erasure]") {
  Engine e("p1", "r1");
  e.set_consent(Consent::accept_all());
  REQUIRE(e.track(view("v1", "eth", T - 10)).is_ok());
  REQUIRE(e.set_trait("name", "Ana", T - 5).is_ok());
  e.erase(T);
  CHECK(e.profile().events().empty());
  CHECK(e.profile().traits().empty());
  CHECK(e.erased() == T);
  SECTION("an old event arriving later (another device, a retry) is refused") {
    auto r = e.track(view("v0", "eth", T - 1));
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == "erased");
    Event old = view("v2", "eth", T - 100);
    CHECK(e.restore_event(old).code() == "erased");
    CHECK(e.restore_trait("name", {"Ana", T - 5, "r2", 0}).code() == "erased");
  }
  SECTION("new activity after the erasure is kept") {
    REQUIRE(e.track(view("v3", "eth", T + 1)).is_ok());
    CHECK(e.profile().events().size() == 1);
  }
  SECTION("an earlier epoch changes nothing; a later one erases more") {
    REQUIRE(e.track(view("v4", "eth", T + 10)).is_ok());
    e.erase(T - 1000);
    CHECK(e.erased() == T);
    CHECK(e.profile().events().size() == 1);
    e.erase(T + 20);
    CHECK(e.profile().events().empty());
  }
}

TEST_CASE("withdrawing one purpose deletes what only it justified, here and through the next sync",
          "[engine][consent]") {
  Engine e("p1", "r1");
  e.set_consent(Consent::accept_all());
  REQUIRE(e.track(view("v1")).is_ok());
  REQUIRE(e.set_trait("name", "Ana", T).is_ok());
  REQUIRE(e.set_trait("interest:tea", "+", T).is_ok());
  REQUIRE(e.set_trait("interest:decaf", "-", T).is_ok());
  REQUIRE(e.set_trait("channel", "email", T).is_ok());
  REQUIRE(e.set_trait("locale", "fa", T).is_ok());
  e.ack(e.pending().upto);

  SECTION("personalisation off, analytics on: name and interests go; behaviour, locale and channel stay") {
    Consent analytics_only{true, false, true, true};
    CHECK(e.set_consent(analytics_only, T + 1000) == 3);
    CHECK(e.profile().trait_value("name").empty());
    CHECK(e.profile().interests('+').empty());
    CHECK(e.profile().interests('-').empty());
    CHECK(e.profile().trait_value("locale") == "fa");
    CHECK(e.profile().trait_value("channel") == "email");
    CHECK(e.profile().events().size() == 1);
    // The deletions are writes of "" made now: they win over the old values on every replica.
    Delta d = e.pending();
    REQUIRE(d.traits.size() == 3);
    for (const auto& [name, t] : d.traits) {
      CHECK(t.value.empty());
      CHECK(t.ts == T + 1000);
    }
    Profile server("p1");
    server.set_trait("name", Trait{"Ana", T, "r1", 0});
    for (const auto& [name, t] : d.traits) server.set_trait(name, t);
    CHECK(server.trait_value("name").empty());
    CHECK(e.set_consent(analytics_only, T + 2000) == 0);  // nothing left to delete: idempotent
  }
  SECTION("marketing off: the preferred contact channel goes, nothing else") {
    Consent no_marketing{true, true, true, false};
    CHECK(e.set_consent(no_marketing, T + 1000) == 1);
    CHECK(e.profile().trait_value("channel").empty());
    CHECK(e.profile().trait_value("name") == "Ana");
  }
  SECTION("analytics off, personalisation on: personalisation still needs the history; nothing goes") {
    Consent personal_only{true, true, false, true};
    CHECK(e.set_consent(personal_only, T + 1000) == 0);
    CHECK(e.profile().events().size() == 1);
    CHECK(e.pending().traits.empty());
  }
  SECTION("restoring the stored choice at load deletes nothing") {
    e.set_consent(Consent{true, false, true, false});
    CHECK(e.profile().trait_value("name") == "Ana");
  }
}

TEST_CASE("a bounded history keeps RFM, cadence and value of what it dropped", "[engine][summary]") {
  EngineOptions small;
  small.max_events = 40;
  Engine bounded("p1", "r1", small), full("p1", "r1", EngineOptions{100000, 0});
  for (Engine* e : {&bounded, &full}) e->set_consent(Consent::accept_all());
  // Two years: a coffee every 9 days, a page view every other day.
  for (int day = 0; day < 730; ++day) {
    const std::int64_t ts = T - (730 - day) * 24LL * 3600 * 1000;
    if (day % 2 == 0) REQUIRE(bounded.track(view("v" + std::to_string(day), "eth", ts)).is_ok());
    if (day % 2 == 0) REQUIRE(full.track(view("v" + std::to_string(day), "eth", ts)).is_ok());
    if (day % 9 == 0) {
      Event p = view("o" + std::to_string(day), "eth", ts + 1000);
      p.type = EventType::purchase;
      p.lines = {Line{p.item, 2}};
      REQUIRE(bounded.track(p).is_ok());
      REQUIRE(full.track(p).is_ok());
    }
    bounded.ack(bounded.pending().upto);  // acknowledged events may leave the history
  }
  REQUIRE(bounded.profile().events().size() <= 40);
  REQUIRE(bounded.profile().summary().events > 400);
  const Views b = bounded.views(T), f = full.views(T);
  CHECK(b.rfm.orders == f.rfm.orders);
  CHECK(b.rfm.monetary == Approx(f.rfm.monetary));
  CHECK(b.rfm.recency_days == f.rfm.recency_days);
  CHECK(b.rfm.segment == f.rfm.segment);
  REQUIRE(!b.items.empty());
  CHECK(b.items[0].interval_days == f.items[0].interval_days);
  CHECK(b.items[0].status == f.items[0].status);
  CHECK(b.items[0].purchases <= f.items[0].purchases);  // the summary keeps the recent days per item
  const CustomerValue vb = summarize_customer(bounded.profile(), T), vf = summarize_customer(full.profile(), T);
  CHECK(vb.summary.x == vf.summary.x);
  CHECK(vb.summary.T == Approx(vf.summary.T));
  CHECK(vb.summary.monetary == Approx(vf.summary.monetary));

  SECTION("the summary is stored with the state and erased with the profile") {
    CHECK(state_json(bounded).find("\"summary\":{\"events\":") != std::string::npos);
    bounded.erase(T + 1);
    CHECK(bounded.profile().summary().empty());
    CHECK(bounded.views(T + 2).rfm.orders == 0);
  }
  SECTION("an erasure in the middle keeps only the later days") {
    bounded.erase(T - 100 * 24LL * 3600 * 1000);
    // 12 purchases are later than the epoch; the summary erases by whole days, so the one on the
    // epoch's own day (summarized, bought after the epoch's hour) goes too: erasure errs on
    // the side of forgetting.
    CHECK(bounded.views(T).rfm.orders == 11);
  }
}

TEST_CASE("events older than the age bound leave the history", "[engine][summary]") {
  EngineOptions o;
  o.max_age_days = 30;
  Engine e("p1", "r1", o);
  e.set_consent(Consent::accept_all());
  REQUIRE(e.track(view("old", "eth", T - 40 * 24LL * 3600 * 1000)).is_ok());
  e.ack(e.pending().upto);
  REQUIRE(e.track(view("new", "eth", T)).is_ok());
  CHECK(e.profile().events().size() == 1);
  CHECK(e.profile().summary().events == 1);
  SECTION("but never before the server has them") {
    Engine u("p2", "r1", o);
    u.set_consent(Consent::accept_all());
    REQUIRE(u.track(view("old", "eth", T - 40 * 24LL * 3600 * 1000)).is_ok());
    REQUIRE(u.track(view("new", "eth", T)).is_ok());
    CHECK(u.profile().events().size() == 2);
  }
}
