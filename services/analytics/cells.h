// The global raster of square cells that coverage and the heatmap count in.
//
// A cell is about `size_m` metres on each side: row = floor(lat / dlat) with dlat = size_m /
// 111,320 m; within a row, column = floor(lon / dlon(row)) with dlon(row) = dlat / cos(latitude
// of the row's centre), so cells stay square at any latitude. The cell id packs (row + 2^31)
// in the high and (column + 2^31) in the low 32 bits, so ids of one row are contiguous and
// sort west to east.
//
// Contract: CellOf(CellCenter(id)) == id for every id CellOf returns. Valid for |lat| < 89.
#ifndef GRIDWORK_SERVICES_ANALYTICS_CELLS_H_
#define GRIDWORK_SERVICES_ANALYTICS_CELLS_H_

#include <cstdint>
#include <vector>

#include "gridwork/geo/types.h"

namespace gridwork::analytics {

class CellRaster {
 public:
  // REQUIRES: 1 <= size_m <= 10000.
  explicit CellRaster(double size_m);

  double size_m() const { return size_m_; }
  uint64_t CellOf(double lat, double lng) const;
  // Centre of the cell (lat, lng) in degrees.
  geo::Point CellCenter(uint64_t cell) const;  // x = lng, y = lat
  // Every cell whose centre lies inside `area` (covered_by: the boundary counts), ascending.
  // Returns at most `max_cells` (a grid larger than that is truncated: callers log it).
  std::vector<uint64_t> Rasterise(const geo::MultiPolygon& area, size_t max_cells) const;

 private:
  double RowWidthDegrees(int64_t row) const;

  double size_m_;
  double dlat_;
};

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_CELLS_H_
