// The legal work-order transitions, as data: which action a role may apply in which state,
// and the state it leads to. Everything that moves an order (the Transition RPC, creation's
// auto-dispatch, the SLA timer) asks this table first; docs/workorder.md shows the table as
// rendered by RenderTransitionTableMarkdown() and a test keeps the two identical.
//
// The table answers "may a <role> <action> an order in <state>?". Object rules come on top
// (see order_rules.h): a handler's department, the assigned verifier, the caller's scope.
#ifndef GRIDWORK_SERVICES_WORKORDER_TRANSITION_TABLE_H_
#define GRIDWORK_SERVICES_WORKORDER_TRANSITION_TABLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gridwork/common/v1/principal.pb.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::workorder {

using common::v1::Role;
using v1::Action;
using v1::State;

struct TransitionRule {
  State from;
  Action action;
  // STATE_UNSPECIFIED means "the state the order was suspended from" (ACTION_RESUME).
  State to;
  std::vector<Role> roles;
};

// Every legal (from, action) pair with its target and entitled roles; no pair twice.
const std::vector<TransitionRule>& TransitionTable();

// The rule for (from, action), or nullptr if the action is never legal in that state.
const TransitionRule* FindTransition(State from, Action action);

// The target state of applying `action` as `role` in state `from`:
//   FAILED_PRECONDITION if the action is not legal in that state (message names both),
//   PERMISSION_DENIED if it is legal but not for that role (message names the roles that may).
// For ACTION_RESUME the result is STATE_UNSPECIFIED; the caller substitutes suspended_from.
absl::StatusOr<State> CheckTransition(State from, Action action, Role role);

// Whether an order in `s` can still change state: every state but CLOSED and CANCELLED, which
// no rule leaves (RATE keeps an order CLOSED). The store indexes open orders in memory and
// closed ones on disk on the strength of this (transition_table_test checks it on the table).
bool IsOpenState(State s);

// Short names used in messages and docs, e.g. "REPORTED", "DISPATCH", "GRID_WORKER".
std::string StateLabel(State s);
std::string ActionLabel(Action a);
std::string RoleLabel(Role r);

// The table as a Markdown table (one row per rule), as published in docs/workorder.md.
std::string RenderTransitionTableMarkdown();

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_TRANSITION_TABLE_H_
