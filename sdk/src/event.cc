// Event types by name, and the validation every event passes before it is kept.
#include "ashna/event.h"

#include <array>
#include <cmath>

namespace ashna {
namespace {

constexpr std::array<std::string_view, 12> kTypeNames = {
    "page_view",   "product_view", "search",      "add_to_cart",
    "remove_from_cart", "purchase", "click",     "like",
    "email_open",  "unsubscribe",  "notification_block", "store_visit",
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
  if (!std::isfinite(e.item.price) || e.item.price < 0)
    return invalid("item.price", "must be a finite number >= 0");
  if (e.type == EventType::product_view && e.item.id.empty())
    return invalid("item.id", "a product_view needs the product's id");
  return Status::ok();
}

}  // namespace ashna
