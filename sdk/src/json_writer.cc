// The one JSON writer. Kept tiny on purpose: it ships in the browser build.
#include <cmath>
#include <cstdint>

#include "ashna/json.h"
#include "ashna/json_value.h"
#include "text.h"

namespace ashna {
namespace {

// Prices and weights: at most 6 decimals, trailing zeros dropped (14.5, 3, 0.000001).
// Written by hand because libc++ 14 (the wasm build) has no floating-point to_chars, and printf's
// float formatting would cost kilobytes in the browser.
void append_number(std::string& out, double v) {
  if (!std::isfinite(v) || std::fabs(v) >= 9e12) {
    out += "null";
    return;
  }
  if (v < 0) out += '-', v = -v;
  auto micros = static_cast<std::uint64_t>(std::llround(v * 1e6));
  out += std::to_string(micros / 1000000);
  std::uint64_t frac = micros % 1000000;
  if (frac) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 6 - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    out += '.';
    out += digits;
  }
}

void append_int(std::string& out, std::int64_t v) { out += std::to_string(v); }

void key(std::string& out, std::string_view k) {
  append_json_string(out, k);
  out += ':';
}

// {"id","title","category","price"[,"qty"]}; quantity < 0 leaves qty out.
void append_item(std::string& out, const Item& item, std::int64_t quantity) {
  out += '{';
  key(out, "id"), append_json_string(out, item.id);
  if (!item.title.empty()) out += ',', key(out, "title"), append_json_string(out, item.title);
  if (!item.category.empty()) out += ',', key(out, "category"), append_json_string(out, item.category);
  if (item.price > 0) out += ',', key(out, "price"), append_number(out, item.price);
  if (quantity >= 0) out += ',', key(out, "qty"), append_int(out, quantity);
  out += '}';
}

void append_event(std::string& out, const Event& e, bool with_seq) {
  out += '{';
  key(out, "id"), append_json_string(out, e.id);
  out += ',', key(out, "type"), append_json_string(out, to_string(e.type));
  out += ',', key(out, "ts"), append_int(out, e.ts);
  out += ',', key(out, "channel"), append_json_string(out, e.channel);
  if (!e.item.id.empty()) out += ',', key(out, "item"), append_item(out, e.item, -1);
  if (!e.lines.empty()) {
    out += ',', key(out, "lines"), out += '[';
    for (std::size_t i = 0; i < e.lines.size(); ++i) {
      if (i) out += ',';
      append_item(out, e.lines[i].item, e.lines[i].quantity);
    }
    out += ']';
  }
  if (!e.currency.empty()) out += ',', key(out, "currency"), append_json_string(out, e.currency);
  if (!e.path.empty()) out += ',', key(out, "path"), append_json_string(out, e.path);
  // props is kept as the JSON text it arrived as (JSON.stringify or the codec wrote it).
  if (!e.props.empty()) out += ',', key(out, "props"), out += e.props;
  if (with_seq) out += ',', key(out, "seq"), append_int(out, static_cast<std::int64_t>(e.seq));
  out += '}';
}

void append_traits(std::string& out, const Traits& traits, bool with_seq) {
  out += '{';
  bool first = true;
  for (const auto& [name, t] : traits) {
    if (!first) out += ',';
    first = false;
    key(out, name), out += '{';
    key(out, "value"), append_json_string(out, t.value);
    out += ',', key(out, "ts"), append_int(out, t.ts);
    if (t.tick) out += ',', key(out, "tick"), append_int(out, t.tick);
    out += ',', key(out, "replica"), append_json_string(out, t.replica);
    if (with_seq) out += ',', key(out, "seq"), append_int(out, static_cast<std::int64_t>(t.seq));
    out += '}';
  }
  out += '}';
}

void append_events(std::string& out, const std::vector<Event>& events, bool with_seq) {
  out += '[';
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i) out += ',';
    append_event(out, events[i], with_seq);
  }
  out += ']';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t n = text::utf8_sequence(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD for each invalid byte
        ++i;
        continue;
      }
      std::string_view seq = s.substr(i, n);
      if (seq == "\xE2\x80\xA8") out += "\\u2028";       // line separators break JS string
      else if (seq == "\xE2\x80\xA9") out += "\\u2029";  // literals in old engines
      else out += seq;
      i += n;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

void append_json_number(std::string& out, double v) { append_number(out, v); }

std::string to_json(const Event& event) {
  std::string out;
  append_event(out, event, false);
  return out;
}

std::string to_json(const Profile& profile) {
  std::string out = "{";
  key(out, "id"), append_json_string(out, profile.id());
  out += ',', key(out, "traits"), append_traits(out, profile.traits(), false);
  out += ',', key(out, "events"), append_events(out, profile.events(), false);
  out += '}';
  return out;
}

std::string to_json(const Delta& d) {
  std::string out = "{";
  key(out, "profile"), append_json_string(out, d.profile_id);
  out += ',', key(out, "replica"), append_json_string(out, d.replica);
  out += ',', key(out, "upto"), append_int(out, static_cast<std::int64_t>(d.upto));
  if (d.erased) out += ',', key(out, "erased"), append_int(out, d.erased);
  out += ',', key(out, "events"), append_events(out, d.events, false);
  out += ',', key(out, "traits"), append_traits(out, d.traits, false);
  out += '}';
  return out;
}

std::string to_json(const Greeting& g) {
  std::string out = "{";
  key(out, "kind"), append_json_string(out, g.kind);
  out += ',', key(out, "text"), append_json_string(out, g.text);
  out += ',', key(out, "reason"), append_json_string(out, g.reason);
  out += ',', key(out, "item"), append_json_string(out, g.item_id);
  out += ',', key(out, "locale"), append_json_string(out, g.locale);
  out += '}';
  return out;
}

std::string to_json(const Status& s) {
  if (s.is_ok()) return "{\"ok\":true}";
  std::string out = "{\"error\":{";
  key(out, "code"), append_json_string(out, s.code());
  out += ',', key(out, "message"), append_json_string(out, s.message());
  out += "}}";
  return out;
}

namespace {

void append_affinities(std::string& out, const std::vector<Affinity>& list) {
  out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Affinity& a = list[i];
    if (i) out += ',';
    out += '{', key(out, "key"), append_json_string(out, a.key);
    out += ',', key(out, "score"), append_number(out, a.score);
    out += ',', key(out, "views"), append_int(out, a.views);
    out += ',', key(out, "carts"), append_int(out, a.carts);
    out += ',', key(out, "purchases"), append_int(out, a.purchases);
    out += ',', key(out, "stated"), out += a.stated ? "true" : "false";
    out += '}';
  }
  out += ']';
}

void append_cadence(std::string& out, const std::vector<Cadence>& list) {
  out += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Cadence& c = list[i];
    if (i) out += ',';
    out += '{', key(out, "key"), append_json_string(out, c.key);
    out += ',', key(out, "purchases"), append_int(out, c.purchases);
    out += ',', key(out, "last"), append_int(out, c.last);
    out += ',', key(out, "interval_days"), append_number(out, c.interval_days);
    out += ',', key(out, "next"), append_int(out, c.next);
    out += ',', key(out, "confidence"), append_number(out, c.confidence);
    out += ',', key(out, "status"), append_json_string(out, to_string(c.status));
    out += '}';
  }
  out += ']';
}

void append_recs(std::string& out, const std::vector<Recommendation>& recs) {
  out += '[';
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const Recommendation& r = recs[i];
    if (i) out += ',';
    out += '{', key(out, "item"), append_json_string(out, r.item);
    out += ',', key(out, "title"), append_json_string(out, r.title);
    out += ',', key(out, "category"), append_json_string(out, r.category);
    out += ',', key(out, "price"), append_number(out, r.price);
    out += ',', key(out, "strategy"), append_json_string(out, r.strategy);
    out += ',', key(out, "reason"), append_json_string(out, r.reason);
    out += '}';
  }
  out += ']';
}

}  // namespace

std::string to_json(const Views& v) {
  const Rfm& r = v.rfm;
  std::string out = "{\"rfm\":{";
  key(out, "orders"), append_int(out, r.orders);
  out += ',', key(out, "monetary"), append_number(out, r.monetary);
  out += ',', key(out, "recency_days"), append_int(out, r.recency_days);
  out += ',', key(out, "r"), append_int(out, r.r);
  out += ',', key(out, "f"), append_int(out, r.f);
  out += ',', key(out, "m"), append_int(out, r.m);
  out += ',', key(out, "segment"), append_json_string(out, r.segment);
  out += "},", key(out, "categories"), append_affinities(out, v.categories);
  out += ',', key(out, "tags"), append_affinities(out, v.tags);
  out += ',', key(out, "items"), append_cadence(out, v.items);
  out += ',', key(out, "category_cadence"), append_cadence(out, v.category_cadence);
  out += ',', key(out, "stage"), append_json_string(out, v.stage);
  out += ',', key(out, "stage_reason"), append_json_string(out, v.stage_reason);
  out += ',', key(out, "value"), out += to_json(v.value);
  out += '}';
  return out;
}

std::string to_json(const std::vector<Recommendation>& recs) {
  std::string out;
  append_recs(out, recs);
  return out;
}

std::string to_json(const Offer& offer) {
  std::string out = "{";
  key(out, "items"), append_recs(out, offer.items);
  out += ',', key(out, "reason"), append_json_string(out, offer.reason);
  out += '}';
  return out;
}

// Parameters are written exactly (shortest round trip): a fitted value near 1e-9 must not become 0.
std::string to_json(const SiteModel& m) {
  std::string out = "{";
  key(out, "fitted_at"), append_int(out, m.fitted_at);
  out += ',', key(out, "customers"), append_int(out, m.customers);
  const RfmBreakpoints& b = m.breakpoints;
  out += ",\"rfm\":{\"recency_days\":[";
  for (int k = 0; k < 4; ++k) out += k ? "," : "", append_int(out, b.recency_days[k]);
  out += "],\"frequency\":[";
  for (int k = 0; k < 4; ++k) out += k ? "," : "", append_int(out, b.frequency[k]);
  out += "],\"monetary\":[";
  for (int k = 0; k < 4; ++k) out += k ? "," : "", append_number(out, b.monetary[k]);
  out += "]},\"value\":";
  if (m.bgnbd && m.spend) {
    out += "{\"bgnbd\":{";
    key(out, "r"), out += format_number(m.bgnbd->r);
    out += ',', key(out, "alpha"), out += format_number(m.bgnbd->alpha);
    out += ',', key(out, "a"), out += format_number(m.bgnbd->a);
    out += ',', key(out, "b"), out += format_number(m.bgnbd->b);
    out += "},\"spend\":{";
    key(out, "p"), out += format_number(m.spend->p);
    out += ',', key(out, "q"), out += format_number(m.spend->q);
    out += ',', key(out, "gamma"), out += format_number(m.spend->gamma);
    out += "},", key(out, "tier_median"), out += format_number(m.tier_median);
    out += ',', key(out, "tier_p80"), out += format_number(m.tier_p80);
    out += ',', key(out, "clv_months"), append_int(out, m.clv.periods);
    out += ',', key(out, "monthly_discount"), append_number(out, m.clv.discount_rate);
    out += '}';
  } else {
    out += "null";
  }
  if (!m.value_note.empty()) out += ',', key(out, "value_note"), append_json_string(out, m.value_note);
  out += '}';
  return out;
}

std::string to_json(const CustomerValue& v) {
  std::string out = "{";
  key(out, "orders"), append_int(out, v.orders);
  out += ',', key(out, "spend_per_order"), append_number(out, v.spend_per_order);
  out += ',', key(out, "x"), append_int(out, v.summary.x);
  out += ',', key(out, "t_x"), append_number(out, v.summary.t_x);
  out += ',', key(out, "T"), append_number(out, v.summary.T);
  out += ',', key(out, "scored"), out += v.scored ? "true" : "false";
  if (v.scored) {
    out += ',', key(out, "p_alive"), append_number(out, v.p_alive);
    out += ',', key(out, "expected_spend"), append_number(out, v.expected_spend);
    out += ',', key(out, "annual_value"), append_number(out, v.annual_value);
    out += ',', key(out, "tier"), append_json_string(out, v.tier);
  }
  if (v.lifetime) {
    out += ',', key(out, "expected_purchases_90d"), append_number(out, v.expected_purchases);
    out += ',', key(out, "clv"), append_number(out, v.clv);
  }
  out += '}';
  return out;
}

std::string state_json(const Engine& engine) {
  const Profile& p = engine.profile();
  const Consent& c = engine.consent();
  std::string out = "{\"v\":1,";
  key(out, "id"), append_json_string(out, p.id());
  out += ',', key(out, "replica"), append_json_string(out, engine.replica());
  out += ',', key(out, "acked"), append_int(out, static_cast<std::int64_t>(engine.acked()));
  if (engine.erased()) {
    out += ',', key(out, "erased"), append_int(out, engine.erased());
    out += ',', key(out, "erase_seq"), append_int(out, static_cast<std::int64_t>(engine.erase_seq()));
  }
  out += ",\"consent\":{\"personalisation\":";
  out += c.personalisation ? "true" : "false";
  out += ",\"analytics\":";
  out += c.analytics ? "true" : "false";
  out += ",\"marketing\":";
  out += c.marketing ? "true" : "false";
  out += "},";
  key(out, "traits"), append_traits(out, p.traits(), true);
  out += ',', key(out, "events"), append_events(out, p.events(), true);
  if (!p.summary().empty()) out += ',', key(out, "summary"), out += to_json(p.summary());
  out += '}';
  return out;
}

std::string to_json(const HistorySummary& s) {
  std::string out = "{";
  key(out, "events"), append_int(out, s.events);
  out += ',', key(out, "until"), append_int(out, s.until);
  out += ",\"purchases\":[";
  for (std::size_t i = 0; i < s.purchases.size(); ++i) {
    const HistorySummary::Day& d = s.purchases[i];
    out += i ? ",[" : "[";
    append_int(out, d.day), out += ',', append_int(out, d.orders), out += ',', append_number(out, d.spend);
    out += ']';
  }
  out += ']';
  for (auto [name, by_key] : {std::pair{"items", &s.item_days}, {"categories", &s.category_days}}) {
    out += ',', key(out, name), out += '{';
    bool first = true;
    for (const auto& [k, days] : *by_key) {
      if (!first) out += ',';
      first = false;
      key(out, k), out += '[';
      for (std::size_t i = 0; i < days.size(); ++i) out += i ? "," : "", append_int(out, days[i]);
      out += ']';
    }
    out += '}';
  }
  out += '}';
  return out;
}

}  // namespace ashna
