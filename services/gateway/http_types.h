// The HTTP request and response as the route handlers see them (no Beast types), and the
// gRPC status -> HTTP status mapping (Google's standard mapping: UNAUTHENTICATED 401,
// PERMISSION_DENIED 403, NOT_FOUND 404, RESOURCE_EXHAUSTED 429, ...).
#ifndef GRIDWORK_SERVICES_GATEWAY_HTTP_TYPES_H_
#define GRIDWORK_SERVICES_GATEWAY_HTTP_TYPES_H_

#include <grpcpp/support/status.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace gridwork::gateway {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query
  QueryParams query;   // decoded
  std::string content_type;
  std::string authorization;
  std::string body;
  std::string peer;  // "ipv4:1.2.3.4:5678"

  // The first value of query parameter `name`, "" if absent.
  std::string Param(absl::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Writes one Server-Sent Events frame; false once the client is gone.
using SseSink = std::function<bool(absl::string_view event, absl::string_view data)>;

int HttpStatusFor(grpc::StatusCode code);
// {"code":"PERMISSION_DENIED","message":"..."} with the mapped HTTP status.
HttpResponse ErrorResponse(const grpc::Status& s);

// Percent-decoding ('+' as space when `plus_is_space`); invalid escapes are kept as-is.
std::string UrlDecode(absl::string_view s, bool plus_is_space);
// "a=1&b=2" -> decoded pairs (application/x-www-form-urlencoded rules).
QueryParams ParseFormEncoded(absl::string_view s);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_HTTP_TYPES_H_
