#include "gridwork/store/feed_consumer.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/random/random.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "event_buffer.h"
#include "gridwork/core/log.h"

namespace gridwork::store {
namespace {

using ::gridwork::common::v1::FeedEventBatch;
using ::gridwork::common::v1::FeedInfo;
using ::gridwork::common::v1::GetFeedInfoRequest;
using ::gridwork::common::v1::WatchRequest;

bool IsTransient(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kAborted || code == absl::StatusCode::kResourceExhausted;
}

std::chrono::system_clock::time_point Deadline(absl::Duration d) {
  return absl::ToChronoTime(absl::Now() + d);
}

// Events read ahead of the applier in per-event mode.
constexpr size_t kPerEventBuffer = 256;

}  // namespace

FeedConsumer::FeedConsumer(Db* db, std::shared_ptr<grpc::Channel> channel,
                           std::string consumer_name, Handler handler, Options options)
    : db_(db),
      name_(std::move(consumer_name)),
      handler_(std::move(handler)),
      options_(std::move(options)),
      stub_(::gridwork::common::v1::Feed::NewStub(std::move(channel))),
      use_watch_batches_(options_.watch_batches) {}

FeedConsumer::FeedConsumer(Db* db, std::shared_ptr<grpc::Channel> channel,
                           std::string consumer_name, BatchHandler handler, Options options)
    : db_(db),
      name_(std::move(consumer_name)),
      batch_handler_(std::move(handler)),
      options_(std::move(options)),
      stub_(::gridwork::common::v1::Feed::NewStub(std::move(channel))),
      use_watch_batches_(options_.watch_batches) {}

FeedConsumer::~FeedConsumer() { Stop(); }

void FeedConsumer::Start() {
  thread_ = std::thread([this] { Run(); });
}

void FeedConsumer::Stop() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
    if (active_context_ != nullptr) active_context_->TryCancel();
  }
  if (thread_.joinable()) {
    thread_.join();
    log::Info("feed consumer stopped",
              {{"consumer", name_}, {"cursor", cursor_.load()}, {"applied", applied_.load()}});
  }
}

uint64_t FeedConsumer::lag() const {
  const uint64_t peer = peer_last_.load();
  const uint64_t cursor = cursor_.load();
  return peer > cursor ? peer - cursor : 0;
}

bool FeedConsumer::SleepUnlessStopped(absl::Duration d) {
  absl::MutexLock l(&mu_);
  auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
  mu_.AwaitWithTimeout(absl::Condition(&stopping), d);
  return !stopping_;
}

absl::Duration FeedConsumer::Jittered(absl::Duration d) {
  static thread_local absl::BitGen gen;
  return d * absl::Uniform(gen, 0.5, 1.0);
}

void FeedConsumer::Run() {
  log::Info("feed consumer starting", {{"consumer", name_}});
  absl::Duration backoff = options_.initial_backoff;
  while (true) {
    {
      absl::MutexLock l(&mu_);
      if (stopping_) return;
    }
    bool made_progress = false;
    const absl::Time started = absl::Now();
    grpc::Status status = RunStream(&made_progress);
    {
      absl::MutexLock l(&mu_);
      if (stopping_) return;
    }
    const bool renewal = status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
                         absl::Now() - started >= options_.stream_deadline * 0.9;
    if (status.ok() || renewal) {
      backoff = options_.initial_backoff;
      continue;  // the stream ended normally; re-open at once
    }
    if (made_progress) backoff = options_.initial_backoff;
    ++reconnects_;
    log::Warning("feed consumer disconnected",
                 {{"consumer", name_},
                  {"code", static_cast<int>(status.error_code())},
                  {"error", status.error_message()},
                  {"cursor", cursor_.load()},
                  {"retry_in_ms", absl::ToInt64Milliseconds(backoff)}});
    if (!SleepUnlessStopped(Jittered(backoff))) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

grpc::Status FeedConsumer::RunStream(bool* made_progress) {
  absl::StatusOr<uint64_t> cursor = db_->GetCursor(name_);
  if (!cursor.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "local cursor unreadable: " + cursor.status().ToString());
  }
  cursor_ = *cursor;

  {
    grpc::ClientContext info_ctx;
    info_ctx.set_deadline(Deadline(options_.call_deadline));
    if (options_.add_metadata) options_.add_metadata(&info_ctx);
    {
      absl::MutexLock l(&mu_);
      if (stopping_) return grpc::Status(grpc::StatusCode::CANCELLED, "stopping");
      active_context_ = &info_ctx;
    }
    FeedInfo info;
    grpc::Status s = stub_->GetFeedInfo(&info_ctx, GetFeedInfoRequest(), &info);
    {
      absl::MutexLock l(&mu_);
      active_context_ = nullptr;
    }
    if (!s.ok()) return s;
    peer_last_ = info.last_sequence();
    // A new consumer (no cursor) of a trimmed feed starts at the first retained event
    // instead of asking for sequence 1 and failing with OUT_OF_RANGE forever.
    if (*cursor == 0 && info.first_sequence() > 1) {
      log::Info("feed consumer starts at the first retained event",
                {{"consumer", name_}, {"first_sequence", info.first_sequence()}});
      *cursor = info.first_sequence() - 1;
    }
  }

  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline(options_.stream_deadline));
  if (options_.add_metadata) options_.add_metadata(&ctx);
  {
    absl::MutexLock l(&mu_);
    if (stopping_) return grpc::Status(grpc::StatusCode::CANCELLED, "stopping");
    active_context_ = &ctx;
  }
  WatchRequest request;
  request.set_from_sequence(*cursor + 1);
  for (const std::string& t : options_.types) request.add_types(t);
  const bool batched = use_watch_batches_.load();
  std::unique_ptr<grpc::ClientReader<FeedEvent>> reader;
  std::unique_ptr<grpc::ClientReader<FeedEventBatch>> batch_reader;
  if (batched) {
    batch_reader = stub_->WatchBatches(&ctx, request);
  } else {
    reader = stub_->Watch(&ctx, request);
  }
  connected_ = true;
  log::Info("feed consumer watching", {{"consumer", name_},
                                       {"from_sequence", *cursor + 1},
                                       {"peer_last_sequence", peer_last_.load()},
                                       {"batched", batched}});

  // The reader thread only Reads (blocking) and buffers; this thread takes what arrived.
  const bool batch_mode = batch_handler_ != nullptr;
  const size_t max_take =
      batch_mode ? std::max<size_t>(options_.max_batch_events, 1) : kPerEventBuffer;
  const absl::Duration fill_delay = batch_mode ? options_.max_batch_delay : absl::ZeroDuration();
  EventBuffer buffer(batch_mode ? 2 * max_take : kPerEventBuffer);
  std::atomic<uint64_t> received{0};
  std::thread reading([&reader, &batch_reader, &buffer, &received] {
    bool ended = false;
    if (batch_reader) {
      FeedEventBatch batch;
      while (!ended) {
        if (!batch_reader->Read(&batch)) {
          ended = true;
          break;
        }
        received.fetch_add(static_cast<uint64_t>(batch.events_size()));
        bool closed = false;
        for (FeedEvent& e : *batch.mutable_events()) {
          if (!buffer.Push(std::move(e))) {
            closed = true;  // the applier stopped (and cancelled the call)
            break;
          }
        }
        if (closed) break;
      }
      // Drain so that Finish() does not wait for more messages.
      while (!ended && batch_reader->Read(&batch)) {
      }
    } else {
      FeedEvent event;
      while (!ended) {
        if (!reader->Read(&event)) {
          ended = true;
        } else if (received.fetch_add(1), !buffer.Push(std::move(event))) {
          break;  // the applier stopped (and cancelled the call)
        }
      }
      while (!ended && reader->Read(&event)) {
      }
    }
    buffer.Finish();
  });

  // Stall watchdog (FeedConsumerOptions::stall_timeout): cancels a stream that delivers
  // nothing while the peer is ahead of the cursor, so Run() re-opens it from the cursor.
  absl::Notification stream_done;
  std::thread watchdog;
  if (options_.stall_timeout > absl::ZeroDuration()) {
    watchdog = std::thread([this, &ctx, &received, &stream_done] {
      uint64_t seen = received.load();
      absl::Time last_delivery = absl::Now();
      uint64_t peer_at_delivery = peer_last_.load();
      const absl::Duration check = std::max(options_.stall_timeout / 3, absl::Milliseconds(10));
      while (!stream_done.WaitForNotificationWithTimeout(check)) {
        if (received.load() != seen) {
          seen = received.load();
          last_delivery = absl::Now();
          peer_at_delivery = peer_last_.load();
          continue;
        }
        if (absl::Now() - last_delivery < options_.stall_timeout) continue;
        grpc::ClientContext info_ctx;
        info_ctx.set_deadline(Deadline(options_.call_deadline));
        if (options_.add_metadata) options_.add_metadata(&info_ctx);
        FeedInfo info;
        if (!stub_->GetFeedInfo(&info_ctx, GetFeedInfoRequest(), &info).ok()) continue;
        const uint64_t peer = info.last_sequence();
        if (peer > peer_last_.load()) peer_last_ = peer;
        // With a type filter the peer may be ahead with events we do not receive; then only
        // a peer that keeps growing while nothing arrives counts as a stall.
        const bool behind = peer > cursor_.load() &&
                            (options_.types.empty() || peer > peer_at_delivery);
        if (!behind) continue;
        ++stalls_;
        log::Warning("feed stream stalled: cancelling it to resume from the cursor",
                     {{"consumer", name_},
                      {"cursor", cursor_.load()},
                      {"peer_last_sequence", peer},
                      {"silent_ms", absl::ToInt64Milliseconds(absl::Now() - last_delivery)}});
        ctx.TryCancel();
        return;
      }
    });
  }

  std::vector<FeedEvent> taken;
  std::vector<FeedEvent> fresh;
  bool stopped = false;
  while (!stopped && buffer.Take(max_take, fill_delay, &taken)) {
    // Keep events past the cursor, strictly ascending (a peer may re-send applied ones).
    fresh.clear();
    uint64_t last = cursor_.load();
    for (FeedEvent& e : taken) {
      if (e.sequence() <= last) continue;
      last = e.sequence();
      fresh.push_back(std::move(e));
    }
    if (fresh.empty()) continue;
    if (last > peer_last_.load()) peer_last_ = last;
    if (!ApplyEvents(fresh)) {
      stopped = true;
    } else {
      *made_progress = true;
    }
  }
  if (stopped) ctx.TryCancel();
  buffer.Close();
  reading.join();
  stream_done.Notify();
  if (watchdog.joinable()) watchdog.join();
  grpc::Status status = batched ? batch_reader->Finish() : reader->Finish();
  connected_ = false;
  {
    absl::MutexLock l(&mu_);
    active_context_ = nullptr;
  }
  if (batched && status.error_code() == grpc::StatusCode::UNIMPLEMENTED && received.load() == 0) {
    // An older peer without WatchBatches: use Watch from now on (the next stream).
    use_watch_batches_ = false;
    log::Info("feed consumer: peer has no WatchBatches, using Watch", {{"consumer", name_}});
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "peer has no WatchBatches; using Watch");
  }
  return status;
}

bool FeedConsumer::ApplyEvents(const std::vector<FeedEvent>& events) {
  // Stop() cancels the stream; what is still buffered is not applied.
  if (batch_handler_) {
    return !Stopping() && ApplyBatch(events, std::max(1, options_.max_attempts));
  }
  for (const FeedEvent& e : events) {
    if (Stopping() || !Apply(e)) return false;
  }
  return true;
}

bool FeedConsumer::Stopping() {
  absl::MutexLock l(&mu_);
  return stopping_;
}

absl::Status FeedConsumer::DeadLetter(const FeedEvent& event, const absl::Status& error) {
  WriteRequest poisoned;
  poisoned.dead_letters_.push_back(WriteRequest::DeadLetter{
      name_, event.sequence(), error.ToString(), event.SerializeAsString()});
  poisoned.SetCursor(name_, event.sequence());
  absl::Status dl = db_->Commit(std::move(poisoned)).status();
  if (dl.ok()) {
    ++dead_lettered_;
    cursor_ = event.sequence();
    log::Error("feed event dead-lettered",
               {{"consumer", name_}, {"sequence", event.sequence()}, {"error", error.ToString()}});
  } else {
    log::Error("dead letter commit failed", {{"consumer", name_}, {"error", dl.ToString()}});
  }
  return dl;
}

bool FeedConsumer::Apply(const FeedEvent& event) {
  int failures = 0;
  absl::Duration backoff = options_.initial_backoff;
  const int max_attempts = std::max(1, options_.max_attempts);
  while (true) {
    WriteRequest request;
    absl::Status status = handler_(event, request);
    if (status.ok()) {
      request.SetCursor(name_, event.sequence());
      status = db_->Commit(std::move(request)).status();
      if (status.ok()) {
        ++applied_;
        ++batches_committed_;
        cursor_ = event.sequence();
        if (options_.on_committed) options_.on_committed();
        return true;
      }
    }
    if (!IsTransient(status.code())) ++failures;
    log::Warning("feed event failed", {{"consumer", name_},
                                       {"sequence", event.sequence()},
                                       {"error", status.ToString()},
                                       {"failures", failures},
                                       {"transient", IsTransient(status.code())}});
    if (failures >= max_attempts && DeadLetter(event, status).ok()) return true;
    if (!SleepUnlessStopped(Jittered(backoff))) return false;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

bool FeedConsumer::ApplyBatch(const std::vector<FeedEvent>& events, int attempts) {
  int failures = 0;
  absl::Duration backoff = options_.initial_backoff;
  while (true) {
    WriteRequest request;
    absl::Status status = batch_handler_(events, request);
    if (status.ok()) {
      request.SetCursor(name_, events.back().sequence());
      status = db_->Commit(std::move(request)).status();
      if (status.ok()) {
        applied_ += events.size();
        ++batches_committed_;
        cursor_ = events.back().sequence();
        if (options_.on_committed) options_.on_committed();
        return true;
      }
    }
    const bool transient = IsTransient(status.code());
    if (!transient) ++failures;
    log::Warning("feed batch failed", {{"consumer", name_},
                                       {"first_sequence", events.front().sequence()},
                                       {"last_sequence", events.back().sequence()},
                                       {"events", events.size()},
                                       {"error", status.ToString()},
                                       {"failures", failures},
                                       {"transient", transient}});
    if (failures >= attempts) {
      if (events.size() == 1) {
        if (DeadLetter(events.front(), status).ok()) return true;
      } else {
        // Bisect: a part of two or more events gets one attempt before it is split again;
        // a single event gets the full max_attempts before it is dead-lettered.
        const size_t mid = events.size() / 2;
        const std::vector<FeedEvent> head(events.begin(), events.begin() + mid);
        const std::vector<FeedEvent> tail(events.begin() + mid, events.end());
        const int full = std::max(1, options_.max_attempts);
        return ApplyBatch(head, head.size() == 1 ? full : 1) &&
               ApplyBatch(tail, tail.size() == 1 ? full : 1);
      }
    }
    if (!SleepUnlessStopped(Jittered(backoff))) return false;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace gridwork::store
