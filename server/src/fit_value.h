// `ashna-server fit-value`: fits the customer-value models (BG/NBD and Gamma-Gamma, sdk value.h) to a
// transaction log and checks the BG/NBD forecast against a holdout period, the way Fader, Hardie & Lee
// (2005) validate it on CDNOW. Prints JSON. The layouts and the output are in docs/customer-value.md.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ashna/status.h"
#include "ashna/value.h"

namespace ashna::server {

enum class ValueLogFormat {
  csv,           // header naming customer_id, date, amount (any order, other columns ignored)
  cdnow_master,  // CDNOW_master.txt as published: whitespace separated, id date cds dollars
};

struct FitValueOptions {
  std::string input;  // path; "-" reads the given istream
  ValueLogFormat format = ValueLogFormat::csv;
  std::int64_t calibration_end = 0;         // day number (days since 1970-01-01), inclusive
  std::optional<std::int64_t> holdout_end;  // day number; default in fit_value()
  bool help = false;
};

// invalid_argument naming the flag on error.
Result<FitValueOptions> parse_fit_value_options(const std::vector<std::string>& args);
extern const char* const kFitValueUsage;

// `YYYY-MM-DD` or `YYYYMMDD`, a real calendar date -> days since 1970-01-01; nullopt otherwise.
std::optional<std::int64_t> parse_day(std::string_view text);

struct ValueLog {
  std::vector<Transaction> transactions;  // time in day numbers (TimeUnit::kDays)
  std::int64_t first_day = 0, last_day = 0;
};

// The log, or invalid_csv with "line N: what" for the first bad line.
Result<ValueLog> read_value_log(std::istream& in, ValueLogFormat format);

// One row of the paper's conditional-expectation check: customers with this calibration frequency.
struct HoldoutRow {
  std::string x;  // "0".."6", "7+"
  int customers = 0;
  double actual = 0, predicted = 0;  // sums over the row's customers
};

struct FitValueReport {
  std::int64_t calibration_end = 0;
  std::optional<std::int64_t> holdout_end;  // none when the data ends at the calibration end
  std::size_t transactions = 0, customers = 0, repeat_buyers = 0, repeat_occasions = 0;
  BgNbdFit bgnbd;
  double bgnbd_ms = 0;
  std::optional<GammaGammaFit> gamma_gamma;  // none when no repeat buyer has spend > 0
  Status gamma_gamma_error;                  // why it is none
  std::size_t zero_spend_excluded = 0;       // repeat buyers left out of the Gamma-Gamma fit
  double gamma_gamma_ms = 0;
  std::vector<HoldoutRow> holdout;  // 8 rows when holdout_end is set
};

// Summaries, both fits and the holdout table. holdout_end: as given, or by default as long as the
// calibration period (first day in the log .. calibration end), capped at the last day in the log.
// Errors: invalid_argument (holdout before calibration end), those of summarize_transactions and
// fit_bgnbd (degenerate_input when nobody bought by the calibration end or nobody repeated).
Result<FitValueReport> fit_value(const ValueLog& log, std::int64_t calibration_end,
                                 std::optional<std::int64_t> holdout_end);

void print_fit_value(const FitValueReport& report, std::ostream& out);

// The whole command: parse args, read (from `in` for --input -), fit, print JSON. Returns the exit
// code: 0 ok, 1 bad data, 2 bad usage; errors go to err. Nothing throws out of it.
int run_fit_value(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace ashna::server
