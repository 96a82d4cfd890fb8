#include "gridwork/rpc/unary_work_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "absl/synchronization/notification.h"

namespace gridwork::rpc {
namespace {

TEST_CASE("work pool runs every accepted piece of work on its own threads", "[work_pool]") {
  UnaryWorkPool pool("test pool", 4, 1000);
  std::atomic<int> ran{0};
  absl::Mutex mu;
  std::set<std::thread::id> threads;
  for (int i = 0; i < 200; ++i) {
    REQUIRE(pool.TrySubmit([&] {
      ++ran;
      absl::MutexLock l(&mu);
      threads.insert(std::this_thread::get_id());
    }));
  }
  pool.Stop();
  CHECK(ran.load() == 200);
  absl::MutexLock l(&mu);
  CHECK(threads.size() <= 4);
  CHECK(threads.count(std::this_thread::get_id()) == 0);
}

TEST_CASE("work pool refuses work beyond its queue limit and after Stop", "[work_pool]") {
  UnaryWorkPool pool("test pool", 2, 3);
  absl::Notification release;
  std::atomic<int> started{0}, ran{0};
  // Occupy both workers, then fill the queue.
  for (int i = 0; i < 2; ++i) {
    REQUIRE(pool.TrySubmit([&] {
      ++started;
      release.WaitForNotification();
      ++ran;
    }));
  }
  while (started.load() < 2) std::this_thread::yield();
  for (int i = 0; i < 3; ++i) REQUIRE(pool.TrySubmit([&] { ++ran; }));
  CHECK(pool.queued() == 3);
  CHECK_FALSE(pool.TrySubmit([&] { ++ran; }));  // full: dropped, never runs

  // Stop runs what was accepted (the queue drains once the workers are released).
  std::thread stopper([&] { pool.Stop(); });
  release.Notify();
  stopper.join();
  CHECK(ran.load() == 5);
  CHECK(pool.queued() == 0);
  CHECK_FALSE(pool.TrySubmit([&] { ++ran; }));
  CHECK(ran.load() == 5);
}

}  // namespace
}  // namespace gridwork::rpc
