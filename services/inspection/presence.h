// Was the inspector at the subject? Decided from the worker's accepted fixes around the
// submission time: VERIFIED if any fix lies within the subject's radius (inclusive: a fix at
// exactly radius_m counts), TOO_FAR with the nearest distance otherwise, NO_TRACK without any
// fix in the window. Pure; the core fetches the fixes.
#ifndef GRIDWORK_SERVICES_INSPECTION_PRESENCE_H_
#define GRIDWORK_SERVICES_INSPECTION_PRESENCE_H_

#include <vector>

#include "absl/time/time.h"
#include "gridwork/clients/track_source.h"
#include "gridwork/inspection/v1/inspection.pb.h"

namespace gridwork::inspection {

struct PresenceWindow {
  absl::Duration before = absl::Minutes(30);  // a visit takes time; the form is sent at the end
  absl::Duration after = absl::Minutes(5);    // fixes uploaded late still count
};

v1::Presence EvaluatePresence(const std::vector<clients::TrackFix>& fixes,
                              const common::v1::LatLng& subject, double radius_m,
                              const PresenceWindow& window);

// The presence record when the track could not be read (location service unavailable).
v1::Presence UnknownPresence(double radius_m, const PresenceWindow& window);

}  // namespace gridwork::inspection

#endif  // GRIDWORK_SERVICES_INSPECTION_PRESENCE_H_
