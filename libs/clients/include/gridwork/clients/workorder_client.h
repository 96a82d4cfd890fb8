// The work-order service as another service sees it: create an order (idempotent by the
// request id the caller derives) and check that a photo reference exists. Interface + gRPC
// implementation.
#ifndef GRIDWORK_CLIENTS_WORKORDER_CLIENT_H_
#define GRIDWORK_CLIENTS_WORKORDER_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::clients {

class WorkOrderClient {
 public:
  virtual ~WorkOrderClient() = default;
  // The service's answer, or its error (INVALID_ARGUMENT etc. are permanent; UNAVAILABLE and
  // DEADLINE_EXCEEDED mean "retry with the same request id").
  virtual absl::StatusOr<workorder::v1::CreateOrderResponse> CreateOrder(
      const workorder::v1::CreateOrderRequest& req) = 0;
  // The evidence record of an uploaded photo; NOT_FOUND if it was never uploaded.
  virtual absl::StatusOr<workorder::v1::PhotoRecord> GetPhotoRecord(const std::string& sha256) = 0;
};

std::unique_ptr<WorkOrderClient> NewWorkOrderClient(const std::string& address,
                                                    const rpc::PrincipalCodec* codec,
                                                    const std::string& service_name,
                                                    absl::Duration deadline);

}  // namespace gridwork::clients

#endif  // GRIDWORK_CLIENTS_WORKORDER_CLIENT_H_
