#include "gridwork/clients/workorder_client.h"

#include "absl/strings/str_cat.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/status_convert.h"
#include "gridwork/service/feed_auth.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"

namespace gridwork::clients {
namespace {

class GrpcWorkOrderClient : public WorkOrderClient {
 public:
  GrpcWorkOrderClient(const std::string& address, const rpc::PrincipalCodec* codec,
                      const std::string& service_name, absl::Duration deadline)
      : stub_(workorder::v1::WorkOrderService::NewStub(rpc::MakeChannel(address))),
        attach_(service::ServicePrincipalMetadata(codec, service_name)),
        deadline_(deadline) {}

  absl::StatusOr<workorder::v1::CreateOrderResponse> CreateOrder(
      const workorder::v1::CreateOrderRequest& req) override {
    workorder::v1::CreateOrderResponse resp;
    auto ctx = rpc::NewCallContext(deadline_);
    attach_(ctx.get());
    grpc::Status s = stub_->CreateOrder(ctx.get(), req, &resp);
    if (!s.ok()) return Prefixed("workorder CreateOrder", s);
    return resp;
  }

  absl::StatusOr<workorder::v1::PhotoRecord> GetPhotoRecord(const std::string& sha256) override {
    workorder::v1::GetPhotoRequest req;
    req.set_sha256(sha256);
    req.set_metadata_only(true);
    workorder::v1::GetPhotoResponse resp;
    auto ctx = rpc::NewCallContext(deadline_);
    attach_(ctx.get());
    grpc::Status s = stub_->GetPhoto(ctx.get(), req, &resp);
    if (!s.ok()) return Prefixed("workorder GetPhoto", s);
    return resp.record();
  }

 private:
  static absl::Status Prefixed(const char* what, const grpc::Status& s) {
    absl::Status status = rpc::ToAbslStatus(s);
    return absl::Status(status.code(), absl::StrCat(what, " failed: ", status.message()));
  }

  std::unique_ptr<workorder::v1::WorkOrderService::Stub> stub_;
  std::function<void(grpc::ClientContext*)> attach_;
  absl::Duration deadline_;
};

}  // namespace

std::unique_ptr<WorkOrderClient> NewWorkOrderClient(const std::string& address,
                                                    const rpc::PrincipalCodec* codec,
                                                    const std::string& service_name,
                                                    absl::Duration deadline) {
  return std::make_unique<GrpcWorkOrderClient>(address, codec, service_name, deadline);
}

}  // namespace gridwork::clients
