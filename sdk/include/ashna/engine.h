// Engine: the facade one replica (a browser tab, a native tool) drives. It owns the profile,
// applies consent, hands out the delta the server has not acknowledged, and makes decisions.
// Time and ids come from the caller; the engine never reads a clock or a random source.
// Not thread-safe; one owner at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ashna/catalog.h"
#include "ashna/clock.h"
#include "ashna/consent.h"
#include "ashna/event.h"
#include "ashna/greeting.h"
#include "ashna/population.h"
#include "ashna/profile.h"
#include "ashna/recommend.h"
#include "ashna/site_model.h"
#include "ashna/status.h"
#include "ashna/views.h"

namespace ashna {

// What one replica has that the server has not acknowledged yet.
struct Delta {
  std::string profile_id;
  std::string replica;
  std::vector<Event> events;
  Traits traits;
  std::uint64_t upto = 0;  // highest local seq included; the server acknowledges up to it
  std::int64_t erased = 0; // an erasure (tombstone epoch, Unix ms) to apply first; 0 = none
};

struct EngineOptions {
  std::size_t max_events = 1000;  // bounded history in the browser; unacknowledged events stay
  // Events older than this many days before the newest one leave the history too (0 = no age
  // limit). What leaves is kept as a compact summary (HistorySummary), so RFM, cadence and value
  // still count it.
  int max_age_days = 730;
};

class Engine {
 public:
  Engine(std::string profile_id, std::string replica_id, EngineOptions options = {});

  // Records a new event made on this replica. Returns its local seq, or invalid_event, or
  // consent_refused when the customer chose not to be tracked.
  Result<std::uint64_t> track(Event event);
  // Sets a trait written on this replica at `now` (Unix ms), stamped by the hybrid clock so it
  // beats every write this replica has seen, whatever its wall clock says. Returns its local
  // seq, or invalid_trait, or consent_refused.
  Result<std::uint64_t> set_trait(const std::string& name, std::string value, std::int64_t now);

  // Restore what storage kept (seq as stored; 0 for data that came from the server). A restored
  // trait advances the hybrid clock past its stamp.
  Status restore_event(Event event);
  Status restore_trait(const std::string& name, Trait trait);
  // Restores the summary of what the bounded history dropped (browser storage).
  void restore_summary(HistorySummary summary) {
    changed();
    profile_.restore_summary(std::move(summary));
  }
  // Everything with seq <= upto has been acknowledged by the server.
  void ack(std::uint64_t upto);
  std::uint64_t acked() const { return acked_; }

  // A choice without personalisation or analytics forgets every event and trait at once. Use this
  // form to restore the stored choice at load; a new choice made now goes through the next one.
  void set_consent(const Consent& consent);
  // A new choice made at `now` (Unix ms): as above, and withdrawing one purpose deletes what only
  // it justified, here and, through the next sync, on the server and every device (an empty value
  // written now wins over every older write): without personalisation the name and the stated and
  // removed interests; without marketing the preferred contact channel. Returns how many traits
  // were deleted.
  int set_consent(const Consent& consent, std::int64_t now);

  // Erasure: forgets every event and trait written before `epoch` (Unix ms) and refuses them from
  // then on (a tombstone wins over everything older, whichever replica sends it later).
  // Idempotent; a later epoch replaces an earlier one. `seq` restores a stored erasure's local
  // write order (0 = a new erasure on this replica).
  void erase(std::int64_t epoch, std::uint64_t seq = 0);
  std::int64_t erased() const { return erased_; }
  Stamp clock() const { return clock_.last(); }
  std::uint64_t erase_seq() const { return erase_seq_; }
  const Consent& consent() const { return consent_; }

  // What the server has not acknowledged, oldest writes first, at most `max_entries` of them (a
  // request stays small; the rest follows in the next). Without storage consent only a pending
  // erasure (which must still reach the server); otherwise events, traits and the erasure.
  Delta pending(std::size_t max_entries = static_cast<std::size_t>(-1)) const;
  // The context's `personalise` is combined with consent: no consent, no personal greeting.
  // Views are computed for it (at context.now) unless the context brings its own.
  Greeting greeting(GreetingContext context) const;

  // The shop's catalog; replaces the item with the same id. invalid_catalog on bad input.
  Status add_catalog_item(CatalogItem item) {
    changed();
    return catalog_.add(std::move(item));
  }
  const Catalog& catalog() const { return catalog_; }
  // Breakpoints, half-life and weights; `now` is set per call.
  void set_view_options(const ViewOptions& options) {
    changed();
    view_options_ = options;
  }

  // The site's model (GET /v1/model): its RFM breakpoints replace the view options' ones, and
  // views carry the customer's value scored under it.
  void set_model(SiteModel model) {
    changed();
    view_options_.breakpoints = model.breakpoints;
    model_ = std::move(model);
  }
  const SiteModel& model() const { return model_; }
  // The site's population model (GET /v1/model "population"): recommendations then use its
  // popularity and "often bought with" (RecommendOptions::population, unless the call sets one).
  void set_population(PopulationModel population) {
    changed();
    population_ = std::move(population);
  }

  // Views at `now`. Without personalisation consent: empty views (nothing is computed).
  Views views(std::int64_t now) const;
  // Recommendations; without personalisation consent only the shop's generic list.
  std::vector<Recommendation> recommend(RecommendOptions options) const;
  Offer offer(RecommendOptions options) const;

  const Profile& profile() const { return profile_; }
  const std::string& replica() const { return replica_; }

 private:
  std::uint64_t next_seq() { return ++seq_; }
  // Applies the history bounds (count and age); true when something left the history.
  bool trim();
  // Every mutation drops the cached views.
  void changed() { cache_valid_ = false; }

  Profile profile_;
  Catalog catalog_;
  ViewOptions view_options_;
  SiteModel model_;
  PopulationModel population_;
  std::string replica_;
  EngineOptions options_;
  Consent consent_;
  std::uint64_t seq_ = 0;
  std::uint64_t acked_ = 0;
  std::int64_t erased_ = 0;  // tombstone epoch, 0 = never erased
  std::uint64_t erase_seq_ = 0;  // local seq of the last erase(); pending until acknowledged
  HybridClock clock_;
  // A page asks for the greeting, the views and recommendations at one `now`: compute once.
  mutable Views cache_;
  mutable std::int64_t cache_now_ = 0;
  mutable bool cache_valid_ = false;
};

}  // namespace ashna
