// What the work-order service accepts as a photo: JPEG or PNG, recognised by the bytes
// themselves (never by a client-declared type), 1 byte to kMaxPhotoBytes.
#ifndef GRIDWORK_SERVICES_WORKORDER_PHOTO_CHECK_H_
#define GRIDWORK_SERVICES_WORKORDER_PHOTO_CHECK_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridwork::workorder {

inline constexpr size_t kMaxPhotoBytes = size_t{8} << 20;

// "image/jpeg" (SOI marker FF D8 followed by a marker byte FF, and the EOI marker FF D9 in
// the last 2 bytes, allowing trailing padding of up to 1 KiB) or "image/png" (the 8-byte
// signature followed by an IHDR chunk).
// INVALID_ARGUMENT for empty or unrecognised content (the message says what was seen);
// RESOURCE_EXHAUSTED above kMaxPhotoBytes.
absl::StatusOr<std::string> DetectPhotoType(absl::string_view bytes);

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_PHOTO_CHECK_H_
