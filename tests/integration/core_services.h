// The three services most integration tests stand on — geofence, location and workorder, each
// on a free port with its store in a temporary directory, wired to one another's addresses
// (geofence <-> location feeds, workorder -> geofence Locate) — and a stub for each.
//
//   struct Cluster : CoreServices {
//     Cluster() { StartCore(); ... }
//   };
#ifndef GRIDWORK_TESTS_INTEGRATION_CORE_SERVICES_H_
#define GRIDWORK_TESTS_INTEGRATION_CORE_SERVICES_H_

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/rpc/client.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"

namespace gridwork::testing {

struct CoreServices {
  TempDir geofence_dir, location_dir, workorder_dir;
  const std::string geofence_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::string location_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::string workorder_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  ServiceProcess geofence{"gridwork-geofence",
                          {"--data_dir=" + geofence_dir.path(), "--sync=false",
                           "--grpc_addr=" + geofence_addr, "--location_addr=" + location_addr},
                          {KeyEnv()}};
  ServiceProcess location{"gridwork-location",
                          {"--data_dir=" + location_dir.path(), "--sync=false",
                           "--grpc_addr=" + location_addr, "--geofence_addr=" + geofence_addr},
                          {KeyEnv()}};
  ServiceProcess workorder{"gridwork-workorder",
                           {"--data_dir=" + workorder_dir.path(), "--sync=false",
                            "--grpc_addr=" + workorder_addr, "--geofence_addr=" + geofence_addr},
                           {KeyEnv()}};
  std::unique_ptr<geofence::v1::GeofenceService::Stub> geo;
  std::unique_ptr<location::v1::LocationService::Stub> loc;
  std::unique_ptr<workorder::v1::WorkOrderService::Stub> wo;

  // Starts the three (REQUIREs each reaches "serving") and creates the stubs.
  void StartCore() {
    for (ServiceProcess* p : {&geofence, &location, &workorder}) {
      auto started = p->Start();
      INFO(started.message());
      REQUIRE(started.ok());
    }
    geo = geofence::v1::GeofenceService::NewStub(rpc::MakeChannel(geofence_addr));
    loc = location::v1::LocationService::NewStub(rpc::MakeChannel(location_addr));
    wo = workorder::v1::WorkOrderService::NewStub(rpc::MakeChannel(workorder_addr));
  }
};

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_INTEGRATION_CORE_SERVICES_H_
