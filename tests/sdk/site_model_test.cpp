// The site model: quintile breakpoints that keep every score reachable, a value model only when
// the data identify it, and scoring that never fails.
#include <catch2/catch.hpp>

#include "ashna/engine.h"
#include "ashna/recommend.h"
#include "ashna/site_model.h"

#include <random>

using namespace ashna;

namespace {

constexpr std::int64_t kNow = 1790000000000;
constexpr std::int64_t kDay = 24LL * 3600 * 1000;

Event purchase(const std::string& id, std::int64_t days_ago, double price) {
  Event e;
  e.id = id;
  e.type = EventType::purchase;
  e.ts = kNow - days_ago * kDay;
  e.lines.push_back(Line{Item{"sku", "", "", price}, 1});
  return e;
}

CustomerFacts facts(int orders, std::int64_t recency_days, double monetary) {
  CustomerFacts f;
  f.rfm.orders = orders;
  f.rfm.recency_days = recency_days;
  f.rfm.monetary = monetary;
  f.summary.x = orders - 1;
  f.summary.T = 52;
  f.summary.t_x = orders > 1 ? 52.0 - static_cast<double>(recency_days) / 7 : 0;
  f.summary.monetary = orders > 1 ? monetary / orders : 0;
  return f;
}

}  // namespace

TEST_CASE("a customer's summary follows the paper's conventions", "[site_model]") {
  Profile p("c1");
  p.add_event(purchase("o1", 70, 20));
  p.add_event(purchase("o2", 35, 30));
  p.add_event(purchase("o3", 35, 10));  // same day: one occasion worth 40
  p.add_event(purchase("o4", 0, 60));
  CustomerValue v = summarize_customer(p, kNow);
  CHECK(v.orders == 3);
  CHECK(v.summary.x == 2);
  CHECK(v.summary.T == Approx(10.0));
  CHECK(v.summary.t_x == Approx(10.0));
  CHECK(v.summary.monetary == Approx(50.0));  // the repeat occasions: (40 + 60) / 2
  CHECK(v.spend_per_order == Approx(40.0));
  CHECK_FALSE(v.scored);  // summarizing does not score

  Profile browser("b1");
  CHECK(summarize_customer(browser, kNow).orders == 0);
}

TEST_CASE("fitted breakpoints are strictly ordered even when most customers bought once", "[site_model]") {
  std::vector<CustomerFacts> customers;
  for (int i = 0; i < 400; ++i) customers.push_back(facts(i % 10 == 0 ? 1 + i % 7 : 1, i % 3, 25.0 * (i % 4 + 1)));
  SiteModel m = fit_site_model(customers, kNow);
  CHECK(m.fitted_at == kNow);
  CHECK(m.customers == 400);
  const RfmBreakpoints& b = m.breakpoints;
  for (int k = 1; k < 4; ++k) {
    CHECK(b.recency_days[k] < b.recency_days[k - 1]);
    CHECK(b.frequency[k] > b.frequency[k - 1]);
    CHECK(b.monetary[k] > b.monetary[k - 1]);
  }
  CHECK(b.frequency[0] >= 2);  // one order is never a frequency score above 1
  CHECK(b.recency_days[3] >= 0);
}

TEST_CASE("few or one-off customers keep the defaults and say why", "[site_model]") {
  SiteModel none = fit_site_model({}, kNow);
  CHECK_FALSE(none.bgnbd.has_value());
  CHECK(none.value_note == "no customer has bought yet");
  CHECK(none.breakpoints.frequency[0] == RfmBreakpoints{}.frequency[0]);

  std::vector<CustomerFacts> once(50, facts(1, 10, 30));
  SiteModel m = fit_site_model(once, kNow);
  CHECK_FALSE(m.bgnbd.has_value());
  CHECK(m.value_note.find("purchase model not fitted") == 0);

  Profile p("c1");
  p.add_event(purchase("o1", 3, 20));
  CustomerValue v = score_customer(p, m, kNow);
  CHECK_FALSE(v.scored);
  CHECK(v.tier.empty());
  CHECK(v.orders == 1);
}

TEST_CASE("scoring under a value model gives tiers by the site's CLV quantiles", "[site_model]") {
  SiteModel m;
  m.bgnbd = BgNbdParams{0.243, 4.414, 0.793, 2.426};  // the CDNOW estimates
  m.spend = GammaGammaParams{6.25, 3.74, 15.44};
  m.tier_median = 20;
  m.tier_p80 = 150;
  Profile loyal("loyal"), gone("gone"), once("once");
  for (int k = 0; k < 12; ++k) loyal.add_event(purchase("l" + std::to_string(k), 7 * k, 40));
  for (int k = 0; k < 12; ++k) gone.add_event(purchase("g" + std::to_string(k), 400 + 7 * k, 40));
  once.add_event(purchase("o", 300, 15));
  CustomerValue l = score_customer(loyal, m, kNow), g = score_customer(gone, m, kNow),
                o = score_customer(once, m, kNow);
  REQUIRE((l.scored && g.scored && o.scored));
  CHECK(l.p_alive > 0.9);
  CHECK(g.p_alive < 0.05);
  CHECK(l.annual_value > g.annual_value);
  CHECK_FALSE(l.lifetime);  // the browser's scoring stops at closed forms
  add_lifetime_value(l, m);
  add_lifetime_value(g, m);
  REQUIRE(l.lifetime);
  CHECK(l.clv > g.clv);
  CHECK(l.tier == "high");
  CHECK(g.tier == "low");
  CHECK(o.p_alive == 1);  // no repeat yet: BG/NBD cannot have seen a dropout
  CHECK(l.expected_purchases > g.expected_purchases);
}

TEST_CASE("a valuable customer who is slipping gets the win-back greeting that RFM alone misses",
          "[site_model][greeting]") {
  Engine engine("p1", "r1");
  engine.set_consent(Consent::accept_all());
  // Weekly orders for three months, then six weeks of silence: RFM still says "loyal".
  for (int k = 0; k < 12; ++k) REQUIRE(engine.track(purchase("o" + std::to_string(k), 42 + 7 * k, 40)).is_ok());
  Event visit;
  visit.id = "v-old";
  visit.ts = kNow - 41 * kDay;
  REQUIRE(engine.track(visit).is_ok());

  GreetingContext ctx;
  ctx.now = kNow;
  Greeting before = engine.greeting(ctx);
  CHECK(engine.views(kNow).rfm.segment == "loyal");
  CHECK(before.kind == "returning");
  CHECK_FALSE(engine.views(kNow).value.scored);  // no model yet

  SiteModel m;
  m.fitted_at = kNow;
  m.bgnbd = BgNbdParams{0.243, 4.414, 0.793, 2.426};
  m.spend = GammaGammaParams{6.25, 3.74, 15.44};
  m.tier_median = 5;
  m.tier_p80 = 20;
  engine.set_model(m);
  const CustomerValue& v = engine.views(kNow).value;
  REQUIRE(v.scored);
  INFO("p_alive " << v.p_alive << ", annual value " << v.annual_value << ", tier " << v.tier);
  CHECK(v.p_alive < 0.5);
  CHECK(v.tier != "low");
  Greeting after = engine.greeting(ctx);
  CHECK(after.kind == "win_back");
  CHECK(after.reason == "You are one of our valued customers, and your last order was 42 days ago.");
  ctx.locale = "fa";
  CHECK(engine.greeting(ctx).reason.find("مشتریان ارزشمند") != std::string::npos);

  SECTION("without personalisation consent the value is not computed and the greeting is generic") {
    engine.set_consent(Consent::necessary_only());
    CHECK_FALSE(engine.views(kNow).value.scored);
    CHECK(engine.greeting(ctx).kind == "generic");
  }
}

TEST_CASE("a repeat buyer whose orders are worth 0 does not switch the value model off", "[site_model]") {
  // Customers as the models have them: purchase counts and spend that vary, deterministic.
  std::mt19937 rng(11);
  std::vector<CustomerFacts> customers;
  for (int i = 0; i < 400; ++i) {
    const int x = static_cast<int>(rng() % 6);
    const double T = 30 + static_cast<double>(rng() % 20);
    CustomerFacts f;
    f.summary = CustomerSummary{"c" + std::to_string(i), x, x ? T * static_cast<double>(rng() % 100) / 100 : 0, T,
                                x ? 20 + static_cast<double>(rng() % 80) : 0};
    f.rfm.orders = x + 1;
    f.rfm.recency_days = static_cast<std::int64_t>((T - f.summary.t_x) * 7);
    f.rfm.monetary = f.summary.monetary * (x + 1);
    customers.push_back(f);
  }
  customers[7].summary.x = 3;
  customers[7].summary.t_x = 10;
  customers[7].summary.monetary = 0;  // prices were missing
  SiteModel m = fit_site_model(customers, kNow);
  INFO(m.value_note);
  CHECK(m.bgnbd.has_value());
  CHECK(m.spend.has_value());
}

TEST_CASE("the value model feeds the offer: a win-back for the valuable, none for the gone", "[site_model][offer]") {
  Catalog catalog;
  REQUIRE(catalog.add({"a", "House blend", "coffee/blend", 10, {}, 0, false}).is_ok());
  REQUIRE(catalog.add({"b", "Morning blend", "coffee/blend", 12, {}, 0, false}).is_ok());
  REQUIRE(catalog.add({"c", "Reserve lot", "coffee/reserve", 30, {}, 0, false}).is_ok());
  Profile p("c1");
  for (int k = 0; k < 3; ++k) {
    Event e = purchase("o" + std::to_string(k), 60 + 20 * k, 0);
    e.lines = {Line{Item{"a", "House blend", "coffee/blend", 10}, 1}, Line{Item{"b", "Morning blend", "coffee/blend", 12}, 1}};
    p.add_event(e);
  }
  ViewOptions vo;
  vo.now = kNow;
  Views views = compute_views(p, catalog, vo);
  RecommendOptions ro;
  ro.now = kNow;
  Offer plain = loyalty_offer(p, views, catalog, ro);
  REQUIRE(plain.items.size() == 3);
  CHECK(plain.reason == "Two you love, plus one new from reserve.");

  views.value.scored = true;
  views.value.p_alive = 0.3;
  views.value.tier = "high";
  Offer back = loyalty_offer(p, views, catalog, ro);
  CHECK(back.items.size() == 3);
  CHECK(back.reason == "We miss you: two you love, plus one new from reserve.");

  views.value.p_alive = 0.05;
  views.value.tier = "low";
  Offer none = loyalty_offer(p, views, catalog, ro);
  CHECK(none.items.empty());
  CHECK(none.reason == "No offer: the value model says this customer has most likely stopped buying.");
}
