// fit-value: transaction log -> summaries -> BG/NBD and Gamma-Gamma fits -> holdout check, as JSON.
// Reads top to bottom: options, reading the log, the fit, the report, the command.
#include "fit_value.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "purchase_log.h"  // split_csv, kMaxCsvLine

namespace ashna::server {

const char* const kFitValueUsage =
    "usage: ashna-server fit-value --input FILE --calibration-end DATE [--holdout-end DATE]\n"
    "                              [--format csv|cdnow-master]\n"
    "       ashna-server fit-value --site PUBLISHABLE_KEY [--db PATH]   (a site's model, from its profiles)\n"
    "  --input FILE             transaction log ('-' reads stdin); layouts in docs/customer-value.md\n"
    "  --format NAME            csv (default): header customer_id,date,amount; cdnow-master:\n"
    "                           CDNOW_master.txt as published\n"
    "  --calibration-end DATE   last day of the calibration period (YYYY-MM-DD or YYYYMMDD)\n"
    "  --holdout-end DATE       last day of the holdout period (default: as long as the calibration\n"
    "                           period, capped at the last date in the log)\n";

namespace {

Status bad_arg(const std::string& msg) { return Status::error("invalid_argument", msg); }
Status bad_line(std::size_t line, const std::string& why) {
  return Status::error("invalid_csv", "line " + std::to_string(line) + ": " + why);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A field quoted in a message: short, so a garbage line cannot flood the terminal.
std::string in_quotes(std::string_view s) {
  std::string out(1, '\'');
  out.append(s.substr(0, 40)).append(s.size() > 40 ? "...'" : "'");
  return out;
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  s = trim(s);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

std::string date_of(std::int64_t day) {
  using namespace std::chrono;
  const year_month_day d{sys_days(days(day))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

}  // namespace

std::optional<std::int64_t> parse_day(std::string_view t) {
  int y = 0, m = 0, d = 0;
  const bool dashed = t.size() == 10 && t[4] == '-' && t[7] == '-';
  if (!dashed && t.size() != 8) return std::nullopt;
  const std::size_t mo = dashed ? 5 : 4, da = dashed ? 8 : 6;
  auto digits = [&](std::size_t pos, std::size_t len, int& out) {
    auto s = t.substr(pos, len);
    return s.find_first_not_of("0123456789") == std::string_view::npos && parse_number(s, out);
  };
  if (!digits(0, 4, y) || !digits(mo, 2, m) || !digits(da, 2, d)) return std::nullopt;
  using namespace std::chrono;
  const year_month_day date{year(y), month(static_cast<unsigned>(m)), day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;  // refuses 1997-02-30 and month 13
  return sys_days(date).time_since_epoch().count();
}

Result<FitValueOptions> parse_fit_value_options(const std::vector<std::string>& args) {
  FitValueOptions o;
  bool have_calibration = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      o.help = true;
      continue;
    }
    if (a != "--input" && a != "--format" && a != "--calibration-end" && a != "--holdout-end")
      return bad_arg("unknown option '" + a + "'");
    if (i + 1 >= args.size()) return bad_arg(a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--input") {
      o.input = v;
    } else if (a == "--format") {
      if (v != "csv" && v != "cdnow-master") return bad_arg("--format must be csv or cdnow-master, got '" + v + "'");
      o.format = v == "csv" ? ValueLogFormat::csv : ValueLogFormat::cdnow_master;
    } else {
      const auto day = parse_day(v);
      if (!day) return bad_arg(a + " expects a date YYYY-MM-DD or YYYYMMDD, got '" + v + "'");
      (a == "--calibration-end" ? o.calibration_end : o.holdout_end.emplace()) = *day;
      have_calibration |= a == "--calibration-end";
    }
  }
  if (o.help) return o;
  if (o.input.empty()) return bad_arg("--input is required");
  if (!have_calibration) return bad_arg("--calibration-end is required");
  if (o.holdout_end && *o.holdout_end < o.calibration_end)
    return bad_arg("--holdout-end " + date_of(*o.holdout_end) + " is before --calibration-end " +
                   date_of(o.calibration_end));
  return o;
}

//----------------------------------------------------------------------------------------------------

Result<ValueLog> read_value_log(std::istream& in, ValueLogFormat format) {
  ValueLog log;
  std::string line;
  std::vector<std::string> f;
  std::size_t id_col = 0, date_col = 0, amount_col = 0, n = 0;
  bool have_header = false;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF: CDNOW and spreadsheet exports
    if (line.size() > kMaxCsvLine) return bad_line(n, "longer than 64 KiB");
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a BOM from spreadsheet exports
    if (trim(line).empty()) continue;

    // Split into fields: CSV with quoting, or CDNOW's runs of spaces.
    if (format == ValueLogFormat::csv) {
      if (!split_csv(line, f)) return bad_line(n, "unterminated quote");
      for (auto& field : f) field = std::string(trim(field));
    } else {
      f.clear();
      for (std::size_t i = line.find_first_not_of(" \t"); i != std::string::npos;) {
        const std::size_t end = std::min(line.find_first_of(" \t", i), line.size());
        f.emplace_back(line, i, end - i);
        i = line.find_first_not_of(" \t", end);
      }
    }

    if (!have_header) {
      if (format == ValueLogFormat::cdnow_master) {
        // Checked so that the sample file (no header, five columns) or another file fails loudly.
        if (f != std::vector<std::string>{"customer_id", "date", "number_of_cds", "dollar_value"})
          return bad_line(n, "not the CDNOW_master.txt header 'customer_id date number_of_cds dollar_value'");
        id_col = 0, date_col = 1, amount_col = 3;
      } else {
        auto at = [&](std::string_view name) {
          return static_cast<std::size_t>(std::find(f.begin(), f.end(), name) - f.begin());
        };
        id_col = at("customer_id"), date_col = at("date"), amount_col = at("amount");
        if (std::max({id_col, date_col, amount_col}) >= f.size())
          return bad_line(n, "the header must name customer_id, date and amount");
      }
      have_header = true;
      continue;
    }

    if (format == ValueLogFormat::cdnow_master && f.size() != 4)
      return bad_line(n, "expected 4 fields (customer_id date number_of_cds dollar_value), got " +
                             std::to_string(f.size()));
    if (std::max({id_col, date_col, amount_col}) >= f.size())
      return bad_line(n, "expected at least " + std::to_string(std::max({id_col, date_col, amount_col}) + 1) +
                             " fields, got " + std::to_string(f.size()));
    Transaction t;
    t.customer_id = f[id_col];
    if (t.customer_id.empty()) return bad_line(n, "customer_id is empty");
    const auto day = parse_day(f[date_col]);
    if (!day) return bad_line(n, "date " + in_quotes(f[date_col]) + " is not a date YYYY-MM-DD or YYYYMMDD");
    long long cds = 0;
    if (format == ValueLogFormat::cdnow_master && (!parse_number(f[2], cds) || cds < 0))
      return bad_line(n, "number_of_cds " + in_quotes(f[2]) + " is not a whole number >= 0");
    if (!parse_number(f[amount_col], t.amount) || !std::isfinite(t.amount))
      return bad_line(n, "amount " + in_quotes(f[amount_col]) + " is not a number");
    // Refunds would make spend per occasion negative, which the Gamma-Gamma model cannot take.
    if (t.amount < 0) return bad_line(n, "amount " + in_quotes(f[amount_col]) + " is negative");
    t.time = *day;
    log.first_day = log.transactions.empty() ? *day : std::min(log.first_day, *day);
    log.last_day = log.transactions.empty() ? *day : std::max(log.last_day, *day);
    log.transactions.push_back(std::move(t));
  }
  if (in.bad()) return Status::error("invalid_csv", "read error after line " + std::to_string(n));
  if (!have_header) return bad_line(1, "empty input: no header");
  if (log.transactions.empty()) return bad_line(n, "no transactions after the header");
  return log;
}

//----------------------------------------------------------------------------------------------------

Result<FitValueReport> fit_value(const ValueLog& log, std::int64_t calibration_end,
                                 std::optional<std::int64_t> holdout_end) {
  FitValueReport rep;
  rep.calibration_end = calibration_end;
  rep.transactions = log.transactions.size();
  if (holdout_end && *holdout_end < calibration_end)
    return bad_arg("the holdout end is before the calibration end");
  if (!holdout_end) {
    // The paper's design: a holdout as long as the calibration period (CDNOW: 39 weeks each). The
    // cap keeps "actual" honest: days past the data would count as zero purchases.
    const std::int64_t length = calibration_end - log.first_day + 1;  // days, both ends included
    if (length > 0 && log.last_day > calibration_end)
      holdout_end = std::min(calibration_end + length, log.last_day);
  }
  if (holdout_end && *holdout_end > calibration_end) rep.holdout_end = holdout_end;

  auto summaries = summarize_transactions(log.transactions, {TimeUnit::kDays, calibration_end, rep.holdout_end});
  if (!summaries) return summaries.status();
  const std::vector<CustomerSummary>& customers = summaries.value();
  rep.customers = customers.size();
  for (const CustomerSummary& c : customers) {
    rep.repeat_buyers += c.x > 0;
    rep.repeat_occasions += static_cast<std::size_t>(c.x);
  }

  using clock = std::chrono::steady_clock;
  const auto ms_since = [](clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  };
  auto t0 = clock::now();
  auto bgnbd = fit_bgnbd(customers);
  rep.bgnbd_ms = ms_since(t0);
  if (!bgnbd) return bgnbd.status();
  rep.bgnbd = bgnbd.value();

  // Real logs have free occasions (CDNOW: one repeat buyer whose repeat spend is $0). The spend model
  // needs spend > 0, so those customers are left out of its fit and counted, not fatal.
  std::vector<CustomerSummary> paying;
  paying.reserve(customers.size());
  for (const CustomerSummary& c : customers)
    if (c.x > 0 && c.monetary <= 0)
      ++rep.zero_spend_excluded;
    else
      paying.push_back(c);
  t0 = clock::now();
  auto gg = fit_gamma_gamma(paying);
  rep.gamma_gamma_ms = ms_since(t0);
  if (gg)
    rep.gamma_gamma = gg.value();
  else
    rep.gamma_gamma_error = gg.status();  // a log without amounts still gets its BG/NBD fit

  if (rep.holdout_end) {
    const double weeks = static_cast<double>(*rep.holdout_end - calibration_end) / 7.0;
    rep.holdout.resize(8);
    for (int x = 0; x < 8; ++x) rep.holdout[x].x = std::to_string(x) + (x == 7 ? "+" : "");
    for (const CustomerSummary& c : customers) {
      auto e = bgnbd_expected_purchases(rep.bgnbd.params, c, weeks);
      if (!e) return e.status();
      HoldoutRow& row = rep.holdout[static_cast<std::size_t>(std::min(c.x, 7))];
      ++row.customers;
      row.actual += c.holdout_x;
      row.predicted += e.value();
    }
  }
  return rep;
}

//----------------------------------------------------------------------------------------------------

namespace {

// x to `digits` significant digits, so the JSON shows what the numbers support (and 0.231, not
// 0.23100000000000001: nlohmann prints the shortest form that reads back the same).
double sig(double x, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return std::strtod(buf, nullptr);
}
// Divides by a power of ten (exact) rather than multiplying by 0.01 (inexact), so -14.28 prints as such.
double round_to(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

nlohmann::ordered_json mean_or_null(double sum, int n, int digits) {
  return n > 0 ? nlohmann::ordered_json(sig(sum / n, digits)) : nlohmann::ordered_json(nullptr);
}

}  // namespace

void print_fit_value(const FitValueReport& rep, std::ostream& out) {
  using json = nlohmann::ordered_json;  // keeps the order written here
  json j;
  j["calibration_end"] = date_of(rep.calibration_end);
  j["holdout_end"] = rep.holdout_end ? json(date_of(*rep.holdout_end)) : json(nullptr);
  j["transactions"] = rep.transactions;
  j["customers"] = rep.customers;
  j["repeat_buyers"] = rep.repeat_buyers;
  j["calibration_repeat_occasions"] = rep.repeat_occasions;
  const BgNbdFit& b = rep.bgnbd;
  j["bgnbd"] = {{"r", sig(b.params.r, 6)},
                {"alpha", sig(b.params.alpha, 6)},
                {"a", sig(b.params.a, 6)},
                {"b", sig(b.params.b, 6)},
                {"log_likelihood", round_to(b.log_likelihood, 2)},
                {"converged", b.converged},
                {"evaluations", b.evaluations},
                {"fit_ms", round_to(rep.bgnbd_ms, 1)}};
  if (rep.gamma_gamma) {
    const GammaGammaFit& g = *rep.gamma_gamma;
    j["gamma_gamma"] = {{"p", sig(g.params.p, 6)},
                        {"q", sig(g.params.q, 6)},
                        {"gamma", sig(g.params.gamma, 6)},
                        {"log_likelihood", round_to(g.log_likelihood, 2)},
                        {"customers", g.customers},
                        {"excluded_zero_spend", rep.zero_spend_excluded},
                        {"converged", g.converged},
                        {"evaluations", g.evaluations},
                        {"fit_ms", round_to(rep.gamma_gamma_ms, 1)}};
  } else {
    j["gamma_gamma"] = {
        {"error", {{"code", rep.gamma_gamma_error.code()}, {"message", rep.gamma_gamma_error.message()}}},
        {"excluded_zero_spend", rep.zero_spend_excluded}};
  }
  if (rep.holdout_end) {
    json rows = json::array();
    int customers = 0;
    double actual = 0, predicted = 0;
    for (const HoldoutRow& r : rep.holdout) {
      rows.push_back({{"x", r.x},
                      {"customers", r.customers},
                      {"actual_mean", mean_or_null(r.actual, r.customers, 4)},
                      {"predicted_mean", mean_or_null(r.predicted, r.customers, 4)}});
      customers += r.customers, actual += r.actual, predicted += r.predicted;
    }
    j["holdout"] = {
        {"start", date_of(rep.calibration_end + 1)},
        {"end", date_of(*rep.holdout_end)},
        {"weeks", round_to(static_cast<double>(*rep.holdout_end - rep.calibration_end) / 7.0, 2)},
        {"by_calibration_frequency", rows},
        {"total",
         {{"customers", customers},
          {"actual", actual},
          {"predicted", round_to(predicted, 1)},
          {"actual_mean", mean_or_null(actual, customers, 4)},
          {"predicted_mean", mean_or_null(predicted, customers, 4)},
          {"difference_pct", actual > 0 ? json(round_to(100 * (predicted - actual) / actual, 2)) : json(nullptr)}}}};
  } else {
    j["holdout"] = nullptr;
  }
  // replace: an error message may quote bytes that are not UTF-8; dump must not throw on them.
  out << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

int run_fit_value(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  // Everything below returns errors as values; the catch is the last guard against a throw from the
  // standard library (bad_alloc on an enormous log), so the command reports instead of aborting.
  try {
    auto o = parse_fit_value_options(args);
    if (!o) {
      err << "ashna-server fit-value: " << o.status().message() << "\n" << kFitValueUsage;
      return 2;
    }
    if (o->help) {
      out << kFitValueUsage;
      return 0;
    }
    std::ifstream file;
    if (o->input != "-") {
      file.open(o->input, std::ios::binary);
      if (!file) {
        err << "ashna-server fit-value: cannot open '" << o->input << "'\n";
        return 1;
      }
    }
    auto log = read_value_log(o->input == "-" ? in : file, o->format);
    if (!log) {
      err << "ashna-server fit-value: " << o->input << ": " << log.status().code() << ": "
          << log.status().message() << "\n";
      return 1;
    }
    auto report = fit_value(log.value(), o->calibration_end, o->holdout_end);
    if (!report) {
      err << "ashna-server fit-value: " << report.status().code() << ": " << report.status().message() << "\n";
      return 1;
    }
    print_fit_value(report.value(), out);
    return 0;
  } catch (const std::exception& e) {
    err << "ashna-server fit-value: internal_error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ashna::server
