// Nelder-Mead with restarts (Nelder & Mead 1965; coefficients 1, 2, 1/2, 1/2 as in Lagarias et al.
// 1998). A converged simplex can be stuck on a ridge; restarting from its best point with a fresh,
// full-size simplex is the classic cure and costs little once the optimum is reached.
#include "optimize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ashna::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

class Run {
 public:
  Run(const std::function<double(std::span<const double>)>& f, const NelderMeadOptions& o)
      : f_(f), o_(o) {}

  int evaluations() const { return evaluations_; }
  bool budget_left() const { return evaluations_ < o_.max_evaluations; }

  double eval(const std::vector<double>& x) {
    ++evaluations_;
    for (double v : x)
      if (!(std::abs(v) <= o_.bound)) return kInf;
    double y = f_(x);
    return std::isfinite(y) ? y : kInf;
  }

  // One Nelder-Mead descent from `x0`. Returns true when the tolerances were met.
  bool descend(std::vector<double>& x0, double& f0) {
    const std::size_t n = x0.size();
    std::vector<std::vector<double>> pts(n + 1, x0);
    std::vector<double> fs(n + 1, f0);
    for (std::size_t i = 0; i < n; ++i) {
      pts[i + 1][i] += o_.initial_step;
      fs[i + 1] = eval(pts[i + 1]);
    }
    std::vector<std::size_t> order(n + 1);
    std::vector<double> c(n), xr(n), xe(n), xc(n);
    auto along = [&](std::vector<double>& out, const std::vector<double>& from, double t) {
      for (std::size_t j = 0; j < n; ++j) out[j] = c[j] + t * (from[j] - c[j]);
    };
    bool met = false;
    while (budget_left()) {
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](auto i, auto j) { return fs[i] < fs[j]; });
      const std::size_t best = order[0], worst = order[n], second = order[n - 1];
      if (fs[best] == kInf) break;  // nowhere finite to go
      double f_spread = 0, x_spread = 0;
      for (std::size_t i = 0; i <= n; ++i) {
        f_spread = std::max(f_spread, std::abs(fs[i] - fs[best]));
        for (std::size_t j = 0; j < n; ++j)
          x_spread = std::max(x_spread, std::abs(pts[i][j] - pts[best][j]));
      }
      if (f_spread <= o_.f_tolerance * (1 + std::abs(fs[best])) && x_spread <= o_.x_tolerance) {
        met = true;
        break;
      }
      std::fill(c.begin(), c.end(), 0.0);
      for (std::size_t i = 0; i <= n; ++i)
        if (i != worst)
          for (std::size_t j = 0; j < n; ++j) c[j] += pts[i][j] / n;

      along(xr, pts[worst], -1);
      const double fr = eval(xr);
      if (fr < fs[best]) {
        along(xe, pts[worst], -2);
        const double fe = eval(xe);
        if (fe < fr) pts[worst] = xe, fs[worst] = fe;
        else pts[worst] = xr, fs[worst] = fr;
        continue;
      }
      if (fr < fs[second]) {
        pts[worst] = xr, fs[worst] = fr;
        continue;
      }
      // Contract: outside the simplex when the reflection beat the worst point, else inside.
      const bool outside = fr < fs[worst];
      along(xc, outside ? xr : pts[worst], 0.5);
      const double fc = eval(xc);
      if (outside ? fc <= fr : fc < fs[worst]) {
        pts[worst] = xc, fs[worst] = fc;
        continue;
      }
      for (std::size_t i = 0; i <= n; ++i) {  // shrink towards the best point
        if (i == best) continue;
        for (std::size_t j = 0; j < n; ++j) pts[i][j] = pts[best][j] + 0.5 * (pts[i][j] - pts[best][j]);
        fs[i] = eval(pts[i]);
      }
    }
    const std::size_t best = std::min_element(fs.begin(), fs.end()) - fs.begin();
    x0 = pts[best];
    f0 = fs[best];
    return met;
  }

 private:
  const std::function<double(std::span<const double>)>& f_;
  const NelderMeadOptions& o_;
  int evaluations_ = 0;
};

}  // namespace

NelderMeadResult minimize(const std::function<double(std::span<const double>)>& f,
                          const std::vector<std::vector<double>>& starts,
                          const NelderMeadOptions& options) {
  NelderMeadResult out;
  out.value = kInf;
  for (const auto& start : starts) {
    Run run(f, options);
    std::vector<double> x = start;
    double fx = run.eval(x);
    bool met = false;
    for (int restart = 0; restart <= options.max_restarts && run.budget_left(); ++restart) {
      const double before = fx;
      met = run.descend(x, fx);
      if (fx == kInf) break;
      // Stop once a fresh simplex finds nothing better: the point is a local minimum.
      if (restart > 0 && before - fx <= options.f_tolerance * (1 + std::abs(fx))) break;
    }
    out.evaluations += run.evaluations();
    if (fx < out.value || out.x.empty()) {
      out.x = x;
      out.value = fx;
      out.converged = met && fx != kInf;
      for (double v : x)
        if (std::abs(v) > options.bound - 1) out.converged = false;
    }
  }
  return out;
}

}  // namespace ashna::internal
