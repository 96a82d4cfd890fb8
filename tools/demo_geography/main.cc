// gridwork-demo-geo: writes the demo region tree of Zhengzhou (districts → streets →
// communities → grids) as one GeoJSON FeatureCollection. See docs/demo-geography.md.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "demo_geography/features.h"
#include "demo_geography/subdivide.h"
#include "gridwork/core/flags_usage.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/geo/geojson.h"

ABSL_FLAG(std::string, input, "tools/demo_geography/data/zhengzhou-districts.geojson",
          "District boundaries (GeoJSON FeatureCollection, feature id = adcode, property "
          "name). A relative path is looked up in the working directory, then in the source "
          "tree (relative to the binary in build/bin, then the configured source directory).");
ABSL_FLAG(std::string, output, "data/demo/zhengzhou-regions.geojson",
          "Where to write the region tree (directories are created).");
ABSL_FLAG(uint64_t, seed, gridwork::demo_geography::SubdivideOptions{}.seed,
          "Random seed; the same seed and input give a byte-identical output.");
ABSL_FLAG(std::vector<std::string>, districts, {},
          "Only these adcodes (comma-separated), e.g. 410105,410122; default all.");

namespace gridwork::demo_geography {
namespace {

namespace fs = std::filesystem;

fs::path ResolveInput(const std::string& flag) {
  const fs::path p(flag);
  std::error_code ec;
  if (p.is_absolute() || fs::exists(p, ec)) return p;
  std::vector<fs::path> roots;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) roots.push_back(exe.parent_path() / ".." / "..");  // build/bin -> repo root
#ifdef GRIDWORK_SOURCE_DIR
  roots.emplace_back(GRIDWORK_SOURCE_DIR);
#endif
  for (const fs::path& root : roots) {
    if (fs::exists(root / p, ec)) return (root / p).lexically_normal();
  }
  return p;
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes via a temporary file and a rename, so a reader never sees half a file.
absl::Status WriteFile(const fs::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", path.parent_path().string()));
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return absl::InternalError(absl::StrCat("cannot write ", tmp.string()));
  }
  fs::rename(tmp, path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot rename to ", path.string()));
  return absl::OkStatus();
}

void LogSummary(const std::vector<Region>& regions) {
  std::map<Level, std::vector<double>> areas;
  std::map<Level, int64_t> multipart;
  std::map<std::string, int> children;  // parent id -> number of children
  int64_t residents = 0;
  for (const Region& r : regions) {
    areas[r.level].push_back(r.area_km2);
    if (r.geometry.size() > 1) ++multipart[r.level];
    if (!r.parent.empty()) ++children[r.parent];
    if (r.level == Level::kDistrict) residents += r.residents_estimate;
  }
  std::map<Level, std::vector<int>> fanout;  // per parent level
  for (const Region& r : regions) {
    if (r.level != Level::kGrid) fanout[r.level].push_back(children[r.id]);
  }
  for (auto& [level, a] : areas) {
    std::sort(a.begin(), a.end());
    auto& f = fanout[level];
    std::sort(f.begin(), f.end());
    log::Info("level summary", {{"level", LevelName(level)},
                                {"count", a.size()},
                                {"area_km2_min", a.front()},
                                {"area_km2_median", a[a.size() / 2]},
                                {"area_km2_max", a.back()},
                                {"multipart", multipart[level]},
                                {"children_min", f.empty() ? 0 : f.front()},
                                {"children_median", f.empty() ? 0 : f[f.size() / 2]},
                                {"children_max", f.empty() ? 0 : f.back()}});
  }
  log::Info("residents", {{"estimate", residents}});
}

absl::Status Run() {
  const auto start = std::chrono::steady_clock::now();
  const fs::path input = ResolveInput(absl::GetFlag(FLAGS_input));
  GW_ASSIGN_OR_RETURN(std::string text, ReadFile(input));
  GW_ASSIGN_OR_RETURN(std::vector<geo::Feature> features, geo::ParseFeatures(text));
  GW_ASSIGN_OR_RETURN(std::vector<DistrictInput> districts, DistrictsFromFeatures(features));
  const std::vector<std::string> only = absl::GetFlag(FLAGS_districts);
  if (!only.empty()) {
    std::vector<DistrictInput> chosen;
    for (const std::string& code : only) {
      auto it = std::find_if(districts.begin(), districts.end(),
                             [&](const DistrictInput& d) { return d.adcode == code; });
      if (it == districts.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--districts: no district ", code, " in ", input.string()));
      }
      chosen.push_back(*it);
    }
    districts = std::move(chosen);
  }
  SubdivideOptions options;
  options.seed = absl::GetFlag(FLAGS_seed);
  std::vector<Region> regions;
  for (const DistrictInput& d : districts) {
    const auto t0 = std::chrono::steady_clock::now();
    GW_ASSIGN_OR_RETURN(std::vector<Region> part, SubdivideDistrict(d, options));
    int64_t count[4] = {0, 0, 0, 0};
    for (const Region& r : part) ++count[static_cast<int>(r.level)];
    log::Info("district done",
              {{"id", d.adcode},
               {"name", d.name},
               {"area_km2", part.front().area_km2},
               {"streets", count[1]},
               {"communities", count[2]},
               {"grids", count[3]},
               {"residents_estimate", part.front().residents_estimate},
               {"ms", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::steady_clock::now() - t0)
                                               .count())}});
    for (Region& r : part) regions.push_back(std::move(r));
  }
  const fs::path output(absl::GetFlag(FLAGS_output));
  GW_RETURN_IF_ERROR(WriteFile(output, geo::WriteFeatureCollection(RegionsToFeatures(regions))));
  LogSummary(regions);
  log::Info("wrote regions",
            {{"input", input.string()},
             {"output", output.string()},
             {"regions", regions.size()},
             {"seed", options.seed},
             {"ms", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - start)
                                             .count())}});
  return absl::OkStatus();
}

}  // namespace
}  // namespace gridwork::demo_geography

int main(int argc, char** argv) {
  gridwork::ParseFlags(argc, argv,
                       "Generates the Zhengzhou demo regions (districts, streets, communities, "
                       "grids) as GeoJSON.\nUsage: gridwork-demo-geo [--output=PATH] [--seed=N] "
                       "[--districts=410105,...]");
  gridwork::log::SetServiceName("demo-geo");
  absl::Status status = gridwork::demo_geography::Run();
  if (!status.ok()) {
    gridwork::log::Error("failed", {{"error", status.ToString()}});
    return 1;
  }
  return 0;
}
