// Engine: consent gates, local write order (seq) and acknowledgement bookkeeping.
#include "ashna/engine.h"
#include "sort.h"

#include <algorithm>
#include <utility>

namespace ashna {
namespace {

Status erased_before(std::string_view what) {
  return Status::error("erased", std::string(what) + " is older than the profile's erasure and is not kept");
}

Status consent_refused(std::string_view what) {
  return Status::error("consent_refused",
                       std::string(what) + " not kept: the customer allowed neither "
                                           "personalisation nor analytics");
}

}  // namespace

Engine::Engine(std::string profile_id, std::string replica_id, EngineOptions options)
    : profile_(std::move(profile_id)), replica_(std::move(replica_id)), options_(options) {}

Result<std::uint64_t> Engine::track(Event event) {
  if (!consent_.allows_tracking()) return consent_refused("event");
  normalize(event);
  if (Status s = validate(event); !s) return s;
  if (event.ts < erased_) return erased_before("event");
  if (profile_.has_event(event.id)) return event.seq;  // idempotent: same id, same fact
  event.seq = next_seq();
  std::uint64_t seq = event.seq;
  changed();
  profile_.add_event(std::move(event));
  trim();
  return seq;
}

Result<std::uint64_t> Engine::set_trait(const std::string& name, std::string value,
                                        std::int64_t now) {
  if (!consent_.allows_tracking()) return consent_refused("trait");
  Trait t{std::move(value), now, replica_, 0};
  if (Status s = validate_trait(name, t); !s) return s;
  const Stamp stamp = clock_.next(now);  // never before the erasure: erase() observed it
  t.ts = stamp.ms, t.tick = stamp.tick;
  t.seq = next_seq();
  std::uint64_t seq = t.seq;
  changed();
  profile_.set_trait(name, std::move(t));
  return seq;
}

Status Engine::restore_event(Event event) {
  normalize(event);
  if (Status s = validate(event); !s) return s;
  if (event.ts < erased_) return erased_before("event");
  if (event.seq > seq_) seq_ = event.seq;
  changed();
  profile_.add_event(std::move(event));
  trim();
  return Status::ok();
}

Status Engine::restore_trait(const std::string& name, Trait trait) {
  if (Status s = validate_trait(name, trait); !s) return s;
  if (trait.ts < erased_) return erased_before("trait");
  if (trait.seq > seq_) seq_ = trait.seq;
  clock_.observe({trait.ts, trait.tick});
  changed();
  profile_.set_trait(name, std::move(trait));
  return Status::ok();
}

void Engine::ack(std::uint64_t upto) {
  if (upto > seq_) upto = seq_;  // never acknowledge what was not written yet
  if (upto > acked_) acked_ = upto;
  if (trim()) changed();
}

bool Engine::trim() {
  const auto& events = profile_.events();
  // The newest event stands in for "now": the engine has no clock.
  const std::int64_t min_ts = options_.max_age_days > 0 && !events.empty()
                                  ? events.back().ts - options_.max_age_days * 24LL * 3600 * 1000
                                  : 0;
  return profile_.trim(options_.max_events, acked_, min_ts) > 0;
}

void Engine::set_consent(const Consent& consent) {
  changed();
  consent_ = consent;
  if (!consent_.allows_tracking()) profile_.clear();
}

int Engine::set_consent(const Consent& consent, std::int64_t now) {
  const Consent before = consent_;
  set_consent(consent);
  if (!consent_.allows_storage()) return 0;  // nothing kept at all, or cleared just now
  auto only_for = [&](std::string_view name) {
    const bool personal = name == "name" || name.substr(0, 9) == "interest:";
    if (personal) return before.personalisation && !consent_.personalisation;
    return name == "channel" && before.marketing && !consent_.marketing;
  };
  std::vector<std::string> doomed;
  for (const auto& [name, trait] : profile_.traits())
    if (!trait.value.empty() && only_for(name)) doomed.push_back(name);
  for (const std::string& name : doomed) set_trait(name, "", now);
  return static_cast<int>(doomed.size());
}

void Engine::erase(std::int64_t epoch, std::uint64_t seq) {
  if (epoch <= erased_) return;
  erased_ = epoch;
  clock_.observe({epoch, 0});
  if (seq > seq_) seq_ = seq;
  erase_seq_ = seq ? seq : next_seq();
  changed();
  profile_.erase_before(epoch);
}

Delta Engine::pending(std::size_t max_entries) const {
  Delta d{profile_.id(), replica_, {}, {}, 0, 0};
  // Everything unacknowledged in local write order, so that an ack of `upto` covers exactly what
  // was sent, however the entries are split across requests.
  struct Entry {
    std::uint64_t seq;
    const Event* event;                                // or
    const std::pair<const std::string, Trait>* trait;  // or neither: the erasure
  };
  std::vector<Entry> order;
  if (erase_seq_ > acked_) order.push_back({erase_seq_, nullptr, nullptr});
  if (consent_.allows_storage()) {
    for (const Event& e : profile_.events())
      if (e.seq > acked_) order.push_back({e.seq, &e, nullptr});
    for (const auto& entry : profile_.traits())
      if (entry.second.seq > acked_) order.push_back({entry.second.seq, nullptr, &entry});
  }
  sort(order, [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
  if (order.size() > max_entries) order.resize(max_entries);
  for (const Entry& x : order) {
    d.upto = x.seq;
    if (x.event) d.events.push_back(*x.event);
    else if (x.trait) d.traits.emplace(x.trait->first, x.trait->second);
    else d.erased = erased_;
  }
  return d;
}

Greeting Engine::greeting(GreetingContext context) const {
  context.personalise = context.personalise && consent_.allows_personalisation();
  Views v;
  if (context.personalise && !context.views) {
    v = views(context.now);
    context.views = &v;
  }
  if (!context.catalog) context.catalog = &catalog_;
  return make_greeting(profile_, context);
}

Views Engine::views(std::int64_t now) const {
  if (!consent_.allows_personalisation()) return {};
  if (!cache_valid_ || cache_now_ != now) {
    ViewOptions o = view_options_;
    o.now = now;
    cache_ = compute_views(profile_, catalog_, o);
    cache_.value = score_customer(profile_, model_, now);
    cache_now_ = now;
    cache_valid_ = true;
  }
  return cache_;
}

std::vector<Recommendation> Engine::recommend(RecommendOptions options) const {
  if (!options.population && population_.baskets > 0) options.population = &population_;
  // Without consent the profile is not used: an empty profile gets the shop's generic list, and
  // what this visitor was shown does not change it either.
  if (!consent_.allows_personalisation()) {
    options.personalise = false;
    return ashna::recommend(Profile(""), Views{}, catalog_, options);
  }
  return ashna::recommend(profile_, views(options.now), catalog_, options);
}

Offer Engine::offer(RecommendOptions options) const {
  if (!options.population && population_.baskets > 0) options.population = &population_;
  options.personalise = options.personalise && consent_.allows_personalisation();
  return loyalty_offer(profile_, options.personalise ? views(options.now) : Views{}, catalog_, options);
}

}  // namespace ashna
