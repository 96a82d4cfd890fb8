// Open311 GeoReport v2 (JSON only) on the work-order service:
//   GET  /open311/v2/services.json              categories -> services (public)
//   GET  /open311/v2/requests.json              the caller's visible orders (residents: their
//                                               own reports), filters service_request_id,
//                                               service_code, status=open|closed
//   GET  /open311/v2/requests/<id>.json         one order
//   POST /open311/v2/requests.json              form-encoded: api_key, service_code, lat,
//                                               long, description -> CreateOrder
// api_key (or "Authorization: Bearer") is an access token of the gateway (Identity.Login);
// every call goes through the loopback gRPC port, so the policy and the services' own
// scope rules apply. Errors use the spec's shape: [{"code":<http>,"description":"..."}].
#ifndef GRIDWORK_SERVICES_GATEWAY_OPEN311_H_
#define GRIDWORK_SERVICES_GATEWAY_OPEN311_H_

#include "absl/status/statusor.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/workorder/v1/workorder.pb.h"
#include "services/gateway/http_types.h"
#include "services/gateway/loopback_client.h"
#include "services/gateway/shard_router.h"
#include "services/gateway/upstreams.h"

namespace gridwork::gateway {

// The fields of a POST requests.json form (first value of each name wins) as a CreateOrder
// request without request_id. INVALID_ARGUMENT when service_code is missing or lat/long do
// not parse as numbers (the ranges are workorder's to check).
absl::StatusOr<workorder::v1::CreateOrderRequest> ParseOpen311Post(const QueryParams& form);

// services.json is public: it is read from workorder with the gateway's SERVICE principal
// (with a `router` that shards workorder: from shard 0; the gateway does not replicate
// catalogues, so operators keep every shard's categories the same). Everything else goes through
// the loopback port, so the proxy's shard routing applies (a POST lands on the workorder shard of
// the position's district).
HttpResponse HandleOpen311(LoopbackClient* loopback, const Upstreams* upstreams,
                           const ShardRouter* router, const rpc::PrincipalCodec* principals,
                           const HttpRequest& req);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_OPEN311_H_
