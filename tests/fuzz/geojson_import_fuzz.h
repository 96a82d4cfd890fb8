// Fuzz entry points for the code that parses region data from outside: GeoJSON imports
// (services/geofence PlanImport, RegionTree) and the point-in-region index (libs/geo
// RegionIndex). Each takes arbitrary bytes and returns 0; a bug is reported by aborting
// (or by a sanitizer), never by the return value, so that the same functions serve the
// libFuzzer binaries (tests/fuzz/*_fuzzer.cc) and the corpus replay test
// (tests/fuzz/fuzz_corpus_test.cc).
//
//   gridwork::fuzz::FuzzGeoJsonImport(data, size);   // bytes = GeoJSON text
//   gridwork::fuzz::FuzzRegionIndexLookup(data, size);  // bytes = polygons + query points
//
// Thread safety: both functions may be called from several threads at once (the fixed stored
// tree is built once, thread-safely, and is immutable).
#ifndef GRIDWORK_TESTS_FUZZ_GEOJSON_IMPORT_FUZZ_H_
#define GRIDWORK_TESTS_FUZZ_GEOJSON_IMPORT_FUZZ_H_

#include <cstddef>
#include <cstdint>

namespace gridwork::fuzz {

// Feeds `data` as GeoJSON to PlanImport against an empty tree and against a small stored
// tree (one district down to two grids). When a plan has no errors, builds a RegionTree
// from it and runs Locate on label points, bbox corners, NaN, infinities and extremes.
// Aborts if PlanImport, RegionTree::Build or Locate misbehave in a way that is a bug (an
// error-free plan whose regions cannot be indexed, a label point that locates nowhere).
// Always returns 0.
int FuzzGeoJsonImport(const uint8_t* data, size_t size);

// Decodes `data` into a few regions (rings of lattice or raw IEEE-754 coordinates, so NaN,
// infinities and huge values occur) and query points; builds a geo::RegionIndex and looks
// every point up. When every coordinate is a WGS-84 lng/lat and every region is valid
// (bg::is_valid), aborts if Lookup disagrees with bg::covered_by for a point farther than
// 1e-9 degree from every border (the exactness promise of region_index.h). Always returns 0.
int FuzzRegionIndexLookup(const uint8_t* data, size_t size);

}  // namespace gridwork::fuzz

#endif  // GRIDWORK_TESTS_FUZZ_GEOJSON_IMPORT_FUZZ_H_
