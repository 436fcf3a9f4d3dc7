// Reading purchase logs (CSV) for eval-recs: the documented layout and UCI Online Retail II.
#include "purchase_log.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>

namespace ashna::server {
namespace {

Status bad_line(std::size_t line, const std::string& why) {
  return Status::error("invalid_csv", "line " + std::to_string(line) + ": " + why);
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// Column positions of one layout, found by name in the header.
struct Columns {
  std::size_t customer, ts, item, quantity, price, basket, category;
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
};

Result<Columns> find_columns(const std::vector<std::string>& header, LogFormat format) {
  auto at = [&](std::string_view name) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    return Columns::kNone;
  };
  Columns c;
  if (format == LogFormat::ashna) {
    c = {at("customer_id"), at("timestamp"), at("item_id"), at("quantity"),
         at("unit_price"),  at("basket_id"), at("category")};
  } else {
    c = {at("Customer ID"), at("InvoiceDate"), at("StockCode"), at("Quantity"),
         at("Price"),       at("Invoice"),     Columns::kNone};
  }
  const std::array<std::size_t, 5> required = {c.customer, c.ts, c.item, c.quantity, c.price};
  for (std::size_t r : required)
    if (r == Columns::kNone)
      return bad_line(1, format == LogFormat::ashna
                             ? "header must name customer_id, timestamp, item_id, quantity and unit_price"
                             : "not the UCI Online Retail II header");
  return c;
}

}  // namespace

bool split_csv(std::string_view line, std::vector<std::string>& fields) {
  fields.assign(1, std::string());
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (quoted) {
      if (ch != '"')
        fields.back() += ch;
      else if (i + 1 < line.size() && line[i + 1] == '"')
        fields.back() += '"', ++i;
      else
        quoted = false;
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      fields.emplace_back();
    } else {
      fields.back() += ch;
    }
  }
  return !quoted;
}

std::optional<std::int64_t> parse_timestamp(std::string_view t) {
  if (t.empty()) return std::nullopt;
  if (t.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t ms = 0;
    return parse_number(t, ms) ? std::optional(ms) : std::nullopt;
  }
  // YYYY-MM-DD[( |T)HH:MM[:SS]]
  if (t.size() != 10 && t.size() != 16 && t.size() != 19) return std::nullopt;
  auto field = [&](std::size_t pos, std::size_t len, int lo, int hi) -> std::optional<int> {
    int v = 0;
    if (!parse_number(t.substr(pos, len), v) || v < lo || v > hi) return std::nullopt;
    return v;
  };
  auto y = field(0, 4, 1970, 9999), mo = field(5, 2, 1, 12), d = field(8, 2, 1, 31);
  if (!y || !mo || !d || t[4] != '-' || t[7] != '-') return std::nullopt;
  std::optional<int> h = 0, mi = 0, s = 0;
  if (t.size() >= 16) {
    if ((t[10] != ' ' && t[10] != 'T') || t[13] != ':') return std::nullopt;
    h = field(11, 2, 0, 23), mi = field(14, 2, 0, 59);
  }
  if (t.size() == 19) {
    if (t[16] != ':') return std::nullopt;
    s = field(17, 2, 0, 60);
  }
  using namespace std::chrono;
  const year_month_day date{year(*y), month(static_cast<unsigned>(*mo)), day(static_cast<unsigned>(*d))};
  if (!h || !mi || !s || !date.ok()) return std::nullopt;  // ok() refuses 2010-02-30
  const std::int64_t days = sys_days(date).time_since_epoch().count();
  return ((days * 24 + *h) * 60 + *mi) * 60000 + *s * 1000LL;
}

Result<PurchaseLog> read_purchase_log(std::istream& in, LogFormat format) {
  PurchaseLog log;
  std::string line;
  std::vector<std::string> f;
  std::optional<Columns> cols;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > kMaxCsvLine) return bad_line(n, "longer than 64 KiB");
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a BOM from spreadsheet exports
    if (line.empty()) continue;
    if (!split_csv(line, f)) return bad_line(n, "unterminated quote");
    if (!cols) {
      auto c = find_columns(f, format);
      if (!c) return c.status();
      cols = c.value();
      continue;
    }
    auto get = [&](std::size_t i) -> std::string_view {
      return i < f.size() ? std::string_view(f[i]) : std::string_view();
    };
    Purchase p;
    p.customer = get(cols->customer);
    p.item = get(cols->item);
    p.basket = get(cols->basket == Columns::kNone ? f.size() : cols->basket);
    p.category = get(cols->category == Columns::kNone ? f.size() : cols->category);
    bool qty_ok = parse_number(get(cols->quantity), p.quantity);
    bool price_ok = parse_number(get(cols->price), p.unit_price) && std::isfinite(p.unit_price);
    if (format == LogFormat::uci_retail) {
      if (p.customer.size() > 2 && p.customer.compare(p.customer.size() - 2, 2, ".0") == 0)
        p.customer.resize(p.customer.size() - 2);  // "13085.0" in some exports
      if (p.customer.empty() || p.item.empty() || p.basket.rfind('C', 0) == 0 || !qty_ok || !price_ok ||
          p.quantity <= 0 || p.unit_price <= 0) {
        ++log.skipped;
        continue;
      }
    } else {
      if (p.customer.empty()) return bad_line(n, "customer_id is empty");
      if (p.item.empty()) return bad_line(n, "item_id is empty");
      if (!qty_ok || p.quantity <= 0) return bad_line(n, "quantity must be a whole number above 0");
      if (!price_ok || p.unit_price < 0) return bad_line(n, "unit_price must be a number of at least 0");
    }
    auto ts = parse_timestamp(get(cols->ts));
    if (!ts)
      return bad_line(n, "timestamp must be YYYY-MM-DD HH:MM:SS or Unix ms, got '" +
                             std::string(get(cols->ts).substr(0, 40)) + "'");
    p.ts = *ts;
    log.rows.push_back(std::move(p));
  }
  if (!cols) return bad_line(1, "empty input: no header");
  return log;
}

}  // namespace ashna::server
