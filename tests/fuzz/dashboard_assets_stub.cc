// The fuzz build serves no dashboard files (server/CMakeLists.txt compiles the real ones in).
#include "dashboard_assets.h"

namespace ashna::server {

const std::vector<DashboardAsset>& dashboard_assets() {
  static const std::vector<DashboardAsset> none;
  return none;
}

}  // namespace ashna::server
