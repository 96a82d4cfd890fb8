#include "services/workorder/transition_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace gridwork::workorder {
namespace {

using common::v1::Role;
using v1::Action;
using v1::State;

constexpr Role kAdmin = common::v1::ROLE_ADMIN;
constexpr Role kCommand = common::v1::ROLE_DISTRICT_COMMAND;
constexpr Role kStation = common::v1::ROLE_COMMUNITY_STATION;
constexpr Role kLeader = common::v1::ROLE_GRID_LEADER;
constexpr Role kWorker = common::v1::ROLE_GRID_WORKER;
constexpr Role kHandler = common::v1::ROLE_DEPARTMENT_HANDLER;
constexpr Role kResident = common::v1::ROLE_RESIDENT;
constexpr Role kService = common::v1::ROLE_SERVICE;

std::vector<TransitionRule> BuildTable() {
  using namespace v1;  // NOLINT: the table reads as a table
  // Triage (分拨): the community workstation and the district command centre; the admin may
  // do anything a triage desk may. 查办分离: those who triage never handle, and handlers never
  // verify their own work (verification goes to a grid worker).
  const std::vector<Role> triage = {kStation, kCommand, kAdmin};
  const std::vector<Role> district = {kCommand, kAdmin};
  const std::vector<Role> handler = {kHandler};
  const std::vector<Role> verifier = {kWorker, kLeader};
  return {
      // Triage.
      {STATE_REPORTED, ACTION_DISPATCH, STATE_DISPATCHED, {kStation, kCommand, kAdmin, kService}},
      {STATE_REPORTED, ACTION_ESCALATE, STATE_ESCALATED, {kStation, kAdmin}},
      {STATE_REPORTED, ACTION_OVERDUE_ESCALATE, STATE_ESCALATED, {kService}},
      {STATE_REPORTED, ACTION_CANCEL, STATE_CANCELLED, triage},
      {STATE_RETURNED, ACTION_DISPATCH, STATE_DISPATCHED, triage},
      {STATE_RETURNED, ACTION_ESCALATE, STATE_ESCALATED, {kStation, kAdmin}},
      {STATE_RETURNED, ACTION_OVERDUE_ESCALATE, STATE_ESCALATED, {kService}},
      {STATE_RETURNED, ACTION_CANCEL, STATE_CANCELLED, triage},
      {STATE_ESCALATED, ACTION_DISPATCH, STATE_DISPATCHED, district},
      {STATE_ESCALATED, ACTION_CANCEL, STATE_CANCELLED, district},
      // The department.
      {STATE_DISPATCHED, ACTION_ACCEPT, STATE_ACCEPTED, handler},
      {STATE_DISPATCHED, ACTION_RETURN, STATE_RETURNED, handler},
      {STATE_DISPATCHED, ACTION_DISPATCH, STATE_DISPATCHED, triage},  // manual re-routing
      {STATE_DISPATCHED, ACTION_CANCEL, STATE_CANCELLED, triage},
      {STATE_ACCEPTED, ACTION_START, STATE_PROCESSING, handler},
      {STATE_ACCEPTED, ACTION_RETURN, STATE_RETURNED, handler},
      {STATE_ACCEPTED, ACTION_SUSPEND, STATE_SUSPENDED, {kHandler, kCommand, kAdmin}},
      {STATE_PROCESSING, ACTION_HANDLE, STATE_HANDLED, handler},
      {STATE_PROCESSING, ACTION_SUSPEND, STATE_SUSPENDED, {kHandler, kCommand, kAdmin}},
      {STATE_SUSPENDED, ACTION_RESUME, STATE_UNSPECIFIED, {kHandler, kCommand, kAdmin}},
      // Review and on-site verification (核查).
      {STATE_HANDLED,
       ACTION_ASSIGN_VERIFICATION,
       STATE_VERIFYING,
       {kStation, kCommand, kAdmin, kLeader}},
      {STATE_HANDLED, ACTION_REJECT_HANDLING, STATE_PROCESSING, triage},
      {STATE_VERIFYING, ACTION_VERIFY_SATISFIED, STATE_CLOSED, verifier},
      {STATE_VERIFYING, ACTION_VERIFY_UNSATISFIED, STATE_DISPATCHED, verifier},
      // After closing: the reporter's rating (object rule: only the reporter).
      {STATE_CLOSED,
       ACTION_RATE,
       STATE_CLOSED,
       {kResident, kWorker, kLeader, kStation, kCommand, kAdmin, kService}},
  };
}

std::string Strip(absl::string_view name, absl::string_view prefix) {
  if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
  return std::string(name);
}

}  // namespace

const std::vector<TransitionRule>& TransitionTable() {
  static const auto* table = new std::vector<TransitionRule>(BuildTable());
  return *table;
}

const TransitionRule* FindTransition(State from, Action action) {
  for (const TransitionRule& r : TransitionTable()) {
    if (r.from == from && r.action == action) return &r;
  }
  return nullptr;
}

absl::StatusOr<State> CheckTransition(State from, Action action, Role role) {
  const TransitionRule* rule = FindTransition(from, action);
  if (rule == nullptr) {
    std::vector<std::string> legal;
    for (const TransitionRule& r : TransitionTable()) {
      if (r.from == from) legal.push_back(ActionLabel(r.action));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("action ", ActionLabel(action), " is not allowed in state ", StateLabel(from),
                     legal.empty() ? std::string(" (no action is)")
                                   : absl::StrCat(" (allowed: ", absl::StrJoin(legal, ", "), ")")));
  }
  if (std::find(rule->roles.begin(), rule->roles.end(), role) == rule->roles.end()) {
    std::vector<std::string> names;
    for (Role r : rule->roles) names.push_back(RoleLabel(r));
    return absl::PermissionDeniedError(absl::StrCat(
        "role ", RoleLabel(role), " may not ", ActionLabel(action), " an order in state ",
        StateLabel(from), " (only ", absl::StrJoin(names, ", "), ")"));
  }
  return rule->to;
}

bool IsOpenState(State s) { return s != v1::STATE_CLOSED && s != v1::STATE_CANCELLED; }

std::string StateLabel(State s) { return Strip(v1::State_Name(s), "STATE_"); }
std::string ActionLabel(Action a) { return Strip(v1::Action_Name(a), "ACTION_"); }
std::string RoleLabel(Role r) { return Strip(common::v1::Role_Name(r), "ROLE_"); }

std::string RenderTransitionTableMarkdown() {
  std::string out = "| from | action | to | roles |\n| --- | --- | --- | --- |\n";
  for (const TransitionRule& r : TransitionTable()) {
    std::vector<std::string> roles;
    for (Role role : r.roles) roles.push_back(RoleLabel(role));
    absl::StrAppend(&out, "| ", StateLabel(r.from), " | ", ActionLabel(r.action), " | ",
                    r.to == v1::STATE_UNSPECIFIED ? "(state before SUSPEND)" : StateLabel(r.to),
                    " | ", absl::StrJoin(roles, ", "), " |\n");
  }
  return out;
}

}  // namespace gridwork::workorder
