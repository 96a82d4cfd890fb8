// Signed principals for integration tests, as the gateway would attach them.
#ifndef GRIDWORK_TESTS_INTEGRATION_PRINCIPALS_H_
#define GRIDWORK_TESTS_INTEGRATION_PRINCIPALS_H_

#include <memory>
#include <string>

#include "gridwork/rpc/client.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::testing {

// The key every test service is started with (via GRIDWORK_PRINCIPAL_KEY).
inline const char kTestKey[] = "integration-test-key-0123456789";
inline std::string KeyEnv() { return std::string("GRIDWORK_PRINCIPAL_KEY=") + kTestKey; }

inline common::v1::Principal MakePrincipal(common::v1::Role role, std::string scope = "",
                                           std::string subject = "tester",
                                           absl::Duration valid_for = absl::Minutes(10)) {
  common::v1::Principal p;
  p.set_subject(std::move(subject));
  p.set_role(role);
  p.set_region_scope(std::move(scope));
  *p.mutable_expires_at() = service::ToProto(absl::Now() + valid_for);
  return p;
}

// A client context with a 10 s deadline carrying `p` signed with kTestKey.
inline std::unique_ptr<grpc::ClientContext> As(const common::v1::Principal& p) {
  static const rpc::PrincipalCodec codec(kTestKey);
  auto ctx = rpc::NewCallContext(absl::Seconds(10));
  codec.Attach(p, ctx.get());
  return ctx;
}

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_INTEGRATION_PRINCIPALS_H_
