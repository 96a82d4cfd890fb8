// `gridsim load`: N synthetic workers, one fix every `interval` each, sent through the
// gateway's IngestFixes as the gridsim service account for `duration`; measures the achieved
// fixes per second and the ack latency. Also the driver of bench/stack_load_bench (a library:
// gridwork_gridsim_runtime).
//
// Each fix's sequence is its send time in Unix microseconds (taken just before the call), so
// a consumer of the fence feed can tell how long after sending an event was published.
#ifndef GRIDWORK_TOOLS_GRIDSIM_LOAD_RUNNER_H_
#define GRIDWORK_TOOLS_GRIDSIM_LOAD_RUNNER_H_

#include <atomic>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridwork::gridsim {

struct LoadOptions {
  std::string gateway = "127.0.0.1:50050";
  std::string username = "gridsim";
  std::string password;
  int workers = 100;
  absl::Duration interval = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(10);
  // Sender threads (each owns every threads-th worker). A sender never waits for an answer:
  // its calls are asynchronous (gRPC's callback API) and answered on gRPC's threads, so a few
  // senders keep thousands of calls in flight without a thread each.
  int threads = 4;
  // Calls in flight at once, over all senders; a sender at its share waits (counted as send
  // lag), so an overloaded stack shows as lag and skipped slots, not as unbounded memory.
  int max_in_flight = 4096;
  absl::Duration call_timeout = absl::Seconds(5);
  uint64_t seed = 1;
  // Workers are "<worker_prefix><i>" with devices "<worker_prefix>dev-<i>".
  std::string worker_prefix = "load-";
  // Fixes per IngestFixes call. With k > 1 a worker uploads every k * interval its last k
  // fixes (device times `interval` apart, the last one now), as phones batch; fix j of a call
  // has sequence = send time in µs + j.
  int fixes_per_call = 1;
};

struct LoadResult {
  int64_t sent = 0;   // fixes sent
  int64_t calls = 0;  // IngestFixes calls made
  int64_t acked = 0;
  int64_t rejected = 0;
  double seconds = 0;
  double fixes_per_second = 0;  // acked / seconds
  double ack_p50_ms = 0, ack_p99_ms = 0, ack_max_ms = 0;
  // workers / interval: what the schedule asks for.
  double offered_per_second = 0;
  // Slots a sender skipped because it fell more than one interval behind its schedule.
  int64_t skipped = 0;
  // How late calls started against their schedule (open loop: queueing at the sender counts
  // here, not in the ack latency).
  double send_lag_p50_ms = 0, send_lag_p99_ms = 0;
  // gRPC code name -> failed calls; "rejected:<reason>" -> rejected fixes.
  std::map<std::string, int64_t> errors;
};

// Runs until the duration passed or `stop` became true. Errors only when the login fails.
// Returns after every call it made was answered (or timed out).
// Thread safety: runs `options.threads` sender threads of its own; RunLoad itself may be
// called from several threads at once.
absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options, const std::atomic<bool>& stop);

// One line for people; JSON (name -> number, plus units) for benchmarks.
std::string FormatLoadResult(const LoadResult& r, const LoadOptions& o);
std::string LoadResultJson(const LoadResult& r, const LoadOptions& o);

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_LOAD_RUNNER_H_
