// eval-recs: next-basket evaluation of rank_items() against personal top-frequency and popularity.
// Reads top to bottom: options, metrics, the evaluation, the report, the command.
#include "eval_recs.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "ashna/catalog.h"
#include "ashna/population.h"
#include "ashna/recommend.h"
#include "ashna/views.h"

namespace ashna::server {

const char* const kEvalRecsUsage =
    "usage: ashna-server eval-recs --input FILE.csv [--format ashna|uci-retail] [--split-date YYYY-MM-DD]\n"
    "  --input FILE        purchase log as CSV ('-' reads stdin); layout in docs/recommendations-eval.md\n"
    "  --format NAME       ashna (default): customer_id,timestamp,item_id,quantity,unit_price[,category]\n"
    "                      [,basket_id]; uci-retail: UCI Online Retail II as published, uncompressed\n"
    "  --split-date DATE   history before DATE (UTC), target: each customer's first basket from DATE on\n"
    "                      (default: the day 80% of the baskets are older than)\n";

namespace {

Status bad(const std::string& msg) { return Status::error("invalid_argument", msg); }

std::string date_of(std::int64_t ms) {
  using namespace std::chrono;
  year_month_day d{floor<days>(sys_time<milliseconds>(milliseconds(ms)))};
  std::ostringstream s;
  s << static_cast<int>(d.year()) << '-' << std::setfill('0') << std::setw(2)
    << static_cast<unsigned>(d.month()) << '-' << std::setw(2) << static_cast<unsigned>(d.day());
  return s.str();
}

}  // namespace

Result<EvalRecsOptions> parse_eval_recs_options(const std::vector<std::string>& args) {
  EvalRecsOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      o.help = true;
      continue;
    }
    if (a != "--input" && a != "--format" && a != "--split-date") return bad("unknown option '" + a + "'");
    if (i + 1 >= args.size()) return bad(a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--input") {
      o.input = v;
    } else if (a == "--format") {
      if (v != "ashna" && v != "uci-retail")
        return bad("--format must be ashna or uci-retail, got '" + v + "'");
      o.format = v == "ashna" ? LogFormat::ashna : LogFormat::uci_retail;
    } else {
      auto ts = v.size() == 10 ? parse_timestamp(v) : std::nullopt;
      if (!ts) return bad("--split-date expects YYYY-MM-DD, got '" + v + "'");
      o.split = ts;
    }
  }
  if (!o.help && o.input.empty()) return bad("--input is required");
  return o;
}

//----------------------------------------------------------------------------------------------------

ListMetrics list_metrics(const std::vector<std::string_view>& ranked, const std::set<std::string_view>& truth,
                         std::size_t k) {
  ListMetrics m;
  if (truth.empty()) return m;
  std::size_t hits = 0;
  double dcg = 0, ideal = 0;
  for (std::size_t i = 0; i < std::min(k, ranked.size()); ++i)
    if (truth.count(ranked[i])) ++hits, dcg += 1 / std::log2(static_cast<double>(i) + 2);
  for (std::size_t i = 0; i < std::min(k, truth.size()); ++i)
    ideal += 1 / std::log2(static_cast<double>(i) + 2);
  m.recall = static_cast<double>(hits) / static_cast<double>(truth.size());
  m.ndcg = dcg / ideal;
  m.hit = hits > 0 ? 1 : 0;
  return m;
}

const MetricRow* EvalReport::find(std::string_view ranker, std::string_view items,
                                  std::string_view list) const {
  for (const MetricRow& r : metrics)
    if (r.ranker == ranker && r.items == items && r.list == list) return &r;
  return nullptr;
}

//----------------------------------------------------------------------------------------------------

namespace {

struct BasketLines {
  std::string key;  // unique per customer and order
  std::string customer;
  std::int64_t ts = 0;
  std::vector<const Purchase*> lines;
};

constexpr std::array<const char*, 3> kRankers = {"ashna", "top_frequency", "popularity"};
// (items, list) of each reported row; "own" lists exist for repeat and new only.
constexpr std::array<std::pair<const char*, const char*>, 5> kParts = {
    {{"all", "full"}, {"repeat", "full"}, {"new", "full"}, {"repeat", "own"}, {"new", "own"}}};
// The goals: (part index, baseline index). Repeat items against top-frequency, new against
// popularity.
constexpr std::array<std::pair<std::size_t, std::size_t>, 4> kGoals = {{{1, 1}, {2, 2}, {3, 1}, {4, 2}}};

// The first 20 of `ranked` that `keep` accepts: all the metrics look at.
template <class Keep>
std::vector<std::string_view> top20(const std::vector<std::string_view>& ranked, Keep keep) {
  std::vector<std::string_view> out;
  for (std::string_view id : ranked) {
    if (out.size() == 20) break;
    if (keep(id)) out.push_back(id);
  }
  return out;
}

}  // namespace

Result<EvalReport> evaluate_recs(const std::vector<Purchase>& log, std::optional<std::int64_t> split) {
  EvalReport rep;
  rep.rows = log.size();

  // Baskets: lines with the same customer and basket id (or, without ids, the same timestamp).
  std::map<std::string, BasketLines> by_key;
  std::set<std::string_view> customers, items;
  for (const Purchase& p : log) {
    std::string key = p.customer + '\x1f' + (p.basket.empty() ? std::to_string(p.ts) : p.basket);
    BasketLines& b = by_key[key];
    if (b.lines.empty()) b.key = key, b.customer = p.customer, b.ts = p.ts;
    b.ts = std::min(b.ts, p.ts);
    b.lines.push_back(&p);
    customers.insert(p.customer);
    items.insert(p.item);
  }
  std::vector<const BasketLines*> baskets;
  for (const auto& [k, b] : by_key) baskets.push_back(&b);
  std::sort(baskets.begin(), baskets.end(),
            [](auto* a, auto* b) { return a->ts != b->ts ? a->ts < b->ts : a->key < b->key; });
  rep.customers = customers.size(), rep.items = items.size(), rep.baskets = baskets.size();
  if (baskets.empty()) return bad("the log has no purchases");
  if (!split) split = baskets[baskets.size() * 8 / 10]->ts / kDayMs * kDayMs;
  rep.split = *split;

  // Per customer: the baskets before the split, and the first one on or after it.
  std::map<std::string_view, std::vector<const BasketLines*>> history;
  std::map<std::string_view, const BasketLines*> target;
  for (const BasketLines* b : baskets)
    if (b->ts < rep.split)
      history[b->customer].push_back(b);
    else
      target.try_emplace(b->customer, b);
  if (history.empty() || target.empty())
    return bad("the split " + date_of(rep.split) + " leaves no baskets before or after it");

  // The catalogue and the population model come from the training baskets only.
  Catalog catalog;
  std::vector<Basket> train;
  for (const auto& [customer, hist] : history)
    for (const BasketLines* b : hist) {
      Basket t{std::string(customer), {}};
      for (const Purchase* p : b->lines) {
        t.items.push_back(p->item);
        CatalogItem item;
        item.id = p->item, item.category = p->category, item.price = p->unit_price;
        if (Status s = catalog.add(std::move(item)); !s) return bad(s.message());
      }
      train.push_back(std::move(t));
    }
  rep.train_baskets = train.size(), rep.catalog = catalog.items().size();
  auto built = build_population(train);
  if (!built) return built.status();
  const PopulationModel& model = built.value();
  std::unordered_map<std::string_view, std::size_t> pop_rank;
  for (std::size_t i = 0; i < model.popularity.size(); ++i) pop_rank[model.popularity[i]] = i;
  std::vector<std::string_view> by_popularity(model.popularity.begin(), model.popularity.end());

  struct Sum {
    std::vector<double> r10;  // per customer, in the same order for every ranker: goals pair them up
    double r20 = 0, n10 = 0, n20 = 0, h10 = 0;
  };
  std::array<std::array<Sum, kParts.size()>, kRankers.size()> sums{};

  ViewOptions vo;
  vo.now = rep.split;
  RecommendOptions ro;
  ro.now = rep.split;
  ro.population = &model;
  for (const auto& [customer, first] : target) {
    auto h = history.find(customer);
    if (h == history.end()) continue;
    ++rep.eval_customers;

    Profile profile{std::string(customer)};
    std::map<std::string_view, int> own;  // item -> baskets holding it
    for (const BasketLines* b : h->second) {
      Event e;
      e.id = b->key, e.type = EventType::purchase, e.ts = b->ts;
      std::set<std::string_view> seen;
      for (const Purchase* p : b->lines) {
        e.lines.push_back({{p->item, "", p->category, p->unit_price}, p->quantity});
        if (seen.insert(p->item).second) ++own[p->item];
      }
      profile.add_event(std::move(e));
    }
    std::set<std::string_view> truth_all, truth_repeat, truth_new;
    for (const Purchase* p : first->lines) truth_all.insert(p->item);
    for (std::string_view id : truth_all) {
      (own.count(id) ? truth_repeat : truth_new).insert(id);
      rep.target_unseen += catalog.find(id) ? 0 : 1;
    }
    rep.target_items += truth_all.size(), rep.target_repeat += truth_repeat.size();

    const std::vector<RankedItem> ranked =
        rank_items(profile, compute_views(profile, catalog, vo), catalog, ro);
    std::vector<std::string_view> ashna;
    for (const RankedItem& r : ranked) ashna.push_back(r.item);
    // Personal top-frequency: own items by baskets holding them (popularity breaks ties), then the rest.
    std::vector<std::string_view> top_frequency;
    for (const auto& [id, n] : own) top_frequency.push_back(id);
    std::sort(top_frequency.begin(), top_frequency.end(), [&](std::string_view a, std::string_view b) {
      return own.at(a) != own.at(b) ? own.at(a) > own.at(b) : pop_rank.at(a) < pop_rank.at(b);
    });
    for (std::string_view id : by_popularity)
      if (!own.count(id)) top_frequency.push_back(id);

    const std::array<const std::vector<std::string_view>*, 3> lists = {&ashna, &top_frequency,
                                                                       &by_popularity};
    for (std::size_t r = 0; r < lists.size(); ++r) {
      const auto& full = *lists[r];
      const std::array<std::vector<std::string_view>, 3> cut = {
          // the full list, its repeat items, its new ones
          top20(full, [](std::string_view) { return true; }),
          top20(full, [&](std::string_view id) { return own.count(id) > 0; }),
          top20(full, [&](std::string_view id) { return own.count(id) == 0; })};
      for (std::size_t p = 0; p < kParts.size(); ++p) {
        const std::string_view part = kParts[p].first;
        const auto& truth = part == "all" ? truth_all : part == "repeat" ? truth_repeat : truth_new;
        if (truth.empty()) continue;
        const auto& list =
            std::string_view(kParts[p].second) == "full" ? cut[0] : cut[part == "repeat" ? 1 : 2];
        ListMetrics m10 = list_metrics(list, truth, 10), m20 = list_metrics(list, truth, 20);
        Sum& s = sums[r][p];
        s.r10.push_back(m10.recall);
        s.r20 += m20.recall, s.n10 += m10.ndcg, s.n20 += m20.ndcg, s.h10 += m10.hit;
      }
    }
  }
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? 0 : sum / static_cast<double>(v.size());
  };
  for (std::size_t p = 0; p < kParts.size(); ++p)
    for (std::size_t r = 0; r < kRankers.size(); ++r) {
      const Sum& s = sums[r][p];
      const double n = s.r10.empty() ? 1 : static_cast<double>(s.r10.size());
      rep.metrics.push_back({kRankers[r], kParts[p].first, kParts[p].second, static_cast<int>(s.r10.size()),
                             mean(s.r10), s.r20 / n, s.n10 / n, s.n20 / n, s.h10 / n});
    }
  for (auto [p, b] : kGoals) {
    const std::vector<double>& a = sums[0][p].r10;  // the same customers, in the same order
    const std::vector<double>& o = sums[b][p].r10;
    Goal g;
    g.items = kParts[p].first, g.list = kParts[p].second, g.baseline = kRankers[b];
    g.ashna = mean(a), g.other = mean(o), g.diff = g.ashna - g.other;
    double sq = 0;
    for (std::size_t i = 0; i < a.size(); ++i) sq += (a[i] - o[i] - g.diff) * (a[i] - o[i] - g.diff);
    const double n = static_cast<double>(a.size());
    g.se = a.size() > 1 ? std::sqrt(sq / (n - 1) / n) : 0;
    rep.goals.push_back(std::move(g));
  }
  return rep;
}

//----------------------------------------------------------------------------------------------------

void print_report(const EvalReport& rep, double seconds, std::ostream& out) {
  auto pct = [](std::size_t a, std::size_t b) {
    return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0;
  };
  out << std::fixed << std::setprecision(4);
  out << "## Next-basket evaluation, split " << date_of(rep.split) << "\n\n"
      << "- log: " << rep.rows << " lines, " << rep.customers << " customers, " << rep.baskets << " baskets, "
      << rep.items << " items\n"
      << "- training: " << rep.train_baskets << " baskets before the split; catalogue " << rep.catalog
      << " items\n"
      << "- evaluated: " << rep.eval_customers << " customers with history and a basket after the split; "
      << rep.target_items << " target items, " << std::setprecision(1)
      << pct(rep.target_repeat, rep.target_items) << "% repeat, " << pct(rep.target_unseen, rep.target_items)
      << "% never sold before the split\n\n"
      << std::setprecision(4);
  out << "| items | list | ranker | customers | Recall@10 | Recall@20 | NDCG@10 | NDCG@20 | HR@10 |\n"
      << "|---|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const MetricRow& m : rep.metrics)
    out << "| " << m.items << " | " << m.list << " | " << m.ranker << " | " << m.customers << " | "
        << m.recall10 << " | " << m.recall20 << " | " << m.ndcg10 << " | " << m.ndcg20 << " | " << m.hit10
        << " |\n";

  out << "\nGoals, Recall@10 (difference +- its paired standard error):\n";
  for (const Goal& g : rep.goals)
    out << "- " << g.items << " items, " << (g.list == "full" ? "one list" : "list of those items only")
        << ": ashna " << g.ashna << " vs " << g.baseline << " " << g.other << " (" << std::showpos << g.diff
        << std::noshowpos << " +- " << g.se << ") -> "
        << (g.diff > 2 * g.se ? "beaten"
            : g.diff > 0      ? "ahead, within noise"
                              : "not beaten")
        << "\n";
  out << std::setprecision(2) << "\nwall time: " << seconds << " s\n\n";

  nlohmann::ordered_json j;  // keeps the order written here
  j["split"] = date_of(rep.split);
  j["log"] = {
      {"lines", rep.rows}, {"customers", rep.customers}, {"baskets", rep.baskets}, {"items", rep.items}};
  j["training"] = {{"baskets", rep.train_baskets}, {"catalog", rep.catalog}};
  j["evaluated"] = {{"customers", rep.eval_customers},
                    {"target_items", rep.target_items},
                    {"target_repeat", rep.target_repeat},
                    {"target_unseen", rep.target_unseen}};
  for (const MetricRow& m : rep.metrics)
    j["metrics"][m.ranker][m.items][m.list] = {{"customers", m.customers}, {"recall@10", m.recall10},
                                               {"recall@20", m.recall20},  {"ndcg@10", m.ndcg10},
                                               {"ndcg@20", m.ndcg20},      {"hit@10", m.hit10}};
  for (const Goal& g : rep.goals)
    j["goals"].push_back({{"items", g.items},
                          {"list", g.list},
                          {"baseline", g.baseline},
                          {"ashna", g.ashna},
                          {"other", g.other},
                          {"diff", g.diff},
                          {"se", g.se}});
  j["seconds"] = seconds;
  out << "```json\n" << j.dump(2) << "\n```\n";
}

int run_eval_recs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto o = parse_eval_recs_options(args);
  if (!o) {
    err << "ashna-server eval-recs: " << o.status().message() << "\n" << kEvalRecsUsage;
    return 2;
  }
  if (o->help) {
    out << kEvalRecsUsage;
    return 0;
  }
  const auto start = std::chrono::steady_clock::now();
  std::ifstream file;
  if (o->input != "-") {
    file.open(o->input, std::ios::binary);
    if (!file) {
      err << "ashna-server eval-recs: cannot open '" << o->input << "'\n";
      return 1;
    }
  }
  auto log = read_purchase_log(o->input == "-" ? std::cin : file, o->format);
  if (!log) {
    err << "ashna-server eval-recs: " << o->input << ": " << log.status().message() << "\n";
    return 1;
  }
  auto report = evaluate_recs(log->rows, o->split);
  if (!report) {
    err << "ashna-server eval-recs: " << report.status().message() << "\n";
    return 1;
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (log->skipped) out << "(" << log->skipped << " lines dropped by the UCI cleaning)\n\n";
  print_report(report.value(), took.count(), out);
  return 0;
}

}  // namespace ashna::server
