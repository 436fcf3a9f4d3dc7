// The sync laws, by brute force: 10,000 random schedules of edits on 3 replicas and a server,
// with deltas duplicated, reordered and dropped-then-retried, erasures included. After the
// network settles, every replica holds exactly the server's profile. The replicas are real
// Engines merging through the same restore/erase calls the browser and server use. Replicas'
// clocks are skewed (up to an hour either way): the hybrid clock keeps a write made after seeing
// another one the winner, whatever the writer's wall clock says.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

#include "ashna/engine.h"

using namespace ashna;

namespace {

constexpr std::int64_t T0 = 1790000000000;

// A message on the wire: a replica's delta up, or the server's state down.
struct Message {
  int to;  // -1 = server, else replica index
  std::vector<Event> events;
  Traits traits;
  std::int64_t erased = 0;
  std::uint64_t upto = 0;  // for acks: the sender's seq covered
  int from = -1;
};

void apply(Engine& e, const Message& m) {
  if (m.erased) e.erase(m.erased);
  for (Event ev : m.events) {
    ev.seq = 0;  // received data is acknowledged data on the receiver
    (void)e.restore_event(ev);  // an event older than the tombstone is refused: that is the law
  }
  for (auto [name, t] : m.traits) {
    t.seq = 0;
    (void)e.restore_trait(name, t);
  }
}

Message snapshot_of(const Engine& e, int to) {
  Message m{to, e.profile().events(), e.profile().traits(), e.erased(), 0, -1};
  return m;
}

// What a profile is, for comparison: event ids and trait values.
std::pair<std::set<std::string>, std::map<std::string, std::string>> state(const Engine& e) {
  std::set<std::string> ids;
  for (const Event& ev : e.profile().events()) ids.insert(ev.id);
  std::map<std::string, std::string> traits;
  for (const auto& [k, t] : e.profile().traits()) traits[k] = t.value;
  return {ids, traits};
}

}  // namespace

TEST_CASE("10,000 random schedules on 3 replicas all converge to the server's state", "[crdt][property]") {
  constexpr int kSchedules = 10000, kReplicas = 3;
  int erasures = 0, duplicates = 0, drops = 0, slow_writes = 0;
  for (int schedule = 0; schedule < kSchedules; ++schedule) {
    std::mt19937 rng(static_cast<unsigned>(schedule));
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    std::vector<Engine> replicas;
    for (int r = 0; r < kReplicas; ++r) {
      replicas.emplace_back("p", "r" + std::to_string(r));
      replicas.back().set_consent(Consent::accept_all());
    }
    Engine server("p", "server");
    server.set_consent(Consent::accept_all());
    std::vector<Message> wire;
    int ids = 0;
    std::int64_t clock = T0;
    // Half the schedules have devices whose clocks are off by up to an hour.
    std::int64_t skew[kReplicas] = {};
    if (pick(2))
      for (auto& s : skew) s = static_cast<std::int64_t>(pick(7200001)) - 3600000;

    const int steps = 10 + pick(30);
    for (int step = 0; step < steps; ++step) {
      clock += pick(5000);  // replicas' clocks are close but not equal: ties happen
      int r = pick(kReplicas);
      switch (pick(9)) {
        case 0: case 1: case 2: {  // a new event, sometimes with an old timestamp (offline device)
          Event ev;
          ev.id = "e" + std::to_string(schedule) + "-" + std::to_string(ids++);
          ev.ts = clock + skew[r] - (pick(4) == 0 ? pick(20000) : 0);
          (void)replicas[r].track(ev);
          break;
        }
        case 3: {  // a trait write; same ms on different replicas exercises the tie-break
          std::string values[] = {"Ana", "Ava", "Bo"};
          const char* name = pick(2) ? "name" : "locale";
          const std::string& value = values[pick(3)];
          const std::int64_t now = clock + skew[r] - pick(3);
          if (pick(2)) apply(replicas[r], snapshot_of(server, r));  // often right after a sync
          const Trait* seen = replicas[r].profile().trait(name);
          if (seen && seen->ts > now) ++slow_writes;
          // The customer's latest edit on this device is what this device shows, even when its
          // clock is behind a write it has already received.
          if (replicas[r].set_trait(name, value, now))
            REQUIRE(replicas[r].profile().trait_value(name) == value);
          break;
        }
        case 4:
          if (pick(6) == 0) {
            replicas[r].erase(clock + skew[r] - pick(3000));
            ++erasures;
          }
          break;
        case 5: case 6: {  // replica sends its pending delta up
          Delta d = replicas[r].pending();
          if (!d.upto) break;
          Message m{-1, d.events, d.traits, d.erased, d.upto, r};
          wire.push_back(m);
          if (pick(4) == 0) wire.push_back(m), ++duplicates;
          break;
        }
        case 7: {  // server sends its state down to a replica
          wire.push_back(snapshot_of(server, r));
          break;
        }
        default: {  // the network delivers one message, in any order; some are lost
          if (wire.empty()) break;
          std::size_t i = rng() % wire.size();
          Message m = wire[i];
          wire.erase(wire.begin() + static_cast<std::ptrdiff_t>(i));
          if (pick(6) == 0) {
            ++drops;  // lost: the sender never sees an ack, so its delta stays pending and is resent
            break;
          }
          if (m.to < 0) {
            apply(server, m);
            replicas[m.from].ack(m.upto);  // the ack arrives (acks may also be late; harmless)
          } else {
            apply(replicas[m.to], m);
          }
        }
      }
    }
    // Settle: deliver everything left (in a shuffled order), resend what is still pending, then
    // one exchange with the server for everyone.
    std::shuffle(wire.begin(), wire.end(), rng);
    for (const Message& m : wire) {
      if (m.to < 0) apply(server, m);
      else apply(replicas[m.to], m);
    }
    for (auto& r : replicas) {
      Delta d = r.pending();
      apply(server, Message{-1, d.events, d.traits, d.erased, d.upto, 0});
    }
    for (int r = 0; r < kReplicas; ++r) apply(replicas[r], snapshot_of(server, r));

    auto expected = state(server);
    for (int r = 0; r < kReplicas; ++r) {
      if (state(replicas[r]) != expected) {
        FAIL("schedule " << schedule << ": replica " << r << " differs from the server");
      }
    }
  }
  // The schedules did exercise what they claim to.
  CHECK(erasures > 1000);
  CHECK(duplicates > 1000);
  CHECK(drops > 1000);
  CHECK(slow_writes > 100);  // writes on a device whose clock was behind what it had seen (~200)
}

TEST_CASE("applying the same delta twice, or two deltas in either order, gives the same profile", "[crdt]") {
  Engine a("p", "ra"), b("p", "rb");
  for (Engine* e : {&a, &b}) e->set_consent(Consent::accept_all());
  Event x;
  x.id = "x";
  x.ts = T0;
  Event y = x;
  y.id = "y";
  y.ts = T0 + 1;
  Message m1{0, {x}, {{"name", {"Ana", T0, "r1", 0}}}, 0, 0, 0};
  Message m2{0, {y}, {{"name", {"Bo", T0, "r2", 0}}}, 0, 0, 0};
  apply(a, m1), apply(a, m2), apply(a, m1);
  apply(b, m2), apply(b, m1), apply(b, m2);
  CHECK(state(a) == state(b));
  CHECK(a.profile().trait_value("name") == "Bo");  // equal ts: the larger replica id wins
}

TEST_CASE("a write made after seeing another wins, even on a device whose clock is an hour slow", "[crdt][hlc]") {
  Engine fast("p", "ra"), slow("p", "rb"), server("p", "server");
  for (Engine* e : {&fast, &slow, &server}) e->set_consent(Consent::accept_all());
  constexpr std::int64_t hour = 3600000;
  REQUIRE(fast.set_trait("name", "Ana", T0 + hour));  // the fast device's clock is an hour ahead
  apply(server, snapshot_of(fast, -1));
  apply(slow, snapshot_of(server, 1));                 // the slow device receives it...
  REQUIRE(slow.profile().trait_value("name") == "Ana");
  REQUIRE(slow.set_trait("name", "Anahita", T0));     // ...and the customer corrects it there
  const Trait& t = *slow.profile().trait("name");
  CHECK(t.ts == T0 + hour);  // the stamp follows what was seen, not the slow wall clock
  CHECK(t.tick == 1);
  apply(server, snapshot_of(slow, -1));
  apply(fast, snapshot_of(server, 0));
  CHECK(server.profile().trait_value("name") == "Anahita");
  CHECK(fast.profile().trait_value("name") == "Anahita");
  // Without the hybrid clock the same write, stamped by the wall clock, loses everywhere.
  Trait wall{"Anahita", T0, "rb", 0};
  CHECK_FALSE(lww_wins(wall, *fast.profile().trait("name")));
}

TEST_CASE("the hybrid clock: monotonic, ticks within a millisecond, follows what it sees", "[crdt][hlc]") {
  HybridClock c;
  Stamp a = c.next(T0), b = c.next(T0), d = c.next(T0 - 5);  // same ms, then the clock goes back
  CHECK(a.ms == T0);
  CHECK(a.tick == 0);
  CHECK(b.tick == 1);
  CHECK(d.ms == T0);
  CHECK(d.tick == 2);
  c.observe({T0 + 100, 7});
  Stamp e = c.next(T0);
  CHECK(e.ms == T0 + 100);
  CHECK(e.tick == 8);
  c.observe({T0, 50});  // older than what it has: ignored
  CHECK(c.next(T0 + 101).tick == 0);
  HybridClock full;
  full.observe({T0, 0xFFFFFFFFu});
  Stamp f = full.next(T0);
  CHECK(f.ms == T0 + 1);  // the counter is full: borrow the next millisecond
  CHECK(f.tick == 0);
}

TEST_CASE("a device whose clock is behind the erasure still keeps what the customer writes next", "[crdt][hlc]") {
  Engine e("p", "ra");
  e.set_consent(Consent::accept_all());
  e.erase(T0 + 60000);  // the erasure was stamped by a server a minute ahead of this device
  auto written = e.set_trait("name", "Ana", T0);
  REQUIRE(written);
  CHECK(e.profile().trait("name")->ts == T0 + 60000);
  CHECK(e.profile().trait_value("name") == "Ana");
}
