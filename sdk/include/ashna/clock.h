// HybridClock: a hybrid logical clock (Kulkarni et al., 2014) for last-writer-wins traits.
// A stamp is (ms, tick): ms follows the wall clock but never goes back, and never falls behind a
// stamp this replica has seen; tick orders writes within one ms. So a write made after seeing
// another beats it, even on a device whose clock is slow; only concurrent writes are ordered by
// wall time (then replica id). The wall time is passed in: the core reads no clock.
#pragma once

#include <cstdint>
#include <limits>

namespace ashna {

struct Stamp {
  std::int64_t ms = 0;
  std::uint32_t tick = 0;
};

class HybridClock {
 public:
  // The stamp of a local write at wall time `now`: later than every stamp sent or seen.
  Stamp next(std::int64_t now) {
    if (now > last_.ms) {
      last_ = {now, 0};
    } else if (last_.tick == std::numeric_limits<std::uint32_t>::max()) {
      last_ = {last_.ms + 1, 0};  // 4 billion writes in one ms: borrow the next one
    } else {
      ++last_.tick;
    }
    return last_;
  }
  // Takes in a stamp written elsewhere (synced, restored), so the next local write follows it.
  void observe(Stamp s) {
    if (s.ms > last_.ms || (s.ms == last_.ms && s.tick > last_.tick)) last_ = s;
  }
  Stamp last() const { return last_; }

 private:
  Stamp last_;
};

}  // namespace ashna
