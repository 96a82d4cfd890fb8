#include "services/gateway/cockpit_stream.h"

#include <grpcpp/client_context.h>

#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/analytics/v1/analytics.grpc.pb.h"
#include "gridwork/core/log.h"
#include "gridwork/rpc/status_convert.h"
#include "services/gateway/byte_buffers.h"
#include "services/gateway/shard_fanout.h"
#include "services/gateway/shard_merge.h"

namespace gridwork::gateway {
namespace {

namespace av1 = analytics::v1;

// Invariants (see the header for the behaviour):
//  1. One downstream write in flight at a time (`writing_`); the thread that sets it owns
//     `write_buf_` until OnWriteDone.
//  2. Finish is called exactly once (`finished_`), only when every reader thread has ended
//     (`running_ == 0`) and no write is in flight, so no thread uses the reactor after it.
//  3. A reader thread's last use of the reactor is ShardEnded; everything ShardEnded does
//     besides Finish happens under `mu_`.
class ShardedCockpitStream final : public grpc::ServerGenericBidiReactor {
 public:
  ShardedCockpitStream(ProxyService* service, const ProxyDeps& deps,
                       grpc::GenericCallbackServerContext* ctx, Admission admission)
      : service_(service),
        deps_(deps),
        ctx_(ctx),
        admission_(std::move(admission)),
        start_(absl::Now()) {
    StartRead(&request_buf_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Refuse(grpc::Status(grpc::StatusCode::CANCELLED, "no request message"));
      return;
    }
    if (!request_.ParseFromString(BytesOf(request_buf_))) {
      Refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "request does not parse as StreamCockpitRequest"));
      return;
    }
    const rpc::Principal& caller = admission_.caller.principal;
    std::vector<ShardRouter::Target> targets;
    if (request_.region_prefix().empty() && caller.region_scope().empty()) {
      targets = deps_.router->All(Upstream::kAnalytics);
    } else {
      absl::StatusOr<ShardRouter::Target> t =
          deps_.router->RouteRequest(Upstream::kAnalytics, request_, caller);
      if (!t.ok()) {
        Refuse(rpc::ToGrpcStatus(t.status()));
        return;
      }
      targets.push_back(*t);
    }
    if (!TryStartPlan()) {
      Refuse(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "too many calls across shards in flight at this gateway; retry"));
      return;
    }
    const auto cap =
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(absl::ToInt64Milliseconds(admission_.policy->max_deadline));
    const auto deadline = std::min(ctx_->deadline(), cap);
    {
      absl::MutexLock lock(&mu_);
      latest_.resize(targets.size());
      have_.assign(targets.size(), false);
      running_ = static_cast<int>(targets.size());
    }
    for (size_t i = 0; i < targets.size(); ++i) {
      std::thread([this, i, t = targets[i], deadline] { ReadShard(i, t, deadline); }).detach();
    }
  }

  void OnWriteDone(bool ok) override {
    if (!ok) cancel_.CancelAll();  // the client went away: end every shard stream
    std::string next;
    bool write = false, finish = false;
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (ok && has_pending_ && !ending_) {
        writing_ = true;
        write = true;
        next = std::move(pending_);
        has_pending_ = false;
      } else if (ending_ && running_ == 0 && !finished_) {
        finished_ = true;
        finish = true;
        status = final_;
      }
    }
    if (write) {
      Write(std::move(next));
    } else if (finish) {
      Done(status, true);
    }
  }

  void OnCancel() override { cancel_.CancelAll(); }
  void OnDone() override { delete this; }

 private:
  void ReadShard(size_t i, ShardRouter::Target target,
                 std::chrono::system_clock::time_point deadline) {
    grpc::ClientContext cctx;
    cctx.set_deadline(deadline);
    deps_.principals->Attach(admission_.caller.principal, &cctx);
    grpc::Status end(grpc::StatusCode::CANCELLED, "the client went away");
    if (cancel_.Add(&cctx)) {
      auto stub = av1::AnalyticsService::NewStub(target.channel);
      std::unique_ptr<grpc::ClientReader<av1::Cockpit>> reader =
          stub->StreamCockpit(&cctx, request_);
      av1::Cockpit c;
      while (reader->Read(&c)) Update(i, std::move(c));
      end = reader->Finish();
      cancel_.Remove(&cctx);
    }
    ShardEnded(target.shard, end);  // last use of this
  }

  void Update(size_t i, av1::Cockpit c) {
    std::string bytes;
    {
      absl::MutexLock lock(&mu_);
      if (ending_) return;
      latest_[i] = std::move(c);
      have_[i] = true;
      for (bool h : have_) {
        if (!h) return;  // the first merge waits for every shard
      }
      pending_ =
          (latest_.size() == 1 ? latest_.front() : MergeCockpit(latest_)).SerializeAsString();
      has_pending_ = true;
      if (writing_) return;  // OnWriteDone writes the latest
      writing_ = true;
      bytes = std::move(pending_);
      has_pending_ = false;
    }
    Write(std::move(bytes));
  }

  void ShardEnded(const std::string& shard, const grpc::Status& s) {
    bool finish = false;
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      if (!ending_) {
        ending_ = true;
        if (latest_.size() == 1 || s.ok()) {
          final_ = s;
        } else {
          final_ = FanOutStatus("analytics", {ShardAnswer{shard, s, ""}});
        }
        cancel_.CancelAll();  // under mu_ (invariant 3); TryCancel never calls back into us
      }
      --running_;
      if (running_ == 0 && !writing_ && !finished_) {
        finished_ = true;
        finish = true;
        status = final_;
      }
    }
    if (finish) Done(status, true);
  }

  void Write(std::string bytes) {
    write_buf_ = BufferOf(bytes);
    StartWrite(&write_buf_);
  }

  void Refuse(const grpc::Status& s) {
    service_->CountRefusal(static_cast<absl::StatusCode>(s.error_code()));
    Done(s, false);
  }

  void Done(grpc::Status s, bool started) {
    if (started) EndPlan();
    Finish(EndOfCall(std::move(s), admission_.caller, ctx_->method(), start_));
  }

  ProxyService* service_;
  ProxyDeps deps_;
  grpc::GenericCallbackServerContext* ctx_;
  Admission admission_;
  absl::Time start_;
  grpc::ByteBuffer request_buf_;
  av1::StreamCockpitRequest request_;  // read-only once the reader threads start
  grpc::ByteBuffer write_buf_;         // invariant 1
  CancelGroup cancel_;

  absl::Mutex mu_;
  std::vector<av1::Cockpit> latest_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> have_ ABSL_GUARDED_BY(mu_);
  std::string pending_ ABSL_GUARDED_BY(mu_);
  bool has_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool ending_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::Status final_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

grpc::ServerGenericBidiReactor* NewShardedCockpitStream(ProxyService* service,
                                                        const ProxyDeps& deps,
                                                        grpc::GenericCallbackServerContext* ctx,
                                                        Admission admission) {
  return new ShardedCockpitStream(service, deps, ctx, std::move(admission));
}

}  // namespace gridwork::gateway
