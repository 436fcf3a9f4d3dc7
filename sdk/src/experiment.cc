// Experiments: GrowthBook's hashing and bucketing, assign() (GrowthBook's run() plus Ashna's slot,
// start/stop and holdout) and the definition reader. The condition language is in condition.cc.
#include "ashna/experiment.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>

namespace ashna {

// ---- hashing and bucketing --------------------------------------------------------------------

namespace {

// FNV-1a 32 over UTF-16 code units, as GrowthBook's hashFnv32a over charCodeAt. Its JavaScript
// `hval += (hval << 1) + (hval << 4) + (hval << 7) + (hval << 8) + (hval << 24)` is a multiply by
// the FNV prime 16777619 modulo 2^32.
std::uint32_t fnv1a32(std::string_view text) {
  std::uint32_t h = 0x811c9dc5u;
  auto mix = [&h](std::uint32_t unit) { h = (h ^ unit) * 16777619u; };
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = next_code_point(text, i);
    if (cp < 0x10000) {
      mix(cp);
    } else {  // a surrogate pair
      mix(0xD800 + ((cp - 0x10000) >> 10));
      mix(0xDC00 + ((cp - 0x10000) & 0x3FF));
    }
  }
  return h;
}

}  // namespace

std::optional<double> hash(std::string_view seed, std::string_view value, int version) {
  if (version == 2) {
    std::string inner = std::to_string(fnv1a32(std::string(seed) + std::string(value)));
    return static_cast<double>(fnv1a32(inner) % 10000) / 10000;
  }
  if (version == 1) return static_cast<double>(fnv1a32(std::string(value) + std::string(seed)) % 1000) / 1000;
  return std::nullopt;
}

bool in_namespace(std::string_view hash_value, std::string_view id, double start, double end) {
  double n = *hash("__" + std::string(id), hash_value, 1);
  return n >= start && n < end;
}

std::vector<double> get_equal_weights(int n) {
  if (n <= 0) return {};
  return std::vector<double>(static_cast<std::size_t>(n), 1.0 / n);
}

std::vector<BucketRange> get_bucket_ranges(int num_variations, double coverage,
                                           const std::vector<double>& weights) {
  coverage = std::isnan(coverage) ? 1 : std::clamp(coverage, 0.0, 1.0);
  std::vector<double> w = weights;
  const std::size_t n = static_cast<std::size_t>(std::max(num_variations, 0));
  if (w.size() != n) w = get_equal_weights(num_variations);
  double total = 0;
  for (double x : w) total += x;
  if (total < 0.99 || total > 1.01) w = get_equal_weights(num_variations);
  std::vector<BucketRange> ranges;
  double cumulative = 0;
  for (double x : w) {
    double start = cumulative;
    cumulative += x;
    ranges.push_back({start, start + coverage * x});
  }
  return ranges;
}

int choose_variation(double n, const std::vector<BucketRange>& ranges) {
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (n >= ranges[i].start && n < ranges[i].end) return static_cast<int>(i);
  }
  return -1;
}

const char* to_string(AssignReason reason) {
  switch (reason) {
    case AssignReason::kTooFewVariations: return "too_few_variations";
    case AssignReason::kInactive: return "inactive";
    case AssignReason::kNotStarted: return "not_started";
    case AssignReason::kStopped: return "stopped";
    case AssignReason::kNoHashValue: return "no_hash_value";
    case AssignReason::kFiltered: return "filtered";
    case AssignReason::kNamespace: return "namespace";
    case AssignReason::kCondition: return "condition";
    case AssignReason::kHoldout: return "holdout";
    case AssignReason::kUnknownHashVersion: return "unknown_hash_version";
    case AssignReason::kCoverage: return "coverage";
    case AssignReason::kForced: return "forced";
    case AssignReason::kAssigned: return "assigned";
  }
  return "unknown";
}

// ---- validation and assign --------------------------------------------------------------------

namespace {

Status invalid(const std::string& path, const char* rule) {
  return Status::error("invalid_field", path + ": " + rule);
}

bool unit_interval(double v) { return v >= 0 && v <= 1; }  // false for NaN

Status check_ranges(const std::vector<BucketRange>& ranges, const std::string& path) {
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const BucketRange& r = ranges[i];
    if (!unit_interval(r.start) || !unit_interval(r.end) || r.start > r.end) {
      return invalid(path + "[" + std::to_string(i) + "]",
                     "[start, end] with 0 <= start <= end <= 1 is required");
    }
  }
  return Status::ok();
}

// The hash attribute's value as JavaScript would concatenate it; "" when it is falsy (GrowthBook:
// `attributes[attr] || ""`), which keeps the profile out.
std::string hash_value_of(const JsonValue& attributes, const std::string& attribute) {
  const JsonValue* v = attributes.find(attribute.empty() ? "id" : attribute);
  if (!v) return "";
  switch (v->type()) {
    case JsonValue::Type::kNull: return "";
    case JsonValue::Type::kBool: return v->as_bool() ? "true" : "";
    case JsonValue::Type::kNumber:
      return v->as_number() == 0 || std::isnan(v->as_number()) ? "" : format_number(v->as_number());
    case JsonValue::Type::kString: return v->as_string();
    // Arrays and objects would hash their String(); no profile id looks like that, so they keep
    // the profile out instead.
    default: return "";
  }
}

}  // namespace

Status validate_experiment(const Experiment& e) {
  if (e.key.empty()) return invalid("key", "a non-empty string is required");
  if (e.slot.empty()) return invalid("slot", "a non-empty string is required");
  if (e.variations.empty()) return invalid("variations", "at least one variation is required");
  for (std::size_t i = 0; i < e.weights.size(); ++i) {
    if (!(e.weights[i] >= 0) || !std::isfinite(e.weights[i])) {
      return invalid("weights[" + std::to_string(i) + "]", "a number >= 0 is required");
    }
  }
  if (!unit_interval(e.coverage)) return invalid("coverage", "a number from 0 to 1 is required");
  if (!e.condition.is_null() && !e.condition.is_object()) {
    return invalid("condition", "an object is required");
  }
  if (e.hash_version < 1) return invalid("hashVersion", "an integer >= 1 is required");
  if (e.ns && (!unit_interval(e.ns->start) || !unit_interval(e.ns->end) || e.ns->start > e.ns->end)) {
    return invalid("namespace", "[id, start, end] with 0 <= start <= end <= 1 is required");
  }
  for (std::size_t i = 0; i < e.filters.size(); ++i) {
    std::string path = "filters[" + std::to_string(i) + "]";
    if (e.filters[i].ranges.empty()) return invalid(path + ".ranges", "at least one range is required");
    if (Status s = check_ranges(e.filters[i].ranges, path + ".ranges"); !s) return s;
    if (e.filters[i].hash_version < 1) return invalid(path + ".hashVersion", "an integer >= 1 is required");
  }
  if (Status s = check_ranges(e.ranges, "ranges"); !s) return s;
  if (e.start && e.stop && *e.start > *e.stop) return invalid("stop", "must not be before start");
  if (!unit_interval(e.holdout.fraction)) {
    return invalid("holdout.fraction", "a number from 0 to 1 is required");
  }
  return Status::ok();
}

Result<Assignment> assign(const Experiment& e, const JsonValue& attributes, std::int64_t now) {
  if (Status s = validate_experiment(e); !s) return s;
  Assignment a;
  a.key = e.key;
  a.slot = e.slot;
  a.hash_attribute = e.hash_attribute.empty() ? "id" : e.hash_attribute;
  a.hash_value = hash_value_of(attributes, a.hash_attribute);
  a.value = e.variations[0];
  // GrowthBook's _getResult: an index outside the variations means "not in the experiment".
  auto result = [&](AssignReason reason, int variation = -1, bool hash_used = false) {
    a.reason = reason;
    a.hash_used = hash_used;
    if (variation >= 0 && static_cast<std::size_t>(variation) < e.variations.size()) {
      a.in_experiment = true;
      a.variation_id = variation;
      a.value = e.variations[static_cast<std::size_t>(variation)];
    }
    return a;
  };

  if (e.variations.size() < 2) return result(AssignReason::kTooFewVariations);
  if (!e.active) return result(AssignReason::kInactive);
  if (e.start && now < *e.start) return result(AssignReason::kNotStarted);
  if (e.stop && now >= *e.stop) return result(AssignReason::kStopped);
  if (a.hash_value.empty()) return result(AssignReason::kNoHashValue);
  if (!e.filters.empty()) {
    for (const Filter& f : e.filters) {
      std::string value = hash_value_of(attributes, f.attribute);
      std::optional<double> n = value.empty() ? std::nullopt : hash(f.seed, value, f.hash_version);
      if (!n || choose_variation(*n, f.ranges) < 0) return result(AssignReason::kFiltered);
    }
  } else if (e.ns && !in_namespace(a.hash_value, e.ns->id, e.ns->start, e.ns->end)) {
    return result(AssignReason::kNamespace);
  }
  if (!e.condition.is_null() && !eval_condition(attributes, e.condition)) {
    return result(AssignReason::kCondition);
  }

  const std::string& seed = e.seed.empty() ? e.key : e.seed;
  if (e.holdout.fraction > 0) {
    // An independent hash (its own seed), so the holdout is a random share of the eligible
    // profiles and the variations split the rest evenly.
    double h = *hash(e.holdout.seed.empty() ? "__holdout__" + seed : e.holdout.seed, a.hash_value, 2);
    if (h < e.holdout.fraction) {
      a.holdout = true;
      a.variation_id = -1;
      a.value = JsonValue();
      a.bucket = h;
      return result(AssignReason::kHoldout, -1, true);
    }
  }
  std::optional<double> n = hash(seed, a.hash_value, e.hash_version);
  if (!n) return result(AssignReason::kUnknownHashVersion);
  const int count = static_cast<int>(e.variations.size());
  const std::vector<BucketRange> ranges =
      e.ranges.empty() ? get_bucket_ranges(count, e.coverage, e.weights) : e.ranges;
  int assigned = choose_variation(*n, ranges);
  if (assigned < 0) return result(AssignReason::kCoverage);
  if (e.force) return result(AssignReason::kForced, *e.force);
  a.bucket = n;
  return result(AssignReason::kAssigned, assigned, true);
}

// ---- experiment_from_json ---------------------------------------------------------------------

namespace {

// Reads one definition, failing on the first problem with the field's path.
class Reader {
 public:
  Status only(const JsonValue& obj, const std::string& path, std::initializer_list<std::string_view> keys) {
    for (const auto& [key, value] : obj.as_object()) {
      bool known = false;
      for (std::string_view k : keys) known = known || k == key;
      if (!known) return Status::error("unknown_field", join(path, key.substr(0, 64)) + ": unknown field");
    }
    return Status::ok();
  }

  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  Status string(const JsonValue& v, const std::string& path, std::string& out) {
    if (!v.is_string()) return invalid(path, "a string is required");
    out = v.as_string();
    return Status::ok();
  }

  Status number(const JsonValue& v, const std::string& path, double& out) {
    if (!v.is_number()) return invalid(path, "a number is required");
    out = v.as_number();
    return Status::ok();
  }

  // Integers up to 2^53, the largest a double (and JavaScript) holds exactly.
  template <class Int>
  Status integer(const JsonValue& v, const std::string& path, Int& out) {
    double d = v.as_number();
    if (!v.is_number() || std::trunc(d) != d || std::fabs(d) > 9007199254740992.0 ||
        d < static_cast<double>(std::numeric_limits<Int>::min()) ||
        d > static_cast<double>(std::numeric_limits<Int>::max())) {
      return invalid(path, "an integer is required");
    }
    out = static_cast<Int>(d);
    return Status::ok();
  }

  Status ranges(const JsonValue& v, const std::string& path, std::vector<BucketRange>& out) {
    if (!v.is_array() || v.size() == 0) return invalid(path, "a non-empty array of [start, end] is required");
    for (std::size_t i = 0; i < v.size(); ++i) {
      const JsonValue& r = v.as_array()[i];
      if (!r.is_array() || r.size() != 2 || !r.as_array()[0].is_number() || !r.as_array()[1].is_number()) {
        return invalid(path + "[" + std::to_string(i) + "]", "[start, end] is required");
      }
      out.push_back({r.as_array()[0].as_number(), r.as_array()[1].as_number()});
    }
    return Status::ok();
  }

  Status filter(const JsonValue& v, const std::string& path, Filter& f) {
    if (!v.is_object()) return invalid(path, "an object is required");
    if (Status s = only(v, path, {"seed", "ranges", "attribute", "hashVersion"}); !s) return s;
    const JsonValue* seed = v.find("seed");
    const JsonValue* ranges_json = v.find("ranges");
    if (!seed) return invalid(path + ".seed", "is required");
    if (!ranges_json) return invalid(path + ".ranges", "is required");
    if (Status s = string(*seed, path + ".seed", f.seed); !s) return s;
    if (Status s = ranges(*ranges_json, path + ".ranges", f.ranges); !s) return s;
    if (const JsonValue* a = v.find("attribute")) {
      if (Status s = string(*a, path + ".attribute", f.attribute); !s) return s;
    }
    if (const JsonValue* h = v.find("hashVersion")) {
      if (Status s = integer(*h, path + ".hashVersion", f.hash_version); !s) return s;
    }
    return Status::ok();
  }
};

}  // namespace

Result<Experiment> experiment_from_json(const JsonValue& json) {
  Reader r;
  if (!json.is_object()) return invalid("experiment", "an object is required");
  if (Status s = r.only(json, "", {"key", "slot", "variations", "weights", "coverage", "condition", "seed",
                                   "hashVersion", "hashAttribute", "namespace", "filters", "ranges", "force",
                                   "active", "start", "stop", "holdout"});
      !s) {
    return s;
  }
  Experiment e;
  for (const char* required : {"key", "slot", "variations"}) {
    if (!json.find(required)) return invalid(required, "is required");
  }
  for (const auto& [key, v] : json.as_object()) {
    Status s;
    if (key == "key") {
      s = r.string(v, key, e.key);
    } else if (key == "slot") {
      s = r.string(v, key, e.slot);
    } else if (key == "variations") {
      if (!v.is_array()) s = invalid(key, "an array of values is required");
      else e.variations = v.as_array();
    } else if (key == "weights") {
      if (!v.is_array()) s = invalid(key, "an array of numbers is required");
      for (std::size_t i = 0; s && i < v.size(); ++i) {
        e.weights.emplace_back();
        s = r.number(v.as_array()[i], "weights[" + std::to_string(i) + "]", e.weights.back());
      }
    } else if (key == "coverage") {
      s = r.number(v, key, e.coverage);
    } else if (key == "condition") {
      if (!v.is_object()) s = invalid(key, "an object is required");
      else e.condition = v;
    } else if (key == "seed") {
      s = r.string(v, key, e.seed);
    } else if (key == "hashVersion") {
      s = r.integer(v, key, e.hash_version);
    } else if (key == "hashAttribute") {
      s = r.string(v, key, e.hash_attribute);
    } else if (key == "namespace") {
      const auto& a = v.as_array();
      if (!v.is_array() || a.size() != 3 || !a[0].is_string() || !a[1].is_number() || !a[2].is_number()) {
        s = invalid(key, "[id, start, end] is required");
      } else {
        e.ns = Namespace{a[0].as_string(), a[1].as_number(), a[2].as_number()};
      }
    } else if (key == "filters") {
      if (!v.is_array() || v.size() == 0) s = invalid(key, "a non-empty array of filters is required");
      for (std::size_t i = 0; s && i < v.size(); ++i) {
        e.filters.emplace_back();
        s = r.filter(v.as_array()[i], "filters[" + std::to_string(i) + "]", e.filters.back());
      }
    } else if (key == "ranges") {
      s = r.ranges(v, key, e.ranges);
    } else if (key == "force") {
      int force = 0;
      s = r.integer(v, key, force);
      e.force = force;
    } else if (key == "active") {
      if (!v.is_bool()) s = invalid(key, "true or false is required");
      e.active = v.as_bool();
    } else if (key == "start" || key == "stop") {
      std::int64_t ms = 0;
      if (!r.integer(v, key, ms)) s = invalid(key, "Unix milliseconds (an integer) are required");
      (key == "start" ? e.start : e.stop) = ms;
    } else if (key == "holdout") {
      if (!v.is_object()) {
        s = invalid(key, "an object is required");
      } else if (s = r.only(v, "holdout", {"fraction", "seed"}); s) {
        const JsonValue* fraction = v.find("fraction");
        if (!fraction) s = invalid("holdout.fraction", "is required");
        else s = r.number(*fraction, "holdout.fraction", e.holdout.fraction);
        const JsonValue* seed = v.find("seed");
        if (s && seed) s = r.string(*seed, "holdout.seed", e.holdout.seed);
      }
    }
    if (!s) return s;
  }
  if (Status s = validate_experiment(e); !s) return s;
  return e;
}

}  // namespace ashna
