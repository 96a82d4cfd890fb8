#include "bench/stack_bench_probes.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::bench {
namespace {

constexpr char kUpstreamHeader[] = "x-gridwork-upstream";
constexpr char kFenceEventType[] = "gridwork.geofence.v1.FenceEvent";

double Quantile(std::vector<double>& v, double q) {
  size_t k = static_cast<size_t>(std::min<double>(v.size() - 1, std::floor(q * v.size())));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

}  // namespace

Latencies Summarise(std::vector<double> ms) {
  Latencies l;
  l.count = static_cast<int64_t>(ms.size());
  if (ms.empty()) return l;
  l.max_ms = *std::max_element(ms.begin(), ms.end());
  l.p50_ms = Quantile(ms, 0.50);
  l.p99_ms = Quantile(ms, 0.99);
  return l;
}

// ---- FenceWatcher ----------------------------------------------------------------------------

FenceWatcher::FenceWatcher(sdk::Session* session, std::string device_prefix)
    : session_(session), prefix_(std::move(device_prefix)) {}

FenceWatcher::~FenceWatcher() { Stop(); }

absl::Status FenceWatcher::Start(absl::Duration max_duration) {
  auto feed = common::v1::Feed::NewStub(session_->channel());
  auto ctx = session_->Context(absl::Seconds(10));
  ctx->AddMetadata(kUpstreamHeader, "geofence");
  common::v1::FeedInfo info;
  grpc::Status s = feed->GetFeedInfo(ctx.get(), common::v1::GetFeedInfoRequest(), &info);
  if (!s.ok()) return absl::UnavailableError("GetFeedInfo(geofence): " + s.error_message());
  const absl::Time deadline = absl::Now() + max_duration;
  thread_ = std::thread([this, from = info.last_sequence() + 1, deadline] { Run(from, deadline); });
  return absl::OkStatus();
}

void FenceWatcher::Run(uint64_t from, absl::Time deadline) {
  auto feed = common::v1::Feed::NewStub(session_->channel());
  while (!stop_.load() && absl::Now() < deadline) {
    grpc::ClientContext* ctx;
    {
      absl::MutexLock lock(&mu_);
      ctx_ = session_->Context(deadline - absl::Now());
      ctx_->AddMetadata(kUpstreamHeader, "geofence");
      ctx = ctx_.get();
    }
    common::v1::WatchRequest req;
    req.set_from_sequence(from);
    req.add_types(kFenceEventType);
    auto reader = feed->WatchBatches(ctx, req);
    common::v1::FeedEventBatch batch;
    while (reader->Read(&batch)) {
      const int64_t now_us = absl::ToUnixMicros(absl::Now());
      absl::MutexLock lock(&mu_);
      for (const auto& e : batch.events()) {
        from = e.sequence() + 1;
        geofence::v1::FenceEvent fe;
        if (!e.payload().UnpackTo(&fe)) continue;
        ++figures_.events;
        ++figures_.by_kind[geofence::v1::FenceEventKind_Name(fe.kind())];
        if (absl::StartsWith(fe.device_id(), prefix_) && fe.fix_sequence() > 0) {
          ms_.push_back((now_us - static_cast<int64_t>(fe.fix_sequence())) / 1000.0);
        }
      }
    }
    grpc::Status s = reader->Finish();
    if (stop_.load()) break;
    if (!s.ok() && s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      absl::MutexLock lock(&mu_);
      ++figures_.stream_errors;
    }
    absl::SleepFor(absl::Milliseconds(100));  // then resume from the next sequence
  }
}

void FenceWatcher::Stop() {
  stop_.store(true);
  {
    absl::MutexLock lock(&mu_);
    if (ctx_ != nullptr) ctx_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

FenceWatcher::Figures FenceWatcher::Take() {
  absl::MutexLock lock(&mu_);
  Figures f = figures_;
  f.latency = Summarise(std::move(ms_));
  ms_.clear();
  figures_ = Figures();
  return f;
}

// ---- CockpitReaders --------------------------------------------------------------------------

CockpitReaders::CockpitReaders(sdk::Session* session, std::string region, int streams,
                               absl::Duration get_period)
    : session_(session), region_(std::move(region)), streams_(streams), get_period_(get_period) {}

CockpitReaders::~CockpitReaders() { Stop(); }

void CockpitReaders::Start(absl::Duration max_duration) {
  const absl::Time deadline = absl::Now() + max_duration;
  for (int i = 0; i < streams_; ++i) {
    threads_.emplace_back([this, deadline] {
      while (!stop_.load() && absl::Now() < deadline) {
        grpc::ClientContext* ctx;
        {
          absl::MutexLock lock(&mu_);
          stream_ctx_.push_back(session_->Context(deadline - absl::Now()));
          ctx = stream_ctx_.back().get();
        }
        analytics::v1::StreamCockpitRequest req;
        req.set_region_prefix(region_);
        auto reader = session_->analytics().StreamCockpit(ctx, req);
        analytics::v1::Cockpit c;
        while (reader->Read(&c)) {
          absl::MutexLock lock(&mu_);
          ++figures_.stream_updates;
        }
        grpc::Status s = reader->Finish();
        if (stop_.load()) break;
        if (!s.ok() && s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
          absl::MutexLock lock(&mu_);
          ++figures_.stream_errors;
        }
        absl::SleepFor(absl::Milliseconds(200));
      }
    });
  }
  threads_.emplace_back([this, deadline] {
    while (!stop_.load() && absl::Now() < deadline) {
      analytics::v1::GetCockpitRequest req;
      req.set_region_prefix(region_);
      analytics::v1::Cockpit c;
      auto ctx = session_->Context(absl::Seconds(10));
      const absl::Time t0 = absl::Now();
      grpc::Status s = session_->analytics().GetCockpit(ctx.get(), req, &c);
      const double ms = absl::ToDoubleMilliseconds(absl::Now() - t0);
      {
        absl::MutexLock lock(&mu_);
        if (s.ok()) {
          get_ms_.push_back(ms);
          figures_.workers_online = c.total().workers_online();
        } else {
          ++figures_.get_errors;
        }
      }
      absl::SleepFor(get_period_);
    }
  });
}

void CockpitReaders::Stop() {
  stop_.store(true);
  {
    absl::MutexLock lock(&mu_);
    for (auto& c : stream_ctx_) c->TryCancel();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

CockpitReaders::Figures CockpitReaders::Take() {
  absl::MutexLock lock(&mu_);
  Figures f = figures_;
  f.get = Summarise(std::move(get_ms_));
  get_ms_.clear();
  figures_ = Figures();
  figures_.workers_online = f.workers_online;
  return f;
}

// ---- LiveProbe -------------------------------------------------------------------------------

LiveProbe::LiveProbe(sdk::Session* session, std::vector<ProbeWorker> probes, absl::Duration period,
                     absl::Duration poll)
    : session_(session), probes_(std::move(probes)), period_(period), poll_(poll) {}

LiveProbe::~LiveProbe() { Stop(); }

void LiveProbe::Start() {
  if (probes_.empty()) return;
  thread_ = std::thread([this] { Run(); });
}

void LiveProbe::Run() {
  size_t next = 0;
  uint64_t step = 0;
  while (!stop_.load()) {
    const absl::Time cycle = absl::Now();
    const ProbeWorker& p = probes_[next++ % probes_.size()];
    ++step;
    location::v1::FixBatch batch;
    batch.set_worker_id(p.worker_id);
    batch.set_device_id(p.worker_id + "-dev");
    const absl::Time sent = absl::Now();
    auto* f = batch.add_fixes();
    f->set_sequence(static_cast<uint64_t>(absl::ToUnixMicros(sent)));
    *f->mutable_device_time() = service::ToProto(sent);
    // A few metres' wiggle so every fix is a new position (same point is still a new fix).
    f->mutable_position()->set_lat(p.lat + 1e-5 * static_cast<double>(step % 5));
    f->mutable_position()->set_lng(p.lng);
    f->set_accuracy_m(8);
    f->set_heading_deg(-1);
    f->set_battery_pct(-1);
    location::v1::BatchAck ack;
    auto ctx = session_->Context(absl::Seconds(10));
    grpc::Status s = session_->location().IngestFixes(ctx.get(), batch, &ack);
    if (!s.ok() || ack.accepted() != 1) {
      absl::MutexLock lock(&mu_);
      ++figures_.errors;
    } else {
      const int64_t want_ms = absl::ToUnixMillis(sent);
      bool shown = false;
      while (!stop_.load() && !shown && absl::Now() - sent < absl::Seconds(30)) {
        analytics::v1::ListLiveWorkersRequest req;
        req.set_region_prefix(p.grid_id);
        req.set_page_size(100);
        analytics::v1::ListLiveWorkersResponse resp;
        auto lctx = session_->Context(absl::Seconds(5));
        if (session_->analytics().ListLiveWorkers(lctx.get(), req, &resp).ok()) {
          for (const auto& w : resp.workers()) {
            if (w.worker_id() == p.worker_id && w.has_last_fix_time() &&
                absl::ToUnixMillis(service::FromProto(w.last_fix_time())) >= want_ms) {
              shown = true;
            }
          }
        }
        if (!shown) absl::SleepFor(poll_);
      }
      absl::MutexLock lock(&mu_);
      if (shown) {
        ms_.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
      } else if (!stop_.load()) {
        ++figures_.timeouts;
      }
    }
    const absl::Duration left = period_ - (absl::Now() - cycle);
    if (left > absl::ZeroDuration() && !stop_.load()) absl::SleepFor(left);
  }
}

void LiveProbe::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

LiveProbe::Figures LiveProbe::Take() {
  absl::MutexLock lock(&mu_);
  Figures f = figures_;
  f.latency = Summarise(std::move(ms_));
  ms_.clear();
  figures_ = Figures();
  return f;
}

}  // namespace gridwork::bench
