// eval-recs: the metrics worked out by hand on a tiny log, the CSV reader's layouts and errors, and
// the command's options and exit codes.
#include "eval_recs.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace ashna::server;

namespace {

const double kPos1 = 1 / std::log2(3.0);  // DCG gain at the second position
const double kPos2 = 0.5;                 // ... at the third: 1 / log2(4)

// Before the split (2010-09-01): A buys {x, y} then {x}; B {x, z}; C {z, w}.
// After it: A's first basket {x, z, v} (v never sold before), then {y}; B {w}; D {x}, with no history.
// Training popularity (baskets): x 3, z 2, w 1, y 1 -> x, z, w, y (ties by id).
const char* const kLog =
    "customer_id,timestamp,item_id,quantity,unit_price\n"
    "A,2010-08-01 10:00:00,x,1,2.5\n"
    "A,2010-08-01 10:00:00,y,2,1.0\n"
    "A,1281434400000,x,1,2.5\n"  // 2010-08-10 10:00 as Unix ms
    "B,2010-08-02 09:00:00,x,1,2.5\n"
    "B,2010-08-02 09:00:00,z,1,3.0\n"
    "C,2010-08-03 09:00:00,z,1,3.0\n"
    "C,2010-08-03 09:00:00,w,1,4.0\n"
    "A,2010-09-05 11:00:00,x,1,2.5\n"
    "A,2010-09-05 11:00:00,z,1,3.0\n"
    "A,2010-09-05 11:00:00,v,1,9.0\n"
    "A,2010-09-10 11:00:00,y,1,1.0\n"
    "B,2010-09-06 12:00:00,w,1,4.0\n"
    "D,2010-09-07 12:00:00,x,1,2.5\n";

std::vector<Purchase> read(const std::string& csv, LogFormat format = LogFormat::ashna) {
  std::istringstream in(csv);
  auto log = read_purchase_log(in, format);
  INFO(log.status().message());
  REQUIRE(log.is_ok());
  return log->rows;
}

std::string read_error(const std::string& csv, LogFormat format = LogFormat::ashna) {
  std::istringstream in(csv);
  auto log = read_purchase_log(in, format);
  REQUIRE_FALSE(log.is_ok());
  CHECK(log.status().code() == "invalid_csv");
  return log.status().message();
}

}  // namespace

TEST_CASE("list metrics by hand", "[eval][metrics]") {
  const std::vector<std::string_view> ranked = {"a", "b", "c", "d"};
  const std::set<std::string_view> truth = {"b", "d", "x"};
  SECTION("cut at 2: one of three found, at the second place") {
    ListMetrics m = list_metrics(ranked, truth, 2);
    CHECK(m.recall == Approx(1.0 / 3));
    CHECK(m.ndcg == Approx(kPos1 / (1 + kPos1)));  // the ideal has two hits at the top
    CHECK(m.hit == 1);
  }
  SECTION("cut at 4: two of three found, at places two and four") {
    ListMetrics m = list_metrics(ranked, truth, 4);
    CHECK(m.recall == Approx(2.0 / 3));
    CHECK(m.ndcg == Approx((kPos1 + 1 / std::log2(5.0)) / (1 + kPos1 + kPos2)));
  }
  SECTION("a miss and an empty truth give zeros") {
    ListMetrics miss = list_metrics(ranked, {"z"}, 4);
    CHECK(miss.recall == 0);
    CHECK(miss.ndcg == 0);
    CHECK(miss.hit == 0);
    CHECK(list_metrics(ranked, {}, 4).recall == 0);
    CHECK(list_metrics({}, truth, 4).recall == 0);
  }
}

TEST_CASE("eval-recs on a tiny log, checked by hand", "[eval]") {
  auto rows = read(kLog);
  REQUIRE(rows.size() == 13);
  auto report = evaluate_recs(rows, parse_timestamp("2010-09-01"));
  REQUIRE(report.is_ok());
  const EvalReport& r = report.value();
  CHECK(r.baskets == 8);
  CHECK(r.train_baskets == 4);
  CHECK(r.catalog == 4);
  CHECK(r.eval_customers == 2);  // C has nothing after the split, D nothing before it
  CHECK(r.target_items == 4);    // A: x, z, v; B: w
  CHECK(r.target_repeat == 1);   // A's x
  CHECK(r.target_unseen == 1);   // v

  SECTION("popularity: x, z, w, y for everyone") {
    const MetricRow* all = r.find("popularity", "all", "full");
    REQUIRE(all);
    CHECK(all->customers == 2);
    // A finds x and z at places 1-2 of its three items; B finds w at place 3.
    CHECK(all->recall10 == Approx((2.0 / 3 + 1) / 2));
    CHECK(all->ndcg10 == Approx(((1 + kPos1) / (1 + kPos1 + kPos2) + kPos2) / 2));
    CHECK(all->hit10 == 1);
    const MetricRow* repeat = r.find("popularity", "repeat", "full");
    CHECK(repeat->customers == 1);  // B's basket holds nothing B bought before
    CHECK(repeat->ndcg10 == Approx(1));
    const MetricRow* fresh = r.find("popularity", "new", "full");
    CHECK(fresh->customers == 2);
    CHECK(fresh->recall10 == Approx((0.5 + 1) / 2));                    // A: z of {z, v}; B: w
    CHECK(fresh->ndcg10 == Approx((kPos1 / (1 + kPos1) + kPos2) / 2));  // z second; w third
    // Without each customer's own items: A sees z, w; B sees w, y, so both new hits move to the top.
    CHECK(r.find("popularity", "new", "own")->ndcg10 == Approx((1 / (1 + kPos1) + 1) / 2));
  }
  SECTION("personal top-frequency: own items by baskets, then popularity") {
    // A: x (2 baskets), y, then z, w. B: x and z (one basket each; popularity breaks the tie), w, y.
    const MetricRow* all = r.find("top_frequency", "all", "full");
    CHECK(all->ndcg10 == Approx(((1 + kPos2) / (1 + kPos1 + kPos2) + kPos2) / 2));
    CHECK(r.find("top_frequency", "repeat", "full")->recall10 == Approx(1));
    CHECK(r.find("top_frequency", "new", "full")->ndcg10 == Approx((kPos2 / (1 + kPos1) + kPos2) / 2));
  }
  SECTION("ashna is ranked on the same customers") {
    CHECK(r.find("ashna", "all", "full")->customers == 2);
    CHECK(r.find("ashna", "repeat", "full")->recall10 == Approx(1));  // A's x is in a list of four
  }
  SECTION("goals pair each customer's recall with the baseline's") {
    REQUIRE(r.goals.size() == 4);
    const Goal& g = r.goals[1];  // new items, one list, against popularity
    CHECK(g.items == "new");
    CHECK(g.list == "full");
    CHECK(g.baseline == "popularity");
    CHECK(g.other == Approx((0.5 + 1) / 2));
    CHECK(g.diff == Approx(g.ashna - g.other));
  }
  SECTION("print: the table and the JSON summary") {
    std::ostringstream out;
    print_report(r, 0.5, out);
    CHECK(out.str().find("| repeat | full | ashna | 1 | 1.0000 |") != std::string::npos);
    CHECK(out.str().find("\"split\": \"2010-09-01\"") != std::string::npos);
    CHECK(out.str().find("wall time: 0.50 s") != std::string::npos);
  }
}

TEST_CASE("eval-recs: split errors and the default split", "[eval]") {
  auto rows = read(kLog);
  auto late = evaluate_recs(rows, parse_timestamp("2011-01-01"));
  REQUIRE_FALSE(late.is_ok());
  CHECK(late.status().message() == "the split 2011-01-01 leaves no baskets before or after it");
  auto dflt = evaluate_recs(rows, std::nullopt);
  REQUIRE(dflt.is_ok());
  CHECK(dflt->split == *parse_timestamp("2010-09-07"));  // basket 7 of 8 (80%), at midnight
  CHECK(evaluate_recs({}, std::nullopt).status().message() == "the log has no purchases");
}

TEST_CASE("purchase logs: layouts, baskets and errors", "[eval][csv]") {
  SECTION("columns are found by name; basket_id and category are optional") {
    auto rows = read(
        "item_id,basket_id,customer_id,unit_price,quantity,timestamp,category\n"
        "\"mug, large\",o1,c1,3.5,2,2010-01-02T03:04:05,kitchen\r\n");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].item == "mug, large");
    CHECK(rows[0].basket == "o1");
    CHECK(rows[0].category == "kitchen");
    CHECK(rows[0].quantity == 2);
    CHECK(rows[0].ts == *parse_timestamp("2010-01-02 03:04:05"));
  }
  SECTION("UCI Online Retail II: cleaned while reading, basket = Invoice") {
    PurchaseLog log;
    std::istringstream in(
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
        "489434,85048,\"15CM \"\"GLASS\"\" BALL, 20 LIGHTS\",12,2009-12-01 07:45:00,6.95,13085.0,United "
        "Kingdom\n"
        "C489449,22087,PAPER BUNTING,-12,2009-12-01 10:33:00,2.95,16321,Australia\n"
        "489435,22350,CAT BOWL,12,2009-12-01 07:46:00,2.55,,United Kingdom\n"
        "489436,22351,FREE GIFT,1,2009-12-01 07:46:00,0,13085,United Kingdom\n");
    auto r = read_purchase_log(in, LogFormat::uci_retail);
    REQUIRE(r.is_ok());
    REQUIRE(r->rows.size() == 1);
    CHECK(r->skipped == 3);  // a cancellation, no customer, price 0
    CHECK(r->rows[0].customer == "13085");
    CHECK(r->rows[0].basket == "489434");
    CHECK(r->rows[0].item == "85048");
  }
  SECTION("each bad line is named") {
    const std::string head = "customer_id,timestamp,item_id,quantity,unit_price\n";
    CHECK(read_error("") == "line 1: empty input: no header");
    CHECK(read_error("a,b\n") ==
          "line 1: header must name customer_id, timestamp, item_id, quantity and unit_price");
    CHECK(read_error("a,b\n", LogFormat::uci_retail) == "line 1: not the UCI Online Retail II header");
    CHECK(read_error(head + "c,2010-01-01,x,0,1\n") == "line 2: quantity must be a whole number above 0");
    CHECK(read_error(head + "c,2010-01-01,x,1.5,1\n") == "line 2: quantity must be a whole number above 0");
    CHECK(read_error(head + "c,2010-01-01,x,1,-1\n") == "line 2: unit_price must be a number of at least 0");
    CHECK(read_error(head + "c,2010-01-01,x,1,nan\n") == "line 2: unit_price must be a number of at least 0");
    CHECK(read_error(head + ",2010-01-01,x,1,1\n") == "line 2: customer_id is empty");
    CHECK(read_error(head + "c,2010-01-01,,1,1\n") == "line 2: item_id is empty");
    CHECK(read_error(head + "c,2010-02-30,x,1,1\n") ==
          "line 2: timestamp must be YYYY-MM-DD HH:MM:SS or Unix ms, got '2010-02-30'");
    CHECK(read_error(head + "c,2010-01-01,\"x,1,1\n") == "line 2: unterminated quote");
    CHECK(read_error(head + "c,2010-01-01,x,1,1\nc,2010-01-01,x\n") ==
          "line 3: quantity must be a whole number above 0");
    CHECK(read_error(head + std::string(kMaxCsvLine + 1, 'a') + "\n") == "line 2: longer than 64 KiB");
  }
  SECTION("timestamps") {
    CHECK(parse_timestamp("1970-01-01") == 0);
    CHECK(parse_timestamp("2010-09-01") == 1283299200000);
    CHECK(parse_timestamp("2010-09-01 00:01") == 1283299260000);
    CHECK(parse_timestamp("1283299200000") == 1283299200000);
    for (const char* bad : {"", "2010-9-1", "2010/09/01", "2010-13-01", "2010-09-01 24:00:00",
                            "2010-09-01 10:00:0x", "-5", "20100901 10:00"})
      CHECK_FALSE(parse_timestamp(bad).has_value());
  }
}

TEST_CASE("eval-recs command: options and exit codes", "[eval][options]") {
  auto o =
      parse_eval_recs_options({"--input", "log.csv", "--format", "uci-retail", "--split-date", "2010-09-01"});
  REQUIRE(o.is_ok());
  CHECK(o->input == "log.csv");
  CHECK(o->format == LogFormat::uci_retail);
  CHECK(o->split == parse_timestamp("2010-09-01"));
  CHECK(parse_eval_recs_options({}).status().message() == "--input is required");
  CHECK(parse_eval_recs_options({"--input"}).status().message() == "--input needs a value");
  CHECK(parse_eval_recs_options({"--input", "x", "--format", "xml"}).status().message() ==
        "--format must be ashna or uci-retail, got 'xml'");
  CHECK(parse_eval_recs_options({"--input", "x", "--split-date", "2010-09-01 10:00:00"}).status().message() ==
        "--split-date expects YYYY-MM-DD, got '2010-09-01 10:00:00'");
  CHECK(parse_eval_recs_options({"--frobnicate"}).status().message() == "unknown option '--frobnicate'");

  const auto path = std::filesystem::temp_directory_path() / "ashna_eval_recs_test.csv";
  std::ofstream(path) << kLog;
  std::ostringstream out, err;
  CHECK(run_eval_recs({"--input", path.string(), "--split-date", "2010-09-01"}, out, err) == 0);
  CHECK(out.str().find("```json") != std::string::npos);
  CHECK(err.str().empty());
  CHECK(run_eval_recs({"--input", path.string() + ".missing"}, out, err) == 1);
  CHECK(run_eval_recs({"--input"}, out, err) == 2);
  std::ostringstream help;
  CHECK(run_eval_recs({"--help"}, help, err) == 0);
  CHECK(help.str().rfind("usage: ashna-server eval-recs", 0) == 0);
  std::filesystem::remove(path);
}
