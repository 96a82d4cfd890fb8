#include "services/workorder/feed_visibility.h"

#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::workorder {

bool FeedEventVisible(const rpc::Principal& p, const store::FeedEvent& e) {
  const bool in_scope =
      e.region_path().empty() ? p.region_scope().empty() : rpc::InScope(p, e.region_path());
  switch (p.role()) {
    case common::v1::ROLE_RESIDENT: {
      v1::Notification n;
      return e.payload().UnpackTo(&n) && n.recipient() == p.subject();
    }
    case common::v1::ROLE_DEPARTMENT_HANDLER: {
      if (!in_scope || p.department().empty()) return false;
      v1::OrderEvent oe;
      if (e.payload().UnpackTo(&oe)) return oe.department() == p.department();
      v1::SlaAlarm alarm;
      if (e.payload().UnpackTo(&alarm)) return alarm.department() == p.department();
      return false;
    }
    case common::v1::ROLE_UNSPECIFIED:
      return false;
    default:
      return in_scope;
  }
}

store::FeedServiceImpl::VisibleFn WorkOrderFeedVisibility(const rpc::PrincipalCodec* codec) {
  return [codec](grpc::ServerContext* ctx, const store::FeedEvent& e) {
    auto p = codec->Authenticate(*ctx);
    return p.ok() && FeedEventVisible(*p, e);
  };
}

}  // namespace gridwork::workorder
