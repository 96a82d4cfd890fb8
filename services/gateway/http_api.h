// The JSON API over HTTP: every method of the policy table at
//   POST /api/<pkg.Service>/<Method>          body = request JSON, answer = response JSON
//   GET  /api/<pkg.Service>/<Method>/stream   server-streaming methods as Server-Sent Events
// through the loopback gRPC client, so authentication, the policy, rate limits, the access
// log and the audit are exactly those of gRPC callers. Errors: {"code","message"} with the
// mapped HTTP status (401 for every token problem, 403 for every denial).
//
// Streams: request fields come from the query string (json_mapping.h); the token from
// "Authorization: Bearer" or, because browsers' EventSource cannot set headers, from
// ?access_token= (never logged). Each message is one "data:" frame of JSON; the end is an
// "event: end" frame with {"code","message"}. ?upstream= names a feed's service.
#ifndef GRIDWORK_SERVICES_GATEWAY_HTTP_API_H_
#define GRIDWORK_SERVICES_GATEWAY_HTTP_API_H_

#include <functional>

#include "services/gateway/http_types.h"
#include "services/gateway/loopback_client.h"

namespace gridwork::gateway {

// `path` starts with "/api/". Unary methods only.
HttpResponse HandleApiCall(LoopbackClient* loopback, const HttpRequest& req);

// `path` starts with "/api/" and ends with "/stream". Calls `start` (which sends the SSE
// headers and returns the sink) only once the request was admitted far enough to stream;
// returns a response otherwise (and then `start` was not called).
HttpResponse HandleApiStream(LoopbackClient* loopback, const HttpRequest& req,
                             const std::function<SseSink()>& start, bool* streamed);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_HTTP_API_H_
