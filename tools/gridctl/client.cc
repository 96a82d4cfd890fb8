#include "tools/gridctl/client.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "gridwork/core/ids.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/metrics_interceptor.h"
#include "gridwork/service/time_convert.h"
#include "tools/gridctl/exit_codes.h"

namespace gridwork::gridctl {

Client::Client(std::string key, const ClientOptions& options)
    : codec_(std::move(key)),
      timeout_(options.timeout),
      options_(options),
      own_geofence_(
          geofence::v1::GeofenceService::NewStub(rpc::MakeChannel(options.geofence_addr))),
      own_location_(
          location::v1::LocationService::NewStub(rpc::MakeChannel(options.location_addr))),
      own_workorder_(
          workorder::v1::WorkOrderService::NewStub(rpc::MakeChannel(options.workorder_addr))),
      own_inspection_(
          inspection::v1::InspectionService::NewStub(rpc::MakeChannel(options.inspection_addr))),
      own_analytics_(
          analytics::v1::AnalyticsService::NewStub(rpc::MakeChannel(options.analytics_addr))),
      geofence_(own_geofence_.get()),
      location_(own_location_.get()),
      workorder_(own_workorder_.get()),
      inspection_(own_inspection_.get()),
      analytics_(own_analytics_.get()) {
  principal_.set_subject(options.subject);
  common::v1::Role role = common::v1::ROLE_UNSPECIFIED;
  common::v1::Role_Parse(options.role, &role);
  principal_.set_role(role);
  principal_.set_region_scope(options.scope);
  principal_.set_department(options.department);
  *principal_.mutable_expires_at() = service::ToProto(absl::Now() + absl::Minutes(10));
}

Client::Client(std::unique_ptr<sdk::Session> session, absl::Duration timeout)
    : session_(std::move(session)),
      codec_(""),
      timeout_(timeout),
      geofence_(&session_->geofence()),
      location_(&session_->location()),
      workorder_(&session_->workorder()),
      inspection_(&session_->inspection()),
      analytics_(&session_->analytics()) {}

std::shared_ptr<grpc::Channel> Client::ServiceChannel(const std::string& service) const {
  if (session_ != nullptr) {
    for (const char* s :
         {"gateway", "location", "geofence", "workorder", "inspection", "analytics"}) {
      if (service == s) return session_->channel();
    }
    return nullptr;
  }
  const std::string* addr = service == "location"     ? &options_.location_addr
                            : service == "geofence"   ? &options_.geofence_addr
                            : service == "workorder"  ? &options_.workorder_addr
                            : service == "inspection" ? &options_.inspection_addr
                            : service == "analytics"  ? &options_.analytics_addr
                                                      : nullptr;
  return addr == nullptr || addr->empty() ? nullptr : rpc::MakeChannel(*addr);
}

std::unique_ptr<grpc::ClientContext> Client::Context() {
  if (session_ != nullptr) return session_->Context(timeout_);
  auto ctx = rpc::NewCallContext(timeout_);
  codec_.Attach(principal_, ctx.get());
  return ctx;
}

int Fail(const std::string& what, const grpc::Status& s) {
  std::cerr << "gridctl: " << what << " failed: " << rpc::GrpcCodeName(s.error_code()) << ": "
            << s.error_message() << "\n";
  return ExitCodeFor(s.error_code());
}

std::string ContentRequestId(const std::string& kind, const google::protobuf::Message& m) {
  return kind + "-" + Sha256Hex(m.SerializeAsString()).substr(0, 32);
}

bool LoadJsonFile(const std::string& path, google::protobuf::Message* m) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "gridctl: cannot read " << path << "\n";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = google::protobuf::util::JsonStringToMessage(ss.str(), m);
  if (!parsed.ok()) {
    std::cerr << "gridctl: " << path << " is not a " << m->GetTypeName() << ": " << parsed.message()
              << "\n";
    return false;
  }
  return true;
}

void Print(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  std::cout << out;
}

}  // namespace gridwork::gridctl
