// FixUploader: batches position fixes per (worker, device) and uploads them through the gateway
// (LocationService.IngestFixes), retrying a batch on UNAVAILABLE or DEADLINE_EXCEEDED with
// backoff and jitter. A batch keeps its fixes' sequence numbers across retries, so when an
// attempt was stored but its answer was lost, the resend is acknowledged as duplicates by the
// location service and no fix is stored twice.
//
//   sdk::FixUploader up(session.get());
//   location::v1::DeviceFix f;  ... (device_time, position, accuracy)
//   GW_RETURN_IF_ERROR(up.Add("w-001", "phone-1", f));   // sends when a batch is full
//   GW_RETURN_IF_ERROR(up.Flush());                       // sends the rest
//
// Sequence numbers: a fix with sequence 0 gets max(previous + 1, device time in Unix ms) of
// its device, so numbers increase per device across restarts of the uploader as long as the
// device clock does. A fix that carries a sequence keeps it.
//
// Thread safety: Add, Flush and stats may be called concurrently; sends are serialised.
#ifndef GRIDWORK_SDK_FIX_UPLOADER_H_
#define GRIDWORK_SDK_FIX_UPLOADER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/location/v1/location.pb.h"
#include "gridwork/sdk/session.h"

namespace gridwork::sdk {

struct FixUploaderOptions {
  // Fixes per batch, 1..1000 (the location service's limit).
  int batch_size = 500;
  // Retries of one batch; the session's policy when unset.
  std::optional<RetryPolicy> retry;
  // Deadline of one attempt; zero = the session's call_timeout.
  absl::Duration timeout = absl::ZeroDuration();
  // Sends one batch with the given context. Unset = session->location().IngestFixes. Tests
  // wrap the real call to lose an answer (a seam for fault injection, not for production).
  std::function<grpc::Status(grpc::ClientContext*, const location::v1::FixBatch&,
                             location::v1::BatchAck*)>
      send;
};

struct FixUploaderStats {
  int64_t sent = 0;        // fixes in batches sent (first attempts)
  int64_t acked = 0;       // fixes in acknowledged batches (accepted + duplicates + rejected)
  int64_t accepted = 0;    // newly stored
  int64_t duplicates = 0;  // already stored (a resend)
  int64_t rejected = 0;    // refused by location's filters, or in a refused batch
  int64_t retries = 0;     // batch resends
  int64_t batches = 0;     // batches acknowledged
};

class FixUploader {
 public:
  // REQUIRES: session outlives the uploader. session may be null only when options.send is
  // set (unit tests): then no token is attached.
  explicit FixUploader(Session* session, FixUploaderOptions options = {});
  FixUploader(const FixUploader&) = delete;
  FixUploader& operator=(const FixUploader&) = delete;

  // Queues `fix` of `worker_id` (empty = the caller's own id) from `device_id`; when the
  // device's queue holds batch_size fixes, sends one batch (in this thread) and returns its
  // error, as Flush does.
  absl::Status Add(std::string_view worker_id, std::string_view device_id,
                   location::v1::DeviceFix fix);

  // Sends everything queued. A batch that still fails after its retries stays queued with the
  // same sequence numbers for the next Flush; its error is returned (the others are still
  // tried). A batch the service refuses as a whole (BatchAck.error) is dropped and counted as
  // rejected: INVALID_ARGUMENT.
  absl::Status Flush();

  FixUploaderStats stats() const;
  // Fixes queued and not yet acknowledged.
  size_t pending() const;

 private:
  using Key = std::pair<std::string, std::string>;  // worker, device
  absl::Status SendOne(const Key& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(send_mu_);

  Session* const session_;
  const FixUploaderOptions options_;
  absl::Mutex send_mu_;  // one batch in flight; acquired before mu_
  mutable absl::Mutex mu_;
  std::map<Key, std::deque<location::v1::DeviceFix>> queues_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> last_sequence_ ABSL_GUARDED_BY(mu_);  // by device
  FixUploaderStats stats_ ABSL_GUARDED_BY(mu_);
  uint64_t next_batch_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace gridwork::sdk

#endif  // GRIDWORK_SDK_FIX_UPLOADER_H_
