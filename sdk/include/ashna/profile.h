// Profile: one replica's copy of what is known about one customer. Merging is a state-based CRDT:
// events are a grow-only set keyed by id, traits are last-writer-wins registers ordered by
// (hybrid logical clock stamp, replica id): see clock.h. Applying the same data twice, or in any order, gives the same profile.
// Not thread-safe; one owner at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <set>
#include <vector>

#include "ashna/event.h"
#include "ashna/status.h"

namespace ashna {

struct Trait {
  std::string value;
  std::int64_t ts = 0;       // hybrid clock ms of the write: Unix ms, or later (clock.h)
  std::string replica;       // writer's replica id; breaks ties between equal stamps
  std::uint64_t seq = 0;     // local write order on the replica that holds it; not synced
  std::uint32_t tick = 0;    // hybrid clock counter: orders writes within one ts
};

// Traits by name; transparent comparison so lookups by string_view do not allocate.
using Traits = std::map<std::string, Trait, std::less<>>;

// True when `incoming` should replace `current` under last-writer-wins.
bool lww_wins(const Trait& incoming, const Trait& current);

// The traits a customer (or the shop) may set, and their limits.
struct TraitLimits {
  static constexpr std::size_t kMaxName = 64;
  static constexpr std::size_t kMaxValue = 256;
};
// ok, or invalid_trait naming the problem. Names: "name", "locale", "channel", and
// "interest:<category or tag>" with value "+" (the customer said they like it) or "-" (removed:
// never use it again, whatever old events say). Interests are thus a last-writer-wins element
// set that syncs like any trait.
Status validate_trait(std::string_view name, const Trait& trait);
constexpr std::string_view kInterestPrefix = "interest:";

// What a bounded history dropped (Profile::trim), kept so a long-lived customer keeps their RFM,
// purchase cadence and value: purchase occasions by day, and the recent purchase days of each item
// and category. Local to one replica and never synced (the server keeps every event).
struct HistorySummary {
  struct Day {
    std::int64_t day = 0;  // UTC day number (Unix ms / kDayMs)
    int orders = 0;        // purchase events that day
    double spend = 0;      // their value
  };
  // Purchase days kept per item and category: enough for a median interval and full confidence.
  static constexpr std::size_t kDaysPerKey = 12;

  std::int64_t events = 0;  // events folded in, of every type
  std::int64_t until = 0;   // ts of the newest folded event: older arrivals are not kept (add_event)
  std::vector<Day> purchases;  // by day, oldest first; one entry per distinct purchase day
  std::map<std::string, std::vector<std::int64_t>, std::less<>> item_days, category_days;

  bool empty() const { return events == 0; }
  // Adds one event that leaves the history (its lines' categories as given on the event).
  void fold(const Event& event);
};

class Profile {
 public:
  explicit Profile(std::string id) : id_(std::move(id)) {}

  const std::string& id() const { return id_; }

  // Adds the event unless one with the same id is already present, or it came from elsewhere
  // (seq 0) and is older than the summary of dropped events (HistorySummary::until). Returns
  // true when added.
  // Events stay ordered by (ts, id).
  bool add_event(Event event);
  // Applies last-writer-wins. Returns true when the trait changed.
  bool set_trait(const std::string& name, Trait trait);

  const std::vector<Event>& events() const { return events_; }
  const Traits& traits() const { return traits_; }
  // nullptr when unset.
  const Trait* trait(std::string_view name) const;
  // Value of a trait, or "" when unset.
  std::string_view trait_value(std::string_view name) const;
  // Explicit interests: "+" added, "-" removed; keys without the prefix.
  std::vector<std::string> interests(char state) const;
  bool has_event(std::string_view id) const { return ids_.find(id) != ids_.end(); }

  // Keeps at most `max_events`, and none older than `min_ts` (0 = no age limit), dropping the
  // oldest among those with seq 0 or seq <= `protect_after_seq` (acknowledged ones) into the
  // summary. Returns how many were dropped.
  std::size_t trim(std::size_t max_events, std::uint64_t protect_after_seq, std::int64_t min_ts = 0);
  const HistorySummary& summary() const { return summary_; }
  // Restores a stored summary (browser storage), replacing the current one.
  void restore_summary(HistorySummary summary) { summary_ = std::move(summary); }
  // Forgets every event, trait and the summary (the id stays).
  void clear();
  // Forgets events and traits older than `epoch` (Unix ms): erasure.
  void erase_before(std::int64_t epoch);

 private:
  std::string id_;
  std::vector<Event> events_;
  // A tree, not a hash set: the browser build has tree code already (std::map); hashing adds KBs.
  std::set<std::string, std::less<>> ids_;
  Traits traits_;
  HistorySummary summary_;
};

}  // namespace ashna
