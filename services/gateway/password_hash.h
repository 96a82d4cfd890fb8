// Password hashing: PBKDF2-HMAC-SHA256 (OpenSSL) with a per-user random salt.
//
//   gateway::v1::PasswordHash h = HashPassword("correct horse", 200000);
//   bool ok = VerifyPassword("correct horse", h);   // constant-time comparison
//
// A stored hash carries its own salt and iteration count, so raising --pbkdf2_iterations
// affects new and changed passwords only; old hashes keep verifying.
// Thread-safe (pure functions).
#ifndef GRIDWORK_SERVICES_GATEWAY_PASSWORD_HASH_H_
#define GRIDWORK_SERVICES_GATEWAY_PASSWORD_HASH_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "gridwork/gateway/v1/gateway.pb.h"

namespace gridwork::gateway {

// Production minimum; tests may pass fewer (the flag --pbkdf2_iterations says the default).
inline constexpr uint32_t kDefaultPbkdf2Iterations = 210000;
inline constexpr int kSaltBytes = 16;
inline constexpr int kHashBytes = 32;

// Hashes `password` with a fresh 16-byte random salt. REQUIRES: iterations >= 1.
v1::PasswordHash HashPassword(absl::string_view password, uint32_t iterations);

// True iff `password` hashes to `stored`. Compares in constant time; false for a malformed
// stored hash (wrong lengths, zero iterations).
bool VerifyPassword(absl::string_view password, const v1::PasswordHash& stored);

// Cost of one verification at `stored`'s parameters, used so that a login for an unknown user
// takes as long as one for a known user (no user enumeration by timing).
void BurnEquivalentHash(absl::string_view password, uint32_t iterations);

// `n` random bytes from OpenSSL's CSPRNG.
std::string RandomBytes(int n);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_PASSWORD_HASH_H_
