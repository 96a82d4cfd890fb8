// A realistic region tree for gridsim's unit tests: 上街区 (410106) subdivided by the demo
// geography generator (real boundary, generated streets, communities and grids, some of them
// concave), as DemoRegions.
#ifndef GRIDWORK_TOOLS_GRIDSIM_TEST_CITY_H_
#define GRIDWORK_TOOLS_GRIDSIM_TEST_CITY_H_

#include <vector>

#include "tools/gridsim/demo_model.h"

namespace gridwork::gridsim::testing {

// The regions of 上街区 (seed 20240601); REQUIREs that generation succeeds. Cached.
const std::vector<DemoRegion>& ShangjieRegions();

// The departments the demo catalogues name (a fixed list for tests).
std::vector<std::string> TestDepartments();

}  // namespace gridwork::gridsim::testing

#endif  // GRIDWORK_TOOLS_GRIDSIM_TEST_CITY_H_
