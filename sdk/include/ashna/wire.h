// Sync protocol version 2: the delta and the sync answer as compact MessagePack (short keys,
// events as positional records, a string table, timestamps relative to a base). This is the
// encoder only, small and dependency-free so it ships in the browser build; the decoder (native,
// hostile input) is in codec.h. The grammar is at the top of wire.cc and in docs/sync-protocol.md.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ashna/engine.h"

namespace ashna {

// The `v` of a version-2 request and answer.
constexpr int kWireVersion = 2;

// The delta as a version-2 `delta` map: profile, replica, upto, erasure, events and traits.
// Bytes in a std::string. Strings are written as valid UTF-8 (invalid bytes become U+FFFD, as the
// JSON writer does). Never fails.
std::string encode_delta(const Delta& delta);

// A version-2 sync answer: the ack, the profile's version, what was accepted (consent < 0: the
// request carried no consent records, so the count is left out) and the `down` delta the device
// lacks (its profile, replica and upto are not written), complete up to `down_version`.
struct WireAnswer {
  std::uint64_t upto = 0;
  std::string profile;
  std::int64_t version = 0;
  std::int64_t events_added = 0;
  std::int64_t traits_changed = 0;
  std::int64_t consent_added = -1;
  std::int64_t down_version = 0;
  bool more = false;
};
std::string encode_answer(const WireAnswer& answer, const Delta& down);

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace ashna
