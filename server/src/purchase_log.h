// Purchase logs for offline evaluation: one CSV line per order line. Two layouts:
//   ashna       the documented layout (docs/recommendations-eval.md): a header naming at least
//               customer_id, timestamp, item_id, quantity, unit_price, and optionally category and
//               basket_id, in any order. Timestamp `YYYY-MM-DD HH:MM:SS` (UTC) or Unix ms. Lines of
//               one basket share basket_id, or, without that column, customer and timestamp.
//   uci_retail  UCI Online Retail II as published (Invoice,StockCode,Description,Quantity,InvoiceDate,
//               Price,Customer ID,Country), cleaned while reading as in shared/data/README.md: rows
//               without a customer, cancellations (Invoice "C..."), Quantity <= 0 or Price <= 0 are
//               skipped; basket = Invoice, item = StockCode.
// Input is untrusted: every line is checked, and the first bad one is reported with its number.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ashna/status.h"

namespace ashna::server {

struct Purchase {
  std::string customer;
  std::int64_t ts = 0;  // Unix ms, UTC
  std::string basket;   // order id; "" when the log has none (then customer + timestamp)
  std::string item;
  std::int64_t quantity = 0;  // > 0
  double unit_price = 0;      // >= 0
  std::string category;       // "" when the log has none
};

enum class LogFormat { ashna, uci_retail };

struct PurchaseLog {
  std::vector<Purchase> rows;
  std::size_t skipped = 0;  // uci_retail rows the cleaning dropped
};

constexpr std::size_t kMaxCsvLine = 64 * 1024;  // a purchase line is short; longer means garbage

// The log, or invalid_csv with "line N: what" for the first bad line (missing column, bad number or
// timestamp, unterminated quote, line over kMaxCsvLine).
Result<PurchaseLog> read_purchase_log(std::istream& in, LogFormat format);

// One CSV record (RFC 4180 quoting, "" inside quotes is a quote); false on an unterminated quote.
bool split_csv(std::string_view line, std::vector<std::string>& fields);

// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` (or with a T), read as UTC, or Unix ms as digits -> Unix ms;
// nullopt for anything else.
std::optional<std::int64_t> parse_timestamp(std::string_view text);

}  // namespace ashna::server
