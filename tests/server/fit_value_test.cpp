// fit-value: a tiny log worked out by hand (summaries, default holdout, holdout counting), the
// reader's errors, the command's exit codes, and the full CDNOW file against docs/customer-value.md.
// The CDNOW file is read from ASHNA_DATA_DIR (../shared/data); when absent that test says so and returns.
#include "fit_value.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace ashna;
using namespace ashna::server;
using json = nlohmann::json;

namespace {

// Calibration ends 2020-01-28: it started with the first purchase on 2020-01-01, so it is 28 days
// long and the default holdout is 2020-01-29 .. 2020-02-25 (4 weeks).
//   a: first occasion 01-01 (two lines, one occasion), repeats 01-08 ($4) and 01-15 ($6): x = 2,
//      t_x = 2 weeks, T = 27/7 weeks, mean spend $5; one holdout occasion (02-01), and one on
//      03-10, after the holdout.
//   b: bought only on the last calibration day (x = 0, T = 0); one holdout occasion, two lines.
//   c: a free repeat occasion: x = 1, mean spend $0, so left out of the Gamma-Gamma fit.
//   d: first bought in the holdout: not in the cohort.
// Columns out of order, an extra column, both date forms, quoting, CRLF and a blank line.
const char* const kLog =
    "store,amount,date,customer_id\r\n"
    "s1,10.00,2020-01-01,a\r\n"
    "s1,5,20200101,a\r\n"
    "s2,4.0,2020-01-08,a\r\n"
    "s1,6,2020-01-15,\"a\"\r\n"
    "\r\n"
    "s1,7.5,2020-01-28,b\r\n"
    "s1,1,2020-01-05,c\r\n"
    "s1,0,2020-01-12,c\r\n"
    "s1,3,2020-02-01,a\r\n"
    "s1,2,2020-02-20,b\r\n"
    "s1,2,2020-02-20,b\r\n"
    "s1,9,2020-02-03,d\r\n"
    "s1,1,2020-03-10,a\r\n";

const std::int64_t kCalEnd = *parse_day("2020-01-28");

ValueLog read(const std::string& text, ValueLogFormat format = ValueLogFormat::csv) {
  std::istringstream in(text);
  auto log = read_value_log(in, format);
  INFO(log.status().message());
  REQUIRE(log.is_ok());
  return log.value();
}

std::string read_error(const std::string& text, ValueLogFormat format = ValueLogFormat::csv) {
  std::istringstream in(text);
  auto log = read_value_log(in, format);
  REQUIRE_FALSE(log.is_ok());
  CHECK(log.status().code() == "invalid_csv");
  return log.status().message();
}

struct Run {
  int code = 0;
  std::string out, err;
};
Run run(const std::vector<std::string>& args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  Run r;
  r.code = run_fit_value(args, in, out, err);
  r.out = out.str(), r.err = err.str();
  return r;
}

// Same rule as the SDK's CDNOW test: within half a unit of the third significant digit.
bool same_3_digits(double got, double published) {
  const double unit = std::pow(10.0, std::floor(std::log10(std::abs(published))) - 2);
  return std::abs(got - published) <= 0.5 * unit;
}

}  // namespace

TEST_CASE("dates: YYYY-MM-DD and YYYYMMDD, real calendar days only", "[fit_value]") {
  CHECK(parse_day("1970-01-01") == 0);
  CHECK(parse_day("19970101") == parse_day("1997-01-01"));
  CHECK(*parse_day("1997-09-30") - *parse_day("1997-01-01") == 272);
  CHECK(parse_day("2020-02-29").has_value());
  for (const char* bad : {"2021-02-29", "1997-13-01", "1997-1-01", "1997/01/01", "9701011", "", "+9970101",
                          "1997-01-01 10:00", "19970101x"})
    CHECK_FALSE(parse_day(bad).has_value());
}

TEST_CASE("fit-value on a tiny log, checked by hand", "[fit_value]") {
  const ValueLog log = read(kLog);
  REQUIRE(log.transactions.size() == 12);
  CHECK(log.first_day == *parse_day("2020-01-01"));
  CHECK(log.last_day == *parse_day("2020-03-10"));

  SECTION("the reader feeds the core's summaries with the paper's conventions") {
    auto s = summarize_transactions(log.transactions, {TimeUnit::kDays, kCalEnd, *parse_day("2020-02-25")});
    REQUIRE(s.is_ok());
    REQUIRE(s->size() == 3);  // d joined after calibration
    const CustomerSummary &a = s.value()[0], &b = s.value()[1], &c = s.value()[2];
    CHECK(a.x == 2);
    CHECK(a.t_x == Approx(2.0));
    CHECK(a.T == Approx(27.0 / 7));
    CHECK(a.monetary == Approx(5.0));
    CHECK(a.holdout_x == 1);
    CHECK((b.x == 0 && b.T == 0 && b.holdout_x == 1));  // two lines on 02-20: one occasion
    CHECK((c.x == 1 && c.monetary == 0 && c.holdout_x == 0));
  }

  SECTION("default holdout: as long as the calibration period") {
    auto rep = fit_value(log, kCalEnd, std::nullopt);
    REQUIRE(rep.is_ok());
    CHECK(rep->holdout_end == parse_day("2020-02-25"));
    CHECK(rep->transactions == 12);
    CHECK(rep->customers == 3);
    CHECK(rep->repeat_buyers == 2);
    CHECK(rep->repeat_occasions == 3);
    CHECK(rep->zero_spend_excluded == 1);
    REQUIRE(rep->gamma_gamma.has_value());
    CHECK(rep->gamma_gamma->customers == 1);  // a only

    REQUIRE(rep->holdout.size() == 8);
    const std::vector<int> customers = {1, 1, 1, 0, 0, 0, 0, 0};  // x = 0: b, 1: c, 2: a
    const std::vector<double> actual = {1, 0, 1, 0, 0, 0, 0, 0};
    for (std::size_t x = 0; x < 8; ++x) {
      INFO("x = " << x);
      CHECK(rep->holdout[x].customers == customers[x]);
      CHECK(rep->holdout[x].actual == actual[x]);
    }
    CHECK(rep->holdout[7].x == "7+");
    // Predicted: the fitted model's E[Y(4 weeks) | x, t_x, T] for a.
    auto e = bgnbd_expected_purchases(rep->bgnbd.params, {"a", 2, 2.0, 27.0 / 7, 5.0, 0}, 4.0);
    REQUIRE(e.is_ok());
    CHECK(rep->holdout[2].predicted == Approx(e.value()));

    std::ostringstream out;
    print_fit_value(rep.value(), out);
    const json j = json::parse(out.str());
    CHECK(j["calibration_end"] == "2020-01-28");
    CHECK(j["holdout"]["start"] == "2020-01-29");
    CHECK(j["holdout"]["end"] == "2020-02-25");
    CHECK(j["holdout"]["weeks"] == 4.0);
    CHECK(j["holdout"]["total"]["customers"] == 3);
    CHECK(j["holdout"]["total"]["actual"] == 2.0);
    CHECK(j["holdout"]["by_calibration_frequency"][3]["actual_mean"].is_null());  // no customers
    CHECK(j["gamma_gamma"]["excluded_zero_spend"] == 1);
    for (const char* key : {"r", "alpha", "a", "b", "log_likelihood", "fit_ms"})
      CHECK(j["bgnbd"][key].is_number());
  }
  SECTION("an explicit holdout end counts what falls in it") {
    auto rep = fit_value(log, kCalEnd, *parse_day("2020-03-10"));
    REQUIRE(rep.is_ok());
    CHECK(rep->holdout[2].actual == 2);  // a's 03-10 occasion now counts
  }
  SECTION("the default holdout stops at the last date in the log") {
    const ValueLog short_log = read("customer_id,date,amount\na,2020-01-01,1\na,2020-01-08,1\nb,2020-02-03,1\n");
    auto rep = fit_value(short_log, kCalEnd, std::nullopt);
    REQUIRE(rep.is_ok());
    CHECK(rep->holdout_end == parse_day("2020-02-03"));
  }
  SECTION("no data after the calibration end: no holdout") {
    auto rep = fit_value(log, log.last_day, std::nullopt);
    REQUIRE(rep.is_ok());
    CHECK_FALSE(rep->holdout_end.has_value());
    std::ostringstream out;
    print_fit_value(rep.value(), out);
    CHECK(json::parse(out.str())["holdout"].is_null());
  }
  SECTION("no repeat buyer with spend: BG/NBD still reported, Gamma-Gamma says why") {
    const ValueLog free = read("customer_id,date,amount\na,2020-01-01,1\na,2020-01-08,0\nb,2020-01-02,1\n");
    auto rep = fit_value(free, kCalEnd, std::nullopt);
    REQUIRE(rep.is_ok());
    CHECK_FALSE(rep->gamma_gamma.has_value());
    CHECK(rep->gamma_gamma_error.code() == "degenerate_input");
    CHECK(rep->zero_spend_excluded == 1);
  }
}

TEST_CASE("fit-value reader errors name the line", "[fit_value]") {
  const std::string header = "customer_id,date,amount\n";
  CHECK(read_error(header + "a,2020-01-01,1\na,2020-01-02,1\nb,2020-01-03,x\n") ==
        "line 4: amount 'x' is not a number");
  CHECK(read_error(header + "a,2020-01-01,nan\n") == "line 2: amount 'nan' is not a number");
  CHECK(read_error(header + "a,2020-01-01,-3\n") == "line 2: amount '-3' is negative");
  CHECK(read_error(header + "a,2020-13-01,1\n") == "line 2: date '2020-13-01' is not a date YYYY-MM-DD or YYYYMMDD");
  CHECK(read_error(header + ",2020-01-01,1\n") == "line 2: customer_id is empty");
  CHECK(read_error(header + "a,2020-01-01\n") == "line 2: expected at least 3 fields, got 2");
  CHECK(read_error(header + "\"a,2020-01-01,1\n") == "line 2: unterminated quote");
  CHECK(read_error("customer_id,timestamp,amount\n") == "line 1: the header must name customer_id, date and amount");
  CHECK(read_error("") == "line 1: empty input: no header");
  CHECK(read_error(header) == "line 1: no transactions after the header");
  CHECK(read_error(header + "a,2020-01-01," + std::string(70000, '1') + "\n") == "line 2: longer than 64 KiB");
  // CDNOW layout: the header is checked, so the sample file (no header) is refused.
  CHECK(read_error(" 00001 00001 19970101 1 11.77\r\n", ValueLogFormat::cdnow_master) ==
        "line 1: not the CDNOW_master.txt header 'customer_id date number_of_cds dollar_value'");
  const std::string cdnow = "customer_id date number_of_cds dollar_value\r\n";
  CHECK(read(cdnow + " 00001 19970101 1 11.77\r\n", ValueLogFormat::cdnow_master).transactions[0].amount == 11.77);
  CHECK(read_error(cdnow + " 00001 19970101 1\r\n", ValueLogFormat::cdnow_master) ==
        "line 2: expected 4 fields (customer_id date number_of_cds dollar_value), got 3");
  CHECK(read_error(cdnow + " 00001 19970101 one 11.77\r\n", ValueLogFormat::cdnow_master) ==
        "line 2: number_of_cds 'one' is not a whole number >= 0");
}

TEST_CASE("fit-value command: usage errors exit 2, data errors 1", "[fit_value]") {
  const std::vector<std::string> stdin_args = {"--input", "-", "--calibration-end", "2020-01-28"};
  SECTION("usage") {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {},
             {"--input", "-"},
             {"--calibration-end", "2020-01-28"},
             {"--input", "-", "--calibration-end", "28/01/2020"},
             {"--input", "-", "--calibration-end", "2020-01-28", "--format", "tsv"},
             {"--input", "-", "--calibration-end", "2020-01-28", "--holdout-end", "2020-01-01"},
             {"--input", "-", "--calibration-end"},
             {"--input", "-", "--calibration-end", "2020-01-28", "--site", "1"}}) {
      const Run r = run(args, kLog);
      INFO(r.err);
      CHECK(r.code == 2);
      CHECK(r.err.find("usage: ashna-server fit-value") != std::string::npos);
    }
    CHECK(run({"--input", "-", "--calibration-end", "2020-01-28", "--holdout-end", "2020-01-01"}).err.rfind(
              "ashna-server fit-value: --holdout-end 2020-01-01 is before --calibration-end 2020-01-28\n", 0) == 0);
    CHECK(run({"--help"}).code == 0);
  }
  SECTION("data") {
    Run r = run(stdin_args, "customer_id,date,amount\na,2020-01-01,1\nb,2020-01-02,x\n");
    CHECK(r.code == 1);
    CHECK(r.err == "ashna-server fit-value: -: invalid_csv: line 3: amount 'x' is not a number\n");
    CHECK(r.out.empty());
    r = run({"--input", "/nonexistent/log.csv", "--calibration-end", "2020-01-28"});
    CHECK(r.code == 1);
    CHECK(r.err == "ashna-server fit-value: cannot open '/nonexistent/log.csv'\n");
    r = run(stdin_args, "customer_id,date,amount\na,2020-01-01,1\nb,2020-01-02,1\n");  // nobody repeated
    CHECK(r.code == 1);
    CHECK(r.err.rfind("ashna-server fit-value: degenerate_input: nobody made a repeat purchase", 0) == 0);
    r = run(stdin_args, "customer_id,date,amount\na,2021-01-01,1\n");  // everyone after calibration
    CHECK(r.code == 1);
    CHECK(r.err ==
          "ashna-server fit-value: degenerate_input: no customer made a purchase on or before the calibration end\n");
  }
  SECTION("ok: JSON on stdout") {
    const Run r = run(stdin_args, kLog);
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.err.empty());
    CHECK(json::parse(r.out)["customers"] == 3);
  }
}

TEST_CASE("fit-value on the full CDNOW file reproduces docs/customer-value.md", "[fit_value][cdnow]") {
  const std::string path = std::string(ASHNA_DATA_DIR) + "/cdnow/CDNOW_master.txt";
  if (!std::ifstream(path)) {
    std::cout << "fit-value CDNOW test skipped: " << path << " not found (see ../shared/data/README.md)\n";
    return;
  }
  const Run r = run({"--input", path, "--format", "cdnow-master", "--calibration-end", "1997-09-30"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  const json j = json::parse(r.out);
  CHECK(j["transactions"] == 69659);
  CHECK(j["customers"] == 23570);
  CHECK(j["calibration_repeat_occasions"] == 24337);
  // The full-file fit in docs/customer-value.md: r = 0.2516, alpha = 4.7889, a = 0.7234, b = 2.1611.
  CHECK(same_3_digits(j["bgnbd"]["r"], 0.2516));
  CHECK(same_3_digits(j["bgnbd"]["alpha"], 4.7889));
  CHECK(same_3_digits(j["bgnbd"]["a"], 0.7234));
  CHECK(same_3_digits(j["bgnbd"]["b"], 2.1611));
  CHECK(j["bgnbd"]["log_likelihood"].get<double>() == Approx(-95368.44).margin(0.1));
  CHECK(j["gamma_gamma"]["customers"] == 9450);
  CHECK(j["gamma_gamma"]["excluded_zero_spend"] == 1);  // customer 10244
  CHECK(j["holdout"]["end"] == "1998-06-30");            // the paper's 39 weeks, by default
  CHECK(j["holdout"]["weeks"] == 39.0);
  CHECK(j["holdout"]["total"]["actual"] == 19684.0);
  CHECK(j["holdout"]["total"]["predicted"].get<double>() == Approx(16873.7).margin(1));
  CHECK(j["holdout"]["by_calibration_frequency"][0]["customers"] == 14119);
}
