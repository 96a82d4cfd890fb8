#include "services/gateway/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>

namespace gridwork::gateway {
namespace {

std::string Derive(absl::string_view password, absl::string_view salt, uint32_t iterations) {
  std::string out(kHashBytes, '\0');
  int ok =
      PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        kHashBytes, reinterpret_cast<unsigned char*>(out.data()));
  if (ok != 1) std::abort();  // Cannot happen with valid parameters (OpenSSL out of memory).
  return out;
}

}  // namespace

std::string RandomBytes(int n) {
  std::string out(static_cast<size_t>(n), '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), n) != 1) std::abort();
  return out;
}

v1::PasswordHash HashPassword(absl::string_view password, uint32_t iterations) {
  v1::PasswordHash h;
  h.set_salt(RandomBytes(kSaltBytes));
  h.set_iterations(iterations);
  h.set_hash(Derive(password, h.salt(), iterations));
  return h;
}

bool VerifyPassword(absl::string_view password, const v1::PasswordHash& stored) {
  if (stored.iterations() == 0 || stored.hash().size() != kHashBytes || stored.salt().empty()) {
    return false;
  }
  std::string got = Derive(password, stored.salt(), stored.iterations());
  return CRYPTO_memcmp(got.data(), stored.hash().data(), kHashBytes) == 0;
}

void BurnEquivalentHash(absl::string_view password, uint32_t iterations) {
  static const std::string kSalt(kSaltBytes, 'x');
  (void)Derive(password, kSalt, iterations == 0 ? 1 : iterations);
}

}  // namespace gridwork::gateway
