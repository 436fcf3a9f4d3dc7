// Experiments: which variant of a slot (a greeting template, a recommendation strategy, an offer
// rule) a profile sees. Compatible with GrowthBook's SDK specification: the same hash, bucket
// ranges and condition language, and assign() follows GrowthBook's run() where the two overlap, so
// a profile lands in the same variant here, in the browser and on the server, as GrowthBook's own
// SDKs would put it. Proven by GrowthBook's cases.json (tests/sdk/growthbook_test.cpp); the JSON
// schema and what does not apply are in docs/experiments.md.
// Pure functions: no I/O, clock (the caller passes `now`), randomness, globals or exceptions.
// Error codes: invalid_field, unknown_field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ashna/json_value.h"
#include "ashna/status.h"

namespace ashna {

// ---- GrowthBook primitives (the spec's names in snake_case) ----------------------------------------

// A half-open interval [start, end) of the hash space [0, 1).
struct BucketRange {
  double start = 0;
  double end = 0;
};

// GrowthBook's hash: a number in [0, 1) from FNV-1a 32 over the UTF-16 code units of the text, as
// JavaScript's charCodeAt sees it (invalid UTF-8 bytes count as U+FFFD).
//   version 1: fnv(value + seed) % 1000 / 1000        (the original, slightly biased; kept as is)
//   version 2: fnv(decimal(fnv(seed + value))) % 10000 / 10000
// nullopt for any other version. A version's output never changes; a new algorithm is a new version.
std::optional<double> hash(std::string_view seed, std::string_view value, int version);

// True when hash("__" + id, hash_value, 1) falls in [start, end): GrowthBook's namespaces, which keep
// experiments that share a namespace id from overlapping.
bool in_namespace(std::string_view hash_value, std::string_view id, double start, double end);

// n copies of 1/n; empty for n <= 0.
std::vector<double> get_equal_weights(int n);

// One range per variation: variation i gets [sum of earlier weights, that + coverage * w_i).
// Coverage is clamped to [0, 1]. Weights fall back to equal ones when empty, of another length
// than num_variations, or summing outside [0.99, 1.01].
std::vector<BucketRange> get_bucket_ranges(int num_variations, double coverage,
                                           const std::vector<double>& weights);

// The index of the first range holding n, or -1.
int choose_variation(double n, const std::vector<BucketRange>& ranges);

// GrowthBook's evalCondition: true when `attributes` satisfy `condition`, a MongoDB-like query
// ({"stage": "loyal", "orders": {"$gte": 3}, "$or": [...]}); the operators are listed in
// docs/experiments.md. Comparisons coerce types the way JavaScript does, as GrowthBook's does.
// A condition that cannot be evaluated (unknown operator, bad regex, wrong shape) is false; it
// never fails otherwise. Stack use grows with the condition's nesting, which parse_json_value caps.
bool eval_condition(const JsonValue& attributes, const JsonValue& condition);

// GrowthBook's paddedVersionString: a version ("v1.2.3-rc.1+build") as a string whose byte order is
// the version order; $veq, $vgt, ... compare these.
std::string padded_version_string(const JsonValue& version);

// ---- Ashna experiments ----------------------------------------------------------------------------

struct Namespace {
  std::string id;
  double start = 0;
  double end = 1;
};

// GrowthBook's filters: the profile must hash into one of `ranges` with `seed`.
struct Filter {
  std::string seed;
  std::vector<BucketRange> ranges;
  std::string attribute = "id";
  int hash_version = 2;
};

// A share of the eligible profiles that gets no personalisation at all in the slot, to measure
// what personalisation is worth. Membership is hash(seed, hash value, version 2) < fraction:
// experiments that share a seed hold out the same profiles.
struct Holdout {
  double fraction = 0;  // [0, 1]; 0 holds out nobody
  std::string seed;     // "" means "__holdout__" + the experiment's seed
};

struct Experiment {
  std::string key;                    // unique id; the default seed
  std::string slot;                   // the slot whose content the variations decide
  std::vector<JsonValue> variations;  // payloads; index 0 is the control
  std::vector<double> weights;        // empty: equal
  double coverage = 1;                // share of eligible profiles that enter
  JsonValue condition;                // null or {}: everyone
  std::string seed;                   // "" means key
  int hash_version = 1;               // GrowthBook's default; new experiments should say 2
  std::string hash_attribute = "id";
  std::optional<Namespace> ns;
  std::vector<Filter> filters;      // when set, `ns` is ignored (as in GrowthBook)
  std::vector<BucketRange> ranges;  // when set, weights and coverage are ignored
  std::optional<int> force;         // every profile that passes the checks gets this index
  bool active = true;
  std::optional<std::int64_t> start;  // Unix ms: runs from start (inclusive) ...
  std::optional<std::int64_t> stop;   // ... until stop (exclusive)
  Holdout holdout;
};

// Why an assignment came out as it did, in the order assign() checks.
enum class AssignReason : std::uint8_t {
  kTooFewVariations,    // fewer than 2 variations
  kInactive,            // active is false
  kNotStarted,          // now < start
  kStopped,             // now >= stop
  kNoHashValue,         // the hash attribute is missing, empty, 0, false or null
  kFiltered,            // outside the filters' ranges
  kNamespace,           // outside the namespace
  kCondition,           // the condition is false
  kHoldout,             // in the holdout
  kUnknownHashVersion,  // this build does not know the hash version
  kCoverage,            // hashed outside every range
  kForced,              // `force` chose the variation
  kAssigned,            // hashed into a variation
};
const char* to_string(AssignReason reason);

// GrowthBook's run() result, plus Ashna's slot, holdout and reason.
struct Assignment {
  std::string key;
  std::string slot;
  bool in_experiment = false;
  bool hash_used = false;  // the variation came from hashing: record an exposure
  bool holdout = false;    // show the slot's non-personalised fallback
  int variation_id = 0;    // 0 (the control) when not in the experiment; -1 in the holdout
  JsonValue value;         // variations[variation_id]; null in the holdout
  std::string hash_attribute;
  std::string hash_value;        // the attribute as text, as JavaScript would concatenate it
  std::optional<double> bucket;  // the hash, when hash_used (the holdout hash in the holdout)
  AssignReason reason = AssignReason::kTooFewVariations;
};

// ok, or invalid_field naming the first field that breaks the schema's value rules (key and slot
// non-empty, at least one variation, weights >= 0, coverage and ranges within [0, 1], start <= stop,
// hash versions >= 1, holdout fraction within [0, 1]).
Status validate_experiment(const Experiment& experiment);

// The variation `attributes` (a JSON object; anything else counts as empty) get at `now` (Unix
// ms). Deterministic: the same experiment, attributes and now always give the same answer, so a
// profile id sees the same variation on every device. The steps are GrowthBook's run(): too few
// variations, inactive (and Ashna's start/stop), missing hash value, filters or namespace,
// condition, Ashna's holdout, hash and ranges, force. Fails only with validate_experiment's errors.
Result<Assignment> assign(const Experiment& experiment, const JsonValue& attributes, std::int64_t now);

// Reads an experiment definition (schema in docs/experiments.md; GrowthBook's field names where
// the two overlap). Errors: unknown_field for a key the schema does not define, at any level
// ("filters[0].attr: unknown field"); invalid_field for a missing field, a wrong type or a value
// out of range ("weights[1]: a number >= 0 is required").
Result<Experiment> experiment_from_json(const JsonValue& json);

}  // namespace ashna
