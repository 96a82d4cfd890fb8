// Session: one logged-in user's connection to Gridwork through the gateway — one gRPC channel,
// the token pair kept fresh (rotating refresh), typed stubs of every service, and Call(), which
// adds a deadline, the bearer token, bounded retries and one re-authentication.
//
//   sdk::ConnectOptions o;                       // gateway 127.0.0.1:50050
//   GW_ASSIGN_OR_RETURN(auto session, sdk::Session::Login(o, "alice", password));
//   geofence::v1::LocateRequest req;  ...
//   geofence::v1::LocateResponse resp;
//   GW_RETURN_IF_ERROR(session->Call(&geofence::v1::GeofenceService::Stub::Locate, req, &resp));
//
//   // or the raw stub, with a context carrying the token and a deadline:
//   auto ctx = session->Context();
//   grpc::Status s = session->geofence().Locate(ctx.get(), req, &resp);
//
// Retries (Call only): UNAVAILABLE is retried up to ConnectOptions::retry.max_attempts for
// requests IsRetrySafe() accepts (reads; mutations carrying a request_id); UNAUTHENTICATED
// refreshes the token once and repeats. Every attempt has its own deadline.
//
// Thread safety: a Session may be used from many threads at once.
#ifndef GRIDWORK_SDK_SESSION_H_
#define GRIDWORK_SDK_SESSION_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridwork/analytics/v1/analytics.grpc.pb.h"
#include "gridwork/gateway/v1/gateway.grpc.pb.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/sdk/connect_options.h"
#include "gridwork/sdk/retry.h"
#include "gridwork/sdk/token_keeper.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"

namespace gridwork::sdk {

// Per-call overrides of Call().
struct CallOptions {
  // Deadline of each attempt; zero = ConnectOptions::call_timeout.
  absl::Duration timeout = absl::ZeroDuration();
  // Overrides IsRetrySafe(request).
  std::optional<bool> retry_safe;
};

class Session {
 public:
  // Logs in with a username (or API client id) and password (or client secret).
  // Errors: UNAUTHENTICATED "login refused: wrong user name or password (or account
  // disabled)"; RESOURCE_EXHAUSTED when the gateway throttles; UNAVAILABLE when the gateway
  // cannot be reached.
  static absl::StatusOr<std::unique_ptr<Session>> Login(const ConnectOptions& options,
                                                        std::string_view user,
                                                        std::string_view password);
  // Continues a session from a stored refresh token (it is rotated at once: store the new one,
  // see ConnectOptions::on_refresh_token). Errors: UNAUTHENTICATED for an unknown, rotated,
  // expired or revoked refresh token.
  static absl::StatusOr<std::unique_ptr<Session>> Resume(const ConnectOptions& options,
                                                         std::string_view refresh_token);

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // A context with `authorization: Bearer <fresh access token>` and a deadline of now +
  // timeout (zero = call_timeout). After Logout, or when the refresh failed, the context
  // carries no token and the gateway answers UNAUTHENTICATED.
  std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::ZeroDuration());

  // Typed stubs over the gateway channel. Use them with Context(), or through Call().
  geofence::v1::GeofenceService::Stub& geofence() { return *geofence_; }
  location::v1::LocationService::Stub& location() { return *location_; }
  workorder::v1::WorkOrderService::Stub& workorder() { return *workorder_; }
  inspection::v1::InspectionService::Stub& inspection() { return *inspection_; }
  analytics::v1::AnalyticsService::Stub& analytics() { return *analytics_; }
  gateway::v1::Identity::Stub& identity() { return *identity_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // A unary call with deadline, token, retries and re-authentication (see the file comment).
  // `method` is a stub member such as &workorder::v1::WorkOrderService::Stub::GetOrder.
  template <class Stub, class Req, class Resp>
  absl::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& request, Resp* response, const CallOptions& call = {}) {
    Stub& stub = StubOf(static_cast<Stub*>(nullptr));
    return CallUnary(IsRetrySafeOr(request, call), call.timeout, [&](grpc::ClientContext* ctx) {
      return (stub.*method)(ctx, request, response);
    });
  }

  // Like Call(), on any function that makes one attempt with the given context. `retryable`
  // are the codes retried when retry_safe; `policy` = nullptr uses ConnectOptions::retry;
  // `on_retry` is called once per retry.
  absl::Status CallUnary(
      bool retry_safe, absl::Duration timeout,
      const std::function<grpc::Status(grpc::ClientContext*)>& attempt,
      const std::vector<grpc::StatusCode>& retryable = {grpc::StatusCode::UNAVAILABLE},
      const RetryPolicy* policy = nullptr, const std::function<void()>& on_retry = nullptr);

  // Revokes the session at the gateway (Identity.Logout) and forgets the tokens: every later
  // call fails with UNAUTHENTICATED. The tokens are forgotten even if the gateway could not be
  // reached (the error is returned; the refresh token then still works until it expires).
  absl::Status Logout();

  // Refreshes now (e.g. before a long idle period). Errors as Resume().
  absl::Status Refresh();

  std::string refresh_token() const { return tokens_.refresh_token(); }
  std::string subject() const { return tokens_.user().username(); }
  common::v1::Role role() const { return tokens_.user().role(); }
  // Region path prefix the user may see; empty = everything.
  std::string scope() const { return tokens_.user().region_scope(); }
  gateway::v1::User user() const { return tokens_.user(); }
  std::string session_id() const { return tokens_.session_id(); }
  absl::Time access_expires_at() const { return tokens_.access_expires_at(); }
  const ConnectOptions& options() const { return options_; }
  // Counters since the session started.
  int refreshes() const { return tokens_.refreshes(); }
  int retries() const { return retries_.load(); }

 private:
  explicit Session(const ConnectOptions& options);
  absl::StatusOr<gateway::v1::TokenPair> CallRefresh(const std::string& refresh_token);
  // A context with a deadline and, when one is available, the token; `used` gets the token.
  std::unique_ptr<grpc::ClientContext> NewContext(absl::Duration timeout, std::string* used);
  static bool IsRetrySafeOr(const google::protobuf::Message& m, const CallOptions& c) {
    return c.retry_safe.has_value() ? *c.retry_safe : IsRetrySafe(m);
  }

  geofence::v1::GeofenceService::Stub& StubOf(geofence::v1::GeofenceService::Stub*) {
    return *geofence_;
  }
  location::v1::LocationService::Stub& StubOf(location::v1::LocationService::Stub*) {
    return *location_;
  }
  workorder::v1::WorkOrderService::Stub& StubOf(workorder::v1::WorkOrderService::Stub*) {
    return *workorder_;
  }
  inspection::v1::InspectionService::Stub& StubOf(inspection::v1::InspectionService::Stub*) {
    return *inspection_;
  }
  analytics::v1::AnalyticsService::Stub& StubOf(analytics::v1::AnalyticsService::Stub*) {
    return *analytics_;
  }
  gateway::v1::Identity::Stub& StubOf(gateway::v1::Identity::Stub*) { return *identity_; }

  const ConnectOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<geofence::v1::GeofenceService::Stub> geofence_;
  std::unique_ptr<location::v1::LocationService::Stub> location_;
  std::unique_ptr<workorder::v1::WorkOrderService::Stub> workorder_;
  std::unique_ptr<inspection::v1::InspectionService::Stub> inspection_;
  std::unique_ptr<analytics::v1::AnalyticsService::Stub> analytics_;
  std::unique_ptr<gateway::v1::Identity::Stub> identity_;
  TokenKeeper tokens_;
  std::atomic<int> retries_{0};
};

}  // namespace gridwork::sdk

#endif  // GRIDWORK_SDK_SESSION_H_
