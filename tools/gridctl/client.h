// gridctl's connection to Gridwork, in one of two modes:
//  - operator mode: straight to each service with a signed principal (--principal_key_file;
//    an operator tool, like an admin kubeconfig);
//  - gateway mode: through gridwork-gateway as a logged-in user, over the SDK (sdk::Session:
//    bearer token refreshed as needed, typed stubs on the gateway channel).
// Either way every call has a deadline. Also the printing helpers every command shares.
#ifndef GRIDWORK_TOOLS_GRIDCTL_CLIENT_H_
#define GRIDWORK_TOOLS_GRIDCTL_CLIENT_H_

#include <grpcpp/client_context.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "gridwork/analytics/v1/analytics.grpc.pb.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/sdk/session.h"
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
  // Operator mode.
  Client(std::string key, const ClientOptions& options);
  // Gateway mode. REQUIRES: session != nullptr.
  Client(std::unique_ptr<sdk::Session> session, absl::Duration timeout);

  // A context with the deadline and the signed principal (operator mode) or the bearer token
  // (gateway mode) attached.
  std::unique_ptr<grpc::ClientContext> Context();
  geofence::v1::GeofenceService::Stub& stub() { return *geofence_; }
  location::v1::LocationService::Stub& location() { return *location_; }
  workorder::v1::WorkOrderService::Stub& workorder() { return *workorder_; }
  inspection::v1::InspectionService::Stub& inspection() { return *inspection_; }
  analytics::v1::AnalyticsService::Stub& analytics() { return *analytics_; }
  // The SDK session in gateway mode, else nullptr.
  sdk::Session* session() { return session_.get(); }
  // A channel that reaches `service` ("location", ...): the gateway's in gateway mode (for
  // "gateway" too; the caller names the service in x-gridwork-upstream), the service's
  // address in operator mode; nullptr for a name the mode cannot reach.
  std::shared_ptr<grpc::Channel> ServiceChannel(const std::string& service) const;

 private:
  std::unique_ptr<sdk::Session> session_;
  rpc::PrincipalCodec codec_;
  common::v1::Principal principal_;
  absl::Duration timeout_;
  ClientOptions options_;  // operator mode: the services' addresses
  // Operator mode owns its stubs; gateway mode points at the session's.
  std::unique_ptr<geofence::v1::GeofenceService::Stub> own_geofence_;
  std::unique_ptr<location::v1::LocationService::Stub> own_location_;
  std::unique_ptr<workorder::v1::WorkOrderService::Stub> own_workorder_;
  std::unique_ptr<inspection::v1::InspectionService::Stub> own_inspection_;
  std::unique_ptr<analytics::v1::AnalyticsService::Stub> own_analytics_;
  geofence::v1::GeofenceService::Stub* geofence_;
  location::v1::LocationService::Stub* location_;
  workorder::v1::WorkOrderService::Stub* workorder_;
  inspection::v1::InspectionService::Stub* inspection_;
  analytics::v1::AnalyticsService::Stub* analytics_;
};

// Prints "gridctl: <what> failed: CODE: message" to stderr; returns the exit code of the
// status (exit_codes.h).
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
