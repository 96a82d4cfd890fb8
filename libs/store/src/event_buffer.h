// EventBuffer: the bounded hand-off between a FeedConsumer's stream reader thread and its
// applier thread (internal to libs/store).
//
//   reader thread                         applier thread
//   while (reader->Read(&e))              while (buffer.Take(2000, 5ms, &batch))
//     if (!buffer.Push(std::move(e)))       ApplyBatch(batch);
//       break;                            buffer.Close();
//   buffer.Finish();
//
// gRPC's blocking ClientReader::Read cannot be asked "is another message available?", so a
// reader thread does nothing but Read and Push; the applier takes what has arrived. Push
// blocks while `capacity` events are buffered, so memory is bounded and gRPC flow control
// slows the peer down.
//
// Thread safety: one producer and one consumer thread; every method is thread-safe.
#ifndef GRIDWORK_STORE_SRC_EVENT_BUFFER_H_
#define GRIDWORK_STORE_SRC_EVENT_BUFFER_H_

#include <cstddef>
#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridwork/store/db.h"

namespace gridwork::store {

class EventBuffer {
 public:
  // REQUIRES: capacity >= 1.
  explicit EventBuffer(size_t capacity);
  EventBuffer(const EventBuffer&) = delete;
  EventBuffer& operator=(const EventBuffer&) = delete;

  // Producer. Appends `event`, waiting while the buffer is full. Returns false (dropping the
  // event) once Close() was called.
  bool Push(FeedEvent event);
  // Producer. No more events will come; Take hands out what is buffered, then returns false.
  void Finish();

  // Consumer. Clears *out, waits until an event is buffered or Finish(); then, while fewer
  // than `max_events` are buffered and the producer has not finished, waits up to
  // `fill_delay` more (zero: no wait). Moves up to `max_events` events (in order) into *out.
  // Returns false iff the producer finished and nothing was left to take.
  // REQUIRES: max_events >= 1.
  bool Take(size_t max_events, absl::Duration fill_delay, std::vector<FeedEvent>* out);
  // Consumer. Takes nothing more: a blocked and every later Push returns false.
  void Close();

 private:
  const size_t capacity_;
  absl::Mutex mu_;
  std::deque<FeedEvent> events_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_SRC_EVENT_BUFFER_H_
