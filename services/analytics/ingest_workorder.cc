// The work-order feed: order counters, stage times, heatmap, per-worker incidents and
// verifications, open/overdue orders.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/workorder/v1/workorder.pb.h"
#include "services/analytics/aggregate_batch.h"
#include "services/analytics/china_time.h"
#include "services/analytics/ingest.h"
#include "services/analytics/ingest_util.h"
#include "services/analytics/stage_histogram.h"

namespace gridwork::analytics {
namespace {

namespace wo = ::gridwork::workorder::v1;

bool IsWorkerRole(common::v1::Role r) {
  return r == common::v1::ROLE_GRID_WORKER || r == common::v1::ROLE_GRID_LEADER;
}

bool LeavesTriage(const wo::OrderEvent& e) {
  return e.to_state() == wo::STATE_DISPATCHED &&
         (e.from_state() == wo::STATE_REPORTED || e.from_state() == wo::STATE_RETURNED ||
          e.from_state() == wo::STATE_ESCALATED || e.from_state() == wo::STATE_UNSPECIFIED);
}

}  // namespace

std::string OrderDim(absl::string_view department, absl::string_view category) {
  return absl::StrCat(department, "|", category);
}

void SplitOrderDim(absl::string_view dim, std::string* department, std::string* category) {
  const size_t bar = dim.find('|');
  if (bar == absl::string_view::npos) {
    *department = std::string(dim);
    category->clear();
    return;
  }
  *department = std::string(dim.substr(0, bar));
  *category = std::string(dim.substr(bar + 1));
}

// The heatmap dimension: cell id and category, so one counter key is one (cell, category).
std::string HeatDimension(uint64_t cell, const std::string& category) {
  return absl::StrCat(cell, ":", category);
}

bool ParseHeatDimension(absl::string_view dim, uint64_t* cell, std::string* category) {
  const size_t colon = dim.find(':');
  if (colon == absl::string_view::npos) return false;
  if (!absl::SimpleAtoi(dim.substr(0, colon), cell)) return false;
  *category = std::string(dim.substr(colon + 1));
  return true;
}

absl::Status Ingest::ApplyWorkOrder(const std::vector<store::FeedEvent>& events,
                                    store::WriteRequest& write) {
  LiveDelta& delta = Pending(Source::kWorkOrder);
  delta = LiveDelta();
  AggregateBatch b(store_);

  for (const store::FeedEvent& fe : events) {
    if (Is(fe, wo::SlaAlarm::descriptor())) {
      wo::SlaAlarm alarm;
      GW_RETURN_IF_ERROR(Unpack(fe, &alarm));
      if (alarm.kind() != wo::SlaAlarm::KIND_OVERDUE) continue;
      bool existed = false;
      GW_ASSIGN_OR_RETURN(
          internal::OrderTrack * track,
          b.Record<internal::OrderTrack>(store_->orders(), alarm.order_id(), &existed));
      if (!existed || track->overdue() || !IsOpenState(track->state())) continue;
      track->set_overdue(true);
      b.AddCounter(v1::METRIC_ORDERS_OVERDUE, HourIndexOfMillis(Millis(alarm.deadline())),
                   track->region_path(), OrderDim(track->department(), track->category_id()), 1);
      delta.orders[alarm.order_id()] =
          OpenOrder{track->state(), track->region_path(), track->overdue()};
      continue;
    }
    if (!Is(fe, wo::OrderEvent::descriptor())) continue;
    wo::OrderEvent e;
    GW_RETURN_IF_ERROR(Unpack(fe, &e));
    if (e.order_id().empty()) continue;
    bool existed = false;
    GW_ASSIGN_OR_RETURN(internal::OrderTrack * track,
                        b.Record<internal::OrderTrack>(store_->orders(), e.order_id(), &existed));
    const int64_t at = Millis(e.at());
    const int64_t hour = HourIndexOfMillis(at);
    if (!existed && e.action() != wo::ACTION_REPORT) {
      // History before the retained feed: start tracking from here.
      track->set_reported_ms(at);
      track->set_stage(e.stage());
      track->set_stage_started_ms(at);
    }
    if (!e.region_path().empty()) track->set_region_path(e.region_path());
    if (!e.category_id().empty()) track->set_category_id(e.category_id());
    const std::string& region = track->region_path();

    // Stage clock: a new stage ends the previous one.
    if (existed && e.stage() != track->stage()) {
      // A stage ended by cancellation was never handled: it is no handling time.
      if (track->stage() != wo::STAGE_NONE && e.to_state() != wo::STATE_CANCELLED) {
        int64_t paused = track->paused_ms();
        if (track->suspended_at_ms() > 0) paused += at - track->suspended_at_ms();
        const double seconds =
            static_cast<double>(at - track->stage_started_ms() - paused) / 1000.0;
        GW_ASSIGN_OR_RETURN(internal::StageHistogram * h,
                            b.Record<internal::StageHistogram>(
                                store_->stage_hist(),
                                StageHistKey(track->stage(), hour, region,
                                             OrderDim(track->department(), track->category_id()))));
        AddStageSample(seconds, h);
      }
      track->set_stage(e.stage());
      track->set_stage_started_ms(at);
      track->set_paused_ms(0);
      track->set_suspended_at_ms(0);
    }
    if (!e.department().empty()) track->set_department(e.department());
    const std::string dept = OrderDim(track->department(), track->category_id());

    switch (e.action()) {
      case wo::ACTION_REPORT: {
        track->set_reporter(e.actor());
        track->set_reporter_is_worker(IsWorkerRole(e.actor_role()));
        track->set_reported_ms(at);
        track->set_stage(e.stage());
        track->set_stage_started_ms(at);
        b.AddCounter(v1::METRIC_ORDERS_REPORTED, hour, region,
                     OrderDim(e.department(), e.category_id()), 1);
        if (e.has_position()) {
          const uint64_t cell = raster_.CellOf(e.position().lat(), e.position().lng());
          b.AddCounter(v1::METRIC_HEAT, hour, region, HeatDimension(cell, e.category_id()), 1);
        }
        if (track->reporter_is_worker()) {
          GW_ASSIGN_OR_RETURN(internal::WorkerDay * wd,
                              b.WorkerDayOf(e.actor(), at, Source::kWorkOrder));
          wd->set_incidents_reported(wd->incidents_reported() + 1);
        }
        break;
      }
      case wo::ACTION_VERIFY_UNSATISFIED:
        b.AddCounter(v1::METRIC_ORDERS_REOPENED, hour, region, dept, 1);
        break;
      case wo::ACTION_RETURN:
        b.AddCounter(v1::METRIC_ORDERS_RETURNED, hour, region, dept, 1);
        break;
      case wo::ACTION_ESCALATE:
      case wo::ACTION_OVERDUE_ESCALATE:
        b.AddCounter(v1::METRIC_ORDERS_ESCALATED, hour, region, dept, 1);
        break;
      case wo::ACTION_SUSPEND:
        track->set_suspended_at_ms(at);
        break;
      case wo::ACTION_RESUME:
        if (track->suspended_at_ms() > 0) {
          track->set_paused_ms(track->paused_ms() + at - track->suspended_at_ms());
          track->set_suspended_at_ms(0);
        }
        break;
      case wo::ACTION_CANCEL:
        b.AddCounter(v1::METRIC_ORDERS_CANCELLED_INVALID, hour, region, dept, 1);
        if (track->confirmed() && track->reporter_is_worker()) {
          GW_ASSIGN_OR_RETURN(
              internal::WorkerDay * wd,
              b.WorkerDayOf(track->reporter(), track->reported_ms(), Source::kWorkOrder));
          wd->set_incidents_confirmed(wd->incidents_confirmed() - 1);
          track->set_confirmed(false);
        }
        break;
      case wo::ACTION_RATE:
        if (e.rating_score() >= 1 && e.rating_score() <= 5) {
          b.AddCounter(v1::METRIC_ORDERS_RATED, hour, region, dept, 1);
          b.AddCounter(v1::METRIC_RATING_SUM, hour, region, dept, e.rating_score());
        }
        break;
      default:
        break;
    }

    if (LeavesTriage(e)) {
      b.AddCounter(v1::METRIC_ORDERS_DISPATCHED, hour, region, dept, 1);
      if (!track->confirmed() && track->reporter_is_worker()) {
        track->set_confirmed(true);
        GW_ASSIGN_OR_RETURN(
            internal::WorkerDay * wd,
            b.WorkerDayOf(track->reporter(), track->reported_ms(), Source::kWorkOrder));
        wd->set_incidents_confirmed(wd->incidents_confirmed() + 1);
      }
    }
    if (e.action() == wo::ACTION_ASSIGN_VERIFICATION && !e.verifier().empty()) {
      track->set_verifier(e.verifier());
      track->set_verify_assigned_ms(at);
      GW_ASSIGN_OR_RETURN(internal::WorkerDay * wd,
                          b.WorkerDayOf(e.verifier(), at, Source::kWorkOrder));
      wd->set_verifications_assigned(wd->verifications_assigned() + 1);
    }
    if ((e.action() == wo::ACTION_VERIFY_SATISFIED ||
         e.action() == wo::ACTION_VERIFY_UNSATISFIED) &&
        !track->verifier().empty() && e.actor() == track->verifier()) {
      GW_ASSIGN_OR_RETURN(
          internal::WorkerDay * wd,
          b.WorkerDayOf(track->verifier(), track->verify_assigned_ms(), Source::kWorkOrder));
      wd->set_verifications_done(wd->verifications_done() + 1);
      wd->set_response_s_sum(wd->response_s_sum() +
                             static_cast<double>(at - track->verify_assigned_ms()) / 1000.0);
      track->clear_verifier();
    }
    if (e.to_state() == wo::STATE_CLOSED && e.from_state() != wo::STATE_CLOSED) {
      b.AddCounter(v1::METRIC_ORDERS_CLOSED, hour, region, dept, 1);
      if (!track->overdue()) b.AddCounter(v1::METRIC_ORDERS_CLOSED_ON_TIME, hour, region, dept, 1);
    }
    if (e.to_state() != wo::STATE_UNSPECIFIED) track->set_state(e.to_state());
    delta.orders[e.order_id()] = OpenOrder{track->state(), region, track->overdue()};
  }
  GW_RETURN_IF_ERROR(b.Flush(write));
  delta.counters = b.counter_deltas();
  return absl::OkStatus();
}

}  // namespace gridwork::analytics
