// Db's private state, shared by db.cc (open/read), commit.cc (group commit) and feed.cc.
//
// Locking (never hold two of these at once, except life_mu -> nothing):
//   life_mu  serialises Close and guards `db`'s reset; `closing` and `active` are atomics that
//            every call touches without a lock (OpGuard), Close waits on life_cv for 0.
//   mu       guards the commit queue and the feed position; events_cv is signalled on every
//            successful commit and on close.
//   trim_mu  serialises TrimFeed / TrimIdempotency.
// Invariants:
//   1. Only the writer at the head of `writers` writes to RocksDB through Commit, so
//      `written_sequence` is advanced by one thread at a time and events are written in
//      sequence order. With pipelined sync the head pops its group before its fsync, so the
//      next group may write while earlier groups are still syncing.
//   2. Every event with sequence in [first_retained, last_sequence] is in the events family;
//      last_sequence is published (under mu) only after its batch is durable, and only ever
//      grows (an fsync makes every earlier write durable too).
#ifndef GRIDWORK_STORE_SRC_DB_REP_H_
#define GRIDWORK_STORE_SRC_DB_REP_H_

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/store/db.h"
#include "rocksdb/db.h"
#include "rocksdb/listener.h"
#include "rocksdb/perf_level.h"

namespace gridwork::store {

// A view of a RocksDB slice (absl::string_view is not std::string_view on this Abseil).
inline absl::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// ALREADY_EXISTS carrying `r` as payload (read back by IdempotencyRecordFromStatus).
absl::Status AlreadyExistsWithRecord(const IdempotencyRecord& r);

// A pipelined group whose batch is written but not yet fsync'ed: its writers hold their
// results and wait for `done`.
struct Db::WrittenGroup {
  std::vector<Writer*> writers;
  uint64_t last_sequence = 0;  // of its last event; 0 if it appended none
};

struct Db::Rep {
  DbOptions options;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // parallel to `specs`
  // Parallel to `specs`: whether the family was tuned with TuneForScansByFirstComponent
  // (ScanRange then reads one hash bucket for one whole first component).
  std::vector<bool> scans_by_first_component;
  std::vector<ColumnFamilySpec> specs;
  absl::flat_hash_map<std::string, uint32_t> by_name;
  rocksdb::ColumnFamilyHandle* events = nullptr;
  rocksdb::ColumnFamilyHandle* idempotency = nullptr;
  rocksdb::ColumnFamilyHandle* cursors = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* dead_letters = nullptr;

  absl::Mutex life_mu;
  absl::CondVar life_cv;  // signalled when `active` drops to 0 while closing
  // Calls in progress and the closing flag. An OpGuard increments `active` and then reads
  // `closing`; Close sets `closing` and then waits for `active` == 0. Both sides use
  // sequentially consistent operations, so either the call sees `closing` (and fails), or
  // Close sees the call in `active` (and waits): no call runs on a closed RocksDB.
  std::atomic<int> active{0};
  std::atomic<bool> closing{false};

  mutable absl::Mutex mu;
  mutable absl::CondVar events_cv;
  std::deque<Writer*> writers ABSL_GUARDED_BY(mu);
  uint64_t last_sequence ABSL_GUARDED_BY(mu) = 0;
  // Highest event sequence written to RocksDB, durable or not (>= last_sequence); 0 until the
  // first write after Open, when last_sequence stands for it.
  uint64_t written_sequence ABSL_GUARDED_BY(mu) = 0;
  // Pipelined sync: the groups written but not yet durable, oldest first, and the sticky
  // error of a failed sync. The syncer thread (commit.cc, SyncLoop) waits on sync_cv for
  // `unsynced` to fill, runs one SyncWAL covering every group written before it started and
  // acknowledges those groups; groups written meanwhile wait for the next one.
  std::deque<WrittenGroup> unsynced ABSL_GUARDED_BY(mu);
  absl::Status sync_error ABSL_GUARDED_BY(mu);
  bool stop_syncer ABSL_GUARDED_BY(mu) = false;
  mutable absl::CondVar sync_cv;
  std::thread syncer;  // runs SyncLoop; started by Open with pipelined sync, joined by Close
  // Whether commits use pipelined sync (DbOptions::pipelined_sync only counts with sync).
  bool pipelined() const { return options.sync && options.pipelined_sync; }
  uint64_t first_retained ABSL_GUARDED_BY(mu) = 1;
  absl::Time last_commit_time ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  bool shutdown ABSL_GUARDED_BY(mu) = false;

  absl::Mutex trim_mu;

  // Writability (Db::Writability): why writes are refused, from the last file-system check
  // (`disk_error`) and from RocksDB's background or write errors (`engine_error`).
  // `refuse_writes` == !(both OK), so Commit pays one atomic load while all is well.
  // health_mu is a leaf lock (taken alone, also from RocksDB's listener threads).
  mutable absl::Mutex health_mu;
  absl::Status disk_error ABSL_GUARDED_BY(health_mu);
  absl::Status engine_error ABSL_GUARDED_BY(health_mu);
  std::atomic<bool> refuse_writes{false};
  // Test knob GRIDWORK_STORE_WRITE_BUFFER_BYTES: log each compaction's start and end (set
  // before RocksDB opens, read by its compaction threads).
  bool log_compactions = false;

  // Records that RocksDB refused or failed a write with `error` if it is an I/O error (disk
  // full, read-only file system): the store refuses writes until RefreshWritability()
  // resumes it. Other errors (a bad request) and OK are ignored. In writability.cc.
  void NoteWriteError(const absl::Status& error);
  // The RocksDB listener that feeds NoteWriteError and clears engine_error on RocksDB's own
  // recovery (writability.cc). This Rep must outlive the RocksDB DB.
  std::shared_ptr<rocksdb::EventListener> NewWritabilityListener();
  // Recomputes refuse_writes. REQUIRES: health_mu held.
  void UpdateRefuse() ABSL_EXCLUSIVE_LOCKS_REQUIRED(health_mu) {
    refuse_writes.store(!disk_error.ok() || !engine_error.ok(), std::memory_order_release);
  }

  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> failed_commits{0};
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> max_group_size{0};
};

// One queued Commit call.
struct Db::Writer {
  WriteRequest* request = nullptr;
  absl::StatusOr<CommitResult> result;
  bool done = false;
  absl::CondVar cv;
};

// RocksDB counts into its thread-local perf context on every key comparison unless the
// calling thread's perf level is kDisable (the default is kEnableCount); nothing here reads
// those counters. Called on every store call; sets the level once per thread.
inline void DisableRocksDbPerfCountersOnThisThread() {
  thread_local const bool disabled = [] {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    return true;
  }();
  (void)disabled;
}

// Marks a call in progress so that Close waits for it; fails if the Db is closing. Lock-free:
// every store call makes one, from many threads at once.
class Db::OpGuard {
 public:
  explicit OpGuard(Db::Rep* rep) : rep_(rep) {
    DisableRocksDbPerfCountersOnThisThread();
    rep_->active.fetch_add(1);
    if (rep_->closing.load()) {
      Leave();
      status_ = absl::FailedPreconditionError("store is closed");
    }
  }
  ~OpGuard() {
    if (status_.ok()) Leave();
  }
  OpGuard(const OpGuard&) = delete;
  OpGuard& operator=(const OpGuard&) = delete;
  const absl::Status& status() const { return status_; }

 private:
  // The decrement is this call's last touch of `rep_` unless Close may be waiting: Close can
  // destroy the Db as soon as it sees `active` == 0. While closing, leave under life_mu and
  // wake Close; a call that read `closing` false just before Close set it is caught by
  // Close's timed wait.
  void Leave() {
    if (rep_->closing.load()) {
      absl::MutexLock l(&rep_->life_mu);
      if (rep_->active.fetch_sub(1) == 1) rep_->life_cv.SignalAll();
      return;
    }
    rep_->active.fetch_sub(1);
  }

  Db::Rep* rep_;
  absl::Status status_;
};

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_SRC_DB_REP_H_
