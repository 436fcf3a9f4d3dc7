// GrowthBook's condition language (evalCondition) over JsonValue, with JavaScript's coercions where
// GrowthBook relies on them, and a small regular-expression engine for $regex. Pure and stateless.
// The reference is GrowthBook's mongrule.ts; each function below names the piece it mirrors.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ashna/experiment.h"

namespace ashna {
namespace {

// ---- JavaScript coercions ----------------------------------------------------------------------

// String(v). Arrays join their elements with "," (null elements become ""), as Array.prototype.join.
std::string js_string(const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::kNull: return "null";
    case JsonValue::Type::kBool: return v.as_bool() ? "true" : "false";
    case JsonValue::Type::kNumber: return format_number(v.as_number());
    case JsonValue::Type::kString: return v.as_string();
    case JsonValue::Type::kObject: return "[object Object]";
    case JsonValue::Type::kArray: break;
  }
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    if (!v.as_array()[i].is_null()) out += js_string(v.as_array()[i]);
  }
  return out;
}

bool js_truthy(const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::kNull: return false;
    case JsonValue::Type::kBool: return v.as_bool();
    case JsonValue::Type::kNumber: return v.as_number() != 0 && !std::isnan(v.as_number());
    case JsonValue::Type::kString: return !v.as_string().empty();
    default: return true;
  }
}

int hex_digit(std::uint32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

// Number(text): surrounding (ASCII) white space ignored, "" is 0, Infinity, 0x/0o/0b integers, decimals.
double js_string_to_number(std::string_view s) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  if (s.empty()) return 0;
  if (s == "Infinity" || s == "+Infinity") return INFINITY;
  if (s == "-Infinity") return -INFINITY;
  if (s.size() > 2 && s[0] == '0' && std::string_view("xXoObB").find(s[1]) != std::string_view::npos) {
    int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
    double n = 0;
    for (char c : s.substr(2)) {
      int d = hex_digit(static_cast<unsigned char>(c));
      if (d < 0 || d >= base) return NAN;
      n = n * base + d;
    }
    return n;
  }
  return parse_decimal(s).value_or(NAN);
}

// Number(v), which is also what `v * 1` gives.
double js_number(const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::kNull: return 0;
    case JsonValue::Type::kBool: return v.as_bool() ? 1 : 0;
    case JsonValue::Type::kNumber: return v.as_number();
    case JsonValue::Type::kString: return js_string_to_number(v.as_string());
    case JsonValue::Type::kArray: return js_string_to_number(js_string(v));
    case JsonValue::Type::kObject: return NAN;
  }
  return NAN;
}

// a === b. Arrays and objects are equal only to themselves in JavaScript, and a parsed value is
// never the same object as another, so they are never equal here.
bool js_strict_equal(const JsonValue& a, const JsonValue& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case JsonValue::Type::kNull: return true;
    case JsonValue::Type::kBool: return a.as_bool() == b.as_bool();
    case JsonValue::Type::kNumber: return a.as_number() == b.as_number();
    case JsonValue::Type::kString: return a.as_string() == b.as_string();
    default: return false;
  }
}

enum class Cmp { kLt, kLte, kGt, kGte };

// a < b, a <= b, ...: both sides become primitives (arrays and objects their String()); two
// strings compare by code unit, anything else as numbers, where NaN makes every comparison false.
// Strings compare by UTF-8 byte, which is code point order; it differs from JavaScript's UTF-16
// order only between characters above U+FFFF and U+E000..U+FFFF.
bool js_compare(const JsonValue& a, const JsonValue& b, Cmp op) {
  auto stringish = [](const JsonValue& v) { return v.is_string() || v.is_array() || v.is_object(); };
  if (stringish(a) && stringish(b)) {
    int c = js_string(a).compare(js_string(b));
    return op == Cmp::kLt ? c < 0 : op == Cmp::kLte ? c <= 0 : op == Cmp::kGt ? c > 0 : c >= 0;
  }
  double x = js_number(a), y = js_number(b);
  return op == Cmp::kLt ? x < y : op == Cmp::kLte ? x <= y : op == Cmp::kGt ? x > y : x >= y;
}

// True for an array index ("0" .. "4294967294"): JavaScript enumerates those keys first, ascending,
// and the others in insertion order.
bool is_array_index(const std::string& k) {
  if (k.empty() || k.size() > 10 || (k.size() > 1 && k[0] == '0')) return false;
  std::uint64_t n = 0;
  for (char c : k) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n < 4294967295u;
}

// JSON.stringify(a) === JSON.stringify(b), without building the strings. Objects: the same
// non-index keys in the same order, and the same index keys (stringify sorts those, so as a set),
// with equal values. Index keys are matched by lookup, O(n * k) for k of them: fine for the
// literals of a condition.
bool stringify_equal(const JsonValue& a, const JsonValue& b) {
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!stringify_equal(a.as_array()[i], b.as_array()[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    const auto &ma = a.as_object(), &mb = b.as_object();
    std::size_t j = 0;
    for (const auto& [key, value] : ma) {
      if (is_array_index(key)) {
        const JsonValue* other = b.find(key);
        if (!other || !stringify_equal(value, *other)) return false;
        continue;
      }
      while (j < mb.size() && is_array_index(mb[j].first)) ++j;
      if (j == mb.size() || mb[j].first != key || !stringify_equal(value, mb[j].second)) return false;
      ++j;
    }
    return true;  // same size and every key of a matched a distinct key of b
  }
  return js_strict_equal(a, b);
}

// ---- $regex: a small regular-expression engine ---------------------------------------------------
// JavaScript RegExp syntax without flags, minus what a boolean test rarely needs: literals, ".",
// "^", "$", \b, \B, classes [a-z] [^...] with \d \D \w \W \s \S (also outside classes), escapes
// \t \n \v \f \r \0 \cX \xHH \uHHHH and escaped punctuation, groups (...) (?:...) (?<name>...),
// alternation, and the quantifiers * + ? {n} {n,} {n,m}, greedy or lazy. Backreferences and
// lookaround, octal escapes and \k \p do not compile, and a pattern that does not compile makes the
// condition false, as GrowthBook's is for a pattern JavaScript rejects. It runs as a Pike VM over
// code points: time is O(pattern x text), with no backtracking, so no pattern can hang the page.
// Patterns are limited to kMaxPattern code points and kMaxProgram instructions. (std::regex is not
// an option: it throws on a bad pattern, which aborts a -fno-exceptions build, it backtracks, and it
// is large in wasm.)

constexpr std::size_t kMaxPattern = 1000;
constexpr std::size_t kMaxProgram = 20000;

using Ranges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;  // inclusive code point ranges

struct Inst {
  enum Op : std::uint8_t { kChar, kAny, kClass, kSplit, kJmp, kBol, kEol, kWordB, kNotWordB, kMatch } op;
  std::uint32_t ch = 0;  // kChar: the code point; kClass: the class index
  int x = 0, y = 0;      // kSplit: both targets; kJmp: x
};

struct Class {
  Ranges ranges;
  bool negated = false;
};

struct Program {
  std::vector<Inst> code;
  std::vector<Class> classes;
};

bool is_line_terminator(std::uint32_t c) { return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029; }
bool is_word(std::uint32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

void add_escape_class(Ranges& r, char letter) {
  using Range = std::pair<std::uint32_t, std::uint32_t>;
  static constexpr Range kDigit[] = {{'0', '9'}};
  static constexpr Range kWord[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
  static constexpr Range kSpace[] = {
      {0x09, 0x0D}, {0x20, 0x20}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A}, {0x2028, 0x2029},
      {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
  Ranges set;
  char lower = static_cast<char>(letter | 0x20);
  if (lower == 'd') set.assign(std::begin(kDigit), std::end(kDigit));
  if (lower == 'w') set.assign(std::begin(kWord), std::end(kWord));
  if (lower == 's') set.assign(std::begin(kSpace), std::end(kSpace));
  if (letter == lower) {
    r.insert(r.end(), set.begin(), set.end());
    return;
  }
  std::uint32_t next = 0;  // complement of a sorted, disjoint set
  for (const auto& [lo, hi] : set) {
    if (lo > next) r.emplace_back(next, lo - 1);
    next = hi + 1;
  }
  r.emplace_back(next, 0x10FFFF);
}

// Recursive descent over the pattern's code points, emitting Pike VM code as it goes. A quantifier
// re-emits the code of the atom before it, so each atom records where its code starts.
class RegexCompiler {
 public:
  explicit RegexCompiler(std::vector<std::uint32_t> pattern) : p_(std::move(pattern)) {}

  bool compile(Program& out) {
    if (p_.size() > kMaxPattern || !alternation(0) || i_ != p_.size()) return false;
    emit({Inst::kMatch});
    out = std::move(prog_);
    return prog_ok_;
  }

 private:
  bool more() const { return i_ < p_.size(); }
  bool next_is(std::uint32_t c) const { return more() && p_[i_] == c; }
  int emit(Inst inst) {
    if (prog_.code.size() >= kMaxProgram) prog_ok_ = false;
    if (!prog_ok_) return 0;
    prog_.code.push_back(inst);
    return static_cast<int>(prog_.code.size()) - 1;
  }
  int pc() const { return static_cast<int>(prog_.code.size()); }

  bool alternation(int depth) {
    if (depth > 32) return false;
    std::vector<int> jumps;
    int start = pc();
    if (!sequence(depth)) return false;
    while (next_is('|')) {
      ++i_;
      // Wrap what came before in a split: split(start, next alternative).
      std::vector<Inst> body(prog_.code.begin() + start, prog_.code.end());
      prog_.code.resize(start);
      int split = emit({Inst::kSplit});
      append_shifted(body, 1);
      jumps.push_back(emit({Inst::kJmp}));
      if (!prog_ok_) return false;
      prog_.code[split].x = split + 1;
      prog_.code[split].y = pc();
      start = pc();
      if (!sequence(depth)) return false;
    }
    for (int j : jumps) prog_.code[j].x = pc();
    return prog_ok_;
  }

  // Appends code that was cut from `shift` instructions earlier, moving its jump targets with it.
  void append_shifted(const std::vector<Inst>& code, int shift) {
    for (Inst inst : code) {
      if (inst.op == Inst::kSplit || inst.op == Inst::kJmp) inst.x += shift, inst.y += shift;
      emit(inst);
    }
  }

  bool sequence(int depth) {
    while (more() && p_[i_] != '|' && p_[i_] != ')') {
      int atom_start = pc();
      if (!atom(depth)) return false;
      if (!quantifier(atom_start)) return false;
    }
    return prog_ok_;
  }

  // {n}, {n,}, {n,m} at i_, or false (then "{" is a literal, as JavaScript allows).
  bool brace(std::size_t& at, int& min, int& max) const {
    std::size_t k = at + 1;
    auto number = [&](int& n) {
      std::size_t from = k;
      for (n = 0; k < p_.size() && p_[k] >= '0' && p_[k] <= '9'; ++k) {
        n = std::min(n * 10 + static_cast<int>(p_[k] - '0'), 100000);
      }
      return k > from;
    };
    if (!number(min)) return false;
    max = min;
    if (k < p_.size() && p_[k] == ',') {
      ++k;
      if (!number(max)) max = -1;
    }
    if (k >= p_.size() || p_[k] != '}') return false;
    at = k + 1;
    return true;
  }

  bool quantifier(int atom_start) {
    int min, max;
    if (next_is('*')) min = 0, max = -1, ++i_;
    else if (next_is('+')) min = 1, max = -1, ++i_;
    else if (next_is('?')) min = 0, max = 1, ++i_;
    else if (next_is('{') && brace(i_, min, max)) {
      if (max >= 0 && max < min) return false;
    } else {
      return true;
    }
    if (next_is('?')) ++i_;  // lazy: the same language, and a test only asks whether it matches
    if (atom_start == pc()) return true;  // an empty group: repeating it changes nothing
    const Inst& first = prog_.code[atom_start];
    if (pc() - atom_start == 1 && first.op >= Inst::kBol && first.op <= Inst::kNotWordB) {
      return false;  // JavaScript: "nothing to repeat"
    }
    std::vector<Inst> atom(prog_.code.begin() + atom_start, prog_.code.end());
    prog_.code.resize(atom_start);
    auto copy = [&] { append_shifted(atom, pc() - atom_start); };
    for (int k = 0; k < min && prog_ok_; ++k) copy();
    if (max < 0) {  // L: split(L+1, out); atom; jmp L
      int loop = emit({Inst::kSplit});
      copy();
      int jmp = emit({Inst::kJmp});
      if (!prog_ok_) return false;
      prog_.code[jmp].x = loop;
      prog_.code[loop].x = loop + 1;
      prog_.code[loop].y = pc();
    } else {  // (max - min) times: split(next, out); atom
      std::vector<int> splits;
      for (int k = min; k < max && prog_ok_; ++k) {
        splits.push_back(emit({Inst::kSplit}));
        copy();
      }
      if (!prog_ok_) return false;
      for (int s : splits) prog_.code[s].x = s + 1, prog_.code[s].y = pc();
    }
    return prog_ok_;
  }

  bool hex(int digits, std::uint32_t& out) {
    out = 0;
    for (int k = 0; k < digits; ++k, ++i_) {
      if (!more()) return false;
      int d = hex_digit(p_[i_]);
      if (d < 0) return false;
      out = out * 16 + static_cast<std::uint32_t>(d);
    }
    return true;
  }

  // An escape after '\' as one code point into `cp`, or a class into `ranges` (returns 2).
  // 0 when it does not compile.
  int escape(bool in_class, std::uint32_t& cp, Ranges& ranges) {
    if (!more()) return 0;
    std::uint32_t e = p_[i_++];
    switch (e) {
      case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
        add_escape_class(ranges, static_cast<char>(e));
        return 2;
      case 't': cp = '\t'; return 1;
      case 'n': cp = '\n'; return 1;
      case 'v': cp = '\v'; return 1;
      case 'f': cp = '\f'; return 1;
      case 'r': cp = '\r'; return 1;
      case 'b': cp = '\b'; return in_class ? 1 : 0;  // \b outside a class is an assertion, handled by atom()
      case '0':
        if (more() && p_[i_] >= '0' && p_[i_] <= '9') return 0;  // octal escapes: not supported
        cp = 0;
        return 1;
      case 'c':
        if (more() && ((p_[i_] | 0x20) >= 'a' && (p_[i_] | 0x20) <= 'z')) return cp = p_[i_++] % 32, 1;
        return 0;
      case 'x': return hex(2, cp) ? 1 : 0;
      case 'u': return hex(4, cp) ? 1 : 0;
      default:
        if (e >= '1' && e <= '9') return 0;  // backreference
        if (e == 'k' || e == 'p' || e == 'P') return 0;
        cp = e;  // identity escape: \. \/ \\ \- ...
        return 1;
    }
  }

  bool char_class() {
    Class cls;
    if (next_is('^')) cls.negated = true, ++i_;
    while (more() && p_[i_] != ']') {
      std::uint32_t lo = p_[i_++], hi;
      if (lo == '\\') {
        int kind = escape(true, lo, cls.ranges);
        if (kind == 0) return false;
        if (kind == 2) continue;
      }
      if (next_is('-') && i_ + 1 < p_.size() && p_[i_ + 1] != ']') {
        ++i_;
        hi = p_[i_++];
        if (hi == '\\') {
          Ranges r;
          int kind = escape(true, hi, r);
          if (kind == 0) return false;
          if (kind == 2) {  // [a-\d]: JavaScript reads a, -, \d
            cls.ranges.emplace_back(lo, lo);
            cls.ranges.emplace_back('-', '-');
            cls.ranges.insert(cls.ranges.end(), r.begin(), r.end());
            continue;
          }
        }
        if (hi < lo) return false;
        cls.ranges.emplace_back(lo, hi);
      } else {
        cls.ranges.emplace_back(lo, lo);
      }
    }
    if (!more()) return false;
    ++i_;  // ']'
    prog_.classes.push_back(std::move(cls));
    emit({Inst::kClass, static_cast<std::uint32_t>(prog_.classes.size() - 1)});
    return true;
  }

  bool atom(int depth) {
    std::uint32_t c = p_[i_++];
    switch (c) {
      case '^': emit({Inst::kBol}); return true;
      case '$': emit({Inst::kEol}); return true;
      case '.': emit({Inst::kAny}); return true;
      case '[': return char_class();
      case '*': case '+': case '?': return false;  // nothing to repeat
      case '{': {
        std::size_t at = i_ - 1;
        int min, max;
        if (brace(at, min, max)) return false;  // a quantifier with nothing to repeat
        emit({Inst::kChar, c});
        return true;
      }
      case '(': {
        if (next_is('?')) {
          ++i_;
          if (next_is(':')) {
            ++i_;
          } else if (next_is('<') && i_ + 1 < p_.size() && p_[i_ + 1] != '=' && p_[i_ + 1] != '!') {
            while (more() && p_[i_] != '>') ++i_;  // a named group: the name does not matter here
            if (!more()) return false;
            ++i_;
          } else {
            return false;  // lookahead, lookbehind
          }
        }
        if (!alternation(depth + 1) || !next_is(')')) return false;
        ++i_;
        return true;
      }
      case ')': return false;
      case '\\': {
        if (next_is('b') || next_is('B')) {
          emit({p_[i_++] == 'b' ? Inst::kWordB : Inst::kNotWordB});
          return true;
        }
        Class cls;
        std::uint32_t cp;
        int kind = escape(false, cp, cls.ranges);
        if (kind == 0) return false;
        if (kind == 1) {
          emit({Inst::kChar, cp});
          return true;
        }
        prog_.classes.push_back(std::move(cls));
        emit({Inst::kClass, static_cast<std::uint32_t>(prog_.classes.size() - 1)});
        return true;
      }
      default: emit({Inst::kChar, c}); return true;
    }
  }

  std::vector<std::uint32_t> p_;
  std::size_t i_ = 0;
  Program prog_;
  bool prog_ok_ = true;
};

std::vector<std::uint32_t> code_points(std::string_view s) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < s.size();) out.push_back(next_code_point(s, i));
  return out;
}

bool class_matches(const Class& cls, std::uint32_t c) {
  for (const auto& [lo, hi] : cls.ranges) {
    if (c >= lo && c <= hi) return !cls.negated;
  }
  return cls.negated;
}

// Pike VM: every live thread advances in lockstep over the text; `mark` keeps a pc from being added
// twice at one position, which bounds the work per character by the program's size.
bool regex_test(std::string_view pattern, std::string_view text) {
  Program prog;
  if (!RegexCompiler(code_points(pattern)).compile(prog)) return false;
  const std::vector<std::uint32_t> s = code_points(text);
  std::vector<std::size_t> mark(prog.code.size(), SIZE_MAX);
  std::vector<int> current, next, stack;
  // Follows jumps, splits and assertions from pc at position pos, adding consuming instructions to
  // `list`. True when it reaches kMatch.
  auto add = [&](std::vector<int>& list, int start, std::size_t pos) {
    stack.assign(1, start);
    const bool word_before = pos > 0 && is_word(s[pos - 1]), word_after = pos < s.size() && is_word(s[pos]);
    while (!stack.empty()) {
      int pc = stack.back();
      stack.pop_back();
      if (mark[pc] == pos) continue;
      mark[pc] = pos;
      const Inst& in = prog.code[pc];
      switch (in.op) {
        case Inst::kMatch: return true;
        case Inst::kJmp: stack.push_back(in.x); break;
        case Inst::kSplit: stack.push_back(in.y), stack.push_back(in.x); break;
        case Inst::kBol: if (pos == 0) stack.push_back(pc + 1); break;
        case Inst::kEol: if (pos == s.size()) stack.push_back(pc + 1); break;
        case Inst::kWordB: if (word_before != word_after) stack.push_back(pc + 1); break;
        case Inst::kNotWordB: if (word_before == word_after) stack.push_back(pc + 1); break;
        default: list.push_back(pc);
      }
    }
    return false;
  };
  for (std::size_t pos = 0;; ++pos) {
    if (add(current, 0, pos)) return true;  // a match may start at any position
    if (pos == s.size()) return false;
    next.clear();
    for (int pc : current) {
      const Inst& in = prog.code[pc];
      bool step = in.op == Inst::kChar    ? s[pos] == in.ch
                  : in.op == Inst::kAny   ? !is_line_terminator(s[pos])
                  : in.op == Inst::kClass ? class_matches(prog.classes[in.ch], s[pos])
                                          : false;
      if (step && add(next, pc + 1, pos + 1)) return true;
    }
    std::swap(current, next);
  }
}

// ---- evalCondition ----------------------------------------------------------------------------

bool eval_value(const JsonValue& condition, const JsonValue& value);

// getPath: a dotted path through objects (and array indices); a missing step gives null.
const JsonValue& get_path(const JsonValue& obj, std::string_view path, const JsonValue& null) {
  const JsonValue* v = obj.find_path(path);
  return v ? *v : null;
}

bool is_operator_object(const JsonValue& v) {
  return v.is_object() && v.size() > 0 &&
         std::all_of(v.as_object().begin(), v.as_object().end(),
                     [](const auto& m) { return !m.first.empty() && m.first[0] == '$'; });
}

// isIn: any element of `actual` (or `actual` itself) is in `expected`.
bool is_in(const JsonValue& actual, const JsonValue& expected) {
  auto contains = [&](const JsonValue& x) {
    return std::any_of(expected.as_array().begin(), expected.as_array().end(),
                       [&](const JsonValue& e) { return js_strict_equal(e, x); });
  };
  if (actual.is_array()) return std::any_of(actual.as_array().begin(), actual.as_array().end(), contains);
  return contains(actual);
}

bool eval_operator(std::string_view op, const JsonValue& actual, const JsonValue& expected) {
  if (op.substr(0, 2) == "$v") {  // versions: compare the padded strings
    std::string a = padded_version_string(actual), e = padded_version_string(expected);
    if (op == "$veq") return a == e;
    if (op == "$vne") return a != e;
    if (op == "$vgt") return a > e;
    if (op == "$vgte") return a >= e;
    if (op == "$vlt") return a < e;
    if (op == "$vlte") return a <= e;
    return false;
  }
  if (op == "$eq") return js_strict_equal(actual, expected);
  if (op == "$ne") return !js_strict_equal(actual, expected);
  if (op == "$lt") return js_compare(actual, expected, Cmp::kLt);
  if (op == "$lte") return js_compare(actual, expected, Cmp::kLte);
  if (op == "$gt") return js_compare(actual, expected, Cmp::kGt);
  if (op == "$gte") return js_compare(actual, expected, Cmp::kGte);
  if (op == "$exists") return js_truthy(expected) ? !actual.is_null() : actual.is_null();
  if (op == "$in") return expected.is_array() && is_in(actual, expected);
  if (op == "$nin") return expected.is_array() && !is_in(actual, expected);
  if (op == "$not") return !eval_value(expected, actual);
  if (op == "$size") {
    return actual.is_array() && eval_value(expected, JsonValue(static_cast<double>(actual.size())));
  }
  if (op == "$elemMatch") {
    if (!actual.is_array()) return false;
    bool operators = is_operator_object(expected);
    return std::any_of(actual.as_array().begin(), actual.as_array().end(), [&](const JsonValue& el) {
      return js_truthy(el) && (operators ? eval_value(expected, el) : eval_condition(el, expected));
    });
  }
  if (op == "$all") {
    if (!expected.is_array() || !actual.is_array()) return false;
    return std::all_of(expected.as_array().begin(), expected.as_array().end(), [&](const JsonValue& e) {
      return std::any_of(actual.as_array().begin(), actual.as_array().end(),
                         [&](const JsonValue& a) { return eval_value(e, a); });
    });
  }
  if (op == "$regex") return expected.is_string() && regex_test(expected.as_string(), js_string(actual));
  if (op == "$type") {
    static constexpr const char* kTypes[] = {"null", "boolean", "number", "string", "array", "object"};
    return expected.is_string() && expected.as_string() == kTypes[static_cast<int>(actual.type())];
  }
  return false;  // unknown operator
}

// evalConditionValue: a literal compares with JavaScript's loose rules; an object of operators
// must satisfy all of them; any other object or array must equal the value as JSON text.
bool eval_value(const JsonValue& condition, const JsonValue& value) {
  switch (condition.type()) {
    case JsonValue::Type::kString: return js_string(value) == condition.as_string();
    case JsonValue::Type::kNumber: return js_number(value) == condition.as_number();
    case JsonValue::Type::kBool: return !value.is_null() && js_truthy(value) == condition.as_bool();
    case JsonValue::Type::kNull: return value.is_null();
    case JsonValue::Type::kArray: return stringify_equal(value, condition);
    case JsonValue::Type::kObject: break;
  }
  if (!is_operator_object(condition)) return stringify_equal(value, condition);
  for (const auto& [op, expected] : condition.as_object()) {
    if (!eval_operator(op, value, expected)) return false;
  }
  return true;
}

}  // namespace

bool eval_condition(const JsonValue& attributes, const JsonValue& condition) {
  if (!condition.is_object()) return false;
  const JsonValue null;
  for (const auto& [key, value] : condition.as_object()) {
    if (key == "$or" || key == "$nor" || key == "$and") {
      // A non-array here cannot be evaluated: the condition is false (GrowthBook would read its
      // length as undefined and pass it).
      if (!value.is_array()) return false;
      const auto& list = value.as_array();
      auto holds = [&](const JsonValue& c) { return eval_condition(attributes, c); };
      bool any = list.empty() || std::any_of(list.begin(), list.end(), holds);  // an empty $or passes
      if (key == "$or" && !any) return false;
      if (key == "$nor" && any) return false;
      if (key == "$and" && !std::all_of(list.begin(), list.end(), holds)) return false;
    } else if (key == "$not") {
      if (!value.is_object() || eval_condition(attributes, value)) return false;
    } else if (!eval_value(value, get_path(attributes, key, null))) {
      return false;
    }
  }
  return true;
}

std::string padded_version_string(const JsonValue& version) {
  std::string s = version.is_number() ? format_number(version.as_number()) : version.as_string();
  if (s.empty()) s.push_back('0');  // not s = "0": GCC 12 warns falsely (-Wrestrict, bug 105329)
  // input.replace(/(^v|\+.*$)/g, ""): a leading "v", and everything from the first "+" that has no
  // line terminator after it ("." does not match one).
  std::size_t last_break = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    // U+2028 and U+2029 are line terminators too.
    bool separator = s.compare(i, 3, "\xE2\x80\xA8") == 0 || s.compare(i, 3, "\xE2\x80\xA9") == 0;
    if (s[i] == '\n' || s[i] == '\r' || separator) last_break = i + 1;
  }
  if (std::size_t plus = s.find('+', last_break); plus != std::string::npos) s.erase(plus);
  if (!s.empty() && s[0] == 'v') s.erase(0, 1);
  std::vector<std::string> parts(1);
  for (char c : s) {
    if (c == '-' || c == '.') parts.emplace_back();
    else parts.back() += c;
  }
  if (parts.size() == 3) parts.emplace_back("~");  // "~" sorts after any pre-release tag
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    bool numeric = !p.empty() && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (i) out += '-';
    if (numeric && p.size() < 5) out.append(5 - p.size(), ' ');  // " 9" < "10", as numbers
    out += p;
  }
  return out;
}

}  // namespace ashna
