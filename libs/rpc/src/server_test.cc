// Starts a real gRPC server on 127.0.0.1:0 with the shared bootstrap and checks what every
// service inherits from it: health, message-size limit, per-method metrics, drain.
#include "gridwork/rpc/server.h"

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>

#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/rpc/client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "prometheus/text_serializer.h"

namespace gridwork::rpc {
namespace {

// A trivial Feed implementation standing in for a real service's API.
class FixedFeed final : public common::v1::Feed::Service {
  grpc::Status GetFeedInfo(grpc::ServerContext*, const common::v1::GetFeedInfoRequest*,
                           common::v1::FeedInfo* info) override {
    info->set_first_sequence(1);
    info->set_last_sequence(7);
    return grpc::Status::OK;
  }
  grpc::Status Watch(grpc::ServerContext*, const common::v1::WatchRequest* req,
                     grpc::ServerWriter<common::v1::FeedEvent>*) override {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "test");
  }
};

std::string Scrape(metrics::MetricsServer& m) {
  return prometheus::TextSerializer().Serialize(m.registry()->Collect());
}

}  // namespace

TEST_CASE("bootstrap serves, limits message size, counts RPCs and drains") {
  auto metrics = metrics::MetricsServer::Disabled();
  FixedFeed feed;
  ServerOptions opts;
  opts.service_name = "test";
  opts.max_receive_message_bytes = 64 * 1024;
  auto server = ServiceServer::Start(opts, {&feed}, metrics.get());
  REQUIRE(server.ok());
  REQUIRE((*server)->grpc_port() > 0);

  auto channel = MakeChannel("127.0.0.1:" + std::to_string((*server)->grpc_port()));
  auto stub = common::v1::Feed::NewStub(channel);

  common::v1::FeedInfo info;
  auto ctx = NewCallContext(absl::Seconds(5));
  REQUIRE(stub->GetFeedInfo(ctx.get(), {}, &info).ok());
  REQUIRE(info.last_sequence() == 7);

  // A request over the limit is refused before it reaches the service.
  common::v1::WatchRequest big;
  big.add_types(std::string(100 * 1024, 'x'));
  auto ctx2 = NewCallContext(absl::Seconds(5));
  common::v1::FeedEvent ev;
  auto reader = stub->Watch(ctx2.get(), big);
  while (reader->Read(&ev)) {
  }
  REQUIRE(reader->Finish().error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);

  std::string text = Scrape(*metrics);
  REQUIRE(text.find("gridwork_rpc_requests_total{code=\"OK\",method=\"/gridwork.common.v1.Feed/"
                    "GetFeedInfo\"} 1") != std::string::npos);
  REQUIRE(text.find("gridwork_rpc_duration_seconds_bucket") != std::string::npos);

  (*server)->Shutdown(absl::Milliseconds(100));
  common::v1::FeedInfo after;
  auto ctx3 = NewCallContext(absl::Milliseconds(500));
  REQUIRE_FALSE(stub->GetFeedInfo(ctx3.get(), {}, &after).ok());
}

TEST_CASE("health: Check and Watch follow SetServing, and Watch ends at shutdown") {
  using grpc::health::v1::HealthCheckRequest;
  using grpc::health::v1::HealthCheckResponse;
  auto metrics = metrics::MetricsServer::Disabled();
  FixedFeed feed;
  ServerOptions opts;
  opts.service_name = "test";
  auto server = ServiceServer::Start(opts, {&feed}, metrics.get());
  REQUIRE(server.ok());
  auto health = grpc::health::v1::Health::NewStub(
      MakeChannel("127.0.0.1:" + std::to_string((*server)->grpc_port())));

  HealthCheckResponse resp;
  auto ctx = NewCallContext(absl::Seconds(5));
  REQUIRE(health->Check(ctx.get(), HealthCheckRequest(), &resp).ok());
  REQUIRE(resp.status() == HealthCheckResponse::SERVING);
  HealthCheckRequest named;
  named.set_service("gridwork.nothing.v1.Nothing");
  auto ctx2 = NewCallContext(absl::Seconds(5));
  REQUIRE(health->Check(ctx2.get(), named, &resp).error_code() == grpc::StatusCode::NOT_FOUND);

  auto unknown_ctx = NewCallContext(absl::Seconds(5));
  auto unknown = health->Watch(unknown_ctx.get(), named);
  REQUIRE(unknown->Read(&resp));
  REQUIRE(resp.status() == HealthCheckResponse::SERVICE_UNKNOWN);
  unknown_ctx->TryCancel();
  unknown->Finish();

  auto watch_ctx = NewCallContext(absl::Seconds(30));
  auto watch = health->Watch(watch_ctx.get(), HealthCheckRequest());
  REQUIRE(watch->Read(&resp));
  REQUIRE(resp.status() == HealthCheckResponse::SERVING);
  (*server)->SetServing(false);
  REQUIRE(watch->Read(&resp));
  REQUIRE(resp.status() == HealthCheckResponse::NOT_SERVING);
  auto ctx3 = NewCallContext(absl::Seconds(5));
  REQUIRE(health->Check(ctx3.get(), HealthCheckRequest(), &resp).ok());
  REQUIRE(resp.status() == HealthCheckResponse::NOT_SERVING);
  (*server)->SetServing(true);
  REQUIRE(watch->Read(&resp));
  REQUIRE(resp.status() == HealthCheckResponse::SERVING);

  // Shutdown sends NOT_SERVING and ends the Watch well before the 10 s drain.
  const absl::Time start = absl::Now();
  (*server)->Shutdown(absl::Seconds(10));
  REQUIRE(absl::Now() - start < absl::Seconds(5));
  REQUIRE(watch->Read(&resp));
  REQUIRE(resp.status() == HealthCheckResponse::NOT_SERVING);
  REQUIRE_FALSE(watch->Read(&resp));
  REQUIRE(watch->Finish().ok());
}

}  // namespace gridwork::rpc
