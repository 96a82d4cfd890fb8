// The inspection service's RocksDB store.
//
// DO NOT CHANGE THESE LAYOUTS: they are the on-disk format of data/inspection.
//
//   family              key                                           value
//   departments         department id                                 v1.Department
//   checklists          str(template id) | u32(version)               v1.ChecklistVersion
//   subjects            subject id                                    v1.Subject (unmasked)
//   subjects_by_region  str(region path) | str(subject id)            ""
//   tasks               task id                                       v1.Task
//   tasks_open_by_due   i64(due ms) | str(task id)                    ""  (open tasks only)
//   tasks_by_assignee   str(assignee) | i64(due ms) | str(task id)    ""
//   tasks_by_subject    str(subject id) | str(task id)                ""
//   results             result id                                     v1.InspectionResult
//   results_by_subject  str(subject id) | i64(-submitted ms) | str(result id)   ""
//   schedules           schedule id                                   v1.Schedule
//   order_links         work order id                                 str(result) str(item)
//   str(subject) [str("closed")] pending_orders      str(result id) | str(item code) ""  (work
//   orders to create)
//
// tasks_open_by_due is the durable index the missed-task sweep reads up to "now"; a task
// leaves it when it is done, missed or cancelled. pending_orders is an outbox: the result and
// its pending work orders commit together, a loop creates the orders (idempotent request ids)
// and removes the entries, so a crash between the two never loses an order.
//
// Thread safety: all methods may be called concurrently.
#ifndef GRIDWORK_SERVICES_INSPECTION_INSPECTION_STORE_H_
#define GRIDWORK_SERVICES_INSPECTION_INSPECTION_STORE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/core/clock.h"
#include "gridwork/inspection/v1/inspection.pb.h"
#include "gridwork/store/db.h"

namespace gridwork::inspection {

struct OrderLink {
  std::string result_id;
  std::string item_code;
  std::string subject_id;
  bool closed = false;  // the work order was closed (seen on the work-order feed)
};

struct PendingOrder {
  std::string result_id;
  std::string item_code;
};

class InspectionStore {
 public:
  static absl::StatusOr<std::unique_ptr<InspectionStore>> Open(const std::string& dir, Clock* clock,
                                                               bool sync);
  store::Db* db() const { return db_.get(); }

  absl::StatusOr<std::vector<v1::Department>> LoadDepartments() const;
  void PutDepartment(const v1::Department& d, store::WriteRequest* w) const;

  // NOT_FOUND naming the template and version.
  absl::StatusOr<v1::ChecklistVersion> GetChecklist(const std::string& template_id,
                                                    uint32_t version) const;
  // Every version of one template, ascending.
  absl::StatusOr<std::vector<v1::ChecklistVersion>> GetVersions(
      const std::string& template_id) const;
  // The latest version of every template.
  absl::StatusOr<std::vector<v1::ChecklistVersion>> LatestChecklists() const;
  void PutChecklist(const v1::ChecklistVersion& c, store::WriteRequest* w) const;

  absl::StatusOr<v1::Subject> GetSubject(const std::string& id) const;
  // Writes the subject and moves its region index entry from `previous` (nullptr = new).
  void PutSubject(const v1::Subject& s, const v1::Subject* previous, store::WriteRequest* w) const;
  // Subject ids whose region path starts with `region_prefix` (bytes; caller applies the
  // '/' boundary), after `after_key`; fn(key, region_path, id) returns false to stop.
  absl::Status ScanSubjects(const std::string& region_prefix, const std::string& after_key,
                            const std::function<bool(const std::string&, const std::string&,
                                                     const std::string&)>& fn) const;

  absl::StatusOr<v1::Task> GetTask(const std::string& id) const;
  // Writes the task and keeps its indexes in step with `previous` (nullptr = new).
  void PutTask(const v1::Task& t, const v1::Task* previous, store::WriteRequest* w) const;
  // Open tasks due at or before `now`, earliest first, at most `limit`.
  absl::StatusOr<std::vector<std::string>> OpenTasksDueBy(absl::Time now, size_t limit) const;
  absl::Status ScanTasksOfAssignee(
      const std::string& assignee, const std::string& after_key,
      const std::function<bool(const std::string&, const std::string&)>& fn) const;
  absl::Status ScanTasksOfSubject(const std::string& subject_id,
                                  const std::function<bool(const std::string&)>& fn) const;
  // Every task (for listings by region without an assignee); fn(key, id).
  absl::Status ScanAllTasks(
      const std::string& after_key,
      const std::function<bool(const std::string&, const std::string&)>& fn) const;

  absl::StatusOr<v1::InspectionResult> GetResult(const std::string& id) const;
  void PutResult(const v1::InspectionResult& r, bool is_new, store::WriteRequest* w) const;
  // Results of a subject, newest first; fn(key, id).
  absl::Status ScanResultsOfSubject(
      const std::string& subject_id, const std::string& after_key,
      const std::function<bool(const std::string&, const std::string&)>& fn) const;

  absl::StatusOr<std::vector<v1::Schedule>> LoadSchedules() const;
  absl::StatusOr<v1::Schedule> GetSchedule(const std::string& id) const;
  void PutSchedule(const v1::Schedule& s, store::WriteRequest* w) const;

  absl::StatusOr<std::optional<OrderLink>> GetOrderLink(const std::string& order_id) const;
  void PutOrderLink(const std::string& order_id, const OrderLink& link,
                    store::WriteRequest* w) const;

  void PutPendingOrder(const PendingOrder& p, store::WriteRequest* w) const;
  void DeletePendingOrder(const PendingOrder& p, store::WriteRequest* w) const;
  absl::StatusOr<std::vector<PendingOrder>> PendingOrders(size_t limit) const;
  absl::StatusOr<bool> HasPendingOrder(const PendingOrder& p) const;

 private:
  InspectionStore() = default;
  std::unique_ptr<store::Db> db_;
  store::FamilyHandle departments_, checklists_, subjects_, subjects_by_region_, tasks_,
      tasks_open_by_due_, tasks_by_assignee_, tasks_by_subject_, results_, results_by_subject_,
      schedules_, order_links_, pending_orders_;
};

}  // namespace gridwork::inspection

#endif  // GRIDWORK_SERVICES_INSPECTION_INSPECTION_STORE_H_
