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

int64_t RegionIndex::Lookup(double lng, double lat) const {
  double fx = (lng - x0_) * inv_cell_;
  double fy = (lat - y0_) * inv_cell_;
  // Written so that NaN fails the test (every comparison with NaN is false).
  if (!(fx >= 0 && fx < nx_d_ && fy >= 0 && fy < ny_d_)) return -1;
  uint32_t ix = static_cast<uint32_t>(fx);
  uint32_t iy = static_cast<uint32_t>(fy);
  uint32_t node = nodes_[static_cast<size_t>(iy) * nx_ + ix];
  uint32_t kind = node >> kKindShift;
  while (kind == kKindSplit) {
    // fx - ix is exact (fx in [ix, ix + 1)), so is the doubling: each level halves the cell.
    fx = (fx - ix) * 2;
    fy = (fy - iy) * 2;
    ix = static_cast<uint32_t>(fx);
    iy = static_cast<uint32_t>(fy);
    node = nodes_[(node & kPayloadMask) + iy * 2 + ix];
    kind = node >> kKindShift;
  }
  if (kind == kKindFull) return ordinals_[node & kPayloadMask];
  if (kind == kKindLeaf) return LookupLeaf(node & kPayloadMask, lng, lat);
  return -1;
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
  for (size_t i = 0; i < n; ++i) out[i] = Lookup(points[i].x(), points[i].y());
}

size_t RegionIndex::MemoryBytes() const {
  return sizeof(*this) + nodes_.capacity() * sizeof(uint32_t) +
         leaves_.capacity() * sizeof(double) + ordinals_.capacity() * sizeof(uint32_t);
}

}  // namespace gridwork::geo
