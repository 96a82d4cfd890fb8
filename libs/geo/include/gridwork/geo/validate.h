// Geometry validation for region polygons, and the checks a region tree needs
// (district → street → community → grid): child inside parent, siblings disjoint, parent
// covered by its children.
//
//   std::vector<ValidationIssue> issues = ValidateGeometry(feature.geometry);
//   for (const ValidationIssue& i : issues) LOG(i.message);   // "self-intersection at ..."
//
// Validity is OGC's (as PostGIS ST_IsValid and bg::is_valid) with two differences: repeated
// consecutive vertices are accepted (harmless, common in real data), and a vertex cap guards
// the O(n log n) checks. Every issue carries a message a person can act on and, where there
// is one, the coordinate of the problem.
//
// Tolerances (docs/geo.md): real boundary data quantised to 1/1024° (≈ 100 m) leaves slivers
// between neighbours. Measured on the Henan data (158 districts of 18 cities): gaps between
// neighbouring districts up to 48,776 m² (Zhengzhou: 4 gaps, largest 19,407 m²) and one
// overlap of 14,838 m² (Zhumadian). kBoundaryDataToleranceM2 sits just above those;
// kDerivedToleranceM2 is for trees whose children were cut from their parent (generated grids),
// where only floating point noise remains.
//
// All functions are pure and thread-safe.
#ifndef GRIDWORK_GEO_VALIDATE_H_
#define GRIDWORK_GEO_VALIDATE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gridwork/geo/types.h"

namespace gridwork::geo {

// What is wrong. DO NOT CHANGE THESE VALUES: they appear in stored import reports and APIs.
enum class IssueCode : int {
  kEmpty = 1,                 // no polygon, or only empty rings
  kTooFewPoints = 2,          // a ring with fewer than 3 distinct points
  kCoordinateOutOfRange = 3,  // |lng| > 180 or |lat| > 90
  kNonFinite = 4,             // NaN or infinity
  kSelfIntersection = 5,      // rings cross or touch themselves/each other
  kDuplicatePoints = 6,       // a spike: the ring goes to a point and straight back
  kHoleOutsideShell = 7,      // a hole not inside its outer ring (or inside another hole)
  kNestedShells = 8,          // parts of a multipolygon overlap or nest
  kInvalidOther = 9,          // wrong orientation, disconnected interior, ...
  kTooManyVertices = 10,      // above ValidationOptions::max_vertices
  kNotInsideParent = 11,      // tree: child area outside its parent above tolerance
  kOverlapsSibling = 12,      // tree: two siblings overlap above tolerance
  kGapInParent = 13,          // tree: parent area covered by no child above tolerance
};

// "SELF_INTERSECTION" etc., for logs and API enums.
absl::string_view IssueCodeName(IssueCode code);

struct ValidationIssue {
  IssueCode code;
  std::string message;         // what and where, in words, with the fix where obvious
  std::optional<Point> where;  // a coordinate at (or inside) the problem, if there is one
  double area_m2 = 0;          // tree checks: the offending area; 0 otherwise
};

struct ValidationOptions {
  // Features with more vertices than this (all rings) are rejected without further checks.
  size_t max_vertices = 100000;
};

inline constexpr double kBoundaryDataToleranceM2 = 50000;  // real, quantised boundaries
inline constexpr double kDerivedToleranceM2 = 1;           // children cut from the parent

// Checks one region geometry; empty result = valid. Reports the first problem of each kind
// found (non-finite / out-of-range / too many vertices / too few points stop the checks,
// since later ones would be meaningless).
std::vector<ValidationIssue> ValidateGeometry(const MultiPolygon& mp);
std::vector<ValidationIssue> ValidateGeometry(const MultiPolygon& mp,
                                              const ValidationOptions& options);

// Areas in m² (distance.h AreaSquareMeters) of overlay results. INVALID_ARGUMENT if
// Boost.Geometry's overlay rejects the input (typically an invalid geometry).
absl::StatusOr<double> AreaOutside(const MultiPolygon& child, const MultiPolygon& parent);
absl::StatusOr<double> OverlapArea(const MultiPolygon& a, const MultiPolygon& b);
// Area of `parent` covered by none of `children`.
absl::StatusOr<double> GapArea(const MultiPolygon& parent,
                               const std::vector<MultiPolygon>& children);

// Tree checks: each returns no issue when the measured area is within `tolerance_m2`, one
// issue (kNotInsideParent / kOverlapsSibling / kGapInParent, with area_m2 and the centre of
// the largest offending piece) when above, and kInvalidOther when the overlay fails.
std::vector<ValidationIssue> CheckInsideParent(const MultiPolygon& child,
                                               const MultiPolygon& parent,
                                               double tolerance_m2 = kBoundaryDataToleranceM2);
std::vector<ValidationIssue> CheckSiblingOverlap(const MultiPolygon& a, const MultiPolygon& b,
                                                 double tolerance_m2 = kBoundaryDataToleranceM2);
std::vector<ValidationIssue> CheckGap(const MultiPolygon& parent,
                                      const std::vector<MultiPolygon>& children,
                                      double tolerance_m2 = kBoundaryDataToleranceM2);

}  // namespace gridwork::geo

#endif  // GRIDWORK_GEO_VALIDATE_H_
