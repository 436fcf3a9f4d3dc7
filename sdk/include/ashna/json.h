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
#include "ashna/site_model.h"
#include "ashna/status.h"
#include "ashna/views.h"

namespace ashna {

// Appends `s` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view s);
// Appends a number with at most 6 decimals (null when not finite or beyond +-9e12).
void append_json_number(std::string& out, double v);

std::string to_json(const Event& event);
// {"id":..,"traits":{name:{"value","ts","replica"}},"events":[...]}
std::string to_json(const Profile& profile);
// {"profile":..,"replica":..,"upto":N,"events":[...],"traits":{...}}
std::string to_json(const Delta& delta);
std::string to_json(const Greeting& greeting);
// {"error":{"code":..,"message":..}}; {"ok":true} for an ok status.
std::string to_json(const Status& status);
// {"rfm":{..},"categories":[..],"tags":[..],"items":[..],"category_cadence":[..],"stage":..,"stage_reason":..,
//  "value":{..}}
std::string to_json(const Views& views);
// [{"item","title","category","price","strategy","reason"}, ...]
std::string to_json(const std::vector<Recommendation>& recs);
// {"items":[...],"reason":..}
std::string to_json(const Offer& offer);
// {"fitted_at","customers","rfm":{"recency_days":[4],"frequency":[4],"monetary":[4]},
//  "value":{"bgnbd":{r,alpha,a,b},"spend":{p,q,gamma},"tier_median","tier_p80","clv_months",
//           "monthly_discount"} | null[,"value_note"]}: GET /v1/model, docs/customer-value.md
std::string to_json(const SiteModel& model);
// {"orders","spend_per_order","x","t_x","T","scored"[,"p_alive","expected_spend","annual_value",
//  "tier"][,"expected_purchases_90d","clv" (when `lifetime`)]}
std::string to_json(const CustomerValue& value);
// {"events","until","purchases":[[day,orders,spend],..],"items":{id:[day,..]},"categories":{..}}
std::string to_json(const HistorySummary& summary);
// The engine's whole state for browser storage: profile plus local seqs, ack and consent, and
// "summary" (above) once the bounded history has dropped something.
std::string state_json(const Engine& engine);

}  // namespace ashna
