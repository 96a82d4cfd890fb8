// InspectionCore over a real RocksDB store with an injected clock and fakes for the three
// services it calls (named Fake*: fixed region bands, a scripted track, an in-memory
// work-order service). The integration test runs the real ones.
#include "services/inspection/inspection_core.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "gridwork/core/ids.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::inspection {
namespace {

using service::FromProto;
using service::ToProto;
using namespace common::v1;  // NOLINT: roles

class FakeRegionLocator : public clients::RegionLocator {
 public:
  absl::StatusOr<std::string> Locate(const LatLng& p) override {
    if (p.lng() >= 113.60 && p.lng() < 113.61) return std::string("410105/s01/c01/g01");
    if (p.lng() >= 113.61 && p.lng() < 113.62) return std::string("410105/s01/c01/g02");
    return absl::FailedPreconditionError("outside every region (fake)");
  }
};

class FakeTrackSource : public clients::TrackSource {
 public:
  std::map<std::string, std::vector<clients::TrackFix>> fixes;
  bool down = false;
  absl::StatusOr<std::vector<clients::TrackFix>> Track(const std::string& worker, absl::Time start,
                                                       absl::Time end) override {
    if (down) return absl::UnavailableError("location is down (fake)");
    std::vector<clients::TrackFix> out;
    for (const auto& f : fixes[worker]) {
      if (f.time >= start && f.time < end) out.push_back(f);
    }
    return out;
  }
};

// Remembers orders by request id like the real service's idempotency.
class FakeWorkOrderClient : public clients::WorkOrderClient {
 public:
  std::set<std::string> photos;
  std::map<std::string, workorder::v1::CreateOrderRequest> orders;  // by request id
  int calls = 0;
  bool down = false;
  absl::StatusOr<workorder::v1::CreateOrderResponse> CreateOrder(
      const workorder::v1::CreateOrderRequest& req) override {
    ++calls;
    if (down) return absl::UnavailableError("workorder is down (fake)");
    if (req.category_id() == "no.such")
      return absl::InvalidArgumentError("unknown category (fake)");
    orders.emplace(req.request_id(), req);
    workorder::v1::CreateOrderResponse resp;
    resp.mutable_order()->set_id("wo-" + req.request_id());
    return resp;
  }
  absl::StatusOr<workorder::v1::PhotoRecord> GetPhotoRecord(const std::string& sha) override {
    if (down) return absl::UnavailableError("workorder is down (fake)");
    if (!photos.count(sha)) return absl::NotFoundError("never uploaded (fake)");
    workorder::v1::PhotoRecord r;
    r.set_sha256(sha);
    return r;
  }
};

Principal As(Role role, std::string subject, std::string scope = "", std::string dept = "") {
  Principal p;
  p.set_subject(std::move(subject));
  p.set_role(role);
  p.set_region_scope(std::move(scope));
  p.set_department(std::move(dept));
  return p;
}

const Principal kAdmin = As(ROLE_ADMIN, "admin");
const Principal kStation = As(ROLE_COMMUNITY_STATION, "station", "410105/s01/c01");
const Principal kLeader = As(ROLE_GRID_LEADER, "leader-g01", "410105/s01/c01/g01");
const Principal kWorker = As(ROLE_GRID_WORKER, "wang-wei", "410105/s01/c01/g01");
const Principal kWorkerG02 = As(ROLE_GRID_WORKER, "li-na", "410105/s01/c01/g02");
const Principal kFireHandler = As(ROLE_DEPARTMENT_HANDLER, "fire-1", "", "fire");

const std::string kPhoto(64, 'b');

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / NewId("inspection-core");
  FakeClock clock{absl::FromUnixSeconds(1763884800)};
  FakeRegionLocator locator;
  FakeTrackSource tracks;
  FakeWorkOrderClient workorders;
  prometheus::Registry registry;
  InspectionMetrics metrics{&registry};
  std::unique_ptr<InspectionStore> store;
  std::unique_ptr<InspectionCore> core;
  int next = 0;
  v1::Subject shop;

  Fixture() {
    store = *InspectionStore::Open(dir.string(), &clock, false);
    core = *InspectionCore::Create(store.get(), {&locator, &tracks, &workorders, &metrics}, &clock);
    workorders.photos.insert(kPhoto);
    v1::CreateChecklistDraftRequest draft;
    draft.set_request_id(Rid());
    auto* c = draft.mutable_checklist();
    c->set_template_id("fire.small-venue");
    c->set_department("fire");
    c->set_name("九小场所消防检查");
    c->add_subject_types(v1::SUBJECT_TYPE_SHOP);
    auto* a = c->add_items();
    a->set_code("FIRE-01");
    a->set_text("灭火器在有效期内");
    a->set_answer_type(v1::ANSWER_TYPE_CHECK);
    a->set_photo_required_on_problem(true);
    a->set_workorder_category("safety.small_venue");
    auto* b = c->add_items();
    b->set_code("FIRE-02");
    b->set_text("疏散通道畅通");
    b->set_answer_type(v1::ANSWER_TYPE_CHECK);
    b->set_workorder_category("safety.fire_lane");
    auto created = core->CreateChecklistDraft(kFireHandler, draft);
    REQUIRE(created.ok());
    v1::PublishChecklistRequest pub;
    pub.set_request_id(Rid());
    pub.set_template_id("fire.small-venue");
    pub.set_version(1);
    pub.set_expected_revision(created->revision());
    REQUIRE(core->PublishChecklist(kFireHandler, pub).ok());
    shop = Register(kStation, 113.605);
  }
  ~Fixture() {
    core.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::string Rid() { return absl::StrCat("r", ++next); }

  v1::Subject Register(const Principal& p, double lng) {
    v1::RegisterSubjectRequest req;
    req.set_request_id(Rid());
    auto* s = req.mutable_subject();
    s->set_type(v1::SUBJECT_TYPE_SHOP);
    s->set_name("老王便利店");
    s->mutable_position()->set_lat(34.75);
    s->mutable_position()->set_lng(lng);
    s->set_phone("13812345678");
    s->set_department("fire");
    auto out = core->RegisterSubject(p, req);
    REQUIRE(out.ok());
    return *out;
  }

  // Tasks as published on the feed.
  std::vector<v1::Task> FeedTasks() {
    std::vector<v1::Task> out;
    auto events = store->db()->ReadEvents(1, 100000);
    REQUIRE(events.ok());
    for (const auto& e : *events) {
      v1::TaskChanged t;
      if (e.payload().UnpackTo(&t)) out.push_back(t.task());
    }
    return out;
  }

  v1::Task Assign(const v1::Subject& s, const std::string& worker) {
    v1::AssignTaskRequest req;
    req.set_request_id(Rid());
    req.set_subject_id(s.id());
    req.set_template_id("fire.small-venue");
    req.set_assignee(worker);
    *req.mutable_due_at() = ToProto(clock.Now() + absl::Hours(48));
    auto t = core->AssignTask(kLeader, req);
    REQUIRE(t.ok());
    return *t;
  }

  void WalkTo(const std::string& worker, double lat, double lng) {
    tracks.fixes[worker].push_back({clock.Now() - absl::Minutes(3), lat, lng});
  }

  v1::SubmitResultRequest Submission(const v1::Task& t, v1::Outcome fire01, bool photo = true) {
    v1::SubmitResultRequest req;
    req.set_request_id(Rid());
    req.set_task_id(t.id());
    auto* a = req.add_answers();
    a->set_item_code("FIRE-01");
    a->set_outcome(fire01);
    a->set_note("灭火器过期");
    if (photo) a->add_photos()->set_sha256(kPhoto);
    auto* b = req.add_answers();
    b->set_item_code("FIRE-02");
    b->set_outcome(v1::OUTCOME_OK);
    return req;
  }
};

TEST_CASE_METHOD(Fixture, "a failed item becomes exactly one work order, retries included") {
  v1::Task task = Assign(shop, "wang-wei");
  WalkTo("wang-wei", 34.7502, 113.605);  // ~22 m north of the shop
  auto req = Submission(task, v1::OUTCOME_PROBLEM);
  auto result = core->SubmitResult(kWorker, req);
  REQUIRE(result.ok());
  CHECK(result->presence().status() == v1::Presence::STATUS_VERIFIED);
  CHECK_FALSE(result->flagged());
  CHECK(result->problem_count() == 1);
  CHECK(result->template_version() == 1);
  REQUIRE(result->answers(0).work_order_id() ==
          absl::StrCat("wo-inspection-", result->id(), "-FIRE-01"));
  REQUIRE(workorders.orders.size() == 1);
  const auto& order = workorders.orders.begin()->second;
  CHECK(order.category_id() == "safety.small_venue");
  CHECK(order.source() == workorder::v1::SOURCE_INSPECTION);
  CHECK(order.on_behalf_of() == "wang-wei");
  CHECK(order.on_behalf_of_role() == ROLE_GRID_WORKER);
  CHECK(order.inspection_ref() == result->id() + "/FIRE-01");
  REQUIRE(order.photos_size() == 1);
  CHECK(order.photos(0).sha256() == kPhoto);

  CHECK(metrics.results.Add({{"presence", "VERIFIED"}}).Value() == 1);
  CHECK(metrics.problems.Value() == 1);
  CHECK(metrics.work_orders.Add({{"result", "created"}}).Value() == 1);
  CHECK(metrics.tasks.Add({{"kind", "ASSIGNED"}}).Value() == 1);
  auto again = core->SubmitResult(kWorker, req);  // the phone retries after a timeout
  REQUIRE(again.ok());
  CHECK(again->id() == result->id());
  CHECK(workorders.calls == 1);
  CHECK(metrics.results.Add({{"presence", "VERIFIED"}}).Value() == 1);  // a replay is not a result
  CHECK(core->ProcessPendingOrders().value() == 0);

  v1::GetTaskRequest get;
  get.set_task_id(task.id());
  CHECK(core->GetTask(kWorker, get)->state() == v1::TASK_STATE_DONE);
  auto second = Submission(task, v1::OUTCOME_OK);
  CHECK(core->SubmitResult(kWorker, second).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE_METHOD(Fixture, "the outbox creates the order once the work-order service is back") {
  v1::Task task = Assign(shop, "wang-wei");
  WalkTo("wang-wei", 34.75, 113.605);
  workorders.photos.clear();
  auto req = Submission(task, v1::OUTCOME_PROBLEM, /*photo=*/false);
  req.mutable_answers(0)->set_outcome(v1::OUTCOME_OK);
  req.mutable_answers(1)->set_outcome(v1::OUTCOME_PROBLEM);  // no photo required on FIRE-02
  workorders.down = true;
  auto result = core->SubmitResult(kWorker, req);
  REQUIRE(result.ok());  // the result is durable; the order is owed
  CHECK(result->answers(1).work_order_id().empty());
  CHECK(core->ProcessPendingOrders().value() == 0);
  workorders.down = false;
  CHECK(core->ProcessPendingOrders().value() == 1);
  CHECK(core->ProcessPendingOrders().value() == 0);
  v1::GetResultRequest get;
  get.set_result_id(result->id());
  CHECK_FALSE(core->GetResult(kWorker, get)->answers(1).work_order_id().empty());
  CHECK(workorders.orders.size() == 1);
}

TEST_CASE_METHOD(Fixture, "presence: too far, no track, location down are flagged, not refused") {
  v1::Task t1 = Assign(shop, "wang-wei");
  WalkTo("wang-wei", 34.76, 113.605);  // ~1.1 km away
  auto far = core->SubmitResult(kWorker, Submission(t1, v1::OUTCOME_OK));
  REQUIRE(far.ok());
  CHECK(far->flagged());
  CHECK(far->presence().status() == v1::Presence::STATUS_TOO_FAR);
  CHECK(far->presence().distance_m() == Approx(1112).margin(5));

  v1::Task t2 = Assign(shop, "zhang-san");
  auto none = core->SubmitResult(As(ROLE_GRID_WORKER, "zhang-san", "410105/s01/c01/g01"),
                                 Submission(t2, v1::OUTCOME_OK));
  CHECK(none->presence().status() == v1::Presence::STATUS_NO_TRACK);

  v1::Task t3 = Assign(shop, "wang-wei");
  tracks.down = true;
  auto unknown = core->SubmitResult(kWorker, Submission(t3, v1::OUTCOME_OK));
  CHECK(unknown->presence().status() == v1::Presence::STATUS_UNKNOWN);
  CHECK(unknown->flagged());
}

TEST_CASE_METHOD(Fixture,
                 "presence: a form sent after an offline stretch is checked at performed_at") {
  // At the shop two hours ago (the track has it), nowhere near it since.
  tracks.fixes["wang-wei"].push_back({clock.Now() - absl::Hours(2), 34.7502, 113.605});
  WalkTo("wang-wei", 34.76, 113.605);  // ~1.1 km away now
  v1::Task task = Assign(shop, "wang-wei");
  auto req = Submission(task, v1::OUTCOME_OK);
  *req.mutable_performed_at() = service::ToProto(clock.Now() - absl::Hours(2) + absl::Minutes(5));
  auto result = core->SubmitResult(kWorker, req);
  REQUIRE(result.ok());
  CHECK(result->presence().status() == v1::Presence::STATUS_VERIFIED);
  CHECK_FALSE(result->flagged());
  CHECK(service::FromProto(result->performed_at()) == service::FromProto(req.performed_at()));
  CHECK(service::FromProto(result->submitted_at()) == clock.Now());

  // Without performed_at the same form is checked around the server's time: too far.
  v1::Task now_task = Assign(shop, "wang-wei");
  auto late = core->SubmitResult(kWorker, Submission(now_task, v1::OUTCOME_OK));
  REQUIRE(late.ok());
  CHECK(late->presence().status() == v1::Presence::STATUS_TOO_FAR);
  CHECK(service::FromProto(late->performed_at()) == clock.Now());
}

TEST_CASE_METHOD(Fixture, "presence: performed_at from the future or too long ago is refused") {
  v1::Task task = Assign(shop, "wang-wei");
  WalkTo("wang-wei", 34.7502, 113.605);
  auto ahead = Submission(task, v1::OUTCOME_OK);
  *ahead.mutable_performed_at() = service::ToProto(clock.Now() + absl::Minutes(3));
  auto s = core->SubmitResult(kWorker, ahead).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("phone's clock"));
  auto old = Submission(task, v1::OUTCOME_OK);
  *old.mutable_performed_at() = service::ToProto(clock.Now() - absl::Hours(73));
  s = core->SubmitResult(kWorker, old).status();
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("72h"));
  auto garbage = Submission(task, v1::OUTCOME_OK);
  garbage.mutable_performed_at()->set_nanos(-1);
  CHECK(core->SubmitResult(kWorker, garbage).status().code() == absl::StatusCode::kInvalidArgument);
  // Nothing was stored: the task is still open and takes a good submission.
  auto good = Submission(task, v1::OUTCOME_OK);
  *good.mutable_performed_at() = service::ToProto(clock.Now() + absl::Minutes(1));  // skew
  REQUIRE(core->SubmitResult(kWorker, good).ok());
}

TEST_CASE_METHOD(Fixture, "bad submissions are refused precisely and store nothing") {
  v1::Task task = Assign(shop, "wang-wei");
  auto unknown_version = Submission(task, v1::OUTCOME_OK);
  unknown_version.clear_task_id();
  unknown_version.set_subject_id(shop.id());
  unknown_version.set_template_id("fire.small-venue");
  unknown_version.set_template_version(9);
  CHECK(core->SubmitResult(kWorker, unknown_version).status().code() ==
        absl::StatusCode::kInvalidArgument);
  auto stray = Submission(task, v1::OUTCOME_OK);
  stray.add_answers()->set_item_code("FIRE-77");
  CHECK(core->SubmitResult(kWorker, stray).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(core->SubmitResult(kWorker, Submission(task, v1::OUTCOME_PROBLEM, false)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  auto not_uploaded = Submission(task, v1::OUTCOME_PROBLEM);
  not_uploaded.mutable_answers(0)->mutable_photos(0)->set_sha256(std::string(64, 'c'));
  auto refused = core->SubmitResult(kWorker, not_uploaded);
  CHECK(refused.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(refused.status().message()), Catch::Contains("not uploaded"));
  CHECK(core->SubmitResult(kWorkerG02, Submission(task, v1::OUTCOME_OK)).status().code() ==
        absl::StatusCode::kPermissionDenied);  // another grid's subject and someone else's task
  v1::ListResultsRequest list;
  list.set_subject_id(shop.id());
  CHECK(core->ListResults(kStation, list)->results_size() == 0);
  CHECK(workorders.calls == 0);
  v1::GetTaskRequest get;
  get.set_task_id(task.id());
  CHECK(core->GetTask(kWorker, get)->state() == v1::TASK_STATE_OPEN);
}

TEST_CASE_METHOD(Fixture, "a published version never changes, drafts are versioned") {
  v1::UpdateChecklistDraftRequest edit;
  edit.set_request_id(Rid());
  v1::GetChecklistRequest get;
  get.set_template_id("fire.small-venue");
  *edit.mutable_checklist() = *core->GetChecklist(kWorker, get);
  edit.set_expected_revision(edit.checklist().revision());
  CHECK(core->UpdateChecklistDraft(kFireHandler, edit).status().code() ==
        absl::StatusCode::kFailedPrecondition);

  v1::CreateChecklistDraftRequest v2;
  v2.set_request_id(Rid());
  v2.mutable_checklist()->set_template_id("fire.small-venue");
  v2.mutable_checklist()->set_department("fire");
  v2.mutable_checklist()->set_name("九小场所消防检查（2027版）");
  CHECK(core->CreateChecklistDraft(As(ROLE_DEPARTMENT_HANDLER, "x", "", "work-safety"), v2)
            .status()
            .code() == absl::StatusCode::kPermissionDenied);
  auto draft = core->CreateChecklistDraft(kFireHandler, v2);
  REQUIRE(draft.ok());
  CHECK(draft->version() == 2);
  CHECK(draft->items_size() == 2);  // copied from version 1
  v2.set_request_id(Rid());
  CHECK(core->CreateChecklistDraft(kFireHandler, v2).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  // Workers still get version 1 until version 2 is published; tasks pin it.
  CHECK(core->GetChecklist(kWorker, get)->version() == 1);
  get.set_version(2);
  CHECK(core->GetChecklist(kWorker, get).status().code() == absl::StatusCode::kPermissionDenied);
  v1::Task pinned = Assign(shop, "wang-wei");
  CHECK(pinned.template_version() == 1);

  edit.set_request_id(Rid());
  *edit.mutable_checklist() = *draft;
  edit.mutable_checklist()->mutable_items(0)->set_text("灭火器压力正常、在有效期内");
  edit.set_expected_revision(draft->revision() + 5);
  CHECK(core->UpdateChecklistDraft(kFireHandler, edit).status().code() ==
        absl::StatusCode::kAborted);
  edit.set_expected_revision(draft->revision());
  auto edited = core->UpdateChecklistDraft(kFireHandler, edit);
  REQUIRE(edited.ok());
  v1::PublishChecklistRequest pub;
  pub.set_request_id(Rid());
  pub.set_template_id("fire.small-venue");
  pub.set_version(2);
  pub.set_expected_revision(edited->revision());
  REQUIRE(core->PublishChecklist(kFireHandler, pub).ok());
  get.set_version(0);
  CHECK(core->GetChecklist(kWorker, get)->version() == 2);
  // A result for the pinned task is filled against version 1, which is unchanged.
  WalkTo("wang-wei", 34.75, 113.605);
  auto result = core->SubmitResult(kWorker, Submission(pinned, v1::OUTCOME_OK));
  REQUIRE(result.ok());
  CHECK(result->template_version() == 1);
}

TEST_CASE_METHOD(Fixture, "subjects: pending from patrol, scope, masking") {
  v1::Subject found = Register(kWorker, 113.606);
  CHECK(found.status() == v1::Subject::STATUS_PENDING);
  v1::AssignTaskRequest assign;
  assign.set_request_id(Rid());
  assign.set_subject_id(found.id());
  assign.set_template_id("fire.small-venue");
  assign.set_assignee("wang-wei");
  *assign.mutable_due_at() = ToProto(clock.Now() + absl::Hours(1));
  CHECK(core->AssignTask(kLeader, assign).status().code() == absl::StatusCode::kFailedPrecondition);
  v1::ConfirmSubjectRequest confirm;
  confirm.set_request_id(Rid());
  confirm.set_subject_id(found.id());
  confirm.set_expected_version(found.version());
  CHECK(core->ConfirmSubject(kWorker, confirm).status().code() ==
        absl::StatusCode::kPermissionDenied);
  auto confirmed = core->ConfirmSubject(kStation, confirm);
  REQUIRE(confirmed.ok());
  CHECK(confirmed->status() == v1::Subject::STATUS_CONFIRMED);

  v1::RegisterSubjectRequest elsewhere;
  elsewhere.set_request_id(Rid());
  elsewhere.mutable_subject()->set_type(v1::SUBJECT_TYPE_SHOP);
  elsewhere.mutable_subject()->set_name("隔壁网格的店");
  elsewhere.mutable_subject()->mutable_position()->set_lat(34.75);
  elsewhere.mutable_subject()->mutable_position()->set_lng(113.615);
  CHECK(core->RegisterSubject(kWorker, elsewhere).status().code() ==
        absl::StatusCode::kPermissionDenied);

  v1::GetSubjectRequest get;
  get.set_subject_id(shop.id());
  CHECK(core->GetSubject(kWorker, get)->phone() == "13812345678");
  CHECK(core->GetSubject(As(ROLE_DISTRICT_COMMAND, "cmd"), get)->phone() == "138****5678");
  CHECK(core->GetSubject(kWorkerG02, get).status().code() == absl::StatusCode::kPermissionDenied);
  v1::ListSubjectsRequest list;
  CHECK(core->ListSubjects(kWorker, list)->subjects_size() == 2);
  CHECK(core->ListSubjects(kWorkerG02, list)->subjects_size() == 0);
  list.set_region_prefix("410105/s01/c01/g02");
  CHECK(core->ListSubjects(kWorker, list).status().code() == absl::StatusCode::kPermissionDenied);
}

TEST_CASE_METHOD(Fixture, "a person's name is masked in tasks and never sent to work orders") {
  v1::CreateChecklistDraftRequest draft;
  draft.set_request_id(Rid());
  auto* c = draft.mutable_checklist();
  c->set_template_id("civil-affairs.elderly-visit");
  c->set_department("civil-affairs");
  c->set_name("独居老人走访");
  c->add_subject_types(v1::SUBJECT_TYPE_ELDERLY_ALONE);
  auto* item = c->add_items();
  item->set_code("CA-01");
  item->set_text("用电用气安全");
  item->set_answer_type(v1::ANSWER_TYPE_CHECK);
  item->set_workorder_category("safety.gas");
  const Principal civil = As(ROLE_DEPARTMENT_HANDLER, "ca-1", "", "civil-affairs");
  auto created = core->CreateChecklistDraft(civil, draft);
  REQUIRE(created.ok());
  v1::PublishChecklistRequest pub;
  pub.set_request_id(Rid());
  pub.set_template_id("civil-affairs.elderly-visit");
  pub.set_version(1);
  pub.set_expected_revision(created->revision());
  REQUIRE(core->PublishChecklist(civil, pub).ok());
  v1::RegisterSubjectRequest reg;
  reg.set_request_id(Rid());
  auto* elder = reg.mutable_subject();
  elder->set_type(v1::SUBJECT_TYPE_ELDERLY_ALONE);
  elder->set_name("李桂兰");
  elder->mutable_position()->set_lat(34.75);
  elder->mutable_position()->set_lng(113.6055);
  auto person = core->RegisterSubject(kStation, reg);
  REQUIRE(person.ok());
  v1::AssignTaskRequest assign;
  assign.set_request_id(Rid());
  assign.set_subject_id(person->id());
  assign.set_template_id("civil-affairs.elderly-visit");
  assign.set_assignee("wang-wei");
  *assign.mutable_due_at() = ToProto(clock.Now() + absl::Hours(24));
  auto task = core->AssignTask(kLeader, assign);
  REQUIRE(task.ok());
  CHECK(task->subject_name() == "李桂兰");  // the leader may see it
  v1::ListTasksRequest list;
  auto seen_by_command = core->ListTasks(As(ROLE_DISTRICT_COMMAND, "cmd"), list);
  bool found = false;
  for (const auto& t : seen_by_command->tasks()) {
    if (t.id() == task->id()) {
      found = true;
      CHECK(t.subject_name() == "李**");
    }
  }
  CHECK(found);
  for (const auto& t : FeedTasks()) CHECK(t.subject_name() != "李桂兰");

  WalkTo("wang-wei", 34.75, 113.6055);
  v1::SubmitResultRequest submit;
  submit.set_request_id(Rid());
  submit.set_task_id(task->id());
  auto* a = submit.add_answers();
  a->set_item_code("CA-01");
  a->set_outcome(v1::OUTCOME_PROBLEM);
  auto result = core->SubmitResult(kWorker, submit);
  REQUIRE(result.ok());
  REQUIRE(workorders.orders.size() == 1);
  CHECK(workorders.orders.begin()->second.description().find("李桂兰") == std::string::npos);
}

TEST_CASE_METHOD(Fixture, "weekly schedules generate tasks once, missed tasks are marked") {
  v1::UpsertScheduleRequest req;
  req.set_request_id(Rid());
  auto* s = req.mutable_schedule();
  s->set_id("weekly-fire-g01");
  s->set_name("每周九小场所消防检查");
  s->set_template_id("fire.small-venue");
  s->add_subject_types(v1::SUBJECT_TYPE_SHOP);
  s->set_region_prefix("410105/s01/c01/g01");
  s->set_assignee("wang-wei");
  s->set_active(true);
  s->mutable_recurrence()->set_frequency(v1::Recurrence::FREQUENCY_WEEKLY);
  *s->mutable_recurrence()->mutable_start() = ToProto(clock.Now() + absl::Hours(2));
  *s->mutable_recurrence()->mutable_due_within() = ToProto(absl::Hours(24 * 3));
  CHECK(core->UpsertSchedule(kWorker, req).status().code() == absl::StatusCode::kPermissionDenied);
  REQUIRE(core->UpsertSchedule(kLeader, req).ok());
  CHECK(core->ListSchedules(kWorker, {})->schedules_size() == 1);     // covers their grid
  CHECK(core->ListSchedules(kStation, {})->schedules_size() == 1);    // inside their community
  CHECK(core->ListSchedules(kWorkerG02, {})->schedules_size() == 0);  // another grid
  Register(kStation, 113.607);                                        // a second shop in g01
  CHECK(core->RunSchedules().value() == 2);  // the first occurrence is within the lookahead
  CHECK(core->RunSchedules().value() == 0);
  clock.Advance(absl::Hours(24 * 7));
  CHECK(core->RunSchedules().value() == 2);
  v1::ListTasksRequest list;
  auto tasks = core->ListTasks(kWorker, list);
  REQUIRE(tasks->tasks_size() == 4);
  CHECK(tasks->tasks(0).kind() == v1::TASK_KIND_SCHEDULED);
  // The first week's tasks (due 3 days after their occurrence) are missed by now.
  CHECK(core->MarkMissedTasks().value() == 2);
  CHECK(core->MarkMissedTasks().value() == 0);
  list.add_states(v1::TASK_STATE_MISSED);
  CHECK(core->ListTasks(kLeader, list)->tasks_size() == 2);
}

TEST_CASE_METHOD(Fixture, "a closed work order of a problem schedules one re-inspection") {
  v1::Task task = Assign(shop, "wang-wei");
  WalkTo("wang-wei", 34.75, 113.605);
  auto result = core->SubmitResult(kWorker, Submission(task, v1::OUTCOME_PROBLEM));
  const std::string order_id = result->answers(0).work_order_id();
  REQUIRE_FALSE(order_id.empty());
  auto feed_event = [&](workorder::v1::State from, workorder::v1::State to) {
    workorder::v1::OrderEvent e;
    e.set_order_id(order_id);
    e.set_from_state(from);
    e.set_to_state(to);
    store::FeedEvent fe;
    fe.mutable_payload()->PackFrom(e);
    return fe;
  };
  auto apply = [&](const store::FeedEvent& fe) {
    store::WriteRequest w;
    REQUIRE(core->ApplyWorkOrderEvent(fe, w).ok());
    REQUIRE(store->db()->Commit(std::move(w)).ok());
  };
  apply(feed_event(workorder::v1::STATE_DISPATCHED, workorder::v1::STATE_ACCEPTED));
  v1::GetSubjectHistoryRequest hist;
  hist.set_subject_id(shop.id());
  CHECK(core->GetSubjectHistory(kWorker, hist)->open_work_orders_size() == 1);
  apply(feed_event(workorder::v1::STATE_VERIFYING, workorder::v1::STATE_CLOSED));
  apply(feed_event(workorder::v1::STATE_VERIFYING, workorder::v1::STATE_CLOSED));  // replayed
  auto history = core->GetSubjectHistory(kWorker, hist);
  CHECK(history->open_work_orders_size() == 0);
  // A cancelled order of another problem is no longer open and schedules nothing.
  v1::Task t2 = Assign(shop, "wang-wei");
  auto r2 = core->SubmitResult(kWorker, Submission(t2, v1::OUTCOME_PROBLEM));
  const std::string cancelled_id = r2->answers(0).work_order_id();
  workorder::v1::OrderEvent cancel;
  cancel.set_order_id(cancelled_id);
  cancel.set_from_state(workorder::v1::STATE_REPORTED);
  cancel.set_to_state(workorder::v1::STATE_CANCELLED);
  store::FeedEvent cancel_event;
  cancel_event.mutable_payload()->PackFrom(cancel);
  apply(cancel_event);
  history = core->GetSubjectHistory(kWorker, hist);
  CHECK(history->open_work_orders_size() == 0);
  REQUIRE(history->open_tasks_size() == 1);
  CHECK(history->open_tasks(0).kind() == v1::TASK_KIND_REINSPECTION);
  CHECK(history->open_tasks(0).source_order_id() == order_id);
  CHECK(history->open_tasks(0).assignee() == "wang-wei");
  CHECK(history->recent_results_size() == 2);
}

}  // namespace
}  // namespace gridwork::inspection
