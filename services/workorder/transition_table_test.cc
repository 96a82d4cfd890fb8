// The transition table against its specification, exhaustively: every state × action × role.
// The specification below is written per role (what each desk may do), independently of the
// table's per-transition layout, so a slip in either shows up as a difference.
#include "services/workorder/transition_table.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace gridwork::workorder {
namespace {

using namespace v1;  // NOLINT
using common::v1::Role;

struct Allowed {
  State from;
  Action action;
  State to;
};

std::map<Role, std::vector<Allowed>> Specification() {
  const std::vector<Allowed> triage_desk = {
      {STATE_REPORTED, ACTION_DISPATCH, STATE_DISPATCHED},
      {STATE_REPORTED, ACTION_CANCEL, STATE_CANCELLED},
      {STATE_RETURNED, ACTION_DISPATCH, STATE_DISPATCHED},
      {STATE_RETURNED, ACTION_CANCEL, STATE_CANCELLED},
      {STATE_DISPATCHED, ACTION_DISPATCH, STATE_DISPATCHED},
      {STATE_DISPATCHED, ACTION_CANCEL, STATE_CANCELLED},
      {STATE_HANDLED, ACTION_ASSIGN_VERIFICATION, STATE_VERIFYING},
      {STATE_HANDLED, ACTION_REJECT_HANDLING, STATE_PROCESSING},
      {STATE_CLOSED, ACTION_RATE, STATE_CLOSED},
  };
  std::vector<Allowed> station = triage_desk;
  station.push_back({STATE_REPORTED, ACTION_ESCALATE, STATE_ESCALATED});
  station.push_back({STATE_RETURNED, ACTION_ESCALATE, STATE_ESCALATED});
  std::vector<Allowed> command = triage_desk;
  command.push_back({STATE_ESCALATED, ACTION_DISPATCH, STATE_DISPATCHED});
  command.push_back({STATE_ESCALATED, ACTION_CANCEL, STATE_CANCELLED});
  command.push_back({STATE_ACCEPTED, ACTION_SUSPEND, STATE_SUSPENDED});
  command.push_back({STATE_PROCESSING, ACTION_SUSPEND, STATE_SUSPENDED});
  command.push_back({STATE_SUSPENDED, ACTION_RESUME, STATE_UNSPECIFIED});
  std::vector<Allowed> admin = command;
  admin.push_back({STATE_REPORTED, ACTION_ESCALATE, STATE_ESCALATED});
  admin.push_back({STATE_RETURNED, ACTION_ESCALATE, STATE_ESCALATED});
  return {
      {common::v1::ROLE_ADMIN, admin},
      {common::v1::ROLE_DISTRICT_COMMAND, command},
      {common::v1::ROLE_STREET_MANAGER, {}},
      {common::v1::ROLE_COMMUNITY_STATION, station},
      {common::v1::ROLE_GRID_LEADER,
       {{STATE_HANDLED, ACTION_ASSIGN_VERIFICATION, STATE_VERIFYING},
        {STATE_VERIFYING, ACTION_VERIFY_SATISFIED, STATE_CLOSED},
        {STATE_VERIFYING, ACTION_VERIFY_UNSATISFIED, STATE_DISPATCHED},
        {STATE_CLOSED, ACTION_RATE, STATE_CLOSED}}},
      {common::v1::ROLE_GRID_WORKER,
       {{STATE_VERIFYING, ACTION_VERIFY_SATISFIED, STATE_CLOSED},
        {STATE_VERIFYING, ACTION_VERIFY_UNSATISFIED, STATE_DISPATCHED},
        {STATE_CLOSED, ACTION_RATE, STATE_CLOSED}}},
      {common::v1::ROLE_DEPARTMENT_HANDLER,
       {{STATE_DISPATCHED, ACTION_ACCEPT, STATE_ACCEPTED},
        {STATE_DISPATCHED, ACTION_RETURN, STATE_RETURNED},
        {STATE_ACCEPTED, ACTION_START, STATE_PROCESSING},
        {STATE_ACCEPTED, ACTION_RETURN, STATE_RETURNED},
        {STATE_ACCEPTED, ACTION_SUSPEND, STATE_SUSPENDED},
        {STATE_PROCESSING, ACTION_HANDLE, STATE_HANDLED},
        {STATE_PROCESSING, ACTION_SUSPEND, STATE_SUSPENDED},
        {STATE_SUSPENDED, ACTION_RESUME, STATE_UNSPECIFIED}}},
      {common::v1::ROLE_RESIDENT, {{STATE_CLOSED, ACTION_RATE, STATE_CLOSED}}},
      {common::v1::ROLE_VIEWER, {}},
      {common::v1::ROLE_SERVICE,
       {{STATE_REPORTED, ACTION_DISPATCH, STATE_DISPATCHED},
        {STATE_REPORTED, ACTION_OVERDUE_ESCALATE, STATE_ESCALATED},
        {STATE_RETURNED, ACTION_OVERDUE_ESCALATE, STATE_ESCALATED},
        {STATE_CLOSED, ACTION_RATE, STATE_CLOSED}}},
      {common::v1::ROLE_UNSPECIFIED, {}},
  };
}

TEST_CASE("every state x action x role is legal exactly when the specification says so") {
  const auto spec = Specification();
  int legal = 0, checked = 0;
  for (int s = State_MIN; s <= State_MAX; ++s) {
    for (int a = Action_MIN; a <= Action_MAX; ++a) {
      for (const auto& [role, allowed] : spec) {
        const auto from = static_cast<State>(s);
        const auto action = static_cast<Action>(a);
        const Allowed* expected = nullptr;
        for (const Allowed& x : allowed) {
          if (x.from == from && x.action == action) expected = &x;
        }
        absl::StatusOr<State> got = CheckTransition(from, action, role);
        INFO(StateLabel(from) << " " << ActionLabel(action) << " by " << RoleLabel(role) << ": "
                              << got.status());
        ++checked;
        if (expected != nullptr) {
          ++legal;
          REQUIRE(got.ok());
          CHECK(*got == expected->to);
        } else if (FindTransition(from, action) == nullptr) {
          CHECK(got.status().code() == absl::StatusCode::kFailedPrecondition);
        } else {
          CHECK(got.status().code() == absl::StatusCode::kPermissionDenied);
        }
      }
    }
  }
  CHECK(checked == 12 * 17 * 11);
  // Every rule of the table is used by some role of the specification (no dead rows).
  size_t table_pairs = 0;
  for (const auto& rule : TransitionTable()) table_pairs += rule.roles.size();
  CHECK(static_cast<size_t>(legal) == table_pairs);
}

TEST_CASE("IsOpenState holds exactly for the states some rule moves an order out of") {
  // The store indexes open orders in memory and the others on disk: an order in a state that
  // is not open must never move again.
  for (int s = v1::State_MIN + 1; s <= v1::State_MAX; ++s) {
    if (!v1::State_IsValid(s)) continue;
    const auto state = static_cast<State>(s);
    bool leaves = false;
    for (const auto& rule : TransitionTable()) {
      if (rule.from == state && rule.to != state) leaves = true;
    }
    INFO(StateLabel(state));
    CHECK(IsOpenState(state) == leaves);
  }
}

TEST_CASE("terminal states allow nothing but the reporter's rating") {
  for (const auto& rule : TransitionTable()) {
    CHECK(rule.from != STATE_CANCELLED);
    if (rule.from == STATE_CLOSED) CHECK(rule.action == ACTION_RATE);
    CHECK(rule.action != ACTION_REPORT);
  }
}

TEST_CASE("every open state can reach CLOSED and CANCELLED is reachable from triage") {
  // Breadth-first over the table's edges (RESUME returns to ACCEPTED or PROCESSING).
  auto successors = [](State s) {
    std::set<State> out;
    for (const auto& rule : TransitionTable()) {
      if (rule.from != s) continue;
      if (rule.to == STATE_UNSPECIFIED) {
        out.insert(STATE_ACCEPTED);
        out.insert(STATE_PROCESSING);
      } else {
        out.insert(rule.to);
      }
    }
    return out;
  };
  for (int s = STATE_REPORTED; s <= State_MAX; ++s) {
    if (s == STATE_CLOSED || s == STATE_CANCELLED) continue;
    std::set<State> seen = {static_cast<State>(s)};
    std::vector<State> todo = {static_cast<State>(s)};
    while (!todo.empty()) {
      State cur = todo.back();
      todo.pop_back();
      for (State n : successors(cur)) {
        if (seen.insert(n).second) todo.push_back(n);
      }
    }
    INFO(StateLabel(static_cast<State>(s)));
    CHECK(seen.count(STATE_CLOSED) == 1);
  }
}

TEST_CASE("errors say what is allowed") {
  auto illegal =
      CheckTransition(STATE_REPORTED, ACTION_HANDLE, common::v1::ROLE_DEPARTMENT_HANDLER);
  CHECK(illegal.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(illegal.status().message()), Catch::Contains("allowed: DISPATCH"));
  auto denied = CheckTransition(STATE_DISPATCHED, ACTION_ACCEPT, common::v1::ROLE_GRID_WORKER);
  CHECK(denied.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK_THAT(std::string(denied.status().message()), Catch::Contains("DEPARTMENT_HANDLER"));
}

TEST_CASE("docs/workorder.md publishes exactly this table") {
  std::ifstream in(std::string(GRIDWORK_SOURCE_DIR) + "/docs/workorder.md");
  REQUIRE(in.good());
  std::stringstream doc;
  doc << in.rdbuf();
  CHECK_THAT(doc.str(), Catch::Contains(RenderTransitionTableMarkdown()));
}

}  // namespace
}  // namespace gridwork::workorder
