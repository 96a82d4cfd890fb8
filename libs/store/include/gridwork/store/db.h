// Db: one service's RocksDB database — column-family registry, reads, atomic group commit,
// the event feed (transactional outbox), idempotency records and consumer cursors.
//
//   DbOptions options;
//   options.path = "data/geofence";
//   options.service_name = "geofence";
//   absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(
//       options, {{"regions", "region id -> Region"}, {"bindings", "worker -> grid bindings"}});
//   FamilyHandle regions = (*db)->Family("regions").value();  // fail at startup if unknown
//   WriteRequest req;
//   req.Put(regions, key, value);
//   req.AppendEvent(event, region_path);
//   absl::StatusOr<CommitResult> r = (*db)->Commit(std::move(req));
//
// Durability: an OK from Commit means the whole request is in the write-ahead log; with
// DbOptions::sync (the default) the WAL was fsync'ed, so it survives process crash AND power
// loss. With sync=false it survives a process crash but not an OS crash / power loss.
//
// Group commit: concurrent Commit calls queue; the caller at the head of the queue (the
// leader) takes every queued request, assigns event sequences in queue order, writes them as
// one WriteBatch with one fsync, and wakes the others with their own results. With
// DbOptions::pipelined_sync the next group is built and written while earlier groups' fsync
// runs (see the option).
//
// Thread safety: every method is safe to call concurrently, except that Close() (and the
// destructor) must not race with other calls started after it (calls in progress finish
// first; WaitForEvents returns early).
#ifndef GRIDWORK_STORE_DB_H_
#define GRIDWORK_STORE_DB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gridwork/common/v1/feed.pb.h"
#include "gridwork/core/clock.h"
#include "gridwork/store/families.h"
#include "gridwork/store/idempotency.h"
#include "gridwork/store/write_request.h"

namespace rocksdb {
struct ColumnFamilyOptions;
}  // namespace rocksdb

namespace gridwork::store {

using FeedEvent = ::gridwork::common::v1::FeedEvent;

struct DbOptions {
  // Directory of the database.
  std::string path;
  // Create the database (and the directory's last component) if it does not exist.
  bool create_if_missing = true;
  // Name of the owning service; becomes FeedEvent.source of every event, e.g. "geofence".
  std::string service_name;
  // fsync the WAL on every commit (group). See the durability note above.
  bool sync = true;
  // Group concurrent commits into one write. false = one write (and fsync) per Commit, kept
  // for benchmarks and comparisons.
  bool group_commit = true;
  // With sync: write a group's batch without waiting, let the next group build and write its
  // batch while this one's fsync (FlushWAL) runs, and acknowledge each group when an fsync that
  // started after its write has returned. Same durability for acknowledged commits; a
  // concurrent reader may see a group's state a few milliseconds before it is acknowledged
  // (never its feed events: LastSequence only moves after the fsync). false (the default) =
  // the write and its fsync are one step and groups follow each other. Measure before turning
  // it on: it shrinks the groups, and with many small concurrent batches (location ingest) it
  // costs more than it saves. With it the WAL is buffered in RocksDB (manual_wal_flush) and
  // the syncer writes and fsyncs it in one step (FlushWAL): the head makes no write() call,
  // and a kill -9 may also lose a written group that was never acknowledged (a power cut
  // could already).
  bool pipelined_sync = false;
  // Upper bound on requests merged into one write.
  int max_group_size = 256;
  // RocksDB max_open_files (-1 = unlimited).
  int max_open_files = 512;
  // Write-ahead log the store keeps, bytes. Past it RocksDB flushes the families whose
  // memtables hold the oldest log (typically rarely written ones, which would otherwise pin
  // every log since their last write), so the log can be deleted. Bounds both the disk the
  // log takes and the restart time, which replays it (4-10 ms per MB on the reference
  // machine, docs/operations.md). 0 = RocksDB's default: 4 x the sum of all write buffers,
  // ~9 GB for a store of 18 families.
  uint64_t max_wal_bytes = uint64_t{1} << 30;
  // Shared LRU block cache for all families, bytes.
  size_t block_cache_bytes = size_t{64} << 20;
  // Free space the file system holding `path` must keep: below it RefreshWritability() makes
  // the store refuse writes (RESOURCE_EXHAUSTED) before RocksDB runs out of room mid-write,
  // and accepts them again once there is room. 0 = only RocksDB's own errors count.
  uint64_t min_free_bytes = uint64_t{32} << 20;
  // Source of commit times. Not owned; must outlive the Db.
  Clock* clock = Clock::Real();
};

// One service-defined column family. `description` is one line saying what it holds
// (key -> value), shown in logs and Families().
struct ColumnFamilySpec {
  ColumnFamilySpec() = default;
  ColumnFamilySpec(std::string n, std::string d,
                   std::function<void(rocksdb::ColumnFamilyOptions*)> t = nullptr)
      : name(std::move(n)), description(std::move(d)), tune(std::move(t)) {}

  std::string name;
  std::string description;
  // Optional: adjusts this family's RocksDB options after the store's defaults (bloom
  // filter, block cache, LZ4) are set, e.g. a stronger compression for cold data or a
  // compaction filter that drops expired records during compaction. Called once per Open.
  std::function<void(rocksdb::ColumnFamilyOptions*)> tune;
};

// Sequences assigned to a committed request's events; both 0 if it had none.
struct CommitResult {
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
};

// Feed retention for TrimFeed; an event is deleted if EITHER limit says so.
struct FeedRetention {
  // Delete events whose commit_time is older than now - max_age (InfiniteDuration = keep).
  absl::Duration max_age = absl::InfiniteDuration();
  // Keep at most this many most recent events (0 = no limit).
  uint64_t max_events = 0;
};

// Counters since Open. `writes` < `commits` shows group commit at work; `syncs` < `writes`
// shows pipelined sync covering several groups with one fsync.
struct DbStats {
  uint64_t commits = 0;         // Commit calls that returned OK
  uint64_t failed_commits = 0;  // Commit calls that returned an error
  uint64_t writes = 0;          // WriteBatch writes by commit leaders
  uint64_t syncs = 0;           // WAL fsyncs of commits (0 without DbOptions::sync)
  uint64_t max_group_size = 0;  // most requests merged into one write
};

class Db {
 public:
  // Opens (or creates) the database at options.path with the store's own families
  // (families.h), the given `families`, and every other family found on disk (so a database
  // written by a newer version still opens). Recovers the last event sequence and the first
  // retained sequence.
  // Errors: INVALID_ARGUMENT for an empty path, a duplicate family name or a name reserved by
  // the store; NOT_FOUND if the database is missing and !create_if_missing; UNAVAILABLE /
  // DATA_LOSS / INTERNAL from RocksDB (e.g. the directory is locked by another process).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Db>> Open(
      DbOptions options, std::vector<ColumnFamilySpec> families);

  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  // Calls Close().
  ~Db();

  // Waits for calls in progress, wakes WaitForEvents callers, flushes nothing (the WAL is
  // durable already) and closes RocksDB. Later calls fail with FAILED_PRECONDITION.
  // Idempotent; returns the error from closing RocksDB, if any.
  absl::Status Close();

  // The handle of family `name`. NOT_FOUND (message lists the known families) if it was not
  // registered at Open nor found on disk. Resolve handles once at startup.
  [[nodiscard]] absl::StatusOr<FamilyHandle> Family(absl::string_view name) const;
  // Every open family with its description, in registry order.
  std::vector<ColumnFamilySpec> Families() const;

  // The value stored at `key`. NOT_FOUND if absent.
  [[nodiscard]] absl::StatusOr<std::string> Get(const FamilyHandle& family,
                                                absl::string_view key) const;

  // Called per key in ascending order; return false to stop early. The views are valid only
  // during the call.
  using ScanFn = std::function<bool(absl::string_view key, absl::string_view value)>;
  // Visits keys in [start, limit) of `family`; an empty `limit` means "to the end".
  absl::Status ScanRange(const FamilyHandle& family, absl::string_view start,
                         absl::string_view limit, const ScanFn& fn) const;
  // Visits every key starting with `prefix` (e.g. a KeyBuilder key of leading components).
  absl::Status ScanPrefix(const FamilyHandle& family, absl::string_view prefix,
                          const ScanFn& fn) const;

  // Commits `request` atomically (see write_request.h) through the group-commit queue and
  // returns the sequences of its events. On any error nothing of the request is written.
  // Errors: ALREADY_EXISTS (carrying the stored record, IdempotencyRecordFromStatus) if a
  // recorded request id exists with the same fingerprint; FAILED_PRECONDITION if it exists
  // with a different fingerprint or the Db is closed; INVALID_ARGUMENT for a bad family
  // handle; errors of the RocksDB write (then every request of the group fails).
  [[nodiscard]] absl::StatusOr<CommitResult> Commit(WriteRequest request);

  // The record of (scope, request_id). NOT_FOUND if there is none.
  [[nodiscard]] absl::StatusOr<IdempotencyRecord> LookupIdempotency(
      absl::string_view scope, absl::string_view request_id) const;
  // Deletes idempotency records created before `older_than`; returns how many.
  [[nodiscard]] absl::StatusOr<uint64_t> TrimIdempotency(absl::Time older_than);

  // Up to `max_count` events with sequence >= from_sequence, in order, contiguous, all
  // committed. Empty if from_sequence > LastSequence().
  // Errors: INVALID_ARGUMENT if from_sequence is 0; OUT_OF_RANGE if from_sequence <
  // FirstRetainedSequence() (message names the first retained sequence); DATA_LOSS if a
  // stored event does not parse.
  [[nodiscard]] absl::StatusOr<std::vector<FeedEvent>> ReadEvents(uint64_t from_sequence,
                                                                  size_t max_count) const;
  // The sequence of the last committed event; 0 if none was ever committed.
  uint64_t LastSequence() const;
  // The smallest sequence ReadEvents accepts: 1 until the first trim; LastSequence() + 1 if
  // every event was trimmed.
  uint64_t FirstRetainedSequence() const;
  // Blocks until LastSequence() > after_sequence, `deadline` passes or the Db closes;
  // returns LastSequence() at that moment.
  uint64_t WaitForEvents(uint64_t after_sequence, absl::Time deadline) const;
  // Deletes old events per `retention` (one DeleteRange) and records the new first retained
  // sequence in "meta". Sequence numbers are never reused. Returns FirstRetainedSequence().
  [[nodiscard]] absl::StatusOr<uint64_t> TrimFeed(const FeedRetention& retention);

  // Consumer `consumer_name`'s cursor (last applied sequence); 0 if it has none.
  [[nodiscard]] absl::StatusOr<uint64_t> GetCursor(absl::string_view consumer_name) const;

  // Dead letters of `consumer_name` (events the consumer gave up on), by sequence.
  struct DeadLetter {
    uint64_t sequence = 0;
    std::string error;
    FeedEvent event;
  };
  [[nodiscard]] absl::StatusOr<std::vector<DeadLetter>> ListDeadLetters(
      absl::string_view consumer_name) const;

  // Writes a consistent copy of the database to `dir` (which must not exist) using hard
  // links where possible (rocksdb::Checkpoint). Open the copy with Db::Open to restore.
  absl::Status Checkpoint(const std::string& dir);

  // OK while the store accepts writes; otherwise why it refuses them, and every Commit fails
  // with this status (nothing written): RESOURCE_EXHAUSTED when the disk is full or below
  // DbOptions::min_free_bytes, UNAVAILABLE when the file system or directory is read-only or
  // RocksDB stopped writing after an I/O error (its background error, or a failed write).
  // Reads keep working. Cheap (one atomic load while writable).
  absl::Status Writability() const;
  // Checks the file system of DbOptions::path (statvfs: read-only flag, free space; access
  // W_OK) and, if RocksDB stopped after an error and the file system is fine again, asks it
  // to resume. Returns Writability() afterwards. Call it periodically (every service does,
  // through service::StoreHealthWatch); Commit itself never blocks on it.
  absl::Status RefreshWritability();

  DbStats Stats() const;
  const DbOptions& options() const;

  // RocksDB's integer property `name` (e.g. "rocksdb.is-write-stopped"): of the database for
  // database-wide properties, summed over every column family if `all_families`. nullopt if
  // RocksDB does not know it or the store is closed. Safe from any thread.
  std::optional<uint64_t> IntProperty(const std::string& name, bool all_families = false) const;

  // Bytes of write-ahead log on disk: what the next Open replays (bounded by
  // DbOptions::max_wal_bytes). nullopt if the store is closed or RocksDB cannot list its logs.
  // Lists the log files: for periodic sampling, not per request.
  std::optional<uint64_t> WalBytes() const;

 private:
  struct Rep;
  struct Writer;
  struct WrittenGroup;
  class OpGuard;
  explicit Db(std::unique_ptr<Rep> rep);

  // Resolves the store's own families and the feed position after RocksDB opened.
  absl::Status Recover();
  absl::Status CheckHandle(const FamilyHandle& family) const;
  absl::Status CheckWritable(const FamilyHandle& family) const;
  // Commit leader: writes `group` (all from the queue head) as one batch.
  void WriteGroup(std::vector<Writer*>& group);
  // Pipelined sync's syncer thread: fsyncs written groups and acknowledges them.
  void SyncLoop();

  std::unique_ptr<Rep> rep_;
};

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_DB_H_
