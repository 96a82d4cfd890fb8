#include "gridwork/service/input_checks.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace gridwork::service {

absl::Status CheckLatLng(const common::v1::LatLng& p, absl::string_view field) {
  if (!std::isfinite(p.lat()) || !std::isfinite(p.lng())) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": latitude and longitude must be finite numbers"));
  }
  if (p.lat() < -90 || p.lat() > 90) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".lat = ", p.lat(), " is outside [-90, 90] (WGS-84 degrees; lat/lng swapped?)"));
  }
  if (p.lng() < -180 || p.lng() > 180) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".lng = ", p.lng(), " is outside [-180, 180] (WGS-84 degrees)"));
  }
  return absl::OkStatus();
}

absl::Status CheckId(absl::string_view id, absl::string_view field, size_t max_len) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  if (id.size() > max_len) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is longer than ", max_len, " bytes"));
  }
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " contains a control character"));
    }
  }
  return absl::OkStatus();
}

}  // namespace gridwork::service
