// libFuzzer target: the version-2 (MessagePack) readers on arbitrary bytes. Besides "no crash,
// no sanitizer report", it checks a property: a delta the reader accepts, written again by the
// core's encoder, reads back to the same delta.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ashna/codec.h"
#include "ashna/json.h"
#include "ashna/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto delta = ashna::delta_from_msgpack(in);
  if (delta) {
    auto again = ashna::delta_from_msgpack(ashna::encode_delta(delta.value()));
    if (!again || ashna::to_json(again.value()) != ashna::to_json(delta.value())) __builtin_trap();
  }
  (void)ashna::sync_request_from_msgpack(in);
  (void)ashna::answer_from_msgpack(in);
  return 0;
}
