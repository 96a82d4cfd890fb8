#include "tools/gridsim/behaviour.h"

#include <catch2/catch.hpp>
#include <map>

namespace gridwork::gridsim {
namespace {

using workorder::v1::Action;
using workorder::v1::State;

TEST_CASE("behaviour: every open state has a plausible next step by the right actor", "[gridsim]") {
  BehaviourOptions o;
  std::map<std::pair<State, Action>, int> seen;
  for (int i = 0; i < 2000; ++i) {
    for (State s : {workorder::v1::STATE_REPORTED, workorder::v1::STATE_RETURNED,
                    workorder::v1::STATE_ESCALATED, workorder::v1::STATE_DISPATCHED,
                    workorder::v1::STATE_ACCEPTED, workorder::v1::STATE_PROCESSING,
                    workorder::v1::STATE_HANDLED, workorder::v1::STATE_VERIFYING}) {
      OrderView v{"wo-" + std::to_string(i), s, 0, 0};
      Decision d = DecideNext(v, o);
      ++seen[{s, d.action}];
      if (d.action == workorder::v1::ACTION_UNSPECIFIED) {
        CHECK(s == workorder::v1::STATE_DISPATCHED);  // only neglect leaves an order lying
        continue;
      }
      CHECK(d.delay_s >= 60);
      CHECK(d.delay_s <= 4 * 3600);
      CHECK(!d.note.empty());
      switch (d.action) {
        case workorder::v1::ACTION_ACCEPT:
        case workorder::v1::ACTION_RETURN:
        case workorder::v1::ACTION_START:
        case workorder::v1::ACTION_HANDLE:
          CHECK(d.actor == Actor::kDepartment);
          break;
        case workorder::v1::ACTION_VERIFY_SATISFIED:
        case workorder::v1::ACTION_VERIFY_UNSATISFIED:
        case workorder::v1::ACTION_ASSIGN_VERIFICATION:
          CHECK(d.actor == Actor::kLeader);
          break;
        default:
          CHECK((d.actor == Actor::kStation || d.actor == Actor::kCommand));
      }
    }
  }
  using P = std::pair<State, Action>;
  // Rates close to the options (2000 draws; loose bounds).
  double ret = seen[P{workorder::v1::STATE_DISPATCHED, workorder::v1::ACTION_RETURN}] / 2000.0;
  double neglect =
      seen[P{workorder::v1::STATE_DISPATCHED, workorder::v1::ACTION_UNSPECIFIED}] / 2000.0;
  double reopen =
      seen[P{workorder::v1::STATE_VERIFYING, workorder::v1::ACTION_VERIFY_UNSATISFIED}] / 2000.0;
  CHECK(ret == Approx(o.return_prob).margin(0.025));
  CHECK(neglect == Approx(o.neglect_prob).margin(0.025));
  CHECK(reopen == Approx(o.reopen_prob).margin(0.03));
}

TEST_CASE("behaviour: decisions are stable, and returns and reopens happen once", "[gridsim]") {
  BehaviourOptions o;
  o.return_prob = 1.0;
  o.reopen_prob = 1.0;
  OrderView v{"wo-1", workorder::v1::STATE_DISPATCHED, 0, 0};
  Decision a = DecideNext(v, o), b = DecideNext(v, o);
  CHECK(a.action == workorder::v1::ACTION_RETURN);
  CHECK(a.delay_s == b.delay_s);
  v.returns = 1;  // once returned and re-dispatched, it is accepted
  CHECK(DecideNext(v, o).action == workorder::v1::ACTION_ACCEPT);
  OrderView verifying{"wo-1", workorder::v1::STATE_VERIFYING, 0, 0};
  CHECK(DecideNext(verifying, o).action == workorder::v1::ACTION_VERIFY_UNSATISFIED);
  verifying.reopen_count = 1;  // the second verification is satisfied
  CHECK(DecideNext(verifying, o).action == workorder::v1::ACTION_VERIFY_SATISFIED);
  OrderView reopened{"wo-1", workorder::v1::STATE_DISPATCHED, 1, 0};
  CHECK(DecideNext(reopened, o).action == workorder::v1::ACTION_ACCEPT);
  for (State done : {workorder::v1::STATE_CLOSED, workorder::v1::STATE_CANCELLED}) {
    CHECK(DecideNext({"wo-1", done, 0, 0}, o).actor == Actor::kNone);
  }
}

}  // namespace
}  // namespace gridwork::gridsim
