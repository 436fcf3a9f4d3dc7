// Native benchmark of the core: tracking events and computing a page's decisions (all views, the
// greeting and 10 recommendations) for histories of
// 100 / 1,000 / 10,000 events, against a baseline measured in the same run (writing the same
// profile as JSON: one linear pass over it), and the heap bytes one profile holds (glibc's
// mallinfo2 before and after building many). Prints one JSON object; tests/bench/run makes a table.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

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

// One profile as a page holds it: the engine with the catalog, `n` events, and its decisions
// computed once (the views stay cached).
std::unique_ptr<ashna::Engine> make_profile(std::size_t n, std::size_t items, std::int64_t start, std::int64_t step) {
  ashna::EngineOptions opts;
  opts.max_events = n;
  auto engine = std::make_unique<ashna::Engine>("p1", "r1", opts);
  engine->set_consent(ashna::Consent::accept_all());
  for (std::size_t c = 0; c < items; ++c)
    engine->add_catalog_item({"item-" + std::to_string(c), "Product " + std::to_string(c), "cat-" + std::to_string(c % 4),
                              10.0 + static_cast<double>(c % 7), {}, c % 5 == 0 ? 30 : 0, false});
  for (std::size_t i = 0; i < n; ++i) engine->track(make_event(i, items, start, step));
  ashna::RecommendOptions ro;
  ro.now = start + static_cast<std::int64_t>(n) * step + 3600000;
  ro.k = 10;
  ashna::GreetingContext ctx;
  ctx.now = ro.now;
  engine->greeting(ctx);
  engine->recommend(ro);
  return engine;
}

// Heap bytes in use (allocator overhead included), or 0 where glibc's counters are missing. Large
// blocks (a long history's vectors) are mmapped and counted apart, in hblkhd.
std::size_t heap_in_use() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
#else
  return 0;
#endif
}

// Bytes per profile: the heap's growth over building enough profiles for 20,000 events in all.
double bytes_per_profile(std::size_t n, std::size_t items, std::int64_t start, std::int64_t step) {
  const std::size_t copies = std::max<std::size_t>(2, 20000 / n);
  std::vector<std::unique_ptr<ashna::Engine>> kept;
  kept.reserve(copies);
  const std::size_t before = heap_in_use();
  for (std::size_t i = 0; i < copies; ++i) kept.push_back(make_profile(n, items, start, step));
  return static_cast<double>(heap_in_use() - before) / static_cast<double>(copies);
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

    const double memory = bytes_per_profile(n, items, start, step);

    char row[320];
    std::snprintf(row, sizeof row,
                  "%s{\"events\":%zu,\"track_ns\":%.0f,\"decisions_ns\":%.0f,\"to_json_ns\":%.0f,\"state_bytes\":%zu,"
                  "\"memory_bytes\":%.0f,\"sink\":%zu}",
                  first ? "" : ",", n, track_ns, greeting_ns, baseline_ns, state_bytes, memory, sink % 10);
    out += row;
    first = false;
  }
  out += "]}";
  std::puts(out.c_str());
  return 0;
}
