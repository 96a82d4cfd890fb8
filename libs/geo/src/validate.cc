// ValidateGeometry (validate.h): cheap coordinate checks first, then Boost.Geometry's OGC
// validity with a visitor that keeps the location Boost found (turn point, spike apex).
#include "gridwork/geo/validate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridwork::geo {
namespace {

std::string At(const Point& p) { return absl::StrFormat("(%.9g, %.9g)", p.x(), p.y()); }

// Visitor for bg::is_valid (the policy interface of boost/geometry/policies/is_valid):
// records the first failure and the point Boost passes along with it. Repeated consecutive
// points are accepted.
class FailureRecorder {
 public:
  template <bg::validity_failure_type Failure>
  bool apply() {
    return Record(Failure);
  }
  template <bg::validity_failure_type Failure, typename Data>
  bool apply(const Data& data) {
    if (Failure == bg::failure_duplicate_points) return true;
    if constexpr (std::is_convertible_v<Data, Point>) {
      where_ = Point(data);
    } else if constexpr (requires { data.front().point; }) {
      if (!data.empty()) where_ = Point(data.front().point);  // self-intersection turns
    }
    return Record(Failure);
  }
  template <bg::validity_failure_type Failure, typename Data1, typename Data2>
  bool apply(const Data1&, const Data2& data2) {
    if constexpr (std::is_convertible_v<Data2, Point>) where_ = Point(data2);  // spike apex
    return Record(Failure);
  }

  bg::validity_failure_type failure() const { return failure_; }
  const std::optional<Point>& where() const { return where_; }

 private:
  bool Record(bg::validity_failure_type f) {
    if (f == bg::no_failure || f == bg::failure_duplicate_points) return true;
    failure_ = f;
    return false;
  }
  bg::validity_failure_type failure_ = bg::no_failure;
  std::optional<Point> where_;
};

void Add(std::vector<ValidationIssue>* out, IssueCode code, std::string message,
         std::optional<Point> where = std::nullopt) {
  out->push_back(ValidationIssue{code, std::move(message), where, 0});
}

bool IsTiny(double v) { return v != 0 && std::abs(v) < 1e-9; }

// Coordinates: finite and in range. Returns false if the geometry should not be checked
// further.
bool CheckCoordinates(const MultiPolygon& mp, std::vector<ValidationIssue>* out) {
  bool non_finite = false, out_of_range = false;
  auto ring = [&](const Ring& r, size_t pi, absl::string_view which) {
    for (size_t v = 0; v < r.size(); ++v) {
      const Point& p = r[v];
      if (!non_finite && (!std::isfinite(p.x()) || !std::isfinite(p.y()))) {
        non_finite = true;
        Add(out, IssueCode::kNonFinite,
            absl::StrCat("polygon ", pi, " ", which, " vertex ", v, " is not a finite number ",
                         At(p)));
      } else if (!out_of_range && std::isfinite(p.x()) && std::isfinite(p.y()) &&
                 (std::abs(p.x()) > 180 || std::abs(p.y()) > 90)) {
        out_of_range = true;
        std::string hint = std::abs(p.y()) > 90 && std::abs(p.x()) <= 90
                               ? "; longitude and latitude look swapped (GeoJSON is [lng, lat])"
                               : "";
        Add(out, IssueCode::kCoordinateOutOfRange,
            absl::StrCat("polygon ", pi, " ", which, " vertex ", v, " ", At(p),
                         " is outside lng [-180, 180], lat [-90, 90]", hint),
            p);
      } else if (!out_of_range && (IsTiny(p.x()) || IsTiny(p.y()))) {
        // Boost 1.74's robust predicates overflow on such values (found by fuzzing), and no
        // survey is that precise: 1e-9 degree is 0.1 mm.
        out_of_range = true;
        Add(out, IssueCode::kCoordinateOutOfRange,
            absl::StrCat("polygon ", pi, " ", which, " vertex ", v, " ", At(p),
                         " is closer to 0 than 1e-9 degree without being 0; round it"),
            p);
      }
    }
  };
  for (size_t pi = 0; pi < mp.size(); ++pi) {
    ring(mp[pi].outer(), pi, "outer ring");
    for (size_t h = 0; h < mp[pi].inners().size(); ++h) {
      ring(mp[pi].inners()[h], pi, absl::StrCat("hole ", h));
    }
  }
  return !non_finite && !out_of_range;
}

bool CheckRingSizes(const MultiPolygon& mp, std::vector<ValidationIssue>* out) {
  auto distinct3 = [](const Ring& r) {
    // At least three distinct points, not all on one line (a bowtie has zero area but is a
    // self-intersection, not a degenerate ring).
    if (r.empty()) return false;
    const Point& a = r.front();
    const Point* b = nullptr;
    for (const Point& p : r) {
      if (b == nullptr) {
        if (!bg::equals(p, a)) b = &p;
        continue;
      }
      const double cross = (b->x() - a.x()) * (p.y() - a.y()) - (b->y() - a.y()) * (p.x() - a.x());
      if (cross != 0) return true;
    }
    return false;
  };
  bool ok = true;
  for (size_t pi = 0; pi < mp.size() && ok; ++pi) {
    auto check = [&](const Ring& r, const std::string& which) {
      if (r.size() < 4 || !distinct3(r)) {
        ok = false;
        Add(out, IssueCode::kTooFewPoints,
            absl::StrCat("polygon ", pi, " ", which, " has ", r.size(),
                         " points enclosing no area; a ring needs 3 distinct points not on one "
                         "line (plus the closing point)"),
            r.empty() ? std::nullopt : std::optional<Point>(r.front()));
      }
    };
    check(mp[pi].outer(), "outer ring");
    for (size_t h = 0; h < mp[pi].inners().size() && ok; ++h) {
      check(mp[pi].inners()[h], absl::StrCat("hole ", h));
    }
  }
  return ok;
}

// The first hole of `poly` that is not inside its outer ring.
std::optional<Point> HoleOutside(const Polygon& poly) {
  Polygon shell;
  shell.outer() = poly.outer();
  for (const Ring& h : poly.inners()) {
    for (const Point& p : h) {
      if (!bg::covered_by(p, shell)) return p;
    }
  }
  return poly.inners().empty() ? std::nullopt : std::optional<Point>(poly.inners()[0].front());
}

// First crossing of two non-adjacent edges of `ring`, by a sweep over x (O(n log n + pairs
// overlapping in x)). Used where Boost stops before its self-intersection check (a bowtie has
// zero area, so Boost reports a wrong orientation first).
std::optional<Point> FindSelfCrossing(const Ring& ring) {
  const size_t n = ring.size() < 2 ? 0 : ring.size() - 1;  // closed: n edges
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  auto minx = [&](size_t i) { return std::min(ring[i].x(), ring[i + 1].x()); };
  auto maxx = [&](size_t i) { return std::max(ring[i].x(), ring[i + 1].x()); };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return minx(a) < minx(b); });
  std::vector<size_t> active;
  for (size_t e : order) {
    const double x = minx(e);
    std::erase_if(active, [&](size_t a) { return maxx(a) < x; });
    for (size_t a : active) {
      const bool adjacent =
          a + 1 == e || e + 1 == a || (a == 0 && e == n - 1) || (e == 0 && a == n - 1);
      if (adjacent) continue;
      const Segment s1(ring[a], ring[a + 1]), s2(ring[e], ring[e + 1]);
      std::vector<Point> hits;
      bg::intersection(s1, s2, hits);
      if (!hits.empty()) return hits.front();
    }
    active.push_back(e);
  }
  return std::nullopt;
}

void ReportFailure(const FailureRecorder& rec, size_t pi, const Polygon& poly,
                   std::vector<ValidationIssue>* out) {
  const std::string where = rec.where() ? absl::StrCat(" at ", At(*rec.where())) : "";
  const std::string part = absl::StrCat("polygon ", pi);
  switch (rec.failure()) {
    case bg::failure_few_points:
    case bg::failure_wrong_topological_dimension:
      Add(out, IssueCode::kTooFewPoints, absl::StrCat(part, " collapses to a line or point", where),
          rec.where());
      return;
    case bg::failure_spikes:
      Add(out, IssueCode::kDuplicatePoints,
          absl::StrCat(part, " has a spike", where,
                       ": the boundary goes to this point and straight back; delete the "
                       "spike's apex (bg::remove_spikes)"),
          rec.where());
      return;
    case bg::failure_self_intersections:
      Add(out, IssueCode::kSelfIntersection,
          absl::StrCat(part, " boundary crosses or touches itself", where,
                       "; a figure-eight (bowtie) must be split into two polygons, rings may "
                       "not touch"),
          rec.where());
      return;
    case bg::failure_interior_rings_outside: {
      const std::optional<Point> p = HoleOutside(poly);
      Add(out, IssueCode::kHoleOutsideShell,
          absl::StrCat(part, " has a hole outside its outer ring",
                       p ? absl::StrCat(" at ", At(*p)) : "",
                       "; make it a separate polygon or remove it"),
          p);
      return;
    }
    case bg::failure_nested_interior_rings:
      Add(out, IssueCode::kHoleOutsideShell,
          absl::StrCat(part, " has a hole inside another hole; remove the inner one"),
          poly.inners().empty() ? std::nullopt : std::optional<Point>(poly.inners()[0].front()));
      return;
    case bg::failure_wrong_orientation: {
      std::vector<const Ring*> rings = {&poly.outer()};
      for (const Ring& r : poly.inners()) rings.push_back(&r);
      for (const Ring* r : rings) {
        if (std::optional<Point> x = FindSelfCrossing(*r)) {
          Add(out, IssueCode::kSelfIntersection,
              absl::StrCat(part, " boundary crosses itself at ", At(*x),
                           "; a figure-eight (bowtie) must be split into two polygons"),
              x);
          return;
        }
      }
    }
      Add(out, IssueCode::kInvalidOther,
          absl::StrCat(part,
                       " has a ring with the wrong orientation (outer rings clockwise, "
                       "holes counter-clockwise in memory); run bg::correct"),
          poly.outer().empty() ? std::nullopt : std::optional<Point>(poly.outer().front()));
      return;
    case bg::failure_disconnected_interior:
      Add(out, IssueCode::kInvalidOther,
          absl::StrCat(part, " has holes that cut its interior in pieces", where,
                       "; make each piece its own polygon"),
          rec.where());
      return;
    default:
      Add(out, IssueCode::kInvalidOther,
          absl::StrCat(part, " is invalid: ", bg::validity_failure_type_message(rec.failure()),
                       where),
          rec.where());
  }
}

// Overlapping parts of a multipolygon: the first pair overlapping with a positive area and a
// point in the overlap. Returns false if no such pair exists (parts only touch).
bool ReportOverlappingParts(const MultiPolygon& mp, std::vector<ValidationIssue>* out) {
  for (size_t i = 0; i < mp.size(); ++i) {
    for (size_t j = i + 1; j < mp.size(); ++j) {
      if (!bg::intersects(bg::return_envelope<Box>(mp[i]), bg::return_envelope<Box>(mp[j]))) {
        continue;
      }
      MultiPolygon overlap;
      try {
        bg::intersection(mp[i], mp[j], overlap);
      } catch (const std::exception&) {
        continue;
      }
      if (overlap.empty() || bg::area(overlap) <= 0) continue;
      Point c;
      bg::centroid(overlap[0], c);
      Add(out, IssueCode::kNestedShells,
          absl::StrCat("polygons ", i, " and ", j, " of the multipolygon overlap around ", At(c),
                       "; merge them (union) or cut one out of the other"),
          c);
      return true;
    }
  }
  return false;
}

}  // namespace

absl::string_view IssueCodeName(IssueCode code) {
  switch (code) {
    case IssueCode::kEmpty:
      return "EMPTY";
    case IssueCode::kTooFewPoints:
      return "TOO_FEW_POINTS";
    case IssueCode::kCoordinateOutOfRange:
      return "COORDINATE_OUT_OF_RANGE";
    case IssueCode::kNonFinite:
      return "NON_FINITE";
    case IssueCode::kSelfIntersection:
      return "SELF_INTERSECTION";
    case IssueCode::kDuplicatePoints:
      return "DUPLICATE_POINTS";
    case IssueCode::kHoleOutsideShell:
      return "HOLE_OUTSIDE_SHELL";
    case IssueCode::kNestedShells:
      return "NESTED_SHELLS";
    case IssueCode::kInvalidOther:
      return "INVALID_OTHER";
    case IssueCode::kTooManyVertices:
      return "TOO_MANY_VERTICES";
    case IssueCode::kNotInsideParent:
      return "NOT_INSIDE_PARENT";
    case IssueCode::kOverlapsSibling:
      return "OVERLAPS_SIBLING";
    case IssueCode::kGapInParent:
      return "GAP_IN_PARENT";
  }
  return "UNKNOWN";
}

std::vector<ValidationIssue> ValidateGeometry(const MultiPolygon& mp) {
  return ValidateGeometry(mp, ValidationOptions());
}

std::vector<ValidationIssue> ValidateGeometry(const MultiPolygon& mp,
                                              const ValidationOptions& options) {
  std::vector<ValidationIssue> out;
  size_t vertices = 0;
  for (const Polygon& p : mp) {
    vertices += p.outer().size();
    for (const Ring& r : p.inners()) vertices += r.size();
  }
  if (vertices == 0) {
    Add(&out, IssueCode::kEmpty, "geometry has no polygon with points");
    return out;
  }
  if (!CheckCoordinates(mp, &out)) return out;
  if (vertices > options.max_vertices) {
    Add(&out, IssueCode::kTooManyVertices,
        absl::StrCat("geometry has ", vertices, " vertices, more than the limit of ",
                     options.max_vertices, "; simplify it (e.g. Douglas-Peucker to 1 m)"));
    return out;
  }
  if (!CheckRingSizes(mp, &out)) return out;
  bool parts_valid = true;
  for (size_t pi = 0; pi < mp.size(); ++pi) {
    FailureRecorder rec;
    if (!bg::is_valid(mp[pi], rec, bg::default_strategy())) {
      parts_valid = false;
      ReportFailure(rec, pi, mp[pi], &out);
    }
  }
  if (parts_valid && mp.size() > 1) {
    FailureRecorder rec;
    if (!bg::is_valid(mp, rec, bg::default_strategy()) && !ReportOverlappingParts(mp, &out)) {
      if (rec.failure() == bg::failure_intersecting_interiors) {
        Add(&out, IssueCode::kNestedShells,
            "parts of the multipolygon overlap or nest; merge them (union)", rec.where());
      } else {
        ReportFailure(rec, 0, mp[0], &out);  // e.g. parts touching along a line
      }
    }
  }
  return out;
}

}  // namespace gridwork::geo
