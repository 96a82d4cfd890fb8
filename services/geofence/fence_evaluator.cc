#include "services/geofence/fence_evaluator.h"

#include <algorithm>

#include "gridwork/geo/distance.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::geofence {
namespace {

using common::v1::Fix;
using v1::FenceEvent;
using v1::FenceEventKind;
using v1::KeyPointVisit;
using v1::WorkerState;

FenceEvent MakeEvent(FenceEventKind kind, const std::string& grid, const Fix& fix) {
  FenceEvent e;
  e.set_worker_id(fix.worker_id());
  e.set_kind(kind);
  e.set_grid_id(grid);
  *e.mutable_time() = fix.device_time();
  *e.mutable_position() = fix.position();
  e.set_device_id(fix.device_id());
  e.set_fix_sequence(fix.sequence());
  return e;
}

// The region this fix clearly puts the worker in, or nullopt when the fix is ambiguous
// (rule 1 of the header).
std::optional<std::string> ClearRegion(const FenceConfig& cfg, const FenceGeometry& geo,
                                       const Fix& fix, const std::string& current) {
  const double lng = fix.position().lng();
  const double lat = fix.position().lat();
  const double acc = fix.accuracy_m();
  if (acc > cfg.max_accuracy_m) return std::nullopt;
  std::string grid = geo.LocateGrid(lng, lat);
  if (!grid.empty() && geo.DistanceToGridBorderM(grid, lng, lat) < acc + cfg.enter_margin_m) {
    return std::nullopt;
  }
  if (grid != current && !current.empty() &&
      geo.DistanceToGridBorderM(current, lng, lat) < acc + cfg.exit_margin_m) {
    return std::nullopt;
  }
  return grid;
}

void UpdateOwnGrid(const std::set<std::string>& own, const Fix& fix, WorkerState* s,
                   std::vector<FenceEvent>* events) {
  if (own.empty()) {
    s->set_in_own_grid(false);
    return;
  }
  const bool now_in = own.count(s->current_grid_id()) > 0;
  if (!s->own_grid_known()) {
    s->set_own_grid_known(true);
    s->set_in_own_grid(now_in);
    if (!now_in) {
      events->push_back(MakeEvent(v1::FENCE_EVENT_KIND_LEFT_OWN_GRID, *own.begin(), fix));
    }
    return;
  }
  if (now_in == s->in_own_grid()) return;
  s->set_in_own_grid(now_in);
  if (now_in) {
    events->push_back(
        MakeEvent(v1::FENCE_EVENT_KIND_RETURNED_OWN_GRID, s->current_grid_id(), fix));
  } else {
    events->push_back(MakeEvent(v1::FENCE_EVENT_KIND_LEFT_OWN_GRID, *own.begin(), fix));
  }
}

// Rules 1–6: may change the current grid. `own_grid_known` doubles as "the state has been
// established by a first clear fix" (it is set for unbound workers too).
void ApplyTransitions(const FenceConfig& cfg, const FenceGeometry& geo,
                      const std::set<std::string>& own, const Fix& fix, WorkerState* s,
                      std::vector<FenceEvent>* events) {
  std::optional<std::string> clear = ClearRegion(cfg, geo, fix, s->current_grid_id());
  if (!clear.has_value()) return;  // Rule 2.

  if (!s->own_grid_known()) {  // Rule 5.
    s->set_current_grid_id(*clear);
    if (!clear->empty()) {
      events->push_back(MakeEvent(v1::FENCE_EVENT_KIND_ENTER_GRID, *clear, fix));
    }
    UpdateOwnGrid(own, fix, s, events);
    s->set_own_grid_known(true);
    return;
  }

  if (*clear == s->current_grid_id()) {  // Rule 3.
    s->set_has_candidate(false);
    s->clear_candidate_grid_id();
    s->clear_candidate_since();
    UpdateOwnGrid(own, fix, s, events);
    return;
  }

  if (!s->has_candidate() || s->candidate_grid_id() != *clear) {  // Rule 4: new candidate.
    s->set_has_candidate(true);
    s->set_candidate_grid_id(*clear);
    *s->mutable_candidate_since() = fix.device_time();
  }
  const absl::Duration waited = service::FromProto(fix.device_time()) - service::FromProto(s->candidate_since());
  if (waited < cfg.exit_dwell) return;

  const std::string old_grid = s->current_grid_id();
  const size_t first_new = events->size();
  if (!old_grid.empty()) {
    events->push_back(MakeEvent(v1::FENCE_EVENT_KIND_EXIT_GRID, old_grid, fix));
  }
  if (!clear->empty()) {
    events->push_back(MakeEvent(v1::FENCE_EVENT_KIND_ENTER_GRID, *clear, fix));
  }
  s->set_current_grid_id(*clear);
  s->set_has_candidate(false);
  s->clear_candidate_grid_id();
  s->clear_candidate_since();
  UpdateOwnGrid(own, fix, s, events);  // Rule 6.
  for (size_t i = first_new; i < events->size(); ++i) {
    FenceEventKind k = (*events)[i].kind();
    if (k == v1::FENCE_EVENT_KIND_EXIT_GRID || k == v1::FENCE_EVENT_KIND_LEFT_OWN_GRID) {
      *(*events)[i].mutable_dwell() = service::ToProto(waited);
    }
  }
}

// Key-point visits (both in-order and late fixes).
void ApplyVisits(const FenceConfig& cfg, const FenceGeometry& geo, const Fix& fix, bool late,
                 WorkerState* s, std::vector<FenceEvent>* events) {
  const double lng = fix.position().lng();
  const double lat = fix.position().lat();
  const absl::Time t = service::FromProto(fix.device_time());

  // Close open visits the worker has clearly walked away from (in-order fixes only).
  if (!late) {
    for (KeyPointVisit& v : *s->mutable_visits()) {
      if (v.closed() || service::FromProto(v.last_inside()) >= t) continue;
      auto kp = geo.FindKeyPoint(v.key_point_id());
      if (!kp.has_value()) continue;
      double d = geo::HaversineMeters(geo::LngLat(lng, lat), geo::LngLat(kp->lng, kp->lat));
      if (d - fix.accuracy_m() > kp->radius_m) v.set_closed(true);
    }
  }

  if (fix.accuracy_m() <= cfg.max_checkin_accuracy_m) {
    for (const KeyPointRef& kp : geo.KeyPointsNear(lng, lat)) {
      double d = geo::HaversineMeters(geo::LngLat(lng, lat), geo::LngLat(kp.lng, kp.lat));
      if (d > kp.radius_m) continue;
      KeyPointVisit* visit = nullptr;
      for (KeyPointVisit& v : *s->mutable_visits()) {
        if (v.key_point_id() != kp.id) continue;
        const absl::Time first = service::FromProto(v.first_inside());
        const absl::Time last = service::FromProto(v.last_inside());
        // A closed visit accepts only late fixes inside its own span.
        const absl::Time end = v.closed() ? last : last + cfg.visit_gap;
        if (t >= first - cfg.visit_gap && t <= end) {
          visit = &v;
          break;
        }
      }
      if (visit == nullptr) {
        visit = s->add_visits();
        visit->set_key_point_id(kp.id);
        *visit->mutable_first_inside() = fix.device_time();
        *visit->mutable_last_inside() = fix.device_time();
      }
      if (t < service::FromProto(visit->first_inside())) *visit->mutable_first_inside() = fix.device_time();
      if (t > service::FromProto(visit->last_inside())) *visit->mutable_last_inside() = fix.device_time();
      const absl::Duration span = service::FromProto(visit->last_inside()) - service::FromProto(visit->first_inside());
      if (!visit->checked_in() && span >= kp.min_dwell) {
        visit->set_checked_in(true);
        FenceEvent e = MakeEvent(v1::FENCE_EVENT_KIND_CHECK_IN, kp.grid_id, fix);
        e.set_key_point_id(kp.id);
        *e.mutable_dwell() = service::ToProto(span);
        events->push_back(std::move(e));
      }
    }
  }

  // Retention: drop visits that ended long before the newest fix.
  const absl::Time newest = std::max(t, service::FromProto(s->last_fix_time()));
  auto* visits = s->mutable_visits();
  visits->erase(std::remove_if(visits->begin(), visits->end(),
                               [&](const KeyPointVisit& v) {
                                 return service::FromProto(v.last_inside()) < newest - cfg.visit_retention;
                               }),
                visits->end());
}

}  // namespace

FixOutcome ApplyFix(const FenceConfig& config, const FenceGeometry& geometry,
                    const std::set<std::string>& own_grids, const Fix& fix, WorkerState* state) {
  FixOutcome out;
  if (state->worker_id().empty()) state->set_worker_id(fix.worker_id());
  const bool seen_before = state->fixes_evaluated() > 0;
  out.late = seen_before && service::FromProto(fix.device_time()) <= service::FromProto(state->last_fix_time());
  if (!out.late) {
    ApplyTransitions(config, geometry, own_grids, fix, state, &out.events);
  }
  ApplyVisits(config, geometry, fix, out.late, state, &out.events);
  if (!out.late) {
    *state->mutable_last_fix_time() = fix.device_time();
    *state->mutable_last_position() = fix.position();
    state->set_last_accuracy_m(fix.accuracy_m());
  }
  state->set_fixes_evaluated(state->fixes_evaluated() + 1);
  return out;
}

}  // namespace gridwork::geofence
