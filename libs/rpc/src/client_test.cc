#include "gridwork/rpc/client.h"

#include <catch2/catch.hpp>

#include "absl/time/clock.h"

namespace gridwork::rpc {
namespace {

absl::Time DeadlineOf(const grpc::ClientContext& ctx) { return absl::FromChrono(ctx.deadline()); }

TEST_CASE("outgoing deadlines are capped by the incoming call's deadline", "[rpc][client]") {
  CHECK(IncomingDeadline() == absl::InfiniteFuture());
  const absl::Time before = absl::Now();
  auto free_ctx = NewCallContext(absl::Seconds(10));
  CHECK(DeadlineOf(*free_ctx) >= before + absl::Seconds(10));
  {
    const absl::Time caller = absl::Now() + absl::Milliseconds(300);
    IncomingDeadlineScope scope(caller);
    CHECK(DeadlineOf(*NewCallContext(absl::Seconds(10))) == caller);
    // A shorter own timeout still wins.
    CHECK(DeadlineOf(*NewCallContext(absl::Milliseconds(50))) < caller);
    {
      IncomingDeadlineScope later(caller + absl::Seconds(5));  // never extends the cap
      CHECK(IncomingDeadline() == caller);
    }
    CHECK(IncomingDeadline() == caller);
  }
  CHECK(IncomingDeadline() == absl::InfiniteFuture());
}

}  // namespace
}  // namespace gridwork::rpc
