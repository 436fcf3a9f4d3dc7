// Event: something the customer did. Events are immutable facts with a unique id (so applying
// one twice changes nothing), a timestamp in Unix milliseconds and a channel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ashna/status.h"

namespace ashna {

enum class EventType : std::uint8_t {
  page_view,
  product_view,
  search,
  add_to_cart,
  remove_from_cart,
  purchase,
  click,
  like,
  email_open,
  unsubscribe,
  notification_block,
  store_visit,
  exposure,  // a variation of an experiment was shown: props {"experiment": key, "variation": n}
  not_interested,  // the customer dismissed an item ("not for me"): item.id; a negative signal
};

// "product_view" -> EventType::product_view; nullopt for anything else.
std::optional<EventType> parse_event_type(std::string_view name);
std::string_view to_string(EventType type);

// Limits that keep one event small; a browser keeps hundreds and syncs them often.
struct EventLimits {
  static constexpr std::size_t kMaxId = 128;
  static constexpr std::size_t kMaxChannel = 32;
  static constexpr std::size_t kMaxText = 512;        // titles, categories, paths
  static constexpr std::size_t kMaxProps = 4096;      // serialized JSON object
  static constexpr std::size_t kMaxLines = 100;       // lines in one order or cart event
  static constexpr std::int64_t kMaxQuantity = 100000;
  static constexpr double kMaxPrice = 1e9;
  // 2000-01-01 .. 2100-01-01: anything outside is a unit error (seconds vs ms) or garbage.
  static constexpr std::int64_t kMinTs = 946684800000;
  static constexpr std::int64_t kMaxTs = 4102444800000;
};

struct Item {
  std::string id;
  std::string title;
  std::string category;  // path, "coffee/single-origin"
  double price = 0;      // unit price in the shop's currency; 0 when unknown
};

// One line of an order (or a cart change): the item, with its unit price, and how many.
struct Line {
  Item item;
  std::int64_t quantity = 1;
};

struct Event {
  std::string id;
  EventType type = EventType::page_view;
  std::int64_t ts = 0;            // Unix ms
  std::string channel = "web";
  Item item;                      // empty id when the event is not about an item
  std::vector<Line> lines;        // purchase / cart lines; see normalize()
  std::string currency;           // ISO 4217 for prices in this event, "" = the shop's
  std::string path;               // page path for page views
  std::string props;              // a JSON object as text ("" = none); kept, not interpreted
  std::uint64_t seq = 0;          // local write order on the replica that holds it; not synced
};

// ok, or invalid_event with the offending field named ("event.ts: ...").
Status validate(const Event& event);

// A purchase or cart event given with `item` and no lines becomes one line of quantity 1, so the
// views read orders one way. Call before validate().
void normalize(Event& event);

// Total value of the event's lines (unit price x quantity).
double line_total(const Event& event);

}  // namespace ashna
