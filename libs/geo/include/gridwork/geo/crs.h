// Conversions between WGS-84 and the coordinate systems of Chinese phone map SDKs.
//
// GCJ-02 ("Mars coordinates", AMap/Tencent/Apple in China) is WGS-84 shifted by a published
// closed-form, position-dependent offset of a few hundred metres. BD-09 (Baidu) is GCJ-02 with a
// further closed-form distortion. Gridwork stores WGS-84 only (DESIGN.md section 4): fixes and
// input in GCJ-02 or BD-09 are converted at ingest with the *ToWgs84 functions.
//
//   Point wgs = Gcj02ToWgs84(LngLat(113.6654, 34.7579));   // an AMap fix in Zhengzhou
//   Point bd = Wgs84ToBd09(wgs);                             // for a Baidu map front end
//
// Accuracy: the forward directions (Wgs84ToGcj02, Gcj02ToBd09, Wgs84ToBd09) are the closed
// forms themselves. The inverse directions have no closed form; they are solved by fixed-point
// iteration against the forward formula until the residual is below 1e-10° (~0.01 mm), so that
// forward(inverse(x)) == x to that precision and inverse(forward(w)) == w to ~1e-10° anywhere in
// China (measured maximum 1.0e-10° over 851,000 points). See docs/geo.md, "Coordinate systems
// (GCJ-02, BD-09)".
//
// Outside OutOfChina()'s box GCJ-02 equals WGS-84 (the offset is only applied inside China);
// BD-09 is applied everywhere, as Baidu does.
//
// All functions are pure and thread-safe; each runs in O(1) (at most kCrsMaxIterations
// evaluations of the forward formula for an inverse).
#ifndef GRIDWORK_GEO_CRS_H_
#define GRIDWORK_GEO_CRS_H_

#include "gridwork/geo/types.h"

namespace gridwork::geo {

// Upper bound on the forward evaluations of an inverse conversion. Inside China the GCJ-02
// inverse gains a factor of ~250 per iteration and needs 3-5 evaluations (at most 5 over a
// 0.05° grid of China, 851,000 points; BD-09: 2-4); the bound only matters for input where the
// iteration cannot converge (never observed) and guarantees termination.
inline constexpr int kCrsMaxIterations = 16;

// True if `p` lies outside the conventional rough bounding box of China (lng 72.004–137.8347,
// lat 0.8293–55.8271), where GCJ-02 coordinates equal WGS-84 ones. The box is not the border:
// near it (parts of Mongolia, Korea, Vietnam…) the answer is only as good as the convention
// that every SDK follows. Non-finite coordinates (NaN, ±∞) count as outside, so every
// conversion passes them through unchanged (NaN in → NaN out).
bool OutOfChina(const Point& p);

// WGS-84 → GCJ-02 (degrees → degrees): the published closed form (Krasovsky 1940 ellipsoid,
// a = 6378245.0 m, e² = 0.00669342162296594323). Returns `wgs` unchanged if OutOfChina(wgs).
Point Wgs84ToGcj02(const Point& wgs);

// Diagnostics of an inverse conversion: how many forward evaluations it used and the final
// residual |forward(result) − input| (max of the lng and lat components, degrees).
struct CrsInverseReport {
  int iterations = 0;
  double residual_deg = 0;
};

// GCJ-02 → WGS-84: the point w with Wgs84ToGcj02(w) == gcj, by fixed-point iteration
// w ← w − (Wgs84ToGcj02(w) − gcj) from w₀ = gcj, stopped when the step is below 1e-10° or after
// kCrsMaxIterations (then the best estimate so far is returned). Error ≤ ~1e-10° (0.01 mm)
// in China, after 3-5 forward evaluations. Returns `gcj` unchanged if OutOfChina(gcj); the box
// is tested on the input only (so within ~700 m of the box edge a round trip may not close —
// nowhere near a Chinese city). `report` (optional) receives the iteration count and residual.
Point Gcj02ToWgs84(const Point& gcj, CrsInverseReport* report = nullptr);

// GCJ-02 → BD-09: the published closed form (x_pi = π·3000/180; radius + 0.00002·sin(lat·x_pi),
// angle + 0.000003·cos(lng·x_pi), then + (0.0065, 0.006)). Applied everywhere (no box test).
Point Gcj02ToBd09(const Point& gcj);

// BD-09 → GCJ-02: the exact inverse of Gcj02ToBd09. Starts from the widely copied closed-form
// approximation (subtracting the same terms at the BD-09 point, which is off by up to 0.21 m
// in China) and refines it by fixed-point iteration against Gcj02ToBd09 to < 1e-10°
// (2-4 forward evaluations). `report` as for Gcj02ToWgs84. Non-finite input is returned unchanged.
Point Bd09ToGcj02(const Point& bd, CrsInverseReport* report = nullptr);

// WGS-84 → BD-09: Gcj02ToBd09(Wgs84ToGcj02(wgs)).
Point Wgs84ToBd09(const Point& wgs);

// BD-09 → WGS-84: Gcj02ToWgs84(Bd09ToGcj02(bd)); error ≤ ~2e-10° in China.
Point Bd09ToWgs84(const Point& bd);

}  // namespace gridwork::geo

#endif  // GRIDWORK_GEO_CRS_H_
