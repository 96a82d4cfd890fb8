// Reads of work orders: one order, lists and kanban counts, history and its verification,
// duplicate suggestions. Every answer is filtered by what the caller may see.
#include <algorithm>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/region_path.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/geo/distance.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "services/workorder/history_chain.h"
#include "services/workorder/transition_table.h"
#include "services/workorder/workorder_core.h"

namespace gridwork::workorder {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
// Index entries examined per List call at most; a sparse filter returns a partial page with
// a token to continue rather than scanning without bound.
constexpr int kMaxExaminedPerCall = 20000;
constexpr int kMaxDuplicateCandidates = 5000;

// The region prefix a listing is confined to: the narrower of the filter's and the caller's.
absl::StatusOr<std::string> EffectivePrefix(const Principal& p, const std::string& requested) {
  if (requested.find('\0') != std::string::npos || requested.size() > 256) {
    return absl::InvalidArgumentError("filter.region_prefix is not a region path");
  }
  const std::string& scope = p.region_scope();
  if (scope.empty() || PathWithin(requested, scope)) return requested;
  if (requested.empty() || PathWithin(scope, requested)) return scope;
  return absl::PermissionDeniedError(
      absl::StrCat("region_prefix \"", requested, "\" is outside your scope \"", scope, "\""));
}

// The filter after the caller's role is applied (residents: own reports; handlers: own
// department). PERMISSION_DENIED when the caller asked for someone else's.
absl::StatusOr<v1::OrderFilter> ScopedFilter(const Principal& p, v1::OrderFilter f) {
  for (int s : f.states()) {
    if (!v1::State_IsValid(s) || s == v1::STATE_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat("filter.states: unknown state ", s));
    }
  }
  if (p.role() == common::v1::ROLE_RESIDENT) {
    if (!f.reporter().empty() && f.reporter() != p.subject()) {
      return absl::PermissionDeniedError("residents may list only their own reports");
    }
    f.set_reporter(p.subject());
  }
  if (p.role() == common::v1::ROLE_DEPARTMENT_HANDLER) {
    if (!f.department().empty() && f.department() != p.department()) {
      return absl::PermissionDeniedError(
          absl::StrCat("you may list only department \"", p.department(), "\""));
    }
    f.set_department(p.department());
  }
  GW_ASSIGN_OR_RETURN(std::string prefix, EffectivePrefix(p, f.region_prefix()));
  f.set_region_prefix(prefix);
  return f;
}

bool Matches(const v1::OrderFilter& f, const v1::WorkOrder& o) {
  if (!f.department().empty() && o.department() != f.department()) return false;
  if (!f.assignee().empty() && o.assignee() != f.assignee()) return false;
  if (!f.reporter().empty() && o.reporter() != f.reporter()) return false;
  if (!f.category_prefix().empty() && !CategoryWithin(o.category_id(), f.category_prefix())) {
    return false;
  }
  if (f.overdue_only() && !o.overdue()) return false;
  if (!PathWithin(o.region_path(), f.region_prefix())) return false;
  if (f.states_size() > 0 &&
      std::find(f.states().begin(), f.states().end(), o.state()) == f.states().end()) {
    return false;
  }
  return true;
}

// True if the filter needs the order record (not just the index key) to decide.
bool NeedsRecord(const v1::OrderFilter& f) {
  return !f.department().empty() || !f.assignee().empty() || !f.reporter().empty() ||
         !f.category_prefix().empty() || f.overdue_only();
}

std::vector<v1::State> StatesOf(const v1::OrderFilter& f) {
  std::vector<v1::State> states;
  if (f.states_size() == 0) {
    for (int s = v1::State_MIN + 1; s <= v1::State_MAX; ++s) {
      if (v1::State_IsValid(s)) states.push_back(static_cast<v1::State>(s));
    }
  } else {
    for (int s : f.states()) states.push_back(static_cast<v1::State>(s));
    std::sort(states.begin(), states.end());
    states.erase(std::unique(states.begin(), states.end()), states.end());
  }
  return states;
}

uint64_t FilterHash(const Principal& p, const v1::OrderFilter& f) {
  return absl::HashOf(p.subject(), f.SerializeAsString());
}

}  // namespace

absl::StatusOr<v1::WorkOrder> WorkOrderCore::GetOrder(const Principal& p,
                                                      const v1::GetOrderRequest& req) {
  return ReadVisible(p, req.order_id());
}

absl::StatusOr<v1::ListOrdersResponse> WorkOrderCore::ListOrders(const Principal& p,
                                                                 const v1::ListOrdersRequest& req) {
  GW_ASSIGN_OR_RETURN(int page_size,
                      rpc::ClampPageSize(req.page_size(), kDefaultPageSize, kMaxPageSize));
  GW_ASSIGN_OR_RETURN(v1::OrderFilter f, ScopedFilter(p, req.filter()));
  const uint64_t hash = FilterHash(p, f);
  GW_ASSIGN_OR_RETURN(std::string after, rpc::DecodePageToken(req.page_token(), hash));

  v1::ListOrdersResponse resp;
  std::string last_key;      // index key of the last order put in the page
  std::string examined_key;  // index key of the last entry looked at
  int examined = 0;
  bool more = false;
  absl::Status error;
  auto visit = [&](const std::string& key, const std::string& id) {
    examined_key = key;
    if (++examined > kMaxExaminedPerCall) {
      more = true;
      return false;
    }
    absl::StatusOr<v1::WorkOrder> o = store_->GetOrder(id);
    if (!o.ok()) {
      error = o.status();
      return false;
    }
    if (!Matches(f, *o) || !CanSee(p, *o)) return true;
    if (resp.orders_size() == page_size) {
      more = true;  // one more match exists: the page is full
      return false;
    }
    *resp.add_orders() = *std::move(o);
    last_key = key;
    return true;
  };

  if (!f.reporter().empty()) {
    GW_RETURN_IF_ERROR(store_->ScanReporter(
        f.reporter(), after,
        [&](const std::string& k, const std::string& id) { return visit(k, id); }));
  } else {
    for (v1::State state : StatesOf(f)) {
      std::string state_key_prefix(4, '\0');
      state_key_prefix[3] = static_cast<char>(state);  // u32 big-endian, states < 256
      std::string from;
      if (!after.empty()) {
        if (after.compare(0, 4, state_key_prefix) > 0) continue;  // a state before the token
        if (after.compare(0, 4, state_key_prefix) == 0) from = after;
      }
      GW_RETURN_IF_ERROR(store_->ScanState(state, f.region_prefix(), from,
                                           [&](const std::string& k, const std::string&,
                                               const std::string& id) { return visit(k, id); }));
      GW_RETURN_IF_ERROR(error);
      if (more) break;
    }
  }
  GW_RETURN_IF_ERROR(error);
  if (more) {
    // A full page continues after its last order; a partial one after what was examined.
    const std::string& resume = resp.orders_size() == page_size ? last_key : examined_key;
    resp.set_next_page_token(rpc::EncodePageToken(resume, hash));
  }
  return resp;
}

absl::StatusOr<v1::CountOrdersResponse> WorkOrderCore::CountOrders(
    const Principal& p, const v1::CountOrdersRequest& req) {
  GW_ASSIGN_OR_RETURN(v1::OrderFilter f, ScopedFilter(p, req.filter()));
  v1::CountOrdersResponse resp;
  const std::vector<v1::State> states = StatesOf(f);
  for (int s = v1::State_MIN + 1; s <= v1::State_MAX; ++s) {
    auto* column = resp.add_columns();
    column->set_state(static_cast<v1::State>(s));
  }
  // Overdue counts need the record; closed/cancelled orders are never overdue, so their
  // columns (which grow without bound) are counted from the index alone unless a filter
  // needs the record.
  absl::Status error;
  if (!f.reporter().empty()) {  // one reporter's orders: walk their index, not every state
    GW_RETURN_IF_ERROR(
        store_->ScanReporter(f.reporter(), "", [&](const std::string&, const std::string& id) {
          absl::StatusOr<v1::WorkOrder> o = store_->GetOrder(id);
          if (!o.ok()) {
            error = o.status();
            return false;
          }
          if (!Matches(f, *o) || !CanSee(p, *o)) return true;
          auto* column = resp.mutable_columns(o->state() - 1);
          column->set_count(column->count() + 1);
          if (o->overdue()) column->set_overdue(column->overdue() + 1);
          resp.set_total(resp.total() + 1);
          if (o->overdue()) resp.set_overdue(resp.overdue() + 1);
          return true;
        }));
    GW_RETURN_IF_ERROR(error);
    return resp;
  }
  for (v1::State state : states) {
    auto* column = resp.mutable_columns(state - 1);
    const bool read_record =
        NeedsRecord(f) || IsOpenState(state) || p.role() == common::v1::ROLE_DEPARTMENT_HANDLER;
    GW_RETURN_IF_ERROR(store_->ScanState(
        state, f.region_prefix(), "",
        [&](const std::string&, const std::string& region, const std::string& id) {
          if (!PathWithin(region, f.region_prefix())) return true;
          if (read_record) {
            absl::StatusOr<v1::WorkOrder> o = store_->GetOrder(id);
            if (!o.ok()) {
              error = o.status();
              return false;
            }
            if (!Matches(f, *o) || !CanSee(p, *o)) return true;
            if (o->overdue()) column->set_overdue(column->overdue() + 1);
          }
          column->set_count(column->count() + 1);
          return true;
        }));
    GW_RETURN_IF_ERROR(error);
    resp.set_total(resp.total() + column->count());
    resp.set_overdue(resp.overdue() + column->overdue());
  }
  return resp;
}

absl::StatusOr<v1::GetHistoryResponse> WorkOrderCore::GetHistory(const Principal& p,
                                                                 const v1::GetHistoryRequest& req) {
  GW_RETURN_IF_ERROR(ReadVisible(p, req.order_id()).status());
  GW_ASSIGN_OR_RETURN(std::vector<v1::OrderEvent> events, store_->GetHistory(req.order_id()));
  v1::GetHistoryResponse resp;
  for (auto& e : events) *resp.add_events() = std::move(e);
  return resp;
}

absl::StatusOr<v1::VerifyHistoryResponse> WorkOrderCore::VerifyHistory(
    const Principal& p, const v1::VerifyHistoryRequest& req) {
  GW_RETURN_IF_ERROR(service::CheckId(req.order_id(), "order_id"));
  // Under the order's lock: the order and its history are read as of the same commit (a
  // transition between the two reads would look like a broken chain).
  absl::MutexLock lock(&OrderLock(req.order_id()));
  GW_ASSIGN_OR_RETURN(v1::WorkOrder order, ReadVisible(p, req.order_id()));
  GW_ASSIGN_OR_RETURN(std::vector<v1::OrderEvent> events, store_->GetHistory(req.order_id()));
  ChainCheck check = VerifyChain(events, order);
  v1::VerifyHistoryResponse resp;
  resp.set_intact(check.intact);
  resp.set_length(check.length);
  resp.set_first_bad_seq(check.first_bad_seq);
  resp.set_problem(check.problem);
  return resp;
}

absl::StatusOr<v1::SuggestDuplicatesResponse> WorkOrderCore::SuggestDuplicates(
    const Principal& p, const v1::SuggestDuplicatesRequest& req) {
  GW_RETURN_IF_ERROR(service::CheckLatLng(req.position(), "position"));
  if (catalog()->FindCategory(req.category_id()) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown category \"", req.category_id(), "\""));
  }
  double radius = req.radius_m() == 0 ? options_.duplicate_radius_m : req.radius_m();
  if (!(radius > 0 && radius <= 5000)) {
    return absl::InvalidArgumentError("radius_m must be in (0, 5000]");
  }
  absl::Duration window =
      req.has_max_age() ? service::FromProto(req.max_age()) : options_.duplicate_window;
  if (window <= absl::ZeroDuration() || window > absl::Hours(24 * 30)) {
    return absl::InvalidArgumentError("max_age must be in (0, 30 days]");
  }
  struct Candidate {
    double distance;
    v1::WorkOrder order;
  };
  std::vector<Candidate> found;
  absl::Status error;
  int examined = 0;
  const geo::Point here{req.position().lng(), req.position().lat()};
  GW_RETURN_IF_ERROR(store_->ScanCategorySince(
      req.category_id(), clock_->Now() - window, [&](const std::string& id) {
        if (++examined > kMaxDuplicateCandidates) return false;
        if (id == req.exclude_order_id()) return true;
        absl::StatusOr<v1::WorkOrder> o = store_->GetOrder(id);
        if (!o.ok()) {
          error = o.status();
          return false;
        }
        if (!IsOpenState(o->state()) || !CanSee(p, *o)) return true;
        double d = geo::HaversineMeters(here, geo::Point{o->position().lng(), o->position().lat()});
        if (d <= radius) found.push_back({d, *std::move(o)});
        return true;
      }));
  GW_RETURN_IF_ERROR(error);
  std::sort(found.begin(), found.end(),
            [](const Candidate& a, const Candidate& b) { return a.distance < b.distance; });
  if (found.size() > 20) found.resize(20);
  v1::SuggestDuplicatesResponse resp;
  for (auto& c : found) {
    resp.add_distances_m(c.distance);
    *resp.add_orders() = std::move(c.order);
  }
  return resp;
}

}  // namespace gridwork::workorder
