// Region-tree checks of validate.h: overlay with Boost.Geometry, areas with distance.h.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/geo/distance.h"
#include "gridwork/geo/validate.h"

namespace gridwork::geo {
namespace {

enum class Op { kDifference, kIntersection };

absl::StatusOr<MultiPolygon> Overlay(const MultiPolygon& a, const MultiPolygon& b, Op op) {
  MultiPolygon out;
  try {
    if (op == Op::kDifference) {
      bg::difference(a, b, out);
    } else {
      bg::intersection(a, b, out);
    }
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "polygon overlay failed (is the input valid? see ValidateGeometry): ", e.what()));
  }
  return out;
}

// Centre of the largest piece, as a place to point a person at.
std::optional<Point> LargestPieceCentre(const MultiPolygon& pieces) {
  const Polygon* best = nullptr;
  double best_area = -1;
  for (const Polygon& p : pieces) {
    const double a = AreaSquareMeters(p);
    if (a > best_area) {
      best_area = a;
      best = &p;
    }
  }
  if (best == nullptr) return std::nullopt;
  Point c;
  bg::centroid(*best, c);
  return c;
}

std::vector<ValidationIssue> Judge(const absl::StatusOr<MultiPolygon>& pieces, double tolerance_m2,
                                   IssueCode code, absl::string_view what) {
  std::vector<ValidationIssue> out;
  if (!pieces.ok()) {
    out.push_back(
        {IssueCode::kInvalidOther, std::string(pieces.status().message()), std::nullopt, 0});
    return out;
  }
  const double area = AreaSquareMeters(*pieces);
  if (area <= tolerance_m2) return out;
  const std::optional<Point> where = LargestPieceCentre(*pieces);
  out.push_back(
      {code,
       absl::StrFormat(
           "%s: %.0f m² in %d piece(s) (tolerance %.0f m²)%s", what, area, pieces->size(),
           tolerance_m2,
           where ? absl::StrFormat(", largest around (%.9g, %.9g)", where->x(), where->y()) : ""),
       where, area});
  return out;
}

absl::StatusOr<MultiPolygon> Uncovered(const MultiPolygon& parent,
                                       const std::vector<MultiPolygon>& children) {
  MultiPolygon rest = parent;
  for (const MultiPolygon& child : children) {
    auto next = Overlay(rest, child, Op::kDifference);
    if (!next.ok()) return next.status();
    rest = std::move(*next);
  }
  return rest;
}

}  // namespace

absl::StatusOr<double> AreaOutside(const MultiPolygon& child, const MultiPolygon& parent) {
  auto pieces = Overlay(child, parent, Op::kDifference);
  if (!pieces.ok()) return pieces.status();
  return AreaSquareMeters(*pieces);
}

absl::StatusOr<double> OverlapArea(const MultiPolygon& a, const MultiPolygon& b) {
  auto pieces = Overlay(a, b, Op::kIntersection);
  if (!pieces.ok()) return pieces.status();
  return AreaSquareMeters(*pieces);
}

absl::StatusOr<double> GapArea(const MultiPolygon& parent,
                               const std::vector<MultiPolygon>& children) {
  auto rest = Uncovered(parent, children);
  if (!rest.ok()) return rest.status();
  return AreaSquareMeters(*rest);
}

std::vector<ValidationIssue> CheckInsideParent(const MultiPolygon& child,
                                               const MultiPolygon& parent, double tolerance_m2) {
  return Judge(Overlay(child, parent, Op::kDifference), tolerance_m2, IssueCode::kNotInsideParent,
               "child extends outside its parent");
}

std::vector<ValidationIssue> CheckSiblingOverlap(const MultiPolygon& a, const MultiPolygon& b,
                                                 double tolerance_m2) {
  return Judge(Overlay(a, b, Op::kIntersection), tolerance_m2, IssueCode::kOverlapsSibling,
               "siblings overlap");
}

std::vector<ValidationIssue> CheckGap(const MultiPolygon& parent,
                                      const std::vector<MultiPolygon>& children,
                                      double tolerance_m2) {
  return Judge(Uncovered(parent, children), tolerance_m2, IssueCode::kGapInParent,
               "parent area covered by no child");
}

}  // namespace gridwork::geo
