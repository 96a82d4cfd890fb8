#include "gridwork/rpc/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gridwork/common/v1/paging.pb.h"

namespace gridwork::rpc {

absl::StatusOr<int> ClampPageSize(int requested, int default_size, int max_size) {
  if (requested < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be >= 0 (0 = default ", default_size, "), got ", requested));
  }
  if (requested == 0) return default_size;
  return requested > max_size ? max_size : requested;
}

std::string EncodePageToken(absl::string_view after_key, uint64_t filter_hash) {
  common::v1::PageTokenPayload payload;
  payload.set_after_key(std::string(after_key));
  payload.set_filter_hash(filter_hash);
  return absl::WebSafeBase64Escape(payload.SerializeAsString());
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token, uint64_t filter_hash) {
  if (token.empty()) return std::string();
  std::string raw;
  common::v1::PageTokenPayload payload;
  if (!absl::WebSafeBase64Unescape(token, &raw) || !payload.ParseFromString(raw)) {
    return absl::InvalidArgumentError("page_token is not a token issued by this method");
  }
  if (payload.filter_hash() != filter_hash) {
    return absl::InvalidArgumentError(
        "page_token was issued for a request with different filters; start again without it");
  }
  return payload.after_key();
}

}  // namespace gridwork::rpc
