// Db: reading, waiting for and trimming the event feed; consumer cursors; dead letters.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "db_rep.h"
#include "gridwork/core/log.h"
#include "gridwork/store/db.h"
#include "gridwork/store/key_codec.h"
#include "layout.h"
#include "rocksdb/write_batch.h"
#include "rocksdb_status.h"

namespace gridwork::store {
namespace {

absl::Status Trimmed(uint64_t from, uint64_t first_retained) {
  return absl::OutOfRangeError(absl::StrCat("sequence ", from,
                                            " was trimmed from the feed; the first retained "
                                            "sequence is ",
                                            first_retained));
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace

absl::StatusOr<std::vector<FeedEvent>> Db::ReadEvents(uint64_t from_sequence,
                                                      size_t max_count) const {
  if (from_sequence == 0) {
    return absl::InvalidArgumentError("from_sequence must be >= 1 (sequences start at 1)");
  }
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  uint64_t last, first;
  {
    absl::MutexLock l(&rep_->mu);
    last = rep_->last_sequence;
    first = rep_->first_retained;
  }
  if (from_sequence < first) return Trimmed(from_sequence, first);
  std::vector<FeedEvent> out;
  if (from_sequence > last || max_count == 0) return out;
  const uint64_t end = std::min(last, from_sequence + std::min<uint64_t>(max_count, last) - 1);
  const std::string lower = layout::EventKey(from_sequence);
  const std::string upper = layout::EventKey(end + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(ro, rep_->events));
  uint64_t expect = from_sequence;
  for (it->Seek(lower); it->Valid(); it->Next(), ++expect) {
    uint64_t seq;
    if (!layout::ParseEventKey(View(it->key()), &seq)) {
      return absl::DataLossError("events family holds a malformed key");
    }
    if (seq != expect) {
      // Only a concurrent TrimFeed can remove events below `last` (invariant 2).
      if (out.empty()) return Trimmed(from_sequence, FirstRetainedSequence());
      return absl::DataLossError(
          absl::StrCat("feed gap: expected sequence ", expect, ", found ", seq));
    }
    FeedEvent& e = out.emplace_back();
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("event ", seq, " does not parse"));
    }
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "read events");
  if (expect != end + 1) {
    if (out.empty()) return Trimmed(from_sequence, FirstRetainedSequence());
    return absl::DataLossError(absl::StrCat("feed gap: event ", expect, " is missing"));
  }
  return out;
}

uint64_t Db::LastSequence() const {
  absl::MutexLock l(&rep_->mu);
  return rep_->last_sequence;
}

uint64_t Db::FirstRetainedSequence() const {
  absl::MutexLock l(&rep_->mu);
  return rep_->first_retained;
}

uint64_t Db::WaitForEvents(uint64_t after_sequence, absl::Time deadline) const {
  absl::MutexLock l(&rep_->mu);
  while (rep_->last_sequence <= after_sequence && !rep_->shutdown) {
    if (rep_->events_cv.WaitWithDeadline(&rep_->mu, deadline)) break;  // timed out
  }
  return rep_->last_sequence;
}

absl::StatusOr<uint64_t> Db::TrimFeed(const FeedRetention& retention) {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  absl::MutexLock trim(&rep_->trim_mu);
  uint64_t last, first;
  {
    absl::MutexLock l(&rep_->mu);
    last = rep_->last_sequence;
    first = rep_->first_retained;
  }
  uint64_t cut = first;  // new first retained sequence
  if (retention.max_events > 0 && last > retention.max_events) {
    cut = std::max(cut, last - retention.max_events + 1);
  }
  if (retention.max_age != absl::InfiniteDuration()) {
    // Commit times never decrease with the sequence, so the old events are a prefix.
    const absl::Time cutoff = rep_->options.clock->Now() - retention.max_age;
    const std::string upper = layout::EventKey(last + 1);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(ro, rep_->events));
    uint64_t age_cut = last + 1;
    for (it->Seek(layout::EventKey(cut)); it->Valid(); it->Next()) {
      FeedEvent e;
      uint64_t seq;
      if (!layout::ParseEventKey(View(it->key()), &seq) ||
          !e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError("malformed event while trimming");
      }
      if (FromTimestamp(e.commit_time()) >= cutoff) {
        age_cut = seq;
        break;
      }
    }
    if (!it->status().ok()) return FromRocksDb(it->status(), "scan events");
    cut = std::max(cut, age_cut);
  }
  cut = std::min(cut, last + 1);
  if (cut <= first) return first;

  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Put(rep_->meta, layout::kMetaFirstRetained, EncodeFixed64BE(cut));
  if (s.ok()) s = batch.DeleteRange(rep_->events, layout::EventKey(first), layout::EventKey(cut));
  if (s.ok()) {
    rocksdb::WriteOptions wo;
    wo.sync = rep_->options.sync;
    s = rep_->db->Write(wo, &batch);
  }
  if (!s.ok()) return FromRocksDb(s, "trim feed");
  {
    absl::MutexLock l(&rep_->mu);
    rep_->first_retained = cut;
  }
  log::Info("feed trimmed", {{"first_retained", cut}, {"deleted", cut - first}});
  return cut;
}

absl::StatusOr<uint64_t> Db::GetCursor(absl::string_view consumer_name) const {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  std::string value;
  rocksdb::Status s =
      rep_->db->Get(rocksdb::ReadOptions(), rep_->cursors,
                    rocksdb::Slice(consumer_name.data(), consumer_name.size()), &value);
  if (s.IsNotFound()) return uint64_t{0};
  if (!s.ok()) return FromRocksDb(s, "read cursor");
  uint64_t seq;
  if (!DecodeFixed64BE(value, &seq)) return absl::DataLossError("cursor value is malformed");
  return seq;
}

absl::StatusOr<std::vector<Db::DeadLetter>> Db::ListDeadLetters(
    absl::string_view consumer_name) const {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  const std::string prefix = layout::DeadLetterPrefix(consumer_name);
  const std::string upper = PrefixSuccessor(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(ro, rep_->dead_letters));
  std::vector<DeadLetter> out;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    DeadLetter d;
    std::string event_bytes;
    if (!layout::DecodeDeadLetter(View(it->key()), View(it->value()), &d.sequence, &d.error,
                                  &event_bytes) ||
        !d.event.ParseFromString(event_bytes)) {
      return absl::DataLossError("malformed dead letter");
    }
    out.push_back(std::move(d));
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "scan dead letters");
  return out;
}

}  // namespace gridwork::store
