// libFuzzer target: the shop's catalog reader (catalog_from_json) on arbitrary text. A catalog it
// accepts must hold only items that pass the catalog's own validation, and be queryable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ashna/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto j = ashna::parse_json(in);
  if (!j) return 0;
  auto catalog = ashna::catalog_from_json(j.value());
  if (!catalog) return 0;
  for (const ashna::CatalogItem& item : catalog->items()) {
    if (item.id.empty() || catalog->find(item.id) == nullptr) __builtin_trap();
    (void)catalog->is_sensitive(item.id);
  }
  return 0;
}
