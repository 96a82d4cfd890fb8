// Internal: the in-memory layout of a RegionIndex and the one geometric predicate it uses.
// Shared by region_index.cc (lookups) and region_index_builder.cc (construction); nothing
// here is persisted, so the layout may change freely together with both files.
#ifndef GRIDWORK_GEO_SRC_REGION_INDEX_FORMAT_H_
#define GRIDWORK_GEO_SRC_REGION_INDEX_FORMAT_H_

#include <bit>
#include <cstdint>

namespace gridwork::geo::internal {

// Node word (uint32): the top two bits are the kind, the low 30 bits the payload.
//
//   kind 0  kFull   payload = dense region index; the whole cell is inside that region
//   kind 1  kLeaf   payload = offset of a leaf record in RegionIndex::leaves_
//   kind 2  kSplit  payload = index in nodes_ of 4 children: (x0,y0) (x1,y0) (x0,y1) (x1,y1)
//   0xFFFFFFFF      empty: no region covers the cell
inline constexpr uint32_t kKindShift = 30;
inline constexpr uint32_t kPayloadMask = (uint32_t{1} << kKindShift) - 1;
inline constexpr uint32_t kKindFull = 0;
inline constexpr uint32_t kKindLeaf = 1;
inline constexpr uint32_t kKindSplit = 2;
inline constexpr uint32_t kEmptyNode = 0xFFFFFFFFu;

inline constexpr uint32_t MakeNode(uint32_t kind, uint32_t payload) {
  return (kind << kKindShift) | payload;
}

// Leaf record, a run of doubles in leaves_:
//
//   [0] rx, [1] ry          reference point R (degrees), at least kMinRefDistance from
//                           every edge that touches the leaf
//   [2] word: group count
//   then per group (one per candidate region, regions whose R-inside bit is set first):
//     word: bits 0-31 dense region index | bits 32-62 edge count n | bit 63 R inside region
//     n × {ax, ay, bx, by}  the region's edges touching the cell, relative to R, each
//                           oriented so that R is strictly left of a→b (see CrossesLeafEdge)
//
// Words are uint64 values stored bit-for-bit in a double (std::bit_cast).
inline double PackWord(uint64_t w) { return std::bit_cast<double>(w); }
inline uint64_t UnpackWord(double d) { return std::bit_cast<uint64_t>(d); }
inline constexpr uint64_t kInsideBit = uint64_t{1} << 63;

// Minimum distance (degrees) between a reference point and any edge of its cell.
inline constexpr double kMinRefDistance = 1e-10;
// Cells are widened by this much (degrees) when deciding which edges touch them, so that
// rounding in the cell computation of a query (~1e-13°) can never leave out an edge.
inline constexpr double kCellMargin = 1e-9;

// The crossing predicate. With R at the origin and Q = (qx, qy), both displaced by the same
// infinitesimal vector ε·(1, 0) + ε²·(0, 1) ("symbolic perturbation"), decides whether the
// edge a→b crosses segment R→Q. The perturbation makes every degenerate case (Q on an edge
// or vertex, a vertex on the line RQ) fall to one side consistently, so that along any ring
// the number of crossings has the parity of inside(R*) xor inside(Q*), exactly, whenever the
// orientation signs below are computed exactly (always true for Q equal to a vertex).
//
// `tie` is the perturbed side of a vertex lying exactly on the line RQ:
//   sign(orient(R*, Q*, V)) when orient(R, Q, V) = 0 is sign(qy), or sign(-qx) if qy = 0.
inline bool TieSide(double qx, double qy) { return qy > 0 || (qy == 0 && qx < 0); }

// Perturbed "orient(a, b, P*) < 0" given the unperturbed value o: when o is 0 the sign is
// that of (b-a) × (1,0) = -ey, then (b-a) × (0,1) = ex.
inline bool PerturbedNegative(double o, double ex, double ey) {
  return o < 0 || (o == 0 && (ey > 0 || (ey == 0 && ex < 0)));
}

// Edge given relative to R and oriented so that perturbed orient(a, b, R*) > 0.
inline bool CrossesLeafEdge(double qx, double qy, bool tie, const double* e) {
  const double ax = e[0], ay = e[1], bx = e[2], by = e[3];
  const double ca = qx * ay - qy * ax;  // orient(R, Q, a)
  const double cb = qx * by - qy * bx;  // orient(R, Q, b)
  const bool sa = ca > 0 || (ca == 0 && tie);
  const bool sb = cb > 0 || (cb == 0 && tie);
  if (sa == sb) return false;  // a and b on the same side of line RQ
  const double ex = bx - ax, ey = by - ay;
  const double oq = ex * (qy - ay) - ey * (qx - ax);  // orient(a, b, Q)
  return PerturbedNegative(oq, ex, ey);               // Q* right of a→b, R* left of it
}

// Same predicate for an edge in any orientation (used while building).
inline bool CrossesEdge(double qx, double qy, bool tie, double ax, double ay, double bx,
                        double by) {
  const double ex = bx - ax, ey = by - ay;
  const double o_r = ex * (0 - ay) - ey * (0 - ax);  // orient(a, b, R)
  if (PerturbedNegative(o_r, ex, ey)) {
    const double e[4] = {bx, by, ax, ay};
    return CrossesLeafEdge(qx, qy, tie, e);
  }
  const double e[4] = {ax, ay, bx, by};
  return CrossesLeafEdge(qx, qy, tie, e);
}

}  // namespace gridwork::geo::internal

#endif  // GRIDWORK_GEO_SRC_REGION_INDEX_FORMAT_H_
