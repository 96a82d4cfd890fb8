// Whether a service's store can take writes, turned into what operators and callers see:
// every `period` it calls Db::RefreshWritability(); on a change it sets gRPC health
// (NOT_SERVING while the store refuses writes, SERVING again once it takes them), sets the
// gauge gridwork_store_writable (1 / 0) and logs once per change — an error line "store not
// writable, refusing writes" with the reason, an info line "store writable again". Writes
// themselves fail in the store (Db::Commit returns the reason: RESOURCE_EXHAUSTED for a full
// disk, UNAVAILABLE for a read-only one); reads go on.
//
//   StoreHealthWatch watch(metrics.registry(), db, &server, data_dir);  // ServeUntilShutdown
//   ...; watch.Stop();  // before the server drains (it must not turn health back on)
//
// REQUIRES: registry, db and server outlive the object.
#ifndef GRIDWORK_SERVICE_STORE_HEALTH_H_
#define GRIDWORK_SERVICE_STORE_HEALTH_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gridwork/rpc/server.h"
#include "gridwork/service/periodic_task.h"
#include "gridwork/store/db.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace gridwork::service {

class StoreHealthWatch {
 public:
  StoreHealthWatch(prometheus::Registry* registry, store::Db* db, rpc::ServiceServer* server,
                   std::string data_dir, absl::Duration period = absl::Seconds(1));
  StoreHealthWatch(const StoreHealthWatch&) = delete;
  StoreHealthWatch& operator=(const StoreHealthWatch&) = delete;
  // Stops watching; health is left as it is. Idempotent.
  void Stop() { task_.Stop(); }

 private:
  void Check();

  store::Db* const db_;
  rpc::ServiceServer* const server_;
  const std::string data_dir_;
  prometheus::Gauge& writable_;
  bool was_writable_ = true;  // only the task's thread touches it
  PeriodicTask task_;         // last: starts after everything above exists
};

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_STORE_HEALTH_H_
