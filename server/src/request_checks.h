// Checks shared by several handlers: the form of ids, backend (secret key) authentication, and
// turning a store's Status into the HTTP answer that explains it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "app.h"

namespace ashna::server {

// Ids and tokens are opaque but restricted to URL-safe characters so they can never carry markup,
// quotes or path separators into logs, URLs or SQL.
bool safe_id(std::string_view s, std::size_t min, std::size_t max);

// The site whose secret key is the request's bearer token; otherwise `error` is set to the 401
// (or 503) that explains why not.
Result<Site> authenticate_backend(const Request& req, App& app, Response& error);

// Takes a token from `key`'s bucket: status 0 when allowed, else 429 rate_limited with
// Retry-After. `what` names the limit in the message ("device", "secret key").
Response check_rate(App& app, std::string_view key, const RateRule& rule, std::string_view what);

// A store error as an answer: token_mismatch 403, not_found 404, storage_error 503 (with a fixed
// message: SQLite details stay inside), storage_full 507 and store_busy 503 (fixed messages, with
// Retry-After), anything else 400 with the store's code and message.
Response from_status(const Status& s);
// Retry-After of storage_full: freeing disk space takes an operator, so clients back off long.
constexpr int kStorageFullRetrySeconds = 30;
// Retry-After of store_busy: the lock holder (a backup, the CLI) usually lets go within seconds,
// and the server has already waited its busy timeout before answering.
constexpr int kStoreBusyRetrySeconds = 1;

// A decimal integer in [0, max]; nullopt otherwise (signs, spaces, overflow). For query parameters.
std::optional<std::int64_t> parse_count(std::string_view s, std::int64_t max);

// True when the Content-Type's media type is `type` (given in lower case), ignoring case and
// parameters ("Application/JSON; charset=utf-8" is application/json), as RFC 9110 says.
bool media_type_is(const Request& req, std::string_view type);

// 415 unless the request says its body is JSON; status 0 when it does.
Response require_json(const Request& req);

}  // namespace ashna::server
