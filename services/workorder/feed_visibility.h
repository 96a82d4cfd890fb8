// Who sees which event of the work-order feed. On top of the region-scope rule of every
// feed (service/feed_auth.h): a resident sees only the Notifications addressed to them; a
// department handler only the OrderEvents and SlaAlarms of their own department.
#ifndef GRIDWORK_SERVICES_WORKORDER_FEED_VISIBILITY_H_
#define GRIDWORK_SERVICES_WORKORDER_FEED_VISIBILITY_H_

#include "gridwork/rpc/principal.h"
#include "gridwork/store/feed_service.h"

namespace gridwork::workorder {

// True iff `p` may see `event` (a work-order feed event).
bool FeedEventVisible(const rpc::Principal& p, const store::FeedEvent& event);

store::FeedServiceImpl::VisibleFn WorkOrderFeedVisibility(const rpc::PrincipalCodec* codec);

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_FEED_VISIBILITY_H_
