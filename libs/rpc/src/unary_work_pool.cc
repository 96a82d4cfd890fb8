#include "gridwork/rpc/unary_work_pool.h"

#include <algorithm>
#include <utility>

namespace gridwork::rpc {

UnaryWorkPool::UnaryWorkPool(std::string name, int threads, int max_queued)
    : name_(std::move(name)), max_queued_(static_cast<size_t>(std::max(max_queued, 1))) {
  const int n = std::max(threads, 1);
  workers_.reserve(n);
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

UnaryWorkPool::~UnaryWorkPool() { Stop(); }

bool UnaryWorkPool::TrySubmit(std::function<void()> work) {
  absl::MutexLock l(&mu_);
  if (stopping_ || queue_.size() >= max_queued_) return false;
  queue_.push_back(std::move(work));
  work_cv_.Signal();
  return true;
}

void UnaryWorkPool::Stop() {
  {
    absl::MutexLock l(&mu_);
    if (stopping_) return;
    stopping_ = true;
    work_cv_.SignalAll();
  }
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

size_t UnaryWorkPool::queued() const {
  absl::MutexLock l(&mu_);
  return queue_.size();
}

void UnaryWorkPool::WorkerLoop() {
  while (true) {
    std::function<void()> work;
    {
      absl::MutexLock l(&mu_);
      while (queue_.empty() && !stopping_) work_cv_.Wait(&mu_);
      if (queue_.empty()) return;  // stopping and drained
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

}  // namespace gridwork::rpc
