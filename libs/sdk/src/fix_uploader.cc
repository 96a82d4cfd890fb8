#include "gridwork/sdk/fix_uploader.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridwork/rpc/status_convert.h"

namespace gridwork::sdk {
namespace {

uint64_t DeviceMillis(const location::v1::DeviceFix& f) {
  const int64_t ms = f.device_time().seconds() * 1000 + f.device_time().nanos() / 1000000;
  return ms > 0 ? static_cast<uint64_t>(ms) : 0;
}

}  // namespace

FixUploader::FixUploader(Session* session, FixUploaderOptions options)
    : session_(session), options_(std::move(options)) {}

absl::Status FixUploader::Add(std::string_view worker_id, std::string_view device_id,
                              location::v1::DeviceFix fix) {
  if (device_id.empty()) return absl::InvalidArgumentError("FixUploader::Add: empty device id");
  Key key{std::string(worker_id), std::string(device_id)};
  bool full = false;
  {
    absl::MutexLock l(&mu_);
    uint64_t& last = last_sequence_[key.second];
    if (fix.sequence() == 0) fix.set_sequence(std::max(last + 1, DeviceMillis(fix)));
    last = std::max(last, fix.sequence());
    auto& q = queues_[key];
    q.push_back(std::move(fix));
    full = static_cast<int>(q.size()) >= std::clamp(options_.batch_size, 1, 1000);
  }
  if (!full) return absl::OkStatus();
  absl::MutexLock send(&send_mu_);
  return SendOne(key);
}

absl::Status FixUploader::Flush() {
  absl::MutexLock send(&send_mu_);
  absl::Status first_error;
  std::vector<Key> keys;
  {
    absl::MutexLock l(&mu_);
    for (const auto& [k, q] : queues_) {
      if (!q.empty()) keys.push_back(k);
    }
  }
  for (const Key& k : keys) {
    while (true) {
      {
        absl::MutexLock l(&mu_);
        if (queues_[k].empty()) break;
      }
      absl::Status s = SendOne(k);
      if (!s.ok()) {
        if (first_error.ok()) first_error = s;
        if (!absl::IsInvalidArgument(s)) break;  // kept queued; try the next device
      }
    }
  }
  return first_error;
}

absl::Status FixUploader::SendOne(const Key& key) {
  const size_t limit = static_cast<size_t>(std::clamp(options_.batch_size, 1, 1000));
  location::v1::FixBatch batch;
  {
    absl::MutexLock l(&mu_);
    auto& q = queues_[key];
    if (q.empty()) return absl::OkStatus();
    batch.set_batch_id(next_batch_id_++);
    batch.set_worker_id(key.first);
    batch.set_device_id(key.second);
    for (size_t i = 0; i < q.size() && i < limit; ++i) *batch.add_fixes() = q[i];
    stats_.sent += batch.fixes_size();
  }
  location::v1::BatchAck ack;
  auto attempt = [&](grpc::ClientContext* ctx) {
    ack.Clear();
    if (options_.send) return options_.send(ctx, batch, &ack);
    return session_->location().IngestFixes(ctx, batch, &ack);
  };
  auto count_retry = [this] {
    absl::MutexLock l(&mu_);
    ++stats_.retries;
  };
  const std::vector<grpc::StatusCode> retryable = {grpc::StatusCode::UNAVAILABLE,
                                                   grpc::StatusCode::DEADLINE_EXCEEDED};
  absl::Status s;
  if (session_ != nullptr) {
    RetryPolicy policy = options_.retry.value_or(session_->options().retry);
    s = session_->CallUnary(/*retry_safe=*/true, options_.timeout, attempt, retryable, &policy,
                            count_retry);
  } else {
    RetryHooks hooks;
    hooks.on_retry = count_retry;
    const absl::Duration timeout =
        options_.timeout > absl::ZeroDuration() ? options_.timeout : absl::Seconds(30);
    s = rpc::ToAbslStatus(
        RunWithRetry(options_.retry.value_or(RetryPolicy{}), true, retryable, hooks, [&](int) {
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::microseconds(absl::ToInt64Microseconds(timeout)));
          return attempt(&ctx);
        }));
  }
  if (!s.ok()) return s;  // the batch stays queued, same sequence numbers
  absl::MutexLock l(&mu_);
  auto& q = queues_[key];
  const int n = batch.fixes_size();
  q.erase(q.begin(), q.begin() + std::min<size_t>(n, q.size()));
  stats_.acked += n;
  if (!ack.error().empty()) {
    stats_.rejected += n;
    return absl::InvalidArgumentError(
        absl::StrCat("batch of ", n, " fixes of device ", key.second, " refused: ", ack.error()));
  }
  ++stats_.batches;
  stats_.accepted += ack.accepted();
  stats_.duplicates += ack.duplicates();
  stats_.rejected += ack.rejections_size();
  return absl::OkStatus();
}

FixUploaderStats FixUploader::stats() const {
  absl::MutexLock l(&mu_);
  return stats_;
}

size_t FixUploader::pending() const {
  absl::MutexLock l(&mu_);
  size_t n = 0;
  for (const auto& [k, q] : queues_) n += q.size();
  return n;
}

}  // namespace gridwork::sdk
