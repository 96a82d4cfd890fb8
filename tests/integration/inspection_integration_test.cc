// gridwork-inspection wired as in production to real gridwork-geofence, gridwork-location and
// gridwork-workorder processes, each with a temporary RocksDB store, over real gRPC with
// signed principals: a grid leader assigns a task, the worker's track (ingested through
// location) verifies presence, a failed item becomes exactly one work order (with the photo,
// however often the submission is retried), closing that order schedules a re-inspection;
// absent inspectors are flagged, bad input is refused with precise codes and stores nothing,
// personal data is masked by role, and subjects from patrol wait for confirmation.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/core/ids.h"
#include "gridwork/geo/distance.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "tests/integration/core_services.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"
#include "tests/integration/wait_for.h"
#include "tests/integration/small_tree.h"

namespace gridwork::testing {
namespace {

namespace gv1 = geofence::v1;
namespace iv1 = inspection::v1;
namespace lv1 = location::v1;
namespace wv1 = workorder::v1;
using common::v1::Principal;
using common::v1::ROLE_ADMIN;
using common::v1::ROLE_COMMUNITY_STATION;
using common::v1::ROLE_DEPARTMENT_HANDLER;
using common::v1::ROLE_DISTRICT_COMMAND;
using common::v1::ROLE_GRID_LEADER;
using common::v1::ROLE_GRID_WORKER;
using common::v1::ROLE_VIEWER;

// ---- Positions in the small region tree (small_tree.h) ---------------------------------------

const common::v1::LatLng kShopPos = At(34.72, 113.61);       // in g01
const common::v1::LatLng kOtherGridPos = At(34.72, 113.64);  // in g02

// ---- The checklist -------------------------------------------------------------------------

constexpr char kTemplate[] = "fire.small-venue";
constexpr char kExtinguisher[] = "FIRE-01";  // CHECK, photo on problem, → work order
constexpr char kExits[] = "FIRE-02";         // CHECK, recorded only
constexpr char kPressure[] = "FIRE-03";      // NUMBER 1.0–1.4 MPa, recorded only
constexpr char kCategory[] = "safety.fire_equipment";
constexpr char kExtinguisherText[] = "灭火器在有效期内并按期检查";

// ---- Principals -----------------------------------------------------------------------------

Principal Admin() { return MakePrincipal(ROLE_ADMIN, "", "admin"); }
Principal Station() { return MakePrincipal(ROLE_COMMUNITY_STATION, kCommunity, "station-c01"); }
Principal Leader() { return MakePrincipal(ROLE_GRID_LEADER, kG01, "leader-g01"); }
Principal Worker(const std::string& who = "w-li") {
  return MakePrincipal(ROLE_GRID_WORKER, kG01, who);
}
Principal Handler() {
  Principal p = MakePrincipal(ROLE_DEPARTMENT_HANDLER, "", "fire-handler");
  p.set_department("fire");
  return p;
}
Principal Command() { return MakePrincipal(ROLE_DISTRICT_COMMAND, "410105", "command"); }
Principal Viewer() { return MakePrincipal(ROLE_VIEWER, "410105", "viewer"); }

std::string Jpeg(const std::string& body) {
  return std::string("\xFF\xD8\xFF\xE0", 4) + body + std::string("\xFF\xD9", 2);
}

std::string Why(const grpc::Status& s) {
  return absl::StrCat("status ", s.error_code(), ": ", s.error_message());
}

// Millisecond precision, as the location store keeps device times.
absl::Time NowMillis() { return absl::FromUnixMillis(absl::ToUnixMillis(absl::Now())); }

iv1::Answer CheckAnswer(const std::string& code, iv1::Outcome outcome,
                        const std::vector<std::string>& photos = {}) {
  iv1::Answer a;
  a.set_item_code(code);
  a.set_outcome(outcome);
  for (const auto& sha : photos) {
    iv1::PhotoRef* ref = a.add_photos();
    ref->set_sha256(sha);
    *ref->mutable_capture_time() = service::ToProto(absl::Now() - absl::Minutes(1));
    *ref->mutable_capture_position() = kShopPos;
  }
  return a;
}

iv1::Answer NumberAnswer(const std::string& code, double value) {
  iv1::Answer a;
  a.set_item_code(code);
  a.set_number(value);
  return a;
}

// A complete set of answers: the extinguisher as given, exits OK, pressure `pressure` MPa.
std::vector<iv1::Answer> Answers(iv1::Outcome extinguisher,
                                 const std::vector<std::string>& photos = {},
                                 double pressure = 1.2) {
  iv1::Answer first = CheckAnswer(kExtinguisher, extinguisher, photos);
  if (extinguisher == iv1::OUTCOME_PROBLEM) first.set_note("灭火器过期两个月");
  return {first, CheckAnswer(kExits, iv1::OUTCOME_OK), NumberAnswer(kPressure, pressure)};
}

// ---- The four services ----------------------------------------------------------------------

struct Cluster : CoreServices {
  TempDir inspection_dir;
  ServiceProcess inspection{"gridwork-inspection",
                            {"--data_dir=" + inspection_dir.path(), "--sync=false",
                             "--geofence_addr=" + geofence_addr, "--location_addr=" + location_addr,
                             "--workorder_addr=" + workorder_addr, "--loop_period=200ms"},
                            {KeyEnv()}};
  std::unique_ptr<iv1::InspectionService::Stub> insp;
  iv1::ChecklistVersion checklist;  // the published version 1
  iv1::Subject shop;                // confirmed, in g01, registered by the station
  int next_request = 0;
  uint64_t next_sequence = 0;

  Cluster() {
    StartCore();
    ImportRegions();
    LoadWorkOrderCatalog();
    auto started = inspection.Start();
    INFO(started.message());
    REQUIRE(started.ok());
    insp = iv1::InspectionService::NewStub(rpc::MakeChannel(inspection.grpc_target()));
    LoadChecklist();
    shop = Register(Station(), "老王便利店", kShopPos);
    REQUIRE(shop.status() == iv1::Subject::STATUS_CONFIRMED);
    REQUIRE(shop.region_path() == kG01);
    REQUIRE(shop.radius_m() == 50);
  }

  // The ServiceProcess destructors SIGKILL whatever still runs; graceful shutdown is checked
  // by the first test (StopInspection) and by each service's own integration test.

  // SIGTERM to the inspection service while its feed consumer and loops run: it drains and
  // exits 0.
  int StopInspection() { return inspection.Stop(); }

  std::string Rid(const std::string& what) { return absl::StrCat(what, "-", ++next_request); }

  void ImportRegions() {
    gv1::ImportRegionsRequest import;
    import.set_request_id("import-tree");
    import.set_geojson(SmallTree());
    gv1::ImportRegionsResponse imported;
    grpc::Status s = geo->ImportRegions(As(Admin()).get(), import, &imported);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(imported.created() == 5);
  }

  void LoadWorkOrderCatalog() {
    for (const auto& [id, parent, name] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"safety", "", "安全隐患"}, {kCategory, "safety", "消防设施"}}) {
      wv1::UpsertCategoryRequest req;
      req.set_request_id(Rid("category"));
      wv1::Category* c = req.mutable_category();
      c->set_id(id);
      c->set_parent_id(parent);
      c->set_name(name);
      c->set_default_department("fire");
      c->set_severity(wv1::SEVERITY_HIGH);
      // Hours: no SLA timer fires during the test.
      *c->mutable_sla()->mutable_triage() = service::ToProto(absl::Hours(2));
      *c->mutable_sla()->mutable_accept() = service::ToProto(absl::Hours(4));
      *c->mutable_sla()->mutable_handle() = service::ToProto(absl::Hours(24));
      *c->mutable_sla()->mutable_review() = service::ToProto(absl::Hours(8));
      *c->mutable_sla()->mutable_verify() = service::ToProto(absl::Hours(48));
      wv1::Category out;
      grpc::Status s = wo->UpsertCategory(As(Admin()).get(), req, &out);
      INFO(id << ": " << Why(s));
      REQUIRE(s.ok());
    }
    wv1::UpsertDispatchRuleRequest rule;
    rule.set_request_id(Rid("rule"));
    rule.mutable_rule()->set_id("r-safety");
    rule.mutable_rule()->set_category_prefix("safety");
    rule.mutable_rule()->set_department("fire");
    wv1::DispatchRule out;
    grpc::Status s = wo->UpsertDispatchRule(As(Admin()).get(), rule, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
  }

  void LoadChecklist() {
    iv1::ChecklistVersion c;
    c.set_template_id(kTemplate);
    c.set_department("fire");
    c.set_name("九小场所消防检查");
    c.add_subject_types(iv1::SUBJECT_TYPE_SHOP);
    c.add_subject_types(iv1::SUBJECT_TYPE_RESTAURANT);
    iv1::ChecklistItem* item = c.add_items();
    item->set_code(kExtinguisher);
    item->set_text(kExtinguisherText);
    item->set_answer_type(iv1::ANSWER_TYPE_CHECK);
    item->set_photo_required_on_problem(true);
    item->set_severity(iv1::SEVERITY_HIGH);
    item->set_workorder_category(kCategory);
    item = c.add_items();
    item->set_code(kExits);
    item->set_text("疏散通道畅通、无杂物堆放");
    item->set_answer_type(iv1::ANSWER_TYPE_CHECK);
    item->set_severity(iv1::SEVERITY_MEDIUM);
    item = c.add_items();
    item->set_code(kPressure);
    item->set_text("灭火器压力表读数");
    item->set_answer_type(iv1::ANSWER_TYPE_NUMBER);
    item->set_min(1.0);
    item->set_max(1.4);
    item->set_unit("MPa");
    checklist = Publish("消防", c);
    REQUIRE(checklist.items_size() == 3);
  }

  // Creates the department of `c`, then `c` as version 1 (a draft), then publishes it.
  iv1::ChecklistVersion Publish(const std::string& department_name, iv1::ChecklistVersion c) {
    iv1::UpsertDepartmentRequest dep;
    dep.set_request_id(Rid("department"));
    dep.mutable_department()->set_id(c.department());
    dep.mutable_department()->set_name(department_name);
    iv1::Department department;
    grpc::Status s = insp->UpsertDepartment(As(Admin()).get(), dep, &department);
    INFO(Why(s));
    REQUIRE(s.ok());

    iv1::CreateChecklistDraftRequest create;
    create.set_request_id(Rid("draft"));
    *create.mutable_checklist() = std::move(c);
    iv1::ChecklistVersion draft;
    s = insp->CreateChecklistDraft(As(Admin()).get(), create, &draft);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(draft.version() == 1);
    REQUIRE(draft.status() == iv1::ChecklistVersion::STATUS_DRAFT);

    iv1::PublishChecklistRequest publish;
    publish.set_request_id(Rid("publish"));
    publish.set_template_id(draft.template_id());
    publish.set_version(1);
    publish.set_expected_revision(draft.revision());
    iv1::ChecklistVersion published;
    s = insp->PublishChecklist(As(Admin()).get(), publish, &published);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(published.status() == iv1::ChecklistVersion::STATUS_PUBLISHED);
    return published;
  }

  grpc::Status TryRegister(const Principal& p, const std::string& name,
                           const common::v1::LatLng& where, iv1::Subject* out,
                           const std::function<void(iv1::Subject&)>& customize = nullptr) {
    iv1::RegisterSubjectRequest req;
    req.set_request_id(Rid("register"));
    iv1::Subject* s = req.mutable_subject();
    s->set_type(iv1::SUBJECT_TYPE_SHOP);
    s->set_name(name);
    s->set_address("金水区某路 12 号");
    *s->mutable_position() = where;
    s->set_department("fire");
    if (customize) customize(*s);
    return insp->RegisterSubject(As(p).get(), req, out);
  }

  iv1::Subject Register(const Principal& p, const std::string& name,
                        const common::v1::LatLng& where,
                        const std::function<void(iv1::Subject&)>& customize = nullptr) {
    iv1::Subject out;
    grpc::Status s = TryRegister(p, name, where, &out, customize);
    INFO(Why(s));
    REQUIRE(s.ok());
    return out;
  }

  grpc::Status TryAssign(const Principal& p, const std::string& subject_id,
                         const std::string& assignee, iv1::Task* out) {
    iv1::AssignTaskRequest req;
    req.set_request_id(Rid("assign"));
    req.set_subject_id(subject_id);
    req.set_template_id(kTemplate);
    req.set_assignee(assignee);
    *req.mutable_due_at() = service::ToProto(absl::Now() + absl::Hours(8));
    req.set_campaign("安全生产月");
    return insp->AssignTask(As(p).get(), req, out);
  }

  iv1::Task Assign(const std::string& subject_id, const std::string& assignee) {
    iv1::Task out;
    grpc::Status s = TryAssign(Leader(), subject_id, assignee, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
    return out;
  }

  // Uploads fixes of `p` (a grid worker) through location; all must be accepted.
  void Ingest(const Principal& p,
              const std::vector<std::pair<common::v1::LatLng, absl::Time>>& fixes) {
    lv1::FixBatch batch;
    batch.set_batch_id(++next_sequence);
    batch.set_device_id("phone-" + p.subject());
    for (const auto& [where, when] : fixes) {
      lv1::DeviceFix* f = batch.add_fixes();
      f->set_sequence(++next_sequence);
      *f->mutable_device_time() = service::ToProto(when);
      *f->mutable_position() = where;
      f->set_accuracy_m(8);
      f->set_speed_mps(-1);
      f->set_heading_deg(-1);
      f->set_battery_pct(80);
      f->set_provider(common::v1::Fix::PROVIDER_GPS);
    }
    lv1::BatchAck ack;
    grpc::Status s = loc->IngestFixes(As(p).get(), batch, &ack);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(ack.error().empty());
    REQUIRE(ack.rejections_size() == 0);
    REQUIRE(ack.accepted() == static_cast<int>(fixes.size()));
  }

  grpc::Status TryUpload(const Principal& p, const std::string& content, wv1::PhotoRecord* out) {
    wv1::UploadPhotoRequest req;
    req.set_content(content);
    *req.mutable_capture_time() = service::ToProto(absl::Now() - absl::Minutes(1));
    *req.mutable_capture_position() = kShopPos;
    return wo->UploadPhoto(As(p).get(), req, out);
  }

  std::string UploadJpeg(const Principal& p, const std::string& body) {
    wv1::PhotoRecord record;
    grpc::Status s = TryUpload(p, Jpeg(body), &record);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(record.media_type() == "image/jpeg");
    REQUIRE(record.sha256().size() == 64);
    return record.sha256();
  }

  iv1::SubmitResultRequest ForTask(const std::string& task_id,
                                   const std::vector<iv1::Answer>& answers) {
    iv1::SubmitResultRequest req;
    req.set_request_id(Rid("submit"));
    req.set_task_id(task_id);
    for (const auto& a : answers) *req.add_answers() = a;
    return req;
  }

  iv1::SubmitResultRequest AdHoc(const std::string& subject_id,
                                 const std::vector<iv1::Answer>& answers, uint32_t version = 0) {
    iv1::SubmitResultRequest req;
    req.set_request_id(Rid("submit"));
    req.set_subject_id(subject_id);
    req.set_template_id(kTemplate);
    req.set_template_version(version);
    for (const auto& a : answers) *req.add_answers() = a;
    return req;
  }

  grpc::Status TrySubmit(const Principal& p, const iv1::SubmitResultRequest& req,
                         iv1::InspectionResult* out) {
    return insp->SubmitResult(As(p).get(), req, out);
  }

  iv1::InspectionResult Submit(const Principal& p, const iv1::SubmitResultRequest& req) {
    iv1::InspectionResult out;
    grpc::Status s = TrySubmit(p, req, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
    return out;
  }

  int ResultCount(const std::string& subject_id) {
    iv1::ListResultsRequest req;
    req.set_subject_id(subject_id);
    req.set_page_size(500);
    iv1::ListResultsResponse resp;
    grpc::Status s = insp->ListResults(As(Station()).get(), req, &resp);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(resp.next_page_token().empty());
    return resp.results_size();
  }

  std::vector<iv1::Task> Tasks(const Principal& p) {
    iv1::ListTasksRequest req;
    req.set_page_size(1000);
    iv1::ListTasksResponse resp;
    grpc::Status s = insp->ListTasks(As(p).get(), req, &resp);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(resp.next_page_token().empty());
    return {resp.tasks().begin(), resp.tasks().end()};
  }

  iv1::Task GetTask(const std::string& id) {
    iv1::GetTaskRequest req;
    req.set_task_id(id);
    iv1::Task out;
    grpc::Status s = insp->GetTask(As(Station()).get(), req, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
    return out;
  }

  iv1::Subject GetSubject(const Principal& p, const std::string& id) {
    iv1::GetSubjectRequest req;
    req.set_subject_id(id);
    iv1::Subject out;
    grpc::Status s = insp->GetSubject(As(p).get(), req, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
    return out;
  }

  iv1::SubjectHistory History(const std::string& subject_id) {
    iv1::GetSubjectHistoryRequest req;
    req.set_subject_id(subject_id);
    iv1::SubjectHistory out;
    grpc::Status s = insp->GetSubjectHistory(As(Station()).get(), req, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
    return out;
  }

  int64_t OrderTotal() {
    wv1::CountOrdersRequest req;
    wv1::CountOrdersResponse resp;
    grpc::Status s = wo->CountOrders(As(Admin()).get(), req, &resp);
    INFO(Why(s));
    REQUIRE(s.ok());
    return resp.total();
  }

  wv1::WorkOrder GetOrder(const std::string& id) {
    wv1::GetOrderRequest req;
    req.set_order_id(id);
    wv1::WorkOrder out;
    grpc::Status s = wo->GetOrder(As(Admin()).get(), req, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
    return out;
  }

  grpc::Status TryAct(const Principal& p, const wv1::WorkOrder& o, wv1::Action a,
                      wv1::WorkOrder* out, const std::string& verifier = "") {
    wv1::TransitionRequest req;
    req.set_request_id(Rid("act"));
    req.set_order_id(o.id());
    req.set_expected_version(o.version());
    req.set_action(a);
    req.set_verifier(verifier);
    return wo->Transition(As(p).get(), req, out);
  }

  wv1::WorkOrder Act(const Principal& p, const wv1::WorkOrder& o, wv1::Action a,
                     const std::string& verifier = "") {
    wv1::WorkOrder out;
    grpc::Status s = TryAct(p, o, a, &out, verifier);
    INFO(wv1::Action_Name(a) << " on " << wv1::State_Name(o.state()) << ": " << Why(s));
    REQUIRE(s.ok());
    REQUIRE(out.version() == o.version() + 1);
    return out;
  }
};

}  // namespace

TEST_CASE("a failed item becomes one work order, and closing it schedules a re-inspection",
          "[integration]") {
  Cluster c;
  const Principal w = Worker("w-li");

  // The grid leader assigns the inspection to W; the task pins version 1.
  const iv1::Task task = c.Assign(c.shop.id(), w.subject());
  REQUIRE(task.kind() == iv1::TASK_KIND_ASSIGNED);
  REQUIRE(task.state() == iv1::TASK_STATE_OPEN);
  REQUIRE(task.template_version() == 1);
  REQUIRE(task.region_path() == kG01);
  REQUIRE(task.assigned_by() == "leader-g01");

  // W walks to the shop: fixes 6–15 m from it over the last few minutes.
  const absl::Time t0 = NowMillis() - absl::Minutes(4);
  c.Ingest(w, {{At(34.72010, 113.61010), t0},
               {At(34.72005, 113.61000), t0 + absl::Minutes(1)},
               {At(34.72000, 113.61008), t0 + absl::Minutes(2)}});
  const std::string photo = c.UploadJpeg(w, "expired extinguisher by the door");

  const iv1::SubmitResultRequest req = c.ForTask(task.id(), Answers(iv1::OUTCOME_PROBLEM, {photo}));
  const iv1::InspectionResult result = c.Submit(w, req);
  REQUIRE(result.task_id() == task.id());
  REQUIRE(result.subject_id() == c.shop.id());
  REQUIRE(result.region_path() == kG01);
  REQUIRE(result.template_id() == kTemplate);
  REQUIRE(result.template_version() == 1);
  REQUIRE(result.department() == "fire");
  REQUIRE(result.inspector() == w.subject());
  REQUIRE(result.presence().status() == iv1::Presence::STATUS_VERIFIED);
  REQUIRE(result.presence().radius_m() == 50);
  REQUIRE(result.presence().distance_m() < 10);  // the nearest fix, ~5.6 m away
  REQUIRE_FALSE(result.flagged());
  REQUIRE(result.problem_count() == 1);
  REQUIRE(result.answers_size() == 3);
  const iv1::Answer& failed = result.answers(0);
  REQUIRE(failed.item_code() == kExtinguisher);
  REQUIRE(failed.outcome() == iv1::OUTCOME_PROBLEM);
  REQUIRE(failed.photos_size() == 1);
  REQUIRE(failed.photos(0).sha256() == photo);
  INFO(failed.work_order_error());
  REQUIRE_FALSE(failed.work_order_id().empty());
  REQUIRE(failed.work_order_error().empty());
  REQUIRE(result.answers(1).item_code() == kExits);
  REQUIRE(result.answers(1).outcome() == iv1::OUTCOME_OK);
  REQUIRE(result.answers(1).work_order_id().empty());
  REQUIRE(result.answers(2).item_code() == kPressure);
  REQUIRE(result.answers(2).outcome() == iv1::OUTCOME_OK);  // 1.2 MPa is inside [1.0, 1.4]
  REQUIRE(result.answers(2).work_order_id().empty());

  // The order in the work-order service, read by an unscoped admin.
  const std::string order_id = failed.work_order_id();
  wv1::WorkOrder order = c.GetOrder(order_id);
  REQUIRE(order.source() == wv1::SOURCE_INSPECTION);
  REQUIRE(order.inspection_ref() == absl::StrCat(result.id(), "/", kExtinguisher));
  REQUIRE(order.category_id() == kCategory);
  REQUIRE(order.reporter() == w.subject());
  REQUIRE(order.region_path() == kG01);
  REQUIRE(order.position().lat() == kShopPos.lat());
  REQUIRE(order.position().lng() == kShopPos.lng());
  REQUIRE(order.description().find(c.shop.name()) != std::string::npos);
  REQUIRE(order.description().find(kExtinguisherText) != std::string::npos);
  REQUIRE(order.photos_size() == 1);
  REQUIRE(order.photos(0).sha256() == photo);
  REQUIRE(order.photos(0).phase() == wv1::PHOTO_PHASE_BEFORE);
  REQUIRE(order.photos(0).uploaded_by() == w.subject());
  REQUIRE(order.state() == wv1::STATE_DISPATCHED);  // by rule r-safety
  REQUIRE(order.department() == "fire");
  REQUIRE(c.OrderTotal() == 1);

  // The task is done with this result.
  iv1::Task done = c.GetTask(task.id());
  REQUIRE(done.state() == iv1::TASK_STATE_DONE);
  REQUIRE(done.result_id() == result.id());
  iv1::SubjectHistory history = c.History(c.shop.id());
  REQUIRE(history.recent_results_size() == 1);
  REQUIRE(std::vector<std::string>(history.open_work_orders().begin(),
                                   history.open_work_orders().end()) ==
          std::vector<std::string>{order_id});

  // The phone retries the same request: the same result, no second order.
  const iv1::InspectionResult retried = c.Submit(w, req);
  REQUIRE(retried.id() == result.id());
  REQUIRE(retried.answers(0).work_order_id() == order_id);
  REQUIRE(c.OrderTotal() == 1);
  REQUIRE(c.ResultCount(c.shop.id()) == 1);

  // The same request id with another payload is refused; so is a second result for the task.
  iv1::SubmitResultRequest reused = req;
  reused.set_notes("changed");
  iv1::InspectionResult refused;
  grpc::Status s = c.TrySubmit(w, reused, &refused);
  INFO(Why(s));
  REQUIRE(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  s = c.TrySubmit(w, c.ForTask(task.id(), Answers(iv1::OUTCOME_OK)), &refused);
  INFO(Why(s));
  REQUIRE(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  REQUIRE(c.ResultCount(c.shop.id()) == 1);

  // No re-inspection while the order is open.
  for (const auto& t : c.Tasks(w)) REQUIRE(t.kind() != iv1::TASK_KIND_REINSPECTION);

  // The work-order loop closes the order: the fire department handles it, the station sends
  // W to verify, W is satisfied.
  order = c.Act(Handler(), order, wv1::ACTION_ACCEPT);
  order = c.Act(Handler(), order, wv1::ACTION_START);
  order = c.Act(Handler(), order, wv1::ACTION_HANDLE);
  order = c.Act(Station(), order, wv1::ACTION_ASSIGN_VERIFICATION, w.subject());
  REQUIRE(order.verifier() == w.subject());
  order = c.Act(w, order, wv1::ACTION_VERIFY_SATISFIED);
  REQUIRE(order.state() == wv1::STATE_CLOSED);
  const absl::Time closed_at = absl::Now();

  // Inspection follows the work-order feed: a re-inspection for W appears within seconds.
  std::vector<iv1::Task> reinspections;
  REQUIRE(WaitFor([&] {
    reinspections.clear();
    for (const auto& t : c.Tasks(w)) {
      if (t.kind() == iv1::TASK_KIND_REINSPECTION) reinspections.push_back(t);
    }
    return !reinspections.empty();
  }));
  REQUIRE(reinspections.size() == 1);
  const iv1::Task& re = reinspections[0];
  REQUIRE(re.state() == iv1::TASK_STATE_OPEN);
  REQUIRE(re.subject_id() == c.shop.id());
  REQUIRE(re.subject_name() == c.shop.name());
  REQUIRE(re.region_path() == kG01);
  REQUIRE(re.assignee() == w.subject());
  REQUIRE(re.source_order_id() == order_id);
  REQUIRE(re.template_id() == kTemplate);
  REQUIRE(re.template_version() == 1);
  const absl::Time due = service::FromProto(re.due_at());
  REQUIRE(due > closed_at + absl::Hours(24 * 7) - absl::Minutes(1));
  REQUIRE(due < closed_at + absl::Hours(24 * 7) + absl::Minutes(1));
  // The link closed with it; nothing else was created meanwhile.
  history = c.History(c.shop.id());
  REQUIRE(history.open_work_orders_size() == 0);
  REQUIRE(c.OrderTotal() == 1);
  REQUIRE(c.Tasks(Leader()).size() == 2);  // the done task and the re-inspection
  REQUIRE(c.StopInspection() == 0);
}

TEST_CASE("absent inspectors are flagged, bad input is refused and stores nothing",
          "[integration]") {
  Cluster c;
  const Principal w = Worker("w-li");
  const absl::Time now = NowMillis();
  c.Ingest(w, {{At(34.72003, 113.61003), now - absl::Minutes(2)}});

  {  // Too far and no track: stored and flagged, never silently accepted.
    // w-zhao is ~1 km north of the shop; w-sun has no fixes at all.
    const Principal far = Worker("w-zhao");
    const common::v1::LatLng nearest = At(34.72900, 113.61000);
    const absl::Time nearest_time = now - absl::Minutes(6);
    c.Ingest(far, {{nearest, nearest_time}, {At(34.73000, 113.61000), now - absl::Minutes(5)}});
    const double expected = geo::HaversineMeters(geo::Point(kShopPos.lng(), kShopPos.lat()),
                                                 geo::Point(nearest.lng(), nearest.lat()));
    REQUIRE(expected == Approx(1000.8).margin(1));

    // Pressure 0.8 MPa is below the range: a problem without a work-order category.
    const iv1::InspectionResult too_far =
        c.Submit(far, c.AdHoc(c.shop.id(), Answers(iv1::OUTCOME_OK, {}, 0.8)));
    REQUIRE(too_far.presence().status() == iv1::Presence::STATUS_TOO_FAR);
    REQUIRE(too_far.presence().distance_m() == Approx(expected).margin(0.05));
    REQUIRE(service::FromProto(too_far.presence().nearest_fix_time()) == nearest_time);
    REQUIRE(too_far.presence().radius_m() == 50);
    REQUIRE(service::FromProto(too_far.presence().window_before()) == absl::Minutes(30));
    REQUIRE(too_far.flagged());
    REQUIRE(too_far.task_id().empty());
    REQUIRE(too_far.template_version() == 1);  // the latest published
    REQUIRE(too_far.problem_count() == 1);
    REQUIRE(too_far.answers(2).item_code() == kPressure);
    REQUIRE(too_far.answers(2).outcome() == iv1::OUTCOME_PROBLEM);
    REQUIRE(too_far.answers(2).work_order_id().empty());

    // A fix at the shop 40 minutes ago is outside the 30-minute window: no track.
    const Principal earlier = Worker("w-zhou");
    c.Ingest(earlier, {{kShopPos, now - absl::Minutes(40)}});
    const iv1::InspectionResult stale =
        c.Submit(earlier, c.AdHoc(c.shop.id(), Answers(iv1::OUTCOME_OK)));
    REQUIRE(stale.presence().status() == iv1::Presence::STATUS_NO_TRACK);
    REQUIRE(stale.flagged());

    const Principal absent = Worker("w-sun");
    const iv1::InspectionResult no_track =
        c.Submit(absent, c.AdHoc(c.shop.id(), Answers(iv1::OUTCOME_OK)));
    REQUIRE(no_track.presence().status() == iv1::Presence::STATUS_NO_TRACK);
    REQUIRE(no_track.presence().distance_m() == 0);
    REQUIRE(no_track.flagged());
    REQUIRE(no_track.problem_count() == 0);

    // All three are stored as submitted (flags included) and counted; no order was created.
    REQUIRE(c.ResultCount(c.shop.id()) == 3);
    iv1::GetResultRequest get;
    get.set_result_id(too_far.id());
    iv1::InspectionResult stored;
    REQUIRE(c.insp->GetResult(As(Station()).get(), get, &stored).ok());
    REQUIRE(stored.flagged());
    REQUIRE(stored.presence().status() == iv1::Presence::STATUS_TOO_FAR);
    REQUIRE(c.OrderTotal() == 0);
  }

  {  // Each bad submission gets a precise code and changes nothing.
    const iv1::Subject other =
        c.Register(Station(), "东区小餐馆", kOtherGridPos,
                   [](iv1::Subject& s) { s.set_type(iv1::SUBJECT_TYPE_RESTAURANT); });
    REQUIRE(other.region_path() == kG02);
    const iv1::Task task = c.Assign(c.shop.id(), w.subject());
    const std::string photo = c.UploadJpeg(w, "a real photo");
    // A photo above 8 MiB is refused at upload and never stored.
    const std::string huge = Jpeg(std::string((size_t{8} << 20) + 1, 'x'));
    const std::string huge_sha = Sha256Hex(huge);
    wv1::PhotoRecord record;
    grpc::Status s = c.TryUpload(w, huge, &record);
    INFO(Why(s));
    REQUIRE(s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
    wv1::GetPhotoRequest get_photo;
    get_photo.set_sha256(huge_sha);
    get_photo.set_metadata_only(true);
    wv1::GetPhotoResponse photo_resp;
    REQUIRE(c.wo->GetPhoto(As(Admin()).get(), get_photo, &photo_resp).error_code() ==
            grpc::StatusCode::NOT_FOUND);

    const int results_before = c.ResultCount(c.shop.id());
    const size_t tasks_before = c.Tasks(Station()).size();
    REQUIRE(results_before == 3);
    REQUIRE(tasks_before == 1);

    struct Case {
      const char* what;
      Principal who;
      iv1::SubmitResultRequest req;
      grpc::StatusCode code;
    };
    std::vector<iv1::Answer> unknown_item = Answers(iv1::OUTCOME_OK);
    unknown_item.push_back(CheckAnswer("FIRE-99", iv1::OUTCOME_OK));
    std::vector<iv1::Answer> missing_answer = Answers(iv1::OUTCOME_OK);
    missing_answer.pop_back();
    const std::vector<Case> cases = {
        {"unknown template version", w, c.AdHoc(c.shop.id(), Answers(iv1::OUTCOME_OK), 7),
         grpc::StatusCode::INVALID_ARGUMENT},
        {"a version other than the task's", w,
         [&] {
           auto r = c.ForTask(task.id(), Answers(iv1::OUTCOME_OK));
           r.set_template_version(2);
           return r;
         }(),
         grpc::StatusCode::INVALID_ARGUMENT},
        {"an item not in the version", w, c.ForTask(task.id(), unknown_item),
         grpc::StatusCode::INVALID_ARGUMENT},
        {"a missing answer", w, c.ForTask(task.id(), missing_answer),
         grpc::StatusCode::INVALID_ARGUMENT},
        {"a problem without the required photo", w,
         c.ForTask(task.id(), Answers(iv1::OUTCOME_PROBLEM)), grpc::StatusCode::INVALID_ARGUMENT},
        {"a photo that was never uploaded (refused as too large)", w,
         c.ForTask(task.id(), Answers(iv1::OUTCOME_PROBLEM, {huge_sha})),
         grpc::StatusCode::INVALID_ARGUMENT},
        {"one uploaded and one never uploaded photo", w,
         c.ForTask(task.id(), Answers(iv1::OUTCOME_PROBLEM, {photo, std::string(64, 'a')})),
         grpc::StatusCode::INVALID_ARGUMENT},
        {"a photo reference that is not a SHA-256", w,
         c.ForTask(task.id(), Answers(iv1::OUTCOME_PROBLEM, {"photo.jpg"})),
         grpc::StatusCode::INVALID_ARGUMENT},
        {"another grid's subject, worker scoped to g01", w,
         c.AdHoc(other.id(), Answers(iv1::OUTCOME_OK)), grpc::StatusCode::PERMISSION_DENIED},
        {"somebody else's task", Worker("w-zhao"), c.ForTask(task.id(), Answers(iv1::OUTCOME_OK)),
         grpc::StatusCode::PERMISSION_DENIED},
    };
    for (const Case& k : cases) {
      iv1::InspectionResult out;
      s = c.TrySubmit(k.who, k.req, &out);
      INFO(k.what << ": " << Why(s));
      REQUIRE(s.error_code() == k.code);
    }
    // A leader of g01 cannot assign on g02's subject either.
    iv1::Task assigned;
    s = c.TryAssign(Leader(), other.id(), w.subject(), &assigned);
    INFO(Why(s));
    REQUIRE(s.error_code() == grpc::StatusCode::PERMISSION_DENIED);

    // Nothing was stored: no result, no task, the task still open, no order.
    REQUIRE(c.ResultCount(c.shop.id()) == results_before);
    REQUIRE(c.ResultCount(other.id()) == 0);
    REQUIRE(c.Tasks(Station()).size() == tasks_before);
    REQUIRE(c.GetTask(task.id()).state() == iv1::TASK_STATE_OPEN);
    REQUIRE(c.OrderTotal() == 0);

    // ... and the task can still be done properly.
    const iv1::InspectionResult ok =
        c.Submit(w, c.ForTask(task.id(), Answers(iv1::OUTCOME_PROBLEM, {photo})));
    REQUIRE(ok.presence().status() == iv1::Presence::STATUS_VERIFIED);
    REQUIRE_FALSE(ok.answers(0).work_order_id().empty());
    REQUIRE(c.ResultCount(c.shop.id()) == results_before + 1);
    REQUIRE(c.OrderTotal() == 1);
  }
}

TEST_CASE("personal data is masked by role, and subjects from patrol wait for confirmation",
          "[integration]") {
  Cluster c;

  {  // Masking.
    const iv1::Subject shop = c.Register(Station(), "老李五金店", kShopPos, [](iv1::Subject& s) {
      s.set_contact_name("王秀英");
      s.set_phone("13812345678");
      s.set_id_number("410105199001011234");
    });
    REQUIRE_FALSE(shop.masked());
    const iv1::Subject person = c.Register(Station(), "李桂兰", kShopPos, [](iv1::Subject& s) {
      s.set_type(iv1::SUBJECT_TYPE_ELDERLY_ALONE);
      s.clear_department();
      s.set_phone("13987654321");
    });

    const iv1::Subject seen = c.GetSubject(Station(), shop.id());
    REQUIRE_FALSE(seen.masked());
    REQUIRE(seen.contact_name() == "王秀英");
    REQUIRE(seen.phone() == "13812345678");
    REQUIRE(seen.id_number() == "410105199001011234");
    REQUIRE(c.GetSubject(Worker(), shop.id()).phone() == "13812345678");   // visits the people
    REQUIRE(c.GetSubject(Handler(), shop.id()).phone() == "13812345678");  // own department
    Principal health = Handler();
    health.set_department("health");
    REQUIRE(c.GetSubject(health, shop.id()).phone() == "138****5678");  // another department
    {
      iv1::GetSubjectHistoryRequest req;
      req.set_subject_id(shop.id());
      iv1::SubjectHistory h;
      REQUIRE(c.insp->GetSubjectHistory(As(Command()).get(), req, &h).ok());
      REQUIRE(h.subject().masked());
      REQUIRE(h.subject().phone() == "138****5678");
    }

    for (const Principal& p : {Command(), Viewer()}) {
      INFO(common::v1::Role_Name(p.role()));
      const iv1::Subject masked = c.GetSubject(p, shop.id());
      REQUIRE(masked.masked());
      REQUIRE(masked.phone() == "138****5678");
      REQUIRE(masked.id_number() == "410105********1234");
      REQUIRE(masked.contact_name() == "王**");
      REQUIRE(masked.name() == "老李五金店");  // a shop's name is not personal
      const iv1::Subject masked_person = c.GetSubject(p, person.id());
      REQUIRE(masked_person.masked());
      REQUIRE(masked_person.name() == "李**");
      REQUIRE(masked_person.phone() == "139****4321");
      // Lists mask the same way.
      iv1::ListSubjectsRequest list;
      iv1::ListSubjectsResponse listed;
      grpc::Status s = c.insp->ListSubjects(As(p).get(), list, &listed);
      INFO(Why(s));
      REQUIRE(s.ok());
      REQUIRE(listed.subjects_size() == 3);  // the cluster's shop, this shop, the person
      int seen_shop = 0;
      for (const auto& sub : listed.subjects()) {
        REQUIRE(sub.masked());
        if (sub.id() != shop.id()) continue;
        ++seen_shop;
        REQUIRE(sub.phone() == "138****5678");
        REQUIRE(sub.id_number() == "410105********1234");
      }
      REQUIRE(seen_shop == 1);
    }
  }

  {  // Pending until confirmed.
    const Principal w = Worker("w-li");
    const iv1::Subject pending =
        c.Register(w, "新开的小网吧", At(34.7210, 113.6110),
                   [](iv1::Subject& s) { s.set_type(iv1::SUBJECT_TYPE_INTERNET_CAFE); });
    REQUIRE(pending.status() == iv1::Subject::STATUS_PENDING);
    REQUIRE(pending.registered_by() == w.subject());
    REQUIRE(pending.confirmed_by().empty());
    REQUIRE(pending.region_path() == kG01);
    REQUIRE(pending.version() == 1);

    // The checklist covers shops and restaurants; a pending shop is refused before that.
    const iv1::Subject pending_shop = c.Register(w, "路口水果摊", At(34.7205, 113.6105));
    REQUIRE(pending_shop.status() == iv1::Subject::STATUS_PENDING);
    iv1::Task task;
    grpc::Status s = c.TryAssign(Leader(), pending_shop.id(), w.subject(), &task);
    INFO(Why(s));
    REQUIRE(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    iv1::InspectionResult result;
    s = c.TrySubmit(w, c.AdHoc(pending_shop.id(), Answers(iv1::OUTCOME_OK)), &result);
    INFO(Why(s));
    REQUIRE(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    REQUIRE(c.Tasks(Station()).empty());

    iv1::ListSubjectsRequest list;
    list.set_pending_only(true);
    iv1::ListSubjectsResponse listed;
    REQUIRE(c.insp->ListSubjects(As(Station()).get(), list, &listed).ok());
    REQUIRE(listed.subjects_size() == 2);

    // A worker cannot confirm; the station can (with the current version).
    iv1::ConfirmSubjectRequest confirm;
    confirm.set_request_id(c.Rid("confirm"));
    confirm.set_subject_id(pending_shop.id());
    confirm.set_expected_version(pending_shop.version());
    iv1::Subject confirmed;
    REQUIRE(c.insp->ConfirmSubject(As(w).get(), confirm, &confirmed).error_code() ==
            grpc::StatusCode::PERMISSION_DENIED);
    s = c.insp->ConfirmSubject(As(Station()).get(), confirm, &confirmed);
    INFO(Why(s));
    REQUIRE(s.ok());
    REQUIRE(confirmed.status() == iv1::Subject::STATUS_CONFIRMED);
    REQUIRE(confirmed.confirmed_by() == "station-c01");
    REQUIRE(confirmed.version() == 2);
    REQUIRE(c.GetSubject(Leader(), pending_shop.id()).status() == iv1::Subject::STATUS_CONFIRMED);

    task = c.Assign(pending_shop.id(), w.subject());
    REQUIRE(task.state() == iv1::TASK_STATE_OPEN);
    REQUIRE(c.Tasks(w).size() == 1);
  }
}

// Known bug (services/workorder): see the final report. The verification of an order an
// inspection created on behalf of a grid worker should default to that worker, as the
// ASSIGN_VERIFICATION contract says; the order records reporter_role SERVICE instead.
TEST_CASE("the verification of an inspection's work order defaults to the inspecting worker",
          "[integration]") {
  Cluster c;
  const Principal w = Worker("w-li");
  c.Ingest(w, {{kShopPos, NowMillis() - absl::Minutes(1)}});
  const std::string photo = c.UploadJpeg(w, "blocked extinguisher");
  const iv1::InspectionResult result =
      c.Submit(w, c.AdHoc(c.shop.id(), Answers(iv1::OUTCOME_PROBLEM, {photo})));
  REQUIRE_FALSE(result.answers(0).work_order_id().empty());
  wv1::WorkOrder order = c.GetOrder(result.answers(0).work_order_id());
  REQUIRE(order.reporter() == w.subject());
  order = c.Act(Handler(), order, wv1::ACTION_ACCEPT);
  order = c.Act(Handler(), order, wv1::ACTION_START);
  order = c.Act(Handler(), order, wv1::ACTION_HANDLE);
  // The station sends "the reporting worker" without naming them.
  wv1::WorkOrder verifying;
  grpc::Status s = c.TryAct(Station(), order, wv1::ACTION_ASSIGN_VERIFICATION, &verifying);
  INFO(Why(s));
  CHECK(s.ok());
  CHECK(verifying.verifier() == w.subject());
}

// Known bug (services/inspection): see the final report. A person's name (独居老人, 重点人员)
// is masked in GetSubject for roles that do not need it, but travels unmasked as the task's
// subject_name (ListTasks, GetSubjectHistory.open_tasks) and in the description of the work
// order of a problem found at their home.
TEST_CASE("a person's name stays masked in tasks and work orders", "[integration]") {
  Cluster c;
  iv1::ChecklistVersion visit;
  visit.set_template_id("civil.elderly-visit");
  visit.set_department("civil");
  visit.set_name("独居老人定期探访");
  visit.add_subject_types(iv1::SUBJECT_TYPE_ELDERLY_ALONE);
  iv1::ChecklistItem* item = visit.add_items();
  item->set_code("CIVIL-01");
  item->set_text("燃气、用电安全");
  item->set_answer_type(iv1::ANSWER_TYPE_CHECK);
  item->set_workorder_category(kCategory);
  item = visit.add_items();
  item->set_code("CIVIL-02");
  item->set_text("老人近况");
  item->set_answer_type(iv1::ANSWER_TYPE_TEXT);
  c.Publish("民政", visit);

  const iv1::Subject person = c.Register(Station(), "李桂兰", kShopPos, [](iv1::Subject& s) {
    s.set_type(iv1::SUBJECT_TYPE_ELDERLY_ALONE);
    s.set_department("civil");
    s.set_phone("13987654321");
  });
  REQUIRE(c.GetSubject(Command(), person.id()).name() == "李**");

  iv1::AssignTaskRequest assign;
  assign.set_request_id(c.Rid("assign"));
  assign.set_subject_id(person.id());
  assign.set_template_id("civil.elderly-visit");
  assign.set_assignee("w-li");
  *assign.mutable_due_at() = service::ToProto(absl::Now() + absl::Hours(8));
  iv1::Task task;
  grpc::Status s = c.insp->AssignTask(As(Leader()).get(), assign, &task);
  INFO(Why(s));
  REQUIRE(s.ok());
  REQUIRE(task.subject_name() == "李桂兰");  // the leader may see it

  const std::vector<iv1::Task> listed = c.Tasks(Command());
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].subject_name() == "李**");
  iv1::GetSubjectHistoryRequest history_req;
  history_req.set_subject_id(person.id());
  iv1::SubjectHistory history;
  REQUIRE(c.insp->GetSubjectHistory(As(Command()).get(), history_req, &history).ok());
  REQUIRE(history.subject().name() == "李**");
  REQUIRE(history.open_tasks_size() == 1);
  CHECK(history.open_tasks(0).subject_name() == "李**");

  // A problem at her home becomes a work order the district command centre reads.
  const Principal w = Worker("w-li");
  c.Ingest(w, {{kShopPos, NowMillis() - absl::Minutes(1)}});
  iv1::Answer gas = CheckAnswer("CIVIL-01", iv1::OUTCOME_PROBLEM);
  gas.set_note("燃气软管老化");
  iv1::Answer note;
  note.set_item_code("CIVIL-02");
  note.set_text("身体尚可");
  const iv1::InspectionResult result = c.Submit(w, c.ForTask(task.id(), {gas, note}));
  REQUIRE(result.problem_count() == 1);
  REQUIRE_FALSE(result.answers(0).work_order_id().empty());
  wv1::GetOrderRequest get;
  get.set_order_id(result.answers(0).work_order_id());
  wv1::WorkOrder order;
  REQUIRE(c.wo->GetOrder(As(Command()).get(), get, &order).ok());
  INFO(order.description());
  CHECK(order.description().find("李桂兰") == std::string::npos);
}

}  // namespace gridwork::testing
