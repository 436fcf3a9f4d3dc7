// The version-2 sync encoder: a small MessagePack writer for deltas and answers. It ships in the
// browser build, so it has no dependency and no float formatting; the decoder is wire_codec.cc.
//
// Grammar (MessagePack, https://github.com/msgpack/msgpack/blob/master/spec.md). `{ }` is a map
// with exactly these keys (written in this order, read in any order; `?` = may be absent);
// `[ ]` is an array whose trailing absent fields are left out and whose absent inner fields are
// nil. Integers take msgpack's smallest form, which is the variable-length integer of the format.
//
//   request := { "v": 2, "k": str key, "t": str token, "s": uint since?, "c": [consent, ...]?,
//                "d": delta }
//   consent := [ int ts, bool personalisation, bool analytics, bool marketing, str source,
//                str policy ]
//   delta   := { "p": text profile, "r": text replica, "u": uint upto, "x": int erased?,
//                "b": int base?, "S": [str, ...]?, "e": [event, ...]?, "t": [trait, ...]? }
//   answer  := { "v": 2, "a": uint upto (the ack), "p": str profile, "V": int version,
//                "n": [uint events, uint traits, uint consent?] (accepted), "d": down }
//   down    := { "V": int version, "m": bool more, "x"?, "b"?, "S"?, "e"?, "t"? }  (as in delta)
//   text    := str | uint i                     a literal, or S[i] of the string table
//   event   := [ id, type, int dts, text path, text props, item, [line, ...] lines,
//                text currency, text channel ]                     (channel absent or nil: "web")
//   id      := text | [ text prefix, uint n ]   the prefix followed by n in decimal
//   type    := uint (the EventType, event.h: page_view 0 ... store_visit 11, exposure 12,
//              not_interested 13) | str (its name)
//   dts     := ts minus the previous event's ts; for the first event, ts minus b
//   item    := [ text id, text title, text category, price ]
//   line    := [ text id, text title, text category, price, int qty ]   (qty absent: 1)
//   price   := int n (n / 100) | float
//   trait   := [ text name, text value, int dts (ts minus b), text replica, uint tick? ]
//              (tick: the hybrid clock's counter, clock.h; left out when 0)
//   props   := the JSON text of an object (a text, so repeated props share the table)
//
// The writer puts a string in S (in byte order) when it occurs at least twice and the table saves
// bytes. Timestamp arithmetic is modulo 2^64, so every int64 round-trips; the reader's validation
// refuses what is outside 2000-2100.
#include "ashna/wire.h"
#include "sort.h"

#include "text.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace ashna {
namespace {

// ts - base modulo 2^64 (never undefined behaviour; the reader adds modulo 2^64 too).
std::int64_t minus(std::int64_t ts, std::int64_t base) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(ts) - static_cast<std::uint64_t>(base));
}

// id = prefix + n in decimal (at most 15 trailing digits, no leading zero): true when it splits.
bool split_id(std::string_view id, std::string_view& prefix, std::uint64_t& n) {
  std::size_t end = id.size(), start = end;
  while (start > 0 && end - start < 15 && id[start - 1] >= '0' && id[start - 1] <= '9') --start;
  if (start == end || start == 0) return false;
  while (start + 1 < end && id[start] == '0') ++start;  // leading zeros stay in the prefix
  prefix = id.substr(0, start);
  n = 0;
  for (std::size_t i = start; i < end; ++i) n = n * 10 + static_cast<std::uint64_t>(id[i] - '0');
  return true;
}

class Packer {
 public:
  std::string out;

  void byte(unsigned b) { out += static_cast<char>(b & 0xFF); }
  void be(std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) byte(static_cast<unsigned>(v >> (8 * i)));
  }
  void uint(std::uint64_t v) {
    if (v < 128) byte(static_cast<unsigned>(v));
    else if (v < 256) byte(0xCC), be(v, 1);
    else if (v < 65536) byte(0xCD), be(v, 2);
    else if (v <= 0xFFFFFFFFu) byte(0xCE), be(v, 4);
    else byte(0xCF), be(v, 8);
  }
  void sint(std::int64_t v) {
    auto u = static_cast<std::uint64_t>(v);
    if (v >= 0) uint(u);
    else if (v >= -32) byte(static_cast<unsigned>(u));  // negative fixint
    else if (v >= -128) byte(0xD0), be(u, 1);
    else if (v >= -32768) byte(0xD1), be(u, 2);
    else if (v >= -2147483648LL) byte(0xD2), be(u, 4);
    else byte(0xD3), be(u, 8);
  }
  // fixed form below `fix_max`, then the 8- (if any), 16- and 32-bit length forms.
  void head(std::size_t n, unsigned fix, std::size_t fix_max, unsigned c8, unsigned c16) {
    if (n < fix_max) byte(fix | static_cast<unsigned>(n));
    else if (c8 && n < 256) byte(c8), be(n, 1);
    else if (n < 65536) byte(c16), be(n, 2);
    else byte(c16 + 1), be(n, 4);
  }
  void array(std::size_t n) { head(n, 0x90, 16, 0, 0xDC); }
  void map(std::size_t n) { head(n, 0x80, 16, 0, 0xDE); }
  void key(char k) { byte(0xA1), byte(static_cast<unsigned char>(k)); }
  void nil() { byte(0xC0); }
  void boolean(bool b) { byte(b ? 0xC3 : 0xC2); }
  void str(std::string_view s) {
    if (!is_valid_utf8(s)) {
      std::string fixed;
      for (std::size_t i = 0; i < s.size();) {
        std::size_t n = text::utf8_sequence(s, i);
        if (n) fixed.append(s.substr(i, n)), i += n;
        else fixed += "\xEF\xBF\xBD", ++i;  // U+FFFD for each invalid byte, as the JSON writer
      }
      return str(fixed);
    }
    head(s.size(), 0xA0, 32, 0xD9, 0xDA);
    out.append(s);
  }
  // Whole cents as an integer (exact: n / 100.0 gives the same double back), else a float64.
  void price(double p) {
    double cents = p * 100;
    if (cents >= 0 && cents < 9e15) {
      auto n = static_cast<std::uint64_t>(std::llround(cents));
      if (static_cast<double>(n) / 100.0 == p) return uint(n);
    }
    std::uint64_t bits;
    std::memcpy(&bits, &p, sizeof bits);
    byte(0xCB), be(bits, 8);
  }
};

// The string table: every text occurrence is collected; a string occurring at least twice goes
// in the table (in byte order) when that saves bytes with a one-byte index. One sort and
// std::lower_bound over string_view serve the table and the ids: in the browser build each
// further container or algorithm instantiation costs hundreds of bytes.
class Strings {
 public:
  void add(std::string_view s) {
    if (!s.empty()) seen_.push_back(s);
  }
  void build() {
    sort(seen_);
    for (std::size_t i = 0; i < seen_.size();) {
      std::size_t j = i;
      while (j < seen_.size() && seen_[j] == seen_[i]) ++j;
      std::size_t n = j - i, len = seen_[i].size() + (seen_[i].size() < 32 ? 1 : seen_[i].size() < 256 ? 2 : 3);
      if (n >= 2 && len * (n - 1) > n) table_.push_back(seen_[i]);
      i = j;
    }
  }
  const std::vector<std::string_view>& table() const { return table_; }
  void text(Packer& p, std::string_view s) const {
    auto it = std::lower_bound(table_.begin(), table_.end(), s);
    if (it != table_.end() && *it == s) p.uint(static_cast<std::uint64_t>(it - table_.begin()));
    else p.str(s);
  }
  // nil for an empty optional field.
  void opt(Packer& p, std::string_view s) const {
    if (s.empty()) p.nil();
    else text(p, s);
  }

 private:
  std::vector<std::string_view> seen_, table_;
};

// Event ids the table can share: prefix + counter ids whose prefix occurs at least twice.
class Ids {
 public:
  explicit Ids(const std::vector<Event>& events) {
    for (const Event& e : events) {
      std::string_view prefix;
      std::uint64_t n;
      if (split_id(e.id, prefix, n)) prefixes_.push_back(prefix);
    }
    sort(prefixes_);
  }
  bool shared(std::string_view id, std::string_view& prefix, std::uint64_t& n) const {
    if (!split_id(id, prefix, n)) return false;
    auto it = std::lower_bound(prefixes_.begin(), prefixes_.end(), prefix);  // it points at prefix itself
    return it + 1 < prefixes_.end() && it[1] == prefix;
  }

 private:
  std::vector<std::string_view> prefixes_;
};

std::size_t item_fields(const Item& item) {
  return item.price > 0 ? 4 : !item.category.empty() ? 3 : !item.title.empty() ? 2 : 1;
}

// [id, title, category, price] cut to `fields` (a line's array may announce a 5th, its qty).
void write_item(Packer& p, const Strings& s, const Item& item, std::size_t fields) {
  p.array(fields);
  s.text(p, item.id);
  if (fields > 1) s.opt(p, item.title);
  if (fields > 2) s.opt(p, item.category);
  if (fields > 3) {
    if (item.price > 0) p.price(item.price);
    else p.nil();
  }
}

void write_event(Packer& p, const Strings& s, const Ids& ids, const Event& e, std::int64_t dts) {
  std::size_t fields = e.channel != "web" ? 9 : !e.currency.empty() ? 8 : !e.lines.empty() ? 7
                     : !e.item.id.empty() ? 6 : !e.props.empty() ? 5 : !e.path.empty() ? 4 : 3;
  p.array(fields);
  std::string_view prefix;
  std::uint64_t n;
  if (ids.shared(e.id, prefix, n)) {
    p.array(2), s.text(p, prefix), p.uint(n);
  } else {
    s.text(p, e.id);
  }
  p.uint(static_cast<std::uint64_t>(e.type));
  p.sint(dts);
  if (fields > 3) s.opt(p, e.path);
  if (fields > 4) s.opt(p, e.props);
  if (fields > 5) {
    if (e.item.id.empty()) p.nil();
    else write_item(p, s, e.item, item_fields(e.item));
  }
  if (fields > 6 && e.lines.empty()) {
    p.nil();
  } else if (fields > 6) {
    p.array(e.lines.size());
    for (const Line& l : e.lines) {
      bool qty = l.quantity != 1;
      write_item(p, s, l.item, qty ? 5 : item_fields(l.item));  // the array holds qty too
      if (qty) p.sint(l.quantity);
    }
  }
  if (fields > 7) s.opt(p, e.currency);
  if (fields > 8) s.text(p, e.channel);  // "" stays "" (and is refused by the reader, as in JSON)
}

// The delta's map; `down` leaves out profile, replica and upto and adds version and more.
void write_delta(Packer& p, const Delta& d, const WireAnswer* down) {
  Strings s;
  Ids ids(d.events);
  if (!down) s.add(d.profile_id), s.add(d.replica);
  for (const Event& e : d.events) {
    std::string_view prefix;
    std::uint64_t n;
    s.add(ids.shared(e.id, prefix, n) ? prefix : std::string_view(e.id));
    if (e.channel != "web") s.add(e.channel);
    s.add(e.path), s.add(e.props), s.add(e.currency);
    s.add(e.item.id), s.add(e.item.title), s.add(e.item.category);
    for (const Line& l : e.lines) s.add(l.item.id), s.add(l.item.title), s.add(l.item.category);
  }
  for (const auto& [name, t] : d.traits) s.add(name), s.add(t.value), s.add(t.replica);
  s.build();

  bool timed = !d.events.empty() || !d.traits.empty();
  std::int64_t base = !d.events.empty() ? d.events.front().ts : timed ? d.traits.begin()->second.ts : 0;
  p.map((down ? 2 : 3) + (d.erased != 0) + timed + !s.table().empty() + !d.events.empty() + !d.traits.empty());
  if (down) {
    p.key('V'), p.sint(down->down_version);
    p.key('m'), p.boolean(down->more);
  } else {
    p.key('p'), s.text(p, d.profile_id);
    p.key('r'), s.text(p, d.replica);
    p.key('u'), p.uint(d.upto);
  }
  if (d.erased != 0) p.key('x'), p.sint(d.erased);
  if (timed) p.key('b'), p.sint(base);
  if (!s.table().empty()) {
    p.key('S'), p.array(s.table().size());
    for (std::string_view t : s.table()) p.str(t);
  }
  if (!d.events.empty()) {
    p.key('e'), p.array(d.events.size());
    std::int64_t prev = base;
    for (const Event& e : d.events) {
      write_event(p, s, ids, e, minus(e.ts, prev));
      prev = e.ts;
    }
  }
  if (!d.traits.empty()) {
    p.key('t'), p.array(d.traits.size());
    for (const auto& [name, t] : d.traits) {
      p.array(t.tick ? 5 : 4);
      s.text(p, name), s.text(p, t.value), p.sint(minus(t.ts, base)), s.text(p, t.replica);
      if (t.tick) p.uint(t.tick);
    }
  }
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = text::utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string encode_delta(const Delta& delta) {
  Packer p;
  write_delta(p, delta, nullptr);
  return std::move(p.out);
}

std::string encode_answer(const WireAnswer& a, const Delta& down) {
  Packer p;
  p.map(6);
  p.key('v'), p.uint(kWireVersion);
  p.key('a'), p.uint(a.upto);
  p.key('p'), p.str(a.profile);
  p.key('V'), p.sint(a.version);
  p.key('n'), p.array(a.consent_added < 0 ? 2 : 3);
  p.sint(a.events_added), p.sint(a.traits_changed);
  if (a.consent_added >= 0) p.sint(a.consent_added);
  p.key('d');
  write_delta(p, down, &a);
  return std::move(p.out);
}

}  // namespace ashna
