#include "services/analytics/cells.h"

#include <cmath>

namespace gridwork::analytics {
namespace {

constexpr double kMetresPerDegreeLat = 111320.0;
constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kOffset = int64_t{1} << 31;

uint64_t Pack(int64_t row, int64_t col) {
  return (static_cast<uint64_t>(row + kOffset) << 32) | static_cast<uint64_t>(col + kOffset);
}

void Unpack(uint64_t cell, int64_t* row, int64_t* col) {
  *row = static_cast<int64_t>(cell >> 32) - kOffset;
  *col = static_cast<int64_t>(cell & 0xffffffffu) - kOffset;
}

}  // namespace

CellRaster::CellRaster(double size_m) : size_m_(size_m), dlat_(size_m / kMetresPerDegreeLat) {}

double CellRaster::RowWidthDegrees(int64_t row) const {
  const double lat = (static_cast<double>(row) + 0.5) * dlat_;
  const double c = std::cos(lat * kPi / 180.0);
  return dlat_ / std::max(c, 0.02);
}

uint64_t CellRaster::CellOf(double lat, double lng) const {
  const int64_t row = static_cast<int64_t>(std::floor(lat / dlat_));
  const int64_t col = static_cast<int64_t>(std::floor(lng / RowWidthDegrees(row)));
  return Pack(row, col);
}

geo::Point CellRaster::CellCenter(uint64_t cell) const {
  int64_t row, col;
  Unpack(cell, &row, &col);
  const double w = RowWidthDegrees(row);
  return geo::Point((static_cast<double>(col) + 0.5) * w, (static_cast<double>(row) + 0.5) * dlat_);
}

std::vector<uint64_t> CellRaster::Rasterise(const geo::MultiPolygon& area, size_t max_cells) const {
  std::vector<uint64_t> cells;
  if (area.empty()) return cells;
  geo::Box box;
  geo::bg::envelope(area, box);
  const int64_t row0 = static_cast<int64_t>(std::floor(box.min_corner().y() / dlat_));
  const int64_t row1 = static_cast<int64_t>(std::floor(box.max_corner().y() / dlat_));
  for (int64_t row = row0; row <= row1 && cells.size() < max_cells; ++row) {
    const double w = RowWidthDegrees(row);
    const int64_t col0 = static_cast<int64_t>(std::floor(box.min_corner().x() / w));
    const int64_t col1 = static_cast<int64_t>(std::floor(box.max_corner().x() / w));
    const double lat = (static_cast<double>(row) + 0.5) * dlat_;
    for (int64_t col = col0; col <= col1 && cells.size() < max_cells; ++col) {
      const geo::Point centre((static_cast<double>(col) + 0.5) * w, lat);
      if (geo::bg::covered_by(centre, area)) cells.push_back(Pack(row, col));
    }
  }
  return cells;  // rows ascending, columns ascending within a row: ids ascending
}

}  // namespace gridwork::analytics
