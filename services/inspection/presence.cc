#include "services/inspection/presence.h"

#include <limits>

#include "gridwork/geo/distance.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::inspection {
namespace {

v1::Presence Base(double radius_m, const PresenceWindow& window) {
  v1::Presence p;
  p.set_radius_m(radius_m);
  *p.mutable_window_before() = service::ToProto(window.before);
  *p.mutable_window_after() = service::ToProto(window.after);
  return p;
}

}  // namespace

v1::Presence EvaluatePresence(const std::vector<clients::TrackFix>& fixes,
                              const common::v1::LatLng& subject, double radius_m,
                              const PresenceWindow& window) {
  v1::Presence p = Base(radius_m, window);
  if (fixes.empty()) {
    p.set_status(v1::Presence::STATUS_NO_TRACK);
    return p;
  }
  const geo::Point here(subject.lng(), subject.lat());
  double best = std::numeric_limits<double>::infinity();
  absl::Time best_time;
  for (const auto& f : fixes) {
    double d = geo::HaversineMeters(here, geo::Point(f.lng, f.lat));
    if (d < best) {
      best = d;
      best_time = f.time;
    }
  }
  p.set_distance_m(best);
  *p.mutable_nearest_fix_time() = service::ToProto(best_time);
  p.set_status(best <= radius_m ? v1::Presence::STATUS_VERIFIED : v1::Presence::STATUS_TOO_FAR);
  return p;
}

v1::Presence UnknownPresence(double radius_m, const PresenceWindow& window) {
  v1::Presence p = Base(radius_m, window);
  p.set_status(v1::Presence::STATUS_UNKNOWN);
  return p;
}

}  // namespace gridwork::inspection
