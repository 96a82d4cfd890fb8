// Db::Commit — the group-commit queue — and the idempotency records it maintains.
//
// Protocol (after LevelDB's DBImpl::Write): every caller enqueues a Writer under `mu` and
// waits until it is either done or at the head of the queue. The head (leader) takes up to
// max_group_size queued writers, releases `mu`, validates each request (family handles,
// idempotency keys against the database AND against earlier requests of the same group),
// appends the accepted ones to one WriteBatch with their event sequences assigned in queue
// order, writes it once (fsync'ed if DbOptions::sync), then re-takes `mu`, publishes the new
// last sequence, hands every writer its result and wakes the next head.
//
// Pipelined sync (DbOptions::pipelined_sync, with sync): the head writes its batch without
// fsync (into RocksDB's WAL buffer: such a store opens with manual_wal_flush), pops its group
// and hands it to the syncer thread, which runs one FlushWAL(sync) at a time (it writes the
// buffer out and fsyncs, so it makes durable every write that finished before it started;
// a plain SyncWAL would not write the buffer) and, when it returns,
// publishes the last sequence of every group it covered (which only grows) and wakes their
// writers. The head meanwhile goes on to the next group while writers are queued, up to
// kMaxGroupsPerHead groups, before it wakes the next writer in line to take over: handing the
// queue on costs a thread wake-up, during which nothing is written.
#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "db_rep.h"
#include "google/protobuf/timestamp.pb.h"
#include "gridwork/store/db.h"
#include "gridwork/store/key_codec.h"
#include "layout.h"
#include "rocksdb/write_batch.h"
#include "rocksdb_status.h"

namespace gridwork::store {
namespace {

// Pipelined sync: groups one head writes before it hands the queue on. Bounds how long the
// head's own commit waits behind others' groups (a group is ~0.1-1 ms of writing).
constexpr int kMaxGroupsPerHead = 8;

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t nanos = absl::ToUnixNanos(t);
  int64_t secs = nanos / 1000000000;
  int64_t rem = nanos % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    --secs;
  }
  ts->set_seconds(secs);
  ts->set_nanos(static_cast<int32_t>(rem));
}

void UpdateMax(std::atomic<uint64_t>& target, uint64_t v) {
  uint64_t cur = target.load();
  while (cur < v && !target.compare_exchange_weak(cur, v)) {
  }
}

}  // namespace

absl::StatusOr<CommitResult> Db::Commit(WriteRequest request) {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) {
    ++rep_->failed_commits;
    return guard.status();
  }
  if (rep_->refuse_writes.load(std::memory_order_acquire)) {
    if (absl::Status w = Writability(); !w.ok()) {
      ++rep_->failed_commits;
      return w;
    }
  }
  if (request.empty()) {
    ++rep_->commits;
    return CommitResult{};
  }
  Writer w;
  w.request = &request;
  absl::MutexLock l(&rep_->mu);
  rep_->writers.push_back(&w);
  // A pipelined writer leaves the queue when its group is written and is done when it is
  // durable, so "not done" does not imply "still queued".
  auto heads_queue = [&] { return !rep_->writers.empty() && rep_->writers.front() == &w; };
  while (!w.done && !heads_queue()) w.cv.Wait(&rep_->mu);
  if (!w.done) {
    // Head: take groups from the head of the queue and write them.
    const bool pipelined = rep_->pipelined();
    const size_t max_group =
        rep_->options.group_commit ? static_cast<size_t>(rep_->options.max_group_size) : 1;
    const int max_groups = pipelined ? kMaxGroupsPerHead : 1;
    for (int led = 0; led < max_groups && !rep_->writers.empty(); ++led) {
      std::vector<Writer*> group;
      for (Writer* x : rep_->writers) {
        if (group.size() >= max_group) break;
        group.push_back(x);
      }
      WriteGroup(group);  // releases and re-takes mu; pops the group from the queue
    }
    if (!rep_->writers.empty()) rep_->writers.front()->cv.Signal();
    while (!w.done) w.cv.Wait(&rep_->mu);
  }
  if (w.result.ok()) {
    ++rep_->commits;
  } else {
    ++rep_->failed_commits;
  }
  return std::move(w.result);
}

// REQUIRES: rep_->mu held; `group` is a prefix of rep_->writers.
void Db::WriteGroup(std::vector<Writer*>& group) {
  Rep& rep = *rep_;
  const uint64_t start_sequence = std::max(rep.last_sequence, rep.written_sequence);
  const absl::Time commit_time = std::max(rep.options.clock->Now(), rep.last_commit_time);
  rep.mu.Unlock();

  // Per group: the parts of every FeedEvent and idempotency value that only the head knows.
  FeedEvent event_head;
  SetTimestamp(commit_time, event_head.mutable_commit_time());
  event_head.set_source(rep.options.service_name);
  const std::string idempotency_head = layout::EncodeIdempotencyValueHead(commit_time);
  // An idempotency record accepted earlier in this group (not yet in the database), as it
  // will be stored; built only to answer a duplicate.
  auto record_of = [&](const WriteRequest::Idempotency& idem) {
    IdempotencyRecord r;
    const bool decoded =
        layout::DecodeIdempotency(idem.key, idempotency_head + idem.value_tail, &r);
    (void)decoded;  // encoded by WriteRequest::RecordIdempotency just before
    return r;
  };

  rocksdb::WriteBatch batch;
  uint64_t next = start_sequence + 1;
  // Idempotency keys accepted earlier in this group (not yet in the database). The views and
  // pointers are into requests whose writers wait for this group.
  absl::flat_hash_map<absl::string_view, const WriteRequest::Idempotency*> group_keys;
  std::vector<absl::StatusOr<CommitResult>> results(group.size());

  for (size_t i = 0; i < group.size(); ++i) {
    WriteRequest& req = *group[i]->request;
    absl::Status st;
    for (const WriteRequest::Op& op : req.ops_) {
      st = CheckWritable(op.family);
      if (!st.ok()) break;
    }
    // Idempotency: the key must exist neither in the database nor earlier in this group.
    for (size_t k = 0; st.ok() && k < req.idempotency_.size(); ++k) {
      const WriteRequest::Idempotency& idem = req.idempotency_[k];
      if (std::any_of(req.idempotency_.begin(), req.idempotency_.begin() + k,
                      [&](const auto& earlier) { return earlier.key == idem.key; })) {
        st = absl::InvalidArgumentError(
            absl::StrCat("request records request_id \"", idem.request_id, "\" twice"));
        break;
      }
      std::optional<IdempotencyRecord> stored;
      if (auto it = group_keys.find(idem.key); it != group_keys.end()) {
        stored = record_of(*it->second);
      } else {
        std::string value;
        rocksdb::Status s = rep.db->Get(rocksdb::ReadOptions(), rep.idempotency, idem.key, &value);
        if (s.ok()) {
          IdempotencyRecord r;
          if (!layout::DecodeIdempotency(idem.key, value, &r)) {
            st = absl::DataLossError("stored idempotency record is malformed");
            break;
          }
          stored = std::move(r);
        } else if (!s.IsNotFound()) {
          st = FromRocksDb(s, "read idempotency");
          break;
        }
      }
      if (stored) {
        st = stored->fingerprint == idem.fingerprint
                 ? AlreadyExistsWithRecord(*stored)
                 : absl::FailedPreconditionError(IdempotencyMismatchMessage(*stored));
        break;
      }
    }
    if (!st.ok()) {
      results[i] = st;
      continue;
    }

    // Append the request; roll it back alone if RocksDB refuses an entry.
    batch.SetSavePoint();
    const uint64_t first = next;
    rocksdb::Status s;
    auto put = [&](rocksdb::ColumnFamilyHandle* cf, absl::string_view k, absl::string_view v) {
      if (s.ok())
        s = batch.Put(cf, rocksdb::Slice(k.data(), k.size()), rocksdb::Slice(v.data(), v.size()));
    };
    // A value written as two parts, without concatenating them first.
    auto put_parts = [&](rocksdb::ColumnFamilyHandle* cf, absl::string_view k,
                         absl::string_view head, absl::string_view tail) {
      if (!s.ok()) return;
      const rocksdb::Slice key(k.data(), k.size());
      const rocksdb::Slice parts[2] = {rocksdb::Slice(head.data(), head.size()),
                                       rocksdb::Slice(tail.data(), tail.size())};
      s = batch.Put(cf, rocksdb::SliceParts(&key, 1), rocksdb::SliceParts(parts, 2));
    };
    for (const WriteRequest::Op& op : req.ops_) {
      if (op.kind == WriteRequest::OpKind::kPut) {
        put(op.family.rep_, op.key, op.value);
      } else if (s.ok()) {
        s = batch.Delete(op.family.rep_, op.key);
      }
    }
    for (const WriteRequest::Event& e : req.events_) {
      event_head.set_sequence(next);
      put_parts(rep.events, layout::EventKey(next), event_head.SerializeAsString(), e.tail);
      ++next;
    }
    for (const WriteRequest::Idempotency& idem : req.idempotency_) {
      put_parts(rep.idempotency, idem.key, idempotency_head, idem.value_tail);
    }
    for (const WriteRequest::Cursor& c : req.cursors_) {
      put(rep.cursors, c.consumer, EncodeFixed64BE(c.sequence));
    }
    for (const WriteRequest::DeadLetter& d : req.dead_letters_) {
      put(rep.dead_letters, layout::DeadLetterKey(d.consumer, d.sequence),
          layout::EncodeDeadLetterValue(d.error, d.event_bytes));
    }
    if (!s.ok()) {
      rocksdb::Status rb = batch.RollbackToSavePoint();
      (void)rb;  // a save point was set just above
      next = first;
      results[i] = FromRocksDb(s, "build write batch");
      continue;
    }
    rocksdb::Status pop = batch.PopSavePoint();
    (void)pop;
    for (const WriteRequest::Idempotency& idem : req.idempotency_) {
      group_keys.emplace(idem.key, &idem);
    }
    results[i] = req.events_.empty() ? CommitResult{} : CommitResult{first, next - 1};
  }

  absl::Status write_status;
  const bool pipelined = rep.pipelined();
  if (batch.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = rep.options.sync && !pipelined;
    write_status = FromRocksDb(rep.db->Write(wo, &batch), "commit write");
    rep.NoteWriteError(write_status);
    ++rep.writes;
    if (wo.sync) ++rep.syncs;
    UpdateMax(rep.max_group_size, group.size());
  }

  rep.mu.Lock();
  if (write_status.ok()) {
    if (next - 1 > rep.written_sequence) rep.written_sequence = next - 1;
    rep.last_commit_time = commit_time;
  }
  // Pipelined: hand the group to the syncer, which acknowledges it after the next fsync. A
  // group that wrote nothing (every request refused, e.g. replays answered ALREADY_EXISTS
  // from a record of an earlier group) goes too while earlier groups wait for their fsync:
  // its answers must not be given before what they report is durable.
  if (pipelined && write_status.ok() && rep.sync_error.ok() &&
      (batch.Count() > 0 || !rep.unsynced.empty())) {
    WrittenGroup& written = rep.unsynced.emplace_back();
    written.last_sequence = batch.Count() > 0 ? next - 1 : 0;
    for (size_t i = 0; i < group.size(); ++i) {
      Writer* x = rep.writers.front();
      rep.writers.pop_front();
      x->result = std::move(results[i]);
      written.writers.push_back(x);
    }
    rep.sync_cv.Signal();
    return;
  }
  // After a failed fsync every later commit fails with its error (RocksDB stops writing too).
  const absl::Status group_status = write_status.ok() && pipelined ? rep.sync_error : write_status;
  // Not pipelined, the write was fsync'ed. Pipelined, this group wrote nothing and nothing
  // waits for an fsync (last_sequence == written_sequence): there is nothing to publish.
  if (!pipelined && group_status.ok() && next - 1 > rep.last_sequence) {
    rep.last_sequence = next - 1;
    rep.events_cv.SignalAll();
  }
  for (size_t i = 0; i < group.size(); ++i) {
    Writer* x = rep.writers.front();
    rep.writers.pop_front();
    // A failed write fails every request of the group, including those rejected as
    // duplicates of a request whose record was in this very batch.
    x->result =
        group_status.ok() ? std::move(results[i]) : absl::StatusOr<CommitResult>(group_status);
    x->done = true;
    x->cv.Signal();
  }
}

void Db::SyncLoop() {
  DisableRocksDbPerfCountersOnThisThread();
  Rep& rep = *rep_;
  absl::MutexLock l(&rep.mu);
  while (true) {
    while (rep.unsynced.empty() && !rep.stop_syncer) rep.sync_cv.Wait(&rep.mu);
    if (rep.unsynced.empty()) return;  // stopping, and nothing is waiting
    // Every group in `unsynced` now was written before this FlushWAL starts.
    const size_t covered = rep.unsynced.size();
    rep.mu.Unlock();
    const absl::Status s = FromRocksDb(rep.db->FlushWAL(/*sync=*/true), "commit fsync");
    ++rep.syncs;
    rep.NoteWriteError(s);
    rep.mu.Lock();
    if (!s.ok()) rep.sync_error = s;  // sticky: later commits fail too
    for (size_t g = 0; g < covered; ++g) {
      WrittenGroup& written = rep.unsynced.front();
      if (s.ok() && written.last_sequence > rep.last_sequence) {
        rep.last_sequence = written.last_sequence;
        rep.events_cv.SignalAll();
      }
      for (Writer* x : written.writers) {
        if (!s.ok()) x->result = s;
        x->done = true;
        x->cv.Signal();
      }
      rep.unsynced.pop_front();
    }
  }
}

absl::StatusOr<IdempotencyRecord> Db::LookupIdempotency(absl::string_view scope,
                                                        absl::string_view request_id) const {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  const std::string key = layout::IdempotencyKey(scope, request_id);
  std::string value;
  rocksdb::Status s = rep_->db->Get(rocksdb::ReadOptions(), rep_->idempotency, key, &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no record of request_id \"", request_id, "\""));
  }
  if (!s.ok()) return FromRocksDb(s, "read idempotency");
  IdempotencyRecord r;
  if (!layout::DecodeIdempotency(key, value, &r)) {
    return absl::DataLossError("stored idempotency record is malformed");
  }
  return r;
}

absl::StatusOr<uint64_t> Db::TrimIdempotency(absl::Time older_than) {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  absl::MutexLock trim(&rep_->trim_mu);
  rocksdb::WriteBatch batch;
  uint64_t count = 0;
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;  // every key, not one hash bucket (TuneForPointLookups)
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(ro, rep_->idempotency));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    IdempotencyRecord r;
    if (!layout::DecodeIdempotency(View(it->key()), View(it->value()), &r)) continue;
    if (r.created >= older_than) continue;
    rocksdb::Status s = batch.Delete(rep_->idempotency, it->key());
    if (!s.ok()) return FromRocksDb(s, "trim idempotency");
    ++count;
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "scan idempotency");
  if (count == 0) return count;
  rocksdb::WriteOptions wo;
  wo.sync = rep_->options.sync;
  if (absl::Status s = FromRocksDb(rep_->db->Write(wo, &batch), "trim idempotency"); !s.ok()) {
    return s;
  }
  return count;
}

}  // namespace gridwork::store
