// Parsing of one HTTP/1.x request into the route handlers' HttpRequest (http_types.h), apart
// from any socket: http_server.cc reads the socket through the same parser configuration and
// conversion, and the fuzz target tests/fuzz/gateway_fuzz.cc drives ParseHttpRequest with
// arbitrary bytes.
//
// Thread safety: pure functions.
#ifndef GRIDWORK_SERVICES_GATEWAY_HTTP_PARSE_H_
#define GRIDWORK_SERVICES_GATEWAY_HTTP_PARSE_H_

#include <boost/beast/http.hpp>
#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/gateway/http_types.h"

namespace gridwork::gateway {

struct HttpLimits {
  size_t max_header_bytes = 16 << 10;
  size_t max_body_bytes = 16 << 20;
};

using BeastRequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Applies the header and body limits to a fresh parser.
void ConfigureParser(const HttpLimits& limits, BeastRequestParser* parser);

// The handlers' view of a parsed request: path percent-decoded ('+' kept), query parsed as
// form-encoded pairs, Content-Type and Authorization copied, body moved out of `r`.
HttpRequest ToHttpRequest(boost::beast::http::request<boost::beast::http::string_body>&& r,
                          const std::string& peer);

// Parses exactly one request from the start of `bytes`. RESOURCE_EXHAUSTED naming "headers"
// or "body" when a limit is exceeded (the server answers 431/413), INVALID_ARGUMENT when the
// bytes are not HTTP/1.x or end before the request does. Never reads past `bytes`; the
// result's peer is empty.
absl::StatusOr<HttpRequest> ParseHttpRequest(absl::string_view bytes, const HttpLimits& limits);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_HTTP_PARSE_H_
