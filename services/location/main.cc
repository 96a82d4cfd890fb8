// gridwork-location: ingest of workers' position fixes, tracks, last positions, online state.
// Flags: --help. Stops gracefully on SIGTERM/SIGINT.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/core/flags_usage.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/metrics/metrics_server.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/rpc/server.h"
#include "gridwork/rpc/shutdown_signal.h"
#include "gridwork/rpc/unary_work_pool.h"
#include "gridwork/service/feed_auth.h"
#include "gridwork/service/service_lifecycle.h"
#include "gridwork/service/service_main.h"
#include "gridwork/service/sharding.h"
#include "gridwork/service/store_admin.h"
#include "gridwork/service/store_metrics.h"
#include "gridwork/store/feed_consumer.h"
#include "gridwork/store/feed_service.h"
#include "gridwork/store/serial_commit.h"
#include "services/location/location_core.h"
#include "services/location/location_service.h"
#include "services/location/location_store.h"

ABSL_FLAG(std::string, grpc_addr, "127.0.0.1:50051",
          "gRPC listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, metrics_addr, "127.0.0.1:9151",
          "Prometheus /metrics listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, data_dir, "./data/location", "Directory of the service's RocksDB store.");
ABSL_FLAG(std::string, principal_key_file, "",
          "File with the HMAC key that verifies caller principals (else $GRIDWORK_PRINCIPAL_KEY).");
ABSL_FLAG(
    std::string, geofence_addr, "",
    "gridwork-geofence address; its fence events give each worker's current grid (empty = none).");
ABSL_FLAG(std::string, routing_file, "",
          "Shard routing file (docs/operations.md, Shard). With it, the fence events of EVERY "
          "geofence shard are consumed (cursor location<-geofence/<shard>); --geofence_addr is "
          "then unused. Empty = one geofence at --geofence_addr.");
ABSL_FLAG(std::string, shard, "",
          "This process's worker shard (w0, ...) in --routing_file; required with it.");
ABSL_FLAG(bool, sync, true,
          "fsync the write-ahead log before acknowledging fixes (group-committed). false survives "
          "a process crash but not power loss.");
ABSL_FLAG(int, ingest_threads, 64,
          "Threads that run IngestFixes calls; each waits for its group commit, so this also "
          "bounds the requests one commit group can merge.");
ABSL_FLAG(int, ingest_queue, 16384,
          "IngestFixes calls that may wait for an ingest thread; beyond it calls fail at once "
          "with RESOURCE_EXHAUSTED (callers back off) instead of piling up.");
ABSL_FLAG(absl::Duration, retention, absl::Hours(24 * 400),
          "Fixes older than this are dropped by compaction.");
ABSL_FLAG(absl::Duration, future_skew, absl::Minutes(2),
          "Fixes with a device time further in the future are rejected (FUTURE_TIME).");
ABSL_FLAG(absl::Duration, max_age, absl::Hours(24 * 7),
          "Fixes older than this when received are rejected (TOO_OLD).");
ABSL_FLAG(double, max_accuracy_m, 500,
          "Fixes with a larger accuracy radius are rejected (LOW_ACCURACY).");
ABSL_FLAG(double, max_speed_mps, 70,
          "Fixes implying a faster move from the previous fix are rejected (IMPOSSIBLE_SPEED).");
ABSL_FLAG(absl::Duration, online_window, absl::Minutes(5),
          "A worker is online with a fix newer than this.");
ABSL_FLAG(absl::Duration, feed_retention, absl::Hours(24 * 3),
          "Feed events (accepted fixes for consumers) older than this are trimmed.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM, how long running calls may take to finish.");

namespace gridwork::location {
namespace {

int Run() {
  log::SetServiceName("location");
  auto key = rpc::LoadPrincipalKey(absl::GetFlag(FLAGS_principal_key_file));
  if (!key.ok()) {
    log::Error("cannot start", {{"error", key.status().message()}});
    return 2;
  }
  rpc::PrincipalCodec codec(*key);
  auto routing = service::LoadShardRouting(absl::GetFlag(FLAGS_routing_file), "location",
                                           absl::GetFlag(FLAGS_shard));
  if (!routing.ok()) {
    log::Error("cannot start", {{"error", routing.status().message()}});
    return 2;
  }
  auto store = LocationStore::Open(absl::GetFlag(FLAGS_data_dir), Clock::Real(),
                                   absl::GetFlag(FLAGS_sync), absl::GetFlag(FLAGS_retention));
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
  LocationMetrics domain_metrics((*metrics)->registry());
  LocationOptions options;
  options.filters.future_skew = absl::GetFlag(FLAGS_future_skew);
  options.filters.max_age = absl::GetFlag(FLAGS_max_age);
  options.filters.max_accuracy_m = absl::GetFlag(FLAGS_max_accuracy_m);
  options.filters.max_speed_mps = absl::GetFlag(FLAGS_max_speed_mps);
  options.online_window = absl::GetFlag(FLAGS_online_window);
  auto core = LocationCore::Create(store->get(), options, &domain_metrics);
  if (!core.ok()) {
    log::Error("cannot load state", {{"error", core.status().message()}});
    return 1;
  }

  // Declared before the server: calls still running during its shutdown need the pool.
  rpc::UnaryWorkPool ingest_pool("location ingest", absl::GetFlag(FLAGS_ingest_threads),
                                 absl::GetFlag(FLAGS_ingest_queue));
  LocationServiceImpl location(core->get(), &codec, Clock::Real(), &ingest_pool);
  store::FeedServiceImpl feed((*store)->db(), service::FeedAuthorizer(&codec),
                              service::FeedScopeFilter(&codec));
  rpc::ServerOptions server_options;
  server_options.service_name = "location";
  server_options.grpc_addr = absl::GetFlag(FLAGS_grpc_addr);
  service::StoreAdminService store_admin(
      (*store)->db(), service::CheckpointRoot(absl::GetFlag(FLAGS_data_dir), "location"),
      service::AdminPrincipalAuthorizer(&codec));
  auto server =
      rpc::ServiceServer::Start(server_options, {&location, &feed, &store_admin}, metrics->get());
  if (!server.ok()) {
    log::Error("cannot start gRPC server", {{"error", server.status().message()}});
    return 1;
  }

  // Current grids from geofence's fence events — of every district shard with a routing
  // file — exactly once, each feed with its own cursor in our store. The consumers' batches
  // are applied one at a time (SerialCommit): an EXIT from one shard and the ENTER from
  // another read and write the same worker's grid.
  auto sources =
      service::PrepareFeedSources((*store)->db(), routing->get(), "geofence", "location<-geofence",
                                  absl::GetFlag(FLAGS_geofence_addr));
  if (!sources.ok()) {
    log::Error("cannot prepare the geofence feeds", {{"error", sources.status().message()}});
    return 1;
  }
  store::SerialCommit serial((*store)->db());
  std::vector<std::unique_ptr<store::FeedConsumer>> grids;
  for (const service::FeedSource& source : *sources) {
    store::FeedConsumerOptions consumer_options;
    consumer_options.types = {"gridwork.geofence.v1.FenceEvent"};
    consumer_options.add_metadata = service::ServicePrincipalMetadata(&codec, "location");
    LocationCore* c = core->get();
    // Filled by the handler, published to memory once committed (under the same lock).
    auto updates = std::make_shared<std::vector<std::pair<std::string, std::string>>>();
    grids.push_back(std::make_unique<store::FeedConsumer>(
        (*store)->db(), rpc::MakeChannel(source.address), source.consumer,
        serial.Wrap(
            source.consumer,
            [c, updates](const std::vector<store::FeedEvent>& events, store::WriteRequest& write) {
              updates->clear();
              for (const auto& e : events) {
                GW_RETURN_IF_ERROR(c->ApplyGeofenceEvent(e, write, updates.get()));
              }
              return absl::OkStatus();
            },
            [c, updates] { c->CommitGrids(*updates); }),
        consumer_options));
    grids.back()->Start();
  }
  std::vector<const store::FeedConsumer*> consumer_list;
  for (const auto& g : grids) consumer_list.push_back(g.get());
  service::ConsumerMetrics consumer_metrics((*metrics)->registry(), consumer_list);

  service::RetentionPolicy retention_policy;
  retention_policy.feed_max_age = absl::GetFlag(FLAGS_feed_retention);
  retention_policy.idempotency_max_age = absl::InfiniteDuration();
  retention_policy.period = absl::Minutes(10);

  return service::ServeUntilShutdown(
      "location", **server, **metrics, (*store)->db(), &feed, retention_policy,
      absl::GetFlag(FLAGS_data_dir),
      [&] {
        for (auto& g : grids) g->Stop();
      },
      absl::GetFlag(FLAGS_drain_timeout));
}

}  // namespace
}  // namespace gridwork::location

int main(int argc, char** argv) {
  gridwork::service::InitServiceProcess(
      argc, argv,
      "ingest of grid workers' position fixes, tracks, last positions and "
      "online state.\nUsage: gridwork-location [flags]");
  return gridwork::location::Run();
}
