#include "services/location/packed_track.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gridwork::location {
namespace {

// a - b and a + b without signed overflow (two's complement wrap-around).
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

}  // namespace

void PackTrack(const std::vector<TrackSample>& samples, v1::PackedTrack* out) {
  out->Clear();
  const int n = static_cast<int>(samples.size());
  out->mutable_time_ms()->Reserve(n);
  out->mutable_lat_e7()->Reserve(n);
  out->mutable_lng_e7()->Reserve(n);
  out->mutable_accuracy_dm()->Reserve(n);
  out->mutable_speed_cms()->Reserve(n);
  int64_t t = 0, lat = 0, lng = 0;
  for (const TrackSample& s : samples) {
    out->add_time_ms(WrapSub(s.time_ms, t));
    out->add_lat_e7(WrapSub(s.lat_e7, lat));
    out->add_lng_e7(WrapSub(s.lng_e7, lng));
    out->add_accuracy_dm(s.accuracy_dm);
    out->add_speed_cms(s.speed_cms);
    t = s.time_ms;
    lat = s.lat_e7;
    lng = s.lng_e7;
  }
}

absl::StatusOr<std::vector<TrackSample>> UnpackTrack(const v1::PackedTrack& p) {
  const int n = p.time_ms_size();
  if (p.lat_e7_size() != n || p.lng_e7_size() != n || p.accuracy_dm_size() != n ||
      p.speed_cms_size() != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "packed track arrays differ in length: time_ms ", n, ", lat_e7 ", p.lat_e7_size(),
        ", lng_e7 ", p.lng_e7_size(), ", accuracy_dm ", p.accuracy_dm_size(), ", speed_cms ",
        p.speed_cms_size()));
  }
  std::vector<TrackSample> out(static_cast<size_t>(n));
  int64_t t = 0, lat = 0, lng = 0;
  for (int i = 0; i < n; ++i) {
    t = WrapAdd(t, p.time_ms(i));
    lat = WrapAdd(lat, p.lat_e7(i));
    lng = WrapAdd(lng, p.lng_e7(i));
    TrackSample& s = out[static_cast<size_t>(i)];
    s.time_ms = t;
    s.lat_e7 = lat;
    s.lng_e7 = lng;
    s.accuracy_dm = p.accuracy_dm(i);
    s.speed_cms = p.speed_cms(i);
  }
  return out;
}

v1::TrackPoint ToTrackPoint(const TrackSample& s) {
  v1::TrackPoint t;
  // Floor division: times before 1970 get a negative second and non-negative nanos.
  int64_t sec = s.time_ms / 1000;
  int64_t ms = s.time_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    sec -= 1;
  }
  t.mutable_device_time()->set_seconds(sec);
  t.mutable_device_time()->set_nanos(static_cast<int32_t>(ms * 1000000));
  t.mutable_position()->set_lat(static_cast<double>(s.lat_e7) * 1e-7);
  t.mutable_position()->set_lng(static_cast<double>(s.lng_e7) * 1e-7);
  t.set_accuracy_m(s.accuracy_dm / 10.0);
  t.set_speed_mps(s.speed_cms < 0 ? -1 : s.speed_cms / 100.0);
  return t;
}

}  // namespace gridwork::location
