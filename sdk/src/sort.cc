// Bottom-up merge sort of pointers: runs of 8 by insertion, then merges through one buffer.
#include "sort.h"

namespace ashna::detail {

void sort_pointers(const void** a, std::size_t n, LessFn less, const void* order) {
  constexpr std::size_t kRun = 8;
  for (std::size_t lo = 0; lo < n; lo += kRun) {
    const std::size_t hi = lo + kRun < n ? lo + kRun : n;
    for (std::size_t i = lo + 1; i < hi; ++i) {
      const void* x = a[i];
      std::size_t j = i;
      for (; j > lo && less(order, x, a[j - 1]); --j) a[j] = a[j - 1];
      a[j] = x;
    }
  }
  if (n <= kRun) return;
  std::vector<const void*> buffer(n);
  const void** from = a;
  const void** to = buffer.data();
  for (std::size_t width = kRun; width < n; width *= 2) {
    for (std::size_t lo = 0; lo < n; lo += 2 * width) {
      const std::size_t mid = lo + width < n ? lo + width : n;
      const std::size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      std::size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) to[k++] = less(order, from[j], from[i]) ? from[j++] : from[i++];
      while (i < mid) to[k++] = from[i++];
      while (j < hi) to[k++] = from[j++];
    }
    std::swap(from, to);
  }
  if (from != a)
    for (std::size_t i = 0; i < n; ++i) a[i] = from[i];
}

}  // namespace ashna::detail
