#include "gridwork/service/service_main.h"

#include "absl/synchronization/mutex.h"
#include "gridwork/core/flags_usage.h"
#include "gridwork/rpc/shutdown_signal.h"

namespace gridwork::service {

void InitServiceProcess(int argc, char** argv, const char* usage) {
#ifdef NDEBUG
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  rpc::BlockShutdownSignals();
  ParseFlags(argc, argv, usage);
}

}  // namespace gridwork::service
