// The work-order service's RocksDB store.
//
// DO NOT CHANGE THESE LAYOUTS: they are the on-disk format of data/workorder.
//
//   family        key                                                value
//   orders        order_id                                           v1.WorkOrder
//   history       str(order_id) | u64(seq)                           v1.OrderEvent
//   open_orders   order_id                                           ""   (every open order)
//   by_state      u32(state) | str(region_path) | i64(-created_ms) | str(order_id)   ""
//                 (closed and cancelled orders only; see below)
//   by_reporter   str(reporter) | i64(-created_ms) | str(order_id)   ""
//   by_category   str(category_id) | i64(created_ms) | str(order_id) ""   (duplicate search)
//   timers        i64(due_ms) | str(order_id) | u32(kind)            u32(stage) i64(deadline_ms)
//   photos        sha256 hex                                         v1.PhotoRecord
//   photo_blobs   sha256 hex                                         image bytes (blob files)
//   photo_refs    str(sha256) | str(order_id)                        ""
//   categories    category id                                        v1.Category
//   rules         rule id                                            v1.DispatchRule
//
// The by_state key puts the region path right after the state, so a kanban column of one
// region prefix is one contiguous range (raw path bytes are a byte prefix of the encoded
// component, because paths never contain '\0'); newest first inside a region.
// Open orders (IsOpenState) have their by_state keys in memory (open_order_index.h), rebuilt at
// Open from open_orders and the orders it names: an order enters open_orders when it is
// created and leaves it, for a by_state key on disk, when it is closed or cancelled, so a
// transition between open states writes no index entry. ScanState reads whichever holds the
// state. A store written before open_orders existed (open orders' keys in by_state) is
// converted at Open, once; an older binary would then list no open orders.
// Timers are the durable SLA index: the sweeper reads keys with due_ms <= now in order and
// never scans orders. A timer is stale (and just deleted) when the order's running stage or
// deadline no longer equals the stored (stage, deadline).
//
// Thread safety: all methods may be called concurrently.
#ifndef GRIDWORK_SERVICES_WORKORDER_WORKORDER_STORE_H_
#define GRIDWORK_SERVICES_WORKORDER_WORKORDER_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/core/clock.h"
#include "gridwork/store/db.h"
#include "gridwork/workorder/v1/workorder.pb.h"
#include "services/workorder/open_order_index.h"

namespace gridwork::workorder {

enum class TimerKind : uint32_t { kDueSoon = 1, kOverdue = 2 };

struct TimerEntry {
  absl::Time due;
  std::string order_id;
  TimerKind kind = TimerKind::kOverdue;
  v1::Stage stage = v1::STAGE_NONE;
  absl::Time deadline;
  std::string key;  // the stored key, for deletion
};

class WorkOrderStore {
 public:
  // `pipelined_sync`: see store::DbOptions (switchable for the benchmark's A/B).
  static absl::StatusOr<std::unique_ptr<WorkOrderStore>> Open(const std::string& dir, Clock* clock,
                                                              bool sync,
                                                              bool pipelined_sync = true);

  store::Db* db() const { return db_.get(); }

  // NOT_FOUND if there is no such order.
  absl::StatusOr<v1::WorkOrder> GetOrder(const std::string& order_id) const;
  // Writes the order and its durable index entries, given the version it replaces (`previous`,
  // nullptr for a new order): by_reporter and by_category for a new order; open_orders when it
  // is new, by_state when it is closed or cancelled. Once the commit returns, the caller calls
  // Indexed (or, if it failed, Reindex) before releasing the order's lock.
  void PutOrder(const v1::WorkOrder& order, const v1::WorkOrder* previous,
                store::WriteRequest* req) const;
  // The in-memory index of open orders follows a committed version of an order. Call under
  // the order's lock, after every commit that wrote it (open_order_index.h).
  void Indexed(const v1::WorkOrder& order);
  // After a commit that wrote `order_id` failed (it may or may not be readable now): the
  // in-memory index follows what the store holds.
  absl::Status Reindex(const std::string& order_id);
  // Orders in the in-memory index of open orders.
  size_t open_order_count() const { return open_index_.size(); }

  void PutHistoryEvent(const v1::OrderEvent& event, store::WriteRequest* req) const;
  absl::StatusOr<std::vector<v1::OrderEvent>> GetHistory(const std::string& order_id) const;

  // Visits the orders of `state` whose region path starts with `region_prefix` (byte prefix;
  // the caller applies the '/' boundary), starting strictly after `after_key` if non-empty.
  // `fn(index_key, region_path, order_id)` returns false to stop.
  using StateScanFn = std::function<bool(const std::string& key, const std::string& region_path,
                                         const std::string& order_id)>;
  absl::Status ScanState(v1::State state, const std::string& region_prefix,
                         const std::string& after_key, const StateScanFn& fn) const;
  // Same over one reporter's orders (all states), newest first.
  absl::Status ScanReporter(
      const std::string& reporter, const std::string& after_key,
      const std::function<bool(const std::string&, const std::string&)>& fn) const;
  // Order ids of `category_id` created at or after `since`, oldest first.
  absl::Status ScanCategorySince(const std::string& category_id, absl::Time since,
                                 const std::function<bool(const std::string&)>& fn) const;

  void PutTimer(absl::Time due, const std::string& order_id, TimerKind kind, v1::Stage stage,
                absl::Time deadline, store::WriteRequest* req) const;
  void DeleteTimer(const TimerEntry& t, store::WriteRequest* req) const;
  // Timers due at or before `now`, earliest first, at most `limit`.
  absl::StatusOr<std::vector<TimerEntry>> DueTimers(absl::Time now, size_t limit) const;
  // Number of pending timers (for the metrics gauge); a full scan, call rarely.
  absl::StatusOr<uint64_t> CountTimers() const;

  absl::StatusOr<v1::PhotoRecord> GetPhotoRecord(const std::string& sha256) const;
  absl::StatusOr<std::string> GetPhotoBytes(const std::string& sha256) const;
  void PutPhoto(const v1::PhotoRecord& record, const std::string& bytes,
                store::WriteRequest* req) const;
  void PutPhotoRef(const std::string& sha256, const std::string& order_id,
                   store::WriteRequest* req) const;
  absl::StatusOr<bool> HasPhotoRef(const std::string& sha256, const std::string& order_id) const;

  absl::StatusOr<std::vector<v1::Category>> LoadCategories() const;
  void PutCategory(const v1::Category& c, store::WriteRequest* req) const;
  absl::StatusOr<std::vector<v1::DispatchRule>> LoadRules() const;
  void PutRule(const v1::DispatchRule& r, store::WriteRequest* req) const;
  void DeleteRule(const std::string& id, store::WriteRequest* req) const;

 private:
  WorkOrderStore() = default;
  // Open: moves open orders' keys from by_state to open_orders (stores written before it
  // existed), then loads open_index_ from open_orders.
  absl::Status ConvertOpenStateKeys();
  absl::Status LoadOpenOrders();

  std::unique_ptr<store::Db> db_;
  OpenOrderIndex open_index_;
  store::FamilyHandle orders_, history_, open_orders_, by_state_, by_reporter_, by_category_,
      timers_, photos_, photo_blobs_, photo_refs_, categories_, rules_;
};

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_WORKORDER_STORE_H_
