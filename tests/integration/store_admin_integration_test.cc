// Online backup over real gRPC: a writer streams fixes to the real gridwork-location while an
// admin asks it for a store checkpoint (gridwork.admin.v1.StoreAdmin, libs/service); a second
// gridwork-location started on the checkpoint directory (the restore) holds every fix that was
// acknowledged before the checkpoint call. Bad names, existing names and callers without the
// admin or service role are refused.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gridwork/admin/v1/store_admin.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "tests/integration/fix_stream_writer.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"

namespace gridwork::testing {
namespace {

namespace fs = std::filesystem;
using admin::v1::StoreAdmin;

grpc::Status Checkpoint(StoreAdmin::Stub* stub, const common::v1::Principal& p,
                        const std::string& name, admin::v1::Checkpoint* out) {
  admin::v1::CreateCheckpointRequest req;
  req.set_name(name);
  auto ctx = As(p);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return stub->CreateCheckpoint(ctx.get(), req, out);
}

}  // namespace

TEST_CASE("an online checkpoint holds every write acknowledged before it and restores",
          "[integration]") {
  TempDir dir;
  const std::string data_dir = dir.path() + "/store";
  ServiceProcess location("gridwork-location", {"--data_dir=" + data_dir}, {KeyEnv()});
  REQUIRE(location.Start().ok());
  auto admin_stub = StoreAdmin::NewStub(rpc::MakeChannel(location.grpc_target()));
  const common::v1::Principal admin = MakePrincipal(common::v1::ROLE_ADMIN);

  const int64_t start_ms = absl::ToUnixMillis(absl::Now() - absl::Hours(12));
  FixStreamWriter writer(location.grpc_target(), start_ms, "backup-worker", "backup-phone");
  std::thread writing([&] { writer.Run(); });
  // Let the writer get going, then checkpoint while it keeps writing.
  for (int i = 0; i < 400 && writer.Acked().size() < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::set<uint64_t> before = writer.Acked();
  REQUIRE(before.size() >= 200);
  admin::v1::Checkpoint cp;
  grpc::Status s = Checkpoint(admin_stub.get(), admin, "during-writes", &cp);
  INFO(s.error_message());
  REQUIRE(s.ok());
  // The writer went on while and after the checkpoint was taken.
  const size_t at_checkpoint = writer.Acked().size();
  for (int i = 0; i < 400 && writer.Acked().size() < at_checkpoint + 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  writer.Stop();
  writing.join();
  INFO(writer.last_error());
  REQUIRE(writer.errors() == 0);
  REQUIRE(writer.stream_breaks() == 0);
  const std::set<uint64_t> all = writer.Acked();
  REQUIRE(all.size() >= at_checkpoint + 100);

  const fs::path expected = fs::path(dir.path()) / "checkpoints" / "location" / "during-writes";
  CHECK(cp.path() == expected.string());
  CHECK(fs::is_directory(expected));
  CHECK(cp.feed_sequence() > 0);
  CHECK(cp.size_bytes() > 0);
  CHECK(cp.file_count() > 0);

  SECTION("refusals") {
    admin::v1::Checkpoint unused;
    for (const char* bad : {"", "..", "../escape", "a/b", "/tmp/x", ".hidden", "a b"}) {
      INFO("name '" << bad << "'");
      CHECK(Checkpoint(admin_stub.get(), admin, bad, &unused).error_code() ==
            grpc::StatusCode::INVALID_ARGUMENT);
    }
    CHECK(!fs::exists(fs::path(dir.path()) / "checkpoints" / "escape"));
    CHECK(Checkpoint(admin_stub.get(), admin, "during-writes", &unused).error_code() ==
          grpc::StatusCode::ALREADY_EXISTS);
    for (auto role : {common::v1::ROLE_GRID_WORKER, common::v1::ROLE_DISTRICT_COMMAND,
                      common::v1::ROLE_VIEWER, common::v1::ROLE_RESIDENT}) {
      INFO(common::v1::Role_Name(role));
      CHECK(Checkpoint(admin_stub.get(), MakePrincipal(role), "by-" + common::v1::Role_Name(role),
                       &unused)
                .error_code() == grpc::StatusCode::PERMISSION_DENIED);
    }
    admin::v1::CreateCheckpointRequest req;
    req.set_name("anonymous");
    auto ctx = rpc::NewCallContext(absl::Seconds(10));
    CHECK(admin_stub->CreateCheckpoint(ctx.get(), req, &unused).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
    CHECK(
        Checkpoint(admin_stub.get(), MakePrincipal(common::v1::ROLE_SERVICE), "by-service", &unused)
            .ok());
    for (const char* name : {"by-ROLE_GRID_WORKER", "anonymous"}) {
      CHECK(!fs::exists(fs::path(dir.path()) / "checkpoints" / "location" / name));
    }
  }

  SECTION("restore: a service started on the checkpoint has every acknowledged write") {
    REQUIRE(location.Stop() == 0);
    ServiceProcess restored("gridwork-location", {"--data_dir=" + cp.path()}, {KeyEnv()});
    REQUIRE(restored.Start().ok());
    const std::set<uint64_t> stored =
        StoredSequences(restored.grpc_target(), "backup-worker", start_ms);
    size_t missing = 0;
    for (uint64_t seq : before) missing += stored.count(seq) == 0 ? 1 : 0;
    INFO("acknowledged before: " << before.size() << ", in checkpoint: " << stored.size()
                                 << ", acknowledged in all: " << all.size());
    CHECK(missing == 0);
    // A point-in-time copy: it stops somewhere between the call and the end of the writes.
    CHECK(stored.size() < all.size());
    for (uint64_t seq : stored) CHECK(all.count(seq) == 1);
    REQUIRE(restored.Stop() == 0);
  }
}

}  // namespace gridwork::testing
