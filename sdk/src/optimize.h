// Derivative-free minimisation for the value models' maximum-likelihood fits (internal).
// Nelder-Mead on an unconstrained vector; callers optimise log-parameters so positivity is free.
// Deterministic: the same objective and starts give the same result on every build.
#pragma once

#include <functional>
#include <span>
#include <vector>

namespace ashna::internal {

struct NelderMeadOptions {
  double initial_step = 0.5;  // simplex edge along each axis (log-units: a factor of e^0.5)
  double f_tolerance = 1e-12;  // stop when f differs by less than this across the simplex...
  double x_tolerance = 1e-9;   // ...and the simplex is smaller than this along every axis
  int max_evaluations = 20000;  // per start, restarts included
  int max_restarts = 20;
  // Points with |x_i| > bound score +inf: keeps exp(x) finite and lets the caller see a run-away.
  double bound = 20;
};

struct NelderMeadResult {
  std::vector<double> x;
  double value = 0;  // +inf when no finite point was found
  int evaluations = 0;
  bool converged = false;  // tolerances met within the budget, and not at the bound
};

// Minimises `f` from each start in turn (one Nelder-Mead run per start, restarted from its best
// point until a restart no longer improves it) and returns the best. Non-finite values of `f` count
// as +inf, so the result never holds NaN.
NelderMeadResult minimize(const std::function<double(std::span<const double>)>& f,
                          const std::vector<std::vector<double>>& starts,
                          const NelderMeadOptions& options = {});

}  // namespace ashna::internal
