#include "gridwork/rpc/shutdown_signal.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

namespace gridwork::rpc {
namespace {

sigset_t ShutdownSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR2);  // RequestShutdown()
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForShutdownSignal() {
  sigset_t set = ShutdownSet();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig == SIGUSR2 ? 0 : sig;
}

void RequestShutdown() { kill(getpid(), SIGUSR2); }

}  // namespace gridwork::rpc
