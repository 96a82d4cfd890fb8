// A worker's accepted fixes over a time window, from the location service (GetTrack), for
// checks such as "was the inspector at the place?". Interface + gRPC implementation.
#ifndef GRIDWORK_CLIENTS_TRACK_SOURCE_H_
#define GRIDWORK_CLIENTS_TRACK_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/core/routing_config.h"
#include "gridwork/rpc/principal.h"

namespace gridwork::clients {

struct TrackFix {
  absl::Time time;
  double lat = 0;  // WGS-84
  double lng = 0;
};

class TrackSource {
 public:
  virtual ~TrackSource() = default;
  // Accepted fixes of `worker` with device time in [start, end), in time order (at most
  // 10,000). UNAVAILABLE / DEADLINE_EXCEEDED when the source cannot answer now.
  virtual absl::StatusOr<std::vector<TrackFix>> Track(const std::string& worker, absl::Time start,
                                                      absl::Time end) = 0;
};

// Calls gridwork-location at `address` with a signed SERVICE principal (subject
// `service_name`) and `deadline` per call.
std::unique_ptr<TrackSource> NewLocationTrackSource(const std::string& address,
                                                    const rpc::PrincipalCodec* codec,
                                                    const std::string& service_name,
                                                    absl::Duration deadline);

// The same over every location shard of `routing`: a worker's track is asked of the worker's
// own shard (WorkerShardOf, the routing contract of docs/operations.md "Shard"), since each
// shard stores only its workers' fixes. NOT_FOUND if `routing` has no location service.
absl::StatusOr<std::unique_ptr<TrackSource>> NewShardedLocationTrackSource(
    const RoutingConfig& routing, const rpc::PrincipalCodec* codec, const std::string& service_name,
    absl::Duration deadline);

}  // namespace gridwork::clients

#endif  // GRIDWORK_CLIENTS_TRACK_SOURCE_H_
