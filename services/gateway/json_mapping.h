// The HTTP/JSON <-> gRPC mapping: request JSON (protobuf's canonical JSON mapping, field
// names as in the .proto or lowerCamelCase) to the method's request bytes, response bytes
// back to JSON. Types come from the generated descriptor pool (linked_protos.h), so no
// message is written twice.
//
// Thread safety: pure functions over the immutable generated pool.
#ifndef GRIDWORK_SERVICES_GATEWAY_JSON_MAPPING_H_
#define GRIDWORK_SERVICES_GATEWAY_JSON_MAPPING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace gridwork::gateway {

// "/pkg.Svc/Method" or "pkg.Svc/Method" -> descriptor; nullptr if unknown.
const google::protobuf::MethodDescriptor* FindMethod(absl::string_view method);

// INVALID_ARGUMENT (with the parser's message) if `json` does not match the request type.
// An empty body means the empty message. Unknown fields are rejected.
absl::StatusOr<std::string> JsonToRequestBytes(const google::protobuf::MethodDescriptor* m,
                                               absl::string_view json);

// Query parameters as top-level request fields (for GET streams): each name is a field's
// JSON or proto name; a repeated name fills a repeated field (`states=A&states=B`). Scalar,
// enum, Timestamp (RFC 3339) and Duration ("90s") fields only. INVALID_ARGUMENT for unknown
// names, other message fields (nested fields cannot be named) or values that do not parse.
absl::StatusOr<std::string> QueryToRequestBytes(
    const google::protobuf::MethodDescriptor* m,
    const std::vector<std::pair<std::string, std::string>>& params);

// DATA_LOSS if the bytes do not parse as the response type. Proto field names are kept,
// default values are printed.
absl::StatusOr<std::string> ResponseBytesToJson(const google::protobuf::MethodDescriptor* m,
                                                absl::string_view bytes);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_JSON_MAPPING_H_
