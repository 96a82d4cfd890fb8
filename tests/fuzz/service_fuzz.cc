#include "tests/fuzz/service_fuzz.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "gridwork/core/clock.h"
#include "gridwork/service/time_convert.h"
#include "services/inspection/checklist_rules.h"
#include "services/inspection/recurrence.h"
#include "services/workorder/order_machine.h"
#include "services/workorder/workorder_core.h"
#include "services/workorder/workorder_store.h"
#include "tests/fuzz/fuzz_check.h"

namespace gridwork::fuzz {
namespace {

using common::v1::Principal;
using common::v1::Role;
namespace wo = workorder::v1;
namespace insp = inspection::v1;

// Protobuf logs every string field with invalid UTF-8 it refuses to parse; at thousands of
// inputs a second that is most of the fuzzer's time. The harness needs none of it.
[[maybe_unused]] const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

// Grids by longitude band as in workorder_core_test: [113.60,113.61) c01/g01,
// [113.61,113.62) c01/g02, [113.62,113.63) c02/g01; outside: FAILED_PRECONDITION.
class BandLocator : public clients::RegionLocator {
 public:
  absl::StatusOr<std::string> Locate(const common::v1::LatLng& p) override {
    if (p.lng() >= 113.60 && p.lng() < 113.61) return std::string("410105/s01/c01/g01");
    if (p.lng() >= 113.61 && p.lng() < 113.62) return std::string("410105/s01/c01/g02");
    if (p.lng() >= 113.62 && p.lng() < 113.63) return std::string("410105/s01/c02/g01");
    return absl::FailedPreconditionError("outside every region (fuzz)");
  }
};

Principal Caller(Role role, std::string subject, std::string scope = "", std::string dept = "") {
  Principal p;
  p.set_subject(std::move(subject));
  p.set_role(role);
  p.set_region_scope(std::move(scope));
  p.set_department(std::move(dept));
  return p;
}

const Principal& CallerFor(uint8_t b) {
  static const Principal* callers = new Principal[9]{
      Caller(common::v1::ROLE_ADMIN, "admin"),
      Caller(common::v1::ROLE_DISTRICT_COMMAND, "command", "410105"),
      Caller(common::v1::ROLE_COMMUNITY_STATION, "station", "410105/s01/c01"),
      Caller(common::v1::ROLE_GRID_WORKER, "w-g01", "410105/s01/c01/g01"),
      Caller(common::v1::ROLE_GRID_WORKER, "w-c02", "410105/s01/c02/g01"),
      Caller(common::v1::ROLE_DEPARTMENT_HANDLER, "h-urban", "", "urban-management"),
      Caller(common::v1::ROLE_DEPARTMENT_HANDLER, "h-water", "", "water"),
      Caller(common::v1::ROLE_RESIDENT, "res-a"),
      Caller(common::v1::ROLE_RESIDENT, "res-b"),
  };
  return callers[b % 9];
}

struct Workorders {
  std::string dir;
  FakeClock clock{absl::FromUnixSeconds(1763884800)};
  BandLocator locator;
  std::unique_ptr<workorder::WorkOrderStore> store;
  std::unique_ptr<workorder::WorkOrderCore> core;
};

// One store per process under $TMPDIR, removed at exit; seeded with one category and rule
// so that creation, dispatch and the state machine are reachable.
Workorders& Shared() {
  static Workorders* w = [] {
    auto* out = new Workorders;
    out->dir = (std::filesystem::temp_directory_path() /
                absl::StrCat("gridwork-fuzz-workorder-", getpid()))
                   .string();
    std::filesystem::remove_all(out->dir);
    auto store = workorder::WorkOrderStore::Open(out->dir, &out->clock, /*sync=*/false);
    if (!store.ok()) FuzzFail(absl::StrCat("cannot open the store: ", store.status().ToString()));
    out->store = std::move(*store);
    auto core =
        workorder::WorkOrderCore::Create(out->store.get(), &out->locator, &out->clock, nullptr);
    if (!core.ok()) FuzzFail(absl::StrCat("cannot create the core: ", core.status().ToString()));
    out->core = std::move(*core);
    const Principal admin = Caller(common::v1::ROLE_ADMIN, "admin");
    wo::UpsertCategoryRequest cat;
    cat.set_request_id("seed-cat");
    cat.mutable_category()->set_id("garbage");
    cat.mutable_category()->set_name("垃圾堆放");
    cat.mutable_category()->set_default_department("urban-management");
    cat.mutable_category()->set_severity(wo::SEVERITY_MEDIUM);
    (void)out->core->UpsertCategory(admin, cat);
    wo::CreateOrderRequest create;
    create.set_request_id("seed-order");
    create.set_category_id("garbage");
    create.mutable_position()->set_lat(34.75);
    create.mutable_position()->set_lng(113.605);
    create.set_description("seed");
    (void)out->core->CreateOrder(
        Caller(common::v1::ROLE_GRID_WORKER, "w-g01", "410105/s01/c01/g01"), create);
    std::atexit([] { std::filesystem::remove_all(Shared().dir); });
    return out;
  }();
  return *w;
}

template <typename Req>
bool Decode(const uint8_t* data, size_t size, Req* req) {
  return req->ParseFromArray(data, static_cast<int>(size));
}

void CheckCode(const absl::Status& s, const char* method) {
  if (s.ok()) return;
  switch (s.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
      FuzzFail(absl::StrCat("WorkOrderCore::", method, " answered ", s.ToString()));
    default:
      return;
  }
}

void CheckVisible(const Principal& p, const wo::WorkOrder& o, const char* method) {
  if (!workorder::CanSee(p, o)) {
    FuzzFail(absl::StrCat("WorkOrderCore::", method, " returned order ", o.id(), " in ",
                          o.region_path(), " to ", p.subject(), ", who may not see it"));
  }
}

// What a handler returns must be visible to its caller: orders (GetOrder, Transition,
// RateOrder) and the order a caller just created; other results carry no order.
template <typename Result>
void CheckResult(const Principal&, const Result&, const char*) {}
void CheckResult(const Principal& p, const wo::WorkOrder& o, const char* method) {
  CheckVisible(p, o, method);
}
void CheckResult(const Principal& p, const wo::CreateOrderResponse& r, const char* method) {
  CheckVisible(p, r.order(), method);
}

}  // namespace

int FuzzWorkorderHandlers(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  Workorders& w = Shared();
  workorder::WorkOrderCore& core = *w.core;
  const Principal& p = CallerFor(data[1]);
  const uint8_t* body = data + 2;
  const size_t n = size - 2;
#define GW_FUZZ_CALL(Method, Request)     \
  {                                       \
    Request req;                          \
    if (!Decode(body, n, &req)) return 0; \
    auto r = core.Method(p, req);         \
    CheckCode(r.status(), #Method);       \
    if (!r.ok()) return 0;                \
    CheckResult(p, *r, #Method);          \
    return 0;                             \
  }
  switch (data[0] % 16) {
    case 0:
      GW_FUZZ_CALL(CreateOrder, wo::CreateOrderRequest)
    case 1:
      GW_FUZZ_CALL(SuggestDuplicates, wo::SuggestDuplicatesRequest)
    case 2:
      GW_FUZZ_CALL(GetOrder, wo::GetOrderRequest)
    case 3:
      GW_FUZZ_CALL(Transition, wo::TransitionRequest)
    case 4:
      GW_FUZZ_CALL(RateOrder, wo::RateOrderRequest)
    case 5: {
      wo::ListOrdersRequest req;
      if (!Decode(body, n, &req)) return 0;
      auto r = core.ListOrders(p, req);
      CheckCode(r.status(), "ListOrders");
      if (r.ok()) {
        for (const wo::WorkOrder& o : r->orders()) CheckVisible(p, o, "ListOrders");
      }
      return 0;
    }
    case 6:
      GW_FUZZ_CALL(CountOrders, wo::CountOrdersRequest)
    case 7:
      GW_FUZZ_CALL(GetHistory, wo::GetHistoryRequest)
    case 8:
      GW_FUZZ_CALL(VerifyHistory, wo::VerifyHistoryRequest)
    case 9:
      GW_FUZZ_CALL(UploadPhoto, wo::UploadPhotoRequest)
    case 10:
      GW_FUZZ_CALL(GetPhoto, wo::GetPhotoRequest)
    case 11:
      GW_FUZZ_CALL(UpsertCategory, wo::UpsertCategoryRequest)
    case 12:
      GW_FUZZ_CALL(ListCategories, wo::ListCategoriesRequest)
    case 13:
      GW_FUZZ_CALL(UpsertDispatchRule, wo::UpsertDispatchRuleRequest)
    case 14:
      GW_FUZZ_CALL(DeleteDispatchRule, wo::DeleteDispatchRuleRequest)
    default:
      GW_FUZZ_CALL(ListDispatchRules, wo::ListDispatchRulesRequest)
  }
#undef GW_FUZZ_CALL
}

int FuzzInspectionRules(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t* body = data + 1;
  const int n = static_cast<int>(size - 1);
  auto only_invalid = [](const absl::Status& s, const char* what) {
    if (!s.ok() && s.code() != absl::StatusCode::kInvalidArgument) {
      FuzzFail(absl::StrCat(what, " answered ", s.ToString()));
    }
  };
  switch (data[0] % 3) {
    case 0: {
      insp::ChecklistVersion c;
      if (!c.ParseFromArray(body, n)) return 0;
      only_invalid(inspection::ValidateChecklist(c), "ValidateChecklist");
      return 0;
    }
    case 1: {
      static const insp::ChecklistVersion* checklist = [] {
        auto* c = new insp::ChecklistVersion;
        c->set_template_id("fire.small-venue");
        c->set_version(1);
        c->set_department("fire");
        c->set_name("九小场所消防检查");
        c->add_subject_types(insp::SUBJECT_TYPE_SHOP);
        c->add_subject_types(insp::SUBJECT_TYPE_RESTAURANT);
        auto* a = c->add_items();
        a->set_code("FIRE-01");
        a->set_text("灭火器在有效期内");
        a->set_answer_type(insp::ANSWER_TYPE_CHECK);
        a->set_photo_required_on_problem(true);
        auto* b = c->add_items();
        b->set_code("FIRE-02");
        b->set_text("油烟管道清洗间隔（天）");
        b->set_answer_type(insp::ANSWER_TYPE_NUMBER);
        b->set_min(0);
        b->set_max(90);
        b->add_subject_types(insp::SUBJECT_TYPE_RESTAURANT);
        auto* t = c->add_items();
        t->set_code("FIRE-99");
        t->set_text("其他问题说明");
        t->set_answer_type(insp::ANSWER_TYPE_TEXT);
        if (!inspection::ValidateChecklist(*c).ok()) FuzzFail("the fixed checklist is invalid");
        return c;
      }();
      insp::SubmitResultRequest req;  // its answers are what a client sends
      if (!req.ParseFromArray(body, n)) return 0;
      for (insp::SubjectType type : {insp::SUBJECT_TYPE_SHOP, insp::SUBJECT_TYPE_RESTAURANT}) {
        auto graded = inspection::GradeAnswers(*checklist, type, req.answers());
        only_invalid(graded.status(), "GradeAnswers");
        if (graded.ok() && graded->problems < 0) FuzzFail("negative problem count");
      }
      return 0;
    }
    default: {
      insp::Recurrence r;
      if (!r.ParseFromArray(body, n)) return 0;
      absl::Status s = inspection::ValidateRecurrence(r);
      only_invalid(s, "ValidateRecurrence");
      if (!s.ok()) return 0;
      const absl::Time start = service::FromProto(r.start());
      const absl::Time after = start - absl::Hours(24 * 40);
      const absl::Time until = start + absl::Hours(24 * 400);
      std::vector<absl::Time> ts = inspection::Occurrences(r, after, until, 500);
      if (ts.size() > 500) FuzzFail("Occurrences returned more than max_count");
      for (size_t i = 0; i < ts.size(); ++i) {
        if (ts[i] <= after || ts[i] > until) FuzzFail("an occurrence outside the window");
        if (i > 0 && ts[i] <= ts[i - 1]) FuzzFail("occurrences not strictly increasing");
      }
      return 0;
    }
  }
}

}  // namespace gridwork::fuzz
