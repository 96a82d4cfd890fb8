// The caller's identity, carried from the gateway to every service in signed gRPC metadata.
//
// Wire format (two binary metadata entries on every request):
//   x-gridwork-principal-bin      serialized gridwork.common.v1.Principal
//   x-gridwork-principal-sig-bin  HMAC-SHA256(key, serialized principal), 32 bytes
// The key is shared by the gateway (which signs) and the services (which verify); it is read
// from --principal_key_file or the environment variable GRIDWORK_PRINCIPAL_KEY.
//
// Authentication happens once at the gateway; authorisation happens at the owner of the data:
// every service calls Authenticate() on each request and InScope() on each object it returns
// or changes (DESIGN.md section 4).
#ifndef GRIDWORK_RPC_PRINCIPAL_H_
#define GRIDWORK_RPC_PRINCIPAL_H_

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gridwork/common/v1/principal.pb.h"
#include "gridwork/core/clock.h"

namespace gridwork::rpc {

using common::v1::Principal;
using common::v1::Role;

inline constexpr char kPrincipalHeader[] = "x-gridwork-principal-bin";
inline constexpr char kPrincipalSigHeader[] = "x-gridwork-principal-sig-bin";

// Loads the HMAC key: the contents of `key_file` if non-empty (trailing whitespace removed),
// else $GRIDWORK_PRINCIPAL_KEY. Fails with FAILED_PRECONDITION if neither is set or the key is
// shorter than 16 bytes, so a service never runs with a guessable key.
absl::StatusOr<std::string> LoadPrincipalKey(const std::string& key_file);

// Signs and verifies principals with one key. Thread-safe (immutable after construction).
class PrincipalCodec {
 public:
  explicit PrincipalCodec(std::string key, Clock* clock = Clock::Real())
      : key_(std::move(key)), clock_(clock) {}

  // Adds the two metadata entries for `p` to an outgoing call.
  void Attach(const Principal& p, grpc::ClientContext* ctx) const;

  // Verifies the incoming principal. UNAUTHENTICATED if it is missing, malformed, badly
  // signed or expired (the message says which).
  absl::StatusOr<Principal> Authenticate(const grpc::ServerContextBase& ctx) const;

  // Same check on raw values, for non-gRPC transports.
  absl::StatusOr<Principal> Verify(absl::string_view serialized,
                                   absl::string_view signature) const;

  std::string Sign(absl::string_view serialized) const;

 private:
  std::string key_;
  Clock* clock_;
};

// True iff an object at `region_path` is visible to `p`: p.region_scope is empty, equal to
// the path, or a prefix of it ending at a '/' boundary ("410105/s01" covers
// "410105/s01/c02" but not "410105/s010").
bool InScope(const Principal& p, absl::string_view region_path);

// True iff `scope` (a region path prefix) lies entirely within the principal's scope.
bool ScopeWithin(const Principal& p, absl::string_view scope);

// OK if p.role is one of `roles`; PERMISSION_DENIED naming the role otherwise.
absl::Status RequireRole(const Principal& p, std::initializer_list<Role> roles);

// PERMISSION_DENIED with a message naming the path unless InScope(p, path).
absl::Status RequireScope(const Principal& p, absl::string_view region_path);

// Human-readable role name, e.g. "ROLE_GRID_WORKER".
std::string RoleName(Role r);

}  // namespace gridwork::rpc

#endif  // GRIDWORK_RPC_PRINCIPAL_H_
