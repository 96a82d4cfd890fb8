#include "gridwork/store/feed_service.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gridwork/core/log.h"

namespace gridwork::store {
namespace {

// absl and gRPC status codes share numbers (BUILD-NOTES.md).
grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  // A closed store means this server is going away; the client should retry elsewhere/later.
  if (s.code() == absl::StatusCode::kFailedPrecondition) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(s.message()));
  }
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

// RAII count of streaming Watch calls.
class ActiveCount {
 public:
  explicit ActiveCount(std::atomic<int>* n) : n_(n) { ++*n_; }
  ~ActiveCount() { --*n_; }
  ActiveCount(const ActiveCount&) = delete;
  ActiveCount& operator=(const ActiveCount&) = delete;

 private:
  std::atomic<int>* n_;
};

}  // namespace

bool EventTypeSelected(const FeedEvent& event,
                       const google::protobuf::RepeatedPtrField<std::string>& types) {
  if (types.empty()) return true;
  const std::string& url = event.payload().type_url();
  const size_t slash = url.rfind('/');
  absl::string_view name = slash == std::string::npos ? absl::string_view(url)
                                                      : absl::string_view(url).substr(slash + 1);
  for (const std::string& t : types) {
    if (t == name || t == url) return true;
  }
  return false;
}

FeedServiceImpl::FeedServiceImpl(Db* db, AuthorizeFn authorize, VisibleFn visible)
    : FeedServiceImpl(db, std::move(authorize), std::move(visible), Options()) {}

FeedServiceImpl::FeedServiceImpl(Db* db, AuthorizeFn authorize, VisibleFn visible, Options options)
    : db_(db), authorize_(std::move(authorize)), visible_(std::move(visible)), options_(options) {}

void FeedServiceImpl::Shutdown() {
  if (!shutdown_.exchange(true)) log::Info("feed service shutting down");
}

grpc::Status FeedServiceImpl::Serve(grpc::ServerContext* context,
                                    const ::gridwork::common::v1::WatchRequest* request,
                                    const SendFn& send) {
  if (authorize_) {
    grpc::Status auth = authorize_(context);
    if (!auth.ok()) return auth;
  }
  if (request->from_sequence() == 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "from_sequence must be >= 1 (sequences start at 1)");
  }
  ActiveCount active(&active_watches_);
  uint64_t next = request->from_sequence();
  const size_t page = options_.page_size > 0 ? options_.page_size : 1;
  std::vector<FeedEvent> visible;
  while (true) {
    if (shutdown_.load()) {
      return grpc::Status(
          grpc::StatusCode::UNAVAILABLE,
          absl::StrCat("feed service is shutting down; resume from sequence ", next));
    }
    if (context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "watch cancelled");
    }
    absl::StatusOr<std::vector<FeedEvent>> events = db_->ReadEvents(next, page);
    if (!events.ok()) return ToGrpc(events.status());
    if (events->empty()) {
      db_->WaitForEvents(next - 1, absl::Now() + options_.poll_interval);
      continue;
    }
    visible.clear();
    for (FeedEvent& event : *events) {
      next = event.sequence() + 1;
      if (!EventTypeSelected(event, request->types())) continue;
      if (visible_ && !visible_(context, event)) continue;
      visible.push_back(std::move(event));
    }
    if (!visible.empty() && !send(visible)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
    }
  }
}

grpc::Status FeedServiceImpl::Watch(grpc::ServerContext* context,
                                    const ::gridwork::common::v1::WatchRequest* request,
                                    grpc::ServerWriter<FeedEvent>* writer) {
  return Serve(context, request, [writer](std::vector<FeedEvent>& events) {
    for (const FeedEvent& e : events) {
      if (!writer->Write(e)) return false;
    }
    return true;
  });
}

grpc::Status FeedServiceImpl::WatchBatches(
    grpc::ServerContext* context, const ::gridwork::common::v1::WatchRequest* request,
    grpc::ServerWriter<::gridwork::common::v1::FeedEventBatch>* writer) {
  const size_t page = options_.page_size > 0 ? options_.page_size : 1;
  const size_t max_events =
      request->max_batch_events() == 0 ? page : std::min<size_t>(request->max_batch_events(), page);
  const size_t max_bytes = options_.max_batch_bytes;
  ::gridwork::common::v1::FeedEventBatch batch;
  return Serve(context, request, [&](std::vector<FeedEvent>& events) {
    size_t bytes = 0;
    for (FeedEvent& e : events) {
      const size_t size = e.ByteSizeLong();
      if (batch.events_size() > 0 &&
          (static_cast<size_t>(batch.events_size()) >= max_events || bytes + size > max_bytes)) {
        if (!writer->Write(batch)) return false;
        batch.clear_events();
        bytes = 0;
      }
      *batch.add_events() = std::move(e);
      bytes += size;
    }
    const bool ok = writer->Write(batch);
    batch.clear_events();
    return ok;
  });
}

grpc::Status FeedServiceImpl::GetFeedInfo(grpc::ServerContext* context,
                                          const ::gridwork::common::v1::GetFeedInfoRequest* request,
                                          ::gridwork::common::v1::FeedInfo* response) {
  if (authorize_) {
    grpc::Status auth = authorize_(context);
    if (!auth.ok()) return auth;
  }
  const uint64_t last = db_->LastSequence();
  response->set_last_sequence(last);
  response->set_first_sequence(last == 0 ? 0 : db_->FirstRetainedSequence());
  return grpc::Status::OK;
}

}  // namespace gridwork::store
