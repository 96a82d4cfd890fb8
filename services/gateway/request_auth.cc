#include "services/gateway/request_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "services/gateway/password_hash.h"

namespace gridwork::gateway {

std::string BearerToken(absl::string_view v) {
  v = absl::StripAsciiWhitespace(v);
  if (v.size() < 7 || !absl::EqualsIgnoreCase(v.substr(0, 7), "bearer ")) return "";
  return std::string(absl::StripAsciiWhitespace(v.substr(7)));
}

std::string MetadataValue(const grpc::ServerContextBase& ctx, absl::string_view key) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

std::string BearerToken(const grpc::ServerContextBase& ctx) {
  return BearerToken(MetadataValue(ctx, kAuthorizationHeader));
}

PeerForwarding::PeerForwarding() : secret_(RandomBytes(32)) {}

std::string PeerForwarding::Sign(absl::string_view peer) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(peer.data()), peer.size(), mac, &len);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(mac), len));
}

void PeerForwarding::Attach(const std::string& peer, grpc::ClientContext* ctx) const {
  ctx->AddMetadata(kHttpPeerHeader, peer);
  ctx->AddMetadata(kHttpPeerSigHeader, Sign(peer));
}

std::string PeerForwarding::CallerPeer(const grpc::ServerContextBase& ctx) const {
  std::string peer = MetadataValue(ctx, kHttpPeerHeader);
  std::string sig = MetadataValue(ctx, kHttpPeerSigHeader);
  if (!peer.empty()) {
    std::string want = Sign(peer);
    if (sig.size() == want.size() && CRYPTO_memcmp(sig.data(), want.data(), want.size()) == 0) {
      return peer;
    }
  }
  return ctx.peer();
}

}  // namespace gridwork::gateway
