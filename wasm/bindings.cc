// The whole C ABI between JavaScript and the core. Strings in are UTF-8, NUL-terminated and
// borrowed for the call. Strings out are JSON (ashna_delta_wire: MessagePack bytes, length from
// ashna_out_size), owned by the handle and valid until the next call on it. Errors come back as
// {"error":{"code","message"}}; nothing here can abort the module.
#include <emscripten/emscripten.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ashna/engine.h"
#include "ashna/json.h"
#include "ashna/wire.h"

namespace {

struct Handle {
  ashna::Engine engine;
  std::string out;
  std::vector<ashna::Line> lines;  // staged by ashna_line for the next ashna_event
  ashna::HistorySummary summary;   // staged by ashna_summary_* until ashna_summary_end
};

const char* reply(Handle* h, std::string json) {
  h->out = std::move(json);
  return h->out.c_str();
}

std::string str(const char* s) { return s ? std::string(s) : std::string(); }

// JS numbers are doubles; anything non-finite or fractional where an integer is meant is refused
// by validation downstream, so clamp it to a value that validation rejects.
std::int64_t to_int(double v) { return std::isfinite(v) ? static_cast<std::int64_t>(v) : -1; }
std::uint64_t to_seq(double v) { return std::isfinite(v) && v > 0 ? static_cast<std::uint64_t>(v) : 0; }

// Newline-separated ids or tags (a C ABI has no arrays of strings).
std::vector<std::string> split_lines(const char* text) {
  std::vector<std::string> out;
  std::string_view rest = text ? text : "";
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    if (nl != 0) out.emplace_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest = rest.substr(nl + 1);
  }
  return out;
}

// impressions: newline-separated "<ts>\t<item id>" (the loader's local record, RecommendOptions).
ashna::RecommendOptions rec_options(double now, int k, const char* exclude, const char* locale,
                                    const char* impressions) {
  ashna::RecommendOptions o;
  o.now = to_int(now);
  o.k = k;
  o.exclude = split_lines(exclude);
  o.locale = str(locale);
  for (const std::string& line : split_lines(impressions)) {
    auto tab = line.find('\t');
    std::int64_t ts = 0;
    for (std::size_t i = 0; i < tab && i < 18; ++i) ts = ts * 10 + (line[i] - '0');  // engine.js writes digits
    if (tab != std::string::npos) o.impressions.push_back({line.substr(tab + 1), ts});
  }
  return o;
}

std::string ok_seq(std::uint64_t seq) { return "{\"ok\":true,\"seq\":" + std::to_string(seq) + "}"; }

}  // namespace

extern "C" {

// Returns a handle for ashna_free, never null for well-formed arguments.
EMSCRIPTEN_KEEPALIVE Handle* ashna_new(const char* profile_id, const char* replica, int max_events) {
  ashna::EngineOptions opts;
  if (max_events > 0) opts.max_events = static_cast<std::size_t>(max_events);
  return new Handle{ashna::Engine(str(profile_id), str(replica), opts), {}, {}};
}

EMSCRIPTEN_KEEPALIVE void ashna_free(Handle* h) { delete h; }

// Stages one order/cart line for the next ashna_event (a C ABI has no arrays of structs).
EMSCRIPTEN_KEEPALIVE void ashna_line(Handle* h, const char* item_id, const char* title, const char* category,
                                     double price, double quantity) {
  h->lines.push_back({{str(item_id), str(title), str(category), std::isfinite(price) ? price : -1},
                      std::isfinite(quantity) ? static_cast<std::int64_t>(quantity) : 0});
}

// mode 0: a new event on this replica (seq assigned); mode 1: restored from storage (seq kept).
EMSCRIPTEN_KEEPALIVE const char* ashna_event(Handle* h, int mode, const char* id, const char* type,
                                             double ts, const char* channel, const char* item_id,
                                             const char* title, const char* category, double price,
                                             const char* path, const char* props, double seq,
                                             const char* currency) {
  auto t = ashna::parse_event_type(str(type));
  if (!t) h->lines.clear();
  if (!t)
    return reply(h, to_json(ashna::Status::error("invalid_event", "event.type: unknown event type '" +
                                                                      str(type).substr(0, 64) + "'")));
  ashna::Event e;
  e.id = str(id);
  e.type = *t;
  e.ts = to_int(ts);
  e.channel = channel && *channel ? str(channel) : "web";
  e.item = {str(item_id), str(title), str(category), std::isfinite(price) ? price : -1};
  e.path = str(path);
  e.props = str(props);
  e.currency = str(currency);
  e.seq = to_seq(seq);
  e.lines = std::move(h->lines);
  h->lines.clear();
  if (mode == 1) {
    ashna::Status s = h->engine.restore_event(std::move(e));
    return reply(h, to_json(s));
  }
  auto r = h->engine.track(std::move(e));
  return reply(h, r ? ok_seq(r.value()) : to_json(r.status()));
}

// mode 0: set on this replica at ts; mode 1: restored (replica, seq and clock tick as stored).
EMSCRIPTEN_KEEPALIVE const char* ashna_trait(Handle* h, int mode, const char* name, const char* value,
                                             double ts, const char* replica, double seq, double tick) {
  if (mode == 1) {
    ashna::Trait t{str(value), to_int(ts), str(replica), to_seq(seq), static_cast<std::uint32_t>(std::min<std::uint64_t>(to_seq(tick), UINT32_MAX))};
    ashna::Status s = h->engine.restore_trait(str(name), std::move(t));
    return reply(h, to_json(s));
  }
  auto r = h->engine.set_trait(str(name), str(value), to_int(ts));
  return reply(h, r ? ok_seq(r.value()) : to_json(r.status()));
}

// now > 0: a choice made now (withdrawing a purpose deletes what only it justified); 0: the stored
// choice restored at load. {"ok":true,"deleted":n}
EMSCRIPTEN_KEEPALIVE const char* ashna_consent(Handle* h, int decided, int personalisation,
                                               int analytics, int marketing, double now) {
  const ashna::Consent c{decided != 0, personalisation != 0, analytics != 0, marketing != 0};
  int deleted = 0;
  if (now > 0) deleted = h->engine.set_consent(c, to_int(now));
  else h->engine.set_consent(c);
  return reply(h, "{\"ok\":true,\"deleted\":" + std::to_string(deleted) + "}");
}

// The site model (GET /v1/model) as numbers: a C ABI has no objects, and a JSON reader would
// cost the browser kilobytes. rfm holds recency_days[4], frequency[4], monetary[4]; value holds
// r, alpha, a, b, p, q, gamma, tier_median, tier_p80, or is null without a value model.
EMSCRIPTEN_KEEPALIVE void ashna_model(Handle* h, double fitted_at, const double* rfm, const double* value) {
  ashna::SiteModel m;
  m.fitted_at = to_int(fitted_at);
  for (int k = 0; k < 4; ++k) {
    m.breakpoints.recency_days[k] = to_int(rfm[k]);
    m.breakpoints.frequency[k] = static_cast<int>(to_int(rfm[4 + k]));
    m.breakpoints.monetary[k] = rfm[8 + k];
  }
  if (value) {
    m.bgnbd = ashna::BgNbdParams{value[0], value[1], value[2], value[3]};
    m.spend = ashna::GammaGammaParams{value[4], value[5], value[6]};
    m.tier_median = value[7];
    m.tier_p80 = value[8];
  }
  h->engine.set_model(std::move(m));
}

// The site's population model (GET /v1/model "population") as lines, written by engine.js:
// "b\t<orders>", then "p\t<item>" per popular item, most bought first, then
// "r\t<item>\t<partner>\t<score in millionths>" per partner, best first. Digits only where numbers go.
EMSCRIPTEN_KEEPALIVE void ashna_population(Handle* h, const char* text) {
  auto number = [](std::string_view digits) {
    std::int64_t n = 0;
    for (std::size_t i = 0; i < digits.size() && i < 15; ++i) n = n * 10 + (digits[i] - '0');
    return n;
  };
  ashna::PopulationModel p;
  for (const std::string& line : split_lines(text)) {
    std::string_view rest = line, f[4];
    int n = 0;
    for (; n < 4 && !rest.empty(); ++n) {
      auto tab = rest.find('\t');
      f[n] = rest.substr(0, tab);
      rest = tab == std::string_view::npos ? std::string_view() : rest.substr(tab + 1);
    }
    if (n == 2 && f[0] == "b") p.baskets = static_cast<int>(number(f[1]));
    if (n == 2 && f[0] == "p") p.popularity.emplace_back(f[1]);
    if (n == 4 && f[0] == "r")
      p.items[std::string(f[1])].related.push_back({std::string(f[2]), static_cast<double>(number(f[3])) / 1e6, 0});
  }
  h->engine.set_population(std::move(p));
}

// The summary of what the bounded history dropped, restored from storage in steps: begin, then
// each purchase day and each item (kind 0) or category (kind 1) purchase day, then end.
EMSCRIPTEN_KEEPALIVE void ashna_summary_begin(Handle* h, double events, double until) {
  h->summary = {};
  h->summary.events = to_int(events);
  h->summary.until = to_int(until);
}
EMSCRIPTEN_KEEPALIVE void ashna_summary_day(Handle* h, double day, int orders, double spend) {
  if (std::isfinite(spend) && spend >= 0) h->summary.purchases.push_back({to_int(day), orders, spend});
}
EMSCRIPTEN_KEEPALIVE void ashna_summary_key(Handle* h, int kind, const char* key, double day) {
  (kind ? h->summary.category_days : h->summary.item_days)[str(key)].push_back(to_int(day));
}
EMSCRIPTEN_KEEPALIVE void ashna_summary_end(Handle* h) { h->engine.restore_summary(std::move(h->summary)); }

// templates: the site's wording for this locale, lines "phrase=template" (greeting.h).
EMSCRIPTEN_KEEPALIVE const char* ashna_greeting(Handle* h, double now, int local_hour, const char* locale,
                                                const char* templates) {
  ashna::GreetingContext ctx;
  ctx.now = to_int(now);
  ctx.local_hour = local_hour;
  ctx.locale = str(locale);
  ctx.templates = templates ? templates : "";
  return reply(h, to_json(h->engine.greeting(ctx)));
}

// The state to keep in browser storage, or null when consent does not allow storing.
EMSCRIPTEN_KEEPALIVE const char* ashna_state(Handle* h) {
  return reply(h, h->engine.consent().allows_storage() ? state_json(h->engine) : "null");
}

// Tombstone: forget (and refuse) everything older than `epoch` (Unix ms). seq: as stored, or 0
// for a new erasure on this replica.
EMSCRIPTEN_KEEPALIVE const char* ashna_erase(Handle* h, double epoch, double seq) {
  h->engine.erase(to_int(epoch), to_seq(seq));
  return reply(h, to_json(ashna::Status::ok()));
}

// At most `max_entries` (0 = all) of the oldest unacknowledged writes.
EMSCRIPTEN_KEEPALIVE const char* ashna_delta(Handle* h, int max_entries) {
  return reply(h, to_json(h->engine.pending(max_entries > 0 ? static_cast<std::size_t>(max_entries)
                                                              : static_cast<std::size_t>(-1))));
}

// The same delta in sync protocol version 2 (MessagePack, wire.h): bytes, not a C string. The
// pointer is owned by the handle like every answer; ashna_out_size gives its length.
EMSCRIPTEN_KEEPALIVE const char* ashna_delta_wire(Handle* h, int max_entries) {
  return reply(h, ashna::encode_delta(h->engine.pending(max_entries > 0 ? static_cast<std::size_t>(max_entries)
                                                                        : static_cast<std::size_t>(-1))));
}

// Bytes in the handle's last answer (engine.js decodes every answer by its length).
EMSCRIPTEN_KEEPALIVE int ashna_out_size(Handle* h) { return static_cast<int>(h->out.size()); }

EMSCRIPTEN_KEEPALIVE const char* ashna_ack(Handle* h, double upto) {
  h->engine.ack(to_seq(upto));
  return reply(h, to_json(ashna::Status::ok()));
}

EMSCRIPTEN_KEEPALIVE const char* ashna_profile(Handle* h) { return reply(h, to_json(h->engine.profile())); }

// tags: newline-separated. replenish_days 0 = unknown.
EMSCRIPTEN_KEEPALIVE const char* ashna_catalog_item(Handle* h, const char* id, const char* title, const char* category,
                                                    double price, const char* tags, int replenish_days, int sensitive) {
  ashna::CatalogItem c{str(id), str(title), str(category), std::isfinite(price) ? price : -1, {}, replenish_days,
                       sensitive != 0};
  c.tags = split_lines(tags);
  return reply(h, to_json(h->engine.add_catalog_item(std::move(c))));
}

EMSCRIPTEN_KEEPALIVE const char* ashna_views(Handle* h, double now) {
  return reply(h, to_json(h->engine.views(to_int(now))));
}


// exclude: newline-separated item ids (e.g. the product on the page); locale: as the greeting's;
// impressions: see rec_options.
// strategy: "" for all, or one strategy (an experiment's variation; RecommendOptions::strategy).
EMSCRIPTEN_KEEPALIVE const char* ashna_recommend(Handle* h, double now, int k, const char* exclude,
                                                 const char* locale, const char* impressions, const char* strategy) {
  if (k < 0 || k > 50) return reply(h, to_json(ashna::Status::error("invalid_argument", "k must be 0 to 50")));
  ashna::RecommendOptions o = rec_options(now, k, exclude, locale, impressions);
  o.strategy = str(strategy);
  return reply(h, to_json(h->engine.recommend(std::move(o))));
}

EMSCRIPTEN_KEEPALIVE const char* ashna_offer(Handle* h, double now, const char* locale) {
  return reply(h, to_json(h->engine.offer(rec_options(now, 3, nullptr, locale, nullptr))));
}

}  // extern "C"
