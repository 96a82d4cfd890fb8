// Authorisation glue between the durable feed (libs/store) and signed principals
// (libs/rpc), shared by every service that serves or consumes a feed.
//
//   store::FeedServiceImpl feed(db, FeedAuthorizer(&codec), FeedScopeFilter(&codec));
//   options.add_metadata = ServicePrincipalMetadata(&codec, "geofence");
#ifndef GRIDWORK_SERVICE_FEED_AUTH_H_
#define GRIDWORK_SERVICE_FEED_AUTH_H_

#include <functional>
#include <string>

#include "gridwork/rpc/principal.h"
#include "gridwork/store/feed_service.h"

namespace gridwork::service {

// Watch/GetFeedInfo require a valid principal (UNAUTHENTICATED otherwise).
store::FeedServiceImpl::AuthorizeFn FeedAuthorizer(const rpc::PrincipalCodec* codec);

// An event is visible when its region path is in the caller's scope; events without a
// region path only to unscoped principals.
store::FeedServiceImpl::VisibleFn FeedScopeFilter(const rpc::PrincipalCodec* codec);

// Attaches a freshly signed SERVICE principal (subject = `service_name`, unscoped, valid
// 10 minutes) to an outgoing call: for feed consumers and service-to-service calls.
std::function<void(grpc::ClientContext*)> ServicePrincipalMetadata(
    const rpc::PrincipalCodec* codec, std::string service_name);

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_FEED_AUTH_H_
