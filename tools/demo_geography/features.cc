#include "demo_geography/features.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gridwork::demo_geography {
namespace {

// Parses "[113.61,34.74]"; nullopt if it is anything else.
std::optional<geo::Point> ParseLngLat(absl::string_view json) {
  absl::string_view s = absl::StripAsciiWhitespace(json);
  if (!absl::ConsumePrefix(&s, "[") || !absl::ConsumeSuffix(&s, "]")) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(s, ',');
  double lng = 0, lat = 0;
  if (parts.size() != 2 || !absl::SimpleAtod(parts[0], &lng) || !absl::SimpleAtod(parts[1], &lat)) {
    return std::nullopt;
  }
  return geo::Point(lng, lat);
}

}  // namespace

absl::StatusOr<std::vector<DistrictInput>> DistrictsFromFeatures(
    const std::vector<geo::Feature>& features) {
  std::vector<DistrictInput> out;
  for (size_t i = 0; i < features.size(); ++i) {
    const geo::Feature& f = features[i];
    auto name = f.properties.find("name");
    if (f.id.empty() || name == f.properties.end() || name->second.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("feature ", i, ": a district needs an \"id\" (adcode) and a \"name\""));
    }
    DistrictInput d;
    d.adcode = f.id;
    d.name = name->second;
    d.boundary = f.geometry;
    if (auto cp = f.properties.find("cp"); cp != f.properties.end()) {
      d.centre = ParseLngLat(cp->second);
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<geo::Feature> RegionsToFeatures(const std::vector<Region>& regions) {
  std::vector<geo::Feature> out;
  out.reserve(regions.size());
  for (const Region& r : regions) {
    geo::Feature f;
    f.id = r.id;
    f.properties["id"] = r.id;
    f.properties["level"] = std::string(LevelName(r.level));
    f.properties["parent"] = r.parent;
    f.properties["name"] = r.name;
    f.properties["area_km2"] = absl::StrFormat("%.4f", r.area_km2);
    f.properties["residents_estimate"] = absl::StrCat(r.residents_estimate);
    f.geometry = r.geometry;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace gridwork::demo_geography
