// Writing JSON: one small writer for every build (browser, server, tools), so what the browser
// stores and sends and what the server answers have one shape. Reading JSON lives in codec.h
// (native only). Output is always valid UTF-8: invalid input bytes become U+FFFD, and <, >, &
// are escaped so the text is safe to embed in HTML.
#pragma once

#include <string>
#include <string_view>

#include "ashna/engine.h"
#include "ashna/event.h"
#include "ashna/greeting.h"
#include "ashna/profile.h"
#include "ashna/recommend.h"
#include "ashna/status.h"
#include "ashna/views.h"

namespace ashna {

// Appends `s` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view s);

std::string to_json(const Event& event);
// {"id":..,"traits":{name:{"value","ts","replica"}},"events":[...]}
std::string to_json(const Profile& profile);
// {"profile":..,"replica":..,"upto":N,"events":[...],"traits":{...}}
std::string to_json(const Delta& delta);
std::string to_json(const Greeting& greeting);
// {"error":{"code":..,"message":..}}; {"ok":true} for an ok status.
std::string to_json(const Status& status);
// {"rfm":{..},"categories":[..],"tags":[..],"items":[..],"category_cadence":[..],"stage":..,"stage_reason":..}
std::string to_json(const Views& views);
// [{"item","title","category","price","strategy","reason"}, ...]
std::string to_json(const std::vector<Recommendation>& recs);
// {"items":[...],"reason":..}
std::string to_json(const Offer& offer);
// The engine's whole state for browser storage: profile plus local seqs, ack and consent.
std::string state_json(const Engine& engine);

}  // namespace ashna
