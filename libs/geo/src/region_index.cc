// RegionIndex lookups. The layout is described in region_index_format.h; construction is in
// region_index_builder.cc.
#include "gridwork/geo/region_index.h"

#include <cstddef>
#include <cstdint>

#include "region_index_format.h"

namespace gridwork::geo {

using internal::CrossesLeafEdge;
using internal::kInsideBit;
using internal::kKindFull;
using internal::kKindLeaf;
using internal::kKindShift;
using internal::kKindSplit;
using internal::kPayloadMask;
using internal::TieSide;
using internal::UnpackWord;

RegionIndex::RegionIndex() = default;
RegionIndex::RegionIndex(RegionIndex&&) noexcept = default;
RegionIndex& RegionIndex::operator=(RegionIndex&&) noexcept = default;
RegionIndex::~RegionIndex() = default;

uint32_t RegionIndex::FindNode(double lng, double lat) const {
  double fx = (lng - x0_) * inv_cell_;
  double fy = (lat - y0_) * inv_cell_;
  // Written so that NaN fails the test (every comparison with NaN is false).
  if (!(fx >= 0 && fx < nx_d_ && fy >= 0 && fy < ny_d_)) return internal::kEmptyNode;
  uint32_t ix = static_cast<uint32_t>(fx);
  uint32_t iy = static_cast<uint32_t>(fy);
  uint32_t node = nodes_[static_cast<size_t>(iy) * nx_ + ix];
  while ((node >> kKindShift) == kKindSplit) {
    // fx - ix is exact (fx in [ix, ix + 1)), so is the doubling: each level halves the cell.
    fx = (fx - ix) * 2;
    fy = (fy - iy) * 2;
    ix = static_cast<uint32_t>(fx);
    iy = static_cast<uint32_t>(fy);
    node = nodes_[(node & kPayloadMask) + iy * 2 + ix];
  }
  return node;
}

int64_t RegionIndex::Resolve(uint32_t node, double lng, double lat) const {
  const uint32_t kind = node >> kKindShift;
  if (kind == kKindFull) return ordinals_[node & kPayloadMask];
  if (kind == kKindLeaf) return LookupLeaf(node & kPayloadMask, lng, lat);
  return -1;
}

int64_t RegionIndex::Lookup(double lng, double lat) const {
  return Resolve(FindNode(lng, lat), lng, lat);
}

int64_t RegionIndex::LookupLeaf(uint32_t offset, double lng, double lat) const {
  const double* p = leaves_.data() + offset;
  const double qx = lng - p[0];
  const double qy = lat - p[1];
  const bool tie = TieSide(qx, qy);
  uint64_t groups = UnpackWord(p[2]);
  p += 3;
  for (; groups > 0; --groups) {
    const uint64_t word = UnpackWord(*p++);
    const uint32_t n = static_cast<uint32_t>(word >> 32) & 0x7FFFFFFFu;
    bool inside = (word & kInsideBit) != 0;
    for (uint32_t i = 0; i < n; ++i, p += 4) inside ^= CrossesLeafEdge(qx, qy, tie, p);
    if (inside) return ordinals_[static_cast<uint32_t>(word)];
  }
  return -1;
}

void RegionIndex::LookupMany(std::span<const Point> points, std::span<int64_t> out) const {
  const size_t n = points.size() < out.size() ? points.size() : out.size();
  // Two passes over blocks of points: first find every point's node and prefetch its leaf,
  // then resolve. The cache misses of a block overlap instead of following one another.
  constexpr size_t kBlock = 16;
  uint32_t nodes[kBlock];
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    for (size_t k = 0; k < kBlock; ++k) {
      nodes[k] = FindNode(points[i + k].x(), points[i + k].y());
      if ((nodes[k] >> kKindShift) == kKindLeaf) {
        __builtin_prefetch(leaves_.data() + (nodes[k] & kPayloadMask));
      }
    }
    for (size_t k = 0; k < kBlock; ++k) {
      out[i + k] = Resolve(nodes[k], points[i + k].x(), points[i + k].y());
    }
  }
  for (; i < n; ++i) out[i] = Lookup(points[i].x(), points[i].y());
}

size_t RegionIndex::MemoryBytes() const {
  return sizeof(*this) + nodes_.capacity() * sizeof(uint32_t) +
         leaves_.capacity() * sizeof(double) + ordinals_.capacity() * sizeof(uint32_t);
}

}  // namespace gridwork::geo
