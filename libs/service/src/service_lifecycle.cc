#include "gridwork/service/service_lifecycle.h"

#include "absl/time/clock.h"
#include "gridwork/core/log.h"
#include "gridwork/service/store_health.h"
#include "gridwork/service/store_metrics.h"

namespace gridwork::service {

RetentionLoop::RetentionLoop(store::Db* db, RetentionPolicy policy)
    : task_(policy.period, [db, policy] {
        store::FeedRetention r;
        r.max_age = policy.feed_max_age;
        absl::StatusOr<uint64_t> first = db->TrimFeed(r);
        if (!first.ok())
          log::Warning("feed retention failed", {{"error", first.status().message()}});
        if (policy.idempotency_max_age != absl::InfiniteDuration()) {
          auto trimmed = db->TrimIdempotency(absl::Now() - policy.idempotency_max_age);
          if (!trimmed.ok()) {
            log::Warning("idempotency retention failed", {{"error", trimmed.status().message()}});
          }
        }
      }) {}

void RetentionLoop::Stop() { task_.Stop(); }

int ServeUntilShutdown(const std::string& name, rpc::ServiceServer& server,
                       const metrics::MetricsServer& metrics, store::Db* db,
                       store::FeedServiceImpl* feed, const RetentionPolicy& retention,
                       const std::string& data_dir, const std::function<void()>& stop_workers,
                       absl::Duration drain) {
  RetentionLoop retention_loop(db, retention);
  StoreMetrics store_metrics(metrics.registry(), db);
  StoreHealthWatch store_health(metrics.registry(), db, &server, data_dir);
  log::Info(name + " serving", {{"grpc_port", server.grpc_port()},
                                {"metrics_port", metrics.port()},
                                {"data_dir", data_dir}});
  rpc::RunUntilShutdownSignal(
      server,
      [&] {
        store_health.Stop();
        server.SetServing(false);  // again: the watch may have turned it on meanwhile
        stop_workers();
        if (feed != nullptr) feed->Shutdown();
        retention_loop.Stop();
        store_metrics.Stop();
      },
      drain);
  absl::Status closed = db->Close();
  log::Info(name + " stopped", {{"store_closed", closed.ok()}});
  return closed.ok() ? 0 : 1;
}

}  // namespace gridwork::service
