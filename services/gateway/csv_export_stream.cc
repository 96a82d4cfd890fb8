#include "services/gateway/csv_export_stream.h"

#include <grpcpp/client_context.h>

#include <chrono>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/analytics/v1/analytics.grpc.pb.h"
#include "gridwork/rpc/status_convert.h"
#include "gridwork/service/time_convert.h"
#include "services/analytics/csv.h"
#include "services/gateway/byte_buffers.h"
#include "services/gateway/shard_fanout.h"

namespace gridwork::gateway {
namespace {

namespace av1 = analytics::v1;
namespace pb = google::protobuf;

constexpr char kQuerySeries[] = "/gridwork.analytics.v1.AnalyticsService/QuerySeries";
constexpr char kListAssessment[] = "/gridwork.analytics.v1.AnalyticsService/ListAssessment";
constexpr size_t kChunk = 64 * 1024;  // analytics' chunk size

// Invariants:
//  1. The worker thread's last use of the reactor is Deliver; before it, only `cancel_`,
//     `request_` (read-only) and the deps are touched.
//  2. Chunks are written one at a time, from Deliver (the first) and OnWriteDone (the rest);
//     Finish is called exactly once, after the last write completed or on a failure.
class ShardedCsvExport final : public grpc::ServerGenericBidiReactor {
 public:
  ShardedCsvExport(ProxyService* service, const ProxyDeps& deps,
                   grpc::GenericCallbackServerContext* ctx, Admission admission)
      : service_(service),
        deps_(deps),
        ctx_(ctx),
        admission_(std::move(admission)),
        start_(absl::Now()),
        series_(ctx->method() == kExportSeriesCsvMethod) {
    if (series_) {
      request_ = std::make_unique<av1::QuerySeriesRequest>();
    } else {
      request_ = std::make_unique<av1::ListAssessmentRequest>();
    }
    StartRead(&request_buf_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Refuse(grpc::Status(grpc::StatusCode::CANCELLED, "no request message"));
      return;
    }
    if (!request_->ParseFromString(BytesOf(request_buf_))) {
      Refuse(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("request does not parse as ", request_->GetDescriptor()->name())));
      return;
    }
    const rpc::Principal& caller = admission_.caller.principal;
    const pb::FieldDescriptor* region = request_->GetDescriptor()->FindFieldByName("region_prefix");
    const bool whole = request_->GetReflection()->GetString(*request_, region).empty() &&
                       caller.region_scope().empty() &&
                       // a grid worker's own row keeps the rank its shard gave it
                       !(caller.role() == common::v1::ROLE_GRID_WORKER && !series_) &&
                       deps_.router->All(Upstream::kAnalytics).size() > 1;
    ShardRouter::Target one;
    if (!whole) {
      absl::StatusOr<ShardRouter::Target> t =
          deps_.router->RouteRequest(Upstream::kAnalytics, *request_, caller);
      if (!t.ok()) {
        Refuse(rpc::ToGrpcStatus(t.status()));
        return;
      }
      one = *t;
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
    std::thread([this, whole, one, deadline] {
      std::vector<std::string> chunks;
      grpc::Status s = whole ? Whole(deadline, &chunks) : FromShard(one, deadline, &chunks);
      Deliver(s, std::move(chunks));  // last use of this (invariant 1)
    }).detach();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Done(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"), true);
      return;
    }
    if (++next_ < chunks_.size()) {
      WriteChunk();
    } else {
      Done(grpc::Status::OK, true);
    }
  }

  void OnCancel() override { cancel_.CancelAll(); }
  void OnDone() override { delete this; }

 private:
  // The export of one shard, as it sends it.
  grpc::Status FromShard(const ShardRouter::Target& target,
                         std::chrono::system_clock::time_point deadline,
                         std::vector<std::string>* chunks) {
    grpc::ClientContext cctx;
    cctx.set_deadline(deadline);
    deps_.principals->Attach(admission_.caller.principal, &cctx);
    if (!cancel_.Add(&cctx)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    }
    auto stub = av1::AnalyticsService::NewStub(target.channel);
    av1::CsvChunk c;
    grpc::Status end;
    if (series_) {
      auto reader =
          stub->ExportSeriesCsv(&cctx, static_cast<const av1::QuerySeriesRequest&>(*request_));
      while (reader->Read(&c)) chunks->push_back(c.SerializeAsString());
      end = reader->Finish();
    } else {
      auto reader = stub->ExportAssessmentCsv(
          &cctx, static_cast<const av1::ListAssessmentRequest&>(*request_));
      while (reader->Read(&c)) chunks->push_back(c.SerializeAsString());
      end = reader->Finish();
    }
    cancel_.Remove(&cctx);
    return end;
  }

  // One merged unary call over every shard (RunPlan kFanOut).
  grpc::Status FanOut(const char* method, const pb::Message& req,
                      std::chrono::system_clock::time_point deadline, std::string* response) {
    FanOutCall call{deps_.router,
                    deps_.principals,
                    Upstream::kAnalytics,
                    method,
                    admission_.caller.principal,
                    deadline,
                    &req,
                    req.SerializeAsString(),
                    &cancel_};
    std::string shards;
    return RunPlan(call, ShardPlan::kFanOut, response, &shards);
  }

  // The city's export from the merged unary answers.
  grpc::Status Whole(std::chrono::system_clock::time_point deadline,
                     std::vector<std::string>* chunks) {
    std::string csv;
    if (series_) {
      const auto& req = static_cast<const av1::QuerySeriesRequest&>(*request_);
      std::string bytes;
      grpc::Status s = FanOut(kQuerySeries, req, deadline, &bytes);
      if (!s.ok()) return s;
      av1::QuerySeriesResponse merged;
      if (!merged.ParseFromString(bytes)) {
        return grpc::Status(grpc::StatusCode::INTERNAL, "merged series do not parse");
      }
      csv = analytics::SeriesCsv(req.metric(), merged);
    } else {
      av1::ListAssessmentRequest req = static_cast<const av1::ListAssessmentRequest&>(*request_);
      req.set_page_size(1000);
      req.clear_page_token();
      std::vector<av1::AssessmentRow> rows;
      do {
        std::string bytes;
        grpc::Status s = FanOut(kListAssessment, req, deadline, &bytes);
        if (!s.ok()) return s;
        av1::ListAssessmentResponse page;
        if (!page.ParseFromString(bytes)) {
          return grpc::Status(grpc::StatusCode::INTERNAL, "merged assessment does not parse");
        }
        rows.insert(rows.end(), page.rows().begin(), page.rows().end());
        req.set_page_token(page.next_page_token());
      } while (!req.page_token().empty());
      csv = analytics::AssessmentCsv(rows);
    }
    for (size_t pos = 0; pos < csv.size(); pos += kChunk) {
      av1::CsvChunk c;
      c.set_data(csv.substr(pos, kChunk));
      chunks->push_back(c.SerializeAsString());
    }
    return grpc::Status::OK;
  }

  void Deliver(const grpc::Status& s, std::vector<std::string> chunks) {
    if (!s.ok() || chunks.empty()) {
      Done(s, true);
      return;
    }
    chunks_ = std::move(chunks);
    next_ = 0;
    WriteChunk();
  }

  void WriteChunk() {
    write_buf_ = BufferOf(chunks_[next_]);
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
  const bool series_;  // else the assessment
  grpc::ByteBuffer request_buf_;
  std::unique_ptr<google::protobuf::Message> request_;  // read-only once the thread starts
  CancelGroup cancel_;
  // Owned by the reactor's write sequence once Deliver ran (invariant 2).
  std::vector<std::string> chunks_;
  size_t next_ = 0;
  grpc::ByteBuffer write_buf_;
};

}  // namespace

bool IsCsvExport(absl::string_view method) {
  return method == kExportSeriesCsvMethod || method == kExportAssessmentCsvMethod;
}

grpc::ServerGenericBidiReactor* NewShardedCsvExport(ProxyService* service, const ProxyDeps& deps,
                                                    grpc::GenericCallbackServerContext* ctx,
                                                    Admission admission) {
  return new ShardedCsvExport(service, deps, ctx, std::move(admission));
}

}  // namespace gridwork::gateway
