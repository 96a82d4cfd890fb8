#include "services/gateway/linked_protos.h"

#include "gridwork/admin/v1/store_admin.pb.h"
#include "gridwork/analytics/v1/analytics.pb.h"
#include "gridwork/common/v1/feed.pb.h"
#include "gridwork/gateway/v1/gateway.pb.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "gridwork/inspection/v1/inspection.pb.h"
#include "gridwork/location/v1/location.pb.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::gateway {

void LinkServiceProtos() {
  // Each descriptor() call pins its .pb.cc (and so its file's registration) into the binary.
  (void)admin::v1::Checkpoint::descriptor();
  (void)analytics::v1::Cockpit::descriptor();
  (void)common::v1::FeedEvent::descriptor();
  (void)v1::LoginRequest::descriptor();
  (void)geofence::v1::Region::descriptor();
  (void)inspection::v1::Subject::descriptor();
  (void)location::v1::FixBatch::descriptor();
  (void)workorder::v1::WorkOrder::descriptor();
}

}  // namespace gridwork::gateway
