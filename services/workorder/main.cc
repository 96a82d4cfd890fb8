// gridwork-workorder: the closed loop of incidents — report, dispatch, handle, verify, close —
// with SLA deadlines and a hash-chained history. Flags: --help. Stops gracefully on SIGTERM.
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "gridwork/clients/region_locator.h"
#include "gridwork/core/flags_usage.h"
#include "gridwork/core/log.h"
#include "gridwork/metrics/metrics_server.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/rpc/server.h"
#include "gridwork/rpc/shutdown_signal.h"
#include "gridwork/service/feed_auth.h"
#include "gridwork/service/periodic_task.h"
#include "gridwork/service/service_lifecycle.h"
#include "gridwork/service/service_main.h"
#include "gridwork/service/sharding.h"
#include "gridwork/service/store_admin.h"
#include "gridwork/store/feed_service.h"
#include "services/workorder/feed_visibility.h"
#include "services/workorder/workorder_core.h"
#include "services/workorder/workorder_service.h"
#include "services/workorder/workorder_store.h"

ABSL_FLAG(std::string, grpc_addr, "127.0.0.1:50053",
          "gRPC listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, metrics_addr, "127.0.0.1:9153",
          "Prometheus /metrics listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, data_dir, "./data/workorder", "Directory of the service's RocksDB store.");
ABSL_FLAG(std::string, principal_key_file, "",
          "File with the HMAC key that verifies caller principals (else $GRIDWORK_PRINCIPAL_KEY).");
ABSL_FLAG(std::string, geofence_addr, "127.0.0.1:50052",
          "gridwork-geofence address: Locate gives each new order its region path.");
ABSL_FLAG(std::string, routing_file, "",
          "Shard routing file (docs/operations.md, Shard). With it, geofence is this shard's "
          "own at the address the file gives (--geofence_addr is then unused). Empty = "
          "--geofence_addr.");
ABSL_FLAG(std::string, shard, "",
          "This process's district shard (d0, ...) in --routing_file; required with it.");
ABSL_FLAG(absl::Duration, geofence_deadline, absl::Seconds(2),
          "Deadline of each Locate call to geofence.");
ABSL_FLAG(bool, sync, true,
          "fsync the write-ahead log before acknowledging a change (group-committed).");
ABSL_FLAG(absl::Duration, timer_period, absl::Seconds(1), "How often due SLA timers are fired.");
ABSL_FLAG(double, duplicate_radius_m, 200,
          "Duplicate suggestion: open orders of the same category within this distance.");
ABSL_FLAG(absl::Duration, duplicate_window, absl::Hours(72),
          "Duplicate suggestion: ... created within this time.");
ABSL_FLAG(int64_t, order_cache_size, 20000,
          "Orders whose last committed version is kept in memory for their next transition "
          "(about 1-2 KB each; 0 = read every order from the store).");
ABSL_FLAG(absl::Duration, feed_retention, absl::Hours(24 * 30),
          "Feed events older than this are trimmed.");
ABSL_FLAG(absl::Duration, idempotency_retention, absl::Hours(24 * 7),
          "Request ids are remembered this long.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM, how long running calls may take to finish.");

namespace gridwork::workorder {
namespace {

int Run() {
  log::SetServiceName("workorder");
  auto key = rpc::LoadPrincipalKey(absl::GetFlag(FLAGS_principal_key_file));
  if (!key.ok()) {
    log::Error("cannot start", {{"error", key.status().message()}});
    return 2;
  }
  rpc::PrincipalCodec codec(*key);
  // An order's place is in this shard's districts: the geofence shard of the same districts.
  auto routing = service::LoadShardRouting(absl::GetFlag(FLAGS_routing_file), "workorder",
                                           absl::GetFlag(FLAGS_shard));
  absl::StatusOr<std::string> geofence_addr =
      routing.ok() ? service::PeerAddress(routing->get(), "geofence", absl::GetFlag(FLAGS_shard),
                                          absl::GetFlag(FLAGS_geofence_addr))
                   : routing.status();
  if (!geofence_addr.ok()) {
    log::Error("cannot start", {{"error", geofence_addr.status().message()}});
    return 2;
  }
  auto store =
      WorkOrderStore::Open(absl::GetFlag(FLAGS_data_dir), Clock::Real(), absl::GetFlag(FLAGS_sync));
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
  WorkOrderMetrics domain_metrics((*metrics)->registry());
  std::unique_ptr<clients::RegionLocator> locator = clients::NewGeofenceLocator(
      *geofence_addr, &codec, "workorder", absl::GetFlag(FLAGS_geofence_deadline));
  WorkOrderOptions options;
  options.duplicate_radius_m = absl::GetFlag(FLAGS_duplicate_radius_m);
  options.duplicate_window = absl::GetFlag(FLAGS_duplicate_window);
  if (absl::GetFlag(FLAGS_order_cache_size) < 0) {
    log::Error("cannot start", {{"error", "--order_cache_size must be >= 0"}});
    return 2;
  }
  options.order_cache_size = static_cast<size_t>(absl::GetFlag(FLAGS_order_cache_size));
  auto core =
      WorkOrderCore::Create(store->get(), locator.get(), Clock::Real(), &domain_metrics, options);
  if (!core.ok()) {
    log::Error("cannot load state", {{"error", core.status().message()}});
    return 1;
  }

  WorkOrderServiceImpl service(core->get(), &codec);
  store::FeedServiceImpl feed((*store)->db(), service::FeedAuthorizer(&codec),
                              WorkOrderFeedVisibility(&codec));
  rpc::ServerOptions server_options;
  server_options.service_name = "workorder";
  server_options.grpc_addr = absl::GetFlag(FLAGS_grpc_addr);
  service::StoreAdminService store_admin(
      (*store)->db(), service::CheckpointRoot(absl::GetFlag(FLAGS_data_dir), "workorder"),
      service::AdminPrincipalAuthorizer(&codec));
  auto server =
      rpc::ServiceServer::Start(server_options, {&service, &feed, &store_admin}, metrics->get());
  if (!server.ok()) {
    log::Error("cannot start gRPC server", {{"error", server.status().message()}});
    return 1;
  }

  WorkOrderCore* c = core->get();
  service::PeriodicTask timers(absl::GetFlag(FLAGS_timer_period), [c] {
    absl::StatusOr<int> fired = c->RunDueTimers();
    if (!fired.ok()) log::Warning("SLA timers failed", {{"error", fired.status().message()}});
  });
  service::RetentionPolicy retention_policy;
  retention_policy.feed_max_age = absl::GetFlag(FLAGS_feed_retention);
  retention_policy.idempotency_max_age = absl::GetFlag(FLAGS_idempotency_retention);

  return service::ServeUntilShutdown(
      "workorder", **server, **metrics, (*store)->db(), &feed, retention_policy,
      absl::GetFlag(FLAGS_data_dir), [&] { timers.Stop(); }, absl::GetFlag(FLAGS_drain_timeout));
}

}  // namespace
}  // namespace gridwork::workorder

int main(int argc, char** argv) {
  gridwork::service::InitServiceProcess(
      argc, argv,
      "the work-order closed loop (report, dispatch, handle, verify, close) "
      "with SLA deadlines and a tamper-evident history.\n"
      "Usage: gridwork-workorder [flags]");
  return gridwork::workorder::Run();
}
