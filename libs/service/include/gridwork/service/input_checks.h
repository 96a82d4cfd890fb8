// Validation of common input fields, with messages that name the field and say what is
// accepted. Used by every service before any work is done.
#ifndef GRIDWORK_SERVICE_INPUT_CHECKS_H_
#define GRIDWORK_SERVICE_INPUT_CHECKS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gridwork/common/v1/geo.pb.h"

namespace gridwork::service {

// INVALID_ARGUMENT unless lat is finite in [-90, 90] and lng finite in [-180, 180].
// `field` names the field in the message, e.g. "fixes[3].position".
absl::Status CheckLatLng(const common::v1::LatLng& p, absl::string_view field);

// INVALID_ARGUMENT unless `id` is 1..max_len bytes of printable ASCII or UTF-8 with no
// control characters (ids are used inside composite keys, where '\0' is a separator).
absl::Status CheckId(absl::string_view id, absl::string_view field, size_t max_len = 128);

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_INPUT_CHECKS_H_
