// Helpers shared by the fuzz entry points: reporting a bug (abort with a message, which
// libFuzzer records as a crash) and the distance from a point to a region's border.
#ifndef GRIDWORK_TESTS_FUZZ_FUZZ_CHECK_H_
#define GRIDWORK_TESTS_FUZZ_FUZZ_CHECK_H_

#include <string_view>

#include "gridwork/geo/types.h"

namespace gridwork::fuzz {

// Prints "fuzz check failed: <what>" to stderr and aborts.
[[noreturn]] void FuzzFail(std::string_view what);

// Smallest planar distance (degrees) from `p` to any edge of any ring of `mp`; infinity if
// `mp` has no edges.
double DistanceToBorder(const geo::Point& p, const geo::MultiPolygon& mp);

}  // namespace gridwork::fuzz

#endif  // GRIDWORK_TESTS_FUZZ_FUZZ_CHECK_H_
