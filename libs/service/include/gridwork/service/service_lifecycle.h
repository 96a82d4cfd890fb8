// The serving tail every service's main() shares: periodic store retention, the "serving"
// log line (which tools/up.sh and the integration tests wait for), graceful drain on
// SIGTERM/SIGINT, closing the store.
//
//   return service::ServeUntilShutdown("location", **server, **metrics, db, &feed,
//                                      retention_policy, data_dir,
//                                      [&] { consumer.Stop(); }, drain);
#ifndef GRIDWORK_SERVICE_SERVICE_LIFECYCLE_H_
#define GRIDWORK_SERVICE_SERVICE_LIFECYCLE_H_

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "gridwork/metrics/metrics_server.h"
#include "gridwork/rpc/server.h"
#include "gridwork/service/periodic_task.h"
#include "gridwork/store/db.h"
#include "gridwork/store/feed_service.h"

namespace gridwork::service {

struct RetentionPolicy {
  // Feed events older than this are trimmed.
  absl::Duration feed_max_age = absl::Hours(24 * 14);
  // Idempotency records older than this are trimmed (InfiniteDuration = keep).
  absl::Duration idempotency_max_age = absl::Hours(24 * 7);
  // How often to trim.
  absl::Duration period = absl::Minutes(10);
};

// Trims the store's feed and idempotency records now and then every `period`, on its own
// thread, until Stop() (or destruction). Failures are logged and retried next period.
class RetentionLoop {
 public:
  RetentionLoop(store::Db* db, RetentionPolicy policy);
  void Stop();

 private:
  PeriodicTask task_;
};

// Runs the store's retention (`retention`) and its writability watch (store_health.h: health
// NOT_SERVING while the store refuses writes) in the background, logs "<name> serving"
// (grpc_port, metrics_port, data_dir) and blocks until SIGTERM/SIGINT; then: health
// NOT_SERVING, `stop_workers` (the service's consumers and loops), the feed's open streams end
// and retention stops, running calls drain for up to `drain`, `db` closes, "<name> stopped" is
// logged. Returns 0, or 1 if the store failed to close cleanly. `feed` may be null (a service
// that serves no feed, e.g. the gateway).
int ServeUntilShutdown(const std::string& name, rpc::ServiceServer& server,
                       const metrics::MetricsServer& metrics, store::Db* db,
                       store::FeedServiceImpl* feed, const RetentionPolicy& retention,
                       const std::string& data_dir, const std::function<void()>& stop_workers,
                       absl::Duration drain);

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_SERVICE_LIFECYCLE_H_
