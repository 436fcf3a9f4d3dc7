// Reading the JSON that json.h writes: events, traits, deltas, profiles. Native builds only
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

Result<Event> event_from_json(const nlohmann::json& j, std::string_view path = "event");
Result<Trait> trait_from_json(const nlohmann::json& j, std::string_view path = "trait");
Result<Delta> delta_from_json(const nlohmann::json& j, std::string_view path = "delta");
Result<Profile> profile_from_json(const nlohmann::json& j, std::string_view path = "profile");

// The shop's catalog: an array of items {id, title, category, price, tags, replenish_days,
// sensitive}; currency, description, url and image are accepted and ignored.
Result<Catalog> catalog_from_json(const nlohmann::json& j, std::string_view path = "catalog");

// Parses text to JSON without exceptions: malformed_json with line and column on failure.
Result<nlohmann::json> parse_json(std::string_view text);

}  // namespace ashna
