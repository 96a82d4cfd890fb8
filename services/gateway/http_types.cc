#include "services/gateway/http_types.h"

#include "absl/strings/str_split.h"
#include "gridwork/core/json_escape.h"
#include "gridwork/rpc/metrics_interceptor.h"

namespace gridwork::gateway {

std::string HttpRequest::Param(absl::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return "";
}

int HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

HttpResponse ErrorResponse(const grpc::Status& s) {
  HttpResponse r;
  r.status = HttpStatusFor(s.error_code());
  r.body = "{\"code\":";
  AppendJsonString(rpc::GrpcCodeName(s.error_code()), &r.body);
  r.body += ",\"message\":";
  AppendJsonString(s.error_message(), &r.body);
  r.body += "}";
  if (r.status == 401) r.headers.push_back({"WWW-Authenticate", "Bearer"});
  return r;
}

std::string UrlDecode(absl::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

QueryParams ParseFormEncoded(absl::string_view s) {
  QueryParams out;
  for (absl::string_view part : absl::StrSplit(s, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    out.emplace_back(UrlDecode(kv.first, true), UrlDecode(kv.second, true));
  }
  return out;
}

}  // namespace gridwork::gateway
