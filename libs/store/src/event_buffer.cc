#include "event_buffer.h"

#include <algorithm>
#include <utility>

namespace gridwork::store {

EventBuffer::EventBuffer(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

bool EventBuffer::Push(FeedEvent event) {
  absl::MutexLock l(&mu_);
  auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || events_.size() < capacity_;
  };
  mu_.Await(absl::Condition(&room));
  if (closed_) return false;
  events_.push_back(std::move(event));
  return true;
}

void EventBuffer::Finish() {
  absl::MutexLock l(&mu_);
  finished_ = true;
}

bool EventBuffer::Take(size_t max_events, absl::Duration fill_delay, std::vector<FeedEvent>* out) {
  out->clear();
  max_events = std::max<size_t>(max_events, 1);
  absl::MutexLock l(&mu_);
  auto any = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return finished_ || !events_.empty(); };
  mu_.Await(absl::Condition(&any));
  if (fill_delay > absl::ZeroDuration()) {
    auto full = [this, max_events]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return finished_ || events_.size() >= max_events;
    };
    mu_.AwaitWithTimeout(absl::Condition(&full), fill_delay);
  }
  const size_t n = std::min(max_events, events_.size());
  out->reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out->push_back(std::move(events_.front()));
    events_.pop_front();
  }
  return n > 0;
}

void EventBuffer::Close() {
  absl::MutexLock l(&mu_);
  closed_ = true;
  events_.clear();
}

}  // namespace gridwork::store
