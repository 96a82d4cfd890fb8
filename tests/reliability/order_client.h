// A small work-order client for the disk and drain fault tests: creates orders with fresh
// request ids and reads them back, with no built-in retries (the tests count every answer).
#ifndef GRIDWORK_TESTS_RELIABILITY_ORDER_CLIENT_H_
#define GRIDWORK_TESTS_RELIABILITY_ORDER_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "tests/integration/principals.h"
#include "tests/integration/small_tree.h"
#include "tests/reliability/stack.h"

namespace gridwork::testing {

class OrderClient {
 public:
  explicit OrderClient(const std::string& target) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
    stub_ = workorder::v1::WorkOrderService::NewStub(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  }

  // One new order; its id in *id when OK.
  grpc::Status Create(std::string* id, absl::Duration deadline = absl::Seconds(5)) {
    workorder::v1::CreateOrderRequest req;
    req.set_request_id(absl::StrCat("fault-order-", next_++, "-", absl::ToUnixNanos(start_)));
    req.set_category_id("env.garbage");
    *req.mutable_position() = At(34.72, 113.61);
    req.set_description("垃圾堆放");
    workorder::v1::CreateOrderResponse resp;
    auto ctx = As(MakePrincipal(common::v1::ROLE_GRID_WORKER, kG01, "reporter"));
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    grpc::Status s = stub_->CreateOrder(ctx.get(), req, &resp);
    if (s.ok() && id != nullptr) *id = resp.order().id();
    return s;
  }

  // OK if the order is stored and its history verifies.
  grpc::Status Check(const std::string& id) {
    workorder::v1::GetOrderRequest get;
    get.set_order_id(id);
    workorder::v1::WorkOrder order;
    grpc::Status s = stub_->GetOrder(As(AdminPrincipal()).get(), get, &order);
    if (!s.ok()) return s;
    workorder::v1::VerifyHistoryRequest vreq;
    vreq.set_order_id(id);
    workorder::v1::VerifyHistoryResponse verdict;
    s = stub_->VerifyHistory(As(AdminPrincipal()).get(), vreq, &verdict);
    if (!s.ok()) return s;
    if (!verdict.intact() || verdict.length() != order.version()) {
      return grpc::Status(grpc::StatusCode::DATA_LOSS,
                          absl::StrCat("history of ", id, ": ", verdict.problem()));
    }
    return grpc::Status::OK;
  }

 private:
  std::unique_ptr<workorder::v1::WorkOrderService::Stub> stub_;
  std::atomic<int> next_{0};
  const absl::Time start_ = absl::Now();
};

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_RELIABILITY_ORDER_CLIENT_H_
