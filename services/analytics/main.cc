// gridwork-analytics: the cockpit, coverage, heatmap, trends and worker assessment, computed
// from the feeds of location, geofence, workorder and inspection. Flags: --help.
#include <memory>
#include <string>
#include <tuple>

#include "absl/flags/flag.h"
#include "gridwork/clients/region_shapes.h"
#include "gridwork/core/log.h"
#include "gridwork/metrics/metrics_server.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/rpc/server.h"
#include "gridwork/service/feed_auth.h"
#include "gridwork/service/periodic_task.h"
#include "gridwork/service/service_lifecycle.h"
#include "gridwork/service/service_main.h"
#include "gridwork/service/sharding.h"
#include "gridwork/service/store_admin.h"
#include "gridwork/store/feed_service.h"
#include "services/analytics/analytics_core.h"
#include "services/analytics/analytics_metrics.h"
#include "services/analytics/analytics_service.h"
#include "services/analytics/analytics_store.h"
#include "services/analytics/consumers.h"
#include "services/analytics/ingest.h"
#include "services/analytics/live_state.h"
#include "services/analytics/queries.h"

ABSL_FLAG(std::string, grpc_addr, "127.0.0.1:50055",
          "gRPC listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, metrics_addr, "127.0.0.1:9155",
          "Prometheus /metrics listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, data_dir, "./data/analytics", "Directory of the service's RocksDB store.");
ABSL_FLAG(std::string, principal_key_file, "",
          "File with the HMAC key that verifies caller principals (else $GRIDWORK_PRINCIPAL_KEY).");
ABSL_FLAG(std::string, location_addr, "127.0.0.1:50051",
          "gridwork-location: its feed of accepted fixes (empty = not consumed).");
ABSL_FLAG(std::string, geofence_addr, "127.0.0.1:50052",
          "gridwork-geofence: regions, bindings, key points, check-ins; GetRegion for grid "
          "polygons (empty = not consumed).");
ABSL_FLAG(std::string, workorder_addr, "127.0.0.1:50053",
          "gridwork-workorder: order history and SLA alarms (empty = not consumed).");
ABSL_FLAG(std::string, inspection_addr, "127.0.0.1:50054",
          "gridwork-inspection: tasks and results (empty = not consumed).");
ABSL_FLAG(std::string, routing_file, "",
          "Shard routing file (docs/operations.md, Shard). With it, the location feed of EVERY "
          "worker shard is consumed (cursor analytics<-location/<shard>) and only workers bound "
          "in this shard's grids are counted; geofence, workorder and inspection are this "
          "shard's own, at the addresses the file gives them (the --<peer>_addr flags are then "
          "unused). Empty = one of each at the --<peer>_addr flags.");
ABSL_FLAG(std::string, shard, "",
          "This process's district shard (d0, ...) in --routing_file; required with it.");
ABSL_FLAG(absl::Duration, call_deadline, absl::Seconds(3),
          "Deadline of each unary call to another service (GetRegion, GetFeedInfo).");
ABSL_FLAG(absl::Duration, stream_deadline, absl::Seconds(60),
          "Deadline of one feed Watch stream; it is re-opened when it passes.");
ABSL_FLAG(bool, sync, true,
          "fsync the write-ahead log before a consumer's batch counts as applied.");
ABSL_FLAG(double, cell_size_m, 30, "Side of a coverage / heatmap cell in metres (5-500).");
ABSL_FLAG(absl::Duration, online_window, absl::Minutes(5),
          "A worker counts as online with a fix this recent.");
ABSL_FLAG(int32_t, max_batch_events, 2000, "Most feed events applied in one commit.");
ABSL_FLAG(absl::Duration, feed_retention, absl::Hours(24 * 7),
          "Analytics publishes no feed of its own; its (empty) feed is trimmed after this.");
ABSL_FLAG(absl::Duration, reference_wait, absl::Minutes(2),
          "At start, how long the location/workorder/inspection consumers wait for the geofence "
          "consumer (grids, bindings) to catch up before they start anyway.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM, how long running calls may take to finish.");

namespace gridwork::analytics {
namespace {

int Run() {
  log::SetServiceName("analytics");
  const double cell_size = absl::GetFlag(FLAGS_cell_size_m);
  if (!(cell_size >= 5 && cell_size <= 500)) {
    log::Error("cannot start", {{"error", "--cell_size_m must be within 5..500"}});
    return 2;
  }
  auto key = rpc::LoadPrincipalKey(absl::GetFlag(FLAGS_principal_key_file));
  if (!key.ok()) {
    log::Error("cannot start", {{"error", key.status().message()}});
    return 2;
  }
  rpc::PrincipalCodec codec(*key);
  auto routing = service::LoadShardRouting(absl::GetFlag(FLAGS_routing_file), "analytics",
                                           absl::GetFlag(FLAGS_shard));
  if (!routing.ok()) {
    log::Error("cannot start", {{"error", routing.status().message()}});
    return 2;
  }
  // Same-key peers: this shard's own (from the routing file, else the flags).
  PeerAddresses peers;
  for (auto [peer, flag, out] :
       {std::make_tuple("geofence", absl::GetFlag(FLAGS_geofence_addr), &peers.geofence),
        std::make_tuple("workorder", absl::GetFlag(FLAGS_workorder_addr), &peers.workorder),
        std::make_tuple("inspection", absl::GetFlag(FLAGS_inspection_addr), &peers.inspection)}) {
    auto address = service::PeerAddress(routing->get(), peer, absl::GetFlag(FLAGS_shard), flag);
    if (!address.ok()) {
      log::Error("cannot start", {{"error", address.status().message()}});
      return 2;
    }
    *out = *address;
  }
  auto store =
      AnalyticsStore::Open(absl::GetFlag(FLAGS_data_dir), Clock::Real(), absl::GetFlag(FLAGS_sync));
  if (!store.ok()) {
    log::Error("cannot open store",
               {{"data_dir", absl::GetFlag(FLAGS_data_dir)}, {"error", store.status().message()}});
    return 1;
  }
  auto metrics = metrics::MetricsServer::Start(absl::GetFlag(FLAGS_metrics_addr));
  if (!metrics.ok()) {
    log::Error("cannot start metrics", {{"error", metrics.status().message()}});
    return 1;
  }
  const absl::Duration deadline = absl::GetFlag(FLAGS_call_deadline);
  auto location_sources =
      service::PrepareFeedSources((*store)->db(), routing->get(), "location", "analytics<-location",
                                  absl::GetFlag(FLAGS_location_addr));
  if (!location_sources.ok()) {
    log::Error("cannot prepare the location feeds",
               {{"error", location_sources.status().message()}});
    return 1;
  }
  peers.location = *location_sources;
  auto shapes = clients::NewGeofenceRegionShapes(peers.geofence, &codec, "analytics", deadline);
  LiveState live(Clock::Real(), 48);
  IngestOptions ingest_options;
  ingest_options.cell_size_m = cell_size;
  ingest_options.only_bound_workers = *routing != nullptr;
  Ingest ingest(store->get(), &live, shapes.get(), ingest_options);
  QueryOptions query_options;
  query_options.online_window = absl::GetFlag(FLAGS_online_window);
  Queries queries(store->get(), &live, &ingest.raster(), Clock::Real(), query_options);

  store::FeedConsumerOptions consumer_options;
  consumer_options.add_metadata = service::ServicePrincipalMetadata(&codec, "analytics");
  consumer_options.call_deadline = deadline;
  consumer_options.stream_deadline = absl::GetFlag(FLAGS_stream_deadline);
  consumer_options.max_batch_events = static_cast<size_t>(absl::GetFlag(FLAGS_max_batch_events));
  ConsumerSet consumers((*store)->db(), &ingest, peers, consumer_options,
                        absl::GetFlag(FLAGS_reference_wait));
  AnalyticsCore core(store->get(), &live, &queries, &consumers);
  if (absl::Status s = core.ResumeInterruptedRebuild(); !s.ok()) {
    log::Error("cannot finish the interrupted rebuild", {{"error", s.message()}});
    return 1;
  }
  if (absl::Status s = live.Load(**store); !s.ok()) {
    log::Error("cannot load the live state", {{"error", s.message()}});
    return 1;
  }
  AnalyticsMetrics domain_metrics((*metrics)->registry(), &live, &consumers, Clock::Real(),
                                  query_options.online_window);

  AnalyticsServiceImpl service(&core, &codec, &domain_metrics);
  store::FeedServiceImpl feed((*store)->db(), service::FeedAuthorizer(&codec),
                              service::FeedScopeFilter(&codec));
  rpc::ServerOptions server_options;
  server_options.service_name = "analytics";
  server_options.grpc_addr = absl::GetFlag(FLAGS_grpc_addr);
  service::StoreAdminService store_admin(
      (*store)->db(), service::CheckpointRoot(absl::GetFlag(FLAGS_data_dir), "analytics"),
      service::AdminPrincipalAuthorizer(&codec));
  auto server =
      rpc::ServiceServer::Start(server_options, {&service, &feed, &store_admin}, metrics->get());
  if (!server.ok()) {
    log::Error("cannot start gRPC server", {{"error", server.status().message()}});
    return 1;
  }
  consumers.Start();
  service::PeriodicTask prune(absl::Minutes(10), [&live] { live.Prune(); });

  service::RetentionPolicy retention_policy;
  retention_policy.feed_max_age = absl::GetFlag(FLAGS_feed_retention);
  return service::ServeUntilShutdown(
      "analytics", **server, **metrics, (*store)->db(), &feed, retention_policy,
      absl::GetFlag(FLAGS_data_dir),
      [&] {
        service.EndStreams();
        consumers.Stop();
        prune.Stop();
        domain_metrics.Stop();
      },
      absl::GetFlag(FLAGS_drain_timeout));
}

}  // namespace
}  // namespace gridwork::analytics

int main(int argc, char** argv) {
  gridwork::service::InitServiceProcess(
      argc, argv,
      "cockpit figures, patrol coverage, incident heatmap and surges, trends and worker "
      "assessment, from the feeds of the other services.\nUsage: gridwork-analytics [flags]");
  return gridwork::analytics::Run();
}
