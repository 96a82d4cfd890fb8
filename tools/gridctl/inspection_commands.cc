#include "tools/gridctl/inspection_commands.h"

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gridwork/core/ids.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::gridctl {
namespace {

namespace iv1 = inspection::v1;

// True if the published version `have` already says what `want` says.
bool SameContent(const iv1::ChecklistVersion& want, const iv1::ChecklistVersion& have) {
  google::protobuf::util::MessageDifferencer d;
  for (const char* f :
       {"version", "status", "revision", "created_at", "published_at", "published_by"}) {
    d.IgnoreField(iv1::ChecklistVersion::descriptor()->FindFieldByName(f));
  }
  return d.Compare(want, have);
}

int LoadCatalog(Client& c, const std::string& file) {
  iv1::Catalog catalog;
  if (!LoadJsonFile(file, &catalog)) return 1;
  for (const auto& d : catalog.departments()) {
    iv1::UpsertDepartmentRequest req;
    *req.mutable_department() = d;
    req.set_request_id(ContentRequestId("department", req));
    iv1::Department resp;
    auto ctx = c.Context();
    grpc::Status s = c.inspection().UpsertDepartment(ctx.get(), req, &resp);
    if (!s.ok()) return Fail("inspection-load-catalog (department " + d.id() + ")", s);
  }
  int published = 0, unchanged = 0;
  for (iv1::ChecklistVersion want : catalog.checklists()) {
    iv1::GetChecklistRequest get;
    get.set_template_id(want.template_id());
    iv1::ChecklistVersion have;
    {
      auto ctx = c.Context();
      grpc::Status s = c.inspection().GetChecklist(ctx.get(), get, &have);
      if (s.ok() && SameContent(want, have)) {
        ++unchanged;
        continue;
      }
      if (!s.ok() && s.error_code() != grpc::StatusCode::NOT_FOUND) {
        return Fail("inspection-load-catalog (get " + want.template_id() + ")", s);
      }
    }
    iv1::CreateChecklistDraftRequest create;
    *create.mutable_checklist() = want;
    create.set_request_id(ContentRequestId("checklist", create));
    iv1::ChecklistVersion draft;
    {
      auto ctx = c.Context();
      grpc::Status s = c.inspection().CreateChecklistDraft(ctx.get(), create, &draft);
      if (!s.ok()) return Fail("inspection-load-catalog (draft " + want.template_id() + ")", s);
    }
    iv1::PublishChecklistRequest pub;
    pub.set_template_id(draft.template_id());
    pub.set_version(draft.version());
    pub.set_expected_revision(draft.revision());
    pub.set_request_id(ContentRequestId("publish", pub));
    iv1::ChecklistVersion out;
    auto ctx = c.Context();
    grpc::Status s = c.inspection().PublishChecklist(ctx.get(), pub, &out);
    if (!s.ok()) return Fail("inspection-load-catalog (publish " + want.template_id() + ")", s);
    ++published;
  }
  std::cout << "inspection catalogue: " << catalog.departments_size() << " departments, "
            << published << " checklists published, " << unchanged << " unchanged\n";
  return 0;
}

int ListSubjects(Client& c, const std::string& prefix) {
  iv1::ListSubjectsRequest req;
  req.set_region_prefix(prefix);
  req.set_page_size(1000);
  do {
    iv1::ListSubjectsResponse resp;
    auto ctx = c.Context();
    grpc::Status s = c.inspection().ListSubjects(ctx.get(), req, &resp);
    if (!s.ok()) return Fail("subjects", s);
    for (const auto& sub : resp.subjects()) {
      std::cout << sub.id() << "\t" << iv1::SubjectType_Name(sub.type()).substr(13) << "\t"
                << sub.name() << "\t" << sub.region_path() << "\t"
                << iv1::Subject::Status_Name(sub.status()).substr(7) << "\n";
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return 0;
}

int RegisterSubject(Client& c, const std::vector<std::string>& a) {
  iv1::SubjectType type;
  double lat = 0, lng = 0;
  if (!iv1::SubjectType_Parse("SUBJECT_TYPE_" + a[0], &type) || !absl::SimpleAtod(a[2], &lat) ||
      !absl::SimpleAtod(a[3], &lng)) {
    std::cerr << "gridctl: subject-register TYPE NAME LAT LNG (TYPE e.g. SHOP, RESTAURANT)\n";
    return 2;
  }
  iv1::RegisterSubjectRequest req;
  req.set_request_id(
      absl::StrCat("subject-", Sha256Hex(absl::StrCat(a[0], a[1], a[2], a[3])).substr(0, 32)));
  req.mutable_subject()->set_type(type);
  req.mutable_subject()->set_name(a[1]);
  req.mutable_subject()->mutable_position()->set_lat(lat);
  req.mutable_subject()->mutable_position()->set_lng(lng);
  iv1::Subject resp;
  auto ctx = c.Context();
  grpc::Status s = c.inspection().RegisterSubject(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("subject-register", s);
  Print(resp);
  return 0;
}

int ListTasks(Client& c, const std::string& assignee) {
  iv1::ListTasksRequest req;
  req.set_assignee(assignee);
  req.set_page_size(1000);
  do {
    iv1::ListTasksResponse resp;
    auto ctx = c.Context();
    grpc::Status s = c.inspection().ListTasks(ctx.get(), req, &resp);
    if (!s.ok()) return Fail("tasks", s);
    for (const auto& t : resp.tasks()) {
      std::cout << t.id() << "\t" << iv1::TaskState_Name(t.state()).substr(11) << "\t"
                << t.assignee() << "\t" << t.subject_name() << "\t" << t.template_id() << "\tdue "
                << absl::FormatTime(service::FromProto(t.due_at())) << "\n";
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return 0;
}

int AssignTask(Client& c, const std::vector<std::string>& a) {
  int hours = 48;
  if (a.size() > 3 && !absl::SimpleAtoi(a[3], &hours)) hours = 48;
  iv1::AssignTaskRequest req;
  req.set_request_id(NewId("gridctl"));
  req.set_subject_id(a[0]);
  req.set_template_id(a[1]);
  req.set_assignee(a[2]);
  *req.mutable_due_at() = service::ToProto(absl::Now() + absl::Hours(hours));
  iv1::Task resp;
  auto ctx = c.Context();
  grpc::Status s = c.inspection().AssignTask(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("task-assign", s);
  Print(resp);
  return 0;
}

}  // namespace

std::optional<int> RunInspectionCommand(Client& c, const std::string& command,
                                        const std::vector<std::string>& args) {
  if (command == "inspection-load-catalog" && args.size() == 1) return LoadCatalog(c, args[0]);
  if (command == "subjects") return ListSubjects(c, args.empty() ? "" : args[0]);
  if (command == "subject-register" && args.size() == 4) return RegisterSubject(c, args);
  if (command == "tasks") return ListTasks(c, args.empty() ? "" : args[0]);
  if (command == "task-assign" && args.size() >= 3) return AssignTask(c, args);
  if (command == "checklists" && args.size() <= 1) {
    iv1::ListChecklistsRequest req;
    if (!args.empty()) req.set_department(args[0]);
    iv1::ListChecklistsResponse resp;
    auto ctx = c.Context();
    grpc::Status s = c.inspection().ListChecklists(ctx.get(), req, &resp);
    if (!s.ok()) return Fail("checklists", s);
    for (const auto& cl : resp.checklists()) {
      std::cout << cl.template_id() << "\tv" << cl.version() << "\t" << cl.department() << "\t"
                << cl.items_size() << " items\t" << cl.name() << "\n";
    }
    return 0;
  }
  return std::nullopt;
}

}  // namespace gridwork::gridctl
