// Load on the whole stack for fault tests, with a record of everything acknowledged:
//   - fixes: workers w1..w4 walk back and forth across the g01/g02 boundary (so geofence
//     emits fence events) and upload one fix each per tick through location's IngestFixes;
//   - orders: writers create work orders and drive each through accept, start, handle,
//     assign verification, verify, rate (every acknowledged version and action recorded);
//   - inspections: ad-hoc results submitted for the seeded subject.
// Every call carries a request id or a device sequence and is retried with the same one until
// the service answers (a service down or restarting does not answer), so a retry never applies
// anything twice; any other non-OK answer is recorded in errors(). Meanwhile analytics and
// geofence consume the feeds by themselves. The Verify* methods REQUIRE (Catch2) that every
// acknowledged write is stored, and are called from the test thread.
#ifndef GRIDWORK_TESTS_RELIABILITY_LOAD_DRIVER_H_
#define GRIDWORK_TESTS_RELIABILITY_LOAD_DRIVER_H_

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tests/reliability/stack.h"

namespace gridwork::testing {

struct LoadOptions {
  bool fixes = true;
  bool orders = true;
  bool inspections = true;
  int order_writers = 2;
  absl::Duration fix_tick = absl::Milliseconds(50);
  absl::Duration inspection_period = absl::Milliseconds(200);
};

class LoadDriver {
 public:
  LoadDriver(Stack* stack, LoadOptions options = {});
  ~LoadDriver();  // Stop()

  void Start();
  // Stops and joins every writer (a call in flight is finished or abandoned after 10 s).
  void Stop();
  // Sends big batches of fixes of an extra worker ("burst") to location for `duration` on
  // the calling thread (a write burst that makes RocksDB flush and compact); returns the
  // number acknowledged.
  int Burst(absl::Duration duration, const std::atomic<bool>* stop = nullptr);
  // Burst's calls so far: how many were refused or failed, and the last such answer (for a
  // test's failure message: a burst that wrote little made few compactions).
  std::string BurstSummary();

  size_t acked_fixes();
  size_t acked_transitions();
  size_t acked_results();
  std::vector<std::string> errors();

  // Every acknowledged fix is in location's raw track of its worker, none twice.
  void VerifyFixes();
  // Every order with an acknowledged transition: its history verifies (VerifyHistory), is a
  // legal path ending in the order's state, and holds each acknowledged (version, action).
  // Returns the number of histories checked.
  int VerifyOrders();
  // Every acknowledged inspection result can be read back.
  void VerifyResults();

 private:
  struct Ack {
    std::string order_id;
    uint64_t version;
    int action;
  };
  void FixLoop();
  void OrderLoop(int index);
  void InspectionLoop();
  void Error(std::string what);

  Stack* const stack_;
  const LoadOptions options_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  const absl::Time start_ = absl::Now();

  absl::Mutex mu_;
  std::map<std::string, std::set<uint64_t>> fixes_ ABSL_GUARDED_BY(mu_);  // worker -> seqs
  std::vector<Ack> acks_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> results_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> errors_ ABSL_GUARDED_BY(mu_);
  uint64_t burst_sequence_ = 0;  // Burst's thread only
  int burst_calls_ = 0;          // guarded by mu_, as the two below
  int burst_failed_calls_ = 0;
  std::string burst_last_failure_;
};

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_RELIABILITY_LOAD_DRIVER_H_
