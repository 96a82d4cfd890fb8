// The location service's RocksDB store.
//
// DO NOT CHANGE THESE LAYOUTS: they are the on-disk format of data/location.
//
//   family    key                                                  value
//   chunks    str(worker) | i64(chunk_start_ms)                    fix chunk (fix_chunk.h)
//   rejected  str(worker) | i64(device_time_ms) | str(device) | u64(sequence)
//                                                                  v1.RawFix (with reason)
//   last      worker_id                                            v1.WorkerPosition
//   grids     worker_id                                            current grid id (geofence feed)
//
// str = order-preserving string component, i64 = sign-flipped big-endian (key_codec.h), so a
// worker's chunks are contiguous and in time order: a worker-day is one range of 144 keys.
// Retention: a compaction filter drops chunks and rejected fixes whose time is older than
// now - retention, so expiry costs no scan and no extra write.
//
// Thread safety: all methods may be called concurrently.
#ifndef GRIDWORK_SERVICES_LOCATION_LOCATION_STORE_H_
#define GRIDWORK_SERVICES_LOCATION_LOCATION_STORE_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/core/clock.h"
#include "gridwork/location/v1/location.pb.h"
#include "gridwork/store/db.h"
#include "services/location/fix_chunk.h"

namespace gridwork::location {

class LocationStore {
 public:
  // `retention`: chunks older than this are dropped at compaction (InfiniteDuration = keep).
  static absl::StatusOr<std::unique_ptr<LocationStore>> Open(const std::string& dir,
                                                             Clock* clock, bool sync,
                                                             absl::Duration retention);

  store::Db* db() const { return db_.get(); }
  absl::StatusOr<store::CommitResult> Commit(store::WriteRequest req) {
    return db_->Commit(std::move(req));
  }

  // The fixes of one chunk (empty if none is stored).
  absl::StatusOr<std::vector<StoredFix>> GetChunk(const std::string& worker,
                                                  int64_t chunk_start_ms) const;
  void PutChunk(const std::string& worker, int64_t chunk_start_ms,
                const std::vector<StoredFix>& fixes, store::WriteRequest* req) const;
  // Visits the chunks of `worker` overlapping [start_ms, end_ms) in time order; `fn` returns
  // false to stop.
  absl::Status ScanChunks(
      const std::string& worker, int64_t start_ms, int64_t end_ms,
      const std::function<bool(int64_t chunk_start_ms, std::vector<StoredFix>&& fixes)>& fn)
      const;

  void PutRejected(const std::string& worker, int64_t time_ms, const v1::RawFix& raw,
                   store::WriteRequest* req) const;
  // Rejected fixes of `worker` with time in [start_ms, end_ms), in time order.
  absl::Status ScanRejected(const std::string& worker, int64_t start_ms, int64_t end_ms,
                            const std::function<bool(int64_t time_ms, v1::RawFix&& raw)>& fn)
      const;

  absl::StatusOr<std::vector<v1::WorkerPosition>> LoadAllLast() const;
  void PutLast(const v1::WorkerPosition& p, store::WriteRequest* req) const;

  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> LoadAllGrids() const;
  void PutGrid(const std::string& worker, const std::string& grid, store::WriteRequest* req) const;

 private:
  LocationStore() = default;
  std::unique_ptr<store::Db> db_;
  store::FamilyHandle chunks_, rejected_, last_, grids_;
};

// Key of a chunk (exposed for tests of the layout and the compaction filter).
std::string ChunkKey(const std::string& worker, int64_t chunk_start_ms);

}  // namespace gridwork::location

#endif  // GRIDWORK_SERVICES_LOCATION_LOCATION_STORE_H_
