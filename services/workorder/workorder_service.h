// gRPC adapter of the work-order service: authenticates each call and hands it to
// WorkOrderCore. No logic lives here.
#ifndef GRIDWORK_SERVICES_WORKORDER_WORKORDER_SERVICE_H_
#define GRIDWORK_SERVICES_WORKORDER_WORKORDER_SERVICE_H_

#include "gridwork/rpc/principal.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "services/workorder/workorder_core.h"

namespace gridwork::workorder {

class WorkOrderServiceImpl final : public v1::WorkOrderService::Service {
 public:
  // Neither pointer is owned; both must outlive the service.
  WorkOrderServiceImpl(WorkOrderCore* core, const rpc::PrincipalCodec* codec)
      : core_(core), codec_(codec) {}

  grpc::Status CreateOrder(grpc::ServerContext* ctx, const v1::CreateOrderRequest* req,
                           v1::CreateOrderResponse* resp) override;
  grpc::Status SuggestDuplicates(grpc::ServerContext* ctx, const v1::SuggestDuplicatesRequest* req,
                                 v1::SuggestDuplicatesResponse* resp) override;
  grpc::Status GetOrder(grpc::ServerContext* ctx, const v1::GetOrderRequest* req,
                        v1::WorkOrder* resp) override;
  grpc::Status Transition(grpc::ServerContext* ctx, const v1::TransitionRequest* req,
                          v1::WorkOrder* resp) override;
  grpc::Status RateOrder(grpc::ServerContext* ctx, const v1::RateOrderRequest* req,
                         v1::WorkOrder* resp) override;
  grpc::Status ListOrders(grpc::ServerContext* ctx, const v1::ListOrdersRequest* req,
                          v1::ListOrdersResponse* resp) override;
  grpc::Status CountOrders(grpc::ServerContext* ctx, const v1::CountOrdersRequest* req,
                           v1::CountOrdersResponse* resp) override;
  grpc::Status GetHistory(grpc::ServerContext* ctx, const v1::GetHistoryRequest* req,
                          v1::GetHistoryResponse* resp) override;
  grpc::Status VerifyHistory(grpc::ServerContext* ctx, const v1::VerifyHistoryRequest* req,
                             v1::VerifyHistoryResponse* resp) override;
  grpc::Status UploadPhoto(grpc::ServerContext* ctx, const v1::UploadPhotoRequest* req,
                           v1::PhotoRecord* resp) override;
  grpc::Status GetPhoto(grpc::ServerContext* ctx, const v1::GetPhotoRequest* req,
                        v1::GetPhotoResponse* resp) override;
  grpc::Status UpsertCategory(grpc::ServerContext* ctx, const v1::UpsertCategoryRequest* req,
                              v1::Category* resp) override;
  grpc::Status ListCategories(grpc::ServerContext* ctx, const v1::ListCategoriesRequest* req,
                              v1::ListCategoriesResponse* resp) override;
  grpc::Status UpsertDispatchRule(grpc::ServerContext* ctx,
                                  const v1::UpsertDispatchRuleRequest* req,
                                  v1::DispatchRule* resp) override;
  grpc::Status DeleteDispatchRule(grpc::ServerContext* ctx,
                                  const v1::DeleteDispatchRuleRequest* req,
                                  v1::DeleteDispatchRuleResponse* resp) override;
  grpc::Status ListDispatchRules(grpc::ServerContext* ctx, const v1::ListDispatchRulesRequest* req,
                                 v1::ListDispatchRulesResponse* resp) override;

 private:
  WorkOrderCore* core_;
  const rpc::PrincipalCodec* codec_;
};

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_WORKORDER_SERVICE_H_
