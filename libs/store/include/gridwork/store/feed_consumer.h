// FeedConsumer: applies a peer service's feed to the local Db, exactly once per event.
//
//   FeedConsumer consumer(db.get(), location_channel, "geofence<-location",
//                         [&](const FeedEvent& e, WriteRequest& req) {
//                           return core.ApplyFix(e, req);   // adds effects to req
//                         });
//   consumer.Start();
//   ...
//   consumer.Stop();
//
// A background thread Watches the peer from (cursor + 1), where the cursor is this
// consumer's entry in the local "cursors" family. For each event it calls the handler with a
// fresh WriteRequest, adds SetCursor(name, event.sequence) to the SAME request and commits
// it: the effects and the cursor move together or not at all, so after any crash or restart
// the consumer resumes after the last event whose effects are stored — exactly once.
//
// Errors:
//   - Stream errors (peer down, deadline, OUT_OF_RANGE, ...): logged; the stream is re-opened
//     from the cursor after an exponential backoff (initial_backoff doubling to max_backoff,
//     each wait jittered to 50–100 %). Streams are opened with a deadline (stream_deadline)
//     and simply re-opened when it passes.
//   - Handler or commit errors with a transient code (UNAVAILABLE, DEADLINE_EXCEEDED,
//     ABORTED, RESOURCE_EXHAUSTED): retried with backoff for as long as it takes; the
//     consumer does not move past the event.
//   - Any other error: retried with backoff up to max_attempts times in total, then the event
//     is "poisoned": recorded in the "dead_letters" family (with the error) in one commit with
//     the cursor, and the consumer moves on. One bad event never blocks the feed forever;
//     Db::ListDeadLetters shows what was skipped.
//
// REQUIRES: one running FeedConsumer per consumer name and Db (cursors are not locked);
// Stop() (or destroy) the consumer before closing the Db.
// Thread safety: Start/Stop and the accessors are safe to call from any thread.
#ifndef GRIDWORK_STORE_FEED_CONSUMER_H_
#define GRIDWORK_STORE_FEED_CONSUMER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/store/db.h"
#include "gridwork/store/write_request.h"

namespace gridwork::store {

struct FeedConsumerOptions {
  // Only events of these payload types (WatchRequest.types; empty = all).
  std::vector<std::string> types;
  // Adds call metadata (e.g. the signed principal) to every outgoing call. Null = none.
  std::function<void(grpc::ClientContext*)> add_metadata;
  // Deadline of one Watch stream; it is re-opened when it passes.
  absl::Duration stream_deadline = absl::Seconds(60);
  // Deadline of unary calls (GetFeedInfo).
  absl::Duration call_deadline = absl::Seconds(5);
  // Reconnect / retry backoff: starts here, doubles per failure up to max_backoff, each wait
  // jittered to 50-100 %.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(10);
  // Attempts at a non-transiently failing event before it is dead-lettered (>= 1).
  int max_attempts = 5;
};

class FeedConsumer {
 public:
  // Adds the event's effects to the request. Must not commit by itself; may read the Db.
  using Handler = std::function<absl::Status(const FeedEvent&, WriteRequest&)>;
  using Options = FeedConsumerOptions;

  // REQUIRES: db and channel non-null; db outlives the consumer; name non-empty.
  FeedConsumer(Db* db, std::shared_ptr<grpc::Channel> channel, std::string consumer_name,
               Handler handler, Options options = Options());
  FeedConsumer(const FeedConsumer&) = delete;
  FeedConsumer& operator=(const FeedConsumer&) = delete;
  // Calls Stop().
  ~FeedConsumer();

  // Starts the background thread. REQUIRES: not started before.
  void Start();
  // Cancels the open stream, interrupts any backoff and joins the thread; an event being
  // applied is either committed or not (never half). Idempotent.
  void Stop();

  const std::string& name() const { return name_; }
  // Events whose effects were committed by this instance (excluding dead letters).
  uint64_t events_applied() const { return applied_.load(); }
  // Events this instance dead-lettered.
  uint64_t events_dead_lettered() const { return dead_lettered_.load(); }
  // Streams re-opened after an error (not counting deadline renewals).
  uint64_t reconnects() const { return reconnects_.load(); }
  // The last applied sequence (the cursor) as known to this instance.
  uint64_t cursor() const { return cursor_.load(); }
  // Peer's last sequence (from GetFeedInfo at each connect and the events seen since) minus
  // the cursor; 0 when caught up. With a types filter or scope filtering the last events may
  // never be delivered, so the lag stays at their count until a delivered event follows.
  uint64_t lag() const;
  // True while a Watch stream is open.
  bool connected() const { return connected_.load(); }

 private:
  void Run();
  // One Watch stream from cursor + 1 until it ends. Returns its final status.
  grpc::Status RunStream(bool* made_progress);
  // Applies one event (retries, dead letter). Returns false if stopped before done.
  bool Apply(const FeedEvent& event);
  // Sleeps `d` or until Stop(); returns false if stopped.
  bool SleepUnlessStopped(absl::Duration d);
  absl::Duration Jittered(absl::Duration d);

  Db* const db_;
  const std::string name_;
  const Handler handler_;
  const Options options_;
  std::unique_ptr<::gridwork::common::v1::Feed::Stub> stub_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;

  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> dead_lettered_{0};
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<uint64_t> cursor_{0};
  std::atomic<uint64_t> peer_last_{0};
  std::atomic<bool> connected_{false};
};

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_FEED_CONSUMER_H_
