#include "services/inspection/inspection_store.h"

#include "absl/strings/str_cat.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/store/key_codec.h"
#include "gridwork/store/stored_proto.h"

namespace gridwork::inspection {
namespace {

using store::KeyBuilder;
using store::ParseStoredProto;

int64_t Millis(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

template <typename Msg>
absl::StatusOr<Msg> GetProto(const store::Db& db, const store::FamilyHandle& f,
                             absl::string_view key, const std::string& what) {
  auto v = db.Get(f, key);
  if (absl::IsNotFound(v.status())) return absl::NotFoundError(what + " does not exist");
  GW_RETURN_IF_ERROR(v.status());
  return ParseStoredProto<Msg>(*v, what);
}

template <typename Msg>
absl::StatusOr<std::vector<Msg>> ScanProtos(const store::Db& db, const store::FamilyHandle& f,
                                            const std::string& prefix, const char* what) {
  std::vector<Msg> out;
  absl::Status error;
  GW_RETURN_IF_ERROR(db.ScanPrefix(f, prefix, [&](absl::string_view, absl::string_view v) {
    auto m = ParseStoredProto<Msg>(v, what);
    if (!m.ok()) {
      error = m.status();
      return false;
    }
    out.push_back(*std::move(m));
    return true;
  }));
  GW_RETURN_IF_ERROR(error);
  return out;
}

// One component of an index key.
enum class Part { kString, kInt64 };

// Visits the keys of `f` in [prefix, successor(prefix)) strictly after `after_key`, decoding
// each as `parts`; `fn(key, strings)` gets the string components in order.
absl::Status ScanIndex(
    const store::Db& db, const store::FamilyHandle& f, const std::string& prefix,
    const std::string& after_key, std::initializer_list<Part> parts,
    const std::function<bool(const std::string&, const std::vector<std::string>&)>& fn) {
  std::string start = prefix;
  if (!after_key.empty() && after_key > start) start = after_key;
  absl::Status error;
  std::vector<Part> layout(parts);
  GW_RETURN_IF_ERROR(db.ScanRange(
      f, start, store::PrefixSuccessor(prefix), [&](absl::string_view k, absl::string_view) {
        if (k == after_key) return true;
        absl::string_view rest = k;
        std::vector<std::string> strings;
        for (Part p : layout) {
          bool ok;
          if (p == Part::kString) {
            strings.emplace_back();
            ok = store::GetStringComponent(&rest, &strings.back());
          } else {
            int64_t ignored;
            ok = store::GetOrderedInt64(&rest, &ignored);
          }
          if (!ok) {
            error = absl::DataLossError("malformed inspection index key");
            return false;
          }
        }
        return fn(std::string(k), strings);
      }));
  return error;
}

std::string ChecklistKey(const std::string& template_id, uint32_t version) {
  return KeyBuilder().String(template_id).Uint32(version).Build();
}
std::string RegionKey(const v1::Subject& s) {
  return KeyBuilder().String(s.region_path()).String(s.id()).Build();
}
std::string DueKey(const v1::Task& t) {
  return KeyBuilder().Int64(Millis(t.due_at())).String(t.id()).Build();
}
std::string AssigneeKey(const v1::Task& t) {
  return KeyBuilder().String(t.assignee()).Int64(Millis(t.due_at())).String(t.id()).Build();
}
std::string SubjectTaskKey(const v1::Task& t) {
  return KeyBuilder().String(t.subject_id()).String(t.id()).Build();
}
std::string PendingKey(const PendingOrder& p) {
  return KeyBuilder().String(p.result_id).String(p.item_code).Build();
}

}  // namespace

absl::StatusOr<std::unique_ptr<InspectionStore>> InspectionStore::Open(const std::string& dir,
                                                                       Clock* clock, bool sync) {
  std::unique_ptr<InspectionStore> s(new InspectionStore());
  store::DbOptions opts;
  opts.path = dir;
  opts.service_name = "inspection";
  opts.sync = sync;
  opts.clock = clock;
  const std::vector<std::pair<const char*, store::FamilyHandle*>> handles = {
      {"departments", &s->departments_},
      {"checklists", &s->checklists_},
      {"subjects", &s->subjects_},
      {"subjects_by_region", &s->subjects_by_region_},
      {"tasks", &s->tasks_},
      {"tasks_open_by_due", &s->tasks_open_by_due_},
      {"tasks_by_assignee", &s->tasks_by_assignee_},
      {"tasks_by_subject", &s->tasks_by_subject_},
      {"results", &s->results_},
      {"results_by_subject", &s->results_by_subject_},
      {"schedules", &s->schedules_},
      {"order_links", &s->order_links_},
      {"pending_orders", &s->pending_orders_}};
  GW_ASSIGN_OR_RETURN(
      s->db_,
      store::Db::Open(opts,
                      {{"departments", "department id -> Department"},
                       {"checklists", "str(template) u32(version) -> ChecklistVersion"},
                       {"subjects", "subject id -> Subject"},
                       {"subjects_by_region", "str(region path) str(subject) -> ''"},
                       {"tasks", "task id -> Task"},
                       {"tasks_open_by_due", "i64(due ms) str(task) -> '' (open tasks)"},
                       {"tasks_by_assignee", "str(assignee) i64(due ms) str(task) -> ''"},
                       {"tasks_by_subject", "str(subject) str(task) -> ''"},
                       {"results", "result id -> InspectionResult"},
                       {"results_by_subject", "str(subject) i64(-submitted ms) str(result) -> ''"},
                       {"schedules", "schedule id -> Schedule"},
                       {"order_links", "work order id -> str(result) str(item) str(subject)"},
                       {"pending_orders", "str(result) str(item) -> '' (outbox)"}}));
  for (const auto& [name, handle] : handles) {
    GW_ASSIGN_OR_RETURN(*handle, s->db_->Family(name));
  }
  return s;
}

// ---- Departments and checklists ------------------------------------------------------------

absl::StatusOr<std::vector<v1::Department>> InspectionStore::LoadDepartments() const {
  return ScanProtos<v1::Department>(*db_, departments_, "", "department");
}

void InspectionStore::PutDepartment(const v1::Department& d, store::WriteRequest* w) const {
  w->Put(departments_, d.id(), d.SerializeAsString());
}

absl::StatusOr<v1::ChecklistVersion> InspectionStore::GetChecklist(const std::string& template_id,
                                                                   uint32_t version) const {
  return GetProto<v1::ChecklistVersion>(
      *db_, checklists_, ChecklistKey(template_id, version),
      absl::StrCat("checklist ", template_id, " version ", version));
}

absl::StatusOr<std::vector<v1::ChecklistVersion>> InspectionStore::GetVersions(
    const std::string& template_id) const {
  return ScanProtos<v1::ChecklistVersion>(*db_, checklists_,
                                          KeyBuilder().String(template_id).Build(), "checklist");
}

absl::StatusOr<std::vector<v1::ChecklistVersion>> InspectionStore::LatestChecklists() const {
  GW_ASSIGN_OR_RETURN(auto all,
                      ScanProtos<v1::ChecklistVersion>(*db_, checklists_, "", "checklist"));
  std::vector<v1::ChecklistVersion> latest;
  for (auto& c : all) {  // ascending (template, version): the last of each template wins
    if (!latest.empty() && latest.back().template_id() == c.template_id()) {
      latest.back() = std::move(c);
    } else {
      latest.push_back(std::move(c));
    }
  }
  return latest;
}

void InspectionStore::PutChecklist(const v1::ChecklistVersion& c, store::WriteRequest* w) const {
  w->Put(checklists_, ChecklistKey(c.template_id(), c.version()), c.SerializeAsString());
}

// ---- Subjects ------------------------------------------------------------------------------

absl::StatusOr<v1::Subject> InspectionStore::GetSubject(const std::string& id) const {
  return GetProto<v1::Subject>(*db_, subjects_, id, absl::StrCat("subject ", id));
}

void InspectionStore::PutSubject(const v1::Subject& s, const v1::Subject* previous,
                                 store::WriteRequest* w) const {
  w->Put(subjects_, s.id(), s.SerializeAsString());
  if (previous != nullptr && RegionKey(*previous) != RegionKey(s)) {
    w->Delete(subjects_by_region_, RegionKey(*previous));
  }
  w->Put(subjects_by_region_, RegionKey(s), "");
}

absl::Status InspectionStore::ScanSubjects(
    const std::string& region_prefix, const std::string& after_key,
    const std::function<bool(const std::string&, const std::string&, const std::string&)>& fn)
    const {
  // Raw path bytes are a byte prefix of the encoded component (paths never contain '\0').
  return ScanIndex(
      *db_, subjects_by_region_, region_prefix, after_key, {Part::kString, Part::kString},
      [&](const std::string& k, const std::vector<std::string>& s) { return fn(k, s[0], s[1]); });
}

// ---- Tasks ---------------------------------------------------------------------------------

absl::StatusOr<v1::Task> InspectionStore::GetTask(const std::string& id) const {
  return GetProto<v1::Task>(*db_, tasks_, id, absl::StrCat("task ", id));
}

void InspectionStore::PutTask(const v1::Task& t, const v1::Task* previous,
                              store::WriteRequest* w) const {
  w->Put(tasks_, t.id(), t.SerializeAsString());
  if (previous != nullptr) {
    if (previous->state() == v1::TASK_STATE_OPEN) w->Delete(tasks_open_by_due_, DueKey(*previous));
    if (AssigneeKey(*previous) != AssigneeKey(t)) {
      w->Delete(tasks_by_assignee_, AssigneeKey(*previous));
    }
  } else {
    w->Put(tasks_by_subject_, SubjectTaskKey(t), "");
  }
  if (t.state() == v1::TASK_STATE_OPEN) w->Put(tasks_open_by_due_, DueKey(t), "");
  w->Put(tasks_by_assignee_, AssigneeKey(t), "");
}

absl::StatusOr<std::vector<std::string>> InspectionStore::OpenTasksDueBy(absl::Time now,
                                                                         size_t limit) const {
  std::vector<std::string> ids;
  absl::Status error;
  const std::string end = KeyBuilder().Int64(absl::ToUnixMillis(now) + 1).Build();
  GW_RETURN_IF_ERROR(
      db_->ScanRange(tasks_open_by_due_, "", end, [&](absl::string_view k, absl::string_view) {
        absl::string_view rest = k;
        int64_t due;
        std::string id;
        if (!store::GetOrderedInt64(&rest, &due) || !store::GetStringComponent(&rest, &id)) {
          error = absl::DataLossError("malformed due-task key");
          return false;
        }
        ids.push_back(std::move(id));
        return ids.size() < limit;
      }));
  GW_RETURN_IF_ERROR(error);
  return ids;
}

absl::Status InspectionStore::ScanTasksOfAssignee(
    const std::string& assignee, const std::string& after_key,
    const std::function<bool(const std::string&, const std::string&)>& fn) const {
  return ScanIndex(
      *db_, tasks_by_assignee_, KeyBuilder().String(assignee).Build(), after_key,
      {Part::kString, Part::kInt64, Part::kString},
      [&](const std::string& k, const std::vector<std::string>& s) { return fn(k, s[1]); });
}

absl::Status InspectionStore::ScanTasksOfSubject(
    const std::string& subject_id, const std::function<bool(const std::string&)>& fn) const {
  return ScanIndex(*db_, tasks_by_subject_, KeyBuilder().String(subject_id).Build(), "",
                   {Part::kString, Part::kString},
                   [&](const std::string&, const std::vector<std::string>& s) { return fn(s[1]); });
}

absl::Status InspectionStore::ScanAllTasks(
    const std::string& after_key,
    const std::function<bool(const std::string&, const std::string&)>& fn) const {
  return db_->ScanRange(tasks_, after_key, "", [&](absl::string_view k, absl::string_view) {
    if (k == after_key) return true;
    return fn(std::string(k), std::string(k));
  });
}

// ---- Results -------------------------------------------------------------------------------

absl::StatusOr<v1::InspectionResult> InspectionStore::GetResult(const std::string& id) const {
  return GetProto<v1::InspectionResult>(*db_, results_, id, absl::StrCat("result ", id));
}

void InspectionStore::PutResult(const v1::InspectionResult& r, bool is_new,
                                store::WriteRequest* w) const {
  w->Put(results_, r.id(), r.SerializeAsString());
  if (is_new) {
    w->Put(
        results_by_subject_,
        KeyBuilder().String(r.subject_id()).Int64(-Millis(r.submitted_at())).String(r.id()).Build(),
        "");
  }
}

absl::Status InspectionStore::ScanResultsOfSubject(
    const std::string& subject_id, const std::string& after_key,
    const std::function<bool(const std::string&, const std::string&)>& fn) const {
  return ScanIndex(
      *db_, results_by_subject_, KeyBuilder().String(subject_id).Build(), after_key,
      {Part::kString, Part::kInt64, Part::kString},
      [&](const std::string& k, const std::vector<std::string>& s) { return fn(k, s[1]); });
}

// ---- Schedules, order links, outbox --------------------------------------------------------

absl::StatusOr<std::vector<v1::Schedule>> InspectionStore::LoadSchedules() const {
  return ScanProtos<v1::Schedule>(*db_, schedules_, "", "schedule");
}

absl::StatusOr<v1::Schedule> InspectionStore::GetSchedule(const std::string& id) const {
  return GetProto<v1::Schedule>(*db_, schedules_, id, absl::StrCat("schedule ", id));
}

void InspectionStore::PutSchedule(const v1::Schedule& s, store::WriteRequest* w) const {
  w->Put(schedules_, s.id(), s.SerializeAsString());
}

absl::StatusOr<std::optional<OrderLink>> InspectionStore::GetOrderLink(
    const std::string& order_id) const {
  auto v = db_->Get(order_links_, order_id);
  if (absl::IsNotFound(v.status())) return std::optional<OrderLink>();
  GW_RETURN_IF_ERROR(v.status());
  absl::string_view rest = *v;
  OrderLink link;
  if (!store::GetStringComponent(&rest, &link.result_id) ||
      !store::GetStringComponent(&rest, &link.item_code) ||
      !store::GetStringComponent(&rest, &link.subject_id)) {
    return absl::DataLossError("malformed order link");
  }
  std::string closed;
  link.closed = store::GetStringComponent(&rest, &closed) && closed == "closed";
  return std::optional<OrderLink>(std::move(link));
}

void InspectionStore::PutOrderLink(const std::string& order_id, const OrderLink& link,
                                   store::WriteRequest* w) const {
  KeyBuilder value;
  value.String(link.result_id).String(link.item_code).String(link.subject_id);
  if (link.closed) value.String("closed");
  w->Put(order_links_, order_id, value.Build());
}

void InspectionStore::PutPendingOrder(const PendingOrder& p, store::WriteRequest* w) const {
  w->Put(pending_orders_, PendingKey(p), "");
}

void InspectionStore::DeletePendingOrder(const PendingOrder& p, store::WriteRequest* w) const {
  w->Delete(pending_orders_, PendingKey(p));
}

absl::StatusOr<bool> InspectionStore::HasPendingOrder(const PendingOrder& p) const {
  auto v = db_->Get(pending_orders_, PendingKey(p));
  if (absl::IsNotFound(v.status())) return false;
  GW_RETURN_IF_ERROR(v.status());
  return true;
}

absl::StatusOr<std::vector<PendingOrder>> InspectionStore::PendingOrders(size_t limit) const {
  std::vector<PendingOrder> out;
  GW_RETURN_IF_ERROR(ScanIndex(*db_, pending_orders_, "", "", {Part::kString, Part::kString},
                               [&](const std::string&, const std::vector<std::string>& s) {
                                 out.push_back({s[0], s[1]});
                                 return out.size() < limit;
                               }));
  return out;
}

}  // namespace gridwork::inspection
