#include "tools/gridsim/load_runner.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "demo_geography/random.h"
#include "gridwork/rpc/client.h"
#include "gridwork/service/time_convert.h"
#include "tools/gridsim/gateway_session.h"
#include "tools/gridsim/route.h"

namespace gridwork::gridsim {
namespace {

const char* CodeName(grpc::StatusCode c) {
  switch (c) {
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    default:
      return "OTHER";
  }
}

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(std::min<double>(v.size() - 1, std::floor(q * v.size())));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

}  // namespace

namespace {

// What one sender counts; written by the sender and by gRPC's callback threads (under mu).
struct SenderStats {
  absl::Mutex mu;
  absl::CondVar answered;  // signalled when a call of this sender completes
  int in_flight ABSL_GUARDED_BY(mu) = 0;
  int64_t acked ABSL_GUARDED_BY(mu) = 0;
  int64_t rejected ABSL_GUARDED_BY(mu) = 0;
  std::vector<double> latencies ABSL_GUARDED_BY(mu);
  std::map<std::string, int64_t> errors ABSL_GUARDED_BY(mu);
};

// One IngestFixes call in flight: owns what gRPC reads and writes until the callback.
struct Call {
  std::unique_ptr<grpc::ClientContext> ctx;
  location::v1::FixBatch batch;
  location::v1::BatchAck ack;
  absl::Time started;
};

}  // namespace

absl::StatusOr<LoadResult> RunLoad(const LoadOptions& o, const std::atomic<bool>& stop) {
  auto session = LoginGateway(o.gateway, o.username, o.password, o.call_timeout);
  if (!session.ok()) return session.status();
  GatewaySession& s = **session;

  std::mutex mu;
  LoadResult r;
  std::vector<double> latencies, lags;
  const absl::Time start = absl::Now();
  const absl::Time end = start + o.duration;
  int threads = std::max(1, std::min(o.threads, o.workers));
  const int in_flight_cap = std::max(1, o.max_in_flight / threads);
  const int k = std::max(1, o.fixes_per_call);
  const absl::Duration period = o.interval * k;  // between two calls of a worker
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      // Each worker walks from a point in 金水区 in a random direction at 1.3 m/s, turning
      // now and then; first fixes are spread over one interval.
      struct W {
        int id;
        geo::Point p;
        double heading;
        absl::Time due;
      };
      // Min-heap on the due time: with 100,000 workers a sender owns thousands.
      auto later = [](const W& a, const W& b) { return a.due > b.due; };
      std::priority_queue<W, std::vector<W>, decltype(later)> mine(later);
      demo_geography::Rng rng(o.seed * 1000 + t);
      for (int i = t; i < o.workers; i += threads) {
        geo::Point p(113.64 + 0.06 * rng.Uniform(), 34.76 + 0.05 * rng.Uniform());
        mine.push({i, p, rng.Uniform() * 2 * M_PI, start + period * rng.Uniform()});
      }
      SenderStats stats;
      std::vector<double> local_lag;
      int64_t sent = 0, calls = 0, skipped = 0;
      while (!stop.load() && !mine.empty()) {
        W next = mine.top();
        // A sender that fell behind owes old slots to many workers; the phase still ends on
        // time.
        if (next.due >= end || absl::Now() >= end) break;
        mine.pop();
        while (!stop.load() && absl::Now() < next.due) {
          absl::SleepFor(std::min(absl::Milliseconds(50), next.due - absl::Now()));
        }
        if (stop.load()) break;
        {
          absl::MutexLock l(&stats.mu);
          while (stats.in_flight >= in_flight_cap) {
            stats.answered.WaitWithTimeout(&stats.mu, absl::Milliseconds(100));
          }
          ++stats.in_flight;
        }
        local_lag.push_back(absl::ToDoubleMilliseconds(absl::Now() - next.due));
        double step = 1.3 * absl::ToDoubleSeconds(o.interval);
        auto call = std::make_unique<Call>();
        location::v1::FixBatch& batch = call->batch;
        batch.set_worker_id(absl::StrCat(o.worker_prefix, next.id));
        batch.set_device_id(absl::StrCat(o.worker_prefix, "dev-", next.id));
        absl::Time now = absl::Now();
        for (int j = 0; j < k; ++j) {
          if (rng.Uniform() < 0.1) next.heading += (rng.Uniform() - 0.5) * M_PI;
          next.p = Offset(next.p, step * std::sin(next.heading), step * std::cos(next.heading));
          auto* f = batch.add_fixes();
          f->set_sequence(static_cast<uint64_t>(absl::ToUnixMicros(now)) + j);
          *f->mutable_device_time() = service::ToProto(now - o.interval * (k - 1 - j));
          f->mutable_position()->set_lat(next.p.y());
          f->mutable_position()->set_lng(next.p.x());
          f->set_accuracy_m(8);
          f->set_speed_mps(1.3);
          f->set_heading_deg(-1);
          f->set_battery_pct(-1);
        }
        call->ctx = s.Context(o.call_timeout);
        call->started = absl::Now();
        Call* raw = call.release();  // owned by the callback from here
        s.location().async()->IngestFixes(
            raw->ctx.get(), &raw->batch, &raw->ack, [raw, &stats](grpc::Status st) {
              std::unique_ptr<Call> done(raw);
              const double ms = absl::ToDoubleMilliseconds(absl::Now() - done->started);
              absl::MutexLock l(&stats.mu);
              if (st.ok()) {
                stats.acked += done->ack.accepted() + done->ack.duplicates();
                stats.rejected += done->ack.rejections_size();
                for (const auto& rej : done->ack.rejections()) {
                  ++stats.errors["rejected:" + location::v1::RejectReason_Name(rej.reason())];
                }
                stats.latencies.push_back(ms);
              } else {
                ++stats.errors[CodeName(st.error_code())];
              }
              // The call's context holds a reference to the channel. Release it while the
              // sender still waits for this call (its session, and so the channel, is then
              // alive): the last reference to a channel must never go on this gRPC callback
              // thread. gRPC 1.51 would tear down its callback queue from one of that queue's
              // own threads, fail to join itself and free the queue under it (a heap
              // corruption that crashed stack_load_bench; grpc/grpc#32584).
              done.reset();
              --stats.in_flight;
              stats.answered.Signal();
            });
        sent += k;
        ++calls;
        next.due += period;
        // A sender that fell behind skips missed slots rather than bursting.
        const absl::Time now_after = absl::Now();
        if (next.due < now_after - period) {
          skipped += k * static_cast<int64_t>((now_after - next.due) / period);
          next.due = now_after;
        }
        mine.push(next);
      }
      // Every call ends by its deadline; `stats` must outlive their callbacks, and the session
      // (the channel) every call's context.
      absl::MutexLock sl(&stats.mu);
      while (stats.in_flight > 0)
        stats.answered.WaitWithTimeout(&stats.mu, absl::Milliseconds(100));
      std::lock_guard<std::mutex> lock(mu);
      r.sent += sent;
      r.calls += calls;
      r.acked += stats.acked;
      r.rejected += stats.rejected;
      r.skipped += skipped;
      lags.insert(lags.end(), local_lag.begin(), local_lag.end());
      for (const auto& [k, v] : stats.errors) r.errors[k] += v;
      latencies.insert(latencies.end(), stats.latencies.begin(), stats.latencies.end());
    });
  }
  for (auto& th : pool) th.join();
  r.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  r.fixes_per_second = r.seconds > 0 ? r.acked / r.seconds : 0;
  r.ack_p50_ms = Percentile(latencies, 0.50);
  r.ack_p99_ms = Percentile(latencies, 0.99);
  r.ack_max_ms = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  r.offered_per_second = o.workers / absl::ToDoubleSeconds(o.interval);
  r.send_lag_p50_ms = Percentile(lags, 0.50);
  r.send_lag_p99_ms = Percentile(lags, 0.99);
  return r;
}

std::string FormatLoadResult(const LoadResult& r, const LoadOptions& o) {
  std::string errors;
  for (const auto& [k, v] : r.errors) absl::StrAppend(&errors, " ", k, "=", v);
  return absl::StrFormat(
      "gridsim load: %d workers, 1 fix / %s each, %.1f s: sent %d acked %d rejected %d, "
      "%.1f fixes/s (offered %.1f), ack p50 %.1f ms p99 %.1f ms max %.1f ms, send lag p99 %.1f "
      "ms, skipped %d, errors%s",
      o.workers, absl::FormatDuration(o.interval), r.seconds, r.sent, r.acked, r.rejected,
      r.fixes_per_second, r.offered_per_second, r.ack_p50_ms, r.ack_p99_ms, r.ack_max_ms,
      r.send_lag_p99_ms, r.skipped, errors.empty() ? " 0" : errors);
}

std::string LoadResultJson(const LoadResult& r, const LoadOptions& o) {
  int64_t errors = 0;
  for (const auto& [k, v] : r.errors) errors += k.rfind("rejected:", 0) == 0 ? 0 : v;
  return absl::StrFormat(
      R"({"name":"gridsim_load","workers":%d,"interval_s":%g,"fixes_per_call":%d,)"
      R"("calls":%d,"seconds":%.3f,"sent":%d,)"
      R"("acked":%d,"rejected":%d,"errors":%d,"fixes_per_second":%.2f,"ack_p50_ms":%.3f,)"
      R"("ack_p99_ms":%.3f,"ack_max_ms":%.3f,"offered_per_second":%.2f,"skipped":%d,)"
      R"("send_lag_p99_ms":%.3f,"units":{"fixes_per_second":"1/s","offered_per_second":"1/s",)"
      R"("ack_p50_ms":"ms","ack_p99_ms":"ms","ack_max_ms":"ms","send_lag_p99_ms":"ms",)"
      R"("seconds":"s"}})",
      o.workers, absl::ToDoubleSeconds(o.interval), o.fixes_per_call, r.calls, r.seconds, r.sent,
      r.acked, r.rejected, errors, r.fixes_per_second, r.ack_p50_ms, r.ack_p99_ms, r.ack_max_ms,
      r.offered_per_second, r.skipped, r.send_lag_p99_ms);
}

}  // namespace gridwork::gridsim
