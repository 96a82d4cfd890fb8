// gridctl's connection to the services: one signed principal (an operator tool, like an
// admin kubeconfig) attached to every call, a deadline on every call, and the printing
// helpers every command shares.
#ifndef GRIDWORK_TOOLS_GRIDCTL_CLIENT_H_
#define GRIDWORK_TOOLS_GRIDCTL_CLIENT_H_

#include <grpcpp/client_context.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "gridwork/analytics/v1/analytics.grpc.pb.h"
#include "google/protobuf/message.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"

namespace gridwork::gridctl {

struct ClientOptions {
  std::string geofence_addr;
  std::string location_addr;
  std::string workorder_addr;
  std::string inspection_addr;
  std::string analytics_addr;
  std::string subject;
  std::string role;  // e.g. "ROLE_ADMIN"
  std::string scope;
  std::string department;
  absl::Duration timeout = absl::Seconds(30);
};

class Client {
 public:
  Client(std::string key, const ClientOptions& options);

  // A context with the deadline and the signed principal attached.
  std::unique_ptr<grpc::ClientContext> Context();
  geofence::v1::GeofenceService::Stub& stub() { return *geofence_; }
  location::v1::LocationService::Stub& location() { return *location_; }
  workorder::v1::WorkOrderService::Stub& workorder() { return *workorder_; }
  inspection::v1::InspectionService::Stub& inspection() { return *inspection_; }
  analytics::v1::AnalyticsService::Stub& analytics() { return *analytics_; }

 private:
  rpc::PrincipalCodec codec_;
  common::v1::Principal principal_;
  absl::Duration timeout_;
  std::unique_ptr<geofence::v1::GeofenceService::Stub> geofence_;
  std::unique_ptr<location::v1::LocationService::Stub> location_;
  std::unique_ptr<workorder::v1::WorkOrderService::Stub> workorder_;
  std::unique_ptr<inspection::v1::InspectionService::Stub> inspection_;
  std::unique_ptr<analytics::v1::AnalyticsService::Stub> analytics_;
};

// Prints "gridctl: <what> failed: CODE: message" to stderr; returns 1.
int Fail(const std::string& what, const grpc::Status& s);

// A request id derived from the request's content (`kind` + SHA-256 prefix), so that running
// the same load twice replays the first answers instead of changing anything.
std::string ContentRequestId(const std::string& kind, const google::protobuf::Message& m);

// Reads `path` and parses it as `m` in protobuf's JSON mapping (unknown fields rejected).
// On failure prints "gridctl: ..." naming the file and returns false.
bool LoadJsonFile(const std::string& path, google::protobuf::Message* m);

// Prints `m` as indented JSON (protobuf's JSON mapping) on stdout.
void Print(const google::protobuf::Message& m);

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_CLIENT_H_
