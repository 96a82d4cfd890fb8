#include "services/analytics/aggregate_batch.h"

#include "absl/strings/str_cat.h"
#include "gridwork/core/status_macros.h"
#include "services/analytics/china_time.h"

namespace gridwork::analytics {

void AggregateBatch::AddCounter(const CounterKey& key, int64_t delta) {
  counters_[key.Encode()] += delta;
}

absl::StatusOr<AggregateBatch::Entry*> AggregateBatch::Touch(store::FamilyHandle family,
                                                             const std::string& key,
                                                             bool* existed) {
  auto [it, inserted] = records_.try_emplace({family.index(), key});
  Entry& e = it->second;
  if (inserted) {
    e.family = family;
    absl::StatusOr<std::string> v = store_->db()->Get(family, key);
    if (v.ok()) {
      e.bytes = std::move(*v);
      e.existed = true;
    } else if (!absl::IsNotFound(v.status())) {
      records_.erase(it);
      return v.status();
    }
  } else if (e.erased) {
    e.erased = false;
    e.existed = false;
    e.bytes.clear();
    if (e.message != nullptr) e.message->Clear();
  }
  if (existed != nullptr) *existed = e.existed;
  e.existed = true;  // later calls in this batch see it as existing
  return &e;
}

absl::StatusOr<google::protobuf::Message*> AggregateBatch::RecordImpl(
    store::FamilyHandle family, const std::string& key,
    const std::function<std::unique_ptr<google::protobuf::Message>()>& make, bool* existed) {
  GW_ASSIGN_OR_RETURN(Entry * e, Touch(family, key, existed));
  if (e->message == nullptr) {
    e->message = make();
    if (!e->message->ParseFromString(e->bytes)) {
      records_.erase({family.index(), key});
      return absl::DataLossError("stored analytics record does not parse");
    }
    e->bytes.clear();
  }
  return e->message.get();
}

absl::StatusOr<std::string*> AggregateBatch::Bytes(store::FamilyHandle family,
                                                   const std::string& key, bool* existed) {
  GW_ASSIGN_OR_RETURN(Entry * e, Touch(family, key, existed));
  return &e->bytes;
}

absl::StatusOr<internal::WorkerDay*> AggregateBatch::WorkerDayOf(const std::string& worker,
                                                                 int64_t unix_ms, Source source,
                                                                 bool* existed) {
  return Record<internal::WorkerDay>(
      store_->worker_days(), WorkerDayKey(worker, ChinaDayOfMillis(unix_ms), source), existed);
}

void AggregateBatch::Erase(store::FamilyHandle family, const std::string& key) {
  auto [it, inserted] = records_.try_emplace({family.index(), key});
  it->second.family = family;
  it->second.erased = true;
}

absl::Status AggregateBatch::Flush(store::WriteRequest& write) {
  for (const auto& [key, delta] : counters_) {
    int64_t stored = 0;
    absl::StatusOr<std::string> v = store_->db()->Get(store_->counters(), key);
    if (v.ok()) {
      stored = DecodeCounterValue(*v);
    } else if (!absl::IsNotFound(v.status())) {
      return v.status();
    }
    write.Put(store_->counters(), key, EncodeCounterValue(stored + delta));
  }
  for (const auto& [id, e] : records_) {
    if (e.erased) {
      write.Delete(e.family, id.second);
    } else if (e.message != nullptr) {
      write.Put(e.family, id.second, e.message->SerializeAsString());
    } else {
      write.Put(e.family, id.second, e.bytes);
    }
  }
  return absl::OkStatus();
}

}  // namespace gridwork::analytics
