// WorkOrderCore: the work-order service's behaviour, independent of gRPC. Each method
// authorises the caller (the principal), validates input, and for mutations commits the new
// state, its hash-chained history event and its feed events in one durable write.
//
// Concurrency: mutations of one order are serialised by a striped lock held from the read of
// the order to the end of its commit, so the version check and the write are atomic with
// respect to each other; different orders commit in parallel and share fsyncs (group commit).
//
// Thread safety: every public method may be called concurrently.
#ifndef GRIDWORK_SERVICES_WORKORDER_WORKORDER_CORE_H_
#define GRIDWORK_SERVICES_WORKORDER_WORKORDER_CORE_H_

#include <array>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/clients/region_locator.h"
#include "gridwork/common/v1/principal.pb.h"
#include "gridwork/core/clock.h"
#include "gridwork/workorder/v1/workorder.pb.h"
#include "services/workorder/catalog.h"
#include "services/workorder/order_cache.h"
#include "services/workorder/order_machine.h"
#include "services/workorder/workorder_metrics.h"
#include "services/workorder/workorder_store.h"

namespace gridwork::workorder {

using clients::RegionLocator;
using common::v1::Principal;

struct WorkOrderOptions {
  // Duplicate suggestion on create.
  double duplicate_radius_m = 200;
  absl::Duration duplicate_window = absl::Hours(72);
  // SLA timers handled per RunDueTimers call.
  size_t timer_batch = 500;
  // Orders whose last committed version is kept in memory for the next transition
  // (order_cache.h); 0 = always read the store.
  size_t order_cache_size = 20000;
};

class WorkOrderCore {
 public:
  // `locator` and `metrics` (may be null) must outlive the core.
  static absl::StatusOr<std::unique_ptr<WorkOrderCore>> Create(WorkOrderStore* store,
                                                               RegionLocator* locator, Clock* clock,
                                                               WorkOrderMetrics* metrics,
                                                               WorkOrderOptions options = {});

  absl::StatusOr<v1::CreateOrderResponse> CreateOrder(const Principal& p,
                                                      const v1::CreateOrderRequest& req);
  absl::StatusOr<v1::SuggestDuplicatesResponse> SuggestDuplicates(
      const Principal& p, const v1::SuggestDuplicatesRequest& req);
  absl::StatusOr<v1::WorkOrder> GetOrder(const Principal& p, const v1::GetOrderRequest& req);
  absl::StatusOr<v1::WorkOrder> Transition(const Principal& p, const v1::TransitionRequest& req);
  absl::StatusOr<v1::WorkOrder> RateOrder(const Principal& p, const v1::RateOrderRequest& req);
  absl::StatusOr<v1::ListOrdersResponse> ListOrders(const Principal& p,
                                                    const v1::ListOrdersRequest& req);
  absl::StatusOr<v1::CountOrdersResponse> CountOrders(const Principal& p,
                                                      const v1::CountOrdersRequest& req);
  absl::StatusOr<v1::GetHistoryResponse> GetHistory(const Principal& p,
                                                    const v1::GetHistoryRequest& req);
  absl::StatusOr<v1::VerifyHistoryResponse> VerifyHistory(const Principal& p,
                                                          const v1::VerifyHistoryRequest& req);

  absl::StatusOr<v1::PhotoRecord> UploadPhoto(const Principal& p,
                                              const v1::UploadPhotoRequest& req);
  absl::StatusOr<v1::GetPhotoResponse> GetPhoto(const Principal& p, const v1::GetPhotoRequest& req);

  absl::StatusOr<v1::Category> UpsertCategory(const Principal& p,
                                              const v1::UpsertCategoryRequest& req);
  absl::StatusOr<v1::ListCategoriesResponse> ListCategories(const Principal& p,
                                                            const v1::ListCategoriesRequest& req);
  absl::StatusOr<v1::DispatchRule> UpsertDispatchRule(const Principal& p,
                                                      const v1::UpsertDispatchRuleRequest& req);
  absl::StatusOr<v1::DeleteDispatchRuleResponse> DeleteDispatchRule(
      const Principal& p, const v1::DeleteDispatchRuleRequest& req);
  absl::StatusOr<v1::ListDispatchRulesResponse> ListDispatchRules(
      const Principal& p, const v1::ListDispatchRulesRequest& req);

  // Fires the SLA timers due at the clock's now (at most options.timer_batch): marks orders
  // due soon / overdue, publishes SlaAlarm events and applies escalation rules. Returns the
  // number of alarms fired. Called every second by the service; tests call it directly.
  absl::StatusOr<int> RunDueTimers();

 private:
  WorkOrderCore(WorkOrderStore* store, RegionLocator* locator, Clock* clock,
                WorkOrderMetrics* metrics, WorkOrderOptions options);

  absl::Status ReloadCatalog();
  std::shared_ptr<const CatalogSnapshot> catalog() const;
  absl::Mutex& OrderLock(const std::string& order_id);

  // Reads the order and checks the caller may see it (PERMISSION_DENIED otherwise).
  absl::StatusOr<v1::WorkOrder> ReadVisible(const Principal& p, const std::string& order_id) const;
  // ReadVisible for a writer holding the order's OrderLock: from the order cache when it has
  // the order, else from the store (and then cached). Never null when OK. `order_id` must
  // have passed service::CheckId (ApplyAndCommit checks it before taking the lock).
  absl::StatusOr<std::shared_ptr<const v1::WorkOrder>> ReadVisibleLocked(
      const Principal& p, const std::string& order_id);
  // Evidence records for `refs` (each must have been uploaded), phase BEFORE.
  absl::StatusOr<std::vector<v1::Attachment>> ResolvePhotos(
      const google::protobuf::RepeatedPtrField<v1::PhotoRef>& refs) const;
  // Adds the order write, its history event, its timers, the OrderEvent feed event and a
  // reporter notification (if the change is one a reporter cares about) to `write`.
  void StageChange(const v1::WorkOrder& order, const v1::WorkOrder* previous,
                   const v1::OrderEvent& event, store::WriteRequest& write) const;
  // Applies `in` as `actor` to the order under its lock and commits (the shared path of
  // Transition, RateOrder and the SLA escalation). `expected_version` 0 = no check.
  absl::StatusOr<v1::WorkOrder> ApplyAndCommit(const Principal& actor, const std::string& scope,
                                               const std::string& request_id,
                                               const google::protobuf::Message& request,
                                               const std::string& order_id,
                                               uint64_t expected_version, ActionInput in);
  void CountRejection(const absl::Status& s);
  // Under the order's lock, right after a commit that wrote (or tried to write) `order_id`:
  // the order cache and the store's in-memory index of open orders follow the store.
  // `committed` is the version the commit wrote, or null if it failed (the cache then forgets
  // the order and the index rereads it, since a failed commit may still be readable).
  void FollowCommit(const std::string& order_id, std::shared_ptr<const v1::WorkOrder> committed);

  WorkOrderStore* store_;
  RegionLocator* locator_;
  Clock* clock_;
  WorkOrderMetrics* metrics_;
  WorkOrderOptions options_;
  // The lock is held through the commit's fsync (1-3 ms under load), so two requests on
  // different orders that share a stripe also wait for each other's fsync. With W concurrent
  // writers a transition finds its stripe taken with probability ~(W-1)/stripes: 12 % for 64
  // writers on 512 stripes, under 1 % on 8192 (64 KiB of mutexes).
  static constexpr size_t kOrderLockStripes = 8192;
  std::array<absl::Mutex, kOrderLockStripes> order_locks_;
  OrderCache order_cache_;        // accessed only under the order's lock (order_cache.h)
  absl::Mutex catalog_write_mu_;  // serialises catalogue mutations and reloads
  mutable absl::Mutex catalog_mu_;
  std::shared_ptr<const CatalogSnapshot> catalog_ ABSL_GUARDED_BY(catalog_mu_);
};

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_WORKORDER_CORE_H_
