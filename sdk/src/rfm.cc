// RFM: recency, frequency and monetary value of a customer's orders, scored 1-5 and named.
#include "ashna/views.h"

#include <algorithm>

namespace ashna {
namespace {

template <class T>
int score_at_least(T value, const T (&bounds)[4]) {
  int s = 1;
  for (T b : bounds) s += value >= b ? 1 : 0;
  return s;
}

// The classic segment grid on recency and frequency (monetary refines offers, not the segment).
std::string segment(int r, int f, int orders) {
  if (r >= 4) {
    if (f >= 4) return "champions";
    if (f == 3) return "loyal";
    return orders == 1 ? "new" : "potential_loyalist";
  }
  if (r == 3) return f >= 3 ? "loyal" : "potential_loyalist";
  if (f >= 4) return "cant_lose";
  if (f == 3) return "at_risk";
  return r == 2 ? "hibernating" : "lost";
}

}  // namespace

Rfm compute_rfm(const Profile& profile, const ViewOptions& o) {
  Rfm out;
  std::int64_t last = 0;
  for (const Event& e : profile.events()) {
    if (e.type != EventType::purchase || e.ts > o.now) continue;
    ++out.orders;
    out.monetary += line_total(e);
    last = e.ts;  // events are ordered by time
  }
  // What the bounded history dropped still counts (oldest first, so `last` stays the newest).
  for (const HistorySummary::Day& d : profile.summary().purchases) {
    if (d.day * kDayMs > o.now) continue;
    out.orders += d.orders;
    out.monetary += d.spend;
    last = std::max(last, d.day * kDayMs);
  }
  if (out.orders == 0) return out;
  out.recency_days = (o.now - last) / kDayMs;
  return score_rfm(out, o.breakpoints);
}

Rfm score_rfm(Rfm rfm, const RfmBreakpoints& breakpoints) {
  if (rfm.orders == 0) return rfm;
  int r = 1;
  for (std::int64_t b : breakpoints.recency_days) r += rfm.recency_days <= b ? 1 : 0;
  rfm.r = r;
  rfm.f = score_at_least(rfm.orders, breakpoints.frequency);
  rfm.m = score_at_least(rfm.monetary, breakpoints.monetary);
  rfm.segment = segment(rfm.r, rfm.f, rfm.orders);
  return rfm;
}

}  // namespace ashna
