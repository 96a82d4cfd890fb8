// The kanban index of open work orders, in memory: the by_state key (workorder_store.h) of
// every order in a state other than closed and cancelled.
//
// Why in memory: an open order changes state several times (accepted, processing, handled,
// verifying, ...), and a durable index would delete one key and insert another at every one of
// them, on the store's serial commit head. Open orders are the working set, bounded by the SLA
// (days), while closed ones grow without bound; so the store keeps only the set of open order
// ids durable (written at create and at close) and rebuilds this index from it at Open.
//
// Contract (WorkOrderStore and WorkOrderCore keep it):
//   * Set(id, key) is called with the order's current key after every commit that changed the
//     order, under the order's lock (WorkOrderCore::OrderLock), so calls for one order happen
//     in commit order; the index then names each open order once, under its current key.
//   * Between a commit and its Set, a scan may still see the order under its previous key:
//     readers check the order they load, as they do for the durable index.
//
// Thread safety: all methods may be called concurrently. Scan does not hold the lock while
// it calls back, so a long kanban count never stalls the writers.
#ifndef GRIDWORK_SERVICES_WORKORDER_OPEN_ORDER_INDEX_H_
#define GRIDWORK_SERVICES_WORKORDER_OPEN_ORDER_INDEX_H_

#include <cstddef>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace gridwork::workorder {

class OpenOrderIndex {
 public:
  // Makes `key` the only entry of `order_id`; an empty key removes the order.
  void Set(const std::string& order_id, std::string key);

  // Visits the keys in [start, limit) in order (an empty limit: to the end). `fn` returns
  // false to stop. Keys are copied out in chunks, so entries Set during the scan may or may
  // not be seen, but no key is visited twice and the order is kept.
  void Scan(const std::string& start, const std::string& limit,
            const std::function<bool(const std::string& key)>& fn) const;

  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  absl::btree_set<std::string> keys_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> key_of_ ABSL_GUARDED_BY(mu_);  // id -> key
};

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_OPEN_ORDER_INDEX_H_
