// /proc readings of a child process for location_ingest_bench (the process itself is run by
// tests/integration/service_process.h).
#ifndef GRIDWORK_BENCH_LOCATION_BENCH_PROCESS_H_
#define GRIDWORK_BENCH_LOCATION_BENCH_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gridwork::bench {


// VmRSS of `pid` in bytes (0 if unreadable).
int64_t RssBytes(pid_t pid);
// User + system CPU seconds consumed so far by `pid` (-1 if unreadable).
double CpuSeconds(pid_t pid);

}  // namespace gridwork::bench

#endif  // GRIDWORK_BENCH_LOCATION_BENCH_PROCESS_H_
