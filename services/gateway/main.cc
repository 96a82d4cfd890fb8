// gridwork-gateway: the front door. Identity (users, sessions, tokens), the authenticated
// gRPC proxy to every service, HTTP/JSON, OsmAnd and Open311 intake. Flags: --help.
// Stops gracefully on SIGTERM.
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "gridwork/core/log.h"
#include "gridwork/core/routing_config.h"
#include "gridwork/metrics/metrics_server.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/rpc/server.h"
#include "gridwork/service/service_lifecycle.h"
#include "gridwork/service/service_main.h"
#include "services/gateway/call_gate.h"
#include "services/gateway/http_server.h"
#include "services/gateway/identity_core.h"
#include "services/gateway/identity_service.h"
#include "services/gateway/identity_store.h"
#include "services/gateway/login_throttle.h"
#include "services/gateway/notifier.h"
#include "services/gateway/password_hash.h"
#include "services/gateway/proxy_service.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/shard_router.h"
#include "services/gateway/store_admin_gateway.h"
#include "services/gateway/token_codec.h"
#include "services/gateway/upstreams.h"

ABSL_FLAG(std::string, grpc_addr, "127.0.0.1:50050",
          "gRPC listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, http_addr, "127.0.0.1:8080",
          "HTTP listen address host:port (port 0 = any free port; empty = no HTTP).");
ABSL_FLAG(std::string, metrics_addr, "127.0.0.1:9150",
          "Prometheus /metrics listen address host:port (port 0 = any free port).");
ABSL_FLAG(std::string, data_dir, "./data/gateway",
          "Directory of the gateway's RocksDB store (users, sessions, audit).");
ABSL_FLAG(std::string, principal_key_file, "",
          "File with the HMAC key that signs forwarded principals (else $GRIDWORK_PRINCIPAL_KEY).");
ABSL_FLAG(std::string, token_key_file, "",
          "File with the HMAC key (>= 32 bytes) that signs access tokens (else "
          "$GRIDWORK_TOKEN_KEY; else a random key per process: tokens die with a restart).");
ABSL_FLAG(std::string, location_addr, "127.0.0.1:50051", "gridwork-location address.");
ABSL_FLAG(std::string, geofence_addr, "127.0.0.1:50052", "gridwork-geofence address.");
ABSL_FLAG(std::string, workorder_addr, "127.0.0.1:50053", "gridwork-workorder address.");
ABSL_FLAG(std::string, inspection_addr, "127.0.0.1:50054", "gridwork-inspection address.");
ABSL_FLAG(std::string, analytics_addr, "127.0.0.1:50055", "gridwork-analytics address.");
ABSL_FLAG(std::string, routing_file, "",
          "Shard routing contract (routing.yaml, docs/operations.md \"Shard\"): calls to a "
          "sharded service go to the shard owning their key. Empty = one address per service "
          "(the --<service>_addr flags).");
ABSL_FLAG(std::string, web_root, "web/dist", "Directory of the web app served over HTTP at /.");
ABSL_FLAG(std::string, token_audience, "gridwork", "Audience (aud) of issued access tokens.");
ABSL_FLAG(absl::Duration, access_ttl, absl::Minutes(15), "Lifetime of an access token.");
ABSL_FLAG(absl::Duration, refresh_ttl, absl::Hours(24 * 14), "Lifetime of a session's refresh.");
ABSL_FLAG(uint32_t, pbkdf2_iterations, gridwork::gateway::kDefaultPbkdf2Iterations,
          "PBKDF2-HMAC-SHA256 iterations for new password hashes (tests may lower it).");
ABSL_FLAG(int, login_max_failures_per_user, 5, "Failed logins per user per 15 min.");
ABSL_FLAG(int, login_max_failures_per_peer, 20, "Failed logins per address per 15 min.");
ABSL_FLAG(double, rate_limit_scale, 1.0,
          "Multiplies every per-user rate limit (0 = no rate limits).");
ABSL_FLAG(std::string, bootstrap_admin, "admin",
          "On first start (no users), create this admin with the password in "
          "$GRIDWORK_ADMIN_PASSWORD.");
ABSL_FLAG(bool, sync, true, "fsync the write-ahead log before acknowledging a change.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM, how long running calls may take to finish.");

namespace gridwork::gateway {
namespace {

absl::StatusOr<std::string> LoadTokenKey(const std::string& file) {
  std::string key;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::FailedPreconditionError("cannot read --token_key_file " + file);
    std::stringstream ss;
    ss << in.rdbuf();
    key = ss.str();
  } else if (const char* env = std::getenv("GRIDWORK_TOKEN_KEY"); env != nullptr) {
    key = env;
  } else {
    log::Warning("no token key given; using a random one (tokens end with this process)");
    return RandomBytes(32);
  }
  absl::StripTrailingAsciiWhitespace(&key);
  if (key.size() < 32) return absl::FailedPreconditionError("token key must be >= 32 bytes");
  return key;
}

int Run() {
  log::SetServiceName("gateway");
  auto principal_key = rpc::LoadPrincipalKey(absl::GetFlag(FLAGS_principal_key_file));
  auto token_key = LoadTokenKey(absl::GetFlag(FLAGS_token_key_file));
  if (!principal_key.ok() || !token_key.ok()) {
    log::Error("cannot start", {{"error", !principal_key.ok() ? principal_key.status().message()
                                                              : token_key.status().message()}});
    return 2;
  }
  rpc::PrincipalCodec principals(*principal_key);
  TokenCodec tokens(*token_key, absl::GetFlag(FLAGS_token_audience));

  auto store = IdentityStore::Open(absl::GetFlag(FLAGS_data_dir), absl::GetFlag(FLAGS_sync));
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

  ThrottleOptions throttle_options;
  throttle_options.max_failures_per_user = absl::GetFlag(FLAGS_login_max_failures_per_user);
  throttle_options.max_failures_per_peer = absl::GetFlag(FLAGS_login_max_failures_per_peer);
  LoginThrottle throttle(throttle_options);
  LogNotifier notifier;
  IdentityOptions identity_options;
  identity_options.access_ttl = absl::GetFlag(FLAGS_access_ttl);
  identity_options.refresh_ttl = absl::GetFlag(FLAGS_refresh_ttl);
  identity_options.pbkdf2_iterations = absl::GetFlag(FLAGS_pbkdf2_iterations);
  IdentityCore identity(store->get(), &tokens, &throttle, &notifier, identity_options);
  if (const char* pw = std::getenv("GRIDWORK_ADMIN_PASSWORD"); pw != nullptr) {
    absl::Status boot = identity.EnsureBootstrapAdmin(absl::GetFlag(FLAGS_bootstrap_admin), pw);
    if (!boot.ok()) {
      log::Error("cannot create the bootstrap admin", {{"error", boot.message()}});
      return 2;
    }
  }

  RateLimiter limiter;
  CallGate gate(&PolicyTable::Default(), &identity, &limiter,
                absl::GetFlag(FLAGS_rate_limit_scale));
  Upstreams upstreams({{Upstream::kLocation, absl::GetFlag(FLAGS_location_addr)},
                       {Upstream::kGeofence, absl::GetFlag(FLAGS_geofence_addr)},
                       {Upstream::kWorkorder, absl::GetFlag(FLAGS_workorder_addr)},
                       {Upstream::kInspection, absl::GetFlag(FLAGS_inspection_addr)},
                       {Upstream::kAnalytics, absl::GetFlag(FLAGS_analytics_addr)}});
  std::unique_ptr<ShardRouter> router;
  if (!absl::GetFlag(FLAGS_routing_file).empty()) {
    auto routing = LoadRoutingConfig(absl::GetFlag(FLAGS_routing_file));
    if (!routing.ok()) {
      log::Error("cannot load the routing file", {{"error", routing.status().message()}});
      return 2;
    }
    router = std::make_unique<ShardRouter>(*std::move(routing));
    log::Info("shard routing loaded",
              {{"routing_file", absl::GetFlag(FLAGS_routing_file)},
               {"services", static_cast<int64_t>(router->config().services.size())}});
  }
  PeerForwarding peers;
  const ProxyDeps proxy_deps{&gate, &identity, &upstreams, &principals, &peers, router.get()};
  ProxyService proxy(proxy_deps, (*metrics)->registry());
  IdentityServiceImpl identity_service(&identity, &gate, &peers);

  rpc::ServerOptions server_options;
  server_options.service_name = "gateway";
  server_options.grpc_addr = absl::GetFlag(FLAGS_grpc_addr);
  server_options.max_receive_message_bytes = 64 << 20;
  server_options.generic_service = &proxy;
  service::StoreCheckpointer checkpointer(
      (*store)->db(), service::CheckpointRoot(absl::GetFlag(FLAGS_data_dir), "gateway"));
  GatewayStoreAdmin store_admin(proxy_deps, &checkpointer);
  auto server =
      rpc::ServiceServer::Start(server_options, {&identity_service, &store_admin}, metrics->get());
  if (!server.ok()) {
    log::Error("cannot start gRPC server", {{"error", server.status().message()}});
    return 1;
  }

  std::unique_ptr<HttpServer> http;
  if (!absl::GetFlag(FLAGS_http_addr).empty()) {
    HttpOptions http_options;
    http_options.addr = absl::GetFlag(FLAGS_http_addr);
    http_options.web_root = absl::GetFlag(FLAGS_web_root);
    http_options.grpc_target = "127.0.0.1:" + std::to_string((*server)->grpc_port());
    auto h =
        HttpServer::Start(http_options, {&peers, &identity, &upstreams, &principals, router.get()});
    if (!h.ok()) {
      log::Error("cannot start HTTP server", {{"error", h.status().message()}});
      return 1;
    }
    http = *std::move(h);
  }

  service::RetentionPolicy retention;
  retention.feed_max_age = absl::Hours(24);
  return service::ServeUntilShutdown(
      "gateway", **server, **metrics, (*store)->db(), nullptr, retention,
      absl::GetFlag(FLAGS_data_dir),
      [&] {
        if (http) http->Stop();
      },
      absl::GetFlag(FLAGS_drain_timeout));
}

}  // namespace
}  // namespace gridwork::gateway

int main(int argc, char** argv) {
  gridwork::service::InitServiceProcess(
      argc, argv,
      "the front door: identity and tokens, the authenticated gRPC proxy to every service, "
      "HTTP/JSON, OsmAnd and Open311 intake.\nUsage: gridwork-gateway [flags]");
  return gridwork::gateway::Run();
}
