// Sync protocol version 2 (MessagePack): the encoder (wire.h) against the decoder (codec.h),
// the JSON path as the reference, and hostile input: truncations, corruptions, wrong types,
// unknown keys, limits.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "ashna/codec.h"
#include "ashna/json.h"
#include "ashna/wire.h"

using namespace ashna;
using nlohmann::json;
using namespace std::string_literals;

namespace {

constexpr std::int64_t T = 1790000000000;

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += kHex[c >> 4], out += kHex[c & 15];
  return out;
}
std::string bytes(const json& j) {
  auto v = json::to_msgpack(j);
  return std::string(v.begin(), v.end());
}

// The version-1 path: what the JSON writer and reader make of a delta.
Result<Delta> via_json(const Delta& d) {
  auto j = parse_json(to_json(d));
  if (!j) return j.status();
  return delta_from_json(j.value());
}

// A shopping visit: page views, product views, cart, a purchase of two lines, three traits.
Delta visit() {
  Delta d{"a_q8Zr2LmX5vKc9WnT4bHd1A", "r_Jk3mP9sQ2xVa", {}, {}, 23, 0};
  const char* items[][3] = {{"ethiopian-yirgacheffe", "Ethiopian Yirgacheffe", "coffee/single-origin"},
                            {"kenya-aa", "Kenya AA", "coffee/single-origin"},
                            {"v60-dripper", "Hario V60 Dripper", "equipment/brewers"}};
  std::int64_t ts = T;
  int n = 0;
  auto add = [&](EventType type, int item, std::string path) {
    Event e;
    e.id = "Qx7bN2kLpW9z." + std::to_string(++n);
    e.type = type;
    e.ts = ts += 3000 + n * 1711 % 9000;
    e.path = std::move(path);
    if (type == EventType::page_view) e.props = R"({"title":")" + std::string(items[item][1]) + R"("})";
    if (type == EventType::product_view) e.item = {items[item][0], items[item][1], items[item][2], 14.5 + item};
    if (type == EventType::add_to_cart) e.lines = {{{items[item][0], items[item][1], items[item][2], 14.5 + item}, 1}};
    d.events.push_back(std::move(e));
  };
  for (int i = 0; i < 3; ++i) {
    std::string path = "/products/" + std::string(items[i][0]) + ".html";
    add(EventType::page_view, i, path);
    add(EventType::product_view, i, path);
    if (i != 1) add(EventType::add_to_cart, i, path);
  }
  Event order;
  order.id = "Qx7bN2kLpW9z." + std::to_string(++n);
  order.type = EventType::purchase;
  order.ts = ts += 60000;
  order.path = "/checkout/done";
  order.currency = "EUR";
  order.props = R"({"order":"o-1042"})";
  order.lines = {{{items[0][0], items[0][1], items[0][2], 14.5}, 2}, {{items[2][0], items[2][1], items[2][2], 16.5}, 1}};
  d.events.push_back(order);
  d.traits["name"] = {"Ana", ts + 1000, d.replica, 0};
  d.traits["locale"] = {"fa-IR", ts + 1200, d.replica, 0};
  d.traits["interest:tea"] = {"-", ts + 1500, d.replica, 0};
  return d;
}

// Random deltas with hostile strings, unicode and values at their limits.
class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  Delta delta() {
    Delta d{pick({"p1", "a_q8Zr2LmX5vKc9WnT4bHd1A", std::string(128, 'p')}), pick({"r1", "r_x", std::string(128, 'r')}),
            {}, {}, uniform(0, 3) ? uniform(0, 100000) : UINT64_MAX / 2, 0};
    if (!uniform(0, 4)) d.erased = ts();
    std::size_t n = uniform(0, 3) ? uniform(0, 12) : uniform(0, 120);
    std::set<std::string> ids;
    for (std::size_t i = 0; i < n; ++i) {
      Event e = event();
      if (ids.insert(e.id).second) d.events.push_back(std::move(e));
    }
    std::size_t traits = uniform(0, 5);
    for (std::size_t i = 0; i < traits; ++i) {
      std::string name = pick({"name", "locale", "channel", "interest:" + text(1, 64)});
      std::string value = name.rfind("interest:", 0) == 0 ? pick({"+", "-"}) : text(0, 256);
      d.traits[name] = {value, ts(), pick({d.replica, "r2", "server"}), 0,
                        static_cast<std::uint32_t>(uniform(0, 2) ? 0 : uniform(1, 4294967295u))};
    }
    return d;
  }

 private:
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) { return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_); }
  std::string pick(std::initializer_list<std::string> xs) { return *(xs.begin() + uniform(0, xs.size() - 1)); }
  std::int64_t ts() {
    switch (uniform(0, 5)) {
      case 0: return EventLimits::kMinTs;
      case 1: return EventLimits::kMaxTs;
      default: return T + static_cast<std::int64_t>(uniform(0, 86400000));
    }
  }
  // Bytes that stress every writer and reader: quotes, HTML, escapes, control characters, NUL,
  // Persian, emoji, U+2028, invalid UTF-8 (both versions replace it with U+FFFD).
  std::string text(std::size_t min, std::size_t max) {
    static const std::vector<std::string> parts = {
        "a", "Z", "0", "\"", "\\", "<script>", "&amp;", "\n", "\t", std::string("\0", 1), "\x01", "سلام",
        "\xF0\x9F\x98\x80", "\xE2\x80\xA8", "\xFF", "\xC3", "/", "{\"x\":1}", " ", "é"};
    std::size_t want = uniform(min, max);
    std::string s;
    while (s.size() < want) s += parts[uniform(0, parts.size() - 1)];
    while (s.size() > max) s.pop_back();  // may cut a sequence: more invalid UTF-8
    if (s.size() < min) s.append(min - s.size(), 'x');
    return s;
  }
  std::string id() {
    switch (uniform(0, 4)) {
      case 0: return "Qx7bN2kLpW9z." + std::to_string(uniform(0, 20));
      case 1: return "e" + std::string(uniform(0, 3), '0') + std::to_string(uniform(0, 999));
      case 2: return std::to_string(uniform(0, UINT64_MAX));
      case 3: return text(1, 128);
      default: return std::string(128, 'i');
    }
  }
  double price() {
    switch (uniform(0, 5)) {
      case 0: return 0;
      case 1: return static_cast<double>(uniform(1, 100000)) / 100;
      case 2: return static_cast<double>(uniform(1, 1000000)) / 1e6;
      case 3: return EventLimits::kMaxPrice;
      case 4: return 0.1 + 0.2;
      default: return 12.99;
    }
  }
  Item item() { return {text(1, 128), uniform(0, 1) ? text(0, 512) : "", uniform(0, 1) ? text(0, 512) : "", price()}; }
  Event event() {
    Event e;
    e.id = id();
    e.type = static_cast<EventType>(uniform(0, 11));
    e.ts = ts();
    e.channel = pick({"web", "web", "email", "store", std::string(32, 'c')});
    if (!uniform(0, 2)) e.path = text(0, 512);
    if (!uniform(0, 2)) e.item = item();
    if (e.type == EventType::purchase || !uniform(0, 3)) {
      std::size_t n = uniform(1, uniform(0, 5) ? 3 : 100);
      for (std::size_t i = 0; i < n; ++i) e.lines.push_back({item(), static_cast<std::int64_t>(uniform(0, 1) ? 1 : uniform(1, 100000))});
    }
    if (!uniform(0, 3)) e.currency = pick({"EUR", "IRR", "USD"});
    if (!uniform(0, 3)) e.props = pick({R"({"title":"x"})", R"({"a":[1,{"b":"\u003cscript\u003e"}],"n":1.5})", "{}"});
    normalize(e);
    return e;
  }

  std::mt19937_64 rng_;
};

Status error_of(std::string_view b) {
  auto d = delta_from_msgpack(b);
  return d ? Status::ok() : d.status();
}
// The compact delta of one event record, for the hand-made cases.
json with_event(json record) {
  return {{"p", "p1"}, {"r", "r1"}, {"u", 1}, {"b", T}, {"e", json::array({std::move(record)})}};
}

}  // namespace

TEST_CASE("a shopping visit round-trips and is under a third of its JSON", "[wire]") {
  Delta d = visit();
  std::string b = encode_delta(d);
  auto back = delta_from_msgpack(b);
  REQUIRE(back.is_ok());
  CHECK(to_json(back.value()) == to_json(d));
  CHECK(b.size() * 3 < to_json(d).size());
  // The table holds the id prefix, paths and repeated item fields once.
  auto compact = parse_msgpack(b);
  REQUIRE(compact.is_ok());
  const json& table = compact.value()["S"];
  auto prefix = std::find(table.begin(), table.end(), "Qx7bN2kLpW9z.") - table.begin();
  REQUIRE(prefix < static_cast<std::ptrdiff_t>(table.size()));
  CHECK(compact.value()["e"][0][0] == json::array({prefix, 1}));
  CHECK(std::find(table.begin(), table.end(), "Hario V60 Dripper") != table.end());
  CHECK(compact.value()["b"] == d.events[0].ts);
}

TEST_CASE("the documented example encodes to the documented bytes", "[wire]") {
  // docs/sync-protocol.md, "Version 2 (MessagePack)": a product view and a name.
  Delta d{"a_q8Zr", "r_Jk3m", {}, {}, 2, 0};
  Event e;
  e.id = "Hs4k.1";
  e.type = EventType::product_view;
  e.ts = 1790000000103;
  e.path = "/p/eth";
  e.item = {"eth", "Ethiopian", "coffee", 14.5};
  d.events.push_back(e);
  d.traits["name"] = {"Ana", 1790000060000, "r_Jk3m", 0};
  CHECK(hex(encode_delta(d)) ==
        "87a170a6615f71385a72a17200a17502a162cf000001a0c4506c67a15391a6725f4a6b336da1659196a648"
        "73346b2e310100a62f702f657468c094a3657468a9457468696f7069616ea6636f66666565cd05aaa174"
        "9194a46e616d65a3416e61cde9f900");
}

TEST_CASE("random deltas decode to what the JSON path gives", "[wire]") {
  Generator gen(20261123);
  for (int i = 0; i < 400; ++i) {
    Delta d = gen.delta();
    auto reference = via_json(d);
    auto got = delta_from_msgpack(encode_delta(d));
    INFO("delta " << i << ": " << to_json(d).substr(0, 400));
    REQUIRE(reference.is_ok() == got.is_ok());
    if (got.is_ok()) {
      CHECK(to_json(got.value()) == to_json(reference.value()));
      CHECK(got->upto == reference->upto);
    } else {
      CHECK(got.status().code() == reference.status().code());
      CHECK(got.status().message() == reference.status().message());
    }
  }
}

TEST_CASE("every truncation and every corrupted byte is a typed error, never a crash", "[wire][errors]") {
  Generator gen(7);
  std::vector<std::string> samples = {encode_delta(visit())};
  while (samples.size() < 8) {  // small ones: each is decoded about 15 times per byte
    std::string b = encode_delta(gen.delta());
    if (b.size() > 40 && b.size() < 2500) samples.push_back(b);
  }
  const std::set<std::string> codes = {"malformed_msgpack", "invalid_field", "unknown_field",
                                       "invalid_event",     "invalid_trait", "payload_too_large"};
  for (const std::string& b : samples) {
    for (std::size_t n = 0; n < b.size(); ++n) {
      Status s = error_of(b.substr(0, n));
      INFO("truncated at " << n << " of " << b.size());
      CHECK(s.code() == "malformed_msgpack");
      CHECK(s.message().find("at byte " + std::to_string(n + 1) + ":") != std::string::npos);  // 1-based
    }
    for (std::size_t i = 0; i < b.size(); ++i) {
      for (unsigned char v : {0x00, 0x7f, 0x80, 0x90, 0xa0, 0xc0, 0xc1, 0xc4, 0xcb, 0xcf, 0xd9, 0xdc, 0xdf, 0xff}) {
        std::string c = b;
        c[i] = static_cast<char>(v);
        Status s = error_of(c);
        if (!s.is_ok()) CHECK(codes.count(s.code()) == 1);
      }
    }
  }
}

TEST_CASE("wrong types and unknown keys name the field", "[wire][errors]") {
  auto msg = [](const json& j) { return error_of(bytes(j)).message(); };
  auto code = [](const json& j) { return error_of(bytes(j)).code(); };
  CHECK(msg(json::array()) == "delta: must be a map");
  CHECK(code(json{{"p", "p1"}, {"r", "r1"}, {"u", 1}, {"z", 1}}) == "unknown_field");
  CHECK(msg(json{{"p", "p1"}, {"r", "r1"}, {"u", 1}, {"z", 1}}) == "delta.z: unknown field");
  CHECK(msg(json{{"p", "p1"}, {"r", "r1"}, {"u", 1}, {"profile", "p"}}) == "delta.profile: unknown field");
  CHECK(msg(json{{"r", "r1"}, {"u", 1}}) == "delta.profile: is required");
  CHECK(msg(json{{"p", true}, {"r", "r1"}, {"u", 1}}) == "delta.profile: must be a string or a string-table index");
  CHECK(msg(json{{"p", 3}, {"r", "r1"}, {"u", 1}, {"S", {"a", "b"}}}) ==
        "delta.profile: string table index 3 is out of range (the table has 2)");
  CHECK(msg(json{{"p", "p"}, {"r", "r1"}, {"u", -1}}) == "delta.upto: must be >= 0");
  CHECK(msg(json{{"p", "p"}, {"r", "r1"}, {"u", "1"}}) == "delta.upto: must be an integer");
  CHECK(msg(json{{"p", "p"}, {"r", "r1"}, {"u", 1}, {"S", {1}}}) == "delta.S[0]: must be a string");
  CHECK(msg(json{{"p", "p"}, {"r", "r1"}, {"u", 1}, {"b", "now"}}) == "delta.b: the base timestamp must be an integer");
  CHECK(msg(json{{"p", "p"}, {"r", "r1"}, {"u", 1}, {"e", json::object()}}) == "delta.events: must be an array");
  CHECK(msg(with_event({"e1", 0})) ==
        "delta.events[0]: must be an array [id, type, dts, path, props, item, lines, currency, channel]");
  CHECK(msg(with_event({"e1", 14, 0})) == "delta.events[0].type: unknown event type 14");
  CHECK(msg(with_event({"e1", "hack", 0})) == "delta.events[0].type: unknown event type 'hack'");
  CHECK(error_of(bytes(with_event({"e1", "page_view", 0}))).is_ok());  // a name is accepted too
  CHECK(msg(with_event({"e1", 0, 1.5})) == "delta.events[0].ts: must be an integer (ms after the previous event)");
  CHECK(msg(with_event({"e1", 0, -T + 17})) == "delta.events[0].ts: must be Unix milliseconds between 2000 and 2100, got 17");
  CHECK(msg(with_event({json::array({"e", -1}), 0, 0})) == "delta.events[0].id: must be a text or [prefix, n]");
  CHECK(msg(with_event({"e1", 1, 0, nullptr, nullptr, {"x", nullptr, nullptr, "cheap"}})) ==
        "delta.events[0].item.price: must be a number (an integer counts hundredths)");
  CHECK(msg(with_event({"e1", 1, 0, nullptr, nullptr, {"x", "t", "c", 1, 2}})) ==
        "delta.events[0].item: must be an array [id, title, category, price]");
  CHECK(msg(with_event({"e1", 5, 0, nullptr, nullptr, nullptr, {{"x", nullptr, nullptr, 100, "two"}}})) ==
        "delta.events[0].lines[0].qty: must be an integer");
  CHECK(msg(with_event({"e1", 5, 0, nullptr, nullptr, nullptr, {{"x", nullptr, nullptr, 100, 0}}})) ==
        "delta.events[0].lines[0].qty: must be 1 to 100000");
  CHECK(msg(with_event({"e1", 0, 0, "/", "[1]"})) == "delta.events[0].props: must be an object");
  CHECK(msg(with_event({"e1", 0, 0, "/", "{"})).rfind("delta.events[0].props: must be the JSON text of an object", 0) == 0);
  CHECK(msg(with_event({"e1", 0, 0, "/", R"({"a":)" + std::string(40, '[') + std::string(40, ']') + "}"})) ==
        "delta.events[0].props: nested deeper than 32 levels");
  CHECK(msg(with_event({"e1", 0, 0, nullptr, nullptr, nullptr, nullptr, nullptr, ""})) ==
        "delta.events[0].channel: must not be empty");
  json traits = {{"p", "p"}, {"r", "r1"}, {"u", 1}, {"b", T}, {"t", {{"name", "Ana", 0, "r1"}, {"name", "Ava", 1, "r1"}}}};
  CHECK(msg(traits) == "delta.traits[1]: duplicate trait 'name'");
  traits["t"] = {{"role", "admin", 0, "r1"}};
  CHECK(code(traits) == "invalid_trait");
  traits["t"] = {{"name", "Ana", 0}};
  CHECK(msg(traits) == "delta.traits[0]: must be an array [name, value, dts, replica, tick?]");
  traits["t"] = {{"name", "Ana", 0, "r1", -1}};
  CHECK(msg(traits) == "delta.traits.name.tick: must be an integer from 0 to 4294967295");
  traits["t"] = {{"name", "Ana", 0, "r1", 4294967296}};
  CHECK(msg(traits) == "delta.traits.name.tick: must be an integer from 0 to 4294967295");
  traits["t"] = {{"name", "Ana", 0, "r1", "1"}};
  CHECK(msg(traits) == "delta.traits.name.tick: must be an integer");
  traits["t"] = {{"name", "Ana", 0, "r1", 7}};
  auto ticked = delta_from_msgpack(bytes(traits));
  REQUIRE(ticked.is_ok());
  CHECK(ticked->traits.at("name").tick == 7);
}

TEST_CASE("limits are enforced before and while parsing", "[wire][errors]") {
  auto s = [](std::string_view b) { return parse_msgpack(b).status(); };
  CHECK(s(std::string(WireLimits::kMaxBytes + 1, '\xc0')).code() == "payload_too_large");
  CHECK(s("").message() == "malformed MessagePack at byte 1: syntax error while parsing MessagePack value: unexpected end of input");
  CHECK(s("\xc0\xc0").message().find("at byte 2: syntax error while parsing MessagePack value: expected end of input") !=
        std::string::npos);  // trailing bytes
  CHECK(s("\xc1").code() == "malformed_msgpack");                       // never used
  CHECK(s(std::string(9, '\x91') + "\xc0").message() == "malformed MessagePack at byte 9: nested deeper than 8 levels");
  CHECK(s(std::string(8, '\x91') + "\xc0").is_ok());
  CHECK(s("\xdd\x00\x00\x20\x01"s).message() == "malformed MessagePack at byte 5: an array of 8193 elements; at most 8192");
  CHECK(s("\xde\x00\x11"s).message() == "malformed MessagePack at byte 3: a map of 17 keys; at most 16");
  CHECK(s("\xdd\xff\xff\xff\xff").code() == "malformed_msgpack");  // 4 G elements announced: refused at once
  CHECK(s("\xdb\xff\xff\xff\xff" "abc").message().find("unexpected end of input") != std::string::npos);
  CHECK(s("\xda\x20\x01" + std::string(8193, 'a')).message() ==
        "malformed MessagePack at byte 8196: a string of 8193 bytes; at most 8192");
  CHECK(s("\xa2\xc3\x28").message() == "malformed MessagePack at byte 3: a string that is not valid UTF-8");
  CHECK(s("\xa3\xed\xa0\x80").message() == "malformed MessagePack at byte 4: a string that is not valid UTF-8");  // a surrogate
  CHECK(s("\x82\xa1p\x01\xa1p\x02").message() == "malformed MessagePack at byte 6: duplicate key 'p'");
  CHECK(s("\x81\x01\x02").code() == "malformed_msgpack");  // keys are strings
  CHECK(s("\xc4\x01x").message() == "malformed MessagePack at byte 3: bin and ext values are not part of this protocol");
  CHECK(s("\xd4\x01x").message().find("bin and ext values") != std::string::npos);
  CHECK(s("\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00"s).is_ok());  // NaN parses; the delta's checks refuse it
  CHECK(error_of(bytes(with_event({"e1", 1, 0, nullptr, nullptr, {"x", nullptr, nullptr, std::nan("")}}))).code() ==
        "invalid_event");
}

TEST_CASE("a string table cannot blow a small body up", "[wire][errors]") {
  // 4,000 references to one 8 KB string: 32 MB of text from a 24 KB body.
  json lines = json::array();
  for (int i = 0; i < 100; ++i) lines.push_back({0, 0, 0});
  json events = json::array();
  for (int i = 0; i < 40; ++i) events.push_back({"e" + std::to_string(i), 5, 0, nullptr, nullptr, nullptr, lines});
  json d = {{"p", "p"}, {"r", "r"}, {"u", 1}, {"b", T}, {"S", {std::string(8000, 'x')}}, {"e", events}};
  std::string b = bytes(d);
  CHECK(b.size() < 25000);
  Status st = error_of(b);
  CHECK(st.code() == "payload_too_large");
  CHECK(st.message().find("expands to more than 2097152 bytes of text") != std::string::npos);
}

TEST_CASE("requests: envelope keys, consent records", "[wire]") {
  json req = {{"v", 2}, {"k", "pk_demo"}, {"t", "t_token_0123456789abcdef"}, {"s", 4},
              {"c", {{T, true, false, false, "banner", "2026-09"}}}, {"d", {{"p", "p1"}}}};
  auto r = sync_request_from_msgpack(bytes(req));
  REQUIRE(r.is_ok());
  CHECK(r.value()["key"] == "pk_demo");
  CHECK(r.value()["token"] == "t_token_0123456789abcdef");
  CHECK(r.value()["since"] == 4);
  CHECK(r.value()["consent"][0] == json{{"ts", T}, {"personalisation", true}, {"analytics", false},
                                          {"marketing", false}, {"source", "banner"}, {"policy", "2026-09"}});
  CHECK(r.value()["delta"] == json{{"p", "p1"}});  // compact: read later with delta_from_wire
  req["key"] = "pk_demo";
  CHECK(sync_request_from_msgpack(bytes(req)).status().message() == "key: unknown field");
  req.erase("key");
  req["c"] = {{T, true}};
  CHECK(sync_request_from_msgpack(bytes(req)).status().message() ==
        "consent[0]: must be an array [ts, personalisation, analytics, marketing, source, policy]");
  CHECK(sync_request_from_msgpack(bytes(json::array())).status().message() == "body must be a MessagePack map");
}

TEST_CASE("answers: the down delta round-trips into the version-1 answer", "[wire]") {
  Delta down = visit();
  down.erased = T - 5;
  WireAnswer a{23, "a_q8Zr2LmX5vKc9WnT4bHd1A", 9, 3, 2, 1, 12, true};
  auto back = answer_from_msgpack(encode_answer(a, down));
  REQUIRE(back.is_ok());
  const json& j = back.value();
  CHECK(j["ack"]["upto"] == 23);
  CHECK(j["profile"] == "a_q8Zr2LmX5vKc9WnT4bHd1A");
  CHECK(j["version"] == 9);
  CHECK(j["accepted"] == json{{"events", 3}, {"traits", 2}, {"consent", 1}});
  CHECK(j["down"]["version"] == 12);
  CHECK(j["down"]["more"] == true);
  CHECK(j["down"]["erased"] == T - 5);
  json v1 = parse_json(to_json(down)).value();
  CHECK(j["down"]["events"] == v1["events"]);
  CHECK(j["down"]["traits"] == v1["traits"]);
  a.consent_added = -1;
  CHECK_FALSE(answer_from_msgpack(encode_answer(a, Delta{})).value()["accepted"].contains("consent"));
}

TEST_CASE("regressions found while fuzzing the readers", "[wire][errors][regression]") {
  SECTION("issue #4 - deeply nested props overflowed the stack when written again") {
    // A 240 KB version-1 body under the 256 KB limit crashed delta_from_json (dump() recursed
    // 120,000 levels deep); both versions now refuse props nested deeper than 32 levels.
    std::string props = R"({"a":)" + std::string(120000, '[') + std::string(120000, ']') + "}";
    auto j = parse_json(R"({"profile":"p","replica":"r","upto":1,"events":[{"id":"e","type":"click","ts":1790000000000,"props":)" +
                        props + "}]}");
    REQUIRE(j.is_ok());
    CHECK(delta_from_json(j.value()).status().message() == "delta.events[0].props: nested deeper than 32 levels");
    std::string deep = R"({"a":)" + std::string(33, '[') + std::string(33, ']') + "}";
    CHECK(error_of(bytes(with_event({"e1", 6, 0, nullptr, deep}))).message() ==
          "delta.events[0].props: nested deeper than 32 levels");
    std::string ok = R"({"a":)" + std::string(31, '[') + std::string(31, ']') + "}";
    CHECK(error_of(bytes(with_event({"e1", 6, 0, nullptr, ok}))).is_ok());
  }
}
