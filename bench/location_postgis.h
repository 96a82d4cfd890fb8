// PostgreSQL/PostGIS as the baseline of location_ingest_bench: the same ingest workload as
// gridwork-location + gridwork-geofence, done the way a PostGIS-based service would.
//
//   positions(worker text, device text, seq int8, t timestamptz, geom geometry(Point, 4326),
//             accuracy_m, speed_mps, heading_deg, altitude_m, battery_pct real)
//     UNIQUE (device, seq)  -- idempotent resends
//     INDEX (worker, t)     -- tracks
//   grids(id text, geom geometry(Polygon, 4326)), GiST index
//
// Per batch: one INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (device, seq) DO NOTHING
// (its own transaction, synchronous_commit = on: acknowledged once the WAL is flushed, as
// gridwork's ack after fsync) and one SELECT joining the batch's points to the grids with
// ST_Contains (the fence lookup). One object = one connection; not thread-safe.
#ifndef GRIDWORK_BENCH_LOCATION_POSTGIS_H_
#define GRIDWORK_BENCH_LOCATION_POSTGIS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/pg_connection.h"

namespace gridwork::bench {

struct PgFix {
  uint64_t seq = 0;
  int64_t time_ms = 0;
  double lat = 0, lng = 0;
  double accuracy_m = 0, speed_mps = 0, heading_deg = 0, altitude_m = 0, battery_pct = 0;
};

struct PgGrid {
  std::string id;
  double lng0, lat0, lng1, lat1;  // an axis-aligned box
};

class PostgisIngest {
 public:
  static absl::StatusOr<std::unique_ptr<PostgisIngest>> Connect(const std::string& conninfo);
  ~PostgisIngest();
  PostgisIngest(const PostgisIngest&) = delete;
  PostgisIngest& operator=(const PostgisIngest&) = delete;

  // Drops and creates both tables with their indexes and loads `grids` (once, one connection).
  absl::Status CreateSchema(const std::vector<PgGrid>& grids);
  // Prepares the two statements on this connection and checks synchronous_commit = on.
  absl::Status Prepare();
  // Inserts the batch and looks its points up. Returns the number of rows inserted (new
  // fixes); `inside` receives how many points fell into some grid.
  absl::StatusOr<int> IngestBatch(const std::string& worker, const std::string& device,
                                  std::span<const PgFix> fixes, int* inside);
  // Rows in positions and the on-disk size of the positions table with its indexes.
  absl::StatusOr<std::pair<int64_t, int64_t>> PositionsSize();
  std::string ServerVersion() { return pg_->PostgisVersion(); }

 private:
  explicit PostgisIngest(std::unique_ptr<PgConnection> pg)
      : pg_(std::move(pg)), conn_(pg_->get()) {}
  absl::Status Exec(const std::string& sql) { return pg_->Exec(sql); }
  std::unique_ptr<PgConnection> pg_;
  PGconn* conn_;  // pg_'s
};

}  // namespace gridwork::bench

#endif  // GRIDWORK_BENCH_LOCATION_POSTGIS_H_
