// What stack_load_bench watches while gridsim's load runner drives fixes through the gateway:
//
// * FenceWatcher: geofence's FenceEvents read through the gateway (Feed.WatchBatches with
//   x-gridwork-upstream: geofence). gridsim's load runner sets each fix's sequence to its send
//   time in Unix microseconds, so an event's fix_sequence gives fix -> fence event latency.
// * CockpitReaders: StreamCockpit subscribers (updates counted) and a GetCockpit poller
//   (latency), as managers' cockpit screens.
// * LiveProbe: probe workers bound to grids send one fix each in turn; the probe polls the
//   cockpit's live map (ListLiveWorkers of the probe's grid) until it shows that fix:
//   fix -> cockpit latency (resolution: the poll period).
//
// Each runs its own thread from Start() to Stop(); Take() returns the figures since the
// previous Take() and may be called from any thread. Every call has a deadline.
#ifndef GRIDWORK_BENCH_STACK_BENCH_PROBES_H_
#define GRIDWORK_BENCH_STACK_BENCH_PROBES_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridwork/sdk/session.h"

namespace gridwork::bench {

// Latency samples of one window.
struct Latencies {
  int64_t count = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};
Latencies Summarise(std::vector<double> ms);

class FenceWatcher {
 public:
  // Events of devices whose id starts with `device_prefix` are timed.
  FenceWatcher(sdk::Session* session, std::string device_prefix);
  ~FenceWatcher();
  FenceWatcher(const FenceWatcher&) = delete;
  FenceWatcher& operator=(const FenceWatcher&) = delete;

  // Reads the feed's end (GetFeedInfo) and starts watching from there, for at most
  // `max_duration` (the stream's deadline).
  absl::Status Start(absl::Duration max_duration);
  void Stop();

  struct Figures {
    Latencies latency;
    int64_t events = 0;  // all FenceEvents received in the window
    std::map<std::string, int64_t> by_kind;
    int64_t stream_errors = 0;
  };
  Figures Take();

 private:
  void Run(uint64_t from, absl::Time deadline);

  sdk::Session* session_;
  std::string prefix_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<grpc::ClientContext> ctx_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<double> ms_ ABSL_GUARDED_BY(mu_);
  Figures figures_ ABSL_GUARDED_BY(mu_);
};

class CockpitReaders {
 public:
  CockpitReaders(sdk::Session* session, std::string region, int streams, absl::Duration get_period);
  ~CockpitReaders();
  CockpitReaders(const CockpitReaders&) = delete;
  CockpitReaders& operator=(const CockpitReaders&) = delete;

  void Start(absl::Duration max_duration);
  void Stop();

  struct Figures {
    int64_t stream_updates = 0;
    int64_t stream_errors = 0;
    Latencies get;  // GetCockpit at the client
    int64_t get_errors = 0;
    int32_t workers_online = 0;  // the last GetCockpit's total
  };
  Figures Take();

 private:
  sdk::Session* session_;
  std::string region_;
  int streams_;
  absl::Duration get_period_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<grpc::ClientContext>> stream_ctx_ ABSL_GUARDED_BY(mu_);
  std::vector<double> get_ms_ ABSL_GUARDED_BY(mu_);
  Figures figures_ ABSL_GUARDED_BY(mu_);
};

struct ProbeWorker {
  std::string worker_id;  // bound to grid_id
  std::string grid_id;
  double lat = 0, lng = 0;  // a point inside the grid
};

class LiveProbe {
 public:
  LiveProbe(sdk::Session* session, std::vector<ProbeWorker> probes, absl::Duration period,
            absl::Duration poll);
  ~LiveProbe();
  LiveProbe(const LiveProbe&) = delete;
  LiveProbe& operator=(const LiveProbe&) = delete;

  void Start();
  void Stop();

  struct Figures {
    Latencies latency;
    int64_t timeouts = 0;  // not shown within 30 s
    int64_t errors = 0;
  };
  Figures Take();

 private:
  void Run();

  sdk::Session* session_;
  std::vector<ProbeWorker> probes_;
  absl::Duration period_, poll_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<double> ms_ ABSL_GUARDED_BY(mu_);
  Figures figures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridwork::bench

#endif  // GRIDWORK_BENCH_STACK_BENCH_PROBES_H_
