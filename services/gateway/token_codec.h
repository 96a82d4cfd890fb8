// Access tokens: JWT-shaped, HMAC-SHA256 signed (RFC 7519 layout, our own claim set).
//
//   token = base64url(header) "." base64url(payload) "." base64url(HMAC-SHA256(key, h "." p))
//   header  = {"alg":"HS256","typ":"JWT"}
//   payload = {"iss":"gridwork-gateway","sub":..,"aud":..,"exp":..,"iat":..,"role":..,
//              "scope":..,"dept":..,"sid":..}
//
// Verify pins the algorithm: a header whose alg is anything but "HS256" (including "none",
// "HS512", "RS256") is refused before any signature check, so no algorithm-confusion attack
// applies. The signature is compared in constant time. Revocation (the session behind `sid`)
// is checked by the caller (authenticator.h), not here.
//
// Thread safety: immutable after construction; safe to share.
#ifndef GRIDWORK_SERVICES_GATEWAY_TOKEN_CODEC_H_
#define GRIDWORK_SERVICES_GATEWAY_TOKEN_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gridwork/core/clock.h"
#include "gridwork/gateway/v1/gateway.pb.h"

namespace gridwork::gateway {

inline constexpr char kTokenIssuer[] = "gridwork-gateway";
inline constexpr char kTokenAlg[] = "HS256";

class TokenCodec {
 public:
  // `key` must be at least 32 bytes (callers check). `audience` is the aud every token is
  // issued for and verified against, e.g. "gridwork".
  TokenCodec(std::string key, std::string audience, Clock* clock = Clock::Real())
      : key_(std::move(key)), audience_(std::move(audience)), clock_(clock) {}

  // Signs `claims` after setting iss and aud (iat/exp are the caller's).
  std::string Sign(v1::TokenClaims claims) const;

  // Verifies structure, algorithm, signature, issuer, audience and expiry (in that order)
  // and returns the claims. Every failure is UNAUTHENTICATED with a message naming the
  // reason (never echoing the token).
  absl::StatusOr<v1::TokenClaims> Verify(absl::string_view token) const;

  const std::string& audience() const { return audience_; }

 private:
  std::string Mac(absl::string_view signing_input) const;

  std::string key_;
  std::string audience_;
  Clock* clock_;
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_TOKEN_CODEC_H_
