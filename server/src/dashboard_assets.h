// The dashboard's files (server/dashboard/), compiled in by server/CMakeLists.txt.
#pragma once

#include <string_view>
#include <vector>

namespace ashna::server {

struct DashboardAsset {
  std::string_view path;  // "/dashboard/index.html"
  std::string_view body;
};

const std::vector<DashboardAsset>& dashboard_assets();

}  // namespace ashna::server
