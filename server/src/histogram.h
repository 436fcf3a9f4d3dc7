// Histogram: a fixed set of upper bounds and a count per bucket, the shape Prometheus expects
// (cumulative `le` buckets, `_sum`, `_count`). Not thread-safe: the owner guards it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ashna::server {

struct Histogram {
  std::vector<double> bounds;         // ascending upper bounds; +Inf is implicit
  std::vector<std::uint64_t> counts;  // per bucket (not cumulative), bounds.size() + 1 entries
  double sum = 0;
  std::uint64_t count = 0;

  explicit Histogram(std::vector<double> b = {}) : bounds(std::move(b)), counts(bounds.size() + 1, 0) {}

  void observe(double v) {
    std::size_t i = 0;
    while (i < bounds.size() && v > bounds[i]) ++i;
    ++counts[i];
    sum += v;
    ++count;
  }

  // Prometheus text lines for metric `name` with extra `labels` ("" or `route="x",`), no HELP/TYPE.
  std::string render(const std::string& name, const std::string& labels = "") const {
    std::string out;
    std::uint64_t cumulative = 0;
    auto num = [](double d) {
      std::string s = std::to_string(d);
      s.erase(s.find_last_not_of('0') + 1);
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    };
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      cumulative += counts[i];
      out += name + "_bucket{" + labels + "le=\"" + (i < bounds.size() ? num(bounds[i]) : "+Inf") + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    std::string plain = labels.empty() ? "" : "{" + labels.substr(0, labels.size() - 1) + "}";
    out += name + "_sum" + plain + " " + num(sum) + "\n";
    out += name + "_count" + plain + " " + std::to_string(count) + "\n";
    return out;
  }
};

}  // namespace ashna::server
