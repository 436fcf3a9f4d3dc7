// JSON reading for native builds. Every accessor checks the type first: nothing here throws
// on any input, so the same code is safe under -fno-exceptions.
#include "ashna/codec.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace ashna {
namespace {

using nlohmann::json;

Status bad(std::string_view path, std::string_view why) {
  return Status::error("invalid_field", std::string(path) + ": " + std::string(why));
}

std::string at(std::string_view path, std::string_view key) {
  return std::string(path) + "." + std::string(key);
}

// Refuses keys outside `allowed`, so a typo in a client is an error, not silently lost data.
Status only_keys(const json& j, std::string_view path, std::initializer_list<std::string_view> allowed) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || it.key() == a;
    if (!ok)
      return Status::error("unknown_field", at(path, it.key().substr(0, 64)) + ": unknown field");
  }
  return Status::ok();
}

// Reads an optional string field into `out`.
Status get_string(const json& j, std::string_view path, const char* k, std::string& out,
                  bool required = false) {
  auto it = j.find(k);
  if (it == j.end()) return required ? bad(at(path, k), "is required") : Status::ok();
  if (!it->is_string()) return bad(at(path, k), "must be a string");
  out = it->get_ref<const std::string&>();
  return Status::ok();
}

Status get_int(const json& j, std::string_view path, const char* k, std::int64_t& out,
               bool required = false) {
  auto it = j.find(k);
  if (it == j.end()) return required ? bad(at(path, k), "is required") : Status::ok();
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(INT64_MAX)) return bad(at(path, k), "is out of range");
    out = static_cast<std::int64_t>(v);
  } else if (it->is_number_integer()) {
    out = it->get<std::int64_t>();
  } else {
    return bad(at(path, k), "must be an integer");
  }
  return Status::ok();
}

Status require_object(const json& j, std::string_view path) {
  return j.is_object() ? Status::ok() : bad(path, "must be an object");
}

// {"id","title","category","price"} plus the `extra` keys the caller reads itself.
Status item_from_json(const json& j, std::string_view path, Item& item,
                      std::initializer_list<std::string_view> extra = {}) {
  if (Status s = require_object(j, path); !s) return s;
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = it.key() == "id" || it.key() == "title" || it.key() == "category" || it.key() == "price";
    for (std::string_view x : extra) ok = ok || it.key() == x;
    if (!ok) return Status::error("unknown_field", at(path, it.key().substr(0, 64)) + ": unknown field");
  }
  if (Status s = get_string(j, path, "id", item.id, true); !s) return s;
  if (Status s = get_string(j, path, "title", item.title); !s) return s;
  if (Status s = get_string(j, path, "category", item.category); !s) return s;
  if (auto p = j.find("price"); p != j.end()) {
    if (!p->is_number()) return bad(at(path, "price"), "must be a number");
    item.price = p->get<double>();
  }
  return Status::ok();
}

// Nesting of a JSON value, counted without recursion. dump() recurses once per level, so a
// deeply nested value (a 256 KB body can nest 100,000 deep) must be refused before it is written.
std::size_t depth_of(const json& j) {
  std::size_t deepest = 0;
  std::vector<std::pair<const json*, std::size_t>> todo{{&j, 1}};
  while (!todo.empty() && deepest <= kMaxPropsDepth) {
    auto [v, depth] = todo.back();
    todo.pop_back();
    if (!v->is_structured()) continue;
    deepest = std::max(deepest, depth);
    for (const json& child : *v) todo.push_back({&child, depth + 1});
  }
  return deepest;
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view text) {
  // The callback-free parse with allow_exceptions=false never throws; we re-run a SAX pass
  // only to report where the text went wrong.
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (!j.is_discarded()) return j;
  struct Locator : nlohmann::json_sax<json> {
    std::size_t position = 0;
    std::string token;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t pos, const std::string& last, const nlohmann::detail::exception&) override {
      position = pos;
      token = last.substr(0, 32);
      return false;
    }
  } locator;
  json::sax_parse(text.begin(), text.end(), &locator, nlohmann::detail::input_format_t::json, false);
  return Status::error("malformed_json", "body is not valid JSON: syntax error at byte " +
                                             std::to_string(locator.position) +
                                             (locator.token.empty() ? std::string()
                                                                    : " near '" + locator.token + "'"));
}

Result<Event> event_from_json(const json& j, std::string_view path) {
  if (Status s = require_object(j, path); !s) return s;
  if (Status s = only_keys(j, path, {"id", "type", "ts", "channel", "item", "lines", "currency", "path", "props"}); !s)
    return s;
  Event e;
  std::string type;
  if (Status s = get_string(j, path, "id", e.id, true); !s) return s;
  if (Status s = get_string(j, path, "type", type, true); !s) return s;
  auto t = parse_event_type(type);
  if (!t) return bad(at(path, "type"), "unknown event type '" + type.substr(0, 64) + "'");
  e.type = *t;
  if (Status s = get_int(j, path, "ts", e.ts, true); !s) return s;
  if (Status s = get_string(j, path, "channel", e.channel); !s) return s;
  if (Status s = get_string(j, path, "path", e.path); !s) return s;
  if (auto it = j.find("item"); it != j.end()) {
    if (Status s = item_from_json(*it, at(path, "item"), e.item); !s) return s;
  }
  if (Status s = get_string(j, path, "currency", e.currency); !s) return s;
  if (auto it = j.find("lines"); it != j.end()) {
    if (!it->is_array()) return bad(at(path, "lines"), "must be an array");
    if (it->size() > EventLimits::kMaxLines)
      return bad(at(path, "lines"), "at most " + std::to_string(EventLimits::kMaxLines) + " lines");
    for (std::size_t i = 0; i < it->size(); ++i) {
      std::string lpath = at(path, "lines") + "[" + std::to_string(i) + "]";
      const json& lj = (*it)[i];
      Line line;
      if (Status s = item_from_json(lj, lpath, line.item, {"qty"}); !s) return s;
      if (Status s = get_int(lj, lpath, "qty", line.quantity); !s) return s;
      e.lines.push_back(std::move(line));
    }
  }
  if (auto it = j.find("props"); it != j.end()) {
    if (!it->is_object()) return bad(at(path, "props"), "must be an object");
    if (depth_of(*it) > kMaxPropsDepth)
      return bad(at(path, "props"), "nested deeper than " + std::to_string(kMaxPropsDepth) + " levels");
    if (!it->empty()) {
      // Like every string Ashna writes: safe to embed in HTML. <, >, & only occur inside strings.
      for (char c : it->dump(-1, ' ', false, json::error_handler_t::replace)) {
        if (c == '<') e.props += "\\u003c";
        else if (c == '>') e.props += "\\u003e";
        else if (c == '&') e.props += "\\u0026";
        else e.props += c;
      }
    }
  }
  normalize(e);
  if (Status s = validate(e); !s)
    return Status::error(s.code(), std::string(path) + s.message().substr(5));  // "event" -> path
  return e;
}

Result<Trait> trait_from_json(const json& j, std::string_view path) {
  if (Status s = require_object(j, path); !s) return s;
  if (Status s = only_keys(j, path, {"value", "ts", "tick", "replica"}); !s) return s;
  Trait t;
  std::int64_t tick = 0;
  if (Status s = get_string(j, path, "value", t.value, true); !s) return s;
  if (Status s = get_int(j, path, "ts", t.ts, true); !s) return s;
  if (Status s = get_int(j, path, "tick", tick); !s) return s;
  if (tick < 0 || tick > UINT32_MAX) return bad(at(path, "tick"), "must be an integer from 0 to 4294967295");
  t.tick = static_cast<std::uint32_t>(tick);
  if (Status s = get_string(j, path, "replica", t.replica, true); !s) return s;
  return t;
}

Result<Delta> delta_from_json(const json& j, std::string_view path) {
  if (Status s = require_object(j, path); !s) return s;
  if (Status s = only_keys(j, path, {"profile", "replica", "upto", "erased", "events", "traits"}); !s) return s;
  Delta d;
  std::int64_t upto = 0;
  if (Status s = get_string(j, path, "profile", d.profile_id, true); !s) return s;
  if (Status s = get_string(j, path, "replica", d.replica, true); !s) return s;
  if (Status s = get_int(j, path, "upto", upto, true); !s) return s;
  if (upto < 0) return bad(at(path, "upto"), "must be >= 0");
  d.upto = static_cast<std::uint64_t>(upto);
  if (Status s = get_int(j, path, "erased", d.erased); !s) return s;
  if (d.erased != 0 && (d.erased < EventLimits::kMinTs || d.erased > EventLimits::kMaxTs))
    return bad(at(path, "erased"), "must be Unix milliseconds between 2000 and 2100");
  if (auto it = j.find("events"); it != j.end()) {
    if (!it->is_array()) return bad(at(path, "events"), "must be an array");
    d.events.reserve(it->size());
    for (std::size_t i = 0; i < it->size(); ++i) {
      auto e = event_from_json((*it)[i], at(path, "events") + "[" + std::to_string(i) + "]");
      if (!e) return e.status();
      d.events.push_back(std::move(e.value()));
    }
  }
  if (auto it = j.find("traits"); it != j.end()) {
    if (!it->is_object()) return bad(at(path, "traits"), "must be an object");
    for (auto t = it->begin(); t != it->end(); ++t) {
      std::string tpath = at(at(path, "traits"), t.key().substr(0, 64));
      auto trait = trait_from_json(t.value(), tpath);
      if (!trait) return trait.status();
      if (Status s = validate_trait(t.key(), trait.value()); !s)
        return Status::error(s.code(), tpath + ": " + s.message());
      d.traits.emplace(t.key(), std::move(trait.value()));
    }
  }
  return d;
}

Result<Catalog> catalog_from_json(const json& j, std::string_view path) {
  if (!j.is_array()) return bad(path, "must be an array of items");
  if (j.size() > Catalog::kMaxItems) return bad(path, "at most 20000 items");
  Catalog catalog;
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string ipath = std::string(path) + "[" + std::to_string(i) + "]";
    const json& it = j[i];
    if (Status s = require_object(it, ipath); !s) return s;
    if (Status s = only_keys(it, ipath, {"id", "title", "category", "price", "currency", "tags", "replenish_days",
                                         "sensitive", "description", "url", "image"});
        !s)
      return s;
    CatalogItem c;
    if (Status s = get_string(it, ipath, "id", c.id, true); !s) return s;
    if (Status s = get_string(it, ipath, "title", c.title); !s) return s;
    if (Status s = get_string(it, ipath, "category", c.category); !s) return s;
    if (auto p = it.find("price"); p != it.end()) {
      if (!p->is_number()) return bad(at(ipath, "price"), "must be a number");
      c.price = p->get<double>();
    }
    if (auto t = it.find("tags"); t != it.end()) {
      if (!t->is_array()) return bad(at(ipath, "tags"), "must be an array of strings");
      for (const json& tag : *t) {
        if (!tag.is_string()) return bad(at(ipath, "tags"), "must be an array of strings");
        c.tags.push_back(tag.get<std::string>());
      }
    }
    if (auto r = it.find("replenish_days"); r != it.end() && !r->is_null()) {
      if (!r->is_number_integer()) return bad(at(ipath, "replenish_days"), "must be an integer or null");
      std::int64_t d = r->get<std::int64_t>();
      c.replenish_days = d < 0 || d > 3650 ? -1 : static_cast<int>(d);
    }
    if (auto sv = it.find("sensitive"); sv != it.end()) {
      if (!sv->is_boolean()) return bad(at(ipath, "sensitive"), "must be true or false");
      c.sensitive = sv->get<bool>();
    }
    if (Status s = catalog.add(std::move(c)); !s)
      return Status::error(s.code(), ipath + s.message().substr(std::string("catalog item").size()));
  }
  return catalog;
}

Result<Profile> profile_from_json(const json& j, std::string_view path) {
  if (Status s = require_object(j, path); !s) return s;
  if (Status s = only_keys(j, path, {"id", "traits", "events"}); !s) return s;
  std::string id;
  if (Status s = get_string(j, path, "id", id, true); !s) return s;
  Profile p(id);
  if (auto it = j.find("events"); it != j.end()) {
    if (!it->is_array()) return bad(at(path, "events"), "must be an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      auto e = event_from_json((*it)[i], at(path, "events") + "[" + std::to_string(i) + "]");
      if (!e) return e.status();
      p.add_event(std::move(e.value()));
    }
  }
  if (auto it = j.find("traits"); it != j.end()) {
    if (!it->is_object()) return bad(at(path, "traits"), "must be an object");
    for (auto t = it->begin(); t != it->end(); ++t) {
      auto trait = trait_from_json(t.value(), at(at(path, "traits"), t.key().substr(0, 64)));
      if (!trait) return trait.status();
      p.set_trait(t.key(), std::move(trait.value()));
    }
  }
  return p;
}

}  // namespace ashna
