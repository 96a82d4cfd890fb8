// PackedTrack (location.proto): a GetTrack page as parallel delta-encoded arrays instead of
// one nested TrackPoint message per fix. Encoder for the service, decoder for clients
// (gridctl, the benchmark, tests).
//
//   v1::PackedTrack packed;
//   PackTrack(samples, &packed);                       // server
//   absl::StatusOr<std::vector<TrackSample>> s = UnpackTrack(resp.packed());   // client
//
// Encoding (DO NOT CHANGE: clients decode it): time_ms, lat_e7 and lng_e7 hold the first
// value and then each value minus the previous one (zigzag varints on the wire, so the
// small steps of a walked track take 1–3 bytes); accuracy_dm and speed_cms are plain.
//
// Thread safety: free functions without shared state.
#ifndef GRIDWORK_SERVICES_LOCATION_PACKED_TRACK_H_
#define GRIDWORK_SERVICES_LOCATION_PACKED_TRACK_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "gridwork/location/v1/location.pb.h"

namespace gridwork::location {

// One point of a track with the stored resolutions.
struct TrackSample {
  int64_t time_ms = 0;      // device time, ms since the Unix epoch
  int64_t lat_e7 = 0;       // WGS-84, 1e-7 degree
  int64_t lng_e7 = 0;       // WGS-84, 1e-7 degree
  uint32_t accuracy_dm = 0; // decimetres
  int32_t speed_cms = -1;   // cm/s, -1 = unknown
  friend bool operator==(const TrackSample&, const TrackSample&) = default;
};

// Replaces `out` with `samples` (in their order; a track's are ascending in time).
void PackTrack(const std::vector<TrackSample>& samples, v1::PackedTrack* out);

// Decodes a packed track. INVALID_ARGUMENT if the arrays differ in length. Never fails on
// values: deltas add with 64-bit wrap-around, so hostile input yields odd values, not UB.
absl::StatusOr<std::vector<TrackSample>> UnpackTrack(const v1::PackedTrack& packed);

// The TrackPoint a sample stands for (the message GetTrack sends without `packed`).
v1::TrackPoint ToTrackPoint(const TrackSample& s);

}  // namespace gridwork::location

#endif  // GRIDWORK_SERVICES_LOCATION_PACKED_TRACK_H_
