// Event types by name, and the validation every event passes before it is kept.
#include "ashna/event.h"

#include <array>
#include <cmath>

namespace ashna {
namespace {

constexpr std::array<std::string_view, 14> kTypeNames = {
    "page_view",   "product_view", "search",      "add_to_cart",
    "remove_from_cart", "purchase", "click",     "like",
    "email_open",  "unsubscribe",  "notification_block", "store_visit",
    "exposure",    "not_interested",
};

Status invalid(std::string_view field, std::string_view why) {
  return Status::error("invalid_event", "event." + std::string(field) + ": " + std::string(why));
}

Status check_length(std::string_view field, const std::string& value, std::size_t max) {
  if (value.size() > max)
    return invalid(field, "longer than " + std::to_string(max) + " bytes");
  return Status::ok();
}

}  // namespace

std::optional<EventType> parse_event_type(std::string_view name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i)
    if (kTypeNames[i] == name) return static_cast<EventType>(i);
  return std::nullopt;
}

std::string_view to_string(EventType type) {
  return kTypeNames[static_cast<std::size_t>(type)];
}

Status validate(const Event& e) {
  if (e.id.empty()) return invalid("id", "must not be empty");
  if (auto s = check_length("id", e.id, EventLimits::kMaxId); !s) return s;
  if (e.ts < EventLimits::kMinTs || e.ts > EventLimits::kMaxTs)
    return invalid("ts", "must be Unix milliseconds between 2000 and 2100, got " +
                             std::to_string(e.ts));
  if (e.channel.empty()) return invalid("channel", "must not be empty");
  if (auto s = check_length("channel", e.channel, EventLimits::kMaxChannel); !s) return s;
  if (auto s = check_length("item.id", e.item.id, EventLimits::kMaxId); !s) return s;
  if (auto s = check_length("item.title", e.item.title, EventLimits::kMaxText); !s) return s;
  if (auto s = check_length("item.category", e.item.category, EventLimits::kMaxText); !s) return s;
  if (auto s = check_length("path", e.path, EventLimits::kMaxText); !s) return s;
  if (auto s = check_length("props", e.props, EventLimits::kMaxProps); !s) return s;
  if (!std::isfinite(e.item.price) || e.item.price < 0 || e.item.price > EventLimits::kMaxPrice)
    return invalid("item.price", "must be a finite number from 0 to 1e9");
  if (e.type == EventType::product_view && e.item.id.empty())
    return invalid("item.id", "a product_view needs the product's id");
  if (e.type == EventType::not_interested && e.item.id.empty())
    return invalid("item.id", "a not_interested needs the product's id");
  if (auto s = check_length("currency", e.currency, 3); !s) return s;
  if (e.lines.size() > EventLimits::kMaxLines)
    return invalid("lines", "at most " + std::to_string(EventLimits::kMaxLines) + " lines");
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    const Line& l = e.lines[i];
    std::string at = "lines[" + std::to_string(i) + "]";
    if (l.item.id.empty()) return invalid(at + ".id", "must not be empty");
    if (auto s = check_length(at + ".id", l.item.id, EventLimits::kMaxId); !s) return s;
    if (auto s = check_length(at + ".title", l.item.title, EventLimits::kMaxText); !s) return s;
    if (auto s = check_length(at + ".category", l.item.category, EventLimits::kMaxText); !s) return s;
    if (l.quantity < 1 || l.quantity > EventLimits::kMaxQuantity)
      return invalid(at + ".qty", "must be 1 to " + std::to_string(EventLimits::kMaxQuantity));
    if (!std::isfinite(l.item.price) || l.item.price < 0 || l.item.price > EventLimits::kMaxPrice)
      return invalid(at + ".price", "must be a finite number from 0 to 1e9");
  }
  if (e.type == EventType::purchase && e.lines.empty())
    return invalid("lines", "a purchase needs at least one line (or an item)");
  return Status::ok();
}

void normalize(Event& e) {
  bool has_lines = e.type == EventType::purchase || e.type == EventType::add_to_cart ||
                   e.type == EventType::remove_from_cart;
  if (has_lines && e.lines.empty() && !e.item.id.empty()) e.lines.push_back({e.item, 1});
}

double line_total(const Event& e) {
  double total = 0;
  for (const Line& l : e.lines) total += l.item.price * static_cast<double>(l.quantity);
  return total;
}

}  // namespace ashna
