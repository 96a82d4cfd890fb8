// gridwork-geofence: the region tree, bindings, key points and fence evaluation.
// Flags: --help. Stops gracefully on SIGTERM/SIGINT.
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/core/flags_usage.h"
#include "gridwork/core/log.h"
#include "gridwork/metrics/metrics_server.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/rpc/server.h"
#include "gridwork/rpc/shutdown_signal.h"
#include "gridwork/rpc/status_convert.h"
#include "gridwork/service/feed_auth.h"
#include "gridwork/service/service_lifecycle.h"
#include "gridwork/service/service_main.h"
#include "gridwork/service/sharding.h"
#include "gridwork/service/store_admin.h"
#include "gridwork/service/store_metrics.h"
#include "gridwork/store/feed_consumer.h"
#include "gridwork/store/feed_service.h"
#include "services/geofence/geofence_core.h"
#include "services/geofence/geofence_service.h"
#include "services/geofence/geofence_store.h"

ABSL_FLAG(std::string, grpc_addr, "127.0.0.1:50052",
          "gRPC listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, metrics_addr, "127.0.0.1:9152",
          "Prometheus /metrics listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, data_dir, "./data/geofence", "Directory of the service's RocksDB store.");
ABSL_FLAG(std::string, principal_key_file, "",
          "File with the HMAC key that verifies caller principals (else $GRIDWORK_PRINCIPAL_KEY).");
ABSL_FLAG(std::string, location_addr, "",
          "gridwork-location address; its feed of accepted fixes is evaluated against the fences "
          "(empty = fixes only via EvaluateFixes).");
ABSL_FLAG(std::string, routing_file, "",
          "Shard routing file (docs/operations.md, Shard). With it, the location feed of EVERY "
          "worker shard is consumed (cursor geofence<-location/<shard>) and only fixes that "
          "concern this shard's grids are evaluated; --location_addr is then unused. Empty = "
          "one location at --location_addr.");
ABSL_FLAG(std::string, shard, "",
          "This process's district shard (d0, ...) in --routing_file; required with it.");
ABSL_FLAG(bool, sync, true,
          "fsync the write-ahead log on every commit (group-committed). false survives a process "
          "crash but not power loss.");
ABSL_FLAG(int, max_message_bytes, 32 << 20,
          "Largest accepted request in bytes (imports of whole cities are a few MB).");
ABSL_FLAG(absl::Duration, exit_dwell, absl::Seconds(30),
          "Time a worker must be clearly in another region before a transition fires.");
ABSL_FLAG(
    double, enter_margin_m, 5,
    "Metres a fix must be inside a grid, beyond its accuracy radius, to count as clearly inside.");
ABSL_FLAG(double, exit_margin_m, 15,
          "Metres a fix must be outside the current grid, beyond its accuracy radius, to count as "
          "clearly outside.");
ABSL_FLAG(double, max_accuracy_m, 100,
          "Fixes with a worse accuracy radius never change a worker's grid.");
ABSL_FLAG(double, sibling_overlap_m2, 2000,
          "Allowed overlap area between sibling regions, square metres (or --sibling_overlap_ratio "
          "of the smaller).");
ABSL_FLAG(double, sibling_overlap_ratio, 0.002,
          "Allowed overlap between siblings as a fraction of the smaller one.");
ABSL_FLAG(double, outside_parent_m2, 2000,
          "Allowed area of a child outside its parent, square metres (or --outside_parent_ratio of "
          "the child).");
ABSL_FLAG(double, outside_parent_ratio, 0.002,
          "Allowed area of a child outside its parent as a fraction of the child.");
ABSL_FLAG(absl::Duration, feed_retention, absl::Hours(24 * 14),
          "Feed events older than this are trimmed.");
ABSL_FLAG(absl::Duration, idempotency_retention, absl::Hours(24 * 7),
          "Idempotency records older than this are trimmed (retries after that are new requests).");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM, how long running calls may take to finish.");

namespace gridwork::geofence {
namespace {

int Run() {
  log::SetServiceName("geofence");
  auto key = rpc::LoadPrincipalKey(absl::GetFlag(FLAGS_principal_key_file));
  if (!key.ok()) {
    log::Error("cannot start", {{"error", key.status().message()}});
    return 2;
  }
  rpc::PrincipalCodec codec(*key);

  auto routing = service::LoadShardRouting(absl::GetFlag(FLAGS_routing_file), "geofence",
                                           absl::GetFlag(FLAGS_shard));
  if (!routing.ok()) {
    log::Error("cannot start", {{"error", routing.status().message()}});
    return 2;
  }

  auto store =
      GeofenceStore::Open(absl::GetFlag(FLAGS_data_dir), Clock::Real(), absl::GetFlag(FLAGS_sync));
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
  GeofenceMetrics domain_metrics((*metrics)->registry());

  GeofenceOptions options;
  options.fence.exit_dwell = absl::GetFlag(FLAGS_exit_dwell);
  options.fence.enter_margin_m = absl::GetFlag(FLAGS_enter_margin_m);
  options.fence.exit_margin_m = absl::GetFlag(FLAGS_exit_margin_m);
  options.fence.max_accuracy_m = absl::GetFlag(FLAGS_max_accuracy_m);
  options.tolerances.sibling_overlap_m2 = absl::GetFlag(FLAGS_sibling_overlap_m2);
  options.tolerances.sibling_overlap_ratio = absl::GetFlag(FLAGS_sibling_overlap_ratio);
  options.tolerances.outside_parent_m2 = absl::GetFlag(FLAGS_outside_parent_m2);
  options.tolerances.outside_parent_ratio = absl::GetFlag(FLAGS_outside_parent_ratio);
  options.district_shard = *routing != nullptr;
  auto core = GeofenceCore::Create(store->get(), options, &domain_metrics);
  if (!core.ok()) {
    log::Error("cannot load state", {{"error", core.status().message()}});
    return 1;
  }

  GeofenceServiceImpl geofence(core->get(), &codec);
  store::FeedServiceImpl feed((*store)->db(), service::FeedAuthorizer(&codec),
                              service::FeedScopeFilter(&codec));

  rpc::ServerOptions server_options;
  server_options.service_name = "geofence";
  server_options.grpc_addr = absl::GetFlag(FLAGS_grpc_addr);
  server_options.max_receive_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  service::StoreAdminService store_admin(
      (*store)->db(), service::CheckpointRoot(absl::GetFlag(FLAGS_data_dir), "geofence"),
      service::AdminPrincipalAuthorizer(&codec));
  auto server =
      rpc::ServiceServer::Start(server_options, {&geofence, &feed, &store_admin}, metrics->get());
  if (!server.ok()) {
    log::Error("cannot start gRPC server", {{"error", server.status().message()}});
    return 1;
  }

  // Fixes from the location service's feed — of every worker shard with a routing file —
  // evaluated and committed together with that feed's cursor (exactly once; catches up by
  // itself after an outage of either side).
  auto sources =
      service::PrepareFeedSources((*store)->db(), routing->get(), "location", "geofence<-location",
                                  absl::GetFlag(FLAGS_location_addr));
  if (!sources.ok()) {
    log::Error("cannot prepare the location feeds", {{"error", sources.status().message()}});
    return 1;
  }
  std::vector<std::unique_ptr<store::FeedConsumer>> fixes;
  for (const service::FeedSource& source : *sources) {
    store::FeedConsumerOptions consumer_options;
    consumer_options.types = {"gridwork.common.v1.AcceptedFixes", "gridwork.common.v1.Fix"};
    consumer_options.add_metadata = service::ServicePrincipalMetadata(&codec, "geofence");
    consumer_options.max_batch_delay = absl::Milliseconds(2);
    // Each event carries a whole ingested batch (up to 1,000 fixes): bound the fixes per commit.
    consumer_options.max_batch_events = 256;
    GeofenceCore* c = core->get();
    const std::string name = source.consumer;
    fixes.push_back(std::make_unique<store::FeedConsumer>(
        (*store)->db(), rpc::MakeChannel(source.address), name,
        store::FeedConsumer::BatchHandler(
            [c, name](const std::vector<store::FeedEvent>& events, store::WriteRequest&) {
              // ApplyLocationFixes commits effects and cursor itself (and is safe to call
              // from every shard's consumer at once); the consumer's own commit then only
              // repeats the same cursor.
              return c->ApplyLocationFixes(events, name);
            }),
        consumer_options));
    fixes.back()->Start();
  }
  std::vector<const store::FeedConsumer*> consumer_list;
  for (const auto& f : fixes) consumer_list.push_back(f.get());
  service::ConsumerMetrics consumer_metrics((*metrics)->registry(), consumer_list);

  service::RetentionPolicy retention_policy;
  retention_policy.feed_max_age = absl::GetFlag(FLAGS_feed_retention);
  retention_policy.idempotency_max_age = absl::GetFlag(FLAGS_idempotency_retention);
  retention_policy.period = absl::Hours(1);

  return service::ServeUntilShutdown(
      "geofence", **server, **metrics, (*store)->db(), &feed, retention_policy,
      absl::GetFlag(FLAGS_data_dir),
      [&] {
        for (auto& f : fixes) f->Stop();
      },
      absl::GetFlag(FLAGS_drain_timeout));
}

}  // namespace
}  // namespace gridwork::geofence

int main(int argc, char** argv) {
  gridwork::service::InitServiceProcess(argc, argv,
                                        "region tree, bindings, key points and fence evaluation.\n"
                                        "Usage: gridwork-geofence [flags]");
  return gridwork::geofence::Run();
}
