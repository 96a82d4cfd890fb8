#include "demo_geography/boundary.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace gridwork::demo_geography {
namespace {

namespace bg = boost::geometry;
using geo::Point;
using geo::Ring;

// Cross product of (b - a) and (c - b).
double Cross(const Point& a, const Point& b, const Point& c) {
  return (b.x() - a.x()) * (c.y() - b.y()) - (b.y() - a.y()) * (c.x() - b.x());
}
bool Same(const Point& a, const Point& b) { return a.x() == b.x() && a.y() == b.y(); }

double Dot(const Point& a, const Point& b, const Point& c) {
  return (b.x() - a.x()) * (c.x() - b.x()) + (b.y() - a.y()) * (c.y() - b.y());
}

// Removes repeated consecutive points and spikes (a point where the ring turns back on
// itself) from an open ring (no closing point), until none is left; with `straight` also
// points in the middle of a straight run. (Boost.Geometry overlays drop such points from
// their output; with none in the input, a clipped piece of the boundary keeps exactly the
// boundary's edges.) Exact for the quantised input, whose products are exact in double.
void Clean(std::vector<Point>& pts, bool straight = false) {
  bool changed = true;
  while (changed && pts.size() >= 3) {
    changed = false;
    std::vector<Point> out;
    out.reserve(pts.size());
    for (const Point& p : pts) {
      if (!out.empty() && Same(out.back(), p)) continue;
      out.push_back(p);
    }
    while (out.size() > 1 && Same(out.front(), out.back())) out.pop_back();
    changed = out.size() != pts.size();
    pts = std::move(out);
    for (size_t i = 0; i < pts.size() && pts.size() >= 3; ++i) {
      const Point& a = pts[(i + pts.size() - 1) % pts.size()];
      const Point& c = pts[(i + 1) % pts.size()];
      if (Cross(a, pts[i], c) == 0 && (straight || Dot(a, pts[i], c) <= 0)) {
        pts.erase(pts.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
        break;
      }
    }
  }
  if (pts.size() < 3) pts.clear();
}

// Inserts a vertex wherever two segments of the open ring cross or a vertex lies on another
// segment, so that every self-intersection becomes a repeated vertex.
std::vector<Point> Node(const std::vector<Point>& pts) {
  const size_t n = pts.size();
  std::vector<std::vector<std::pair<double, Point>>> extra(n);  // per segment: (t, point)
  // Sweep over segments sorted by their western end.
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  auto min_x = [&](size_t i) { return std::min(pts[i].x(), pts[(i + 1) % n].x()); };
  auto max_x = [&](size_t i) { return std::max(pts[i].x(), pts[(i + 1) % n].x()); };
  std::sort(order.begin(), order.end(),
            [&](size_t l, size_t r) { return std::pair(min_x(l), l) < std::pair(min_x(r), r); });
  for (size_t oi = 0; oi < n; ++oi) {
    for (size_t oj = oi + 1; oj < n && min_x(order[oj]) <= max_x(order[oi]); ++oj) {
      const size_t i = std::min(order[oi], order[oj]);
      const size_t j = std::max(order[oi], order[oj]);
      const Point& a = pts[i];
      const Point& b = pts[(i + 1) % n];
      const Point& c = pts[j];
      const Point& d = pts[(j + 1) % n];
      if (std::max(a.y(), b.y()) < std::min(c.y(), d.y()) ||
          std::max(c.y(), d.y()) < std::min(a.y(), b.y())) {
        continue;
      }
      const double rx = b.x() - a.x(), ry = b.y() - a.y();
      const double sx = d.x() - c.x(), sy = d.y() - c.y();
      const double den = rx * sy - ry * sx;
      if (den == 0) continue;  // Parallel (collinear overlaps are left alone).
      const double qx = c.x() - a.x(), qy = c.y() - a.y();
      const double t = (qx * sy - qy * sx) / den;
      const double u = (qx * ry - qy * rx) / den;
      if (t < 0 || t > 1 || u < 0 || u > 1) continue;
      Point p = t == 0   ? a
                : t == 1 ? b
                : u == 0 ? c
                : u == 1 ? d
                         : Point(a.x() + t * rx, a.y() + t * ry);
      if (t > 0 && t < 1 && !Same(p, a) && !Same(p, b)) extra[i].emplace_back(t, p);
      if (u > 0 && u < 1 && !Same(p, c) && !Same(p, d)) extra[j].emplace_back(u, p);
    }
  }
  std::vector<Point> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(pts[i]);
    std::sort(extra[i].begin(), extra[i].end(),
              [](const auto& l, const auto& r) { return l.first < r.first; });
    for (const auto& [t, p] : extra[i]) out.push_back(p);
  }
  return out;
}

// Splits an open ring at repeated vertices into simple loops (appended to `out`).
void SplitAtRepeats(std::vector<Point> pts, std::vector<std::vector<Point>>& out) {
  Clean(pts);
  if (pts.empty()) return;
  std::map<std::pair<double, double>, size_t> seen;
  for (size_t i = 0; i < pts.size(); ++i) {
    auto [it, inserted] = seen.emplace(std::make_pair(pts[i].x(), pts[i].y()), i);
    if (inserted) continue;
    const auto j = static_cast<std::ptrdiff_t>(it->second);
    const auto k = static_cast<std::ptrdiff_t>(i);
    std::vector<Point> loop(pts.begin() + j, pts.begin() + k);
    std::vector<Point> rest(pts.begin(), pts.begin() + j);
    rest.insert(rest.end(), pts.begin() + k, pts.end());
    SplitAtRepeats(std::move(loop), out);
    SplitAtRepeats(std::move(rest), out);
    return;
  }
  out.push_back(std::move(pts));
}

Ring Close(const std::vector<Point>& pts) {
  Ring r(pts.begin(), pts.end());
  r.push_back(pts.front());
  return r;
}

}  // namespace

absl::StatusOr<geo::MultiPolygon> RepairBoundary(const geo::MultiPolygon& in,
                                                 double min_part_fraction) {
  // Boost.Geometry rings are clockwise: a proper outer loop has negative signed area
  // in the usual (counter-clockwise positive) sense, i.e. bg::area > 0.
  std::vector<Ring> outers;
  std::vector<Ring> holes;
  for (const geo::Polygon& poly : in) {
    if (poly.outer().size() < 4) continue;
    std::vector<Point> pts(poly.outer().begin(), poly.outer().end() - 1);
    Clean(pts);
    std::vector<std::vector<Point>> loops;
    SplitAtRepeats(Node(pts), loops);
    for (auto& loop : loops) {
      Clean(loop, /*straight=*/true);  // safe now: each loop is simple.
      if (loop.empty()) continue;
      Ring r = Close(loop);
      if (bg::area(r) > 0) outers.push_back(std::move(r));  // else: a twist, dropped.
    }
    for (const Ring& h : poly.inners()) holes.push_back(h);
  }
  double largest = 0;
  for (const Ring& r : outers) largest = std::max(largest, bg::area(r));
  if (largest <= 0) return absl::InvalidArgumentError("boundary has no area after repair");

  geo::MultiPolygon out;
  for (Ring& r : outers) {
    if (bg::area(r) < min_part_fraction * largest) continue;
    geo::Polygon p;
    p.outer() = std::move(r);
    out.push_back(std::move(p));
  }
  for (const Ring& h : holes) {
    for (geo::Polygon& p : out) {
      if (bg::within(h.front(), p.outer())) {
        p.inners().push_back(h);
        break;
      }
    }
  }
  std::string why;
  if (!bg::is_valid(out, why)) {
    return absl::InvalidArgumentError(absl::StrCat("boundary still invalid after repair: ", why));
  }
  return out;
}

}  // namespace gridwork::demo_geography

namespace gridwork::demo_geography {

BoundaryIndex::BoundaryIndex(const geo::MultiPolygon& area, double cell_deg) : cell_(cell_deg) {
  envelope_ = boost::geometry::return_envelope<geo::Box>(area);
  auto add_ring = [&](const geo::Ring& r) {
    for (size_t i = 0; i + 1 < r.size(); ++i) segments_.emplace_back(r[i], r[i + 1]);
  };
  for (const geo::Polygon& p : area) {
    add_ring(p.outer());
    for (const geo::Ring& h : p.inners()) add_ring(h);
  }
  const double w = envelope_.max_corner().x() - envelope_.min_corner().x();
  const double h = envelope_.max_corner().y() - envelope_.min_corner().y();
  cols_ = std::max(1, static_cast<int>(std::ceil(w / cell_)));
  rows_ = std::max(1, static_cast<int>(std::ceil(h / cell_)));
  grid_.resize(static_cast<size_t>(cols_) * rows_);
  bands_.resize(rows_);
  for (size_t s = 0; s < segments_.size(); ++s) {
    const geo::Point& a = segments_[s].first;
    const geo::Point& b = segments_[s].second;
    const int c0 = Col(std::min(a.x(), b.x())), c1 = Col(std::max(a.x(), b.x()));
    const int r0 = Row(std::min(a.y(), b.y())), r1 = Row(std::max(a.y(), b.y()));
    for (int r = r0; r <= r1; ++r) {
      bands_[r].push_back(static_cast<int>(s));
      for (int c = c0; c <= c1; ++c)
        grid_[static_cast<size_t>(r) * cols_ + c].push_back(static_cast<int>(s));
    }
  }
}

int BoundaryIndex::Col(double x) const {
  return std::clamp(static_cast<int>((x - envelope_.min_corner().x()) / cell_), 0, cols_ - 1);
}
int BoundaryIndex::Row(double y) const {
  return std::clamp(static_cast<int>((y - envelope_.min_corner().y()) / cell_), 0, rows_ - 1);
}

bool BoundaryIndex::MayCross(const geo::Box& box) const {
  if (!boost::geometry::intersects(box, envelope_)) return false;
  for (int r = Row(box.min_corner().y()); r <= Row(box.max_corner().y()); ++r) {
    for (int c = Col(box.min_corner().x()); c <= Col(box.max_corner().x()); ++c) {
      for (int s : grid_[static_cast<size_t>(r) * cols_ + c]) {
        const geo::Point& a = segments_[s].first;
        const geo::Point& b = segments_[s].second;
        if (std::max(a.x(), b.x()) < box.min_corner().x() ||
            std::min(a.x(), b.x()) > box.max_corner().x() ||
            std::max(a.y(), b.y()) < box.min_corner().y() ||
            std::min(a.y(), b.y()) > box.max_corner().y()) {
          continue;
        }
        return true;
      }
    }
  }
  return false;
}

bool BoundaryIndex::Contains(const geo::Point& p) const {
  if (!boost::geometry::within(p, envelope_)) return false;
  // Even-odd count of crossings of the ray from p towards +x (half-open rule on y).
  bool inside = false;
  for (int s : bands_[Row(p.y())]) {
    const geo::Point& a = segments_[s].first;
    const geo::Point& b = segments_[s].second;
    if ((a.y() > p.y()) == (b.y() > p.y())) continue;
    const double x = a.x() + (p.y() - a.y()) * (b.x() - a.x()) / (b.y() - a.y());
    if (x > p.x()) inside = !inside;
  }
  return inside;
}

}  // namespace gridwork::demo_geography
