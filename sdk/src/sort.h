// One sort for the whole core. std::sort instantiates about 1.1 KB of wasm per element type and
// order (the browser build had nine); ashna::sort compiles one merge sort, over pointers, once,
// and calls the order through a function pointer. It is stable, so elements the order calls
// equal keep their input order on every platform (libstdc++ natively, libc++ in wasm).
#pragma once

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace ashna {
namespace detail {

using LessFn = bool (*)(const void* order, const void* a, const void* b);
// Sorts the n pointers at `first` by less(order, *a, *b); stable.
void sort_pointers(const void** first, std::size_t n, LessFn less, const void* order);

}  // namespace detail

template <class T, class Less = std::less<>>
void sort(std::vector<T>& v, Less less = {}) {
  if (v.size() < 2) return;
  std::vector<const void*> at(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) at[i] = &v[i];
  detail::sort_pointers(
      at.data(), at.size(),
      [](const void* order, const void* a, const void* b) {
        return (*static_cast<const Less*>(order))(*static_cast<const T*>(a), *static_cast<const T*>(b));
      },
      &less);
  std::vector<T> sorted;
  sorted.reserve(v.size());
  for (const void* p : at) sorted.push_back(std::move(*const_cast<T*>(static_cast<const T*>(p))));
  v.swap(sorted);
}

}  // namespace ashna
