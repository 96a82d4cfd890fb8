#include "gridwork/metrics/metrics_server.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "gridwork/core/log.h"

namespace gridwork::metrics {

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& addr) {
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  try {
    // civetweb takes "host:port"; one worker thread is plenty for a scrape every 15 s.
    server->exposer_ = std::make_unique<prometheus::Exposer>(addr, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve /metrics on ", addr, ": ", e.what()));
  }
  server->exposer_->RegisterCollectable(server->registry_);
  auto ports = server->exposer_->GetListeningPorts();
  server->port_ = ports.empty() ? 0 : ports.front();
  log::Info("metrics endpoint listening",
            {{"metrics_addr", addr}, {"port", server->port_}, {"path", "/metrics"}});
  return server;
}

std::unique_ptr<MetricsServer> MetricsServer::Disabled() {
  return std::unique_ptr<MetricsServer>(new MetricsServer());
}

MetricsServer::~MetricsServer() = default;

}  // namespace gridwork::metrics
