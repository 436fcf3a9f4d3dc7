// Reading the JSON that json.h writes (and version 2 of the sync protocol, MessagePack, mapped
// onto the same readers): events, traits, deltas, profiles. Native builds only
// (server, tests, tools); it uses nlohmann/json, which the browser build leaves out.
// Input is hostile: every field is type-checked, unknown fields are refused, and each error
// names the field by its path ("delta.events[3].ts").
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "ashna/catalog.h"
#include "ashna/engine.h"
#include "ashna/event.h"
#include "ashna/profile.h"
#include "ashna/status.h"

namespace ashna {

// `props` may nest at most this deep: writing JSON recurses once per level, so deeper input is
// refused before it is written again (it would otherwise overflow the stack).
constexpr std::size_t kMaxPropsDepth = 32;

Result<Event> event_from_json(const nlohmann::json& j, std::string_view path = "event");
Result<Trait> trait_from_json(const nlohmann::json& j, std::string_view path = "trait");
Result<Delta> delta_from_json(const nlohmann::json& j, std::string_view path = "delta");
Result<Profile> profile_from_json(const nlohmann::json& j, std::string_view path = "profile");

// The shop's catalog: an array of items {id, title, category, price, tags, replenish_days,
// sensitive}; currency, description, url and image are accepted and ignored.
Result<Catalog> catalog_from_json(const nlohmann::json& j, std::string_view path = "catalog");

// Parses text to JSON without exceptions: malformed_json with line and column on failure.
Result<nlohmann::json> parse_json(std::string_view text);

// ---- Sync protocol version 2: MessagePack (sdk/src/wire_codec.cc; the encoder is wire.h). ----
// The reader maps the compact form onto the version-1 JSON shape and reads that with the
// functions above, so both versions accept exactly the same deltas with the same checks.

// Limits of the version-2 reader. The size is checked before parsing; the others while parsing,
// before anything is mapped, so hostile input costs at most linear work in its size.
struct WireLimits {
  static constexpr std::size_t kMaxBytes = 256 * 1024;  // a whole request, as the server's body limit
  static constexpr std::size_t kMaxDepth = 8;           // the grammar nests at most 6 deep
  static constexpr std::size_t kMaxArray = 8192;        // elements of one array
  static constexpr std::size_t kMaxMap = 16;            // keys of one map (the grammar's maps have at most 8)
  static constexpr std::size_t kMaxString = 8192;       // bytes of one string (props are at most 4096)
  // Text materialized through string-table references: a small body must not become a huge one.
  static constexpr std::size_t kMaxExpanded = 2 * 1024 * 1024;
};

// MessagePack to a JSON value, without exceptions. Errors: payload_too_large (over kMaxBytes,
// before parsing), malformed_msgpack ("at byte N: why": syntax, truncation, trailing bytes, a
// limit above, invalid UTF-8, a duplicate key, bin or ext values).
Result<nlohmann::json> parse_msgpack(std::string_view bytes);

// A version-2 request as the version-1 envelope: {"v","key","token","since","consent","delta"}.
// Consent records become objects; "delta" stays compact (read it with delta_from_wire). An
// unknown key is unknown_field; a record that is not a 6-field array is invalid_field.
Result<nlohmann::json> sync_request_from_msgpack(std::string_view bytes);

// A compact delta read with the same checks as delta_from_json. Errors name the field as the
// JSON form would ("delta.events[3].item.price"): invalid_field (wrong type, a string-table
// index out of range, a duplicate trait), unknown_field, invalid_event, invalid_trait,
// payload_too_large (more than kMaxExpanded bytes of text).
Result<Delta> delta_from_wire(const nlohmann::json& compact, std::string_view path = "delta");
// parse_msgpack, then delta_from_wire.
Result<Delta> delta_from_msgpack(std::string_view bytes);

// A version-2 sync answer as the version-1 answer JSON, its down delta written by to_json: the
// same text structure a version-1 request gets (tests, tools, benchmarks).
Result<nlohmann::json> answer_from_msgpack(std::string_view bytes);

}  // namespace ashna
