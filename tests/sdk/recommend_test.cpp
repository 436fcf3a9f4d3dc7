// Recommendations and the offer in English and Persian (every reason and offer sentence, Persian
// digits and Solar Hijri dates), the text helpers behind them, and the impression cap.
#include "ashna/recommend.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <regex>

#include "ashna/engine.h"
#include "ashna/greeting.h"
#include "ashna/site_model.h"
#include "text.h"

using namespace ashna;

namespace {

constexpr std::int64_t T = 1790000000000;  // 2026-09-21 = 30 Shahrivar 1405
int n = 0;

Event bought(std::int64_t days_ago, std::string item, std::string category, double price) {
  Event e;
  e.id = "o" + std::to_string(++n);
  e.type = EventType::purchase;
  e.ts = T - days_ago * kDayMs;
  e.lines.push_back({{std::move(item), "", std::move(category), price}, 1});
  return e;
}
Event looked(std::int64_t ts, std::string item, EventType type = EventType::product_view) {
  Event e;
  e.id = "v" + std::to_string(++n);
  e.type = type;
  e.ts = ts;
  e.item = {std::move(item), "", "", 0};
  return e;
}

Catalog shop() {
  Catalog c;
  for (CatalogItem item : {CatalogItem{"house", "House Blend", "coffee/blend", 10, {}, 0, false},
                           CatalogItem{"sencha", "Sencha", "tea/green", 8, {}, 0, false},
                           CatalogItem{"geisha", "Geisha", "coffee/single-origin", 30, {}, 0, false},
                           CatalogItem{"filter", "Filter Papers", "kitchen/filters", 4, {}, 20, false},
                           CatalogItem{"mug", "Mug", "kitchen/cups", 12, {}, 0, false}})
    REQUIRE(c.add(std::move(item)).is_ok());
  return c;
}

// House blend every 2 weeks (due), sencha three times, filter papers once (the catalog's hint).
Profile regular() {
  Profile p("p1");
  for (int d : {56, 42, 28, 14}) p.add_event(bought(d, "house", "coffee/blend", 10));
  for (int d : {50, 30, 10}) p.add_event(bought(d, "sencha", "tea/green", 8));
  p.add_event(bought(18, "filter", "kitchen/filters", 4));
  return p;
}

Views views_of(const Profile& p, const Catalog& c) {
  ViewOptions o;
  o.now = T;
  return compute_views(p, c, o);
}

std::string reason_of(const std::vector<Recommendation>& recs, const std::string& strategy) {
  for (const Recommendation& r : recs)
    if (r.strategy == strategy) return r.reason;
  return "(no " + strategy + ")";
}

std::vector<std::string> ids(const std::vector<Recommendation>& recs) {
  std::vector<std::string> out;
  for (const Recommendation& r : recs) out.push_back(r.item);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Persian text: Persian letters, and not one Latin digit.
void check_persian(const std::string& s) {
  INFO(s);
  CHECK(std::any_of(s.begin(), s.end(), [](char ch) { return (ch & 0xFC) == 0xD8; }));  // U+0600..U+06FF
  CHECK_FALSE(std::regex_search(s, std::regex("[0-9]")));
}

}  // namespace

TEST_CASE("text helpers in Persian", "[recommend][text]") {
  CHECK(text::lang_of("fa") == text::Lang::fa);
  CHECK(text::lang_of("fa-IR") == text::Lang::fa);
  CHECK(text::lang_of("en") == text::Lang::en);
  CHECK(text::lang_of("far") == text::Lang::en);
  CHECK(text::lang_of("") == text::Lang::en);
  CHECK(text::persian_digits("2026-09, 7x") == "۲۰۲۶-۰۹, ۷x");
  CHECK(text::day_month(T, text::Lang::fa) == "۳۰ شهریور");
  CHECK(text::day_month(951782400000, text::Lang::fa) == "۱۰ اسفند");  // 2000-02-29
  CHECK(text::day_month(1774051200000, text::Lang::fa) == "۱ فروردین");  // 2026-03-21, Nowruz
  CHECK(text::day_month(1773964800000, text::Lang::fa) == "۲۹ اسفند");
  CHECK(text::day_month(0, text::Lang::fa) == "۱۱ دی");
  CHECK(text::interval(1, text::Lang::fa) == "۱ روز");
  CHECK(text::interval(13, text::Lang::fa) == "۱۳ روز");
  CHECK(text::interval(14, text::Lang::fa) == "۲ هفته");
  CHECK(text::interval(60, text::Lang::fa) == "۲ ماه");
  CHECK(text::interval(14) == "2 weeks");  // English stays the default
  CHECK(text::format("{1} then {0}, {2}", {"a", "b"}) == "b then a, {2}");
}

TEST_CASE("recommendation and offer reasons in Persian", "[recommend][fa]") {
  const Catalog c = shop();
  const Profile p = regular();
  const Views v = views_of(p, c);
  RecommendOptions o;
  o.now = T;
  o.k = 10;
  o.locale = "fa-IR";

  SECTION("buy again: by the customer's rhythm and by the catalog's hint") {
    auto recs = recommend(p, v, c, o);
    CHECK(recs.front().item == "house");
    CHECK(recs.front().reason == "این را حدوداً هر ۲ هفته دوباره می‌خرید؛ آخرین بار ۱۶ شهریور.");
    std::string hint;
    for (const auto& r : recs)
      if (r.item == "filter") hint = r.reason;
    CHECK(hint == "معمولاً حدود ۳ هفته کافی است؛ آن را ۱۲ شهریور خریدید.");
    for (const auto& r : recs) check_persian(r.reason);
    o.locale = "en";
    CHECK(recommend(p, v, c, o).front().reason == "You reorder this about every 2 weeks, last on 7 Sep.");
  }
  SECTION("affinity, popular and the shop's range") {
    auto recs = recommend(p, v, c, o);
    CHECK(reason_of(recs, "affinity") == "چون به coffee علاقه دارید.");
    CHECK(reason_of(recommend(Profile("new"), Views{}, c, o), "popular") == "از محصولات ما.");
    o.popularity = {"mug"};
    CHECK(reason_of(recommend(Profile("new"), Views{}, c, o), "popular") == "محبوب میان مشتریان دیگر.");
  }
  SECTION("often bought with") {
    auto model = build_population({{"a", {"house", "mug"}}, {"b", {"house", "mug"}}}).value();
    o.population = &model;
    Profile viewer("p2");
    viewer.add_event(looked(T - kDayMs, "house"));
    CHECK(reason_of(recommend(viewer, views_of(viewer, c), c, o), "cooccurrence") == "اغلب همراه با House Blend خریده می‌شود.");
  }
  SECTION("the offer: two you love plus one new, with Persian counts") {
    Offer offer = loyalty_offer(p, v, c, o);
    REQUIRE(offer.items.size() == 3);
    CHECK(offer.items[0].reason == "این را ۴ بار خریده‌اید.");
    CHECK(offer.items[1].reason == "این را ۳ بار خریده‌اید.");
    CHECK(offer.items[2].reason == "چیزی تازه از single origin، کنار آنچه دوست دارید.");
    CHECK(offer.reason == "دو چیز محبوب شما و یک چیز تازه از single origin.");
    for (const auto& r : offer.items) check_persian(r.reason);
    Views slipping = v;
    slipping.value.scored = true, slipping.value.p_alive = 0.3, slipping.value.tier = "high";
    CHECK(loyalty_offer(p, slipping, c, o).reason == "دلمان برایتان تنگ شده: دو چیز محبوب شما و یک چیز تازه از single origin.");
    Views gone = v;
    gone.value.scored = true, gone.value.p_alive = 0.05, gone.value.tier = "low";
    CHECK(loyalty_offer(p, gone, c, o).reason == "پیشنهادی نیست: مدل ارزش می‌گوید این مشتری به احتمال زیاد دیگر خرید نمی‌کند.");
  }
  SECTION("no offer: too few repeat items, nothing new, personalisation off") {
    Profile once("p3");
    once.add_event(bought(10, "house", "coffee/blend", 10));
    CHECK(loyalty_offer(once, views_of(once, c), c, o).reason == "باید دو کالا بیش از یک بار خریده شده باشد.");
    o.exclude = {"geisha", "mug"};
    CHECK(loyalty_offer(p, v, c, o).reason == "چیز تازه‌ای کنار خریدهای شما پیدا نشد.");
    Engine engine("p4", "r1");
    engine.set_consent(Consent{true, false, true, false});
    CHECK(engine.offer(o).reason == "شخصی‌سازی خاموش است.");
    o.locale = "de";
    CHECK(engine.offer(o).reason == "Personalisation is off.");
  }
}

TEST_CASE("impression cap: shown three times without a look, an item rests", "[recommend][impressions]") {
  const Catalog c = shop();
  Profile p("p1");
  Event interest = looked(T - 20 * kDayMs, "geisha");
  interest.item.category = "coffee/single-origin";
  p.add_event(interest);
  const Views v = views_of(p, c);
  RecommendOptions o;
  o.now = T;
  o.k = 2;
  const std::string top = recommend(p, v, c, o).front().item;  // the item the cap is tried on
  auto shown = [&](std::initializer_list<double> days_ago) {
    for (double d : days_ago) o.impressions.push_back({top, T - static_cast<std::int64_t>(d * kDayMs)});
  };

  SECTION("two impressions: still recommended; the third rests it, and the slot is filled by others") {
    shown({3, 2});
    CHECK(recommend(p, v, c, o).front().item == top);
    shown({1});
    auto recs = recommend(p, v, c, o);
    CHECK(recs.size() == 2);
    CHECK_FALSE(contains(ids(recs), top));
  }
  SECTION("the cap is configurable, and 0 turns it off") {
    shown({3, 2, 1});
    o.impression_cap = 4;
    CHECK(recommend(p, v, c, o).front().item == top);
    o.impression_cap = 0;
    CHECK(recommend(p, v, c, o).front().item == top);
    o.impression_cap = 2;
    o.impressions.resize(2);
    CHECK_FALSE(contains(ids(recommend(p, v, c, o)), top));
  }
  SECTION("after the window the item comes back") {
    shown({9, 8, 7.5});
    CHECK(recommend(p, v, c, o).front().item == top);
    shown({6.9});  // one in the last 7 days
    CHECK(recommend(p, v, c, o).front().item == top);
    o.impression_window_ms = 10 * kDayMs;
    CHECK_FALSE(contains(ids(recommend(p, v, c, o)), top));
  }
  SECTION("a view, click, like or cart after the impressions resets the count") {
    shown({3, 2, 1});
    for (EventType t : {EventType::product_view, EventType::click, EventType::like}) {
      Profile q = p;
      q.add_event(looked(T - kDayMs / 2, top, t));
      CHECK(recommend(q, views_of(q, c), c, o).front().item == top);
      // Impressions after the look count again.
      RecommendOptions later = o;
      for (int i = 1; i <= 3; ++i) later.impressions.push_back({top, T - kDayMs / 2 + i * 1000});
      CHECK_FALSE(contains(ids(recommend(q, views_of(q, c), c, later)), top));
    }
    Profile q = p;
    Event cart = looked(T - kDayMs / 2, top, EventType::add_to_cart);
    cart.lines.push_back({cart.item, 1});
    cart.item = {};
    q.add_event(cart);
    CHECK(recommend(q, views_of(q, c), c, o).front().item == top);
  }
  SECTION("the cap never empties the list while other items exist") {
    for (const CatalogItem& item : c.items())
      if (item.id != top) o.exclude.push_back(item.id);
    shown({3, 2, 1});
    CHECK(ids(recommend(p, v, c, o)) == std::vector<std::string>{top});
  }
  SECTION("without personalisation consent, impressions do not change the generic list") {
    shown({3, 2, 1});
    Engine engine("p1", "r1");
    for (const CatalogItem& item : c.items()) REQUIRE(engine.add_catalog_item(item).is_ok());
    engine.set_consent(Consent{true, false, true, false});
    RecommendOptions plain = o;
    plain.impressions.clear();
    CHECK(ids(engine.recommend(o)) == ids(engine.recommend(plain)));
  }
}

TEST_CASE("the Persian reorder greeting says the interval and the last date, in Persian", "[greeting][fa]") {
  const Profile p = regular();
  const Catalog c = shop();
  const Views v = views_of(p, c);
  GreetingContext ctx;
  ctx.now = T;
  ctx.locale = "fa-IR";
  ctx.views = &v;
  ctx.catalog = &c;
  Greeting g = make_greeting(p, ctx);
  REQUIRE(g.kind == "reorder");
  CHECK(g.text == "House Blend رو به اتمام است؟ وقت سفارش دوباره است.");
  CHECK(g.reason.find(text::interval(14, text::Lang::fa)) != std::string::npos);     // "۲ هفته"
  CHECK(g.reason.find(text::day_month(T - 14 * kDayMs, text::Lang::fa)) != std::string::npos);
  CHECK(std::none_of(g.reason.begin(), g.reason.end(), [](char ch) { return ch >= '0' && ch <= '9'; }));
  ctx.locale = "en";
  CHECK(make_greeting(p, ctx).reason == "You reorder it about every 2 weeks, last on 7 Sep.");
}

TEST_CASE("one strategy only: the others drop out and popularity fills the slot", "[recommend][strategy]") {
  const Catalog c = shop();
  const Profile p = regular();
  const Views v = views_of(p, c);
  RecommendOptions o;
  o.now = T;
  o.k = 3;
  const auto all = recommend(p, v, c, o);
  REQUIRE(all.size() == 3);
  CHECK(all[0].strategy == "buy_again");  // house blend is due
  o.strategy = "popular";
  const auto popular = recommend(p, v, c, o);
  REQUIRE(!popular.empty());
  for (const Recommendation& r : popular) CHECK(r.strategy == "popular");
  o.strategy = "buy_again";
  const auto again = recommend(p, v, c, o);
  REQUIRE(again.size() == 3);
  CHECK(again[0].strategy == "buy_again");
  for (const Recommendation& r : again) CHECK((r.strategy == "buy_again" || r.strategy == "popular"));
}

TEST_CASE("\"not interested\" in an item keeps it out of recommendations, the offer and the greeting until bought again",
          "[recommend][guard]") {
  const Catalog c = shop();
  Profile p = regular();
  RecommendOptions o;
  o.now = T;
  o.k = 5;
  auto has = [](const std::vector<Recommendation>& recs, std::string_view id) {
    return std::any_of(recs.begin(), recs.end(), [&](const Recommendation& r) { return r.item == id; });
  };
  REQUIRE(has(recommend(p, views_of(p, c), c, o), "house"));  // due: bought again
  REQUIRE(has(recommend(p, views_of(p, c), c, o), "geisha"));  // popular, never bought
  REQUIRE(loyalty_offer(p, views_of(p, c), c, o).items.size() == 3);
  p.add_event(looked(T - 3600000, "house", EventType::not_interested));
  p.add_event(looked(T - 3600000, "geisha", EventType::not_interested));
  const Views v = views_of(p, c);
  const auto recs = recommend(p, v, c, o);
  CHECK_FALSE(has(recs, "house"));
  CHECK_FALSE(has(recs, "geisha"));
  const Offer offer = loyalty_offer(p, v, c, o);
  CHECK(std::none_of(offer.items.begin(), offer.items.end(), [](const Recommendation& r) { return r.item == "house"; }));
  // Viewed, then dismissed: the greeting does not bring it up either.
  Profile q("p2");
  q.add_event(looked(T - 7200000, "geisha"));
  q.add_event(looked(T - 7100000, "geisha"));
  GreetingContext ctx;
  ctx.now = T;
  ctx.catalog = &c;
  CHECK(make_greeting(q, ctx).item_id == "geisha");
  q.add_event(looked(T - 3600000, "geisha", EventType::not_interested));
  CHECK(make_greeting(q, ctx).item_id.empty());
  // Bought again after all: it is back among the customer's favourites.
  p.add_event(bought(0, "house", "coffee/blend", 10));
  const Offer again = loyalty_offer(p, views_of(p, c), c, o);
  CHECK(std::any_of(again.items.begin(), again.items.end(), [](const Recommendation& r) { return r.item == "house"; }));
}
