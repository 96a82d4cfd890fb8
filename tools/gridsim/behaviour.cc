#include "tools/gridsim/behaviour.h"

#include "demo_geography/random.h"

namespace gridwork::gridsim {
namespace {

using demo_geography::MixSeed;
using demo_geography::Rng;
using workorder::v1::Action;
using workorder::v1::State;

uint64_t Salt(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// Uniform minutes in [lo, hi) as seconds.
double Minutes(Rng& rng, double lo, double hi) { return 60 * (lo + (hi - lo) * rng.Uniform()); }

}  // namespace

Decision DecideNext(const OrderView& o, const BehaviourOptions& opt) {
  Rng rng(MixSeed(opt.seed, Salt(o.id) ^ (static_cast<uint64_t>(o.state) << 40) ^
                                (static_cast<uint64_t>(o.reopen_count) << 48) ^
                                (static_cast<uint64_t>(o.returns) << 56)));
  Decision d;
  switch (o.state) {
    case workorder::v1::STATE_REPORTED:
    case workorder::v1::STATE_RETURNED:
      d = {Actor::kStation, workorder::v1::ACTION_DISPATCH, Minutes(rng, 5, 30),
           o.state == workorder::v1::STATE_RETURNED ? "重新派遣到类别默认部门" : "社区工作站派遣"};
      break;
    case workorder::v1::STATE_ESCALATED:
      d = {Actor::kCommand, workorder::v1::ACTION_DISPATCH, Minutes(rng, 10, 40), "区指挥中心派遣"};
      break;
    case workorder::v1::STATE_DISPATCHED: {
      double r = rng.Uniform();
      // Only an order dispatched for the first time is returned or neglected.
      bool first_time = o.returns == 0 && o.reopen_count == 0;
      if (first_time && r < opt.return_prob) {
        d = {Actor::kDepartment, workorder::v1::ACTION_RETURN, Minutes(rng, 10, 60),
             "非本部门职责，退回重新派遣"};
      } else if (first_time && r >= opt.return_prob && r < opt.return_prob + opt.neglect_prob) {
        d = {};  // left lying: its accept deadline passes, the SLA timer marks it overdue
      } else {
        d = {Actor::kDepartment, workorder::v1::ACTION_ACCEPT, Minutes(rng, 10, 90), "已受理"};
      }
      break;
    }
    case workorder::v1::STATE_ACCEPTED:
      d = {Actor::kDepartment, workorder::v1::ACTION_START, Minutes(rng, 5, 30), "已出发处置"};
      break;
    case workorder::v1::STATE_PROCESSING:
      d = {Actor::kDepartment, workorder::v1::ACTION_HANDLE, Minutes(rng, 30, 240),
           "已处置完毕，附处置后照片"};
      break;
    case workorder::v1::STATE_HANDLED:
      if (o.reopen_count == 0 && rng.Uniform() < opt.reject_prob) {
        d = {Actor::kStation, workorder::v1::ACTION_REJECT_HANDLING, Minutes(rng, 10, 40),
             "处置照片不清晰，请补充"};
      } else {
        d = {Actor::kLeader, workorder::v1::ACTION_ASSIGN_VERIFICATION, Minutes(rng, 10, 60),
             "请网格员现场核查"};
      }
      break;
    case workorder::v1::STATE_VERIFYING:
      if (o.reopen_count == 0 && rng.Uniform() < opt.reopen_prob) {
        d = {Actor::kLeader, workorder::v1::ACTION_VERIFY_UNSATISFIED, Minutes(rng, 20, 120),
             "现场核查仍未解决，重新处置"};
      } else {
        d = {Actor::kLeader, workorder::v1::ACTION_VERIFY_SATISFIED, Minutes(rng, 20, 120),
             "现场核查已解决，结案"};
      }
      break;
    default:
      break;  // CLOSED, CANCELLED, SUSPENDED: nothing to do
  }
  return d;
}

}  // namespace gridwork::gridsim
