#include "services/workorder/photo_check.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace gridwork::workorder {
namespace {

constexpr absl::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

bool LooksLikeJpeg(absl::string_view b) {
  if (b.size() < 4 || static_cast<unsigned char>(b[0]) != 0xFF ||
      static_cast<unsigned char>(b[1]) != 0xD8 || static_cast<unsigned char>(b[2]) != 0xFF) {
    return false;
  }
  // Cameras sometimes pad after EOI; look for FF D9 near the end.
  const size_t window = std::min<size_t>(b.size() - 2, 1024 + 2);
  absl::string_view tail = b.substr(b.size() - window);
  return tail.find("\xFF\xD9") != absl::string_view::npos;
}

bool LooksLikePng(absl::string_view b) {
  return b.size() >= 8 + 8 + 13 && b.substr(0, 8) == kPngSignature && b.substr(12, 4) == "IHDR";
}

}  // namespace

absl::StatusOr<std::string> DetectPhotoType(absl::string_view bytes) {
  if (bytes.empty()) return absl::InvalidArgumentError("photo content is empty");
  if (bytes.size() > kMaxPhotoBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("photo is ", bytes.size(), " bytes; the limit is ", kMaxPhotoBytes,
                     " (8 MiB) — resize it on the phone before uploading"));
  }
  if (LooksLikeJpeg(bytes)) return std::string("image/jpeg");
  if (LooksLikePng(bytes)) return std::string("image/png");
  return absl::InvalidArgumentError(
      absl::StrCat("photo must be a JPEG or PNG image; the content starts with bytes ",
                   absl::BytesToHexString(bytes.substr(0, 8))));
}

}  // namespace gridwork::workorder
