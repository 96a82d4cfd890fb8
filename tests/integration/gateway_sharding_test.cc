// Shard routing at the gateway over real processes: two gridwork-location processes are
// shards w0 and w1 behind one gridwork-gateway started with a routing file (and a
// --location_addr that leads nowhere, so nothing reaches a shard except by routing). Grid
// workers upload through the gateway; each worker's fixes land on the shard
// fnv1a64(worker) mod 2 names and are read back from it through the gateway; a request for
// workers of both shards is refused; a feed and a store checkpoint can name their shard.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gridwork/admin/v1/store_admin.grpc.pb.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/gateway/v1/gateway.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/sdk/session.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"

namespace gridwork::testing {
namespace {

namespace lv1 = location::v1;

constexpr char kAdminPassword[] = "sharding-admin-password";

// FNV-1a 64 of "worker-1" ends in ...ebed (odd: w1), of "worker-2" in ...e6d4 (even: w0);
// the vectors are checked in shard_router_test.
constexpr char kWorkerOnW1[] = "worker-1";
constexpr char kWorkerOnW0[] = "worker-2";

lv1::FixBatch Batch(const std::string& worker, const std::string& device, int n, int64_t start_ms) {
  lv1::FixBatch b;
  b.set_batch_id(1);
  b.set_worker_id(worker);
  b.set_device_id(device);
  for (int i = 1; i <= n; ++i) {
    lv1::DeviceFix* f = b.add_fixes();
    f->set_sequence(i);
    *f->mutable_device_time() = service::ToProto(absl::FromUnixMillis(start_ms + 1000 * i));
    f->mutable_position()->set_lat(34.75);
    f->mutable_position()->set_lng(113.6 + 1e-6 * i);
    f->set_accuracy_m(5);
  }
  return b;
}

lv1::ListRawFixesRequest RawOf(const std::string& worker, int64_t start_ms) {
  lv1::ListRawFixesRequest req;
  req.set_worker_id(worker);
  *req.mutable_start_time() = service::ToProto(absl::FromUnixMillis(start_ms));
  *req.mutable_end_time() = service::ToProto(absl::FromUnixMillis(start_ms) + absl::Hours(1));
  req.set_page_size(1000);
  return req;
}

// Fixes of `worker` stored on one shard, read directly with a signed admin principal.
int StoredOn(ServiceProcess& shard, const std::string& worker, int64_t start_ms) {
  auto stub = lv1::LocationService::NewStub(rpc::MakeChannel(shard.grpc_target()));
  lv1::ListRawFixesResponse page;
  grpc::Status s = stub->ListRawFixes(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(),
                                      RawOf(worker, start_ms), &page);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return page.fixes_size();
}

}  // namespace

TEST_CASE("the gateway routes location calls to the worker's shard", "[integration]") {
  TempDir w0_dir, w1_dir, gateway_dir;
  ServiceProcess w0("gridwork-location", {"--data_dir=" + w0_dir.path() + "/store"}, {KeyEnv()});
  ServiceProcess w1("gridwork-location", {"--data_dir=" + w1_dir.path() + "/store"}, {KeyEnv()});
  REQUIRE(w0.Start().ok());
  REQUIRE(w1.Start().ok());
  const std::string routing_path = gateway_dir.path() + "/routing.yaml";
  {
    std::ofstream out(routing_path);
    out << "# two location shards (test)\nversion: 1\nworker_shards: [w0, w1]\n"
        << "district_shards:\n  d0: [\"410105\"]\nservices:\n  location:\n    key: worker\n"
        << "    shards:\n      w0: " << w0.grpc_target() << "\n      w1: " << w1.grpc_target()
        << "\n";
  }
  ServiceProcess gateway(
      "gridwork-gateway",
      {"--data_dir=" + gateway_dir.path() + "/store", "--sync=false", "--pbkdf2_iterations=1000",
       "--http_addr=", "--routing_file=" + routing_path, "--location_addr=127.0.0.1:1",
       "--geofence_addr=127.0.0.1:1", "--workorder_addr=127.0.0.1:1",
       "--inspection_addr=127.0.0.1:1", "--analytics_addr=127.0.0.1:1", "--rate_limit_scale=100"},
      {KeyEnv(), "GRIDWORK_TOKEN_KEY=sharding-token-key-0123456789abcdef",
       std::string("GRIDWORK_ADMIN_PASSWORD=") + kAdminPassword});
  auto started = gateway.Start();
  INFO(started.message());
  REQUIRE(started.ok());

  sdk::ConnectOptions options;
  options.gateway_addr = gateway.grpc_target();
  options.call_timeout = absl::Seconds(10);
  auto admin = sdk::Session::Login(options, "admin", kAdminPassword);
  REQUIRE(admin.ok());
  for (const char* worker : {kWorkerOnW1, kWorkerOnW0}) {
    gateway::v1::CreateUserRequest req;
    req.set_request_id(absl::StrCat("create-", worker));
    req.mutable_user()->set_username(worker);
    req.mutable_user()->set_role(common::v1::ROLE_GRID_WORKER);
    req.mutable_user()->set_region_scope("410105/s01/c01/g01");
    req.set_password(absl::StrCat("password-", worker));
    gateway::v1::User u;
    absl::Status s = (*admin)->Call(&gateway::v1::Identity::Stub::CreateUser, req, &u);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  const int64_t start_ms = absl::ToUnixMillis(absl::Now() - absl::Hours(2));

  // Each worker uploads 5 fixes naming itself (routed by worker_id); worker-1 3 more without
  // a worker id and 4 over StreamFixes (both routed by the caller: its own shard).
  for (const char* worker : {kWorkerOnW1, kWorkerOnW0}) {
    auto session = sdk::Session::Login(options, worker, absl::StrCat("password-", worker));
    REQUIRE(session.ok());
    lv1::BatchAck ack;
    absl::Status s = (*session)->Call(&lv1::LocationService::Stub::IngestFixes,
                                      Batch(worker, "phone-a", 5, start_ms), &ack);
    INFO(worker << ": " << s.ToString() << " " << ack.error());
    REQUIRE(s.ok());
    REQUIRE(ack.rejections_size() == 0);
    if (std::string(worker) == kWorkerOnW1) {
      lv1::FixBatch own = Batch("", "phone-b", 3, start_ms + 60000);
      s = (*session)->Call(&lv1::LocationService::Stub::IngestFixes, own, &ack);
      INFO(s.ToString());
      REQUIRE(s.ok());
      // A phone's stream (no message is read before routing: the caller's own shard).
      auto ctx = (*session)->Context();
      auto stream = (*session)->location().StreamFixes(ctx.get());
      REQUIRE(stream->Write(Batch("", "phone-c", 4, start_ms + 120000)));
      REQUIRE(stream->Read(&ack));
      CHECK(ack.error().empty());
      CHECK(ack.rejections_size() == 0);
      stream->WritesDone();
      grpc::Status finished = stream->Finish();
      INFO(finished.error_message());
      CHECK(finished.ok());
    }
  }

  // On the shards themselves: each worker's fixes on its own shard only.
  CHECK(StoredOn(w1, kWorkerOnW1, start_ms) == 12);
  CHECK(StoredOn(w0, kWorkerOnW1, start_ms) == 0);
  CHECK(StoredOn(w0, kWorkerOnW0, start_ms) == 5);
  CHECK(StoredOn(w1, kWorkerOnW0, start_ms) == 0);

  // Read back through the gateway: routed by worker_id to the shard that has them.
  for (auto [worker, n] : {std::pair<const char*, int>{kWorkerOnW1, 12}, {kWorkerOnW0, 5}}) {
    lv1::ListRawFixesResponse page;
    absl::Status s =
        (*admin)->Call(&lv1::LocationService::Stub::ListRawFixes, RawOf(worker, start_ms), &page);
    INFO(worker << ": " << s.ToString());
    REQUIRE(s.ok());
    CHECK(page.fixes_size() == n);
  }

  // Workers of one shard in one request: routed; of both shards: refused, naming them.
  lv1::GetLastPositionsRequest one;
  one.add_worker_ids(kWorkerOnW0);
  lv1::GetLastPositionsResponse last;
  REQUIRE((*admin)->Call(&lv1::LocationService::Stub::GetLastPositions, one, &last).ok());
  REQUIRE(last.positions_size() == 1);
  CHECK(last.positions(0).known());
  lv1::GetLastPositionsRequest mixed = one;
  mixed.add_worker_ids(kWorkerOnW1);
  absl::Status refused =
      (*admin)->Call(&lv1::LocationService::Stub::GetLastPositions, mixed, &last);
  CHECK(refused.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(refused.message()), Catch::Contains("w1: worker-1"));

  // A feed names its shard in the upstream header.
  auto feed_info = [&](const std::string& upstream, common::v1::FeedInfo* info) {
    auto ctx = (*admin)->Context();
    ctx->AddMetadata("x-gridwork-upstream", upstream);
    return common::v1::Feed::NewStub((*admin)->channel())
        ->GetFeedInfo(ctx.get(), common::v1::GetFeedInfoRequest(), info);
  };
  common::v1::FeedInfo via_gateway, direct;
  REQUIRE(feed_info("location/w1", &via_gateway).ok());
  REQUIRE(common::v1::Feed::NewStub(rpc::MakeChannel(w1.grpc_target()))
              ->GetFeedInfo(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(),
                            common::v1::GetFeedInfoRequest(), &direct)
              .ok());
  CHECK(via_gateway.last_sequence() == direct.last_sequence());
  CHECK(direct.last_sequence() > 0);
  CHECK(feed_info("location/w9", &via_gateway).error_code() == grpc::StatusCode::NOT_FOUND);

  // A store checkpoint of a named shard, through the gateway, as an admin.
  admin::v1::CreateCheckpointRequest cp_req;
  cp_req.set_name("via-gateway");
  admin::v1::Checkpoint cp;
  auto ctx = (*admin)->Context();
  ctx->AddMetadata("x-gridwork-upstream", "location/w1");
  grpc::Status cs =
      admin::v1::StoreAdmin::NewStub((*admin)->channel())->CreateCheckpoint(ctx.get(), cp_req, &cp);
  INFO(cs.error_message());
  REQUIRE(cs.ok());
  CHECK(cp.path() == w1_dir.path() + "/checkpoints/location/via-gateway");
  CHECK(cp.feed_sequence() == direct.last_sequence());

  // A grid worker may not take checkpoints (the gateway's uniform denial).
  auto worker = sdk::Session::Login(options, kWorkerOnW0, absl::StrCat("password-", kWorkerOnW0));
  REQUIRE(worker.ok());
  auto wctx = (*worker)->Context();
  wctx->AddMetadata("x-gridwork-upstream", "location/w0");
  cp_req.set_name("by-worker");
  CHECK(admin::v1::StoreAdmin::NewStub((*worker)->channel())
            ->CreateCheckpoint(wctx.get(), cp_req, &cp)
            .error_code() == grpc::StatusCode::PERMISSION_DENIED);

  CHECK(gateway.Stop() == 0);
  CHECK(w0.Stop() == 0);
  CHECK(w1.Stop() == 0);
}

}  // namespace gridwork::testing
