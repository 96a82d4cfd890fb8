#include "gridwork/rpc/principal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/region_path.h"
#include "google/protobuf/util/time_util.h"

namespace gridwork::rpc {

absl::StatusOr<std::string> LoadPrincipalKey(const std::string& key_file) {
  std::string key;
  if (!key_file.empty()) {
    std::ifstream in(key_file, std::ios::binary);
    if (!in) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read --principal_key_file ", key_file));
    }
    std::stringstream ss;
    ss << in.rdbuf();
    key = ss.str();
  } else if (const char* env = std::getenv("GRIDWORK_PRINCIPAL_KEY"); env != nullptr) {
    key = env;
  } else {
    return absl::FailedPreconditionError(
        "no principal key: set --principal_key_file or GRIDWORK_PRINCIPAL_KEY");
  }
  absl::StripTrailingAsciiWhitespace(&key);
  if (key.size() < 16) {
    return absl::FailedPreconditionError("principal key must be at least 16 bytes");
  }
  return key;
}

std::string PrincipalCodec::Sign(absl::string_view serialized) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(serialized.data()), serialized.size(), mac,
       &mac_len);
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

void PrincipalCodec::Attach(const Principal& p, grpc::ClientContext* ctx) const {
  std::string serialized = p.SerializeAsString();
  ctx->AddMetadata(kPrincipalSigHeader, Sign(serialized));
  ctx->AddMetadata(kPrincipalHeader, std::move(serialized));
}

absl::StatusOr<Principal> PrincipalCodec::Verify(absl::string_view serialized,
                                                 absl::string_view signature) const {
  std::string expected = Sign(serialized);
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return absl::UnauthenticatedError("principal signature does not verify");
  }
  Principal p;
  if (!p.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
    return absl::UnauthenticatedError("principal metadata is not a Principal message");
  }
  if (p.subject().empty() || p.role() == common::v1::ROLE_UNSPECIFIED) {
    return absl::UnauthenticatedError("principal has no subject or role");
  }
  absl::Time expires = absl::FromUnixSeconds(p.expires_at().seconds()) +
                       absl::Nanoseconds(p.expires_at().nanos());
  if (!p.has_expires_at() || clock_->Now() >= expires) {
    return absl::UnauthenticatedError(
        absl::StrCat("principal of ", p.subject(), " has expired; sign in again"));
  }
  return p;
}

absl::StatusOr<Principal> PrincipalCodec::Authenticate(const grpc::ServerContextBase& ctx) const {
  const auto& md = ctx.client_metadata();
  auto p = md.find(kPrincipalHeader);
  auto s = md.find(kPrincipalSigHeader);
  if (p == md.end() || s == md.end()) {
    return absl::UnauthenticatedError(
        "no principal: calls must come through the gateway or carry a signed principal");
  }
  return Verify(absl::string_view(p->second.data(), p->second.size()),
                absl::string_view(s->second.data(), s->second.size()));
}

bool InScope(const Principal& p, absl::string_view region_path) {
  return PathWithin(region_path, p.region_scope());
}

bool ScopeWithin(const Principal& p, absl::string_view scope) {
  if (p.region_scope().empty()) return true;
  if (scope.empty()) return false;  // Whole system, wider than any non-empty scope.
  return InScope(p, scope);
}

absl::Status RequireRole(const Principal& p, std::initializer_list<Role> roles) {
  for (Role r : roles) {
    if (p.role() == r) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("role ", RoleName(p.role()), " may not call this method"));
}

absl::Status RequireScope(const Principal& p, absl::string_view region_path) {
  if (InScope(p, region_path)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "region ", region_path, " is outside your scope \"", p.region_scope(), "\""));
}

std::string RoleName(Role r) { return common::v1::Role_Name(r); }

}  // namespace gridwork::rpc
