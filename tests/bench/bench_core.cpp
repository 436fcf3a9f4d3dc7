// Native benchmark of the core: tracking events and computing a page's decisions (all views, the
// greeting and 10 recommendations) for histories of
// 100 / 1,000 / 10,000 events, against a baseline measured in the same run (writing the same
// profile as JSON: one linear pass over it). Prints one JSON object; tests/bench/run makes a table.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "ashna/codec.h"
#include "ashna/engine.h"
#include "ashna/json.h"

namespace {

using Clock = std::chrono::steady_clock;

double ns_since(Clock::time_point t0, std::size_t n) {
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(n);
}

// The history: page views, product views and every 10th event an order, over `items` products
// in 4 categories, every `step` ms. bench_wasm.js builds the same one.
ashna::Event make_event(std::size_t i, std::size_t items, std::int64_t start, std::int64_t step) {
  ashna::Event e;
  e.id = "e" + std::to_string(i);
  e.ts = start + static_cast<std::int64_t>(i) * step;
  std::size_t item = (i * 7919) % items;
  std::string id = "item-" + std::to_string(item), cat = "cat-" + std::to_string(item % 4);
  if (i % 10 == 9) {
    e.type = ashna::EventType::purchase;
    e.lines.push_back({{id, "", cat, 12.5}, 1});
  } else if (i % 3 == 0) {
    e.type = ashna::EventType::page_view;
    e.path = "/products/" + id + ".html";
  } else {
    e.type = ashna::EventType::product_view;
    e.item = {id, "Product " + std::to_string(item), cat, 12.5};
  }
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  std::ifstream in(argc > 1 ? argv[1] : ASHNA_BENCH_WORKLOAD);
  std::stringstream buf;
  buf << in.rdbuf();
  auto w = ashna::parse_json(buf.str());
  if (!w) {
    std::fprintf(stderr, "bench: cannot read workload: %s\n", w.status().message().c_str());
    return 1;
  }
  const auto& cfg = w.value();
  std::size_t items = cfg["items"], greetings = cfg["greetings"];
  std::int64_t start = cfg["start"], step = cfg["step_ms"];
  std::string out = "{\"build\":\"native\",\"runs\":[";
  bool first = true;
  for (std::size_t n : cfg["sizes"]) {
    ashna::EngineOptions opts;
    opts.max_events = n;
    ashna::Engine engine("p1", "r1", opts);
    engine.set_consent(ashna::Consent::accept_all());
    for (std::size_t c = 0; c < items; ++c)
      engine.add_catalog_item({"item-" + std::to_string(c), "Product " + std::to_string(c), "cat-" + std::to_string(c % 4),
                               10.0 + static_cast<double>(c % 7), {}, c % 5 == 0 ? 30 : 0, false});
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < n; ++i) engine.track(make_event(i, items, start, step));
    double track_ns = ns_since(t0, n);

    ashna::GreetingContext ctx;
    ctx.now = start + static_cast<std::int64_t>(n) * step + 3600000;
    std::size_t reps = std::max<std::size_t>(10, greetings * 100 / n);
    std::size_t sink = 0;
    // A page's decisions: all views, the greeting and 10 recommendations.
    ashna::RecommendOptions ro;
    ro.now = ctx.now;
    ro.k = 10;
    t0 = Clock::now();
    for (std::size_t r = 0; r < reps; ++r)
      sink += engine.greeting(ctx).text.size() + engine.views(ctx.now).categories.size() + engine.recommend(ro).size();
    double greeting_ns = ns_since(t0, reps);
    std::size_t state_bytes = ashna::state_json(engine).size();
    t0 = Clock::now();
    for (std::size_t r = 0; r < reps; ++r) sink += ashna::to_json(engine.profile()).size();
    double baseline_ns = ns_since(t0, reps);

    char row[256];
    std::snprintf(row, sizeof row,
                  "%s{\"events\":%zu,\"track_ns\":%.0f,\"decisions_ns\":%.0f,\"to_json_ns\":%.0f,\"state_bytes\":%zu,\"sink\":%zu}",
                  first ? "" : ",", n, track_ns, greeting_ns, baseline_ns, state_bytes, sink % 10);
    out += row;
    first = false;
  }
  out += "]}";
  std::puts(out.c_str());
  return 0;
}
