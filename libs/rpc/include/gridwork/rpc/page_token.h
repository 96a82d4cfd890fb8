// AIP-158 pagination helpers shared by every List method (see common/v1/paging.proto).
#ifndef GRIDWORK_RPC_PAGE_TOKEN_H_
#define GRIDWORK_RPC_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridwork::rpc {

// Effective page size: `requested` 0 -> default_size; above max_size -> max_size;
// negative -> INVALID_ARGUMENT.
absl::StatusOr<int> ClampPageSize(int requested, int default_size, int max_size);

// Opaque token for "continue after `after_key`", bound to the request's filters by
// `filter_hash` (hash everything except page_size/page_token).
std::string EncodePageToken(absl::string_view after_key, uint64_t filter_hash);

// The after_key of `token`; "" for an empty token. INVALID_ARGUMENT if the token does not
// decode or was issued for different filters.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token, uint64_t filter_hash);

}  // namespace gridwork::rpc

#endif  // GRIDWORK_RPC_PAGE_TOKEN_H_
