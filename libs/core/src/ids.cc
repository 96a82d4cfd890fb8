#include "gridwork/core/ids.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace gridwork {

std::string NewId(absl::string_view prefix) {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // OpenSSL's CSPRNG failing means the process cannot produce safe ids at all.
    std::abort();
  }
  return absl::StrCat(prefix, "-",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(bytes.data()), bytes.size())));
}

std::string Sha256Hex(absl::string_view data) {
  // OpenSSL 3's one-shot SHA256() looks the algorithm up in the provider registry on every
  // call (EVP_MD_fetch), which cost more than hashing a small record. Fetch it once; keep
  // one digest context per thread.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                 &EVP_MD_CTX_free);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int length = 0;
  if (kSha256 == nullptr || ctx == nullptr ||
      EVP_DigestInit_ex2(ctx.get(), kSha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1 || length != sizeof(digest)) {
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace gridwork
