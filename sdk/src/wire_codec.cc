// Reading sync protocol version 2 (MessagePack) for native builds. The grammar is at the top of
// wire.cc (the encoder) and in docs/sync-protocol.md. Input is hostile: the size is checked
// before parsing; a SAX builder enforces depth, length, UTF-8 and duplicate-key rules while
// nlohmann's reader parses (bounds-checked, never throws through here); the compact form is then
// mapped onto the version-1 JSON shape and read by codec.cc, so both versions share every check.
#include <cstring>
#include <iterator>
#include <vector>

#include "ashna/codec.h"
#include "ashna/json.h"
#include "ashna/wire.h"

namespace ashna {
namespace {

using nlohmann::json;

Status bad(std::string_view path, std::string_view why) {
  return Status::error("invalid_field", std::string(path) + ": " + std::string(why));
}
std::string at(std::string_view path, std::string_view key) { return std::string(path) + "." + std::string(key); }
std::string at(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

// A byte pointer that records how far the reader got: nlohmann's SAX callbacks receive no
// position, and errors found there must still say where.
struct CountingIterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  const char* p;
  const char* base;
  std::size_t* read;

  reference operator*() const {
    *read = static_cast<std::size_t>(p - base) + 1;
    return *p;
  }
  CountingIterator& operator++() {
    ++p;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++p;
    return old;
  }
  bool operator==(const CountingIterator& o) const { return p == o.p; }
  bool operator!=(const CountingIterator& o) const { return p != o.p; }
};

// Builds the value like nlohmann's DOM parser, refusing what the protocol never sends.
class Builder final : public nlohmann::json_sax<json> {
 public:
  explicit Builder(const std::size_t* read) : read_(read) {}

  json root;
  Status error;

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
  bool string(string_t& s) override { return check(s) && put(json(std::move(s))); }
  bool binary(binary_t&) override { return fail("bin and ext values are not part of this protocol"); }
  bool start_object(std::size_t n) override {
    if (n > WireLimits::kMaxMap)
      return fail("a map of " + std::to_string(n) + " keys; at most " + std::to_string(WireLimits::kMaxMap));
    return open(json::object());
  }
  bool key(string_t& k) override {
    if (!check(k)) return false;
    auto& object = stack_.back()->get_ref<json::object_t&>();
    auto [it, fresh] = object.emplace(std::move(k), nullptr);
    if (!fresh) return fail("duplicate key '" + it->first.substr(0, 32) + "'");
    slot_ = &it->second;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t n) override {
    if (n > WireLimits::kMaxArray)
      return fail("an array of " + std::to_string(n) + " elements; at most " + std::to_string(WireLimits::kMaxArray));
    return open(json::array());
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    // e.what(): "[json.exception.parse_error.110] parse error at byte 3: syntax error while ..."
    std::string what = e.what();
    auto colon = what.find(": ");
    error = Status::error("malformed_msgpack", "malformed MessagePack at byte " + std::to_string(position) + ": " +
                                                   (colon == std::string::npos ? what : what.substr(colon + 2)));
    return false;
  }

 private:
  json* place(json v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      auto& array = top.get_ref<json::array_t&>();
      array.push_back(std::move(v));
      return &array.back();
    }
    *slot_ = std::move(v);
    return slot_;
  }
  bool put(json v) {
    place(std::move(v));
    return true;
  }
  bool open(json container) {
    if (stack_.size() >= WireLimits::kMaxDepth)
      return fail("nested deeper than " + std::to_string(WireLimits::kMaxDepth) + " levels");
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool check(const std::string& s) {
    if (s.size() > WireLimits::kMaxString)
      return fail("a string of " + std::to_string(s.size()) + " bytes; at most " + std::to_string(WireLimits::kMaxString));
    if (!is_valid_utf8(s)) return fail("a string that is not valid UTF-8");
    return true;
  }
  bool fail(const std::string& why) {
    error = Status::error("malformed_msgpack", "malformed MessagePack at byte " + std::to_string(*read_) + ": " + why);
    return false;
  }

  const std::size_t* read_;
  std::vector<json*> stack_;
  json* slot_ = nullptr;
};

// Any msgpack integer as int64, modulo 2^64 (the writer's timestamp arithmetic).
bool as_int64(const json& v, std::int64_t& out) {
  if (v.is_number_unsigned()) out = static_cast<std::int64_t>(v.get<std::uint64_t>());
  else if (v.is_number_integer()) out = v.get<std::int64_t>();
  else return false;
  return true;
}
bool as_index(const json& v, std::uint64_t& out) {
  if (v.is_number_unsigned()) out = v.get<std::uint64_t>();
  else if (v.is_number_integer() && v.get<std::int64_t>() >= 0) out = static_cast<std::uint64_t>(v.get<std::int64_t>());
  else return false;
  return true;
}
std::int64_t plus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

// Maps a compact delta onto the version-1 JSON delta. Only the shape is checked here (arrays,
// table indexes, integers where the arithmetic needs them); values are left to delta_from_json.
class Expander {
 public:
  Status delta(const json& c, std::string_view path, bool down, json& out) {
    if (!c.is_object()) return bad(path, "must be a map");
    for (auto it = c.begin(); it != c.end(); ++it) {
      std::string_view allowed = down ? "VmxbSet" : "pruxbSet";
      if (it.key().size() != 1 || allowed.find(it.key()[0]) == std::string_view::npos)
        return Status::error("unknown_field", at(path, it.key().substr(0, 64)) + ": unknown field");
    }
    out = json::object();
    if (auto s = c.find("S"); s != c.end()) {
      if (!s->is_array()) return bad(at(path, "S"), "the string table must be an array of strings");
      for (std::size_t i = 0; i < s->size(); ++i) {
        if (!(*s)[i].is_string()) return bad(at(at(path, "S"), i), "must be a string");
        table_.push_back(&(*s)[i].get_ref<const std::string&>());
      }
    }
    if (!down) {
      if (Status st = field(c, "p", at(path, "profile"), out, "profile"); !st) return st;
      if (Status st = field(c, "r", at(path, "replica"), out, "replica"); !st) return st;
      if (auto u = c.find("u"); u != c.end()) out["upto"] = *u;  // delta_from_json checks it
    }
    if (auto x = c.find("x"); x != c.end()) out["erased"] = *x;
    std::int64_t base = 0;
    if (auto b = c.find("b"); b != c.end() && !as_int64(*b, base))
      return bad(at(path, "b"), "the base timestamp must be an integer");
    if (auto e = c.find("e"); e != c.end()) {
      if (!e->is_array()) return bad(at(path, "events"), "must be an array");
      json& events = out["events"] = json::array();
      std::int64_t ts = base;
      for (std::size_t i = 0; i < e->size(); ++i) {
        json event;
        if (Status st = this->event((*e)[i], at(at(path, "events"), i), ts, event); !st) return st;
        events.push_back(std::move(event));
      }
    }
    if (auto t = c.find("t"); t != c.end()) {
      if (!t->is_array()) return bad(at(path, "traits"), "must be an array");
      json& traits = out["traits"] = json::object();
      for (std::size_t i = 0; i < t->size(); ++i) {
        const json& r = (*t)[i];
        std::string tpath = at(at(path, "traits"), i), name, value, replica;
        std::int64_t dts;
        if (!r.is_array() || r.size() < 4 || r.size() > 5)
          return bad(tpath, "must be an array [name, value, dts, replica, tick?]");
        if (Status st = text(r[0], at(tpath, "name"), name); !st) return st;
        if (Status st = text(r[1], at(tpath, "value"), value); !st) return st;
        if (!as_int64(r[2], dts)) return bad(at(tpath, "ts"), "must be an integer (ms after the base)");
        if (Status st = text(r[3], at(tpath, "replica"), replica); !st) return st;
        if (traits.contains(name)) return bad(tpath, "duplicate trait '" + name.substr(0, 64) + "'");
        json& trait = traits[name] = {{"value", std::move(value)}, {"ts", plus(base, dts)}, {"replica", std::move(replica)}};
        if (r.size() == 5) trait["tick"] = r[4];  // checked with the v1 trait (codec.cc)
      }
    }
    return Status::ok();
  }

 private:
  // text := str | uint index into the string table.
  Status text(const json& v, const std::string& path, std::string& out) {
    std::uint64_t i;
    if (v.is_string()) {
      out = v.get_ref<const std::string&>();
    } else if (as_index(v, i)) {
      if (i >= table_.size())
        return bad(path, "string table index " + std::to_string(i) + " is out of range (the table has " +
                             std::to_string(table_.size()) + ")");
      out = *table_[i];
    } else {
      return bad(path, "must be a string or a string-table index");
    }
    return charge(out.size(), path);
  }
  Status charge(std::size_t bytes, const std::string& path) {
    if (bytes > budget_)
      return Status::error("payload_too_large", path + ": the delta expands to more than " +
                                                    std::to_string(WireLimits::kMaxExpanded) + " bytes of text");
    budget_ -= bytes;
    return Status::ok();
  }
  // A text under map key `k` (absent: left out) into out[name].
  Status field(const json& c, const char* k, const std::string& path, json& out, const char* name) {
    auto it = c.find(k);
    if (it == c.end()) return Status::ok();
    std::string s;
    if (Status st = text(*it, path, s); !st) return st;
    out[name] = std::move(s);
    return Status::ok();
  }
  // An optional text at array position i (absent or nil: left out) into out[name].
  Status optional(const json& c, std::size_t i, const std::string& path, json& out, const char* name) {
    if (i >= c.size() || c[i].is_null()) return Status::ok();
    std::string s;
    if (Status st = text(c[i], at(path, name), s); !st) return st;
    out[name] = std::move(s);
    return Status::ok();
  }

  Status item(const json& c, const std::string& path, bool line, json& out) {
    if (!c.is_array() || c.empty() || c.size() > (line ? 5u : 4u))
      return bad(path, line ? "must be an array [id, title, category, price, qty]" : "must be an array [id, title, category, price]");
    std::string id;
    if (Status st = text(c[0], at(path, "id"), id); !st) return st;
    out = {{"id", std::move(id)}};
    if (Status st = optional(c, 1, path, out, "title"); !st) return st;
    if (Status st = optional(c, 2, path, out, "category"); !st) return st;
    if (c.size() > 3 && !c[3].is_null()) {
      std::int64_t cents;
      if (c[3].is_number_float()) out["price"] = c[3];
      else if (c[3].is_number_unsigned()) out["price"] = static_cast<double>(c[3].get<std::uint64_t>()) / 100.0;
      else if (as_int64(c[3], cents)) out["price"] = static_cast<double>(cents) / 100.0;
      else return bad(at(path, "price"), "must be a number (an integer counts hundredths)");
    }
    if (line && c.size() > 4 && !c[4].is_null()) out["qty"] = c[4];  // delta_from_json checks it
    return Status::ok();
  }

  Status event(const json& c, const std::string& path, std::int64_t& ts, json& out) {
    if (!c.is_array() || c.size() < 3 || c.size() > 9)
      return bad(path, "must be an array [id, type, dts, path, props, item, lines, currency, channel]");
    out = json::object();
    std::string id;
    if (c[0].is_array()) {
      std::uint64_t n;
      if (c[0].size() != 2 || !as_index(c[0][1], n)) return bad(at(path, "id"), "must be a text or [prefix, n]");
      if (Status st = text(c[0][0], at(path, "id"), id); !st) return st;
      std::string digits = std::to_string(n);
      if (Status st = charge(digits.size(), at(path, "id")); !st) return st;
      id += digits;
    } else if (Status st = text(c[0], at(path, "id"), id); !st) {
      return st;
    }
    out["id"] = std::move(id);
    std::uint64_t type;
    constexpr auto kTypes = static_cast<std::uint64_t>(EventType::not_interested) + 1;
    if (as_index(c[1], type)) {
      if (type >= kTypes) return bad(at(path, "type"), "unknown event type " + std::to_string(type));
      out["type"] = std::string(to_string(static_cast<EventType>(type)));
    } else if (c[1].is_string()) {
      out["type"] = c[1];  // a name: delta_from_json checks it
    } else {
      return bad(at(path, "type"), "must be an event type number or name");
    }
    std::int64_t dts;
    if (!as_int64(c[2], dts)) return bad(at(path, "ts"), "must be an integer (ms after the previous event)");
    ts = plus(ts, dts);
    out["ts"] = ts;
    if (Status st = optional(c, 3, path, out, "path"); !st) return st;
    if (c.size() > 4 && !c[4].is_null()) {
      const std::string ppath = at(path, "props");
      std::string text;
      if (Status st = this->text(c[4], ppath, text); !st) return st;
      auto props = parse_json(text);
      if (!props) return bad(ppath, "must be the JSON text of an object (" + props.status().message() + ")");
      out["props"] = std::move(props.value());  // delta_from_json checks it is a shallow object
    }
    if (c.size() > 5 && !c[5].is_null()) {
      if (Status st = item(c[5], at(path, "item"), false, out["item"]); !st) return st;
    }
    if (c.size() > 6 && !c[6].is_null()) {
      if (!c[6].is_array()) return bad(at(path, "lines"), "must be an array");
      json& lines = out["lines"] = json::array();
      for (std::size_t i = 0; i < c[6].size(); ++i) {
        json line;
        if (Status st = item(c[6][i], at(at(path, "lines"), i), true, line); !st) return st;
        lines.push_back(std::move(line));
      }
    }
    if (Status st = optional(c, 7, path, out, "currency"); !st) return st;
    if (Status st = optional(c, 8, path, out, "channel"); !st) return st;
    return Status::ok();
  }

  std::vector<const std::string*> table_;
  std::size_t budget_ = WireLimits::kMaxExpanded;
};

}  // namespace

Result<json> parse_msgpack(std::string_view bytes) {
  if (bytes.size() > WireLimits::kMaxBytes)
    return Status::error("payload_too_large", "body larger than " + std::to_string(WireLimits::kMaxBytes) + " bytes");
  std::size_t read = 0;
  Builder builder(&read);
  CountingIterator first{bytes.data(), bytes.data(), &read}, last{bytes.data() + bytes.size(), bytes.data(), &read};
  bool ok = false;
  try {
    ok = json::sax_parse(first, last, &builder, nlohmann::detail::input_format_t::msgpack, true);
  } catch (const std::exception& e) {  // not expected (the builder never throws); memory, at worst
    return Status::error("malformed_msgpack", std::string("malformed MessagePack: ") + e.what());
  }
  if (!ok) {
    if (builder.error.is_ok()) return Status::error("malformed_msgpack", "malformed MessagePack at byte " + std::to_string(read));
    return builder.error;
  }
  return std::move(builder.root);
}

Result<json> sync_request_from_msgpack(std::string_view bytes) {
  auto parsed = parse_msgpack(bytes);
  if (!parsed) return parsed.status();
  const json& c = parsed.value();
  if (!c.is_object()) return Status::error("invalid_field", "body must be a MessagePack map");
  json out = json::object();
  for (auto it = c.begin(); it != c.end(); ++it) {
    const std::string& k = it.key();
    if (k == "v") out["v"] = it.value();
    else if (k == "k") out["key"] = it.value();
    else if (k == "t") out["token"] = it.value();
    else if (k == "s") out["since"] = it.value();
    else if (k == "d") out["delta"] = it.value();
    else if (k != "c") return Status::error("unknown_field", k.substr(0, 64) + ": unknown field");
  }
  if (auto cj = c.find("c"); cj != c.end()) {
    if (!cj->is_array()) {
      out["consent"] = *cj;  // the sync handler says what is wrong with it
    } else {
      json& records = out["consent"] = json::array();
      for (std::size_t i = 0; i < cj->size(); ++i) {
        const json& r = (*cj)[i];
        if (!r.is_array() || r.size() != 6)
          return bad(at("consent", i), "must be an array [ts, personalisation, analytics, marketing, source, policy]");
        records.push_back({{"ts", r[0]}, {"personalisation", r[1]}, {"analytics", r[2]}, {"marketing", r[3]},
                           {"source", r[4]}, {"policy", r[5]}});
      }
    }
  }
  return out;
}

Result<Delta> delta_from_wire(const json& compact, std::string_view path) {
  json expanded;
  if (Status st = Expander().delta(compact, path, false, expanded); !st) return st;
  return delta_from_json(expanded, path);
}

Result<Delta> delta_from_msgpack(std::string_view bytes) {
  auto parsed = parse_msgpack(bytes);
  if (!parsed) return parsed.status();
  return delta_from_wire(parsed.value());
}

Result<json> answer_from_msgpack(std::string_view bytes) {
  auto parsed = parse_msgpack(bytes);
  if (!parsed) return parsed.status();
  const json& c = parsed.value();
  if (!c.is_object()) return Status::error("invalid_field", "answer: must be a map");
  for (const char* k : {"v", "a", "p", "V", "n", "d"})
    if (!c.contains(k)) return bad(at("answer", k), "is required");
  if (c.size() != 6) return Status::error("unknown_field", "answer: has unknown fields");
  const json &n = c["n"], &d = c["d"];
  if (c["v"] != kWireVersion) return Status::error("unsupported_version", "answer.v: not version 2");
  if (!n.is_array() || n.size() < 2 || n.size() > 3) return bad("answer.n", "must be [events, traits, consent?]");
  if (!d.is_object() || !d.contains("V") || !d.contains("m")) return bad("answer.d", "must be a map with V and m");
  json down;
  if (Status st = Expander().delta(d, "answer.down", true, down); !st) return st;
  // Read and written again, so the down part has exactly the version-1 writer's shape.
  down["profile"] = "-", down["replica"] = "-", down["upto"] = 0;
  auto delta = delta_from_json(down, "answer.down");
  if (!delta) return delta.status();
  auto written = parse_json(to_json(delta.value()));
  if (!written) return written.status();
  json& w = written.value();
  w.erase("profile"), w.erase("replica"), w.erase("upto");
  w["version"] = d["V"], w["more"] = d["m"];
  json accepted = {{"events", n[0]}, {"traits", n[1]}};
  if (n.size() == 3) accepted["consent"] = n[2];
  return json{{"ack", {{"upto", c["a"]}}}, {"profile", c["p"]}, {"version", c["V"]}, {"accepted", accepted}, {"down", w}};
}

}  // namespace ashna
