// Mutations of work orders: create, transition, rate, and the SLA timer sweep.
#include "services/workorder/workorder_core.h"

#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/idempotent_mutation.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "services/workorder/sla.h"
#include "services/workorder/transition_table.h"

namespace gridwork::workorder {
namespace {

// Idempotency keys of order mutations are per caller: (method, subject, request id). A
// request id another caller already used is a new request for this one, so a replay never
// hands one caller's answer (an order it may not see) to another (found by the
// workorder_handlers fuzzer: a worker replaying an admin's request id got the admin's order).
std::string KeyScope(absl::string_view method, const Principal& p) {
  return absl::StrCat(method, "|", p.subject());
}

using service::ToProto;

constexpr int kMaxPhotosPerOrder = 9;
constexpr int kMaxPhotosPerAction = 9;
constexpr size_t kMaxDescriptionBytes = 2000 * 3;
constexpr size_t kMaxCommentBytes = 500 * 3;

// The identity the service acts as for rule dispatch and SLA escalation.
Principal SystemActor() {
  Principal p;
  p.set_subject("workorder");
  p.set_role(common::v1::ROLE_SERVICE);
  return p;
}

v1::Source DefaultSource(common::v1::Role role) {
  switch (role) {
    case common::v1::ROLE_RESIDENT:
      return v1::SOURCE_RESIDENT;
    case common::v1::ROLE_GRID_WORKER:
    case common::v1::ROLE_GRID_LEADER:
      return v1::SOURCE_PATROL;
    default:
      return v1::SOURCE_API;
  }
}

// The text a reporter is sent for this event, or "" if reporters are not told about it.
std::string NotificationText(const v1::OrderEvent& e) {
  switch (e.to_state()) {
    case v1::STATE_DISPATCHED:
      if (e.action() == v1::ACTION_DISPATCH && e.from_state() != v1::STATE_DISPATCHED) {
        return absl::StrCat("您上报的问题已派遣至「", e.department(), "」处理");
      }
      return "";
    case v1::STATE_HANDLED:
      return "您上报的问题已处理完毕，正在核查";
    case v1::STATE_CLOSED:
      return e.action() == v1::ACTION_VERIFY_SATISFIED ? "您上报的问题已办结，欢迎评价" : "";
    case v1::STATE_CANCELLED:
      return absl::StrCat("您上报的问题已作废：", e.note());
    default:
      return "";
  }
}

}  // namespace

WorkOrderCore::WorkOrderCore(WorkOrderStore* store, RegionLocator* locator, Clock* clock,
                             WorkOrderMetrics* metrics, WorkOrderOptions options)
    : store_(store),
      locator_(locator),
      clock_(clock),
      metrics_(metrics),
      options_(options),
      order_cache_(options.order_cache_size) {}

absl::StatusOr<std::unique_ptr<WorkOrderCore>> WorkOrderCore::Create(WorkOrderStore* store,
                                                                     RegionLocator* locator,
                                                                     Clock* clock,
                                                                     WorkOrderMetrics* metrics,
                                                                     WorkOrderOptions options) {
  std::unique_ptr<WorkOrderCore> core(new WorkOrderCore(store, locator, clock, metrics, options));
  GW_RETURN_IF_ERROR(core->ReloadCatalog());
  if (metrics != nullptr) {
    if (auto n = store->CountTimers(); n.ok()) metrics->pending_timers.Set(static_cast<double>(*n));
    metrics->open_orders.Set(static_cast<double>(store->open_order_count()));
  }
  return core;
}

absl::Status WorkOrderCore::ReloadCatalog() {
  GW_ASSIGN_OR_RETURN(std::vector<v1::Category> categories, store_->LoadCategories());
  GW_ASSIGN_OR_RETURN(std::vector<v1::DispatchRule> rules, store_->LoadRules());
  auto snapshot = std::make_shared<const CatalogSnapshot>(std::move(categories), std::move(rules));
  absl::MutexLock lock(&catalog_mu_);
  catalog_ = std::move(snapshot);
  return absl::OkStatus();
}

std::shared_ptr<const CatalogSnapshot> WorkOrderCore::catalog() const {
  absl::MutexLock lock(&catalog_mu_);
  return catalog_;
}

absl::Mutex& WorkOrderCore::OrderLock(const std::string& order_id) {
  return order_locks_[absl::HashOf(order_id) % order_locks_.size()];
}

namespace {

// PERMISSION_DENIED unless `p` may see `order` (the one refusal both reads give).
absl::Status CheckVisible(const Principal& p, const v1::WorkOrder& order) {
  if (CanSee(p, order)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "order ", order.id(), " is outside what you may see (region ", order.region_path(), ")"));
}

}  // namespace

absl::StatusOr<v1::WorkOrder> WorkOrderCore::ReadVisible(const Principal& p,
                                                         const std::string& order_id) const {
  GW_RETURN_IF_ERROR(service::CheckId(order_id, "order_id"));
  GW_ASSIGN_OR_RETURN(v1::WorkOrder order, store_->GetOrder(order_id));
  GW_RETURN_IF_ERROR(CheckVisible(p, order));
  return order;
}

absl::StatusOr<std::shared_ptr<const v1::WorkOrder>> WorkOrderCore::ReadVisibleLocked(
    const Principal& p, const std::string& order_id) {
  std::shared_ptr<const v1::WorkOrder> order = order_cache_.Get(order_id);
  if (order == nullptr) {
    GW_ASSIGN_OR_RETURN(v1::WorkOrder stored, store_->GetOrder(order_id));
    order = std::make_shared<const v1::WorkOrder>(std::move(stored));
    order_cache_.Put(order);
  }
  GW_RETURN_IF_ERROR(CheckVisible(p, *order));
  return order;
}

absl::StatusOr<std::vector<v1::Attachment>> WorkOrderCore::ResolvePhotos(
    const google::protobuf::RepeatedPtrField<v1::PhotoRef>& refs) const {
  std::vector<v1::Attachment> out;
  for (int i = 0; i < refs.size(); ++i) {
    const v1::PhotoRef& ref = refs[i];
    const std::string field = absl::StrCat("photos[", i, "]");
    GW_RETURN_IF_ERROR(service::CheckId(ref.sha256(), field + ".sha256", 64));
    if (ref.has_capture_position()) {
      GW_RETURN_IF_ERROR(service::CheckLatLng(ref.capture_position(), field + ".capture_position"));
    }
    absl::StatusOr<v1::PhotoRecord> record = store_->GetPhotoRecord(ref.sha256());
    if (absl::IsNotFound(record.status())) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": photo ", ref.sha256(),
                                                     " was not uploaded (call UploadPhoto first)"));
    }
    GW_RETURN_IF_ERROR(record.status());
    v1::Attachment a;
    a.set_sha256(record->sha256());
    a.set_phase(v1::PHOTO_PHASE_BEFORE);
    if (ref.has_capture_time()) *a.mutable_capture_time() = ref.capture_time();
    if (ref.has_capture_position()) *a.mutable_capture_position() = ref.capture_position();
    *a.mutable_received_at() = record->received_at();
    a.set_media_type(record->media_type());
    a.set_size_bytes(record->size_bytes());
    a.set_uploaded_by(record->uploaded_by());
    out.push_back(std::move(a));
  }
  return out;
}

void WorkOrderCore::StageChange(const v1::WorkOrder& order, const v1::WorkOrder* previous,
                                const v1::OrderEvent& event, store::WriteRequest& write) const {
  store_->PutOrder(order, previous, &write);
  store_->PutHistoryEvent(event, &write);
  for (const auto& photo : event.photos()) store_->PutPhotoRef(photo.sha256(), order.id(), &write);
  std::optional<absl::Time> deadline = RunningDeadline(order);
  std::optional<absl::Time> old_deadline =
      previous == nullptr ? std::nullopt : RunningDeadline(*previous);
  if (deadline.has_value() && deadline != old_deadline) {
    const std::shared_ptr<const CatalogSnapshot> snapshot = catalog();  // keeps `cat` alive
    const v1::Category* cat = snapshot->FindCategory(order.category_id());
    v1::SlaPolicy policy = cat != nullptr ? cat->sla() : v1::SlaPolicy();
    store_->PutTimer(*deadline, order.id(), TimerKind::kOverdue, order.stage(), *deadline, &write);
    absl::Time soon = DueSoonTime(policy, order.stage(), *deadline);
    if (soon < *deadline) {
      store_->PutTimer(soon, order.id(), TimerKind::kDueSoon, order.stage(), *deadline, &write);
    }
    if (metrics_ != nullptr) metrics_->pending_timers.Increment(soon < *deadline ? 2 : 1);
  }
  write.AppendEvent(event, order.region_path());
  std::string text = NotificationText(event);
  if (!text.empty() && event.actor() != order.reporter()) {
    v1::Notification n;
    n.set_recipient(order.reporter());
    n.set_order_id(order.id());
    n.set_state(order.state());
    n.set_text(std::move(text));
    *n.mutable_at() = event.at();
    write.AppendEvent(n, order.region_path());
  }
}

void WorkOrderCore::FollowCommit(const std::string& order_id,
                                 std::shared_ptr<const v1::WorkOrder> committed) {
  if (committed == nullptr) {
    order_cache_.Erase(order_id);
    if (absl::Status s = store_->Reindex(order_id); !s.ok()) {
      log::Warning("open-order index: cannot reread an order after a failed commit",
                   {{"order", order_id}, {"error", s.message()}});
    }
    return;
  }
  store_->Indexed(*committed);
  order_cache_.Put(std::move(committed));
}

void WorkOrderCore::CountRejection(const absl::Status& s) {
  if (metrics_ == nullptr || s.ok()) return;
  const char* reason = "invalid";
  switch (s.code()) {
    case absl::StatusCode::kAborted:
      reason = "stale_version";
      break;
    case absl::StatusCode::kFailedPrecondition:
      reason = "illegal";
      break;
    case absl::StatusCode::kPermissionDenied:
      reason = "denied";
      break;
    case absl::StatusCode::kInvalidArgument:
      reason = "invalid";
      break;
    default:
      return;  // server-side failures are counted by the RPC metrics
  }
  metrics_->rejected.Add({{"reason", reason}}).Increment();
}

// ---- Create --------------------------------------------------------------------------------

absl::StatusOr<v1::CreateOrderResponse> WorkOrderCore::CreateOrder(
    const Principal& p, const v1::CreateOrderRequest& req) {
  if (p.role() == common::v1::ROLE_VIEWER || p.role() == common::v1::ROLE_UNSPECIFIED) {
    return absl::PermissionDeniedError("role " + RoleLabel(p.role()) + " may not report incidents");
  }
  GW_RETURN_IF_ERROR(service::CheckRequestId(req.request_id()));
  auto recorded = service::FindRecorded<v1::CreateOrderResponse>(
      store_->db(), KeyScope("workorder.CreateOrder", p), req.request_id(), req);
  if (!recorded.ok()) return recorded.status();
  if (recorded->has_value()) return **recorded;

  std::shared_ptr<const CatalogSnapshot> cat = catalog();
  const v1::Category* category = cat->FindCategory(req.category_id());
  if (category == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown category \"", req.category_id(), "\" (see ListCategories)"));
  }
  GW_RETURN_IF_ERROR(service::CheckLatLng(req.position(), "position"));
  if (req.description().empty() || req.description().size() > kMaxDescriptionBytes) {
    return absl::InvalidArgumentError("description must be 1–2,000 characters");
  }
  if (req.photos_size() > kMaxPhotosPerOrder) {
    return absl::InvalidArgumentError("at most 9 photos per report");
  }
  if (!v1::Source_IsValid(req.source())) return absl::InvalidArgumentError("unknown source");
  if (req.inspection_ref().size() > 256) {
    return absl::InvalidArgumentError("inspection_ref is longer than 256 bytes");
  }
  if (!req.on_behalf_of().empty()) {
    GW_RETURN_IF_ERROR(service::CheckId(req.on_behalf_of(), "on_behalf_of"));
  }
  if (!common::v1::Role_IsValid(req.on_behalf_of_role())) {
    return absl::InvalidArgumentError("on_behalf_of_role is not a role");
  }
  GW_ASSIGN_OR_RETURN(std::vector<v1::Attachment> photos, ResolvePhotos(req.photos()));
  GW_ASSIGN_OR_RETURN(std::string region, locator_->Locate(req.position()));

  const absl::Time now = clock_->Now();
  v1::WorkOrder order;
  order.set_id(NewId("wo"));
  order.set_source(req.source() != v1::SOURCE_UNSPECIFIED ? req.source() : DefaultSource(p.role()));
  const bool on_behalf = p.role() == common::v1::ROLE_SERVICE && !req.on_behalf_of().empty();
  order.set_reporter(on_behalf ? req.on_behalf_of() : p.subject());
  order.set_reporter_role(on_behalf && req.on_behalf_of_role() != common::v1::ROLE_UNSPECIFIED
                              ? req.on_behalf_of_role()
                              : p.role());
  order.set_category_id(category->id());
  order.set_severity(category->severity());
  *order.mutable_position() = req.position();
  order.set_region_path(region);
  order.set_description(req.description());
  for (auto& a : photos) *order.add_photos() = std::move(a);
  order.set_inspection_ref(req.inspection_ref());
  *order.mutable_created_at() = ToProto(now);
  v1::OrderEvent reported = StartHistory(p, *category, now, &order);

  v1::WorkOrder dispatched = order;
  std::optional<v1::OrderEvent> dispatch_event;
  if (const v1::DispatchRule* rule = cat->MatchRule(category->id(), region); rule != nullptr) {
    ActionInput in;
    in.action = v1::ACTION_DISPATCH;
    in.department = rule->department();
    in.decided_by = "rule:" + rule->id();
    absl::StatusOr<v1::OrderEvent> e = ApplyAction(SystemActor(), in, *category, now, &dispatched);
    if (!e.ok()) return e.status();
    dispatch_event = *std::move(e);
  }

  v1::SuggestDuplicatesRequest dup_req;
  dup_req.set_category_id(order.category_id());
  *dup_req.mutable_position() = order.position();
  GW_ASSIGN_OR_RETURN(v1::SuggestDuplicatesResponse duplicates, SuggestDuplicates(p, dup_req));

  // The new order's lock from before its commit until it is cached: nobody can transition an
  // order before it exists, so the cache gets version 1 (or 2) before any later version.
  absl::MutexLock lock(&OrderLock(order.id()));
  bool built = false;       // the order was staged (a failure after it is the commit's)
  bool built_here = false;  // ... and this call's commit wrote it
  auto response = service::RunIdempotent<v1::CreateOrderResponse>(
      store_->db(), KeyScope("workorder.CreateOrder", p), req.request_id(), req,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::CreateOrderResponse> {
        built = true;
        if (dispatch_event.has_value()) {
          // One write: the REPORTED record is superseded within the same batch; its photo
          // references are written here (StageChange writes those of the DISPATCH event).
          store_->PutOrder(order, nullptr, &write);
          store_->PutHistoryEvent(reported, &write);
          for (const auto& photo : reported.photos()) {
            store_->PutPhotoRef(photo.sha256(), order.id(), &write);
          }
          write.AppendEvent(reported, region);
          StageChange(dispatched, &order, *dispatch_event, write);
        } else {
          StageChange(order, nullptr, reported, write);  // writes the photo references
        }
        v1::CreateOrderResponse out;
        *out.mutable_order() = dispatch_event.has_value() ? dispatched : order;
        *out.mutable_possible_duplicates() = duplicates.orders();
        return out;
      },
      &built_here);
  if (built_here) {
    FollowCommit(order.id(), std::make_shared<const v1::WorkOrder>(response->order()));
  } else if (!response.ok() && built) {
    FollowCommit(order.id(), nullptr);
  }
  if (response.ok() && metrics_ != nullptr && response->order().id() == order.id()) {
    metrics_->created.Add({{"source", v1::Source_Name(order.source())}}).Increment();
    if (dispatch_event.has_value()) metrics_->auto_dispatched.Increment();
  }
  return response;
}

// ---- Transitions ---------------------------------------------------------------------------

absl::StatusOr<v1::WorkOrder> WorkOrderCore::ApplyAndCommit(
    const Principal& actor, const std::string& scope, const std::string& request_id,
    const google::protobuf::Message& request, const std::string& order_id,
    uint64_t expected_version, ActionInput in) {
  GW_RETURN_IF_ERROR(service::CheckId(order_id, "order_id"));
  absl::MutexLock lock(&OrderLock(order_id));
  bool built = false;       // the change was prepared (a failure after it is the commit's)
  bool built_here = false;  // ... and this call's commit wrote it
  auto result = service::RunIdempotent<v1::WorkOrder>(
      store_->db(), scope, request_id, request,
      [&](store::WriteRequest& write) -> absl::StatusOr<v1::WorkOrder> {
        GW_ASSIGN_OR_RETURN(std::shared_ptr<const v1::WorkOrder> current,
                            ReadVisibleLocked(actor, order_id));
        if (expected_version != 0 && expected_version != current->version()) {
          return absl::AbortedError(absl::StrCat(
              "order ", order_id, " is at version ", current->version(), ", the request expected ",
              expected_version, ": someone changed it; reload and decide again"));
        }
        if (in.action == v1::ACTION_CANCEL && !in.duplicate_of.empty()) {
          absl::StatusOr<v1::WorkOrder> original = ReadVisible(actor, in.duplicate_of);
          if (!original.ok()) {
            return absl::InvalidArgumentError(
                absl::StrCat("duplicate_of: ", original.status().message()));
          }
        }
        static const v1::Category kUnknownCategory;  // a deleted category: no SLA
        const std::shared_ptr<const CatalogSnapshot> snapshot = catalog();
        const v1::Category* found = snapshot->FindCategory(current->category_id());
        const v1::Category& category = found != nullptr ? *found : kUnknownCategory;
        v1::WorkOrder order;
        GW_ASSIGN_OR_RETURN(v1::OrderEvent event,
                            NextState(actor, in, category, clock_->Now(), *current, &order));
        StageChange(order, current.get(), event, write);
        built = true;
        return order;
      },
      // Every caller names the version it read (Transition and RateOrder require one), so a
      // replay fails its version check and only then looks for the recorded answer.
      &built_here, service::ReplayCheck::kAfterFailedBuild);
  // Still under the order's lock: the cache follows the store (order_cache.h). A replayed
  // answer may be older than the store and is not cached; after a failed commit the next
  // writer reads the store (a refusal before the commit changed nothing).
  if (!result.ok() && built) {
    FollowCommit(order_id, nullptr);
  } else if (built_here) {
    FollowCommit(order_id, std::make_shared<const v1::WorkOrder>(*result));
  }
  CountRejection(result.status());
  if (result.ok() && metrics_ != nullptr) {
    metrics_->transitions.Add({{"action", ActionLabel(in.action)}}).Increment();
  }
  return result;
}

absl::StatusOr<v1::WorkOrder> WorkOrderCore::Transition(const Principal& p,
                                                        const v1::TransitionRequest& req) {
  if (!v1::Action_IsValid(req.action()) || req.action() == v1::ACTION_UNSPECIFIED ||
      req.action() == v1::ACTION_REPORT || req.action() == v1::ACTION_RATE) {
    return absl::InvalidArgumentError(
        absl::StrCat("action ", req.action(), " cannot be applied with Transition",
                     req.action() == v1::ACTION_RATE ? " (use RateOrder)" : ""));
  }
  if (req.expected_version() == 0) {
    return absl::InvalidArgumentError("expected_version is required (the version you last read)");
  }
  if (req.photos_size() > kMaxPhotosPerAction) {
    return absl::InvalidArgumentError("at most 9 photos per action");
  }
  ActionInput in;
  in.action = req.action();
  in.note = req.note();
  in.department = req.department();
  in.assignee = req.assignee();
  in.verifier = req.verifier();
  in.duplicate_of = req.duplicate_of();
  // An order this store does not hold is NOT_FOUND before its photos are looked at: with
  // shards, the gateway asks the next shard only on NOT_FOUND, and the photos of an order on
  // another shard are on that shard too.
  if (req.photos_size() > 0) {
    GW_RETURN_IF_ERROR(service::CheckId(req.order_id(), "order_id"));
    GW_RETURN_IF_ERROR(store_->GetOrder(req.order_id()).status());
  }
  GW_ASSIGN_OR_RETURN(in.photos, ResolvePhotos(req.photos()));
  return ApplyAndCommit(p, KeyScope("workorder.Transition", p), req.request_id(), req,
                        req.order_id(), req.expected_version(), std::move(in));
}

absl::StatusOr<v1::WorkOrder> WorkOrderCore::RateOrder(const Principal& p,
                                                       const v1::RateOrderRequest& req) {
  if (req.comment().size() > kMaxCommentBytes) {
    return absl::InvalidArgumentError("comment is longer than 500 characters");
  }
  if (req.expected_version() == 0) {
    return absl::InvalidArgumentError("expected_version is required (the version you last read)");
  }
  ActionInput in;
  in.action = v1::ACTION_RATE;
  in.score = req.score();
  in.note = req.comment();
  return ApplyAndCommit(p, KeyScope("workorder.RateOrder", p), req.request_id(), req,
                        req.order_id(), req.expected_version(), std::move(in));
}

// ---- SLA timers ----------------------------------------------------------------------------

absl::StatusOr<int> WorkOrderCore::RunDueTimers() {
  const absl::Time now = clock_->Now();
  GW_ASSIGN_OR_RETURN(std::vector<TimerEntry> due, store_->DueTimers(now, options_.timer_batch));
  int fired = 0;
  for (const TimerEntry& t : due) {
    absl::MutexLock lock(&OrderLock(t.order_id));
    store::WriteRequest write;
    store_->DeleteTimer(t, &write);
    std::optional<v1::WorkOrder> written;  // the order's new version, if this timer applies
    absl::StatusOr<v1::WorkOrder> stored = store_->GetOrder(t.order_id);
    if (!stored.ok() && !absl::IsNotFound(stored.status())) return stored.status();
    // The timer index keeps deadlines in whole milliseconds while an order's deadline has
    // the clock's nanoseconds: the timer belongs to the order's running deadline iff both
    // name the same millisecond (a moved deadline differs by far more).
    const std::optional<absl::Time> running = stored.ok() ? RunningDeadline(*stored) : std::nullopt;
    bool applies = running.has_value() &&
                   absl::ToUnixMillis(*running) == absl::ToUnixMillis(t.deadline) &&
                   stored->stage() == t.stage;
    if (applies && t.kind == TimerKind::kDueSoon)
      applies = !stored->due_soon() && !stored->overdue();
    if (applies && t.kind == TimerKind::kOverdue) applies = !stored->overdue();
    if (applies) {
      v1::WorkOrder order = *stored;
      const v1::WorkOrder previous = order;
      order.set_due_soon(true);
      if (t.kind == TimerKind::kOverdue) order.set_overdue(true);
      order.set_version(order.version() + 1);
      *order.mutable_updated_at() = ToProto(now);
      v1::SlaAlarm alarm;
      alarm.set_order_id(order.id());
      alarm.set_kind(t.kind == TimerKind::kOverdue ? v1::SlaAlarm::KIND_OVERDUE
                                                   : v1::SlaAlarm::KIND_DUE_SOON);
      alarm.set_stage(t.stage);
      *alarm.mutable_deadline() = ToProto(*running);
      alarm.set_department(order.department());
      alarm.set_region_path(order.region_path());
      alarm.set_category_id(order.category_id());
      write.AppendEvent(alarm, order.region_path());

      const std::shared_ptr<const CatalogSnapshot> snapshot = catalog();  // keeps `found` alive
      const v1::Category* found = snapshot->FindCategory(order.category_id());
      std::optional<v1::OrderEvent> escalation;
      if (t.kind == TimerKind::kOverdue && found != nullptr && found->escalate_when_overdue()) {
        if (order.state() == v1::STATE_REPORTED || order.state() == v1::STATE_RETURNED) {
          ActionInput in;
          in.action = v1::ACTION_OVERDUE_ESCALATE;
          in.note = "超过分拨时限，自动上报区指挥中心";
          in.decided_by = "sla:overdue";
          absl::StatusOr<v1::OrderEvent> e = ApplyAction(SystemActor(), in, *found, now, &order);
          if (e.ok()) {
            escalation = *std::move(e);
          } else {
            log::Warning("SLA escalation refused",
                         {{"order", order.id()}, {"error", e.status().message()}});
          }
        } else {
          order.set_escalation_level(order.escalation_level() + 1);  // 督办: supervision
        }
      }
      if (escalation.has_value()) {
        StageChange(order, &previous, *escalation, write);
      } else {
        store_->PutOrder(order, &previous, &write);
      }
      written = std::move(order);
      ++fired;
      if (metrics_ != nullptr) {
        metrics_->sla_alarms.Add({{"kind", t.kind == TimerKind::kOverdue ? "overdue" : "due_soon"}})
            .Increment();
      }
    }
    const absl::Status committed = store_->db()->Commit(std::move(write)).status();
    // Still under the order's lock: the cache follows the store (order_cache.h).
    if (!committed.ok()) {
      FollowCommit(t.order_id, nullptr);
    } else if (written.has_value()) {
      FollowCommit(t.order_id, std::make_shared<const v1::WorkOrder>(*std::move(written)));
    }
    GW_RETURN_IF_ERROR(committed);
    if (metrics_ != nullptr) metrics_->pending_timers.Decrement();
  }
  if (metrics_ != nullptr) {
    metrics_->cached_orders.Set(static_cast<double>(order_cache_.size()));
    metrics_->open_orders.Set(static_cast<double>(store_->open_order_count()));
  }
  return fired;
}

}  // namespace gridwork::workorder
