#include "tools/gridsim/route.h"

#include <algorithm>
#include <cmath>

#include "demo_geography/random.h"
#include "gridwork/geo/distance.h"
#include "tools/gridsim/demo_model.h"

namespace gridwork::gridsim {
namespace {

using demo_geography::MixSeed;
using demo_geography::Rng;

constexpr double kMetresPerDegLat = 111320.0;

double MetresPerDegLng(double lat) { return kMetresPerDegLat * std::cos(lat * M_PI / 180.0); }

// Standard normal from two uniforms (Box-Muller).
double Gaussian(Rng& rng) {
  double u1 = std::max(rng.Uniform(), 1e-12);
  double u2 = rng.Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

// A street-like path from a to b inside the shape: two axis-parallel pieces (either order),
// else the straight line, else through `hub`. Empty if none fits.
std::vector<geo::Point> Leg(const geo::MultiPolygon& shape, const geo::Point& a,
                            const geo::Point& b, const geo::Point& hub, Rng& rng) {
  geo::Point c1(b.x(), a.y()), c2(a.x(), b.y());
  if (rng.Uniform() < 0.5) std::swap(c1, c2);
  for (const geo::Point& c : {c1, c2}) {
    if (SegmentInside(shape, a, c) && SegmentInside(shape, c, b)) return {a, c, b};
  }
  if (SegmentInside(shape, a, b)) return {a, b};
  if (SegmentInside(shape, a, hub) && SegmentInside(shape, hub, b)) return {a, hub, b};
  return {};
}

class PathWriter {
 public:
  PathWriter(std::vector<TimedPoint>* out, double speed) : out_(out), speed_(speed) {}
  double now() const { return out_->back().t; }
  void Start(double t, const geo::Point& p) { out_->push_back({t, p}); }
  void WalkTo(const geo::Point& p) {
    const TimedPoint& last = out_->back();
    double d = geo::HaversineMeters(last.p, p);
    if (d < 1e-6) return;
    out_->push_back({last.t + d / speed_, p});
  }
  void Wait(double seconds) { out_->push_back({out_->back().t + seconds, out_->back().p}); }

 private:
  std::vector<TimedPoint>* out_;
  double speed_;
};

// The vertex of the shape's outer rings nearest to p.
geo::Point NearestVertex(const geo::MultiPolygon& shape, const geo::Point& p) {
  geo::Point best = p;
  double best_d = 1e300;
  for (const geo::Polygon& poly : shape) {
    for (const geo::Point& v : poly.outer()) {
      double d = geo::HaversineMeters(v, p);
      if (d < best_d) {
        best_d = d;
        best = v;
      }
    }
  }
  return best;
}

}  // namespace

geo::Point Offset(const geo::Point& p, double east_m, double north_m) {
  return geo::Point(p.x() + east_m / MetresPerDegLng(p.y()), p.y() + north_m / kMetresPerDegLat);
}

bool SegmentInside(const geo::MultiPolygon& shape, const geo::Point& a, const geo::Point& b) {
  double d = geo::HaversineMeters(a, b);
  int n = std::max(1, static_cast<int>(std::ceil(d / 3.0)));
  for (int i = 0; i <= n; ++i) {
    double f = static_cast<double>(i) / n;
    geo::Point p(a.x() + f * (b.x() - a.x()), a.y() + f * (b.y() - a.y()));
    if (!geo::bg::within(p, shape)) return false;
  }
  return true;
}

geo::Point PatrolPath::At(double t) const {
  if (points_.empty()) return geo::Point(0, 0);
  if (t <= points_.front().t) return points_.front().p;
  if (t >= points_.back().t) return points_.back().p;
  auto it = std::upper_bound(points_.begin(), points_.end(), t,
                             [](double v, const TimedPoint& tp) { return v < tp.t; });
  const TimedPoint& b = *it;
  const TimedPoint& a = *(it - 1);
  double f = b.t > a.t ? (t - a.t) / (b.t - a.t) : 1.0;
  return geo::Point(a.p.x() + f * (b.p.x() - a.p.x()), a.p.y() + f * (b.p.y() - a.p.y()));
}

bool PatrolPath::InDrift(double t) const {
  for (const Window& w : drifts_)
    if (t >= w.from_s && t <= w.to_s) return true;
  return false;
}

PatrolPath PlanPatrol(const geo::MultiPolygon& grid, const std::vector<Stop>& stops,
                      const PatrolOptions& o, uint64_t seed) {
  PatrolPath path;
  Rng rng(MixSeed(seed, 0x726f757465));
  geo::Point hub = PointInside(grid, 60, MixSeed(seed, 1));

  // Waypoints: the stops, then corners pulled 30% towards the hub.
  std::vector<Stop> targets;
  for (const Stop& s : stops)
    if (geo::bg::within(s.position, grid)) targets.push_back(s);
  if (!grid.empty()) {
    const auto& ring = grid.front().outer();
    size_t n = ring.size() > 1 ? ring.size() - 1 : 0;
    size_t step = std::max<size_t>(1, n / std::max(1, o.max_corners));
    for (size_t i = 0; i < n; i += step) {
      geo::Point c(ring[i].x() + 0.3 * (hub.x() - ring[i].x()),
                   ring[i].y() + 0.3 * (hub.y() - ring[i].y()));
      if (geo::bg::within(c, grid) && SegmentInside(grid, hub, c)) targets.push_back({c, 0, -1});
    }
  }

  PathWriter w(&path.points_, o.speed_mps);
  w.Start(o.start_s, hub);
  if (targets.empty()) {
    w.Wait(std::max(0.0, o.end_s - o.start_s));
    return path;
  }
  // Nearest-neighbour tour from the hub, repeated (every other round reversed) until end_s.
  std::vector<Stop> tour;
  {
    std::vector<bool> used(targets.size(), false);
    geo::Point at = hub;
    for (size_t k = 0; k < targets.size(); ++k) {
      size_t best = 0;
      double best_d = 1e300;
      for (size_t i = 0; i < targets.size(); ++i) {
        if (used[i]) continue;
        double d = geo::HaversineMeters(at, targets[i].position);
        if (d < best_d) {
          best_d = d;
          best = i;
        }
      }
      used[best] = true;
      tour.push_back(targets[best]);
      at = targets[best].position;
    }
  }
  int round = 0;
  int reachable = 0;
  while (w.now() < o.end_s) {
    std::vector<Stop> order = tour;
    if (round % 2 == 1) std::reverse(order.begin(), order.end());
    for (const Stop& s : order) {
      if (w.now() >= o.end_s) break;
      geo::Point from = path.points_.back().p;
      std::vector<geo::Point> leg = Leg(grid, from, s.position, hub, rng);
      if (leg.empty()) continue;
      ++reachable;
      for (size_t i = 1; i < leg.size(); ++i) w.WalkTo(leg[i]);
      if (s.dwell_s > 0) {
        double arrive = w.now();
        w.Wait(s.dwell_s);
        path.visits_.push_back({s.tag, arrive, w.now()});
      }
      if (rng.Uniform() < o.drift_per_leg) {
        // Walk to the nearest border vertex, 30-60 m beyond it, and back.
        geo::Point here = path.points_.back().p;
        geo::Point v = NearestVertex(grid, here);
        double dx = (v.x() - hub.x()) * MetresPerDegLng(v.y());
        double dy = (v.y() - hub.y()) * kMetresPerDegLat;
        double len = std::max(1.0, std::hypot(dx, dy));
        double beyond = 30 + 30 * rng.Uniform();
        geo::Point out = Offset(v, dx / len * beyond, dy / len * beyond);
        double from_t = w.now();
        w.WalkTo(v);
        w.WalkTo(out);
        w.WalkTo(v);
        w.WalkTo(here);
        path.drifts_.push_back({from_t, w.now()});
      }
    }
    ++round;
    if (reachable == 0) {  // nothing reachable: stand at the hub for the shift
      w.Wait(std::max(0.0, o.end_s - w.now()));
      break;
    }
  }
  return path;
}

std::vector<FixSample> SampleFixes(const PatrolPath& path, const geo::MultiPolygon& grid,
                                   double from_s, double to_s, const FixOptions& o, uint64_t seed) {
  std::vector<FixSample> out;
  if (path.points().empty() || o.interval_s <= 0) return out;
  double t0 = path.start_s();
  // Dead zones: drawn once per hour of shift from the seed, independent of the window asked.
  std::vector<Window> dead;
  {
    Rng rng(MixSeed(seed, 0x64656164));
    for (double h = t0; h < path.end_s(); h += 3600) {
      if (rng.Uniform() < o.dead_zones_per_hour) {
        double s = h + rng.Uniform() * 3600;
        dead.push_back({s, s + o.dead_zone_s});
      } else {
        rng.Next();
      }
    }
  }
  double first = std::max(0.0, std::ceil((from_s - t0) / o.interval_s));
  for (uint64_t k = static_cast<uint64_t>(first);; ++k) {
    double t = t0 + k * o.interval_s;
    if (t >= to_s || t > path.end_s()) break;
    Rng rng(MixSeed(seed, k + 0x100000));
    FixSample f;
    f.index = k;
    f.t = t;
    f.drift = path.InDrift(t);
    geo::Point truth = path.At(t);
    double accuracy = o.noise_m * (1.0 + rng.Uniform());
    geo::Point noisy = Offset(truth, Gaussian(rng) * o.noise_m, Gaussian(rng) * o.noise_m);
    f.p = (f.drift || geo::bg::within(noisy, grid)) ? noisy : truth;
    f.accuracy_m = accuracy;
    geo::Point before = path.At(t - 1);
    f.speed_mps = geo::HaversineMeters(before, truth);
    f.offline = false;
    for (const Window& d : dead)
      if (t >= d.from_s && t < d.to_s) f.offline = true;
    out.push_back(f);
  }
  return out;
}

}  // namespace gridwork::gridsim
