// The gateway's HTTP/1.1 front end (Boost.Beast, one thread per connection, bounded):
//
//   GET  /healthz                               200 "ok" (no token; for probes)
//   POST /api/<pkg.Service>/<Method>            JSON in, JSON out (http_api.h)
//   GET  /api/<pkg.Service>/<Method>/stream?..  Server-Sent Events of a server-streaming method
//   GET|POST /osmand?id=&lat=&lon=&...          OsmAnd/Traccar Client intake (osmand_intake.h)
//   /open311/v2/...                             Open311 GeoReport v2 (open311.h)
//   GET  anything else                          static files under --web_root
//
// Limits: request headers 16 KiB, body --max_body (default 16 MiB; 413 above), idle
// keep-alive and read timeout 30 s, at most 256 connections (503 above).
//
// Thread safety: Start/Stop from one thread; connections run on their own threads.
#ifndef GRIDWORK_SERVICES_GATEWAY_HTTP_SERVER_H_
#define GRIDWORK_SERVICES_GATEWAY_HTTP_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/call_gate.h"
#include "services/gateway/identity_core.h"
#include "services/gateway/request_auth.h"
#include "services/gateway/shard_router.h"

namespace gridwork::rpc {
class PrincipalCodec;
}

namespace gridwork::gateway {

class Upstreams;

struct HttpOptions {
  std::string addr = "127.0.0.1:8080";
  std::string web_root = "web/dist";
  // The gateway's own gRPC port ("127.0.0.1:<port>").
  std::string grpc_target;
  size_t max_body_bytes = 16 << 20;
  size_t max_header_bytes = 16 << 10;
  absl::Duration io_timeout = absl::Seconds(30);
  int max_connections = 256;
};

// Services the HTTP routes use besides the loopback gRPC port.
struct HttpDeps {
  const PeerForwarding* peers;
  IdentityCore* identity;      // device bindings (OsmAnd)
  const Upstreams* upstreams;  // location ingest for OsmAnd
  const rpc::PrincipalCodec* principals;
  // Shard routing (--routing_file) for the intakes that call services directly (OsmAnd to
  // the worker's location shard, Open311 services.json to workorder shard 0); nullptr = the
  // single addresses in `upstreams`.
  const ShardRouter* router = nullptr;
};

class HttpServer {
 public:
  // Binds and starts accepting. UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpOptions& options,
                                                           HttpDeps deps);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Stops accepting and waits (up to the io timeout) for open connections to end. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_HTTP_SERVER_H_
