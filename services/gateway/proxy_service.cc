#include "services/gateway/proxy_service.h"

#include <grpcpp/support/client_callback.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/metrics_interceptor.h"
#include "gridwork/rpc/status_convert.h"
#include "prometheus/counter.h"
#include "services/gateway/byte_buffers.h"
#include "services/gateway/cockpit_stream.h"
#include "services/gateway/csv_export_stream.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/shard_fanout.h"

namespace gridwork::gateway {
namespace {

using grpc::ByteBuffer;

// A call refused before any upstream exists: finishes at once.
class RefusedCall final : public grpc::ServerGenericBidiReactor {
 public:
  explicit RefusedCall(const grpc::Status& s) { Finish(s); }
  void OnDone() override { delete this; }
};

// One proxied call. Two pumps run independently:
//   A (client -> upstream): down.Read -> up.Write -> down.Read ... -> up.WritesDone
//   B (upstream -> client): up.Read -> down.Write -> up.Read ... -> (up read fails)
// then up.OnDone(status) -> down.Finish(status) -> down.OnDone -> delete.
//
// Invariants:
//  1. The upstream reactor holds one hold from StartCall until pump B's read fails, so
//     up.OnDone cannot run while pump B may still issue an upstream op.
//  2. Pump A issues an upstream op only while `a_busy_ > 0` was set under `mu_` and
//     `up_closed_` was false; pump B removes the hold only when no pump-A op is being
//     started (else the last pump-A starter removes it). So no upstream op starts after
//     up.OnDone.
//  3. down.Finish is called exactly once: from up.OnDone (no down write can be pending then,
//     because pump B issues the next up read only after its down write completed).
//  4. No gRPC operation is started while `mu_` is held (callbacks may run inline).
class ProxyCall final : public grpc::ServerGenericBidiReactor {
 public:
  ProxyCall(ProxyService* service, const ProxyDeps& deps, grpc::GenericCallbackServerContext* ctx,
            Admission admission, grpc::GenericStub* stub)
      : service_(service),
        deps_(deps),
        ctx_(ctx),
        admission_(std::move(admission)),
        start_(absl::Now()),
        up_(this) {
    const MethodPolicy& p = *admission_.policy;
    auto cap = std::chrono::system_clock::now() +
               std::chrono::milliseconds(absl::ToInt64Milliseconds(p.max_deadline));
    cctx_.set_deadline(std::min(ctx->deadline(), cap));
    rpc::Principal principal = admission_.caller.principal;
    deps_.principals->Attach(principal, &cctx_);
    stub->PrepareBidiStreamingCall(&cctx_, ctx->method(), grpc::StubOptions(), &up_);
    up_.AddHold();  // after Prepare: the reactor is bound to its call only then
    up_.StartRead(&up_msg_);
    up_.StartCall();
    StartRead(&down_msg_);
  }

  // ---- downstream (client) side ----
  void OnReadDone(bool ok) override {
    if (ok && static_cast<int64_t>(down_msg_.Length()) > admission_.policy->max_request_bytes) {
      {
        absl::MutexLock lock(&mu_);
        override_status_ = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                        "request message larger than this method allows");
      }
      cctx_.TryCancel();
      return;
    }
    if (!BeginUpstreamOp()) return;
    if (ok) {
      up_.StartWrite(&down_msg_);
    } else {
      up_.StartWritesDone();
    }
    EndUpstreamOp();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) cctx_.TryCancel();  // Client went away; end the upstream call too.
    up_.StartRead(&up_msg_);     // Pump B continues (the hold keeps up_ alive).
  }

  void OnCancel() override { cctx_.TryCancel(); }

  void OnDone() override { delete this; }

  // ---- upstream side ----
  void UpReadDone(bool ok) {
    if (ok) {
      StartWrite(&up_msg_);
      return;
    }
    bool release = false;
    {
      absl::MutexLock lock(&mu_);
      up_closed_ = true;
      if (a_busy_ > 0) {
        release_pending_ = true;
      } else {
        release = true;
      }
    }
    if (release) up_.RemoveHold();
  }

  void UpWriteDone(bool ok) {
    if (!ok) return;  // Upstream finished or failed; its status comes with OnDone.
    StartRead(&down_msg_);
  }

  void UpDone(const grpc::Status& upstream_status) {
    grpc::Status s = UniformDenial(upstream_status);
    {
      absl::MutexLock lock(&mu_);
      if (!override_status_.ok()) s = override_status_;
    }
    absl::Duration latency = absl::Now() - start_;
    const Caller& c = admission_.caller;
    LogAccess("grpc", c.principal.subject(), ctx_->method(), c.peer, s.error_code(), latency);
    if (admission_.policy->mutation) {
      absl::Status a =
          deps_.identity->RecordAudit(c, ctx_->method(), rpc::GrpcCodeName(s.error_code()), "");
      if (!a.ok()) log::Warning("audit write failed", {{"error", a.message()}});
    }
    Finish(s);
  }

 private:
  class UpstreamReactor final : public grpc::ClientBidiReactor<ByteBuffer, ByteBuffer> {
   public:
    explicit UpstreamReactor(ProxyCall* call) : call_(call) {}
    void OnReadDone(bool ok) override { call_->UpReadDone(ok); }
    void OnWriteDone(bool ok) override { call_->UpWriteDone(ok); }
    void OnWritesDoneDone(bool) override {}
    void OnDone(const grpc::Status& s) override { call_->UpDone(s); }

   private:
    ProxyCall* call_;
  };

  // Invariant 2: true iff pump A may start one upstream op now.
  bool BeginUpstreamOp() {
    absl::MutexLock lock(&mu_);
    if (up_closed_) return false;
    ++a_busy_;
    return true;
  }
  void EndUpstreamOp() {
    bool release = false;
    {
      absl::MutexLock lock(&mu_);
      --a_busy_;
      if (a_busy_ == 0 && release_pending_) {
        release_pending_ = false;
        release = true;
      }
    }
    if (release) up_.RemoveHold();
  }

  ProxyService* service_;
  ProxyDeps deps_;
  grpc::GenericCallbackServerContext* ctx_;
  Admission admission_;
  absl::Time start_;
  grpc::ClientContext cctx_;
  UpstreamReactor up_;
  ByteBuffer down_msg_;  // pump A's buffer
  ByteBuffer up_msg_;    // pump B's buffer

  absl::Mutex mu_;
  bool up_closed_ ABSL_GUARDED_BY(mu_) = false;
  int a_busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool release_pending_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status override_status_ ABSL_GUARDED_BY(mu_);
};

// One proxied unary call to a sharded service: read the request, decode it, plan its shards
// (shard_fanout.h). A kOne plan is forwarded with one upstream unary call; any other plan
// runs on a thread of its own (RunPlan), whose shard calls OnCancel cancels.
// With a fixed `stub` (an unsharded upstream) the request is forwarded to it as it came, with
// one upstream unary call and no decoding: a unary call proxied by ProxyCall's two pumps costs
// five upstream operations (start, write, writes-done, read, finish) and as many callbacks.
// Order of events: StartRead -> OnReadDone -> (refusal: Finish) or upstream UnaryCall / plan
// thread -> its completion -> StartWriteAndFinish / Finish -> OnDone -> delete. Finish is
// called exactly once, from OnReadDone or from the completion, never both; the plan thread
// touches the reactor last in Complete.
class RoutedUnaryCall final : public grpc::ServerGenericBidiReactor {
 public:
  RoutedUnaryCall(ProxyService* service, const ProxyDeps& deps,
                  grpc::GenericCallbackServerContext* ctx, Admission admission, Upstream upstream,
                  grpc::GenericStub* stub = nullptr)
      : service_(service),
        deps_(deps),
        ctx_(ctx),
        admission_(std::move(admission)),
        upstream_(upstream),
        stub_(stub),
        start_(absl::Now()) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    // Unsharded (stub_): the outcomes ProxyCall gives, which counts no refusal here.
    const bool refusal = stub_ == nullptr;
    if (!ok) {
      Complete(grpc::Status(grpc::StatusCode::CANCELLED, "no request message"), !refusal);
      return;
    }
    const MethodPolicy& p = *admission_.policy;
    if (static_cast<int64_t>(request_.Length()) > p.max_request_bytes) {
      Complete(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            "request message larger than this method allows"),
               !refusal);
      return;
    }
    auto cap = std::chrono::system_clock::now() +
               std::chrono::milliseconds(absl::ToInt64Milliseconds(p.max_deadline));
    if (stub_ != nullptr) {
      cctx_.set_deadline(std::min(ctx_->deadline(), cap));
      deps_.principals->Attach(admission_.caller.principal, &cctx_);
      stub_->UnaryCall(&cctx_, ctx_->method(), grpc::StubOptions(), &request_, &response_,
                       [this](grpc::Status s) { Complete(std::move(s), true); });
      return;
    }
    absl::StatusOr<PlannedCall> plan = Plan();
    if (!plan.ok()) {
      Complete(rpc::ToGrpcStatus(plan.status()), false);
      return;
    }
    const auto deadline = std::min(ctx_->deadline(), cap);
    if (plan->plan != ShardPlan::kOne && plan->plan != ShardPlan::kLookup) {
      if (!TryStartPlan()) {
        Complete(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              "too many calls across shards in flight at this gateway; retry"),
                 false);
        return;
      }
      // Several shards: run the plan on a thread of its own (it blocks on its shard calls,
      // each bounded by `deadline`); Complete is its last use of this reactor.
      FanOutCall call{deps_.router,
                      deps_.principals,
                      upstream_,
                      ctx_->method(),
                      admission_.caller.principal,
                      deadline,
                      decoded_.get(),
                      request_bytes_,
                      &cancel_};
      std::thread([this, call = std::move(call), kind = plan->plan]() mutable {
        std::string response;
        grpc::Status s = RunPlan(call, kind, &response, &shard_);
        EndPlan();
        if (s.ok()) {
          response_ = BufferOf(response);
        }
        Complete(std::move(s), true);
      }).detach();
      return;
    }
    // One shard (kOne), or the first shard of a lookup (kLookup): one asynchronous call.
    shard_ = plan->target.shard;
    cctx_.set_deadline(deadline);
    deps_.principals->Attach(admission_.caller.principal, &cctx_);
    const bool lookup = plan->plan == ShardPlan::kLookup && deps_.router->All(upstream_).size() > 1;
    plan->target.stub->UnaryCall(&cctx_, ctx_->method(), grpc::StubOptions(), &request_, &response_,
                                 [this, lookup, deadline](grpc::Status s) {
                                   if (lookup && s.error_code() == grpc::StatusCode::NOT_FOUND) {
                                     LookElsewhere(std::move(s), deadline);
                                   } else {
                                     Complete(std::move(s), true);
                                   }
                                 });
  }

  void OnCancel() override {
    cctx_.TryCancel();
    cancel_.CancelAll();
  }
  void OnDone() override { delete this; }

 private:
  // The default shard does not have the object: ask the others on a thread of its own
  // (RunLookupRest); Complete is its last use of this reactor.
  void LookElsewhere(grpc::Status first, std::chrono::system_clock::time_point deadline) {
    if (!TryStartPlan()) {
      Complete(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            "too many calls across shards in flight at this gateway; retry"),
               false);
      return;
    }
    FanOutCall call{
        deps_.router, deps_.principals, upstream_,      ctx_->method(), admission_.caller.principal,
        deadline,     decoded_.get(),   request_bytes_, &cancel_};
    std::thread([this, call = std::move(call), first = std::move(first)]() {
      std::string response;
      std::string first_shard = shard_;
      shard_.clear();
      grpc::Status s = RunLookupRest(call, first_shard, first, &response, &shard_);
      EndPlan();
      if (s.ok()) {
        response_ = BufferOf(response);
      }
      Complete(std::move(s), true);
    }).detach();
  }

  std::string RequestBytes() const { return BytesOf(request_); }

  // Decodes the request (into decoded_) and plans its shards (shard_fanout.h).
  absl::StatusOr<PlannedCall> Plan() {
    const google::protobuf::MethodDescriptor* m = FindMethod(ctx_->method());
    if (m == nullptr) {
      PlannedCall plan;
      GW_ASSIGN_OR_RETURN(plan.target,
                          deps_.router->RouteDefault(upstream_, admission_.caller.principal));
      return plan;
    }
    decoded_.reset(google::protobuf::MessageFactory::generated_factory()
                       ->GetPrototype(m->input_type())
                       ->New());
    request_bytes_ = RequestBytes();  // kept: a plan re-sends the request to other shards
    if (!decoded_->ParseFromString(request_bytes_)) {
      return absl::InvalidArgumentError(
          absl::StrCat("request does not parse as ", m->input_type()->full_name()));
    }
    return PlanUnary(*deps_.router, upstream_, ctx_->method(), *decoded_,
                     admission_.caller.principal);
  }

  void Complete(grpc::Status s, bool from_upstream) {
    if (!from_upstream) service_->CountRefusal(static_cast<absl::StatusCode>(s.error_code()));
    const Caller& c = admission_.caller;
    s = EndOfCall(std::move(s), c, ctx_->method(), start_);
    if (admission_.policy->mutation && from_upstream) {
      absl::Status a =
          deps_.identity->RecordAudit(c, ctx_->method(), rpc::GrpcCodeName(s.error_code()),
                                      stub_ != nullptr ? "" : absl::StrCat("shard=", shard_));
      if (!a.ok()) log::Warning("audit write failed", {{"error", a.message()}});
    }
    if (s.ok()) {
      StartWriteAndFinish(&response_, grpc::WriteOptions(), s);
    } else {
      Finish(s);
    }
  }

  ProxyService* service_;
  ProxyDeps deps_;
  grpc::GenericCallbackServerContext* ctx_;
  Admission admission_;
  Upstream upstream_;
  grpc::GenericStub* stub_;  // unsharded upstream, or null: Plan() picks the shard
  absl::Time start_;
  std::string shard_;
  grpc::ClientContext cctx_;
  ByteBuffer request_;
  ByteBuffer response_;
  std::unique_ptr<google::protobuf::Message> decoded_;
  std::string request_bytes_;  // set by Plan
  CancelGroup cancel_;         // the shard calls of a plan other than kOne
};

const char* RefusalReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnauthenticated:
      return "unauthenticated";
    case absl::StatusCode::kPermissionDenied:
      return "denied";
    case absl::StatusCode::kResourceExhausted:
      return "rate_limited";
    default:
      return "other";
  }
}

}  // namespace

void LogAccess(absl::string_view transport, absl::string_view user, absl::string_view method,
               absl::string_view peer, int code, absl::Duration latency) {
  log::Info("access", {{"transport", transport},
                       {"user", user},
                       {"method", method},
                       {"peer", peer},
                       {"code", rpc::GrpcCodeName(code)},
                       {"latency_ms", absl::ToDoubleMilliseconds(latency)}});
}

grpc::Status EndOfCall(grpc::Status s, const Caller& caller, absl::string_view method,
                       absl::Time start) {
  s = UniformDenial(std::move(s));
  LogAccess("grpc", caller.principal.subject(), method, caller.peer, s.error_code(),
            absl::Now() - start);
  return s;
}

ProxyService::ProxyService(ProxyDeps deps, prometheus::Registry* registry)
    : deps_(deps),
      refused_(prometheus::BuildCounter()
                   .Name("gridwork_gateway_refused_total")
                   .Help("Calls the gateway refused before reaching a service, by reason")
                   .Register(*registry)) {}

void ProxyService::CountRefusal(absl::StatusCode code) {
  refused_.Add({{"reason", RefusalReason(code)}}).Increment();
}

grpc::ServerGenericBidiReactor* ProxyService::CreateReactor(
    grpc::GenericCallbackServerContext* ctx) {
  std::string peer = deps_.peers->CallerPeer(*ctx);
  absl::StatusOr<Admission> a = deps_.gate->Admit(ctx->method(), BearerToken(*ctx), peer);
  grpc::Status refusal;
  grpc::GenericStub* stub = nullptr;
  if (!a.ok()) {
    refusal = rpc::ToGrpcStatus(a.status());
  } else {
    Upstream u = a->policy->upstream;
    std::string shard;  // a feed's explicit shard: "location/w1"
    if (u == Upstream::kByHeader) {
      std::string name = MetadataValue(*ctx, kUpstreamHeader);
      if (size_t slash = name.find('/'); slash != std::string::npos) {
        shard = name.substr(slash + 1);
        name.resize(slash);
      }
      if (!ParseUpstream(name, &u)) {
        refusal = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                               "name the feed's service in the x-gridwork-upstream header "
                               "(location, geofence, workorder, inspection, analytics; "
                               "optionally /<shard>)");
      }
    }
    const bool routed = deps_.router != nullptr && deps_.router->Routes(u);
    if (refusal.ok() && !shard.empty() && !routed) {
      refusal = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                             std::string(UpstreamName(u)) + " is not sharded at this gateway");
    }
    if (refusal.ok() && routed && shard.empty() && a->policy->kind == CallKind::kUnary) {
      return new RoutedUnaryCall(this, deps_, ctx, *std::move(a), u);
    }
    if (refusal.ok() && routed && shard.empty() && ctx->method() == kStreamCockpitMethod) {
      return NewShardedCockpitStream(this, deps_, ctx, *std::move(a));
    }
    if (refusal.ok() && routed && shard.empty() && IsCsvExport(ctx->method())) {
      return NewShardedCsvExport(this, deps_, ctx, *std::move(a));
    }
    if (refusal.ok() && routed) {
      absl::StatusOr<ShardRouter::Target> t =
          deps_.router->NamedOrDefault(u, shard, a->caller.principal);
      if (t.ok()) {
        stub = t->stub;
      } else {
        refusal = rpc::ToGrpcStatus(t.status());
      }
    } else if (refusal.ok()) {
      stub = deps_.upstreams->Stub(u);
      if (stub == nullptr) {
        refusal = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                               std::string("upstream not configured: ") + UpstreamName(u));
      }
    }
    if (refusal.ok() && a->policy->kind == CallKind::kUnary) {
      return new RoutedUnaryCall(this, deps_, ctx, *std::move(a), u, stub);
    }
  }
  if (!refusal.ok()) {
    CountRefusal(static_cast<absl::StatusCode>(refusal.error_code()));
    LogAccess("grpc", a.ok() ? a->caller.principal.subject() : "", ctx->method(), peer,
              refusal.error_code(), absl::ZeroDuration());
    return new RefusedCall(refusal);
  }
  return new ProxyCall(this, deps_, ctx, *std::move(a), stub);
}

}  // namespace gridwork::gateway
