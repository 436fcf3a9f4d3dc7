// libFuzzer target: the version-1 (JSON) readers on arbitrary text. A delta they accept must
// also survive version 2: encoded by the core and read by the MessagePack reader, it is the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ashna/codec.h"
#include "ashna/json.h"
#include "ashna/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto j = ashna::parse_json(in);
  if (!j) return 0;
  auto delta = ashna::delta_from_json(j.value());
  (void)ashna::event_from_json(j.value());
  (void)ashna::profile_from_json(j.value());
  // The server refuses profile and replica ids over 128 bytes before this point (safe_id).
  if (!delta || delta->profile_id.size() > 128 || delta->replica.size() > 128) return 0;
  auto v2 = ashna::delta_from_msgpack(ashna::encode_delta(delta.value()));
  if (!v2 || ashna::to_json(v2.value()) != ashna::to_json(delta.value())) __builtin_trap();
  return 0;
}
