// The last committed version of recently written work orders, so that a transition's
// read-modify-write does not read back and parse what the previous transition of the same
// order just wrote. Open orders are the working set: they move several times a day and
// closed ones rarely do.
//
// Coherence contract (the cache is only as right as its callers; WorkOrderCore keeps it):
//   * Every access happens under the order's OrderLock (WorkOrderCore::OrderLock), which
//     serialises all writers of that order.
//   * Put is called only with the version the store holds: one just read from it, or one
//     whose Db::Commit returned OK. A writer whose commit failed Erases the order.
//   * Every committed write of an order Puts or Erases it before the lock is released.
// So a Get under the lock returns the store's current version or nothing. Readers that do
// not hold the lock (GetOrder, lists) read the store, never the cache: a feed consumer that
// saw a commit's event must not read the version before it.
//
// Bounded: at most `capacity` orders; a full shard drops an arbitrary entry (a later read
// goes to the store). Capacity 0 disables the cache.
//
// Thread safety: all methods may be called concurrently.
#ifndef GRIDWORK_SERVICES_WORKORDER_ORDER_CACHE_H_
#define GRIDWORK_SERVICES_WORKORDER_ORDER_CACHE_H_

#include <array>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::workorder {

class OrderCache {
 public:
  explicit OrderCache(size_t capacity);

  // The cached order (shared, immutable), or null.
  std::shared_ptr<const v1::WorkOrder> Get(const std::string& order_id) const;
  void Put(std::shared_ptr<const v1::WorkOrder> order);
  void Erase(const std::string& order_id);

  size_t size() const;

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, std::shared_ptr<const v1::WorkOrder>> orders
        ABSL_GUARDED_BY(mu);
  };
  Shard& ShardOf(const std::string& order_id) const;

  const size_t per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_ORDER_CACHE_H_
