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
// Batch mode (constructed with a BatchHandler): one commit, hence one fsync, per event caps
// a consumer at a few thousand events/s. A BatchHandler gets up to max_batch_events events
// (ascending sequences) and adds the effects of ALL of them to one WriteRequest; the cursor
// moves to the last event's sequence in that request and it is committed once. The same
// exactly-once argument holds per batch.
//
//   FeedConsumer consumer(db.get(), location_channel, "geofence<-location",
//                         [&](const std::vector<FeedEvent>& fixes, WriteRequest& req) {
//                           return core.ApplyFixes(fixes, req);
//                         });
//
// Batch fill: a reader thread moves events from the stream into a bounded buffer (2 x
// max_batch_events); the applier takes up to max_batch_events as soon as one is there,
// waiting at most max_batch_delay for more. Under load the buffer fills while the previous
// batch commits, so batches are large without waiting; a lone event waits max_batch_delay.
//
// Errors:
//   - Stream errors (peer down, deadline, OUT_OF_RANGE, ...): logged; the stream is re-opened
//     from the cursor after an exponential backoff (initial_backoff doubling to max_backoff,
//     each wait jittered to 50–100 %). Streams are opened with a deadline (stream_deadline)
//     and simply re-opened when it passes.
//   - Handler or commit errors with a transient code (UNAVAILABLE, DEADLINE_EXCEEDED,
//     ABORTED, RESOURCE_EXHAUSTED): retried with backoff for as long as it takes; the
//     consumer does not move past the event (batch).
//   - Any other error: retried with backoff up to max_attempts times in total, then the event
//     is "poisoned": recorded in the "dead_letters" family (with the error) in one commit with
//     the cursor, and the consumer moves on. One bad event never blocks the feed forever;
//     Db::ListDeadLetters shows what was skipped.
//   - Batch mode, any other error: the whole batch is retried up to max_attempts times; then
//     it is bisected: each half is handled (and committed) on its own, a failing half of two
//     or more events is split again at once (one attempt each), and a single failing event
//     gets max_attempts attempts and is then dead-lettered as above. Events before and after
//     a poisoned one are applied exactly once; a batch with one poisoned event costs about
//     max_attempts + 2·log2(batch) handler calls.
//
// REQUIRES: one running FeedConsumer per consumer name and Db (cursors are not locked);
// Stop() (or destroy) the consumer before closing the Db.
// Thread safety: Start/Stop and the accessors are safe to call from any thread. The handler
// runs on the consumer's thread only.
#ifndef GRIDWORK_STORE_FEED_CONSUMER_H_
#define GRIDWORK_STORE_FEED_CONSUMER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
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
  // Attempts at a non-transiently failing event before it is dead-lettered (>= 1); in batch
  // mode also the attempts at a whole batch before it is bisected.
  int max_attempts = 5;
  // Batch mode only: most events per BatchHandler call and commit (>= 1).
  size_t max_batch_events = 2000;
  // Batch mode only: once an event is available, how long to wait for more to fill the
  // batch to max_batch_events. Zero: take only what is already buffered. This is added to
  // the latency of a lone event; under load batches fill without waiting.
  absl::Duration max_batch_delay = absl::Milliseconds(5);
  // Stall watchdog: while a stream is open, if no event has arrived for this long although
  // the peer's feed (GetFeedInfo) is past the cursor and still growing or unfiltered, the
  // stream is cancelled and re-opened from the cursor. Guards against a stream that stops
  // delivering without failing (seen under burst load, docs/location.md). Zero disables.
  absl::Duration stall_timeout = absl::Seconds(15);
  // Read the peer's feed with WatchBatches (many events per gRPC message); a peer that
  // answers UNIMPLEMENTED (older server) is then read with Watch. false: always Watch.
  bool watch_batches = true;
  // Called on the consumer's thread right after the effects of a handler call were committed
  // (not after a failed commit, nor for dead letters). A handler that keeps derived state in
  // memory prepares it during the call and publishes it here, so memory never shows an
  // effect the store does not have. Null = nothing.
  std::function<void()> on_committed;
};

class FeedConsumer {
 public:
  // Adds the event's effects to the request. Must not commit by itself; may read the Db.
  using Handler = std::function<absl::Status(const FeedEvent&, WriteRequest&)>;
  // Adds the effects of all `events` (1..max_batch_events, ascending sequences, all after the
  // cursor) to the request. Must not commit by itself; may read the Db, which does NOT yet
  // show the effects of earlier events of the same batch (carry such state in memory).
  // May be called again with a failed batch's events or a part of them (bisection), so it
  // must not assume that a request it filled was committed.
  using BatchHandler =
      std::function<absl::Status(const std::vector<FeedEvent>& events, WriteRequest& write)>;
  using Options = FeedConsumerOptions;

  // Per-event mode: one handler call and one commit per event.
  // REQUIRES: db and channel non-null; db outlives the consumer; name non-empty.
  FeedConsumer(Db* db, std::shared_ptr<grpc::Channel> channel, std::string consumer_name,
               Handler handler, Options options = Options());
  // Batch mode: one handler call and one commit per batch (see the file comment).
  // Same REQUIRES.
  FeedConsumer(Db* db, std::shared_ptr<grpc::Channel> channel, std::string consumer_name,
               BatchHandler handler, Options options = Options());
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
  // Commits of handler effects with the cursor: one per batch in batch mode (bisected
  // parts count one each), one per event in per-event mode. Dead letters not counted.
  uint64_t batches_committed() const { return batches_committed_.load(); }
  // Streams re-opened after an error (not counting deadline renewals).
  uint64_t reconnects() const { return reconnects_.load(); }
  // The last applied sequence (the cursor) as known to this instance.
  uint64_t cursor() const { return cursor_.load(); }
  // Peer's last sequence (from GetFeedInfo at each connect and the events seen since) minus
  // the cursor; 0 when caught up. With a types filter or scope filtering the last events may
  // never be delivered, so the lag stays at their count until a delivered event follows.
  uint64_t lag() const;
  // Streams the stall watchdog cancelled.
  uint64_t stalls() const { return stalls_.load(); }
  // True while a Watch stream is open.
  bool connected() const { return connected_.load(); }

 private:
  void Run();
  // One Watch stream from cursor + 1 until it ends. Returns its final status.
  grpc::Status RunStream(bool* made_progress);
  // Applies events taken from the stream (ascending, after the cursor) in the mode of this
  // consumer. Returns false if stopped before done.
  bool ApplyEvents(const std::vector<FeedEvent>& events);
  // Per-event mode: applies one event (retries, dead letter). Returns false if stopped.
  bool Apply(const FeedEvent& event);
  // Batch mode: applies `events` with one handler call and commit, tolerating `attempts`
  // non-transient failures before bisecting (or dead-lettering a single event). Returns
  // false if stopped before done.
  bool ApplyBatch(const std::vector<FeedEvent>& events, int attempts);
  // Writes `event` to dead_letters with the cursor moved past it. Returns the commit status.
  absl::Status DeadLetter(const FeedEvent& event, const absl::Status& error);
  // True once Stop() was called.
  bool Stopping();
  // Sleeps `d` or until Stop(); returns false if stopped.
  bool SleepUnlessStopped(absl::Duration d);
  absl::Duration Jittered(absl::Duration d);

  Db* const db_;
  const std::string name_;
  const Handler handler_;             // per-event mode, else null
  const BatchHandler batch_handler_;  // batch mode, else null
  const Options options_;
  std::unique_ptr<::gridwork::common::v1::Feed::Stub> stub_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;

  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> dead_lettered_{0};
  std::atomic<uint64_t> batches_committed_{0};
  std::atomic<uint64_t> stalls_{0};
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<uint64_t> cursor_{0};
  std::atomic<uint64_t> peer_last_{0};
  std::atomic<bool> connected_{false};
  // Starts as options_.watch_batches; cleared when the peer does not implement WatchBatches.
  std::atomic<bool> use_watch_batches_{true};
};

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_FEED_CONSUMER_H_
