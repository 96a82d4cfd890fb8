#include "services/location/location_core.h"

#include <algorithm>
#include <cmath>

#include "absl/hash/hash.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/arena.h"
#include "gridwork/core/log.h"
#include "gridwork/core/region_path.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/geo/distance.h"
#include "gridwork/geo/simplify.h"
#include "gridwork/geo/track_summary.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "gridwork/rpc/page_token.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"
#include "services/location/packed_track.h"

namespace gridwork::location {
namespace {

using common::v1::Role;

constexpr double kCellDeg = 0.01;

int64_t CellOf(double lat, double lng) {
  const int64_t y = static_cast<int64_t>(std::floor((lat + 90) / kCellDeg));
  const int64_t x = static_cast<int64_t>(std::floor((lng + 180) / kCellDeg));
  return y * 100000 + x;
}

// A worker's data is visible to the worker, to unscoped principals, and to principals whose
// scope holds the worker's current grid (unknown grid: not visible to scoped principals).
bool WorkerVisible(const Principal& p, const std::string& worker, const std::string& grid) {
  if (p.subject() == worker || p.region_scope().empty()) return true;
  return !grid.empty() && rpc::InScope(p, grid);
}

bool IsService(const Principal& p) {
  return p.role() == common::v1::ROLE_SERVICE || p.role() == common::v1::ROLE_ADMIN;
}

absl::Status CheckWindow(const google::protobuf::Timestamp& start,
                         const google::protobuf::Timestamp& end, absl::Duration max_span) {
  const absl::Time s = service::FromProto(start);
  const absl::Time e = service::FromProto(end);
  if (e <= s) return absl::InvalidArgumentError("end_time must be after start_time");
  if (e - s > max_span) {
    return absl::InvalidArgumentError(
        absl::StrCat("the time range may span at most ", absl::FormatDuration(max_span)));
  }
  return absl::OkStatus();
}

// Time-paged lists: a page token holds the device time (ms) of the last item returned, and
// the next page starts 1 ms later (pages never split one millisecond).
absl::StatusOr<int64_t> PageStartMs(absl::string_view token, uint64_t filter_hash,
                                    int64_t start_ms) {
  absl::StatusOr<std::string> after = rpc::DecodePageToken(token, filter_hash);
  if (!after.ok()) return after.status();
  if (after->empty()) return start_ms;
  int64_t last_ms;
  if (!absl::SimpleAtoi(*after, &last_ms)) {
    return absl::InvalidArgumentError("page_token is not a token issued by this method");
  }
  return last_ms + 1;
}

TrackSample ToTrackSample(const StoredFix& f) {
  return TrackSample{f.time_ms, f.lat_e7, f.lng_e7, f.accuracy_dm,
                     f.speed_cms < 0 ? -1 : f.speed_cms};
}

}  // namespace

absl::StatusOr<std::unique_ptr<LocationCore>> LocationCore::Create(LocationStore* store,
                                                                   LocationOptions options,
                                                                   LocationMetrics* metrics,
                                                                   Clock* clock) {
  std::unique_ptr<LocationCore> core(new LocationCore(store, std::move(options), metrics, clock));
  GW_ASSIGN_OR_RETURN(auto last, store->LoadAllLast());
  GW_ASSIGN_OR_RETURN(auto grids, store->LoadAllGrids());
  {
    absl::MutexLock lock(&core->positions_mu_);
    for (auto& p : last) {
      std::string w = p.worker_id();
      core->IndexPosition(w, nullptr, p);
      core->last_[w] = std::move(p);
    }
    for (auto& [w, g] : grids) core->grid_[w] = g;
    if (metrics != nullptr) metrics->workers_known.Set(static_cast<double>(core->last_.size()));
  }
  log::Info("location state loaded", {{"workers", last.size()}, {"grids", grids.size()}});
  return core;
}

LocationCore::LocationCore(LocationStore* store, LocationOptions options, LocationMetrics* metrics,
                           Clock* clock)
    : store_(store), options_(std::move(options)), metrics_(metrics), clock_(clock) {}

void LocationCore::IndexPosition(const std::string& worker, const v1::WorkerPosition* old_pos,
                                 const v1::WorkerPosition& pos) {
  if (old_pos != nullptr) {
    auto it = cells_.find(CellOf(old_pos->position().lat(), old_pos->position().lng()));
    if (it != cells_.end()) {
      it->second.erase(worker);
      if (it->second.empty()) cells_.erase(it);
    }
  }
  cells_[CellOf(pos.position().lat(), pos.position().lng())].insert(worker);
}

absl::StatusOr<std::string> LocationCore::ResolveWorker(const Principal& p,
                                                        const std::string& worker_id,
                                                        bool writing) const {
  if (p.role() == common::v1::ROLE_GRID_WORKER || p.role() == common::v1::ROLE_GRID_LEADER) {
    if (!worker_id.empty() && worker_id != p.subject()) {
      if (writing) {
        return absl::PermissionDeniedError(
            "grid workers upload only their own fixes; leave worker_id empty or set your own id");
      }
      return worker_id;
    }
    return p.subject();
  }
  if (writing && !IsService(p)) {
    return absl::PermissionDeniedError(
        absl::StrCat("role ", rpc::RoleName(p.role()), " may not upload fixes"));
  }
  GW_RETURN_IF_ERROR(service::CheckId(worker_id, "worker_id"));
  return worker_id;
}

absl::Status LocationCore::CheckReadable(const Principal& p, const std::string& worker) const {
  absl::MutexLock lock(&positions_mu_);
  auto it = grid_.find(worker);
  if (WorkerVisible(p, worker, it == grid_.end() ? std::string() : it->second)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("worker ", worker, " is not in your scope \"", p.region_scope(), "\""));
}

// ---- Ingest --------------------------------------------------------------------------------

absl::StatusOr<v1::BatchAck> LocationCore::Ingest(const Principal& p, const v1::FixBatch& batch) {
  GW_ASSIGN_OR_RETURN(const std::string worker, ResolveWorker(p, batch.worker_id(), true));
  GW_RETURN_IF_ERROR(service::CheckId(batch.device_id(), "device_id"));
  if (batch.fixes_size() == 0 || batch.fixes_size() > options_.max_fixes_per_batch) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a batch holds 1..", options_.max_fixes_per_batch, " fixes, got ", batch.fixes_size()));
  }
  const absl::Time now = clock_->Now();
  v1::BatchAck ack;
  ack.set_batch_id(batch.batch_id());

  struct Candidate {
    int index;
    StoredFix fix;
  };
  std::vector<Candidate> candidates;
  std::vector<std::pair<int, Classified>> rejected;
  for (int i = 0; i < batch.fixes_size(); ++i) {
    Classified c = ClassifyFix(batch.fixes(i), batch.device_id(), now, options_.filters);
    if (c.reject) {
      rejected.emplace_back(i, std::move(c));
    } else {
      candidates.push_back({i, std::move(c.fix)});
    }
  }
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const Candidate& a, const Candidate& b) { return a.fix.time_ms < b.fix.time_ms; });

  absl::MutexLock worker_lock(&worker_mu_[absl::HashOf(worker) % kWorkerStripes]);
  std::optional<StoredFix> last_known;
  {
    absl::MutexLock lock(&positions_mu_);
    auto it = last_.find(worker);
    if (it != last_.end()) {
      StoredFix f;
      f.time_ms = absl::ToUnixMillis(service::FromProto(it->second.device_time()));
      f.lat_e7 = static_cast<int32_t>(std::llround(it->second.position().lat() * 1e7));
      f.lng_e7 = static_cast<int32_t>(std::llround(it->second.position().lng() * 1e7));
      f.accuracy_dm = static_cast<uint32_t>(std::llround(it->second.accuracy_m() * 10));
      last_known = f;
    }
  }

  std::map<int64_t, std::vector<StoredFix>> chunks;
  std::set<int64_t> dirty;
  auto load = [&](int64_t start) -> absl::StatusOr<std::vector<StoredFix>*> {
    auto it = chunks.find(start);
    if (it != chunks.end()) return &it->second;
    GW_ASSIGN_OR_RETURN(auto fixes, store_->GetChunk(worker, start));
    return &(chunks[start] = std::move(fixes));
  };
  // The latest accepted fix before t: in t's chunk, else the chunk before, else the last
  // known position if it is older.
  auto predecessor = [&](int64_t t) -> absl::StatusOr<std::optional<StoredFix>> {
    const int64_t start = ChunkStartMs(t);
    for (int64_t s : {start, start - kChunkSpanMs}) {
      GW_ASSIGN_OR_RETURN(std::vector<StoredFix> * chunk, load(s));
      auto it = std::lower_bound(chunk->begin(), chunk->end(), t,
                                 [](const StoredFix& f, int64_t x) { return f.time_ms < x; });
      if (it != chunk->begin()) return std::optional<StoredFix>(*std::prev(it));
    }
    if (last_known && last_known->time_ms < t) return last_known;
    return std::optional<StoredFix>();
  };

  store::WriteRequest write;
  // One feed event for the whole batch, built on an arena: its 2 sub-messages and 2 strings
  // per fix would otherwise be as many mallocs and frees (measured: ~10 % of ingest CPU
  // went to malloc/free).
  alignas(16) char arena_block[16 << 10];
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = arena_block;
  arena_options.initial_block_size = sizeof(arena_block);
  google::protobuf::Arena arena(arena_options);
  auto* published = google::protobuf::Arena::CreateMessage<common::v1::AcceptedFixes>(&arena);
  published->set_worker_id(worker);
  std::optional<StoredFix> newest;
  int accepted = 0, duplicates = 0;
  for (Candidate& c : candidates) {
    GW_ASSIGN_OR_RETURN(std::optional<StoredFix> pred, predecessor(c.fix.time_ms));
    std::string detail;
    if (pred && pred->time_ms != c.fix.time_ms &&
        ImpossibleSpeed(*pred, c.fix, options_.filters, &detail)) {
      Classified r;
      r.reject = v1::REJECT_REASON_IMPOSSIBLE_SPEED;
      r.detail = detail;
      r.fix = c.fix;
      rejected.emplace_back(c.index, std::move(r));
      continue;
    }
    const int64_t start = ChunkStartMs(c.fix.time_ms);
    GW_ASSIGN_OR_RETURN(std::vector<StoredFix> * chunk, load(start));
    if (!InsertFix(chunk, c.fix)) {
      ++duplicates;
      continue;
    }
    ++accepted;
    dirty.insert(start);
    FillCommonFix(worker, c.fix, published->add_fixes());
    if (!newest || c.fix.time_ms > newest->time_ms) newest = c.fix;
  }
  for (int64_t start : dirty) store_->PutChunk(worker, start, chunks[start], &write);
  if (published->fixes_size() > 0) write.AppendEvent(*published, "");

  std::sort(rejected.begin(), rejected.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [index, r] : rejected) {
    const v1::DeviceFix& in = batch.fixes(index);
    v1::Rejection* rej = ack.add_rejections();
    rej->set_index(index);
    rej->set_sequence(in.sequence());
    rej->set_reason(*r.reject);
    rej->set_detail(r.detail);
    v1::RawFix raw;
    raw.set_device_id(batch.device_id());
    *raw.mutable_received() = in;
    if (r.fix.time_ms != 0) *raw.mutable_wgs84() = ToLatLng(r.fix);
    raw.set_reject_reason(*r.reject);
    raw.set_reject_detail(r.detail);
    *raw.mutable_receive_time() = service::ToProto(now);
    const int64_t t = in.has_device_time()
                          ? absl::ToUnixMillis(service::FromProto(in.device_time()))
                          : absl::ToUnixMillis(now);
    store_->PutRejected(worker, t, raw, &write);
  }

  std::optional<v1::WorkerPosition> new_last;
  if (newest && (!last_known || newest->time_ms > last_known->time_ms)) {
    v1::WorkerPosition pos;
    pos.set_worker_id(worker);
    pos.set_known(true);
    *pos.mutable_device_time() = service::ToProto(absl::FromUnixMillis(newest->time_ms));
    *pos.mutable_position() = ToLatLng(*newest);
    pos.set_accuracy_m(newest->accuracy_dm / 10.0);
    pos.set_battery_pct(newest->battery_pct);
    store_->PutLast(pos, &write);
    new_last = std::move(pos);
  }
  if (!write.empty()) GW_RETURN_IF_ERROR(store_->Commit(std::move(write)).status());
  *ack.mutable_durable_time() = service::ToProto(clock_->Now());
  ack.set_accepted(accepted);
  ack.set_duplicates(duplicates);

  if (new_last) {
    absl::MutexLock lock(&positions_mu_);
    auto it = last_.find(worker);
    IndexPosition(worker, it == last_.end() ? nullptr : &it->second, *new_last);
    last_[worker] = *std::move(new_last);
    if (metrics_ != nullptr) metrics_->workers_known.Set(static_cast<double>(last_.size()));
  }
  if (metrics_ != nullptr) {
    metrics_->batch_size.Observe(batch.fixes_size());
    metrics_->fixes_accepted.Increment(accepted);
    metrics_->fixes_duplicate.Increment(duplicates);
    for (const auto& r : ack.rejections()) {
      metrics_->fixes.Add({{"result", "rejected"}, {"reason", v1::RejectReason_Name(r.reason())}})
          .Increment();
    }
  }
  return ack;
}

// ---- Tracks --------------------------------------------------------------------------------

absl::StatusOr<v1::GetTrackResponse> LocationCore::GetTrack(const Principal& p,
                                                            const v1::GetTrackRequest& req) {
  GW_ASSIGN_OR_RETURN(const std::string worker, ResolveWorker(p, req.worker_id(), false));
  GW_RETURN_IF_ERROR(CheckReadable(p, worker));
  GW_RETURN_IF_ERROR(CheckWindow(req.start_time(), req.end_time(), absl::Hours(24 * 31)));
  if (!std::isfinite(req.simplify_tolerance_m()) || req.simplify_tolerance_m() < 0) {
    return absl::InvalidArgumentError("simplify_tolerance_m must be >= 0");
  }
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(req.page_size(), 1000, 10000));
  const int64_t start_ms = absl::ToUnixMillis(service::FromProto(req.start_time()));
  const int64_t end_ms = absl::ToUnixMillis(service::FromProto(req.end_time()));
  const uint64_t filter_hash = absl::HashOf(worker, start_ms, end_ms, req.simplify_tolerance_m());
  GW_ASSIGN_OR_RETURN(const int64_t from_ms, PageStartMs(req.page_token(), filter_hash, start_ms));
  std::vector<StoredFix> page;
  bool more = false;
  GW_RETURN_IF_ERROR(
      store_->ScanChunks(worker, from_ms, end_ms, [&](int64_t, std::vector<StoredFix>&& fixes) {
        for (auto& f : fixes) {
          if (f.time_ms < from_ms || f.time_ms >= end_ms) continue;
          // Never split fixes of one millisecond across pages.
          if (static_cast<int>(page.size()) >= page_size && f.time_ms != page.back().time_ms) {
            more = true;
            return false;
          }
          page.push_back(std::move(f));
        }
        return true;
      }));
  std::vector<TrackSample> samples;
  if (req.simplify_tolerance_m() > 0 && page.size() > 2) {
    std::vector<geo::TrackPoint> pts;
    pts.reserve(page.size());
    for (const auto& f : page) pts.push_back({f.lng_e7 * 1e-7, f.lat_e7 * 1e-7, f.time_ms});
    const std::vector<size_t> kept = geo::SimplifyTrack(pts, req.simplify_tolerance_m());
    samples.reserve(kept.size());
    for (size_t i : kept) samples.push_back(ToTrackSample(page[i]));
  } else {
    samples.reserve(page.size());
    for (const auto& f : page) samples.push_back(ToTrackSample(f));
  }
  v1::GetTrackResponse resp;
  if (req.packed()) {
    PackTrack(samples, resp.mutable_packed());
  } else {
    resp.mutable_points()->Reserve(static_cast<int>(samples.size()));
    for (const TrackSample& t : samples) *resp.add_points() = ToTrackPoint(t);
  }
  if (more)
    resp.set_next_page_token(rpc::EncodePageToken(absl::StrCat(page.back().time_ms), filter_hash));
  return resp;
}

absl::StatusOr<v1::ListRawFixesResponse> LocationCore::ListRawFixes(
    const Principal& p, const v1::ListRawFixesRequest& req) {
  GW_ASSIGN_OR_RETURN(const std::string worker, ResolveWorker(p, req.worker_id(), false));
  GW_RETURN_IF_ERROR(CheckReadable(p, worker));
  GW_RETURN_IF_ERROR(CheckWindow(req.start_time(), req.end_time(), absl::Hours(24 * 31)));
  GW_ASSIGN_OR_RETURN(int page_size, rpc::ClampPageSize(req.page_size(), 1000, 10000));
  const int64_t start_ms = absl::ToUnixMillis(service::FromProto(req.start_time()));
  const int64_t end_ms = absl::ToUnixMillis(service::FromProto(req.end_time()));
  const uint64_t filter_hash = absl::HashOf(worker, start_ms, end_ms, req.include_rejected());
  GW_ASSIGN_OR_RETURN(const int64_t from_ms, PageStartMs(req.page_token(), filter_hash, start_ms));
  // Both sources are read up to page_size + the rest of the boundary millisecond, merged by
  // time and cut at a millisecond boundary.
  std::vector<std::pair<int64_t, v1::RawFix>> items;
  GW_RETURN_IF_ERROR(
      store_->ScanChunks(worker, from_ms, end_ms, [&](int64_t, std::vector<StoredFix>&& fixes) {
        for (const auto& f : fixes) {
          if (f.time_ms < from_ms || f.time_ms >= end_ms) continue;
          v1::RawFix raw;
          raw.set_device_id(f.device_id);
          common::v1::Fix cf = ToCommonFix(worker, f);
          v1::DeviceFix* d = raw.mutable_received();
          d->set_sequence(f.sequence);
          *d->mutable_device_time() = cf.device_time();
          *d->mutable_position() = cf.position();
          d->set_crs(common::v1::CRS_WGS84);
          d->set_accuracy_m(cf.accuracy_m());
          d->set_speed_mps(cf.speed_mps());
          d->set_heading_deg(cf.heading_deg());
          d->set_altitude_m(cf.altitude_m());
          d->set_battery_pct(cf.battery_pct());
          d->set_provider(cf.provider());
          d->set_offline(cf.offline());
          *raw.mutable_wgs84() = cf.position();
          raw.set_accepted(true);
          items.emplace_back(f.time_ms, std::move(raw));
        }
        return static_cast<int>(items.size()) <= page_size;
      }));
  if (req.include_rejected()) {
    GW_RETURN_IF_ERROR(
        store_->ScanRejected(worker, from_ms, end_ms, [&](int64_t t, v1::RawFix&& raw) {
          items.emplace_back(t, std::move(raw));
          return true;
        }));
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  v1::ListRawFixesResponse resp;
  for (size_t i = 0; i < items.size(); ++i) {
    if (resp.fixes_size() >= page_size && items[i].first != items[i - 1].first) {
      resp.set_next_page_token(rpc::EncodePageToken(absl::StrCat(items[i - 1].first), filter_hash));
      break;
    }
    *resp.add_fixes() = std::move(items[i].second);
  }
  return resp;
}

absl::StatusOr<v1::DaySummary> LocationCore::GetDaySummary(const Principal& p,
                                                           const v1::GetDaySummaryRequest& req) {
  GW_ASSIGN_OR_RETURN(const std::string worker, ResolveWorker(p, req.worker_id(), false));
  GW_RETURN_IF_ERROR(CheckReadable(p, worker));
  GW_RETURN_IF_ERROR(CheckWindow(req.start_time(), req.end_time(), absl::Hours(36)));
  const int64_t start_ms = absl::ToUnixMillis(service::FromProto(req.start_time()));
  const int64_t end_ms = absl::ToUnixMillis(service::FromProto(req.end_time()));
  geo::SummaryOptions opts;
  if (req.has_stop_min_duration()) {
    opts.stop_min_duration_ms =
        absl::ToInt64Milliseconds(service::FromProto(req.stop_min_duration()));
  }
  if (req.stop_radius_m() != 0) opts.stop_radius_m = req.stop_radius_m();
  if (req.has_gap_min_duration()) {
    opts.gap_min_duration_ms =
        absl::ToInt64Milliseconds(service::FromProto(req.gap_min_duration()));
  }
  opts.shift_start_ms = start_ms;
  opts.shift_end_ms = end_ms;
  GW_RETURN_IF_ERROR(geo::ValidateSummaryOptions(opts));
  std::vector<geo::TrackPoint> track;
  GW_RETURN_IF_ERROR(
      store_->ScanChunks(worker, start_ms, end_ms, [&](int64_t, std::vector<StoredFix>&& fixes) {
        for (const auto& f : fixes) {
          if (f.time_ms >= start_ms && f.time_ms < end_ms) {
            track.push_back({f.lng_e7 * 1e-7, f.lat_e7 * 1e-7, f.time_ms});
          }
        }
        return true;
      }));
  geo::TrackSummary s = geo::Summarize(track, opts);
  v1::DaySummary out;
  out.set_worker_id(worker);
  out.set_fix_count(static_cast<int32_t>(track.size()));
  out.set_distance_m(s.distance_m);
  *out.mutable_moving_time() = service::ToProto(absl::Milliseconds(s.moving_time_ms));
  for (const auto& st : s.stops) {
    v1::Stop* stop = out.add_stops();
    *stop->mutable_start_time() = service::ToProto(absl::FromUnixMillis(st.start_ms));
    *stop->mutable_end_time() = service::ToProto(absl::FromUnixMillis(st.end_ms));
    stop->mutable_centroid()->set_lat(st.lat);
    stop->mutable_centroid()->set_lng(st.lng);
    stop->set_fix_count(st.fix_count);
  }
  for (const auto& g : s.gaps) {
    v1::Gap* gap = out.add_gaps();
    *gap->mutable_start_time() = service::ToProto(absl::FromUnixMillis(g.start_ms));
    *gap->mutable_end_time() = service::ToProto(absl::FromUnixMillis(g.end_ms));
  }
  return out;
}

// ---- Positions -----------------------------------------------------------------------------

v1::WorkerPosition LocationCore::PositionOf(const std::string& worker) const {
  v1::WorkerPosition out;
  out.set_worker_id(worker);
  auto it = last_.find(worker);
  if (it == last_.end()) return out;
  out = it->second;
  out.set_online(service::FromProto(out.device_time()) >= clock_->Now() - options_.online_window);
  auto g = grid_.find(worker);
  if (g != grid_.end()) out.set_grid_id(g->second);
  return out;
}

absl::StatusOr<v1::GetLastPositionsResponse> LocationCore::GetLastPositions(
    const Principal& p, const v1::GetLastPositionsRequest& req) {
  if (req.worker_ids_size() > 1000) {
    return absl::InvalidArgumentError("at most 1,000 worker_ids per call");
  }
  v1::GetLastPositionsResponse resp;
  absl::MutexLock lock(&positions_mu_);
  for (const std::string& w : req.worker_ids()) {
    GW_RETURN_IF_ERROR(service::CheckId(w, "worker_ids[]"));
    v1::WorkerPosition pos = PositionOf(w);
    if (!WorkerVisible(p, w,
                       pos.grid_id())) {  // Out of scope looks exactly like unknown: nothing leaks.
      pos.Clear();
      pos.set_worker_id(w);
    }
    *resp.add_positions() = std::move(pos);
  }
  return resp;
}

absl::StatusOr<v1::CountOnlineResponse> LocationCore::CountOnline(
    const Principal& p, const v1::CountOnlineRequest& req) {
  std::string root = req.region_id().empty() ? p.region_scope() : req.region_id();
  GW_RETURN_IF_ERROR(rpc::RequireScope(p, root));
  v1::CountOnlineResponse resp;
  std::map<std::string, std::pair<int, int>> children;  // id -> (online, known)
  const absl::Time cutoff = clock_->Now() - options_.online_window;
  absl::MutexLock lock(&positions_mu_);
  for (const auto& [worker, grid] : grid_) {
    if (grid.empty() || !PathWithin(grid, root)) continue;
    auto it = last_.find(worker);
    if (it == last_.end()) continue;
    const bool online = service::FromProto(it->second.device_time()) >= cutoff;
    resp.set_known(resp.known() + 1);
    resp.set_online(resp.online() + (online ? 1 : 0));
    // The child of root containing the grid: root + "/" + next segment.
    size_t from = root.empty() ? 0 : root.size() + 1;
    size_t slash = grid.find('/', from);
    std::string child = grid.substr(0, slash);
    if (child == root) continue;
    auto& c = children[child];
    c.first += online ? 1 : 0;
    c.second += 1;
  }
  for (const auto& [id, c] : children) {
    v1::RegionCount* rc = resp.add_children();
    rc->set_region_id(id);
    rc->set_online(c.first);
    rc->set_known(c.second);
  }
  return resp;
}

absl::StatusOr<v1::FindNearbyWorkersResponse> LocationCore::FindNearbyWorkers(
    const Principal& p, const v1::FindNearbyWorkersRequest& req) {
  if (!req.has_position()) return absl::InvalidArgumentError("position is required");
  GW_RETURN_IF_ERROR(service::CheckLatLng(req.position(), "position"));
  if (!std::isfinite(req.radius_m()) || req.radius_m() <= 0 || req.radius_m() > 20000) {
    return absl::InvalidArgumentError("radius_m must be in (0, 20000] metres");
  }
  if (req.max_results() < 0) return absl::InvalidArgumentError("max_results must be >= 0");
  const int max_results = req.max_results() == 0 ? 20 : std::min(req.max_results(), 200);
  const double lat = req.position().lat();
  const double lng = req.position().lng();
  const double dlat = req.radius_m() / 111000.0;
  const double dlng = dlat / std::max(0.01, std::cos(lat * M_PI / 180));
  std::vector<v1::NearbyWorker> found;
  absl::MutexLock lock(&positions_mu_);
  for (double y = lat - dlat; y <= lat + dlat + kCellDeg; y += kCellDeg) {
    for (double x = lng - dlng; x <= lng + dlng + kCellDeg; x += kCellDeg) {
      auto cell = cells_.find(CellOf(std::min(y, lat + dlat), std::min(x, lng + dlng)));
      if (cell == cells_.end()) continue;
      for (const std::string& w : cell->second) {
        v1::WorkerPosition pos = PositionOf(w);
        if (!req.include_offline() && !pos.online()) continue;
        if (!p.region_scope().empty() &&
            (pos.grid_id().empty() || !rpc::InScope(p, pos.grid_id()))) {
          continue;
        }
        const double d = geo::HaversineMeters(
            geo::LngLat(lng, lat), geo::LngLat(pos.position().lng(), pos.position().lat()));
        if (d > req.radius_m()) continue;
        v1::NearbyWorker n;
        *n.mutable_position() = std::move(pos);
        n.set_distance_m(d);
        found.push_back(std::move(n));
      }
    }
  }
  // A cell may be visited twice at the window's edge (the min() clamp): de-duplicate.
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.position().worker_id() < b.position().worker_id();
  });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const auto& a, const auto& b) {
                            return a.position().worker_id() == b.position().worker_id();
                          }),
              found.end());
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.distance_m() < b.distance_m(); });
  v1::FindNearbyWorkersResponse resp;
  for (size_t i = 0; i < found.size() && static_cast<int>(i) < max_results; ++i) {
    *resp.add_workers() = std::move(found[i]);
  }
  return resp;
}

// ---- Geofence feed -------------------------------------------------------------------------

absl::Status LocationCore::ApplyGeofenceEvent(
    const common::v1::FeedEvent& event, store::WriteRequest& write,
    std::vector<std::pair<std::string, std::string>>* grid_updates) {
  geofence::v1::FenceEvent fe;
  if (!event.payload().Is<geofence::v1::FenceEvent>()) return absl::OkStatus();
  if (!event.payload().UnpackTo(&fe)) {
    return absl::InvalidArgumentError("FenceEvent payload does not parse");
  }
  std::string grid;
  if (fe.kind() == geofence::v1::FENCE_EVENT_KIND_ENTER_GRID) {
    grid = fe.grid_id();
  } else if (fe.kind() == geofence::v1::FENCE_EVENT_KIND_EXIT_GRID) {
    // Leaving a grid the worker is no longer in changes nothing: with several geofence
    // shards, the ENTER of a grid across a district border may arrive before the EXIT of
    // the old one.
    std::string current;
    auto pending = std::find_if(grid_updates->rbegin(), grid_updates->rend(),
                                [&](const auto& u) { return u.first == fe.worker_id(); });
    if (pending != grid_updates->rend()) {
      current = pending->second;
    } else {
      absl::ReaderMutexLock lock(&positions_mu_);
      auto it = grid_.find(fe.worker_id());
      if (it != grid_.end()) current = it->second;
    }
    if (current != fe.grid_id()) return absl::OkStatus();
    grid = "";
  } else {
    return absl::OkStatus();
  }
  store_->PutGrid(fe.worker_id(), grid, &write);
  grid_updates->emplace_back(fe.worker_id(), grid);
  if (metrics_ != nullptr) {
    metrics_->geofence_events.Add({{"kind", geofence::v1::FenceEventKind_Name(fe.kind())}})
        .Increment();
  }
  return absl::OkStatus();
}

void LocationCore::CommitGrids(const std::vector<std::pair<std::string, std::string>>& updates) {
  absl::MutexLock lock(&positions_mu_);
  for (const auto& [w, g] : updates) grid_[w] = g;
}

}  // namespace gridwork::location
