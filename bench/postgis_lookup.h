// PostGIS as the comparison baseline of geofence_lookup_bench: loads regions into a table
// with a GiST index and answers "which regions cover this point" with ST_Covers, either
// batched (many points per statement) or one statement per point.
//
// Session settings: max_parallel_workers_per_gather = 0 and jit = off, so one backend (one
// core) does the work, as the index does on one thread. Not thread-safe: one connection.
#ifndef GRIDWORK_BENCH_POSTGIS_LOOKUP_H_
#define GRIDWORK_BENCH_POSTGIS_LOOKUP_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/pg_connection.h"
#include "gridwork/geo/region_index.h"

namespace gridwork::bench {

class PostgisLookup {
 public:
  // Connects with a libpq conninfo string or URL and creates the postgis extension if it is
  // missing. UNAVAILABLE if the server cannot be reached.
  static absl::StatusOr<std::unique_ptr<PostgisLookup>> Connect(const std::string& conninfo);
  ~PostgisLookup();
  PostgisLookup(const PostgisLookup&) = delete;
  PostgisLookup& operator=(const PostgisLookup&) = delete;

  // (Re)creates `table` (ord int, geom geometry(MultiPolygon, 4326)) holding `regions`
  // with full coordinate precision, builds its GiST index and ANALYZEs it.
  absl::Status LoadRegions(const std::string& table,
                           const std::vector<geo::RegionIndex::Region>& regions);

  // For each point, the ordinals of the regions covering it (ST_Covers), in any order.
  // Batched: `batch` points per statement, sent as two float8 arrays and joined to the table.
  absl::StatusOr<std::vector<std::vector<int64_t>>> CoveringBatched(
      const std::string& table, std::span<const geo::Point> points, size_t batch);
  // One prepared statement execution per point.
  absl::StatusOr<std::vector<std::vector<int64_t>>> CoveringPerPoint(
      const std::string& table, std::span<const geo::Point> points);

  // "PostgreSQL 15.x / POSTGIS=3.x" for the report.
  std::string ServerVersion() { return pg_->PostgisVersion(); }

 private:
  explicit PostgisLookup(std::unique_ptr<PgConnection> pg)
      : pg_(std::move(pg)), conn_(pg_->get()) {}
  absl::Status Exec(const std::string& sql) { return pg_->Exec(sql); }
  std::unique_ptr<PgConnection> pg_;
  PGconn* conn_;  // pg_'s
};

}  // namespace gridwork::bench

#endif  // GRIDWORK_BENCH_POSTGIS_LOOKUP_H_
