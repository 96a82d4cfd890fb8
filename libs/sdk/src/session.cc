#include "gridwork/sdk/session.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/status_convert.h"

namespace gridwork::sdk {
namespace {

std::chrono::system_clock::time_point DeadlineIn(absl::Duration d) {
  return std::chrono::system_clock::now() + std::chrono::microseconds(absl::ToInt64Microseconds(d));
}

// Adds what the caller needs to act to a gateway error: where and what was attempted.
absl::Status Explain(const grpc::Status& s, std::string_view what, const std::string& addr) {
  absl::Status a = rpc::ToAbslStatus(s);
  if (absl::IsUnavailable(a)) {
    return absl::UnavailableError(
        absl::StrCat(std::string(what), ": gateway ", addr, " unreachable: ", a.message()));
  }
  return absl::Status(a.code(), absl::StrCat(std::string(what), " refused: ", a.message()));
}

}  // namespace

Session::Session(const ConnectOptions& options)
    : options_(options),
      tokens_([this](const std::string& rt) { return CallRefresh(rt); }, options.clock,
              options.on_refresh_token) {
  rpc::ChannelOptions co;
  co.max_receive_message_bytes = options.max_message_bytes;
  co.max_send_message_bytes = options.max_message_bytes;
  co.retry_unavailable = false;  // the SDK retries itself, only what is safe to repeat
  channel_ = rpc::MakeChannel(options.gateway_addr, co);
  geofence_ = geofence::v1::GeofenceService::NewStub(channel_);
  location_ = location::v1::LocationService::NewStub(channel_);
  workorder_ = workorder::v1::WorkOrderService::NewStub(channel_);
  inspection_ = inspection::v1::InspectionService::NewStub(channel_);
  analytics_ = analytics::v1::AnalyticsService::NewStub(channel_);
  identity_ = gateway::v1::Identity::NewStub(channel_);
}

absl::StatusOr<std::unique_ptr<Session>> Session::Login(const ConnectOptions& options,
                                                        std::string_view user,
                                                        std::string_view password) {
  if (user.empty()) return absl::InvalidArgumentError("login: empty user name");
  std::unique_ptr<Session> s(new Session(options));
  gateway::v1::LoginRequest req;
  req.set_username(std::string(user));
  req.set_password(std::string(password));
  gateway::v1::TokenPair pair;
  // Login is not retried: a throttled or refused login must not count twice.
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(options.call_timeout));
  grpc::Status st = s->identity_->Login(&ctx, req, &pair);
  if (!st.ok()) {
    if (st.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      return absl::UnauthenticatedError(
          absl::StrCat("login refused for \"", std::string(user), "\": ", st.error_message()));
    }
    return Explain(st, "login", options.gateway_addr);
  }
  s->tokens_.Install(pair);
  return s;
}

absl::StatusOr<std::unique_ptr<Session>> Session::Resume(const ConnectOptions& options,
                                                         std::string_view refresh_token) {
  if (refresh_token.empty()) return absl::UnauthenticatedError("resume: no refresh token");
  std::unique_ptr<Session> s(new Session(options));
  absl::StatusOr<gateway::v1::TokenPair> pair = s->CallRefresh(std::string(refresh_token));
  if (!pair.ok()) return pair.status();
  s->tokens_.Install(*pair);
  return s;
}

absl::StatusOr<gateway::v1::TokenPair> Session::CallRefresh(const std::string& refresh_token) {
  gateway::v1::RefreshRequest req;
  req.set_refresh_token(refresh_token);
  gateway::v1::TokenPair pair;
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(options_.call_timeout));
  grpc::Status st = identity_->Refresh(&ctx, req, &pair);
  if (!st.ok()) return Explain(st, "token refresh", options_.gateway_addr);
  return pair;
}

std::unique_ptr<grpc::ClientContext> Session::NewContext(absl::Duration timeout,
                                                         std::string* used) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(DeadlineIn(timeout > absl::ZeroDuration() ? timeout : options_.call_timeout));
  absl::StatusOr<std::string> token = tokens_.AccessToken();
  if (token.ok() && !token->empty()) {
    ctx->AddMetadata("authorization", "Bearer " + *token);
    if (used != nullptr) *used = *token;
  }
  return ctx;
}

std::unique_ptr<grpc::ClientContext> Session::Context(absl::Duration timeout) {
  return NewContext(timeout, nullptr);
}

absl::Status Session::CallUnary(bool retry_safe, absl::Duration timeout,
                                const std::function<grpc::Status(grpc::ClientContext*)>& attempt,
                                const std::vector<grpc::StatusCode>& retryable,
                                const RetryPolicy* policy, const std::function<void()>& on_retry) {
  if (tokens_.ended()) {
    absl::StatusOr<std::string> t = tokens_.AccessToken();  // carries the reason
    return t.status();
  }
  std::string used;
  RetryHooks hooks;
  hooks.reauth = [&] { return tokens_.RefreshAfterRejection(used).ok(); };
  hooks.on_retry = [&] {
    retries_.fetch_add(1);
    if (on_retry) on_retry();
  };
  grpc::Status s = RunWithRetry(policy != nullptr ? *policy : options_.retry, retry_safe, retryable,
                                hooks, [&](int) {
                                  used.clear();
                                  auto ctx = NewContext(timeout, &used);
                                  return attempt(ctx.get());
                                });
  if (!s.ok() && tokens_.ended()) return tokens_.AccessToken().status();
  return rpc::ToAbslStatus(s);
}

absl::Status Session::Logout() {
  if (tokens_.ended()) return absl::OkStatus();
  gateway::v1::LogoutRequest req;
  gateway::v1::LogoutResponse resp;
  auto ctx = Context();
  grpc::Status s = identity_->Logout(ctx.get(), req, &resp);
  tokens_.End("session logged out; log in again");
  if (!s.ok()) return Explain(s, "logout", options_.gateway_addr);
  return absl::OkStatus();
}

absl::Status Session::Refresh() { return tokens_.ForceRefresh(); }

}  // namespace gridwork::sdk
