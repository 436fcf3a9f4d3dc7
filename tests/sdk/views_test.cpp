// Views: RFM scoring and segments, affinity decay and weights, cadence statuses and confidence,
// journey stages, the text helpers behind reasons, and catalog validation.
#include <catch2/catch.hpp>

#include "ashna/views.h"
#include "text.h"

using namespace ashna;

namespace {
constexpr std::int64_t T = 1790000000000;  // 2026-09-21
int n = 0;
Event order(std::int64_t days_ago, std::string item = "house", double price = 10, std::int64_t qty = 1,
            std::string category = "coffee/blend") {
  Event e;
  e.id = "o" + std::to_string(++n);
  e.type = EventType::purchase;
  e.ts = T - days_ago * kDayMs;
  e.lines.push_back({{std::move(item), "", std::move(category), price}, qty});
  return e;
}
Event viewed(std::int64_t days_ago, std::string item, std::string category) {
  Event e;
  e.id = "v" + std::to_string(++n);
  e.type = EventType::product_view;
  e.ts = T - days_ago * kDayMs;
  e.item = {std::move(item), "", std::move(category), 0};
  return e;
}
ViewOptions at_now() {
  ViewOptions o;
  o.now = T;
  return o;
}
}  // namespace

TEST_CASE("RFM scores at the breakpoint boundaries", "[views][rfm]") {
  auto rfm_of = [](std::vector<Event> events) {
    Profile p("p");
    for (auto& e : events) p.add_event(e);
    return compute_rfm(p, at_now());
  };
  CHECK(rfm_of({}).segment == "none");
  CHECK(rfm_of({}).r == 0);
  SECTION("recency: 14 days is a 5, 15 a 4, 121 a 1") {
    CHECK(rfm_of({order(14)}).r == 5);
    CHECK(rfm_of({order(15)}).r == 4);
    CHECK(rfm_of({order(120)}).r == 2);
    CHECK(rfm_of({order(121)}).r == 1);
  }
  SECTION("frequency counts orders, not lines or units") {
    Event big = order(3, "a", 10, 50);
    big.lines.push_back({{"b", "", "", 1}, 3});
    Rfm r = rfm_of({big});
    CHECK(r.orders == 1);
    CHECK(r.f == 1);
    CHECK(r.monetary == Approx(503));
    CHECK(r.m == 5);
  }
  SECTION("segments") {
    std::vector<Event> ten;
    for (int i = 0; i < 10; ++i) ten.push_back(order(5 + i * 10));
    CHECK(rfm_of(ten).segment == "champions");
    CHECK(rfm_of({order(3)}).segment == "new");
    CHECK(rfm_of({order(3), order(30)}).segment == "potential_loyalist");
    std::vector<Event> lapsed_regular;
    for (int i = 0; i < 6; ++i) lapsed_regular.push_back(order(100 + i * 20));
    CHECK(rfm_of(lapsed_regular).segment == "cant_lose");
    CHECK(rfm_of({order(100), order(130), order(160)}).segment == "at_risk");
    CHECK(rfm_of({order(100)}).segment == "hibernating");
    CHECK(rfm_of({order(400)}).segment == "lost");
  }
  SECTION("custom breakpoints from the population model") {
    ViewOptions o = at_now();
    std::int64_t rare[4] = {360, 180, 120, 100};  // this shop's customers buy rarely
    std::copy(rare, rare + 4, o.breakpoints.recency_days);
    Profile p("p");
    p.add_event(order(90));
    CHECK(compute_rfm(p, o).r == 5);
  }
}

TEST_CASE("affinities: purchases outweigh views, and old signals fade", "[views][affinity]") {
  Catalog catalog;
  REQUIRE(catalog.add({"yirg", "Yirg", "coffee/single-origin", 14, {"fruity"}, 0, false}).is_ok());
  Profile p("p");
  p.add_event(viewed(0, "sencha", "tea/green"));
  p.add_event(viewed(0, "sencha", "tea/green"));
  p.add_event(order(0, "yirg", 14, 1, "coffee/single-origin"));
  std::vector<Affinity> cats, tags;
  compute_affinities(p, catalog, at_now(), cats, tags);
  REQUIRE(cats.size() == 4);
  CHECK(cats[0].key == "coffee");  // 5 for one purchase beats 2 x 1 for views
  CHECK(cats[0].score == Approx(5));
  CHECK(cats[0].purchases == 1);
  CHECK(cats[2].key == "tea");
  CHECK(cats[2].views == 2);
  REQUIRE(tags.size() == 1);
  CHECK(tags[0].key == "fruity");
  SECTION("one half-life later, half the weight") {
    ViewOptions o = at_now();
    o.now = T + 30 * kDayMs;
    compute_affinities(p, catalog, o, cats, tags);
    CHECK(cats[0].score == Approx(2.5));
  }
}

TEST_CASE("cadence: status by the customer's own rhythm", "[views][cadence]") {
  Catalog catalog;
  auto cadence_at = [&](std::vector<std::int64_t> days_ago) {
    Profile p("p");
    for (auto d : days_ago) p.add_event(order(d));
    auto items = compute_item_cadence(p, catalog, at_now());
    REQUIRE(items.size() == 1);
    return items[0];
  };
  CHECK(cadence_at({5}).status == CadenceStatus::one_off);
  // Interval 20: due_soon from 3 days before `next`, overdue 5 days after it.
  CHECK(cadence_at({25, 5}).status == CadenceStatus::not_due);   // next in 15 days
  CHECK(cadence_at({38, 18}).status == CadenceStatus::due_soon);  // next in 2 days
  CHECK(cadence_at({42, 22}).status == CadenceStatus::due_soon);  // next was 2 days ago
  CHECK(cadence_at({50, 30}).status == CadenceStatus::overdue);   // next was 10 days ago
  SECTION("two orders on one day are one occasion") {
    Cadence c = cadence_at({10, 10});
    CHECK(c.purchases == 1);
  }
  SECTION("steady intervals give more confidence than erratic ones") {
    Cadence steady = cadence_at({40, 30, 20, 10, 0});
    Cadence erratic = cadence_at({40, 38, 20, 19, 0});
    CHECK(steady.confidence == Approx(1.0));
    CHECK(erratic.confidence < 0.5);
    CHECK(steady.interval_days == Approx(10));
  }
}

TEST_CASE("journey stage follows the buying process", "[views][stage]") {
  Catalog catalog;
  auto stage_of = [&](std::vector<Event> events) {
    Profile p("p");
    for (auto& e : events) p.add_event(e);
    return compute_views(p, catalog, at_now()).stage;
  };
  CHECK(stage_of({}) == "discovering");
  CHECK(stage_of({viewed(1, "a", "tea")}) == "discovering");
  CHECK(stage_of({viewed(1, "a", "tea"), viewed(1, "b", "tea")}) == "comparing");
  CHECK(stage_of({order(1)}) == "bought");
  CHECK(stage_of({order(10)}) == "evaluating");
  CHECK(stage_of({order(50), order(35), order(20)}) == "loyal");
  CHECK(stage_of({order(200)}) == "at_risk");
}

TEST_CASE("reason text helpers", "[views][text]") {
  CHECK(text::day_month(T) == "21 Sep");
  CHECK(text::day_month(0) == "1 Jan");
  CHECK(text::day_month(951782400000) == "29 Feb");  // 2000-02-29
  CHECK(text::interval(1) == "1 day");
  CHECK(text::interval(0.2) == "1 day");
  CHECK(text::interval(13) == "13 days");
  CHECK(text::interval(14) == "2 weeks");
  CHECK(text::interval(21) == "3 weeks");
  CHECK(text::interval(60) == "2 months");
  CHECK(text::interval(30.44) == "4 weeks");
  CHECK(text::interval(45) == "6 weeks");
}

TEST_CASE("catalog validation", "[views][catalog]") {
  Catalog c;
  CHECK(c.add({"", "x", "", 1, {}, 0, false}).message() == "catalog item.id: must be 1 to 128 bytes");
  CHECK(c.add({"a", "x", "", -1, {}, 0, false}).message() == "catalog item.price: must be a finite number from 0 to 1e9");
  CHECK(c.add({"a", "x", "", 1, {""}, 0, false}).message() == "catalog item.tags: each tag must be 1 to 64 bytes");
  CHECK(c.add({"a", "x", "", 1, {}, 5000, false}).message() == "catalog item.replenish_days: must be 0 to 3650");
  REQUIRE(c.add({"a", "Old", "tea", 1, {}, 0, false}).is_ok());
  REQUIRE(c.add({"a", "New", "tea", 2, {}, 0, true}).is_ok());  // same id replaces
  CHECK(c.items().size() == 1);
  CHECK(c.find("a")->title == "New");
  CHECK(c.is_sensitive("a"));
  CHECK_FALSE(c.is_sensitive("unknown"));
  CHECK(category_levels("coffee/single-origin") == std::vector<std::string_view>{"coffee", "coffee/single-origin"});
  CHECK(category_levels("").empty());
}
