// Db::Writability / RefreshWritability: when the store refuses writes, and getting back.
//
// Two sources, either one blocks every Commit (nothing of a refused request is written):
//   disk_error    the last file-system check of DbOptions::path: read-only mount, directory
//                 not writable, or less than DbOptions::min_free_bytes free. Cleared by the
//                 next check that finds the file system fine.
//   engine_error  RocksDB stopped writing: its background error (flush/compaction/WAL, via
//                 the listener) or an I/O error returned by a commit's write or fsync.
//                 Cleared when RocksDB recovers by itself (listener) or when
//                 RefreshWritability finds the file system fine and DB::Resume() succeeds.
// Acknowledged commits are unaffected: they were in the WAL before the error.
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "db_rep.h"
#include "gridwork/core/log.h"
#include "gridwork/store/db.h"
#include "rocksdb/listener.h"
#include "rocksdb_status.h"

namespace gridwork::store {
namespace {

bool IsIoFailure(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable ||
         s.code() == absl::StatusCode::kResourceExhausted;
}

// What the file system of `path` allows now (OK, or why writes must stop).
absl::Status CheckFileSystem(const std::string& path, uint64_t min_free_bytes) {
  struct statvfs fs {};
  if (statvfs(path.c_str(), &fs) != 0) {
    return absl::UnavailableError(
        absl::StrCat("store directory ", path, " cannot be examined: ", std::strerror(errno)));
  }
  if ((fs.f_flag & ST_RDONLY) != 0) {
    return absl::UnavailableError(absl::StrCat("file system of ", path, " is read-only"));
  }
  if (access(path.c_str(), W_OK) != 0) {
    return absl::UnavailableError(
        absl::StrCat("store directory ", path, " is not writable: ", std::strerror(errno)));
  }
  const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (free_bytes < min_free_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("disk full: ", free_bytes >> 10, " KiB free on the file system of ", path,
                     ", below the store's reserve of ", min_free_bytes >> 20, " MiB; free space"));
  }
  return absl::OkStatus();
}

}  // namespace

std::shared_ptr<rocksdb::EventListener> Db::Rep::NewWritabilityListener() {
  // Sees RocksDB's background errors (a failed flush, compaction or WAL write stops writes)
  // and its own recoveries; under the fault-test knob also compactions.
  class Listener : public rocksdb::EventListener {
   public:
    explicit Listener(Db::Rep* rep) : rep_(rep) {}

    void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
      if (error == nullptr || error->ok()) return;
      rep_->NoteWriteError(FromRocksDb(*error, "background error"));
    }

    void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override {
      if (!info.new_bg_error.ok()) return;
      absl::MutexLock l(&rep_->health_mu);
      if (rep_->engine_error.ok()) return;
      rep_->engine_error = absl::OkStatus();
      rep_->UpdateRefuse();
      log::Info("store: RocksDB recovered from its background error",
                {{"path", rep_->options.path}});
    }

    // Compactions are logged only under the fault-test knob (db.cc).
    void OnCompactionBegin(rocksdb::DB*, const rocksdb::CompactionJobInfo& info) override {
      if (!rep_->log_compactions) return;
      log::Info(
          "store: compaction started",
          {{"job", info.job_id}, {"input_files", static_cast<int64_t>(info.input_files.size())}});
    }

    void OnCompactionCompleted(rocksdb::DB*, const rocksdb::CompactionJobInfo& info) override {
      if (!rep_->log_compactions) return;
      log::Info("store: compaction finished", {{"job", info.job_id}});
    }

   private:
    Db::Rep* const rep_;
  };
  return std::make_shared<Listener>(this);
}

void Db::Rep::NoteWriteError(const absl::Status& error) {
  if (error.ok() || !IsIoFailure(error)) return;
  absl::MutexLock l(&health_mu);
  if (!engine_error.ok()) return;  // the first error names the cause
  engine_error = error;
  UpdateRefuse();
}

absl::Status Db::Writability() const {
  if (!rep_->refuse_writes.load(std::memory_order_acquire)) return absl::OkStatus();
  absl::MutexLock l(&rep_->health_mu);
  if (!rep_->disk_error.ok()) return rep_->disk_error;
  return rep_->engine_error;
}

absl::Status Db::RefreshWritability() {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  absl::Status disk = CheckFileSystem(rep_->options.path, rep_->options.min_free_bytes);
  bool resume = false;
  {
    absl::MutexLock l(&rep_->health_mu);
    rep_->disk_error = disk;
    rep_->UpdateRefuse();
    resume = disk.ok() && !rep_->engine_error.ok();
  }
  if (resume) {
    // The file system has room again: ask RocksDB to leave its read-only error state (it
    // flushes the memtables to new files). Failing that, writes stay refused until restart.
    rocksdb::Status s = rep_->db->Resume();
    if (s.ok()) {
      {
        absl::MutexLock l(&rep_->mu);
        rep_->sync_error = absl::OkStatus();  // pipelined sync's sticky error, same cause
      }
      absl::MutexLock l(&rep_->health_mu);
      rep_->engine_error = absl::OkStatus();
      rep_->UpdateRefuse();
      log::Info("store: resumed writing after an I/O error", {{"path", rep_->options.path}});
    }
  }
  return Writability();
}

}  // namespace gridwork::store
