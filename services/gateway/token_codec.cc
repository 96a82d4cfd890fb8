#include "services/gateway/token_codec.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"

namespace gridwork::gateway {
namespace {

std::string ToJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return out;
}

absl::Status Unauth(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("invalid access token: ", why));
}

}  // namespace

std::string TokenCodec::Mac(absl::string_view signing_input) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_len);
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

std::string TokenCodec::Sign(v1::TokenClaims claims) const {
  claims.set_iss(kTokenIssuer);
  claims.set_aud(audience_);
  v1::TokenHeader header;
  header.set_alg(kTokenAlg);
  header.set_typ("JWT");
  std::string input = absl::StrCat(absl::WebSafeBase64Escape(ToJson(header)), ".",
                                   absl::WebSafeBase64Escape(ToJson(claims)));
  return absl::StrCat(input, ".", absl::WebSafeBase64Escape(Mac(input)));
}

absl::StatusOr<v1::TokenClaims> TokenCodec::Verify(absl::string_view token) const {
  if (token.size() > 4096) return Unauth("too long");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauth("not three dot-separated parts");
  std::string header_json, payload_json, sig;
  if (!absl::WebSafeBase64Unescape(parts[0], &header_json) ||
      !absl::WebSafeBase64Unescape(parts[1], &payload_json) ||
      !absl::WebSafeBase64Unescape(parts[2], &sig)) {
    return Unauth("not base64url");
  }
  google::protobuf::util::JsonParseOptions lenient;
  lenient.ignore_unknown_fields = true;
  v1::TokenHeader header;
  if (!google::protobuf::util::JsonStringToMessage(header_json, &header, lenient).ok()) {
    return Unauth("header is not JSON");
  }
  // Pinned algorithm: refuse "none" and every other alg before looking at the signature.
  if (header.alg() != kTokenAlg) return Unauth("algorithm not accepted");
  std::string expected =
      Mac(absl::string_view(token.data(), parts[0].size() + 1 + parts[1].size()));
  if (sig.size() != expected.size() ||
      CRYPTO_memcmp(sig.data(), expected.data(), expected.size()) != 0) {
    return Unauth("signature does not verify");
  }
  v1::TokenClaims claims;
  if (!google::protobuf::util::JsonStringToMessage(payload_json, &claims, lenient).ok()) {
    return Unauth("payload is not JSON");
  }
  if (claims.iss() != kTokenIssuer) return Unauth("wrong issuer");
  if (claims.aud() != audience_) return Unauth("wrong audience");
  if (claims.sub().empty() || claims.sid().empty() ||
      claims.role() == common::v1::ROLE_UNSPECIFIED) {
    return Unauth("missing subject, session or role");
  }
  if (absl::FromUnixSeconds(claims.exp()) <= clock_->Now()) {
    return absl::UnauthenticatedError("access token has expired; refresh or sign in again");
  }
  return claims;
}

}  // namespace gridwork::gateway
