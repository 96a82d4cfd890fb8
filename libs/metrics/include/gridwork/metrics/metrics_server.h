// The Prometheus registry of a process and the HTTP endpoint that serves it at /metrics.
//
//   auto metrics = MetricsServer::Start("0.0.0.0:9101");   // port 0: pick a free port
//   auto& fixes = prometheus::BuildCounter().Name("gridwork_geofence_fixes_total")
//                     .Help("...").Register(*metrics->registry());
//
// Metrics are registered on registry() whether or not the endpoint is started
// (MetricsServer::Disabled() for tests that do not scrape): code that records metrics never
// needs to know. Thread safety: registry() and the families it holds are thread-safe.
#ifndef GRIDWORK_METRICS_METRICS_SERVER_H_
#define GRIDWORK_METRICS_METRICS_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace gridwork::metrics {

class MetricsServer {
 public:
  // Serves /metrics on `addr` ("host:port"; port 0 picks a free port, see port()).
  // Fails with UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& addr);
  // A registry with no HTTP endpoint.
  static std::unique_ptr<MetricsServer> Disabled();

  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  ~MetricsServer();

  prometheus::Registry* registry() const { return registry_.get(); }
  // Bound TCP port, or 0 when disabled.
  int port() const { return port_; }

 private:
  MetricsServer() = default;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace gridwork::metrics

#endif  // GRIDWORK_METRICS_METRICS_SERVER_H_
