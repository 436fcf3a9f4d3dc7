// Profile merge rules: grow-only event set, last-writer-wins traits.
#include "ashna/profile.h"

#include <algorithm>
#include <array>

namespace ashna {
namespace {

bool event_before(const Event& a, const Event& b) {
  return a.ts != b.ts ? a.ts < b.ts : a.id < b.id;
}

constexpr std::array<std::string_view, 3> kKnownTraits = {"name", "locale", "channel"};

}  // namespace

bool lww_wins(const Trait& incoming, const Trait& current) {
  if (incoming.ts != current.ts) return incoming.ts > current.ts;
  if (incoming.tick != current.tick) return incoming.tick > current.tick;
  if (incoming.replica != current.replica) return incoming.replica > current.replica;
  // Same writer, same stamp (two hand-made writes): order by value so every replica picks the same one.
  return incoming.value > current.value;
}

Status validate_trait(std::string_view name, const Trait& t) {
  if (name.substr(0, kInterestPrefix.size()) == kInterestPrefix) {
    std::size_t key = name.size() - kInterestPrefix.size();
    if (key == 0 || key > TraitLimits::kMaxName)
      return Status::error("invalid_trait", "an interest needs a category or tag of 1 to 64 bytes");
    // "" is a statement withdrawn with the consent that justified it (Engine::set_consent).
    if (t.value != "+" && t.value != "-" && !t.value.empty())
      return Status::error("invalid_trait", "interest '" + std::string(name.substr(kInterestPrefix.size())) +
                                                "' must be \"+\" (interested), \"-\" (removed) or \"\" (forgotten)");
  } else if (std::find(kKnownTraits.begin(), kKnownTraits.end(), name) == kKnownTraits.end()) {
    return Status::error("invalid_trait", "trait '" + std::string(name.substr(0, 64)) +
                                              "' is not one of name, locale, channel, interest:<key>");
  }
  if (t.value.size() > TraitLimits::kMaxValue)
    return Status::error("invalid_trait", "trait '" + std::string(name) + "' is longer than " +
                                              std::to_string(TraitLimits::kMaxValue) + " bytes");
  if (t.ts < EventLimits::kMinTs || t.ts > EventLimits::kMaxTs)
    return Status::error("invalid_trait", "trait '" + std::string(name) +
                                              "': ts must be Unix milliseconds between 2000 and 2100");
  if (t.replica.empty() || t.replica.size() > EventLimits::kMaxId)
    return Status::error("invalid_trait", "trait '" + std::string(name) +
                                              "': replica must be 1 to 128 bytes");
  return Status::ok();
}

bool Profile::add_event(Event event) {
  // From elsewhere (seq 0) and older than what the bounded history already summarized: it may be
  // one of the summarized events coming back (a down-sync after identify), so it is not counted
  // twice. The server keeps it; this replica's views only miss it if it is really new and that
  // old. This replica's own events (seq > 0) are always kept: one not yet acknowledged may be
  // older than events already summarized.
  if (!summary_.empty() && event.seq == 0 && event.ts < summary_.until) return false;
  if (!ids_.insert(event.id).second) return false;
  auto at = std::upper_bound(events_.begin(), events_.end(), event, event_before);
  events_.insert(at, std::move(event));
  return true;
}

bool Profile::set_trait(const std::string& name, Trait trait) {
  auto it = traits_.find(name);
  if (it != traits_.end() && !lww_wins(trait, it->second)) return false;
  traits_[name] = std::move(trait);
  return true;
}

const Trait* Profile::trait(std::string_view name) const {
  auto it = traits_.find(name);
  return it == traits_.end() ? nullptr : &it->second;
}

std::string_view Profile::trait_value(std::string_view name) const {
  const Trait* t = trait(name);
  return t ? std::string_view(t->value) : std::string_view();
}

std::vector<std::string> Profile::interests(char state) const {
  std::vector<std::string> out;
  for (auto it = traits_.lower_bound(std::string(kInterestPrefix));
       it != traits_.end() && it->first.compare(0, kInterestPrefix.size(), kInterestPrefix) == 0; ++it)
    if (it->second.value.size() == 1 && it->second.value[0] == state) out.push_back(it->first.substr(kInterestPrefix.size()));
  return out;
}

void HistorySummary::fold(const Event& e) {
  ++events;
  until = std::max(until, e.ts);
  if (e.type != EventType::purchase) return;
  const std::int64_t day = e.ts / (24LL * 3600 * 1000);
  auto at = std::lower_bound(purchases.begin(), purchases.end(), day,
                             [](const Day& d, std::int64_t v) { return d.day < v; });
  if (at == purchases.end() || at->day != day) at = purchases.insert(at, Day{day, 0, 0});
  ++at->orders;
  at->spend += line_total(e);
  auto remember = [day](std::vector<std::int64_t>& days) {
    auto pos = std::lower_bound(days.begin(), days.end(), day);
    if (pos != days.end() && *pos == day) return;
    days.insert(pos, day);
    if (days.size() > kDaysPerKey) days.erase(days.begin());  // the oldest says least
  };
  for (const Line& l : e.lines) {
    remember(item_days[l.item.id]);
    if (!l.item.category.empty()) remember(category_days[l.item.category]);
  }
}

std::size_t Profile::trim(std::size_t max_events, std::uint64_t protect_after_seq, std::int64_t min_ts) {
  const std::size_t excess = events_.size() > max_events ? events_.size() - max_events : 0;
  if (excess == 0 && (min_ts == 0 || events_.empty() || events_.front().ts >= min_ts)) return 0;
  std::size_t dropped = 0;
  std::vector<Event> kept;
  kept.reserve(events_.size());
  // Oldest first (too many, or too old); an event the server has not acknowledged is never dropped.
  for (Event& e : events_) {
    const bool droppable = e.seq == 0 || e.seq <= protect_after_seq;
    if (droppable && (dropped < excess || e.ts < min_ts)) {
      ids_.erase(e.id);
      summary_.fold(e);
      ++dropped;
    } else {
      kept.push_back(std::move(e));
    }
  }
  events_ = std::move(kept);
  return dropped;
}

void Profile::erase_before(std::int64_t epoch) {
  std::vector<Event> kept;
  for (Event& e : events_) {
    if (e.ts < epoch) ids_.erase(e.id);
    else kept.push_back(std::move(e));
  }
  events_ = std::move(kept);
  for (auto it = traits_.begin(); it != traits_.end();)
    it = it->second.ts < epoch ? traits_.erase(it) : std::next(it);
  // The summary goes by whole days: a day that began before the epoch is erased entirely.
  const std::int64_t first_day = (epoch + 24LL * 3600 * 1000 - 1) / (24LL * 3600 * 1000);
  auto& days = summary_.purchases;
  days.erase(std::remove_if(days.begin(), days.end(), [&](const HistorySummary::Day& d) { return d.day < first_day; }),
             days.end());
  for (auto* by_key : {&summary_.item_days, &summary_.category_days})
    for (auto it = by_key->begin(); it != by_key->end();) {
      auto& v = it->second;
      v.erase(std::remove_if(v.begin(), v.end(), [&](std::int64_t d) { return d < first_day; }), v.end());
      it = v.empty() ? by_key->erase(it) : std::next(it);
    }
  if (summary_.until < epoch) summary_ = {};
}

void Profile::clear() {
  events_.clear();
  ids_.clear();
  traits_.clear();
  summary_ = {};
}

}  // namespace ashna
