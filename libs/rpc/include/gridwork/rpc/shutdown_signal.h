// Graceful shutdown on SIGTERM/SIGINT.
//
// REQUIRES: BlockShutdownSignals() is called at the top of main(), before any thread starts,
// so every thread inherits the blocked mask and the signal is delivered only to the thread
// that calls WaitForShutdownSignal().
#ifndef GRIDWORK_RPC_SHUTDOWN_SIGNAL_H_
#define GRIDWORK_RPC_SHUTDOWN_SIGNAL_H_

namespace gridwork::rpc {

void BlockShutdownSignals();

// Blocks until SIGTERM or SIGINT arrives (or RequestShutdown() is called); returns the
// signal number (0 for RequestShutdown).
int WaitForShutdownSignal();

// Wakes WaitForShutdownSignal() from inside the process (tests, fatal background errors).
void RequestShutdown();

}  // namespace gridwork::rpc

#endif  // GRIDWORK_RPC_SHUTDOWN_SIGNAL_H_
