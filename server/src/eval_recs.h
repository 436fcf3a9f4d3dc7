// `ashna-server eval-recs`: offline evaluation of the recommender on a purchase log, following Li et
// al., "A Next Basket Recommendation Reality Check": split by time, predict each customer's first
// basket after the split from their history before it, rank the full catalogue, and report
// Recall/NDCG@10,20 and hit rate@10 for all, repeat and new items. Rankers: Ashna (rank_items with a
// population model built from the training baskets only), personal top-frequency, global popularity.
// The protocol and the figures on UCI Online Retail II are in docs/recommendations-eval.md.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ashna/status.h"
#include "purchase_log.h"

namespace ashna::server {

struct EvalRecsOptions {
  std::string input;  // CSV path; "-" reads stdin
  LogFormat format = LogFormat::ashna;
  std::optional<std::int64_t> split;  // Unix ms; default: the day 80% of the baskets are older than
  bool help = false;
};

// invalid_argument naming the flag on error.
Result<EvalRecsOptions> parse_eval_recs_options(const std::vector<std::string>& args);
extern const char* const kEvalRecsUsage;

// How one ranked list does against one target set, cut at k.
struct ListMetrics {
  double recall = 0;  // |top k ∩ truth| / |truth|
  double ndcg = 0;    // DCG of the hits in the top k / DCG of min(|truth|, k) hits at the top
  double hit = 0;     // 1 when the top k holds any of truth
};
ListMetrics list_metrics(const std::vector<std::string_view>& ranked, const std::set<std::string_view>& truth,
                         std::size_t k);

// Averages over the customers whose target basket has items of that kind.
struct MetricRow {
  std::string ranker;  // ashna, top_frequency, popularity
  std::string items;   // all, repeat (bought before the split), new
  std::string list;    // full: the ranker's one list (Li et al.); own: its list with only that kind of item
  int customers = 0;
  double recall10 = 0, recall20 = 0, ndcg10 = 0, ndcg20 = 0, hit10 = 0;
};

// One of the goals: Ashna's Recall@10 against a baseline's on the same customers, with the
// standard error of the mean paired difference (a difference under 2 s.e. may be noise).
struct Goal {
  std::string items, list, baseline;
  double ashna = 0, other = 0, diff = 0, se = 0;
};

struct EvalReport {
  std::int64_t split = 0;  // Unix ms
  std::size_t rows = 0, customers = 0, baskets = 0, items = 0;
  std::size_t train_baskets = 0, catalog = 0;  // catalog: items bought before the split
  std::size_t eval_customers = 0;              // history before the split and a basket after it
  std::size_t target_items = 0, target_repeat = 0,
              target_unseen = 0;  // unseen: never bought before the split
  std::vector<MetricRow> metrics;
  std::vector<Goal> goals;  // repeat vs top_frequency and new vs popularity, in both kinds of list
  const MetricRow* find(std::string_view ranker, std::string_view items, std::string_view list) const;
};

// The evaluation of this log. invalid_argument when the split leaves no training or no test baskets,
// or the training items do not fit a catalog.
Result<EvalReport> evaluate_recs(const std::vector<Purchase>& log, std::optional<std::int64_t> split);

// The Markdown table, then the JSON summary.
void print_report(const EvalReport& report, double seconds, std::ostream& out);

// The whole command: parse args, read, evaluate, print. Returns the process exit code (0 ok, 1 bad
// input, 2 bad usage); errors go to err.
int run_eval_recs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ashna::server
