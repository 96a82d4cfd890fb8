// gridwork-inspection: departments' checklists, subjects, inspection tasks and schedules,
// results with presence checks; failed items become work orders. Flags: --help.
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "gridwork/clients/region_locator.h"
#include "gridwork/clients/track_source.h"
#include "gridwork/clients/workorder_client.h"
#include "gridwork/core/flags_usage.h"
#include "gridwork/core/log.h"
#include "gridwork/metrics/metrics_server.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/rpc/server.h"
#include "gridwork/rpc/shutdown_signal.h"
#include "gridwork/service/feed_auth.h"
#include "gridwork/service/periodic_task.h"
#include "gridwork/service/service_lifecycle.h"
#include "gridwork/service/service_main.h"
#include "gridwork/service/sharding.h"
#include "gridwork/service/store_admin.h"
#include "gridwork/service/store_metrics.h"
#include "gridwork/store/feed_consumer.h"
#include "gridwork/store/feed_service.h"
#include "services/inspection/inspection_core.h"
#include "services/inspection/inspection_service.h"
#include "services/inspection/inspection_store.h"

ABSL_FLAG(std::string, grpc_addr, "127.0.0.1:50054",
          "gRPC listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, metrics_addr, "127.0.0.1:9154",
          "Prometheus /metrics listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, data_dir, "./data/inspection", "Directory of the service's RocksDB store.");
ABSL_FLAG(std::string, principal_key_file, "",
          "File with the HMAC key that verifies caller principals (else $GRIDWORK_PRINCIPAL_KEY).");
ABSL_FLAG(std::string, geofence_addr, "127.0.0.1:50052",
          "gridwork-geofence: Locate gives each subject its region path.");
ABSL_FLAG(std::string, location_addr, "127.0.0.1:50051",
          "gridwork-location: the inspector's track verifies presence.");
ABSL_FLAG(
    std::string, workorder_addr, "127.0.0.1:50053",
    "gridwork-workorder: problem items become work orders; its feed schedules re-inspections.");
ABSL_FLAG(std::string, routing_file, "",
          "Shard routing file (docs/operations.md, Shard). With it, an inspector's track is "
          "asked of the inspector's own location shard, and geofence and workorder are this "
          "shard's own, at the addresses the file gives (the --<peer>_addr flags are then "
          "unused). Empty = the --<peer>_addr flags.");
ABSL_FLAG(std::string, shard, "",
          "This process's district shard (d0, ...) in --routing_file; required with it.");
ABSL_FLAG(absl::Duration, call_deadline, absl::Seconds(3),
          "Deadline of each call to another service.");
ABSL_FLAG(bool, sync, true,
          "fsync the write-ahead log before acknowledging a change (group-committed).");
ABSL_FLAG(absl::Duration, presence_before, absl::Minutes(30),
          "Presence: fixes this long before a submission count.");
ABSL_FLAG(absl::Duration, presence_after, absl::Minutes(5),
          "Presence: fixes this long after a submission count.");
ABSL_FLAG(absl::Duration, performed_max_age, absl::Hours(72),
          "SubmitResult: how far performed_at (the phone's clock) may lie in the past, for forms "
          "sent after an offline stretch.");
ABSL_FLAG(double, default_radius_m, 50, "Presence radius of subjects registered without one.");
ABSL_FLAG(absl::Duration, reinspection_due, absl::Hours(24 * 7),
          "A re-inspection is due this long after its work order closed.");
ABSL_FLAG(absl::Duration, loop_period, absl::Seconds(5),
          "How often schedules, missed tasks and the work-order outbox are processed.");
ABSL_FLAG(absl::Duration, feed_retention, absl::Hours(24 * 30),
          "Feed events older than this are trimmed.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM, how long running calls may take to finish.");

namespace gridwork::inspection {
namespace {

int Run() {
  log::SetServiceName("inspection");
  auto key = rpc::LoadPrincipalKey(absl::GetFlag(FLAGS_principal_key_file));
  if (!key.ok()) {
    log::Error("cannot start", {{"error", key.status().message()}});
    return 2;
  }
  rpc::PrincipalCodec codec(*key);
  auto store = InspectionStore::Open(absl::GetFlag(FLAGS_data_dir), Clock::Real(),
                                     absl::GetFlag(FLAGS_sync));
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
  auto routing = service::LoadShardRouting(absl::GetFlag(FLAGS_routing_file), "inspection",
                                           absl::GetFlag(FLAGS_shard));
  if (!routing.ok()) {
    log::Error("cannot start", {{"error", routing.status().message()}});
    return 2;
  }
  auto geofence_addr = service::PeerAddress(routing->get(), "geofence", absl::GetFlag(FLAGS_shard),
                                            absl::GetFlag(FLAGS_geofence_addr));
  auto workorder_addr = service::PeerAddress(
      routing->get(), "workorder", absl::GetFlag(FLAGS_shard), absl::GetFlag(FLAGS_workorder_addr));
  if (!geofence_addr.ok() || !workorder_addr.ok()) {
    log::Error("cannot start",
               {{"error", !geofence_addr.ok() ? geofence_addr.status().message()
                                              : workorder_addr.status().message()}});
    return 2;
  }
  const absl::Duration deadline = absl::GetFlag(FLAGS_call_deadline);
  auto locator = clients::NewGeofenceLocator(*geofence_addr, &codec, "inspection", deadline);
  std::unique_ptr<clients::TrackSource> tracks;
  if (*routing != nullptr) {
    auto sharded =
        clients::NewShardedLocationTrackSource(**routing, &codec, "inspection", deadline);
    if (!sharded.ok()) {
      log::Error("cannot start", {{"error", sharded.status().message()}});
      return 2;
    }
    tracks = std::move(*sharded);
  } else {
    tracks = clients::NewLocationTrackSource(absl::GetFlag(FLAGS_location_addr), &codec,
                                             "inspection", deadline);
  }
  auto workorders = clients::NewWorkOrderClient(*workorder_addr, &codec, "inspection", deadline);
  InspectionOptions options;
  options.presence.before = absl::GetFlag(FLAGS_presence_before);
  options.presence.after = absl::GetFlag(FLAGS_presence_after);
  options.performed_max_age = absl::GetFlag(FLAGS_performed_max_age);
  options.default_radius_m = absl::GetFlag(FLAGS_default_radius_m);
  options.reinspection_due = absl::GetFlag(FLAGS_reinspection_due);
  InspectionMetrics domain_metrics((*metrics)->registry());
  auto core = InspectionCore::Create(
      store->get(), {locator.get(), tracks.get(), workorders.get(), &domain_metrics}, Clock::Real(),
      options);
  if (!core.ok()) {
    log::Error("cannot start core", {{"error", core.status().message()}});
    return 1;
  }

  InspectionServiceImpl service(core->get(), &codec);
  store::FeedServiceImpl feed((*store)->db(), service::FeedAuthorizer(&codec),
                              service::FeedScopeFilter(&codec));
  rpc::ServerOptions server_options;
  server_options.service_name = "inspection";
  server_options.grpc_addr = absl::GetFlag(FLAGS_grpc_addr);
  service::StoreAdminService store_admin(
      (*store)->db(), service::CheckpointRoot(absl::GetFlag(FLAGS_data_dir), "inspection"),
      service::AdminPrincipalAuthorizer(&codec));
  auto server =
      rpc::ServiceServer::Start(server_options, {&service, &feed, &store_admin}, metrics->get());
  if (!server.ok()) {
    log::Error("cannot start gRPC server", {{"error", server.status().message()}});
    return 1;
  }

  InspectionCore* c = core->get();
  // Closed work orders of problem items schedule re-inspections (exactly once: the cursor
  // commits with the task).
  store::FeedConsumerOptions consumer_options;
  consumer_options.types = {"gridwork.workorder.v1.OrderEvent"};
  consumer_options.add_metadata = service::ServicePrincipalMetadata(&codec, "inspection");
  store::FeedConsumer orders(
      (*store)->db(), rpc::MakeChannel(*workorder_addr), "inspection<-workorder",
      store::FeedConsumer::Handler([c](const store::FeedEvent& e, store::WriteRequest& w) {
        return c->ApplyWorkOrderEvent(e, w);
      }),
      consumer_options);
  orders.Start();
  service::ConsumerMetrics consumer_metrics((*metrics)->registry(), {&orders});
  service::PeriodicTask loops(absl::GetFlag(FLAGS_loop_period), [c] {
    for (auto [name, result] : {std::pair{"schedules", c->RunSchedules()},
                                std::pair{"missed tasks", c->MarkMissedTasks()},
                                std::pair{"work-order outbox", c->ProcessPendingOrders()}}) {
      if (!result.ok())
        log::Warning("background work failed",
                     {{"what", name}, {"error", result.status().message()}});
    }
  });
  service::RetentionPolicy retention_policy;
  retention_policy.feed_max_age = absl::GetFlag(FLAGS_feed_retention);

  return service::ServeUntilShutdown(
      "inspection", **server, **metrics, (*store)->db(), &feed, retention_policy,
      absl::GetFlag(FLAGS_data_dir),
      [&] {
        orders.Stop();
        loops.Stop();
      },
      absl::GetFlag(FLAGS_drain_timeout));
}

}  // namespace
}  // namespace gridwork::inspection

int main(int argc, char** argv) {
  gridwork::service::InitServiceProcess(
      argc, argv,
      "departments' checklists, subjects, inspection tasks and results; "
      "failed items become work orders.\nUsage: gridwork-inspection [flags]");
  return gridwork::inspection::Run();
}
