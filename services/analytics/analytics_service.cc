#include "services/analytics/analytics_service.h"

#include <algorithm>

#include "gridwork/rpc/handler.h"
#include "gridwork/rpc/status_convert.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::analytics {

grpc::Status AnalyticsServiceImpl::GetCockpit(grpc::ServerContext* ctx,
                                              const v1::GetCockpitRequest* req, v1::Cockpit* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetCockpit(p, *req); });
}

grpc::Status AnalyticsServiceImpl::ListLiveWorkers(grpc::ServerContext* ctx,
                                                   const v1::ListLiveWorkersRequest* req,
                                                   v1::ListLiveWorkersResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListLiveWorkers(p, *req); });
}

grpc::Status AnalyticsServiceImpl::GetCoverage(grpc::ServerContext* ctx,
                                               const v1::GetCoverageRequest* req,
                                               v1::GetCoverageResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetCoverage(p, *req); });
}

grpc::Status AnalyticsServiceImpl::GetHeatmap(grpc::ServerContext* ctx,
                                              const v1::GetHeatmapRequest* req,
                                              v1::GetHeatmapResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetHeatmap(p, *req); });
}

grpc::Status AnalyticsServiceImpl::ListSurges(grpc::ServerContext* ctx,
                                              const v1::ListSurgesRequest* req,
                                              v1::ListSurgesResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListSurges(p, *req); });
}

grpc::Status AnalyticsServiceImpl::QuerySeries(grpc::ServerContext* ctx,
                                               const v1::QuerySeriesRequest* req,
                                               v1::QuerySeriesResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->QuerySeries(p, *req); });
}

grpc::Status AnalyticsServiceImpl::GetOrderStats(grpc::ServerContext* ctx,
                                                 const v1::GetOrderStatsRequest* req,
                                                 v1::GetOrderStatsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetOrderStats(p, *req); });
}

grpc::Status AnalyticsServiceImpl::GetInspectionStats(grpc::ServerContext* ctx,
                                                      const v1::GetInspectionStatsRequest* req,
                                                      v1::GetInspectionStatsResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetInspectionStats(p, *req); });
}

grpc::Status AnalyticsServiceImpl::ListAssessment(grpc::ServerContext* ctx,
                                                  const v1::ListAssessmentRequest* req,
                                                  v1::ListAssessmentResponse* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->ListAssessment(p, *req); });
}

grpc::Status AnalyticsServiceImpl::GetAssessmentConfig(grpc::ServerContext* ctx,
                                                       const v1::GetAssessmentConfigRequest* req,
                                                       v1::AssessmentConfig* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetAssessmentConfig(p, *req); });
}

grpc::Status AnalyticsServiceImpl::SetAssessmentConfig(grpc::ServerContext* ctx,
                                                       const v1::SetAssessmentConfigRequest* req,
                                                       v1::AssessmentConfig* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->SetAssessmentConfig(p, *req); });
}

grpc::Status AnalyticsServiceImpl::Rebuild(grpc::ServerContext* ctx, const v1::RebuildRequest* req,
                                           v1::RebuildStatus* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->Rebuild(p, *req); });
}

grpc::Status AnalyticsServiceImpl::GetRebuildStatus(grpc::ServerContext* ctx,
                                                    const v1::GetRebuildStatusRequest* req,
                                                    v1::RebuildStatus* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetRebuildStatus(p, *req); });
}

grpc::Status AnalyticsServiceImpl::GetAggregateDigest(grpc::ServerContext* ctx,
                                                      const v1::GetAggregateDigestRequest* req,
                                                      v1::AggregateDigest* resp) {
  return rpc::HandleUnary(*codec_, ctx, *req, resp,
                          [&](const Principal& p) { return core_->GetAggregateDigest(p, *req); });
}

grpc::Status AnalyticsServiceImpl::WriteCsv(const std::string& csv,
                                            grpc::ServerWriter<v1::CsvChunk>* writer) {
  constexpr size_t kChunk = 64 * 1024;
  for (size_t pos = 0; pos < csv.size(); pos += kChunk) {
    v1::CsvChunk chunk;
    chunk.set_data(csv.substr(pos, kChunk));
    if (!writer->Write(chunk)) return grpc::Status(grpc::StatusCode::CANCELLED, "client gone");
  }
  return grpc::Status::OK;
}

grpc::Status AnalyticsServiceImpl::ExportSeriesCsv(grpc::ServerContext* ctx,
                                                   const v1::QuerySeriesRequest* req,
                                                   grpc::ServerWriter<v1::CsvChunk>* writer) {
  std::string csv;
  grpc::Status s = rpc::HandleUnary(*codec_, ctx, *req, &csv,
                                    [&](const Principal& p) { return core_->SeriesCsv(p, *req); });
  return s.ok() ? WriteCsv(csv, writer) : s;
}

grpc::Status AnalyticsServiceImpl::ExportAssessmentCsv(grpc::ServerContext* ctx,
                                                       const v1::ListAssessmentRequest* req,
                                                       grpc::ServerWriter<v1::CsvChunk>* writer) {
  std::string csv;
  grpc::Status s = rpc::HandleUnary(*codec_, ctx, *req, &csv, [&](const Principal& p) {
    return core_->AssessmentCsvExport(p, *req);
  });
  return s.ok() ? WriteCsv(csv, writer) : s;
}

grpc::Status AnalyticsServiceImpl::StreamCockpit(grpc::ServerContext* ctx,
                                                 const v1::StreamCockpitRequest* req,
                                                 grpc::ServerWriter<v1::Cockpit>* writer) {
  absl::StatusOr<Principal> principal = codec_->Authenticate(*ctx);
  if (!principal.ok()) return rpc::ToGrpcStatus(principal.status());
  absl::Duration min_interval = absl::Milliseconds(250);
  if (req->has_min_interval()) {
    min_interval = std::max(absl::Milliseconds(100), service::FromProto(req->min_interval()));
  }
  v1::GetCockpitRequest get;
  get.set_region_prefix(req->region_prefix());
  if (metrics_ != nullptr) ++metrics_->cockpit_streams;
  grpc::Status result = grpc::Status::OK;
  uint64_t seen = 0;
  while (true) {
    if (ending_) {
      result = grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down: reconnect");
      break;
    }
    if (ctx->IsCancelled()) break;
    absl::StatusOr<v1::Cockpit> c = core_->GetCockpit(*principal, get);
    if (!c.ok()) {
      result = rpc::ToGrpcStatus(c.status());
      break;
    }
    seen = c->generation();
    if (!writer->Write(*c)) break;
    const absl::Time next = absl::Now() + min_interval;
    // Wait for a change (or the 10 s heartbeat), in short steps to notice cancellation.
    const absl::Time heartbeat = absl::Now() + absl::Seconds(10);
    while (!ending_ && !ctx->IsCancelled() && absl::Now() < heartbeat &&
           core_->live().WaitForChange(
               seen, std::min(heartbeat, absl::Now() + absl::Milliseconds(200))) <= seen) {
    }
    const absl::Duration rest = next - absl::Now();
    if (rest > absl::ZeroDuration()) absl::SleepFor(rest);
  }
  if (metrics_ != nullptr) --metrics_->cockpit_streams;
  return result;
}

}  // namespace gridwork::analytics
