// The analytics CSV exports (ExportSeriesCsv, ExportAssessmentCsv) through a gateway that
// shards analytics (--routing_file). The stream's one request is read first, then:
//   - it names a region (`region_prefix`): the export of the shard owning its district;
//   - no region, scoped caller: the export of the caller's default shard;
//   - no region, unscoped caller (admins): the CSV of the whole city, written by the gateway
//     from the merged unary answers (shard_fanout.h): ExportSeriesCsv from QuerySeries
//     merged over every shard (MergeSeries), ExportAssessmentCsv from ListAssessment merged
//     and ranked over every shard, read in pages of 1000 (MergeAssessmentPage). Every shard
//     is asked with the call's deadline; any shard failing fails the export (UNAVAILABLE
//     naming it), never a partial file.
// The text is analytics' own format (services/analytics/csv.h, shared), in chunks of 64 KiB
// as analytics sends them, header in the first. A one-shard export is read whole from the
// shard and then written (analytics builds it in memory too).
//
// Thread safety: one blocking worker thread per call builds the export, then hands it to the
// reactor; no gRPC operation is started with the call's mutex held.
#ifndef GRIDWORK_SERVICES_GATEWAY_CSV_EXPORT_STREAM_H_
#define GRIDWORK_SERVICES_GATEWAY_CSV_EXPORT_STREAM_H_

#include <grpcpp/generic/async_generic_service.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gridwork/analytics/v1/analytics.pb.h"
#include "services/gateway/call_gate.h"
#include "services/gateway/proxy_service.h"

namespace gridwork::gateway {

inline constexpr char kExportSeriesCsvMethod[] =
    "/gridwork.analytics.v1.AnalyticsService/ExportSeriesCsv";
inline constexpr char kExportAssessmentCsvMethod[] =
    "/gridwork.analytics.v1.AnalyticsService/ExportAssessmentCsv";

// True for the two export methods above.
bool IsCsvExport(absl::string_view method);

// The reactor for one export call. REQUIRES: deps.router routes analytics;
// IsCsvExport(ctx->method()).
grpc::ServerGenericBidiReactor* NewShardedCsvExport(ProxyService* service, const ProxyDeps& deps,
                                                    grpc::GenericCallbackServerContext* ctx,
                                                    Admission admission);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_CSV_EXPORT_STREAM_H_
