// How the simulated people treat a work order they see: the next action, who takes it and
// after how much simulated time. Pure: the runner feeds it orders and applies the decisions.
//
//   Decision d = DecideNext(view, options);
//   if (d.action != ACTION_UNSPECIFIED) run d.action as d.actor once d.delay_s has passed.
//
// The decision for one (order, state, reopen count) is a function of the seed alone, so a
// re-poll of an unchanged order gives the same decision (and the same delay).
#ifndef GRIDWORK_TOOLS_GRIDSIM_BEHAVIOUR_H_
#define GRIDWORK_TOOLS_GRIDSIM_BEHAVIOUR_H_

#include <cstdint>
#include <string>

#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::gridsim {

enum class Actor {
  kNone,
  kDepartment,  // the handler of the order's department
  kStation,     // the community workstation of the order's community
  kCommand,     // the district command centre (escalated orders)
  kLeader,      // the grid leader of the order's community
};

struct BehaviourOptions {
  uint64_t seed = 1;
  double return_prob = 0.06;   // a department returns a dispatched order (mis-routed)
  double neglect_prob = 0.04;  // a department leaves it lying (it goes overdue)
  double reopen_prob = 0.12;   // the verifier is not satisfied (first verification only)
  double reject_prob = 0.03;   // the station rejects the handling once (back to processing)
};

struct OrderView {
  std::string id;
  workorder::v1::State state = workorder::v1::STATE_UNSPECIFIED;
  int reopen_count = 0;
  // Times this order has been RETURNED before (from its history or the runner's memory).
  int returns = 0;
};

struct Decision {
  Actor actor = Actor::kNone;
  workorder::v1::Action action = workorder::v1::ACTION_UNSPECIFIED;
  double delay_s = 0;  // simulated seconds after the order entered its state
  std::string note;
};

Decision DecideNext(const OrderView& order, const BehaviourOptions& options);

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_BEHAVIOUR_H_
