// SLA arithmetic with an injected time: which stage runs, when clocks restart, keep, pause
// and resume, and when "due soon" fires.
#include "services/workorder/sla.h"

#include <catch2/catch.hpp>

#include "gridwork/service/time_convert.h"

namespace gridwork::workorder {
namespace {

using service::FromProto;
using service::ToProto;

v1::SlaPolicy Policy() {
  v1::SlaPolicy p;
  *p.mutable_triage() = ToProto(absl::Hours(2));
  *p.mutable_accept() = ToProto(absl::Hours(1));
  *p.mutable_handle() = ToProto(absl::Hours(24));
  *p.mutable_verify() = ToProto(absl::Hours(48));
  // review left at zero: no deadline for that stage
  return p;
}

const absl::Time kT0 = absl::FromUnixSeconds(1763884800);

void Move(v1::WorkOrder* o, v1::State to, v1::Action a, absl::Time now) {
  v1::State from = o->state();
  o->set_state(to);
  ApplySla(Policy(), from, a, now, o);
}

TEST_CASE("each stage's clock starts at the transition into it") {
  v1::WorkOrder o;
  Move(&o, v1::STATE_REPORTED, v1::ACTION_REPORT, kT0);
  CHECK(o.stage() == v1::STAGE_TRIAGE);
  CHECK(FromProto(o.stage_deadline()) == kT0 + absl::Hours(2));
  Move(&o, v1::STATE_DISPATCHED, v1::ACTION_DISPATCH, kT0 + absl::Minutes(30));
  CHECK(o.stage() == v1::STAGE_ACCEPT);
  CHECK(FromProto(o.stage_deadline()) == kT0 + absl::Minutes(90));
  Move(&o, v1::STATE_ACCEPTED, v1::ACTION_ACCEPT, kT0 + absl::Hours(1));
  CHECK(FromProto(o.stage_deadline()) == kT0 + absl::Hours(25));
}

TEST_CASE("START keeps the handling deadline, and a stage without a duration has no deadline") {
  v1::WorkOrder o;
  o.set_state(v1::STATE_DISPATCHED);
  Move(&o, v1::STATE_ACCEPTED, v1::ACTION_ACCEPT, kT0);
  Move(&o, v1::STATE_PROCESSING, v1::ACTION_START, kT0 + absl::Hours(3));
  CHECK(FromProto(o.stage_deadline()) == kT0 + absl::Hours(24));
  Move(&o, v1::STATE_HANDLED, v1::ACTION_HANDLE, kT0 + absl::Hours(5));
  CHECK(o.stage() == v1::STAGE_REVIEW);
  CHECK_FALSE(o.has_stage_deadline());
  CHECK_FALSE(RunningDeadline(o).has_value());
}

TEST_CASE("suspension pauses the clock and resumption gives back exactly the time left") {
  v1::WorkOrder o;
  o.set_state(v1::STATE_DISPATCHED);
  Move(&o, v1::STATE_ACCEPTED, v1::ACTION_ACCEPT, kT0);  // due kT0 + 24h
  Move(&o, v1::STATE_PROCESSING, v1::ACTION_START, kT0 + absl::Hours(1));
  Move(&o, v1::STATE_SUSPENDED, v1::ACTION_SUSPEND, kT0 + absl::Hours(10));
  CHECK(o.suspended_from() == v1::STATE_PROCESSING);
  CHECK(FromProto(o.paused_remaining()) == absl::Hours(14));
  CHECK_FALSE(RunningDeadline(o).has_value());
  // Three days suspended (waiting for a part), then resumed.
  Move(&o, v1::STATE_PROCESSING, v1::ACTION_RESUME, kT0 + absl::Hours(82));
  REQUIRE(RunningDeadline(o).has_value());
  CHECK(*RunningDeadline(o) == kT0 + absl::Hours(96));
  CHECK(o.suspended_from() == v1::STATE_UNSPECIFIED);
}

TEST_CASE("an overdue order suspended and resumed stays overdue with no time left") {
  v1::WorkOrder o;
  o.set_state(v1::STATE_DISPATCHED);
  Move(&o, v1::STATE_ACCEPTED, v1::ACTION_ACCEPT, kT0);
  o.set_overdue(true);
  Move(&o, v1::STATE_SUSPENDED, v1::ACTION_SUSPEND, kT0 + absl::Hours(30));
  CHECK(FromProto(o.paused_remaining()) == absl::ZeroDuration());
  Move(&o, v1::STATE_ACCEPTED, v1::ACTION_RESUME, kT0 + absl::Hours(40));
  CHECK(*RunningDeadline(o) == kT0 + absl::Hours(40));
  CHECK(o.overdue());
}

TEST_CASE("a new stage clears the overdue and due-soon flags") {
  v1::WorkOrder o;
  o.set_state(v1::STATE_REPORTED);
  o.set_overdue(true);
  o.set_due_soon(true);
  Move(&o, v1::STATE_DISPATCHED, v1::ACTION_DISPATCH, kT0);
  CHECK_FALSE(o.overdue());
  CHECK_FALSE(o.due_soon());
}

TEST_CASE("due soon fires when the configured fraction of the stage is left") {
  v1::SlaPolicy p = Policy();
  CHECK(DueSoonTime(p, v1::STAGE_HANDLE, kT0) == kT0 - absl::Minutes(288));  // 20 % of 24 h
  p.set_due_soon_fraction(0.5);
  CHECK(DueSoonTime(p, v1::STAGE_ACCEPT, kT0) == kT0 - absl::Minutes(30));
}

}  // namespace
}  // namespace gridwork::workorder
