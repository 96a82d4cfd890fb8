// geofence_lookup_bench: point-in-region lookups per second on one core, RegionIndex versus
// PostGIS (and a Boost R-tree + covered_by baseline), on two datasets:
//   henan_districts  every district of Henan province (real boundaries, ~160 regions)
//   synthetic_grids  a jittered lattice of ~0.3 km² quads covering Zhengzhou (~25k regions)
// Query points are uniform over each dataset's bounding box (so some miss every region).
//
//   geofence_lookup_bench [--postgres_url=CONNINFO] [--json]
//   bench/run_geofence_bench.sh -- --json     (starts a throwaway PostGIS)
//
// Prints a table; with --json the last line is one JSON object of the figures. Answers are
// compared point by point (index vs PostGIS ST_Covers, index vs Boost covered_by); a point
// within 1e-9° of a border of a region involved is excluded from the count (and reported).
#include <algorithm>
#include <boost/geometry/index/rtree.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/core/flags_usage.h"
#include "gridwork/geo/distance.h"
#include "gridwork/geo/geojson.h"
#include "gridwork/geo/region_index.h"
#include "postgis_lookup.h"

ABSL_FLAG(std::string, data_dir, "",
          "Directory of the Henan city GeoJSON files; default: the repository's testdata/henan, "
          "searched upwards from the working directory and from the binary's path");
ABSL_FLAG(std::string, postgres_url, "",
          "libpq conninfo/URL of a PostgreSQL server with PostGIS; empty skips PostGIS");
ABSL_FLAG(int64_t, queries, 2000000, "Random query points per dataset for the index");
ABSL_FLAG(int64_t, boost_queries, 200000, "Subset answered by the Boost R-tree baseline");
ABSL_FLAG(int64_t, postgis_queries, 50000, "Subset answered by PostGIS in batched statements");
ABSL_FLAG(int64_t, postgis_per_point_queries, 10000,
          "Subset answered by PostGIS with one statement per point");
ABSL_FLAG(int64_t, postgis_batch, 10000, "Points per batched PostGIS statement");
ABSL_FLAG(int32_t, repeats, 5, "Timed passes of the index over the queries; best reported");
ABSL_FLAG(double, grid_km2, 0.3, "Area of one synthetic grid, km²");
ABSL_FLAG(uint64_t, seed, 20261123, "Random seed for grids and query points");
ABSL_FLAG(bool, json, false, "Print one JSON object with the figures on the last line");

namespace gridwork::bench {
namespace {

namespace fs = std::filesystem;
namespace bg = boost::geometry;
using geo::Box;
using geo::MultiPolygon;
using geo::Point;
using geo::RegionIndex;
using Regions = std::vector<RegionIndex::Region>;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "geofence_lookup_bench: %s\n", msg.c_str());
  std::exit(1);
}

fs::path FindDataDir(const char* argv0) {
  if (!absl::GetFlag(FLAGS_data_dir).empty()) return absl::GetFlag(FLAGS_data_dir);
  std::vector<fs::path> bases = {fs::current_path()};
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) exe = fs::absolute(argv0);
  bases.push_back(exe.parent_path());
  for (fs::path base : bases) {
    for (int up = 0; up < 6 && !base.empty(); ++up, base = base.parent_path()) {
      for (const char* rel : {"testdata/henan", "../shared/data/henan"}) {
        if (fs::is_directory(base / rel)) return fs::canonical(base / rel);
      }
      if (base == base.parent_path()) break;
    }
  }
  Die("cannot find testdata/henan; pass --data_dir");
}

Regions LoadGeoJson(const fs::path& file, uint32_t* next_ordinal) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto features = geo::ParseFeatures(ss.str());
  if (!features.ok()) Die(absl::StrCat(file.string(), ": ", features.status().ToString()));
  Regions out;
  for (geo::Feature& f : *features) out.emplace_back((*next_ordinal)++, std::move(f.geometry));
  return out;
}

Box Extent(const Regions& regions) {
  Box box = bg::return_envelope<Box>(regions.at(0).second);
  for (const auto& r : regions) bg::expand(box, bg::return_envelope<Box>(r.second));
  return box;
}

// Jittered lattice of ~grid_km2 quads over `city`'s extent, keeping the quads whose centre
// lies in the city: neighbours share vertices exactly, so the grids tile without gaps.
Regions SyntheticGrids(const Regions& city, double km2, uint64_t seed) {
  const Box ext = Extent(city);
  auto city_index = RegionIndex::Build(city);
  if (!city_index.ok()) Die(city_index.status().ToString());
  const double lat_mid = (ext.min_corner().y() + ext.max_corner().y()) / 2;
  const double side_m = std::sqrt(km2) * 1000;
  const double dy = side_m / 111195.08;
  const double dx = dy / std::cos(lat_mid * 3.14159265358979 / 180);
  const int nx = static_cast<int>((ext.max_corner().x() - ext.min_corner().x()) / dx) + 1;
  const int ny = static_cast<int>((ext.max_corner().y() - ext.min_corner().y()) / dy) + 1;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> jitter(-0.25, 0.25);
  std::vector<Point> v(static_cast<size_t>(nx + 1) * (ny + 1));
  for (int j = 0; j <= ny; ++j) {
    for (int i = 0; i <= nx; ++i) {
      v[static_cast<size_t>(j) * (nx + 1) + i] =
          geo::LngLat(ext.min_corner().x() + (i + jitter(rng)) * dx,
                      ext.min_corner().y() + (j + jitter(rng)) * dy);
    }
  }
  Regions out;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      auto at = [&](int a, int b) { return v[static_cast<size_t>(j + b) * (nx + 1) + i + a]; };
      const Point c =
          geo::LngLat((at(0, 0).x() + at(1, 1).x()) / 2, (at(0, 0).y() + at(1, 1).y()) / 2);
      if (city_index->Lookup(c.x(), c.y()) < 0) continue;
      MultiPolygon mp;
      mp.resize(1);
      mp[0].outer() = {at(0, 0), at(0, 1), at(1, 1), at(1, 0), at(0, 0)};  // clockwise
      out.emplace_back(static_cast<uint32_t>(out.size()), std::move(mp));
    }
  }
  return out;
}

std::vector<Point> RandomPoints(const Box& box, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(box.min_corner().x(), box.max_corner().x());
  std::uniform_real_distribution<double> uy(box.min_corner().y(), box.max_corner().y());
  std::vector<Point> out(n);
  for (Point& p : out) p = geo::LngLat(ux(rng), uy(rng));
  return out;
}

double DegreesToBorder(const Point& p, const MultiPolygon& mp) {
  double best = std::numeric_limits<double>::infinity();
  auto ring = [&](const geo::Ring& r) {
    for (size_t i = 0; i + 1 < r.size(); ++i) {
      best = std::min(best, bg::distance(p, geo::Segment(r[i], r[i + 1])));
    }
  };
  for (const auto& poly : mp) {
    ring(poly.outer());
    for (const auto& inner : poly.inners()) ring(inner);
  }
  return best;
}

struct Agreement {
  int64_t compared = 0;
  int64_t disagreements = 0;
  int64_t excluded_near_border = 0;
  std::string example;
};

// Index answers vs reference sets (all covering regions per point).
Agreement Compare(const Regions& regions, std::span<const Point> pts,
                  const std::vector<int64_t>& index_answers,
                  const std::vector<std::vector<int64_t>>& reference) {
  Agreement a;
  for (size_t i = 0; i < reference.size(); ++i) {
    ++a.compared;
    const std::vector<int64_t>& want = reference[i];
    const int64_t got = index_answers[i];
    const bool ok =
        want.empty() ? got == -1 : std::find(want.begin(), want.end(), got) != want.end();
    if (ok) continue;
    // Regions involved: ordinals equal dense positions in `regions` (both datasets).
    double d = std::numeric_limits<double>::infinity();
    if (got >= 0) d = std::min(d, DegreesToBorder(pts[i], regions[got].second));
    for (int64_t w : want) d = std::min(d, DegreesToBorder(pts[i], regions[w].second));
    if (d <= 1e-9) {
      ++a.excluded_near_border;
      continue;
    }
    ++a.disagreements;
    if (a.example.empty()) {
      a.example = absl::StrCat("(", pts[i].x(), ", ", pts[i].y(), ") index ", got, " reference ",
                               want.empty() ? -1 : want[0]);
    }
  }
  return a;
}

struct Figures {
  std::string name;
  size_t regions = 0, edges = 0, queries = 0;
  double build_s = 0, index_lps = 0, index_single_lps = 0, memory_bytes = 0;
  double boost_lps = 0;
  Agreement vs_boost;
  bool postgis = false;
  double pg_batched_lps = 0, pg_per_point_lps = 0, pg_lps = 0;
  Agreement vs_pg;
  size_t pg_queries = 0;
};

Figures RunDataset(const std::string& name, const Regions& regions, PostgisLookup* pg,
                   uint64_t seed) {
  Figures f;
  f.name = name;
  f.regions = regions.size();
  auto t0 = Clock::now();
  auto index = RegionIndex::Build(regions);
  auto t1 = Clock::now();
  if (!index.ok()) Die(index.status().ToString());
  f.build_s = Seconds(t0, t1);
  f.edges = index->stats().edges;
  f.memory_bytes = static_cast<double>(index->MemoryBytes());

  const std::vector<Point> pts =
      RandomPoints(Extent(regions), static_cast<size_t>(absl::GetFlag(FLAGS_queries)), seed);
  f.queries = pts.size();
  std::vector<int64_t> answers(pts.size());
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < std::max(1, absl::GetFlag(FLAGS_repeats)); ++r) {
    auto a = Clock::now();
    index->LookupMany(pts, answers);
    auto b = Clock::now();
    best = std::min(best, Seconds(a, b));
  }
  f.index_lps = pts.size() / best;
  // The same points one Lookup() call at a time (what a service does per fix).
  best = std::numeric_limits<double>::infinity();
  int64_t checksum = 0;
  for (int r = 0; r < std::max(1, absl::GetFlag(FLAGS_repeats)); ++r) {
    auto a = Clock::now();
    for (const Point& p : pts) checksum += index->Lookup(p.x(), p.y());
    auto b = Clock::now();
    best = std::min(best, Seconds(a, b));
  }
  f.index_single_lps = pts.size() / best;
  int64_t expected = 0;
  for (int64_t v : answers) expected += v;
  if (checksum != expected * std::max(1, absl::GetFlag(FLAGS_repeats))) {
    Die("Lookup and LookupMany disagree");
  }

  // Baseline: Boost R-tree over bounding boxes, then covered_by on the candidates.
  using Entry = std::pair<Box, size_t>;
  std::vector<Entry> entries;
  for (size_t k = 0; k < regions.size(); ++k) {
    entries.emplace_back(bg::return_envelope<Box>(regions[k].second), k);
  }
  bg::index::rtree<Entry, bg::index::rstar<16>> rtree(entries);
  const size_t nb = std::min(pts.size(), static_cast<size_t>(absl::GetFlag(FLAGS_boost_queries)));
  std::vector<std::vector<int64_t>> boost_answers(nb);
  std::vector<Entry> hits;
  auto b0 = Clock::now();
  for (size_t i = 0; i < nb; ++i) {
    hits.clear();
    rtree.query(bg::index::covers(pts[i]), std::back_inserter(hits));
    for (const Entry& e : hits) {
      if (bg::covered_by(pts[i], regions[e.second].second)) {
        boost_answers[i].push_back(regions[e.second].first);
      }
    }
  }
  auto b1 = Clock::now();
  f.boost_lps = nb / Seconds(b0, b1);
  f.vs_boost = Compare(regions, pts, answers, boost_answers);

  if (pg != nullptr) {
    f.postgis = true;
    const std::string table = absl::StrCat("bench_", name);
    if (absl::Status s = pg->LoadRegions(table, regions); !s.ok()) Die(s.ToString());
    const size_t nq =
        std::min(pts.size(), static_cast<size_t>(absl::GetFlag(FLAGS_postgis_queries)));
    const size_t np =
        std::min(nq, static_cast<size_t>(absl::GetFlag(FLAGS_postgis_per_point_queries)));
    std::span<const Point> subset(pts.data(), nq);
    // Warm-up pass so both variants see a warm cache (table, index, PostGIS caches).
    (void)pg->CoveringBatched(table, subset.first(std::min<size_t>(nq, 2000)),
                              static_cast<size_t>(absl::GetFlag(FLAGS_postgis_batch)));
    auto p0 = Clock::now();
    auto batched =
        pg->CoveringBatched(table, subset, static_cast<size_t>(absl::GetFlag(FLAGS_postgis_batch)));
    auto p1 = Clock::now();
    if (!batched.ok()) Die(batched.status().ToString());
    auto per_point = pg->CoveringPerPoint(table, subset.first(np));
    auto p2 = Clock::now();
    if (!per_point.ok()) Die(per_point.status().ToString());
    f.pg_queries = nq;
    f.pg_batched_lps = nq / Seconds(p0, p1);
    f.pg_per_point_lps = np / Seconds(p1, p2);
    f.pg_lps = std::max(f.pg_batched_lps, f.pg_per_point_lps);
    f.vs_pg = Compare(regions, pts, answers, *batched);
    const Agreement pp = Compare(regions, pts, answers, *per_point);
    f.vs_pg.disagreements += pp.disagreements;
    f.vs_pg.excluded_near_border += pp.excluded_near_border;
    f.vs_pg.compared += pp.compared;
    if (f.vs_pg.example.empty()) f.vs_pg.example = pp.example;
  }
  return f;
}

void PrintTable(const std::vector<Figures>& all, const std::string& pg_version) {
  absl::PrintF("\nGeofence lookup: one thread, uniform random points over each dataset's extent\n");
  absl::PrintF("index M/s: LookupMany over all queries; (1 by 1): one Lookup() call per point\n");
  absl::PrintF("PostGIS: %s (ST_Covers, GiST index, one backend, parallel workers and JIT off)\n\n",
               pg_version.c_str());
  absl::PrintF("%-16s %8s %9s %9s %12s %10s %9s %8s %12s %13s %13s %9s %14s %14s\n", "dataset",
               "regions", "edges", "queries", "index M/s", "(1 by 1)", "memory MB", "build s",
               "boost M/s", "PostGIS k/s", "(batch/point)", "vs PostGIS", "disagree (PG)",
               "disagree (bg)");
  for (const Figures& f : all) {
    std::string pg = "-", pg_detail = "-", ratio = "-", dis_pg = "-";
    if (f.postgis) {
      pg = absl::StrFormat("%.1f", f.pg_lps / 1e3);
      pg_detail = absl::StrFormat("%.0f/%.0f", f.pg_batched_lps / 1e3, f.pg_per_point_lps / 1e3);
      ratio = absl::StrFormat("%.0fx", f.index_lps / f.pg_lps);
      dis_pg = absl::StrFormat("%d/%d", f.vs_pg.disagreements, f.vs_pg.compared);
    }
    absl::PrintF("%-16s %8zu %9zu %9zu %12.1f %10.1f %9.1f %8.2f %12.2f %13s %13s %9s %14s %14s\n",
                 f.name.c_str(), f.regions, f.edges, f.queries, f.index_lps / 1e6,
                 f.index_single_lps / 1e6, f.memory_bytes / 1e6, f.build_s, f.boost_lps / 1e6,
                 pg.c_str(), pg_detail.c_str(), ratio.c_str(), dis_pg.c_str(),
                 absl::StrFormat("%d/%d", f.vs_boost.disagreements, f.vs_boost.compared).c_str());
  }
  for (const Figures& f : all) {
    absl::PrintF("%s: points within 1e-9 deg of a border excluded: %d (PostGIS), %d (Boost)\n",
                 f.name.c_str(), f.vs_pg.excluded_near_border, f.vs_boost.excluded_near_border);
    if (!f.vs_pg.example.empty())
      absl::PrintF("  first PostGIS disagreement: %s\n", f.vs_pg.example.c_str());
    if (!f.vs_boost.example.empty())
      absl::PrintF("  first Boost disagreement: %s\n", f.vs_boost.example.c_str());
  }
}

void AppendFigures(const Figures& f, const std::string& p, std::string* out) {
  absl::StrAppend(
      out, "\"", p, "regions\":", f.regions, ",\"", p, "edges\":", f.edges, ",\"", p,
      "queries\":", f.queries, ",\"", p,
      "lookups_per_s_per_core\":", absl::StrFormat("%.0f", f.index_lps), ",\"", p,
      "single_call_lookups_per_s_per_core\":", absl::StrFormat("%.0f", f.index_single_lps), ",\"",
      p, "memory_bytes\":", absl::StrFormat("%.0f", f.memory_bytes), ",\"", p,
      "build_s\":", absl::StrFormat("%.3f", f.build_s), ",\"", p,
      "boost_rtree_lookups_per_s\":", absl::StrFormat("%.0f", f.boost_lps), ",\"", p,
      "disagreements_vs_boost\":", f.vs_boost.disagreements);
  if (f.postgis) {
    absl::StrAppend(
        out, ",\"", p, "postgis_lookups_per_s\":", absl::StrFormat("%.0f", f.pg_lps), ",\"", p,
        "postgis_batched_lookups_per_s\":", absl::StrFormat("%.0f", f.pg_batched_lps), ",\"", p,
        "postgis_per_point_lookups_per_s\":", absl::StrFormat("%.0f", f.pg_per_point_lps), ",\"", p,
        "vs_postgis\":", absl::StrFormat("%.1f", f.index_lps / f.pg_lps), ",\"", p,
        "disagreements\":", f.vs_pg.disagreements, ",\"", p,
        "postgis_compared\":", f.vs_pg.compared, ",\"", p,
        "excluded_near_border\":", f.vs_pg.excluded_near_border);
  }
}

int Main(int argc, char** argv) {
  gridwork::ParseFlags(argc, argv,
                       "Point-in-region lookups/s: RegionIndex vs PostGIS vs Boost R-tree.\n"
                       "Usage: geofence_lookup_bench [--postgres_url=CONNINFO] [--json]");
  const fs::path dir = FindDataDir(argv[0]);
  uint32_t next = 0;
  Regions henan, zhengzhou;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".geojson") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    Regions city = LoadGeoJson(file, &next);
    if (file.filename() == "he2_nan2_zheng4_zhou1.geojson") {
      uint32_t z = 0;
      zhengzhou = LoadGeoJson(file, &z);
    }
    for (auto& r : city) henan.push_back(std::move(r));
  }
  if (henan.empty() || zhengzhou.empty())
    Die(absl::StrCat("no Henan/Zhengzhou data in ", dir.string()));
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  const Regions grids = SyntheticGrids(zhengzhou, absl::GetFlag(FLAGS_grid_km2), seed);

  std::unique_ptr<PostgisLookup> pg;
  std::string pg_version = "not measured (no --postgres_url)";
  if (!absl::GetFlag(FLAGS_postgres_url).empty()) {
    auto conn = PostgisLookup::Connect(absl::GetFlag(FLAGS_postgres_url));
    if (!conn.ok()) Die(conn.status().ToString());
    pg = std::move(*conn);
    pg_version = pg->ServerVersion();
  }
  std::vector<Figures> all;
  all.push_back(RunDataset("henan_districts", henan, pg.get(), seed + 1));
  all.push_back(RunDataset("synthetic_grids", grids, pg.get(), seed + 2));
  PrintTable(all, pg_version);

  if (absl::GetFlag(FLAGS_json)) {
    const Figures& g = all[1];
    std::string json = absl::StrCat("{\"name\":\"geofence_lookup\",\"lookups_per_s_per_core\":",
                                    absl::StrFormat("%.0f", g.index_lps));
    if (g.postgis) {
      absl::StrAppend(&json, ",\"vs_postgis\":", absl::StrFormat("%.1f", g.index_lps / g.pg_lps),
                      ",\"disagreements\":", g.vs_pg.disagreements);
    }
    absl::StrAppend(&json, ",\"memory_bytes\":", absl::StrFormat("%.0f", g.memory_bytes), ",");
    AppendFigures(all[0], "henan_", &json);
    json.push_back(',');
    AppendFigures(all[1], "grids_", &json);
    absl::StrAppend(&json,
                    ",\"units\":{\"lookups_per_s_per_core\":\"lookups/s, one thread\","
                    "\"vs_postgis\":\"ratio of lookups/s (index / best PostGIS variant)\","
                    "\"disagreements\":\"points, excluding those within 1e-9 deg of a border\","
                    "\"memory_bytes\":\"bytes\",\"build_s\":\"s\"}}");
    absl::PrintF("%s\n", json.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace gridwork::bench

int main(int argc, char** argv) { return gridwork::bench::Main(argc, argv); }
