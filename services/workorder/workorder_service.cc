#include "services/workorder/workorder_service.h"

#include "gridwork/rpc/handler.h"

namespace gridwork::workorder {

grpc::Status WorkOrderServiceImpl::CreateOrder(grpc::ServerContext* ctx,
                                               const v1::CreateOrderRequest* req,
                                               v1::CreateOrderResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->CreateOrder(p, *req); });
}

grpc::Status WorkOrderServiceImpl::SuggestDuplicates(grpc::ServerContext* ctx,
                                                     const v1::SuggestDuplicatesRequest* req,
                                                     v1::SuggestDuplicatesResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->SuggestDuplicates(p, *req); });
}

grpc::Status WorkOrderServiceImpl::GetOrder(grpc::ServerContext* ctx,
                                            const v1::GetOrderRequest* req, v1::WorkOrder* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetOrder(p, *req); });
}

grpc::Status WorkOrderServiceImpl::Transition(grpc::ServerContext* ctx,
                                              const v1::TransitionRequest* req,
                                              v1::WorkOrder* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->Transition(p, *req); });
}

grpc::Status WorkOrderServiceImpl::RateOrder(grpc::ServerContext* ctx,
                                             const v1::RateOrderRequest* req, v1::WorkOrder* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->RateOrder(p, *req); });
}

grpc::Status WorkOrderServiceImpl::ListOrders(grpc::ServerContext* ctx,
                                              const v1::ListOrdersRequest* req,
                                              v1::ListOrdersResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListOrders(p, *req); });
}

grpc::Status WorkOrderServiceImpl::CountOrders(grpc::ServerContext* ctx,
                                               const v1::CountOrdersRequest* req,
                                               v1::CountOrdersResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->CountOrders(p, *req); });
}

grpc::Status WorkOrderServiceImpl::GetHistory(grpc::ServerContext* ctx,
                                              const v1::GetHistoryRequest* req,
                                              v1::GetHistoryResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetHistory(p, *req); });
}

grpc::Status WorkOrderServiceImpl::VerifyHistory(grpc::ServerContext* ctx,
                                                 const v1::VerifyHistoryRequest* req,
                                                 v1::VerifyHistoryResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->VerifyHistory(p, *req); });
}

grpc::Status WorkOrderServiceImpl::UploadPhoto(grpc::ServerContext* ctx,
                                               const v1::UploadPhotoRequest* req,
                                               v1::PhotoRecord* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->UploadPhoto(p, *req); });
}

grpc::Status WorkOrderServiceImpl::GetPhoto(grpc::ServerContext* ctx,
                                            const v1::GetPhotoRequest* req,
                                            v1::GetPhotoResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetPhoto(p, *req); });
}

grpc::Status WorkOrderServiceImpl::UpsertCategory(grpc::ServerContext* ctx,
                                                  const v1::UpsertCategoryRequest* req,
                                                  v1::Category* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->UpsertCategory(p, *req); });
}

grpc::Status WorkOrderServiceImpl::ListCategories(grpc::ServerContext* ctx,
                                                  const v1::ListCategoriesRequest* req,
                                                  v1::ListCategoriesResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListCategories(p, *req); });
}

grpc::Status WorkOrderServiceImpl::UpsertDispatchRule(grpc::ServerContext* ctx,
                                                      const v1::UpsertDispatchRuleRequest* req,
                                                      v1::DispatchRule* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->UpsertDispatchRule(p, *req); });
}

grpc::Status WorkOrderServiceImpl::DeleteDispatchRule(grpc::ServerContext* ctx,
                                                      const v1::DeleteDispatchRuleRequest* req,
                                                      v1::DeleteDispatchRuleResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->DeleteDispatchRule(p, *req); });
}

grpc::Status WorkOrderServiceImpl::ListDispatchRules(grpc::ServerContext* ctx,
                                                     const v1::ListDispatchRulesRequest* req,
                                                     v1::ListDispatchRulesResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListDispatchRules(p, *req); });
}

}  // namespace gridwork::workorder
