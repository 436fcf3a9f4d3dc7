// Customer value models: BG/NBD and Gamma-Gamma against the published CDNOW results (Fader, Hardie &
// Lee 2005; Fader & Hardie 2013), recovery of known parameters from simulated data, and edge cases.
// The CDNOW files are read from ASHNA_DATA_DIR (../shared/data); when absent those tests WARN and skip.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>

#include "ashna/value.h"

using namespace ashna;

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}
std::int64_t yyyymmdd(int v) { return days_from_civil(v / 10000, v / 100 % 100, v % 100); }

const std::int64_t kCalibrationEnd = yyyymmdd(19970930);
const std::int64_t kHoldoutEnd = yyyymmdd(19980630);

// Reads a CDNOW file into transactions with day-number times. `sample` has no header and an extra
// sample-id column (master id, sample id, date, CDs, dollars); the master file has a header line
// (id, date, CDs, dollars). Returns false when the file is not there.
bool load_cdnow(const std::string& name, bool sample, std::vector<Transaction>& out) {
  std::ifstream in(std::string(ASHNA_DATA_DIR) + "/cdnow/" + name);
  if (!in) return false;
  std::string line;
  if (!sample) std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string id, sample_id;
    int date = 0, cds = 0;
    double dollars = 0;
    if (!(row >> id)) continue;  // blank line
    if (sample) row >> sample_id;
    REQUIRE(static_cast<bool>(row >> date >> cds >> dollars));
    out.push_back({id, yyyymmdd(date), dollars});
  }
  return true;
}

// Summaries of a CDNOW file with the paper's calibration and holdout periods, or empty when the
// file is missing.
std::vector<CustomerSummary> cdnow(const std::string& name, bool sample) {
  std::vector<Transaction> txs;
  if (!load_cdnow(name, sample, txs)) return {};
  auto s = summarize_transactions(txs, {TimeUnit::kDays, kCalibrationEnd, kHoldoutEnd});
  REQUIRE(s.is_ok());
  return s.value();
}

// True when `got` equals `published` to the 3 significant digits the paper prints: within half a
// unit of the third digit.
bool same_3_digits(double got, double published) {
  const double unit = std::pow(10.0, std::floor(std::log10(std::abs(published))) - 2);
  return std::abs(got - published) <= 0.5 * unit;
}

std::string show(const BgNbdParams& p) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "r=%.4f alpha=%.4f a=%.4f b=%.4f", p.r, p.alpha, p.a, p.b);
  return buf;
}

// The paper's conditional-expectation check: customers grouped by calibration frequency (0..6,
// 7+), mean actual holdout purchases against the mean of E[Y(39) | x, t_x, T].
struct HoldoutTable {
  int count[8] = {};
  double actual[8] = {}, predicted[8] = {}, total_actual = 0, total_predicted = 0;

  HoldoutTable(const BgNbdParams& params, const std::vector<CustomerSummary>& customers) {
    for (const auto& c : customers) {
      auto e = bgnbd_expected_purchases(params, c, 39);
      REQUIRE(e.is_ok());
      const int row = std::min(c.x, 7);
      ++count[row];
      actual[row] += c.holdout_x;
      predicted[row] += e.value();
      total_actual += c.holdout_x;
      total_predicted += e.value();
    }
  }
  std::string str() const {
    std::ostringstream out;
    out << "  x    customers  actual/cust  predicted/cust\n";
    for (int x = 0; x < 8; ++x) {
      char line[96];
      std::snprintf(line, sizeof line, "  %d%s %10d %12.3f %15.3f\n", x, x == 7 ? "+" : " ", count[x],
                    actual[x] / count[x], predicted[x] / count[x]);
      out << line;
    }
    out << "  total holdout repeat purchases: actual " << total_actual << ", predicted " << total_predicted
        << " (" << 100 * (total_predicted - total_actual) / total_actual << "%)";
    return out.str();
  }
};

// Draws customers from the BG/NBD story: purchases at Poisson rate lambda from time 0, and after
// each repeat purchase a coin with probability p ends the relationship. T is uniform on [20, 52].
std::vector<CustomerSummary> simulate_bgnbd(const BgNbdParams& p, int n, std::mt19937& rng) {
  std::gamma_distribution<double> rate(p.r, 1 / p.alpha), ga(p.a, 1.0), gb(p.b, 1.0);
  std::uniform_real_distribution<double> unit(0, 1), age(20, 52);
  std::vector<CustomerSummary> out(n);
  for (auto& c : out) {
    const double lambda = rate(rng), xa = ga(rng), drop = xa / (xa + gb(rng));
    c.T = age(rng);
    std::exponential_distribution<double> gap(std::max(lambda, 1e-300));
    for (double t = gap(rng); t <= c.T; t += gap(rng)) {
      ++c.x;
      c.t_x = t;
      if (unit(rng) < drop) break;
    }
  }
  return out;
}

const BgNbdParams kPaper{0.243, 4.414, 0.793, 2.426};

}  // namespace

TEST_CASE("transactions become summaries with the paper's conventions", "[value]") {
  // Days: calibration ends on day 100, holdout on day 200.
  std::vector<Transaction> txs = {
      {"a", 10, 5.0},  {"a", 10, 7.0},                  // first occasion, two transactions
      {"a", 24, 3.0},  {"a", 24, 1.0},  {"a", 38, 10.0},  // two repeat occasions: 4 and 10
      {"a", 150, 9.0}, {"a", 150, 1.0}, {"a", 300, 2.0},  // one holdout occasion; one after it
      {"b", 100, 4.0},                                   // bought on the last calibration day
      {"c", 101, 4.0},                                   // joined after calibration: not in the cohort
  };
  auto s = summarize_transactions(txs, {TimeUnit::kDays, 100, 200});
  REQUIRE(s.is_ok());
  REQUIRE(s->size() == 2);
  const CustomerSummary& a = s.value()[0];
  CHECK(a.id == "a");
  CHECK(a.x == 2);
  CHECK(a.t_x == Approx(28.0 / 7));
  CHECK(a.T == Approx(90.0 / 7));
  CHECK(a.monetary == Approx(7.0));
  CHECK(a.holdout_x == 1);
  const CustomerSummary& b = s.value()[1];
  CHECK(b.x == 0);
  CHECK(b.t_x == 0);
  CHECK(b.T == 0);
  CHECK(b.monetary == 0);

  SECTION("Unix milliseconds are bucketed into UTC days") {
    const std::int64_t day = 86'400'000, t0 = 19'000 * day;
    std::vector<Transaction> ms = {{"m", t0 + 1, 1.0}, {"m", t0 + day - 1, 1.0},  // one occasion
                                   {"m", t0 + 7 * day + 5, 2.0}};
    auto m = summarize_transactions(ms, {TimeUnit::kUnixMs, t0 + 14 * day + 3, std::nullopt});
    REQUIRE(m.is_ok());
    CHECK(m.value()[0].x == 1);
    CHECK(m.value()[0].t_x == Approx(1.0));
    CHECK(m.value()[0].T == Approx(2.0));
  }
  SECTION("bad transactions and arguments are named") {
    std::vector<Transaction> bad = {{"a", 1, 1.0}, {"a", 2, -3.0}};
    auto r = summarize_transactions(bad, {TimeUnit::kDays, 10, std::nullopt});
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == "invalid_transaction");
    CHECK(r.status().message() == "transactions[1]: amount must be a finite number >= 0");
    bad = {{"", 1, 1.0}};
    CHECK(summarize_transactions(bad, {TimeUnit::kDays, 10, std::nullopt}).status().message() ==
          "transactions[0]: customer_id is empty");
    CHECK(summarize_transactions(txs, {TimeUnit::kDays, 100, 50}).status().code() == "invalid_argument");
    auto none = summarize_transactions({}, {TimeUnit::kDays, 100, std::nullopt});
    CHECK(none.status().code() == "degenerate_input");
    CHECK(none.status().message() == "no customer made a purchase on or before the calibration end");
  }
}

TEST_CASE("BG/NBD and Gamma-Gamma reproduce the published CDNOW sample fits", "[value][cdnow]") {
  const auto customers = cdnow("CDNOW_sample.txt", true);
  if (customers.empty()) {
    WARN("skipped: " ASHNA_DATA_DIR "/cdnow/CDNOW_sample.txt not found (see ../shared/data/README.md)");
    return;
  }
  REQUIRE(customers.size() == 2357);
  int repeat_buyers = 0;
  for (const auto& c : customers) repeat_buyers += c.x > 0;
  REQUIRE(repeat_buyers == 946);

  auto at_paper = bgnbd_log_likelihood(kPaper, customers);
  REQUIRE(at_paper.is_ok());
  CHECK(at_paper.value() == Approx(-9582.4).margin(0.1));

  auto fit = fit_bgnbd(customers);
  REQUIRE(fit.is_ok());
  INFO("BG/NBD fit: " << show(fit->params) << " LL=" << fit->log_likelihood);
  CHECK(fit->converged);
  CHECK(same_3_digits(fit->params.r, 0.243));
  CHECK(same_3_digits(fit->params.alpha, 4.414));
  CHECK(same_3_digits(fit->params.a, 0.793));
  CHECK(same_3_digits(fit->params.b, 2.426));
  CHECK(fit->log_likelihood >= at_paper.value());  // the MLE beats the rounded published values
  CHECK(fit->log_likelihood == Approx(-9582.4).margin(0.1));
  std::cout << "CDNOW sample: fit " << show(fit->params) << " LL=" << fit->log_likelihood << "\n"
            << HoldoutTable(fit->params, customers).str() << std::endl;

  // Hardie's spreadsheet values, also checked by the lifetimes and BTYD packages.
  {  // conditional expectation of customer 1: x = 2, t_x = 30.43, T = 38.86, next 39 weeks
    auto e = bgnbd_expected_purchases(fit->params, {"", 2, 30.43, 38.86}, 39);
    REQUIRE(e.is_ok());
    CHECK(e.value() == Approx(1.226).margin(0.001));
  }
  {  // unconditional E[X(t)] of a new customer (x = t_x = T = 0)
    const double t[] = {0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0};
    const double expected[] = {0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576};
    for (int i = 0; i < 6; ++i) {
      auto e = bgnbd_expected_purchases(fit->params, {}, t[i]);
      REQUIRE(e.is_ok());
      CHECK(e.value() == Approx(expected[i]).margin(0.001));
    }
  }
  {  // Gamma-Gamma on the 946 repeat buyers: p = 6.25, q = 3.74, gamma = 15.44
    auto gg = fit_gamma_gamma(customers);
    REQUIRE(gg.is_ok());
    INFO("Gamma-Gamma fit: p=" << gg->params.p << " q=" << gg->params.q << " gamma=" << gg->params.gamma
                               << " LL=" << gg->log_likelihood);
    std::cout << "CDNOW sample Gamma-Gamma: p=" << gg->params.p << " q=" << gg->params.q
              << " gamma=" << gg->params.gamma << " LL=" << gg->log_likelihood << std::endl;
    CHECK(gg->customers == 946);
    CHECK(gg->converged);
    CHECK(same_3_digits(gg->params.p, 6.25));
    CHECK(same_3_digits(gg->params.q, 3.74));
    CHECK(same_3_digits(gg->params.gamma, 15.44));
  }
}

TEST_CASE("the full CDNOW cohort: 39-week holdout predicted vs actual", "[value][cdnow]") {
  std::vector<Transaction> txs;
  if (!load_cdnow("CDNOW_master.txt", false, txs)) {
    WARN("skipped: " ASHNA_DATA_DIR "/cdnow/CDNOW_master.txt not found (see ../shared/data/README.md)");
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  auto summaries = summarize_transactions(txs, {TimeUnit::kDays, kCalibrationEnd, kHoldoutEnd});
  REQUIRE(summaries.is_ok());
  const auto summarised = std::chrono::steady_clock::now();
  auto fit = fit_bgnbd(summaries.value());
  const auto fitted = std::chrono::steady_clock::now();
  REQUIRE(fit.is_ok());
  const auto& customers = summaries.value();
  REQUIRE(customers.size() == 23570);
  CHECK(fit->converged);

  const HoldoutTable table(fit->params, customers);
  const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::cout << "CDNOW master: " << customers.size() << " customers, fit " << show(fit->params)
            << " LL=" << fit->log_likelihood << " in " << fit->evaluations << " evaluations\n"
            << "  summarise " << ms(start, summarised) << " ms, fit " << ms(summarised, fitted) << " ms\n"
            << table.str() << std::endl;
  // Issue 7 asked for 10%. BG/NBD under-predicts this holdout, mostly at x = 1 and 2 (CDNOW's
  // purchasing slows less than the model expects): -14.3% here, and -12.1% on the paper's own sample
  // with the paper's own parameters. The bound below is what the model achieves, not a target met;
  // the second check pins the number so a change in data handling or fitting shows up.
  CHECK(std::abs(table.total_predicted - table.total_actual) <= 0.15 * table.total_actual);
  CHECK(table.total_predicted == Approx(16874).epsilon(0.002));

  // Real data has free occasions: one repeat buyer's mean spend is $0, which the Gamma-Gamma model
  // cannot take. The fit says who; leaving that customer out is the caller's decision.
  auto gg = fit_gamma_gamma(customers);
  CHECK(gg.status().code() == "degenerate_input");
  CHECK(gg.status().message() ==
        "customer '10244': repeat buyer with mean spend 0; the Gamma-Gamma model needs spend > 0");
  std::vector<CustomerSummary> paying;
  for (const auto& c : customers)
    if (c.x == 0 || c.monetary > 0) paying.push_back(c);
  gg = fit_gamma_gamma(paying);
  REQUIRE(gg.is_ok());
  CHECK(gg->converged);
  std::cout << "CDNOW master Gamma-Gamma on " << gg->customers << " repeat buyers: p=" << gg->params.p
            << " q=" << gg->params.q << " gamma=" << gg->params.gamma << std::endl;
}

TEST_CASE("fits recover the parameters of simulated data", "[value]") {
  std::mt19937 rng(20050101);  // fixed seed: the test is deterministic

  SECTION("BG/NBD") {
    const BgNbdParams truth{0.5, 6.0, 0.7, 2.5};
    const auto customers = simulate_bgnbd(truth, 20000, rng);
    auto fit = fit_bgnbd(customers);
    REQUIRE(fit.is_ok());
    INFO("truth " << show(truth) << ", fit " << show(fit->params));
    CHECK(fit->converged);
    CHECK(fit->log_likelihood >= bgnbd_log_likelihood(truth, customers).value());
    CHECK(fit->params.r == Approx(truth.r).epsilon(0.1));
    CHECK(fit->params.alpha == Approx(truth.alpha).epsilon(0.1));
    CHECK(fit->params.a == Approx(truth.a).epsilon(0.25));
    CHECK(fit->params.b == Approx(truth.b).epsilon(0.25));
  }
  SECTION("Gamma-Gamma") {
    const GammaGammaParams truth{6.0, 4.0, 15.0};
    std::gamma_distribution<double> nu_dist(truth.q, 1 / truth.gamma);
    std::uniform_int_distribution<int> occasions(1, 10);
    std::vector<CustomerSummary> customers(3000);
    for (auto& c : customers) {
      std::gamma_distribution<double> spend(truth.p, 1 / nu_dist(rng));
      c.x = occasions(rng);
      c.T = c.t_x = 10;
      for (int i = 0; i < c.x; ++i) c.monetary += spend(rng) / c.x;
    }
    auto fit = fit_gamma_gamma(customers);
    REQUIRE(fit.is_ok());
    INFO("fit p=" << fit->params.p << " q=" << fit->params.q << " gamma=" << fit->params.gamma);
    CHECK(fit->converged);
    CHECK(fit->log_likelihood >= gamma_gamma_log_likelihood(truth, customers).value());
    CHECK(fit->params.p == Approx(truth.p).epsilon(0.1));
    CHECK(fit->params.q == Approx(truth.q).epsilon(0.15));
    CHECK(fit->params.gamma == Approx(truth.gamma).epsilon(0.2));
  }
}

TEST_CASE("BG/NBD per-customer numbers are sound", "[value]") {
  SECTION("the expectation matches 50-digit references in every regime") {
    // Equation (10) evaluated with mpmath (hyp2f1 at 50 digits; a = 1 as the limit a -> 1).
    struct Case {
      BgNbdParams p;
      CustomerSummary c;
      double t, expected;
    };
    const Case cases[] = {
        // the paper's parameters; the second row is Hardie's 1.226
        {{0.243, 4.414, 0.793, 2.426}, {"", 0, 0.0, 38.86}, 39.0, 0.19509805201126264},
        {{0.243, 4.414, 0.793, 2.426}, {"", 2, 30.43, 38.86}, 39.0, 1.2260281747671445},
        {{0.243, 4.414, 0.793, 2.426}, {"", 26, 30.86, 31.0}, 39.0, 20.749726140857289},
        {{0.243, 4.414, 0.793, 2.426}, {"", 200, 499.0, 500.0}, 39.0, 14.945137558597156},
        // a > 1, and a = 1 exactly (the removable singularity)
        {{1.5, 2.0, 3.0, 4.0}, {"", 12, 20.0, 39.0}, 260.0, 0.0097494310293421759},
        {{0.5, 4.0, 1.0, 2.0}, {"", 3, 20.0, 39.0}, 39.0, 0.8306525392317147},
        // r >> a + b: the series alternates and cancels, so the integral is used
        {{50.0, 10.0, 0.8, 2.0}, {"", 0, 0.0, 30.0}, 39.0, 9.2842341431768801},
        {{50.0, 10.0, 0.8, 2.0}, {"", 5, 25.0, 30.0}, 39.0, 0.091961441131303937},
        // horizons of thousands of times alpha + T: the series is too slow, so the integral is used
        {{0.243, 0.01, 0.793, 2.426}, {"", 0, 0.0, 0.0}, 520.0, 36.92881428917353},
        {{2.0, 0.05, 0.5, 5.0}, {"", 0, 0.0, 0.0}, 5200.0, 1860.9670654078129},
        // huge b (almost nobody drops out) and huge a (everybody drops out soon)
        {{0.5, 4.0, 0.8, 100000.0}, {"", 3, 20.0, 39.0}, 39.0, 3.1741712996299715},
        {{0.5, 4.0, 1000.0, 2.0}, {"", 3, 20.0, 39.0}, 39.0, 0.00046696378814491746},
    };
    for (const Case& k : cases) {
      auto e = bgnbd_expected_purchases(k.p, k.c, k.t);
      INFO(show(k.p) << " x=" << k.c.x << " t_x=" << k.c.t_x << " T=" << k.c.T << " t=" << k.t);
      REQUIRE(e.is_ok());
      CHECK(e.value() == Approx(k.expected).epsilon(1e-9));
    }
  }
  SECTION("huge a and b (dropout the same for everyone): the posterior is a point mass") {
    // A shop whose customers never vary in dropout fits a, b near the optimiser's bound; the
    // integral's terms then carry rounding noise of (a + b) 1e-16 (found by fitting a site).
    for (double scale : {1.0, 100.0}) {
      const BgNbdParams p{0.82298, 7.479557, 3629124.5 * scale, 18134778.4 * scale};
      const CustomerSummary c{"", 4, 30.0, 42.8571};
      const double t = 8.69643;
      auto e = bgnbd_expected_purchases(p, c, t);
      INFO(show(p));
      REQUIRE(e.is_ok());
      const double p0 = p.a / (p.a + p.b + c.x);
      const double if_alive = -std::expm1(-(p.r + c.x) * std::log1p(p0 * t / (p.alpha + c.T))) / p0;
      // lgamma near 1e9 holds about 1e-6 relative: plenty for a customer's expected purchases.
      CHECK(e.value() == Approx(bgnbd_p_alive(p, c).value() * if_alive).epsilon(scale > 1 ? 1e-5 : 1e-6));
    }
  }
  SECTION("a = 1 is a removable singularity: continuous across it") {
    const CustomerSummary c{"", 3, 20, 39};
    const double at_one = bgnbd_expected_purchases({0.5, 4.0, 1.0, 2.0}, c, 39).value();
    CHECK(bgnbd_expected_purchases({0.5, 4.0, 1.0 - 1e-9, 2.0}, c, 39).value() == Approx(at_one).epsilon(1e-7));
    CHECK(bgnbd_expected_purchases({0.5, 4.0, 1.0 + 1e-9, 2.0}, c, 39).value() == Approx(at_one).epsilon(1e-7));
  }
  SECTION("large x and T: finite, and the rate of an active customer") {
    const CustomerSummary heavy{"", 200, 499, 500};
    auto e = bgnbd_expected_purchases(kPaper, heavy, 39);
    REQUIRE(e.is_ok());
    CHECK(std::isfinite(e.value()));
    // Nearly surely alive, with rate close to (r + x) / (alpha + T): about 15.4 in 39 weeks.
    CHECK(e.value() == Approx(39 * (kPaper.r + 200) / (kPaper.alpha + 500)).epsilon(0.05));
    const CustomerSummary gone{"", 200, 10, 500};  // 200 purchases, then silence for 490 weeks
    CHECK(bgnbd_p_alive(kPaper, gone).value() < 1e-300);
    CHECK(bgnbd_expected_purchases(kPaper, gone, 39).value() < 1e-290);
  }
  SECTION("p_alive is in [0, 1], 1 for x = 0, and falls with time since the last purchase") {
    for (int x = 0; x <= 60; x += 3)
      for (double T = 0; T <= 120; T += 10)
        for (double t_x = 0; t_x <= T; t_x += 5) {
          const double p = bgnbd_p_alive(kPaper, {"", x, x ? t_x : 0, T}).value();
          CHECK((p >= 0 && p <= 1));
          if (x == 0) CHECK(p == 1);
        }
    CHECK(bgnbd_p_alive(kPaper, {"", 5, 30, 39}).value() > bgnbd_p_alive(kPaper, {"", 5, 10, 39}).value());
  }
  SECTION("no NaN anywhere: extreme parameters, histories and horizons all give finite values") {
    const double values[] = {1e-6, 0.3, 1.0, 7.0, 1e4};
    for (double r : values)
      for (double alpha : values)
        for (double a : values)
          for (double b : values)
            for (int x : {0, 1, 200, 10000})
              for (double T : {0.0, 1.0, 500.0})
                for (double t : {0.5, 39.0, 520.0}) {
                  const BgNbdParams p{r, alpha, a, b};
                  const CustomerSummary c{"", x, x ? T / 2 : 0, T};
                  const double alive = bgnbd_p_alive(p, c).value();
                  auto e = bgnbd_expected_purchases(p, c, t);
                  if (!(alive >= 0 && alive <= 1 && e.is_ok() && std::isfinite(e.value()) && e.value() >= 0))
                    FAIL_CHECK(show(p) << " x=" << x << " T=" << T << " t=" << t << ": p_alive " << alive
                                       << ", " << (e ? std::to_string(e.value()) : e.status().message()));
                }
    auto ll = bgnbd_log_likelihood({1e-6, 1e4, 1e4, 1e-6}, std::vector<CustomerSummary>{{"", 3, 2, 5}, {}});
    REQUIRE(ll.is_ok());
    CHECK(std::isfinite(ll.value()));
  }
}

TEST_CASE("spend and lifetime value", "[value]") {
  const GammaGammaParams gg{6.25, 3.74, 15.44};
  SECTION("expected spend shrinks the customer's mean towards the population mean") {
    const double population = gg.p * gg.gamma / (gg.q - 1);
    CHECK(gamma_gamma_expected_spend(gg, {}).value() == Approx(population));
    const double one = gamma_gamma_expected_spend(gg, {"", 1, 5, 10, 100.0}).value();
    const double many = gamma_gamma_expected_spend(gg, {"", 20, 5, 10, 100.0}).value();
    CHECK(one > population);
    CHECK(many > one);
    CHECK(many < 100.0);
  }
  SECTION("CLV is the discounted sum of expected purchases times expected spend") {
    const CustomerSummary c{"", 4, 30, 39, 40.0};
    const double spend = gamma_gamma_expected_spend(gg, c).value();
    const double week = bgnbd_expected_purchases(kPaper, c, 1).value();
    CHECK(customer_lifetime_value(kPaper, gg, c, {1, 1.0, 0.0}).value() == Approx(spend * week));
    CHECK(customer_lifetime_value(kPaper, gg, c, {1, 1.0, 0.1}).value() == Approx(spend * week / 1.1));
    const double year = customer_lifetime_value(kPaper, gg, c, {}).value();
    const double undiscounted = customer_lifetime_value(kPaper, gg, c, {12, 365.25 / 84, 0.0}).value();
    CHECK(year < undiscounted);
    CHECK(undiscounted == Approx(spend * bgnbd_expected_purchases(kPaper, c, 365.25 / 7).value()));
    CHECK(customer_lifetime_value(kPaper, gg, c, {0, 1.0, 0.0}).status().code() == "invalid_argument");
    CHECK(customer_lifetime_value(kPaper, gg, c, {12, 1.0, -0.5}).status().message() ==
          "discount_rate must be >= 0, got -0.5");
  }
}

TEST_CASE("degenerate and invalid inputs give documented errors", "[value]") {
  const std::vector<CustomerSummary> none;
  const std::vector<CustomerSummary> one_timers = {{"a", 0, 0, 10}, {"b", 0, 0, 20}};

  auto r = fit_bgnbd(none);
  CHECK(r.status().code() == "degenerate_input");
  CHECK(r.status().message() == "no customers to fit");
  r = fit_bgnbd(one_timers);
  CHECK(r.status().code() == "degenerate_input");
  CHECK(r.status().message() ==
        "nobody made a repeat purchase (x = 0 for all 2 customers): purchase rate and dropout cannot be told apart");

  auto g = fit_gamma_gamma(one_timers);
  CHECK(g.status().code() == "degenerate_input");
  CHECK(g.status().message() ==
        "no repeat buyers (x >= 1) among 2 customers: spend per repeat occasion cannot be estimated");
  g = fit_gamma_gamma(std::vector<CustomerSummary>{{"a", 2, 5, 10, 12.0}, {"z", 1, 3, 10, 0.0}});
  CHECK(g.status().code() == "degenerate_input");
  CHECK(g.status().message() == "customer 'z': repeat buyer with mean spend 0; the Gamma-Gamma model needs spend > 0");
  g = fit_gamma_gamma(std::vector<CustomerSummary>{{"", 2, 5, 10, -4.0}});
  CHECK(g.status().code() == "invalid_summary");
  CHECK(g.status().message() == "customers[0]: monetary must be a finite number >= 0, got -4");

  // Too little data to identify the model: parameters run off towards their bounds. The fit still
  // returns finite numbers, and says it did not converge.
  auto thin = fit_bgnbd(std::vector<CustomerSummary>{{"a", 3, 9, 10}, {"b", 3, 9, 10}});
  REQUIRE(thin.is_ok());
  CHECK_FALSE(thin->converged);
  for (double v : {thin->params.r, thin->params.alpha, thin->params.a, thin->params.b, thin->log_likelihood})
    CHECK(std::isfinite(v));
  auto thin_gg = fit_gamma_gamma(std::vector<CustomerSummary>{{"a", 2, 1, 2, 10.0}});
  REQUIRE(thin_gg.is_ok());
  CHECK_FALSE(thin_gg->converged);
  CHECK(std::isfinite(thin_gg->params.p * thin_gg->params.q * thin_gg->params.gamma));

  auto bad = bgnbd_log_likelihood(kPaper, std::vector<CustomerSummary>{{"k", 1, 12, 10}});
  CHECK(bad.status().code() == "invalid_summary");
  CHECK(bad.status().message() == "customer 'k': need 0 <= t_x <= T, got t_x = 12, T = 10");
  CHECK(bgnbd_log_likelihood(kPaper, none).status().code() == "degenerate_input");

  auto p = bgnbd_p_alive({0.2, -1, 1, 1}, {});
  CHECK(p.status().code() == "invalid_parameters");
  CHECK(p.status().message() == "BG/NBD parameters must be finite and > 0, got r = 0.2, alpha = -1, a = 1, b = 1");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(bgnbd_expected_purchases({nan, 1, 1, 1}, {}, 1).status().code() == "invalid_parameters");
  CHECK(bgnbd_expected_purchases(kPaper, {}, -1).status().code() == "invalid_argument");
  CHECK(bgnbd_expected_purchases(kPaper, {}, nan).status().code() == "invalid_argument");
  CHECK(bgnbd_expected_purchases(kPaper, {"", 1, nan, 3}, 1).status().code() == "invalid_summary");
  auto spend = gamma_gamma_expected_spend({1, 0.5, 1}, {});
  CHECK(spend.status().code() == "invalid_parameters");
  CHECK(spend.status().message() == "expected spend is infinite when p x + q <= 1 (p = 1, q = 0.5, x = 0)");
}
