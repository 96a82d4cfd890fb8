// StreamCockpit through a gateway that shards analytics (--routing_file). The stream's one
// request is read first, then:
//   - it names a region (`region_prefix`): the stream of the shard owning its district;
//   - no region, scoped caller: the stream of the caller's default shard;
//   - no region, unscoped caller (admins): the stream of EVERY analytics shard, merged: once
//     every shard has sent its first cockpit, each update of any shard sends the merge of the
//     latest cockpit of each (MergeCockpit, shard_merge.h).
// A cockpit is a snapshot, so a client slower than the updates gets the latest one: a newer
// cockpit replaces one not yet written (one write in flight at a time).
// When any shard's stream ends, the others are cancelled and the call ends: with that shard's
// end status if it failed (UNAVAILABLE naming the shard when it is unreachable), else OK.
// A client that goes away cancels every shard stream.
//
// Thread safety: one blocking reader thread per shard stream; all shared state is under the
// call's mutex; no gRPC operation is started with the mutex held.
#ifndef GRIDWORK_SERVICES_GATEWAY_COCKPIT_STREAM_H_
#define GRIDWORK_SERVICES_GATEWAY_COCKPIT_STREAM_H_

#include <grpcpp/generic/async_generic_service.h>

#include "services/gateway/call_gate.h"
#include "services/gateway/proxy_service.h"

namespace gridwork::gateway {

inline constexpr char kStreamCockpitMethod[] =
    "/gridwork.analytics.v1.AnalyticsService/StreamCockpit";

// The reactor for one StreamCockpit call. REQUIRES: deps.router routes analytics.
grpc::ServerGenericBidiReactor* NewShardedCockpitStream(ProxyService* service,
                                                        const ProxyDeps& deps,
                                                        grpc::GenericCallbackServerContext* ctx,
                                                        Admission admission);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_COCKPIT_STREAM_H_
