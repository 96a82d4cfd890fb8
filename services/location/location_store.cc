#include "services/location/location_store.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/convenience.h>
#include <rocksdb/options.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/store/key_codec.h"

namespace gridwork::location {
namespace {

constexpr char kChunks[] = "chunks";
constexpr char kRejected[] = "rejected";
constexpr char kLast[] = "last";
constexpr char kGrids[] = "grids";

// Drops records whose key is str(worker) | i64(time_ms) | ... with time older than
// now - retention (chunks: the whole chunk must be older). Thread-safe: stateless but for
// the clock, which is.
class ExpiredFilter final : public rocksdb::CompactionFilter {
 public:
  ExpiredFilter(Clock* clock, absl::Duration retention, int64_t span_ms)
      : clock_(clock), retention_(retention), span_ms_(span_ms) {}
  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice&, std::string*,
              bool*) const override {
    absl::string_view rest(key.data(), key.size());
    std::string worker;
    int64_t time_ms = 0;
    if (!store::GetStringComponent(&rest, &worker) || !store::GetOrderedInt64(&rest, &time_ms)) {
      return false;  // not ours to judge: keep
    }
    const int64_t cutoff_ms = absl::ToUnixMillis(clock_->Now() - retention_);
    return time_ms + span_ms_ <= cutoff_ms;
  }
  const char* Name() const override { return "gridwork.location.ExpiredFilter"; }

 private:
  Clock* clock_;
  absl::Duration retention_;
  int64_t span_ms_;
};

std::function<void(rocksdb::ColumnFamilyOptions*)> Expiring(Clock* clock,
                                                            absl::Duration retention,
                                                            int64_t span_ms, bool zstd) {
  return [=](rocksdb::ColumnFamilyOptions* cf) {
    if (retention != absl::InfiniteDuration()) {
      // RocksDB keeps the raw pointer: the filter lives as long as the process.
      static std::vector<std::unique_ptr<ExpiredFilter>>* filters =
          new std::vector<std::unique_ptr<ExpiredFilter>>();
      filters->push_back(std::make_unique<ExpiredFilter>(clock, retention, span_ms));
      cf->compaction_filter = filters->back().get();
    }
    if (zstd) {
      auto supported = rocksdb::GetSupportedCompressions();
      if (std::find(supported.begin(), supported.end(), rocksdb::kZSTD) != supported.end()) {
        // Tracks are written once and read rarely: spend CPU at flush for fewer bytes.
        cf->compression = rocksdb::kZSTD;
        cf->bottommost_compression = rocksdb::kZSTD;
      }
    }
  };
}

std::string RejectedKey(const std::string& worker, int64_t time_ms, const std::string& device,
                        uint64_t seq) {
  return store::KeyBuilder().String(worker).Int64(time_ms).String(device).Uint64(seq).Build();
}

}  // namespace

std::string ChunkKey(const std::string& worker, int64_t chunk_start_ms) {
  return store::KeyBuilder().String(worker).Int64(chunk_start_ms).Build();
}

absl::StatusOr<std::unique_ptr<LocationStore>> LocationStore::Open(const std::string& dir,
                                                                   Clock* clock, bool sync,
                                                                   absl::Duration retention) {
  std::unique_ptr<LocationStore> s(new LocationStore());
  store::DbOptions opts;
  opts.path = dir;
  opts.service_name = "location";
  opts.sync = sync;
  // Not pipelined: with 64 ingest batches in flight, pipelining hands the queue on before each
  // fsync, so groups shrink and the fsyncs multiply; the location benchmark fell from ~220k
  // to ~55k fixes/s (location CPU 4.0 -> 15-17 us per fix). One fsync per full group is
  // cheaper here.
  opts.pipelined_sync = false;
  opts.clock = clock;
  GW_ASSIGN_OR_RETURN(
      s->db_,
      store::Db::Open(
          opts,
          {{kChunks, "str(worker) i64(chunk start ms) -> fix chunk",
            Expiring(clock, retention, kChunkSpanMs, /*zstd=*/true)},
           {kRejected, "str(worker) i64(time ms) str(device) u64(seq) -> RawFix",
            Expiring(clock, retention, 0, /*zstd=*/false)},
           {kLast, "worker -> WorkerPosition (last accepted fix)"},
           {kGrids, "worker -> current grid id (from the geofence feed)"}}));
  GW_ASSIGN_OR_RETURN(s->chunks_, s->db_->Family(kChunks));
  GW_ASSIGN_OR_RETURN(s->rejected_, s->db_->Family(kRejected));
  GW_ASSIGN_OR_RETURN(s->last_, s->db_->Family(kLast));
  GW_ASSIGN_OR_RETURN(s->grids_, s->db_->Family(kGrids));
  return s;
}

absl::StatusOr<std::vector<StoredFix>> LocationStore::GetChunk(const std::string& worker,
                                                               int64_t chunk_start_ms) const {
  auto v = db_->Get(chunks_, ChunkKey(worker, chunk_start_ms));
  if (absl::IsNotFound(v.status())) return std::vector<StoredFix>();
  GW_RETURN_IF_ERROR(v.status());
  return DecodeChunk(chunk_start_ms, *v);
}

void LocationStore::PutChunk(const std::string& worker, int64_t chunk_start_ms,
                             const std::vector<StoredFix>& fixes, store::WriteRequest* req) const {
  req->Put(chunks_, ChunkKey(worker, chunk_start_ms), EncodeChunk(chunk_start_ms, fixes));
}

absl::Status LocationStore::ScanChunks(
    const std::string& worker, int64_t start_ms, int64_t end_ms,
    const std::function<bool(int64_t, std::vector<StoredFix>&&)>& fn) const {
  absl::Status error;
  GW_RETURN_IF_ERROR(db_->ScanRange(
      chunks_, ChunkKey(worker, ChunkStartMs(start_ms)), ChunkKey(worker, end_ms),
      [&](absl::string_view key, absl::string_view value) {
        absl::string_view rest = key;
        std::string w;
        int64_t chunk_start = 0;
        if (!store::GetStringComponent(&rest, &w) || !store::GetOrderedInt64(&rest, &chunk_start)) {
          error = absl::DataLossError("malformed chunk key");
          return false;
        }
        auto fixes = DecodeChunk(chunk_start, value);
        if (!fixes.ok()) {
          error = fixes.status();
          return false;
        }
        return fn(chunk_start, *std::move(fixes));
      }));
  return error;
}

void LocationStore::PutRejected(const std::string& worker, int64_t time_ms, const v1::RawFix& raw,
                                store::WriteRequest* req) const {
  req->Put(rejected_, RejectedKey(worker, time_ms, raw.device_id(), raw.received().sequence()),
           raw.SerializeAsString());
}

absl::Status LocationStore::ScanRejected(
    const std::string& worker, int64_t start_ms, int64_t end_ms,
    const std::function<bool(int64_t, v1::RawFix&&)>& fn) const {
  absl::Status error;
  const std::string start = store::KeyBuilder().String(worker).Int64(start_ms).Build();
  const std::string limit = store::KeyBuilder().String(worker).Int64(end_ms).Build();
  GW_RETURN_IF_ERROR(
      db_->ScanRange(rejected_, start, limit, [&](absl::string_view key, absl::string_view value) {
        absl::string_view rest = key;
        std::string w;
        int64_t t = 0;
        v1::RawFix raw;
        if (!store::GetStringComponent(&rest, &w) || !store::GetOrderedInt64(&rest, &t) ||
            !raw.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          error = absl::DataLossError("malformed rejected-fix record");
          return false;
        }
        return fn(t, std::move(raw));
      }));
  return error;
}

absl::StatusOr<std::vector<v1::WorkerPosition>> LocationStore::LoadAllLast() const {
  std::vector<v1::WorkerPosition> out;
  absl::Status error;
  GW_RETURN_IF_ERROR(db_->ScanPrefix(last_, "", [&](absl::string_view, absl::string_view v) {
    v1::WorkerPosition p;
    if (!p.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      error = absl::DataLossError("malformed last position");
      return false;
    }
    out.push_back(std::move(p));
    return true;
  }));
  GW_RETURN_IF_ERROR(error);
  return out;
}

void LocationStore::PutLast(const v1::WorkerPosition& p, store::WriteRequest* req) const {
  req->Put(last_, p.worker_id(), p.SerializeAsString());
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> LocationStore::LoadAllGrids()
    const {
  std::vector<std::pair<std::string, std::string>> out;
  GW_RETURN_IF_ERROR(db_->ScanPrefix(grids_, "", [&](absl::string_view k, absl::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  }));
  return out;
}

void LocationStore::PutGrid(const std::string& worker, const std::string& grid,
                            store::WriteRequest* req) const {
  req->Put(grids_, worker, grid);
}

}  // namespace gridwork::location
