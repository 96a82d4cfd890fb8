// The core path of stack_load_bench's workload on PostgreSQL/PostGIS, done the way a
// PostGIS-based service would: per fix (the gateway forwards each IngestFixes call of one fix
// as one batch), in one statement and one transaction (autocommit, synchronous_commit = on:
// acknowledged once its WAL is flushed, as gridwork acknowledges after fsync):
//
//   1. the fix into positions (UNIQUE (device, seq) for idempotent resends, INDEX (worker, t));
//   2. the point-in-polygon lookup of its grid among the district's real grid polygons (GiST,
//      ST_Covers);
//   3. the worker's presence/state row upserted (grid, last fix time and position, online).
//
// With batches of k fixes (IngestBatch) the same in one statement over unnest()ed arrays.
//
//   grids(id text PRIMARY KEY, geom geometry(MultiPolygon, 4326))
//   presence(worker text PRIMARY KEY, grid text, t timestamptz, geom geometry(Point, 4326))
//
// It does not publish feed events, evaluate fence hysteresis or keep analytics' aggregates,
// which gridwork does on the same fix: the baseline does less work per fix.
// One object = one connection; not thread-safe.
#ifndef GRIDWORK_BENCH_STACK_POSTGIS_H_
#define GRIDWORK_BENCH_STACK_POSTGIS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/pg_connection.h"

namespace gridwork::bench {

class PostgisCorePath {
 public:
  static absl::StatusOr<std::unique_ptr<PostgisCorePath>> Connect(const std::string& conninfo);
  ~PostgisCorePath();
  PostgisCorePath(const PostgisCorePath&) = delete;
  PostgisCorePath& operator=(const PostgisCorePath&) = delete;

  // Drops and creates the three tables and loads `grids` (id, WKT (Multi)Polygon in WGS-84).
  absl::Status CreateSchema(const std::vector<std::pair<std::string, std::string>>& grids);
  // Prepares the statement on this connection and checks synchronous_commit = on.
  absl::Status Prepare();
  // One fix through the core path. Returns the grid it fell into ("" = none).
  absl::StatusOr<std::string> IngestFix(const std::string& worker, const std::string& device,
                                        uint64_t seq, int64_t time_ms, double lat, double lng,
                                        double accuracy_m);
  // A batch of one worker's fixes (one IngestFixes call) through the same path in one
  // statement: every fix inserted and looked up, the presence row set from the last fix.
  // Returns the last fix's grid ("" = none).
  struct Fix {
    uint64_t seq;
    int64_t time_ms;
    double lat, lng;
  };
  absl::StatusOr<std::string> IngestBatch(const std::string& worker, const std::string& device,
                                          const std::vector<Fix>& fixes);
  std::string ServerVersion() { return pg_->PostgisVersion(); }

 private:
  explicit PostgisCorePath(std::unique_ptr<PgConnection> pg)
      : pg_(std::move(pg)), conn_(pg_->get()) {}
  absl::Status Exec(const std::string& sql) { return pg_->Exec(sql); }
  std::unique_ptr<PgConnection> pg_;
  PGconn* conn_;  // pg_'s
};

}  // namespace gridwork::bench

#endif  // GRIDWORK_BENCH_STACK_POSTGIS_H_
