// EventBuffer: take what is there, fill wait, end of stream, Close unblocking the producer.
#include "event_buffer.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "test_util.h"

namespace gridwork::store {
namespace {

FeedEvent Event(uint64_t sequence) {
  FeedEvent e;
  e.set_sequence(sequence);
  return e;
}

TEST_CASE("EventBuffer: batches, fill wait, finish, close", "[feed][batch]") {
  EventBuffer buffer(4);
  std::vector<FeedEvent> out;
  for (uint64_t s = 1; s <= 3; ++s) REQUIRE(buffer.Push(Event(s)));

  // No fill wait: what is buffered, at most max_events, in order.
  REQUIRE(buffer.Take(2, absl::ZeroDuration(), &out));
  REQUIRE(out.size() == 2);
  CHECK(out[0].sequence() == 1);
  CHECK(out[1].sequence() == 2);

  // A fill wait ends at its timeout with what arrived.
  absl::Time t0 = absl::Now();
  REQUIRE(buffer.Take(10, absl::Milliseconds(50), &out));
  CHECK(absl::Now() - t0 >= absl::Milliseconds(45));
  REQUIRE(out.size() == 1);
  CHECK(out[0].sequence() == 3);

  // ... or as soon as max_events are buffered.
  std::thread producer([&] {
    for (uint64_t s = 4; s <= 7; ++s) REQUIRE(buffer.Push(Event(s)));
  });
  t0 = absl::Now();
  REQUIRE(buffer.Take(4, absl::Seconds(30), &out));
  CHECK(absl::Now() - t0 < absl::Seconds(5));
  producer.join();
  CHECK(out.size() == 4);
  CHECK(out.back().sequence() == 7);

  // Finish ends a fill wait; Take drains, then reports the end.
  REQUIRE(buffer.Push(Event(8)));
  std::thread finisher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    buffer.Finish();
  });
  t0 = absl::Now();
  REQUIRE(buffer.Take(4, absl::Seconds(30), &out));
  CHECK(absl::Now() - t0 < absl::Seconds(5));
  finisher.join();
  CHECK(out.size() == 1);
  CHECK_FALSE(buffer.Take(4, absl::ZeroDuration(), &out));
  CHECK(out.empty());
}

TEST_CASE("EventBuffer: a full buffer blocks Push until Take or Close", "[feed][batch]") {
  EventBuffer buffer(2);
  REQUIRE(buffer.Push(Event(1)));
  REQUIRE(buffer.Push(Event(2)));
  std::atomic<int> pushed{0};
  std::atomic<bool> last_result{true};
  std::thread producer([&] {
    REQUIRE(buffer.Push(Event(3)));  // blocks until a Take makes room
    ++pushed;
    last_result = buffer.Push(Event(4)) && buffer.Push(Event(5));  // 5 blocks until Close
    ++pushed;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(pushed == 0);
  std::vector<FeedEvent> out;
  REQUIRE(buffer.Take(1, absl::ZeroDuration(), &out));
  REQUIRE(testing::PollUntil([&] { return pushed == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(pushed == 1);
  buffer.Close();
  producer.join();
  CHECK(pushed == 2);
  CHECK_FALSE(last_result);
}

}  // namespace
}  // namespace gridwork::store
