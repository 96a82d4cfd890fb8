#include "tools/gridctl/workorder_commands.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gridwork/core/ids.h"
#include "gridwork/service/time_convert.h"
#include "tools/gridctl/catalog_sla.h"

namespace gridwork::gridctl {
namespace {

namespace wv1 = workorder::v1;

bool SameIgnoringVersion(google::protobuf::Message* a, google::protobuf::Message* b) {
  google::protobuf::util::MessageDifferencer d;
  d.IgnoreField(a->GetDescriptor()->FindFieldByName("version"));
  return d.Compare(*a, *b);
}

int LoadCatalogFile(Client& c, const std::string& file, double sla_compression) {
  if (!(sla_compression >= 1)) {
    std::cerr << "gridctl: --sla_compression must be >= 1, not " << sla_compression << "\n";
    return 2;
  }
  wv1::Catalog catalog;
  if (!LoadJsonFile(file, &catalog)) return 1;
  if (sla_compression != 1) CompressSlas(sla_compression, &catalog);
  return LoadCatalog(c, catalog);
}

int ListOrders(Client& c, const std::vector<std::string>& states) {
  wv1::ListOrdersRequest req;
  for (const auto& name : states) {
    wv1::State s;
    if (!wv1::State_Parse("STATE_" + name, &s) && !wv1::State_Parse(name, &s)) {
      std::cerr << "gridctl: unknown state " << name << "\n";
      return 2;
    }
    req.mutable_filter()->add_states(s);
  }
  req.set_page_size(500);
  int total = 0;
  do {
    wv1::ListOrdersResponse resp;
    auto ctx = c.Context();
    grpc::Status s = c.workorder().ListOrders(ctx.get(), req, &resp);
    if (!s.ok()) return Fail("orders", s);
    for (const auto& o : resp.orders()) {
      std::cout << o.id() << "\t" << wv1::State_Name(o.state()).substr(6) << "\t" << o.category_id()
                << "\t" << o.department() << "\t" << o.region_path()
                << (o.overdue() ? "\tOVERDUE" : "") << "\n";
      ++total;
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  std::cerr << total << " order(s)\n";
  return 0;
}

int Counts(Client& c) {
  wv1::CountOrdersResponse resp;
  auto ctx = c.Context();
  grpc::Status s = c.workorder().CountOrders(ctx.get(), wv1::CountOrdersRequest(), &resp);
  if (!s.ok()) return Fail("order-counts", s);
  for (const auto& col : resp.columns()) {
    std::cout << wv1::State_Name(col.state()).substr(6) << "\t" << col.count()
              << (col.overdue() ? absl::StrCat("\t(", col.overdue(), " overdue)") : "") << "\n";
  }
  std::cout << "total\t" << resp.total() << "\n";
  return 0;
}

int ReportIncident(Client& c, const std::vector<std::string>& a) {
  double lat = 0, lng = 0;
  if (!absl::SimpleAtod(a[1], &lat) || !absl::SimpleAtod(a[2], &lng)) {
    std::cerr << "gridctl: order-report CATEGORY LAT LNG TEXT (WGS-84 degrees)\n";
    return 2;
  }
  wv1::CreateOrderRequest req;
  req.set_request_id(NewId("gridctl"));
  req.set_category_id(a[0]);
  req.mutable_position()->set_lat(lat);
  req.mutable_position()->set_lng(lng);
  req.set_description(absl::StrJoin(a.begin() + 3, a.end(), " "));
  wv1::CreateOrderResponse resp;
  auto ctx = c.Context();
  grpc::Status s = c.workorder().CreateOrder(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("order-report", s);
  Print(resp);
  return 0;
}

absl::StatusOr<wv1::WorkOrder> Fetch(Client& c, const std::string& id, grpc::Status* status) {
  wv1::GetOrderRequest req;
  req.set_order_id(id);
  wv1::WorkOrder o;
  auto ctx = c.Context();
  *status = c.workorder().GetOrder(ctx.get(), req, &o);
  if (!status->ok()) return absl::UnknownError("");
  return o;
}

int Act(Client& c, const std::vector<std::string>& a, const std::string& department,
        const std::string& verifier) {
  wv1::Action action;
  if (!wv1::Action_Parse("ACTION_" + a[1], &action) && !wv1::Action_Parse(a[1], &action)) {
    std::cerr << "gridctl: unknown action " << a[1] << "\n";
    return 2;
  }
  grpc::Status s;
  auto order = Fetch(c, a[0], &s);
  if (!order.ok()) return Fail("order", s);
  wv1::TransitionRequest req;
  req.set_request_id(NewId("gridctl"));
  req.set_order_id(a[0]);
  req.set_expected_version(order->version());
  req.set_action(action);
  if (a.size() > 2) req.set_note(absl::StrJoin(a.begin() + 2, a.end(), " "));
  req.set_department(department);
  req.set_verifier(verifier);
  wv1::WorkOrder resp;
  auto ctx = c.Context();
  s = c.workorder().Transition(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("order-act", s);
  Print(resp);
  return 0;
}

}  // namespace

int LoadCatalog(Client& c, const wv1::Catalog& catalog) {
  wv1::ListCategoriesResponse existing_categories;
  wv1::ListDispatchRulesResponse existing_rules;
  {
    auto ctx = c.Context();
    grpc::Status s = c.workorder().ListCategories(ctx.get(), {}, &existing_categories);
    if (!s.ok()) return Fail("catalog-load (list categories)", s);
  }
  {
    auto ctx = c.Context();
    grpc::Status s = c.workorder().ListDispatchRules(ctx.get(), {}, &existing_rules);
    if (!s.ok()) return Fail("catalog-load (list rules)", s);
  }
  std::map<std::string, wv1::Category> have_categories;
  for (const auto& cat : existing_categories.categories()) have_categories[cat.id()] = cat;
  std::map<std::string, wv1::DispatchRule> have_rules;
  for (const auto& r : existing_rules.rules()) have_rules[r.id()] = r;

  std::vector<wv1::Category> categories(catalog.categories().begin(), catalog.categories().end());
  std::stable_sort(categories.begin(), categories.end(), [](const auto& x, const auto& y) {
    return std::count(x.id().begin(), x.id().end(), '.') <
           std::count(y.id().begin(), y.id().end(), '.');
  });
  int created = 0, updated = 0, unchanged = 0;
  for (wv1::Category cat : categories) {
    cat.clear_version();
    wv1::UpsertCategoryRequest req;
    auto it = have_categories.find(cat.id());
    if (it != have_categories.end()) {
      if (SameIgnoringVersion(&cat, &it->second)) {
        ++unchanged;
        continue;
      }
      req.set_expected_version(it->second.version());
    }
    *req.mutable_category() = cat;
    req.set_request_id(ContentRequestId("category", req));
    wv1::Category resp;
    auto ctx = c.Context();
    grpc::Status s = c.workorder().UpsertCategory(ctx.get(), req, &resp);
    if (!s.ok()) return Fail("catalog-load (category " + cat.id() + ")", s);
    ++(it == have_categories.end() ? created : updated);
  }
  for (wv1::DispatchRule rule : catalog.rules()) {
    rule.clear_version();
    wv1::UpsertDispatchRuleRequest req;
    auto it = have_rules.find(rule.id());
    if (it != have_rules.end()) {
      if (SameIgnoringVersion(&rule, &it->second)) {
        ++unchanged;
        continue;
      }
      req.set_expected_version(it->second.version());
    }
    *req.mutable_rule() = rule;
    req.set_request_id(ContentRequestId("rule", req));
    wv1::DispatchRule resp;
    auto ctx = c.Context();
    grpc::Status s = c.workorder().UpsertDispatchRule(ctx.get(), req, &resp);
    if (!s.ok()) return Fail("catalog-load (rule " + rule.id() + ")", s);
    ++(it == have_rules.end() ? created : updated);
  }
  std::cout << "catalogue: " << created << " created, " << updated << " updated, " << unchanged
            << " unchanged\n";
  return 0;
}

std::optional<int> RunWorkOrderCommand(Client& c, const std::string& command,
                                       const std::vector<std::string>& args,
                                       const WorkOrderOptions& act) {
  if (command == "catalog-load" && args.size() == 1)
    return LoadCatalogFile(c, args[0], act.sla_compression);
  if (command == "orders") return ListOrders(c, args);
  if (command == "order-counts" && args.empty()) return Counts(c);
  if (command == "order-report" && args.size() >= 4) return ReportIncident(c, args);
  if ((command == "order" || command == "order-history" || command == "order-verify") &&
      args.size() == 1) {
    auto ctx = c.Context();
    grpc::Status s;
    if (command == "order") {
      auto o = Fetch(c, args[0], &s);
      if (!o.ok()) return Fail(command, s);
      Print(*o);
      return 0;
    }
    if (command == "order-history") {
      wv1::GetHistoryRequest req;
      req.set_order_id(args[0]);
      wv1::GetHistoryResponse resp;
      s = c.workorder().GetHistory(ctx.get(), req, &resp);
      if (!s.ok()) return Fail(command, s);
      Print(resp);
      return 0;
    }
    wv1::VerifyHistoryRequest req;
    req.set_order_id(args[0]);
    wv1::VerifyHistoryResponse resp;
    s = c.workorder().VerifyHistory(ctx.get(), req, &resp);
    if (!s.ok()) return Fail(command, s);
    Print(resp);
    return resp.intact() ? 0 : 1;
  }
  if (command == "order-act" && args.size() >= 2) {
    return Act(c, args, act.department, act.verifier);
  }
  return std::nullopt;
}

}  // namespace gridwork::gridctl
