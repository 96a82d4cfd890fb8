// OsmAnd / Traccar Client HTTP intake: GET or POST /osmand with
//   id=<device>&lat=<deg>&lon=<deg>&timestamp=<unix s | unix ms | ISO 8601>&speed=<knots>
//   &bearing=<deg>&altitude=<m>&accuracy=<m>&batt=<percent>
// in the query string or a form-encoded body (Traccar Client sends both styles). The device
// id must be bound to a worker (Identity.BindDevice); the fix is ingested into location as
// that worker by the gateway's SERVICE principal, with sequence = timestamp in milliseconds.
//
// Answers: 200 (stored or rejected by location's filters — the app must not resend a fix the
// server judged), 400 (missing/malformed parameter), 403 (unbound device), 503 (location
// unavailable: the app retries).
#ifndef GRIDWORK_SERVICES_GATEWAY_OSMAND_INTAKE_H_
#define GRIDWORK_SERVICES_GATEWAY_OSMAND_INTAKE_H_

#include "absl/status/statusor.h"
#include "gridwork/location/v1/location.pb.h"
#include "gridwork/rpc/principal.h"
#include "services/gateway/http_types.h"
#include "services/gateway/identity_core.h"
#include "services/gateway/shard_router.h"
#include "services/gateway/upstreams.h"

namespace gridwork::gateway {

// Parses the parameters into a one-fix batch (worker_id left empty). INVALID_ARGUMENT names
// the bad parameter.
absl::StatusOr<location::v1::FixBatch> ParseOsmAnd(const QueryParams& params);

// With a `router` that shards location, the fix goes to the bound worker's own shard
// (ShardRouter::RouteRequest by worker_id); else to the single location address.
HttpResponse HandleOsmAnd(const HttpRequest& req, IdentityCore* identity,
                          const Upstreams* upstreams, const ShardRouter* router,
                          const rpc::PrincipalCodec* principals);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_OSMAND_INTAKE_H_
