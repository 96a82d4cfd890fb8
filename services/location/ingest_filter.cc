#include "services/location/ingest_filter.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "gridwork/geo/crs.h"
#include "gridwork/geo/distance.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::location {
namespace {

int32_t E7(double deg) { return static_cast<int32_t>(std::llround(deg * 1e7)); }

geo::Point ToWgs84(const common::v1::LatLng& p, common::v1::Crs crs) {
  const geo::Point in = geo::LngLat(p.lng(), p.lat());
  switch (crs) {
    case common::v1::CRS_GCJ02: return geo::Gcj02ToWgs84(in);
    case common::v1::CRS_BD09: return geo::Bd09ToWgs84(in);
    default: return in;
  }
}

Classified Reject(v1::RejectReason reason, std::string detail) {
  Classified c;
  c.reject = reason;
  c.detail = std::move(detail);
  return c;
}

}  // namespace

Classified ClassifyFix(const v1::DeviceFix& in, const std::string& device_id, absl::Time now,
                       const FilterOptions& o) {
  if (!in.has_device_time() || (in.device_time().seconds() == 0 && in.device_time().nanos() == 0)) {
    return Reject(v1::REJECT_REASON_MISSING_TIME, "no device_time");
  }
  const double lat = in.position().lat();
  const double lng = in.position().lng();
  if (!in.has_position() || !std::isfinite(lat) || !std::isfinite(lng) || std::abs(lat) > 90 ||
      std::abs(lng) > 180) {
    return Reject(v1::REJECT_REASON_INVALID_COORDINATES,
                  absl::StrFormat("position (%g, %g) is not a lat/lng pair", lat, lng));
  }
  if (lat == 0 && lng == 0) return Reject(v1::REJECT_REASON_NULL_ISLAND, "position is (0, 0)");
  if (!std::isfinite(in.accuracy_m()) || in.accuracy_m() < 0 || !std::isfinite(in.speed_mps()) ||
      !std::isfinite(in.heading_deg()) || !std::isfinite(in.altitude_m()) ||
      !std::isfinite(in.battery_pct()) || !common::v1::Crs_IsValid(in.crs())) {
    return Reject(v1::REJECT_REASON_INVALID_FIELD,
                  "accuracy must be >= 0 and speed/heading/altitude/battery finite");
  }
  const absl::Time t = service::FromProto(in.device_time());
  if (t > now + o.future_skew) {
    return Reject(v1::REJECT_REASON_FUTURE_TIME,
                  absl::StrFormat("device time is %s ahead of the server clock",
                                  absl::FormatDuration(t - now)));
  }
  if (t < now - o.max_age) {
    return Reject(v1::REJECT_REASON_TOO_OLD,
                  absl::StrFormat("device time is %s old (maximum %s)",
                                  absl::FormatDuration(now - t), absl::FormatDuration(o.max_age)));
  }
  if (in.accuracy_m() > o.max_accuracy_m) {
    return Reject(v1::REJECT_REASON_LOW_ACCURACY,
                  absl::StrFormat("accuracy %.0f m above %.0f m", in.accuracy_m(),
                                  o.max_accuracy_m));
  }
  const geo::Point wgs = ToWgs84(in.position(), in.crs());
  Classified c;
  StoredFix& f = c.fix;
  f.time_ms = absl::ToUnixMillis(t);
  f.lat_e7 = E7(wgs.y());
  f.lng_e7 = E7(wgs.x());
  f.accuracy_dm = static_cast<uint32_t>(std::llround(in.accuracy_m() * 10));
  f.speed_cms = in.speed_mps() < 0 ? -1 : static_cast<int32_t>(std::llround(in.speed_mps() * 100));
  f.heading_ddeg = in.heading_deg() < 0
                       ? -1
                       : static_cast<int32_t>(std::llround(std::fmod(in.heading_deg(), 360) * 10));
  f.altitude_dm = static_cast<int32_t>(std::llround(std::clamp(in.altitude_m(), -2e8, 2e8) * 10));
  f.battery_pct = in.battery_pct() < 0
                      ? -1
                      : static_cast<int32_t>(std::llround(std::min(in.battery_pct(), 100.0)));
  f.crs = static_cast<uint8_t>(in.crs());
  f.provider = static_cast<uint8_t>(in.provider() & 3);
  f.offline = in.offline();
  f.device_id = device_id;
  f.sequence = in.sequence();
  return c;
}

double DistanceM(const StoredFix& a, const StoredFix& b) {
  return geo::HaversineMeters(geo::LngLat(a.lng_e7 * 1e-7, a.lat_e7 * 1e-7),
                              geo::LngLat(b.lng_e7 * 1e-7, b.lat_e7 * 1e-7));
}

bool ImpossibleSpeed(const StoredFix& previous, const StoredFix& fix, const FilterOptions& o,
                     std::string* detail) {
  const double d = DistanceM(previous, fix);
  const double noise = (previous.accuracy_dm + fix.accuracy_dm) / 10.0 + o.jump_floor_m;
  if (d <= noise) return false;
  const double dt_s = std::abs(fix.time_ms - previous.time_ms) / 1000.0;
  const double speed = dt_s > 0 ? d / dt_s : INFINITY;
  if (speed <= o.max_speed_mps) return false;
  *detail = absl::StrFormat("%.0f m in %.1f s from the previous fix: %.0f m/s above %.0f m/s", d,
                            dt_s, speed, o.max_speed_mps);
  return true;
}

common::v1::LatLng ToLatLng(const StoredFix& f) {
  common::v1::LatLng p;
  p.set_lat(f.lat_e7 * 1e-7);
  p.set_lng(f.lng_e7 * 1e-7);
  return p;
}

common::v1::Fix ToCommonFix(const std::string& worker, const StoredFix& f) {
  common::v1::Fix out;
  FillCommonFix(worker, f, &out);
  return out;
}

void FillCommonFix(const std::string& worker, const StoredFix& f, common::v1::Fix* out) {
  out->set_worker_id(worker);
  out->set_device_id(f.device_id);
  out->set_sequence(f.sequence);
  // Floor division: device times before 1970 get a negative second and non-negative nanos.
  int64_t sec = f.time_ms / 1000, ms = f.time_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    sec -= 1;
  }
  out->mutable_device_time()->set_seconds(sec);
  out->mutable_device_time()->set_nanos(static_cast<int32_t>(ms * 1000000));
  out->mutable_position()->set_lat(f.lat_e7 * 1e-7);
  out->mutable_position()->set_lng(f.lng_e7 * 1e-7);
  out->set_accuracy_m(f.accuracy_dm / 10.0);
  out->set_speed_mps(f.speed_cms < 0 ? -1 : f.speed_cms / 100.0);
  out->set_heading_deg(f.heading_ddeg < 0 ? -1 : f.heading_ddeg / 10.0);
  out->set_altitude_m(f.altitude_dm / 10.0);
  out->set_battery_pct(f.battery_pct < 0 ? -1 : f.battery_pct);
  out->set_provider(static_cast<common::v1::Fix::Provider>(f.provider));
  out->set_offline(f.offline);
}

}  // namespace gridwork::location
