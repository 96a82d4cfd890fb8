// UnaryWorkPool: a fixed set of threads that run the blocking bodies of callback-API unary
// methods, behind a bounded queue.
//
// gRPC's synchronous server gives every call in progress its own thread and creates threads
// without bound: under a burst of thousands of concurrent calls that each wait on a group
// commit, a service spends its CPU creating, scheduling and destroying threads. A method on
// the callback API whose body runs here keeps the thread count fixed; calls beyond the queue
// limit are refused at once with RESOURCE_EXHAUSTED (the caller backs off) instead of piling
// up.
//
//   rpc::UnaryWorkPool pool("location ingest", 64, 16384);
//   grpc::ServerUnaryReactor* IngestFixes(grpc::CallbackServerContext* ctx,
//                                         const FixBatch* req, BatchAck* resp) override {
//     return rpc::HandleUnaryOnPool(&pool_, *codec_, ctx, req, resp,
//                                   [=](const Principal& p) { return core_->Ingest(p, *req); });
//   }
//
// Shutdown order: shut the gRPC server down first (it waits for calls in progress, which need
// the pool), then Stop() the pool.
#ifndef GRIDWORK_RPC_UNARY_WORK_POOL_H_
#define GRIDWORK_RPC_UNARY_WORK_POOL_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gridwork/rpc/handler.h"
#include "gridwork/rpc/principal.h"

namespace gridwork::rpc {

class UnaryWorkPool {
 public:
  // Starts `threads` workers; at most `max_queued` pieces of work wait for one (both at
  // least 1, smaller values count as 1).
  UnaryWorkPool(std::string name, int threads, int max_queued);
  // Stop().
  ~UnaryWorkPool();
  UnaryWorkPool(const UnaryWorkPool&) = delete;
  UnaryWorkPool& operator=(const UnaryWorkPool&) = delete;

  // Queues `work` for a worker. False, and `work` is dropped, if max_queued pieces are
  // already waiting or the pool is stopping.
  bool TrySubmit(std::function<void()> work);
  // Runs what is queued, then joins the workers; TrySubmit refuses from the first call on.
  // Idempotent.
  void Stop();

  const std::string& name() const { return name_; }
  size_t max_queued() const { return max_queued_; }
  // Pieces of work waiting for a worker (not those running).
  size_t queued() const;

 private:
  void WorkerLoop();

  const std::string name_;
  const size_t max_queued_;
  mutable absl::Mutex mu_;
  absl::CondVar work_cv_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

// Runs HandleUnary for a callback-API unary call on `pool` and finishes the call with its
// status. RESOURCE_EXHAUSTED if the pool's queue is full; DEADLINE_EXCEEDED (nothing done) if
// the caller's deadline passed while the call waited, CANCELLED if the caller gave up.
// `request`, `response` and `ctx` are gRPC's and live until Finish; `fn` is copied.
template <typename Request, typename Response, typename Fn>
grpc::ServerUnaryReactor* HandleUnaryOnPool(UnaryWorkPool* pool, const PrincipalCodec& codec,
                                            grpc::CallbackServerContext* ctx,
                                            const Request* request, Response* response, Fn fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const bool queued = pool->TrySubmit([pool, &codec, ctx, request, response, reactor, fn]() {
    if (ctx->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the caller cancelled the call"));
      return;
    }
    if (CallerDeadline(*ctx) <= absl::Now()) {
      reactor->Finish(grpc::Status(
          grpc::StatusCode::DEADLINE_EXCEEDED,
          absl::StrCat("the caller's deadline passed while the call waited for ", pool->name())));
      return;
    }
    reactor->Finish(HandleUnary(codec, ctx, *request, response, fn));
  });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 absl::StrCat(pool->name(), " is overloaded (", pool->max_queued(),
                                              " calls already waiting); retry with backoff")));
  }
  return reactor;
}

}  // namespace gridwork::rpc

#endif  // GRIDWORK_RPC_UNARY_WORK_POOL_H_
