// gRPC adapter of the analytics service: authenticates each call and hands it to
// AnalyticsCore; the streaming methods (cockpit updates, CSV chunks) live here.
#ifndef GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_SERVICE_H_
#define GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_SERVICE_H_

#include <atomic>

#include "gridwork/analytics/v1/analytics.grpc.pb.h"
#include "gridwork/rpc/principal.h"
#include "services/analytics/analytics_core.h"
#include "services/analytics/analytics_metrics.h"

namespace gridwork::analytics {

class AnalyticsServiceImpl final : public v1::AnalyticsService::Service {
 public:
  // None owned; all must outlive the service. `metrics` may be null.
  AnalyticsServiceImpl(AnalyticsCore* core, const rpc::PrincipalCodec* codec,
                       AnalyticsMetrics* metrics)
      : core_(core), codec_(codec), metrics_(metrics) {}

  // Ends every open cockpit stream (UNAVAILABLE) so that shutdown does not wait for them.
  void EndStreams() { ending_ = true; }

  grpc::Status GetCockpit(grpc::ServerContext* ctx, const v1::GetCockpitRequest* req,
                          v1::Cockpit* resp) override;
  grpc::Status StreamCockpit(grpc::ServerContext* ctx, const v1::StreamCockpitRequest* req,
                             grpc::ServerWriter<v1::Cockpit>* writer) override;
  grpc::Status ListLiveWorkers(grpc::ServerContext* ctx, const v1::ListLiveWorkersRequest* req,
                               v1::ListLiveWorkersResponse* resp) override;
  grpc::Status GetCoverage(grpc::ServerContext* ctx, const v1::GetCoverageRequest* req,
                           v1::GetCoverageResponse* resp) override;
  grpc::Status GetHeatmap(grpc::ServerContext* ctx, const v1::GetHeatmapRequest* req,
                          v1::GetHeatmapResponse* resp) override;
  grpc::Status ListSurges(grpc::ServerContext* ctx, const v1::ListSurgesRequest* req,
                          v1::ListSurgesResponse* resp) override;
  grpc::Status QuerySeries(grpc::ServerContext* ctx, const v1::QuerySeriesRequest* req,
                           v1::QuerySeriesResponse* resp) override;
  grpc::Status ExportSeriesCsv(grpc::ServerContext* ctx, const v1::QuerySeriesRequest* req,
                               grpc::ServerWriter<v1::CsvChunk>* writer) override;
  grpc::Status GetOrderStats(grpc::ServerContext* ctx, const v1::GetOrderStatsRequest* req,
                             v1::GetOrderStatsResponse* resp) override;
  grpc::Status GetInspectionStats(grpc::ServerContext* ctx,
                                  const v1::GetInspectionStatsRequest* req,
                                  v1::GetInspectionStatsResponse* resp) override;
  grpc::Status ListAssessment(grpc::ServerContext* ctx, const v1::ListAssessmentRequest* req,
                              v1::ListAssessmentResponse* resp) override;
  grpc::Status ExportAssessmentCsv(grpc::ServerContext* ctx, const v1::ListAssessmentRequest* req,
                                   grpc::ServerWriter<v1::CsvChunk>* writer) override;
  grpc::Status GetAssessmentConfig(grpc::ServerContext* ctx,
                                   const v1::GetAssessmentConfigRequest* req,
                                   v1::AssessmentConfig* resp) override;
  grpc::Status SetAssessmentConfig(grpc::ServerContext* ctx,
                                   const v1::SetAssessmentConfigRequest* req,
                                   v1::AssessmentConfig* resp) override;
  grpc::Status Rebuild(grpc::ServerContext* ctx, const v1::RebuildRequest* req,
                       v1::RebuildStatus* resp) override;
  grpc::Status GetRebuildStatus(grpc::ServerContext* ctx, const v1::GetRebuildStatusRequest* req,
                                v1::RebuildStatus* resp) override;
  grpc::Status GetAggregateDigest(grpc::ServerContext* ctx,
                                  const v1::GetAggregateDigestRequest* req,
                                  v1::AggregateDigest* resp) override;

 private:
  // Sends `csv` in chunks of at most 64 KiB.
  static grpc::Status WriteCsv(const std::string& csv, grpc::ServerWriter<v1::CsvChunk>* writer);

  AnalyticsCore* core_;
  const rpc::PrincipalCodec* codec_;
  AnalyticsMetrics* metrics_;
  std::atomic<bool> ending_{false};
};

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_SERVICE_H_
