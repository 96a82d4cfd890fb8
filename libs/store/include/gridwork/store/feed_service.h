// FeedServiceImpl: serves a Db's event feed as gridwork.common.v1.Feed (DESIGN.md section 3).
//
//   FeedServiceImpl feed(db.get(), AuthorizeFromPrincipal, VisibleInScope);
//   builder.RegisterService(&feed);
//   ...
//   feed.Shutdown();            // first: open Watch calls end within ~poll_interval
//   server->Shutdown();         // then the server (it waits for calls in progress)
//
// Watch sends the retained events from from_sequence in order: catch-up in pages of
// page_size read from the store, then live events as they commit (Db::WaitForEvents with a
// short wait, so cancellation, deadline and Shutdown are noticed within poll_interval).
// WatchBatches sends the same events, each page's visible events in FeedEventBatch
// messages of at most max_batch_events and ~max_batch_bytes: one gRPC message (one write,
// one wake-up on each side) per page instead of per event.
//
// Thread safety: all methods are safe to call concurrently (gRPC calls them from its
// threads). The Db must outlive the service.
#ifndef GRIDWORK_STORE_FEED_SERVICE_H_
#define GRIDWORK_STORE_FEED_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <vector>

#include "absl/time/time.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/store/db.h"

namespace gridwork::store {

class FeedServiceImpl final : public ::gridwork::common::v1::Feed::Service {
 public:
  // Decides whether the caller may read the feed at all; a non-OK status (typically
  // PERMISSION_DENIED / UNAUTHENTICATED) is returned to the caller as is. Null = allow all.
  using AuthorizeFn = std::function<grpc::Status(grpc::ServerContext*)>;
  // Decides per event whether this caller may see it (region scope filtering). Invisible
  // events are skipped, leaving a gap in the sequences the caller sees. Null = all visible.
  using VisibleFn = std::function<bool(grpc::ServerContext*, const FeedEvent&)>;

  struct Options {
    // Events read from the store per page while catching up.
    size_t page_size = 256;
    // Longest wait for new events before re-checking cancellation and Shutdown().
    absl::Duration poll_interval = absl::Milliseconds(100);
    // WatchBatches: a message is closed before it would exceed this many bytes of events
    // (a single larger event still goes alone), well under clients' 4 MiB default limit.
    size_t max_batch_bytes = 1 << 20;
  };

  // REQUIRES: db != nullptr and outlives the service.
  FeedServiceImpl(Db* db, AuthorizeFn authorize = nullptr, VisibleFn visible = nullptr);
  FeedServiceImpl(Db* db, AuthorizeFn authorize, VisibleFn visible, Options options);
  FeedServiceImpl(const FeedServiceImpl&) = delete;
  FeedServiceImpl& operator=(const FeedServiceImpl&) = delete;

  // See feed.proto. Errors: INVALID_ARGUMENT (from_sequence 0), OUT_OF_RANGE (trimmed; the
  // message names the first retained sequence), the authorize hook's status, UNAVAILABLE
  // after Shutdown() or when the store closes, CANCELLED when the client goes away.
  grpc::Status Watch(grpc::ServerContext* context,
                     const ::gridwork::common::v1::WatchRequest* request,
                     grpc::ServerWriter<FeedEvent>* writer) override;
  // See feed.proto: Watch's events in FeedEventBatch messages. Same errors as Watch.
  grpc::Status WatchBatches(
      grpc::ServerContext* context, const ::gridwork::common::v1::WatchRequest* request,
      grpc::ServerWriter<::gridwork::common::v1::FeedEventBatch>* writer) override;
  // See feed.proto. Empty feed: both 0.
  grpc::Status GetFeedInfo(grpc::ServerContext* context,
                           const ::gridwork::common::v1::GetFeedInfoRequest* request,
                           ::gridwork::common::v1::FeedInfo* response) override;

  // Makes open and future Watch calls end with UNAVAILABLE within ~poll_interval. Call before
  // grpc::Server::Shutdown(), which otherwise waits for the streams forever. Idempotent.
  void Shutdown();
  // Number of Watch and WatchBatches calls currently streaming.
  int active_watches() const { return active_watches_.load(); }

 private:
  // Sends the visible events of one page (non-empty, ascending; may be moved from);
  // false if the client went away.
  using SendFn = std::function<bool(std::vector<FeedEvent>& events)>;
  // The loop of Watch and WatchBatches: authorizes, reads pages from from_sequence, filters
  // them by type and visibility and hands each page's visible events to `send`.
  grpc::Status Serve(grpc::ServerContext* context,
                     const ::gridwork::common::v1::WatchRequest* request, const SendFn& send);

  Db* const db_;
  const AuthorizeFn authorize_;
  const VisibleFn visible_;
  const Options options_;
  std::atomic<bool> shutdown_{false};
  std::atomic<int> active_watches_{0};
};

// True if `event`'s payload type is selected by `types` (empty = all). An entry matches the
// full type name ("gridwork.geofence.v1.FenceEvent") or the whole type_url.
bool EventTypeSelected(const FeedEvent& event,
                       const google::protobuf::RepeatedPtrField<std::string>& types);

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_FEED_SERVICE_H_
