// The policy table covers every method of every gridwork.* service: from the generated
// descriptor pool (kinds must match) and from the .proto sources themselves (so a proto that
// is not linked into the gateway yet — e.g. a new service — still fails this test until its
// methods have rows).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/linked_protos.h"
#include "services/gateway/method_policy.h"

namespace gridwork::gateway {
namespace {

namespace pb = google::protobuf;

CallKind KindOf(const pb::MethodDescriptor* m) {
  if (m->client_streaming() && m->server_streaming()) return CallKind::kBidiStreaming;
  if (m->client_streaming()) return CallKind::kClientStreaming;
  if (m->server_streaming()) return CallKind::kServerStreaming;
  return CallKind::kUnary;
}

// "/pkg.Svc/Method" of every rpc declared in proto/gridwork/**/*.proto.
std::set<std::string> MethodsInProtoSources() {
  std::set<std::string> out;
  std::regex package_re(R"(^\s*package\s+([\w.]+)\s*;)");
  std::regex service_re(R"(^\s*service\s+(\w+)\s*\{)");
  std::regex rpc_re(R"(^\s*rpc\s+(\w+)\s*\()");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::string(GRIDWORK_SOURCE_DIR) + "/proto/gridwork")) {
    if (entry.path().extension() != ".proto") continue;
    std::ifstream in(entry.path());
    std::string line, package, service;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, package_re)) package = m[1];
      if (std::regex_search(line, m, service_re)) service = m[1];
      if (std::regex_search(line, m, rpc_re)) {
        out.insert(absl::StrCat("/", package, ".", service, "/", std::string(m[1])));
      }
    }
  }
  return out;
}

TEST_CASE("every rpc in proto/gridwork has a policy row", "[policy]") {
  std::set<std::string> methods = MethodsInProtoSources();
  REQUIRE(methods.size() > 60);
  const PolicyTable& table = PolicyTable::Default();
  for (const std::string& m : methods) {
    INFO("add a row for " << m << " to services/gateway/policy_table.cc");
    CHECK(table.Find(m) != nullptr);
  }
}

TEST_CASE("every gridwork service in the descriptor pool has rows of the right kind", "[policy]") {
  LinkServiceProtos();
  const PolicyTable& table = PolicyTable::Default();
  int checked = 0;
  for (const char* file :
       {"gridwork/common/v1/feed.proto", "gridwork/gateway/v1/gateway.proto",
        "gridwork/admin/v1/store_admin.proto", "gridwork/geofence/v1/geofence.proto",
        "gridwork/location/v1/location.proto", "gridwork/workorder/v1/workorder.proto",
        "gridwork/inspection/v1/inspection.proto"}) {
    const pb::FileDescriptor* f = pb::DescriptorPool::generated_pool()->FindFileByName(file);
    REQUIRE(f != nullptr);
    for (int s = 0; s < f->service_count(); ++s) {
      const pb::ServiceDescriptor* svc = f->service(s);
      REQUIRE(absl::StartsWith(svc->full_name(), "gridwork."));
      for (int i = 0; i < svc->method_count(); ++i) {
        const pb::MethodDescriptor* m = svc->method(i);
        std::string name = absl::StrCat("/", svc->full_name(), "/", m->name());
        INFO(name);
        const MethodPolicy* p = table.Find(name);
        REQUIRE(p != nullptr);
        CHECK(p->kind == KindOf(m));
        CHECK(FindMethod(name) == m);
        ++checked;
      }
    }
  }
  CHECK(checked > 60);
}

TEST_CASE("policy rows are sane", "[policy]") {
  std::set<std::string> seen;
  for (const MethodPolicy& p : PolicyTable::Default().rows()) {
    INFO(p.method);
    CHECK(seen.insert(p.method).second);  // no duplicates
    CHECK(p.max_request_bytes > 0);
    CHECK(p.max_deadline > absl::ZeroDuration());
    // Residents never reach admin or field-only methods; viewers never mutate.
    if (p.mutation && p.upstream != Upstream::kSelf) {
      CHECK_FALSE(p.Allows(common::v1::ROLE_VIEWER));
    }
    // Only identity entry points are public.
    if (p.public_method()) CHECK(p.upstream == Upstream::kSelf);
  }
  const MethodPolicy* import =
      PolicyTable::Default().Find("/gridwork.geofence.v1.GeofenceService/ImportRegions");
  REQUIRE(import != nullptr);
  CHECK(import->Allows(common::v1::ROLE_ADMIN));
  CHECK_FALSE(import->Allows(common::v1::ROLE_RESIDENT));
  CHECK_FALSE(import->Allows(common::v1::ROLE_GRID_WORKER));
  // Store checkpoints: administrators and services only.
  const MethodPolicy* checkpoint =
      PolicyTable::Default().Find("/gridwork.admin.v1.StoreAdmin/CreateCheckpoint");
  REQUIRE(checkpoint != nullptr);
  for (int r = common::v1::Role_MIN; r <= common::v1::Role_MAX; ++r) {
    const auto role = static_cast<common::v1::Role>(r);
    INFO(common::v1::Role_Name(role));
    CHECK(checkpoint->Allows(role) ==
          (role == common::v1::ROLE_ADMIN || role == common::v1::ROLE_SERVICE));
  }
  CHECK(PolicyTable::Default().Find("/gridwork.nope.v1.X/Y") == nullptr);
}

}  // namespace
}  // namespace gridwork::gateway
