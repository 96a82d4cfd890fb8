// AggregateBatch: the read-modify-write overlay a consumer handler fills for one batch.
//
// A batch handler must add the effects of many events to one WriteRequest, but the Db does not
// show the effects of earlier events of the same batch. AggregateBatch holds every record the
// batch touched in memory (loaded from the Db on first use), so later events see earlier ones;
// Flush() then puts each touched record once. Counters are kept as deltas and added to the
// stored value at Flush.
//
// Contract: only one consumer writes a given key (analytics_store.h), so reading the Db once
// and writing at Flush loses no update. A batch that fails is simply dropped (nothing was
// written); the handler builds a new one on retry.
//
// Thread safety: none; one per handler call.
#ifndef GRIDWORK_SERVICES_ANALYTICS_AGGREGATE_BATCH_H_
#define GRIDWORK_SERVICES_ANALYTICS_AGGREGATE_BATCH_H_

#include <google/protobuf/message.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "gridwork/analytics/internal/records.pb.h"
#include "gridwork/store/db.h"
#include "services/analytics/analytics_store.h"

namespace gridwork::analytics {

class AggregateBatch {
 public:
  explicit AggregateBatch(const AnalyticsStore* store) : store_(store) {}

  // Adds `delta` to the counter; zero-sum deltas are still written (harmless).
  void AddCounter(const CounterKey& key, int64_t delta);
  void AddCounter(v1::Metric metric, int64_t hour, const std::string& region,
                  const std::string& dim, int64_t delta) {
    AddCounter(CounterKey{metric, hour, region, dim}, delta);
  }

  // The record at (family, key), loaded from the Db or default-constructed; `*existed` (if
  // not null) tells whether it was stored (or created earlier in this batch). DATA_LOSS if the
  // stored value does not parse. The pointer stays valid until Flush.
  template <typename Msg>
  absl::StatusOr<Msg*> Record(store::FamilyHandle family, const std::string& key,
                              bool* existed = nullptr) {
    absl::StatusOr<google::protobuf::Message*> m = RecordImpl(
        family, key, [] { return std::make_unique<Msg>(); }, existed);
    if (!m.ok()) return m.status();
    return static_cast<Msg*>(*m);
  }
  // Marks the record deleted (Flush deletes it); a later Record() call revives it empty.
  void Erase(store::FamilyHandle family, const std::string& key);

  // The worker_days record of `worker` for the China day of `unix_ms`, written by `source`.
  absl::StatusOr<internal::WorkerDay*> WorkerDayOf(const std::string& worker, int64_t unix_ms,
                                                   Source source, bool* existed = nullptr);

  // Raw bytes record (bitmaps, strings); same rules as Record.
  absl::StatusOr<std::string*> Bytes(store::FamilyHandle family, const std::string& key,
                                     bool* existed = nullptr);

  // Writes every touched record and every counter (stored value + delta) into `write`.
  absl::Status Flush(store::WriteRequest& write);

  // The counter deltas of this batch (encoded key -> delta), for the in-memory mirror.
  const std::map<std::string, int64_t>& counter_deltas() const { return counters_; }

 private:
  struct Entry {
    store::FamilyHandle family;
    std::unique_ptr<google::protobuf::Message> message;  // null for bytes records
    std::string bytes;
    bool existed = false;
    bool erased = false;
  };
  // The entry of (family, key), loading its stored bytes on first use (see Record).
  absl::StatusOr<Entry*> Touch(store::FamilyHandle family, const std::string& key, bool* existed);
  absl::StatusOr<google::protobuf::Message*> RecordImpl(
      store::FamilyHandle family, const std::string& key,
      const std::function<std::unique_ptr<google::protobuf::Message>()>& make, bool* existed);

  const AnalyticsStore* store_;
  std::map<std::string, int64_t> counters_;
  std::map<std::pair<uint32_t, std::string>, Entry> records_;
};

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_AGGREGATE_BATCH_H_
