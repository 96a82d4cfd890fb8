// End-to-end ingest benchmark of gridwork-location (+ gridwork-geofence consuming its feed),
// compared with the same workload on PostgreSQL/PostGIS. Method and figures:
// docs/benchmarks.md, section "Location ingest". Usually run by bench/run_location_bench.sh.
//
// The program starts gridwork-geofence and gridwork-location (from --bin_dir, default the
// directory of this binary) on free ports with temporary data directories, imports a
// synthetic region tree (1 district > 1 street > 1 community > 100 grids) into geofence, and
// drives LocationService.StreamFixes with simulated grid workers walking at 1.4 m/s:
//
//   1. online:     --online_workers workers send one 30-s batch each (2 fixes, 15 s apart,
//                  device time = now - 40 s): RSS of gridwork-location afterwards.
//   2. throughput: --workers workers, --streams streams (a worker always on the same stream,
//                  so its batches are acknowledged in order), --window batches in flight per
//                  stream, batches of --fixes_per_batch fixes 1 s apart (a 30-s batch at 1 Hz),
//                  as fast as acknowledged; device times start 6 days ago and advance.
//   3. open loop:  --open_loop_rate fixes/s in batches sent at fixed times whatever the acks;
//                  latency = ack arrival - scheduled send time (no coordinated omission).
//   4. day tracks: --day_workers worker-days of 5,760 fixes (one per 15 s) via IngestFixes;
//                  GetTrack of one whole day, p50 over --track_calls calls.
//   5. geofence:   lag (fixes acknowledged by location minus fixes evaluated by geofence,
//                  gridwork_geofence_fixes_evaluated_total) and evaluation rate.
//   6. disk:       location is stopped, its store opened with RocksDB (persisted OPTIONS),
//                  flushed and fully compacted; SST bytes per column family / stored fixes.
//   7. PostGIS:    with --postgres_url, the throughput workload against PostGIS.
//
// Every acknowledgement is checked: any rejection, duplicate or batch error aborts the run.
#include <grpcpp/grpcpp.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/options_util.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/location_bench_process.h"
#include "bench/location_postgis.h"
#include "gridwork/common/v1/feed.grpc.pb.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/service/time_convert.h"
#include "services/location/packed_track.h"
#include "tests/integration/service_process.h"

ABSL_FLAG(bool, json, false, "Print one JSON object of the figures on the last line.");
ABSL_FLAG(std::string, bin_dir, "", "Directory of gridwork-location and gridwork-geofence (default: this binary's directory).");
ABSL_FLAG(std::string, postgres_url, "", "libpq conninfo of a PostgreSQL+PostGIS server for the comparison (empty = skip).");
ABSL_FLAG(int, streams, 32, "Concurrent StreamFixes streams (each on its own client thread pair).");
ABSL_FLAG(int, channels, 4, "gRPC channels (TCP connections) the streams are spread over.");
ABSL_FLAG(int, window, 2, "Batches in flight per stream in the closed-loop phases.");
ABSL_FLAG(int, workers, 20000, "Simulated workers in the throughput phase.");
ABSL_FLAG(int, fixes_per_batch, 30, "Fixes per batch in the throughput and open-loop phases (30 s at 1 Hz).");
ABSL_FLAG(bool, wait_for_consumer, true, "Before the phases, send one batch and wait until geofence has evaluated it (false: geofence's feed consumer connects during the first burst).");
ABSL_FLAG(double, warmup_s, 3, "Seconds of the throughput phase not counted.");
ABSL_FLAG(double, throughput_s, 30, "Measured seconds of the throughput phase.");
ABSL_FLAG(double, open_loop_rate, 20000, "Offered load of the open-loop phase, fixes/s.");
ABSL_FLAG(double, open_loop_s, 15, "Seconds of the open-loop phase.");
ABSL_FLAG(int, online_workers, 100000, "Distinct workers of the online phase (RSS figure).");
ABSL_FLAG(int, day_workers, 100, "Worker-days of 5,760 fixes uploaded for the day-track figure.");
ABSL_FLAG(int, track_calls, 50, "Timed GetTrack calls of one worker-day.");
ABSL_FLAG(double, drain_s, 30, "At most this long to wait for geofence to catch up at the end.");
ABSL_FLAG(double, postgis_s, 20, "Measured seconds of the PostGIS throughput run.");
ABSL_FLAG(int, pg_connections, 16, "PostgreSQL connections (client threads) of the PostGIS run.");
ABSL_FLAG(std::string, perf_out, "", "If set, `perf record -g` gridwork-location during the throughput phase into this file.");
ABSL_FLAG(std::string, work_dir, "", "Directory for the services' data (default: a new temp dir, removed at exit).");

namespace gridwork::bench {
namespace {

namespace lv1 = location::v1;
namespace gv1 = geofence::v1;
using common::v1::Principal;

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "location_ingest_bench: FATAL: %s\n", msg.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

void Note(const std::string& msg) {
  std::fprintf(stderr, "[%s] %s\n", absl::FormatTime("%H:%M:%S", absl::Now(), absl::UTCTimeZone()).c_str(),
               msg.c_str());
}

// ---- Area, region tree and walkers ---------------------------------------------------------

// 10 x 10 grids of 0.01° lng x 0.008° lat (~915 m x 890 m) in Zhengzhou.
constexpr double kLng0 = 113.60, kLat0 = 34.70, kDLng = 0.01, kDLat = 0.008;
constexpr int kGridsPerSide = 10;

std::string Square(const std::string& id, const std::string& level, double lng0, double lat0,
                   double lng1, double lat1) {
  return absl::StrFormat(
      R"({"type":"Feature","properties":{"id":"%s","level":"%s"},"geometry":{"type":"Polygon",)"
      R"("coordinates":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}})",
      id, level, lng0, lat0, lng1, lat0, lng1, lat1, lng0, lat1, lng0, lat0);
}

std::vector<PgGrid> Grids() {
  std::vector<PgGrid> g;
  for (int i = 0; i < kGridsPerSide; ++i) {
    for (int j = 0; j < kGridsPerSide; ++j) {
      g.push_back({absl::StrFormat("410105/s01/c01/g%02d%02d", i, j), kLng0 + i * kDLng,
                   kLat0 + j * kDLat, kLng0 + (i + 1) * kDLng, kLat0 + (j + 1) * kDLat});
    }
  }
  return g;
}

std::string TreeGeoJson() {
  const double lng1 = kLng0 + kGridsPerSide * kDLng, lat1 = kLat0 + kGridsPerSide * kDLat;
  std::vector<std::string> f = {Square("410105", "district", kLng0, kLat0, lng1, lat1),
                                Square("410105/s01", "street", kLng0, kLat0, lng1, lat1),
                                Square("410105/s01/c01", "community", kLng0, kLat0, lng1, lat1)};
  for (const PgGrid& g : Grids()) f.push_back(Square(g.id, "grid", g.lng0, g.lat0, g.lng1, g.lat1));
  return absl::StrCat(R"({"type":"FeatureCollection","features":[)", absl::StrJoin(f, ","), "]}");
}

// A grid worker walking at ~1.4 m/s with a slowly turning heading, kept inside the area.
struct Walker {
  std::string id, device;
  double lat = 0, lng = 0, heading = 0;  // heading in radians, 0 = north
  uint64_t seq = 0;
  int64_t t_ms = 0;  // time of the next fix
  std::mt19937_64 rng;

  Walker(std::string worker_id, uint64_t seed, int64_t start_ms)
      : id(std::move(worker_id)), device("dev-" + id), t_ms(start_ms), rng(seed) {
    std::uniform_real_distribution<double> u(0.02, 0.98);
    lng = kLng0 + u(rng) * kGridsPerSide * kDLng;
    lat = kLat0 + u(rng) * kGridsPerSide * kDLat;
    heading = u(rng) * 2 * M_PI;
  }

  void Step(double seconds) {
    std::normal_distribution<double> turn(0, 0.15);
    heading += turn(rng);
    const double d = 1.4 * seconds;
    double nlat = lat + d * std::cos(heading) / 111320.0;
    double nlng = lng + d * std::sin(heading) / (111320.0 * std::cos(lat * M_PI / 180));
    const double margin = 0.0002;
    if (nlat < kLat0 + margin || nlat > kLat0 + kGridsPerSide * kDLat - margin ||
        nlng < kLng0 + margin || nlng > kLng0 + kGridsPerSide * kDLng - margin) {
      heading += M_PI;  // turn back, stay put this step
      return;
    }
    lat = nlat;
    lng = nlng;
  }

  // Appends `n` fixes `interval_ms` apart to `b` (or to `pg`).
  void Fill(int n, int64_t interval_ms, lv1::FixBatch* b, std::vector<PgFix>* pg = nullptr) {
    if (b != nullptr) {
      b->set_worker_id(id);
      b->set_device_id(device);
    }
    for (int i = 0; i < n; ++i) {
      if (seq > 0) Step(static_cast<double>(interval_ms) / 1000.0);
      ++seq;
      const double speed = 1.4, heading_deg = std::fmod(heading * 180 / M_PI + 720, 360);
      const double battery = 90 - static_cast<double>(seq % 5000) / 100.0;
      if (b != nullptr) {
        lv1::DeviceFix* f = b->add_fixes();
        f->set_sequence(seq);
        *f->mutable_device_time() = service::ToProto(absl::FromUnixMillis(t_ms));
        f->mutable_position()->set_lat(lat);
        f->mutable_position()->set_lng(lng);
        f->set_accuracy_m(8);
        f->set_speed_mps(speed);
        f->set_heading_deg(heading_deg);
        f->set_altitude_m(110);
        f->set_battery_pct(battery);
        f->set_provider(common::v1::Fix::PROVIDER_GPS);
      }
      if (pg != nullptr) {
        pg->push_back({seq, t_ms, lat, lng, 8, speed, heading_deg, 110, battery});
      }
      t_ms += interval_ms;
    }
  }
};

std::vector<Walker> MakeWalkers(const std::string& prefix, int n, int64_t start_ms,
                                int64_t jitter_ms) {
  std::vector<Walker> w;
  w.reserve(static_cast<size_t>(n));
  std::mt19937_64 rng(std::hash<std::string>()(prefix));
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(jitter_ms, 0));
  for (int i = 0; i < n; ++i) {
    w.emplace_back(absl::StrFormat("%s%06d", prefix, i), rng(), start_ms + jitter(rng));
  }
  return w;
}

// ---- Streams -------------------------------------------------------------------------------

struct Totals {
  std::atomic<int64_t> acked_fixes{0}, acked_batches{0}, rejected{0}, duplicates{0};
  std::atomic<int64_t> sent_batches{0};
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  return v[i];
}

// One StreamFixes stream: Send() writes (blocking while `window` batches are unacknowledged
// if window > 0); a reader thread takes the acks, which come in batch order.
class FixStream {
 public:
  FixStream(lv1::LocationService::Stub* stub, const rpc::PrincipalCodec& codec,
            const Principal& p, Totals* totals, int window)
      : totals_(totals), window_(window) {
    codec.Attach(p, &ctx_);
    stream_ = stub->StreamFixes(&ctx_);
    reader_ = std::thread([this] { ReadLoop(); });
  }
  ~FixStream() { Close(); }

  void Send(const lv1::FixBatch& b, absl::Time scheduled) {
    {
      absl::MutexLock lock(&mu_);
      if (window_ > 0) {
        mu_.Await(absl::Condition(
            +[](FixStream* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
              return static_cast<int>(s->pending_.size()) < s->window_ || s->broken_;
            },
            this));
      }
      if (broken_) Die("stream broke: " + error_);
      // Closed loop: latency from the write, not from when a window slot was free.
      pending_.push_back({b.batch_id(), b.fixes_size(), window_ > 0 ? absl::Now() : scheduled});
    }
    totals_->sent_batches.fetch_add(1);
    if (!stream_->Write(b)) Die("StreamFixes write failed (server closed the stream)");
  }

  // Waits for all acks, closes the stream. Returns the latencies (ms) of all acked batches.
  void Close() {
    if (closed_) return;
    closed_ = true;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](FixStream* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->pending_.empty() || s->broken_;
          },
          this));
    }
    stream_->WritesDone();
    reader_.join();
    grpc::Status st = stream_->Finish();
    if (!st.ok()) Die(absl::StrCat("StreamFixes ended with ", st.error_code(), ": ", st.error_message()));
  }

  std::vector<double> TakeLatencies() {
    absl::MutexLock lock(&mu_);
    return std::move(latency_ms_);
  }

 private:
  struct Pending {
    uint64_t id;
    int fixes;
    absl::Time scheduled;
  };

  void ReadLoop() {
    lv1::BatchAck ack;
    while (stream_->Read(&ack)) {
      const absl::Time now = absl::Now();
      absl::MutexLock lock(&mu_);
      if (pending_.empty() || pending_.front().id != ack.batch_id()) {
        Die(absl::StrCat("ack for unexpected batch ", ack.batch_id()));
      }
      const Pending p = pending_.front();
      pending_.pop_front();
      if (!ack.error().empty()) Die("batch refused: " + ack.error());
      if (ack.rejections_size() > 0) {
        totals_->rejected.fetch_add(ack.rejections_size());
        const auto& r = ack.rejections(0);
        Die(absl::StrCat(ack.rejections_size(), " fix(es) rejected, first: ",
                         lv1::RejectReason_Name(r.reason()), " ", r.detail()));
      }
      if (ack.duplicates() > 0) {
        totals_->duplicates.fetch_add(ack.duplicates());
        Die(absl::StrCat(ack.duplicates(), " duplicate(s) in batch ", ack.batch_id()));
      }
      if (ack.accepted() != p.fixes) {
        Die(absl::StrCat("batch ", ack.batch_id(), ": accepted ", ack.accepted(), " of ", p.fixes));
      }
      totals_->acked_fixes.fetch_add(ack.accepted());
      totals_->acked_batches.fetch_add(1);
      latency_ms_.push_back(absl::ToDoubleMilliseconds(now - p.scheduled));
    }
    absl::MutexLock lock(&mu_);
    if (!pending_.empty()) {
      broken_ = true;
      error_ = "stream ended with batches unacknowledged";
    }
  }

  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReaderWriter<lv1::FixBatch, lv1::BatchAck>> stream_;
  Totals* totals_;
  const int window_;
  bool closed_ = false;
  std::thread reader_;
  absl::Mutex mu_;
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<double> latency_ms_ ABSL_GUARDED_BY(mu_);
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  std::string error_ ABSL_GUARDED_BY(mu_);
};

struct Env {
  std::vector<std::unique_ptr<lv1::LocationService::Stub>> stubs;  // one per channel
  std::unique_ptr<rpc::PrincipalCodec> codec;
  Principal service;
};

struct PhaseSpec {
  std::vector<Walker>* walkers;
  int fixes_per_batch;
  int64_t interval_ms;
  int window;                       // closed loop: batches in flight per stream
  int max_batches_per_worker = 0;   // 0 = unlimited
  absl::Time deadline = absl::InfiniteFuture();
  double open_loop_batches_per_s = 0;  // > 0: open loop at this total rate
  bool realtime_device_time = false;   // fixes end at the send time (else walker time)
};

struct PhaseOut {
  double seconds = 0;
  int64_t fixes = 0, batches = 0;
  std::vector<double> latency_ms;
};

PhaseOut RunPhase(Env& env, const PhaseSpec& spec, Totals* totals) {
  const int streams = absl::GetFlag(FLAGS_streams);
  const int64_t fixes0 = totals->acked_fixes.load(), batches0 = totals->acked_batches.load();
  const absl::Time start = absl::Now();
  std::vector<std::vector<double>> lat(static_cast<size_t>(streams));
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      FixStream stream(env.stubs[static_cast<size_t>(s) % env.stubs.size()].get(), *env.codec,
                       env.service, totals, spec.open_loop_batches_per_s > 0 ? 0 : spec.window);
      std::vector<Walker*> mine;
      for (size_t i = static_cast<size_t>(s); i < spec.walkers->size(); i += static_cast<size_t>(streams)) {
        mine.push_back(&(*spec.walkers)[i]);
      }
      const double per_stream_interval_s =
          spec.open_loop_batches_per_s > 0 ? streams / spec.open_loop_batches_per_s : 0;
      const double offset_s = per_stream_interval_s * s / streams;
      uint64_t batch_id = 0;
      size_t next = 0;
      int round = 0;
      while (!mine.empty()) {
        if (next == mine.size()) {
          next = 0;
          ++round;
        }
        if (spec.max_batches_per_worker > 0 && round >= spec.max_batches_per_worker) break;
        absl::Time scheduled = absl::Now();
        if (per_stream_interval_s > 0) {
          scheduled = start + absl::Seconds(offset_s + per_stream_interval_s * static_cast<double>(batch_id));
          if (scheduled >= spec.deadline) break;
          absl::SleepFor(scheduled - absl::Now());
        } else if (scheduled >= spec.deadline) {
          break;
        }
        Walker* w = mine[next++];
        if (spec.realtime_device_time) {
          const int64_t first = absl::ToUnixMillis(absl::Now()) -
                                spec.interval_ms * spec.fixes_per_batch;
          w->t_ms = std::max(w->t_ms, first);
        }
        lv1::FixBatch b;
        b.set_batch_id(++batch_id);
        w->Fill(spec.fixes_per_batch, spec.interval_ms, &b);
        stream.Send(b, scheduled);
      }
      stream.Close();
      lat[static_cast<size_t>(s)] = stream.TakeLatencies();
    });
  }
  for (auto& t : threads) t.join();
  PhaseOut out;
  out.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  out.fixes = totals->acked_fixes.load() - fixes0;
  out.batches = totals->acked_batches.load() - batches0;
  for (auto& v : lat) out.latency_ms.insert(out.latency_ms.end(), v.begin(), v.end());
  return out;
}

// ---- Observing the services -----------------------------------------------------------------

// gridwork_geofence_fixes_evaluated_total from geofence's /metrics (-1 if unavailable).
int64_t GeofenceEvaluated(int metrics_port) {
  const std::string body = testing::HttpGet(metrics_port, "/metrics");
  for (absl::string_view line : absl::StrSplit(body, '\n')) {
    if (absl::StartsWith(line, "gridwork_geofence_fixes_evaluated_total")) {
      std::vector<absl::string_view> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
      double v = 0;
      if (parts.size() >= 2 && absl::SimpleAtod(parts.back(), &v)) return static_cast<int64_t>(v);
    }
  }
  return -1;
}

struct StoreSizes {
  std::map<std::string, int64_t> sst_bytes;  // per column family
  std::map<std::string, int64_t> chunk_class_bytes;  // approximate, by worker-id prefix
  int64_t dir_bytes_before = 0, dir_bytes_after = 0;
  double compact_s = 0;
};

int64_t DirBytes(const std::string& dir) {
  int64_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) n += static_cast<int64_t>(e.file_size(ec));
  }
  return n;
}

// Opens the (stopped) location store with its persisted options, flushes and compacts every
// column family to the bottom level, and measures the SST files.
StoreSizes MeasureStore(const std::string& dir) {
  StoreSizes out;
  out.dir_bytes_before = DirBytes(dir);
  rocksdb::ConfigOptions cfg;
  cfg.ignore_unknown_options = true;
  cfg.ignore_unsupported_options = true;
  rocksdb::DBOptions db_opts;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  rocksdb::Status s = rocksdb::LoadLatestOptions(cfg, dir, &db_opts, &cfs);
  if (!s.ok()) Die("load store options: " + s.ToString());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::Open(db_opts, dir, cfs, &handles, &raw);
  if (!s.ok()) Die("open store: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  const absl::Time t0 = absl::Now();
  s = db->Flush(rocksdb::FlushOptions(), handles);
  if (!s.ok()) Die("flush: " + s.ToString());
  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* h : handles) {
    s = db->CompactRange(cro, h, nullptr, nullptr);
    if (!s.ok()) Die("compact " + h->GetName() + ": " + s.ToString());
  }
  out.compact_s = absl::ToDoubleSeconds(absl::Now() - t0);
  for (auto* h : handles) {
    rocksdb::ColumnFamilyMetaData meta;
    db->GetColumnFamilyMetaData(h, &meta);
    out.sst_bytes[h->GetName()] = static_cast<int64_t>(meta.size);
    if (h->GetName() == "chunks") {
      for (const char* prefix : {"w", "t", "o", "d"}) {
        const std::string lo = prefix, hi(1, static_cast<char>(prefix[0] + 1));
        rocksdb::Range r(lo, hi);
        uint64_t size = 0;
        rocksdb::SizeApproximationOptions sao;
        sao.include_files = true;
        sao.include_memtables = false;
        if (db->GetApproximateSizes(sao, h, &r, 1, &size).ok()) {
          out.chunk_class_bytes[prefix] = static_cast<int64_t>(size);
        }
      }
    }
  }
  for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
  (void)db->Close();
  db.reset();
  out.dir_bytes_after = DirBytes(dir);
  return out;
}

// ---- PostGIS ---------------------------------------------------------------------------------

struct PgOut {
  bool ran = false;
  double fixes_per_s = 0;
  double batch_p50_ms = 0, batch_p99_ms = 0;
  int64_t rows = 0, table_bytes = 0;
  std::string version;
};

PgOut RunPostgis(const std::string& url, int workers, int fpb) {
  PgOut out;
  auto admin = PostgisIngest::Connect(url);
  if (!admin.ok()) Die(std::string(admin.status().message()));
  if (absl::Status s = (*admin)->CreateSchema(Grids()); !s.ok()) Die(std::string(s.message()));
  out.version = (*admin)->ServerVersion();
  const int conns = absl::GetFlag(FLAGS_pg_connections);
  const absl::Time now = absl::Now();
  std::vector<Walker> walkers = MakeWalkers("p", workers, absl::ToUnixMillis(now - absl::Hours(24 * 6)), 600000);
  std::atomic<int64_t> fixes{0};
  std::atomic<bool> measuring{false};
  const double warm = absl::GetFlag(FLAGS_warmup_s), dur = absl::GetFlag(FLAGS_postgis_s);
  const absl::Time deadline = now + absl::Seconds(warm + dur);
  std::vector<std::vector<double>> lat(static_cast<size_t>(conns));
  std::vector<std::thread> threads;
  for (int c = 0; c < conns; ++c) {
    threads.emplace_back([&, c] {
      auto pg = PostgisIngest::Connect(url);
      if (!pg.ok()) Die(std::string(pg.status().message()));
      if (absl::Status s = (*pg)->Prepare(); !s.ok()) Die(std::string(s.message()));
      std::vector<PgFix> batch;
      for (size_t i = static_cast<size_t>(c); absl::Now() < deadline;) {
        Walker& w = walkers[i];
        batch.clear();
        w.Fill(fpb, 1000, nullptr, &batch);
        const absl::Time t0 = absl::Now();
        int inside = 0;
        auto n = (*pg)->IngestBatch(w.id, w.device, batch, &inside);
        if (!n.ok()) Die(std::string(n.status().message()));
        if (*n != fpb) Die(absl::StrCat("PostGIS inserted ", *n, " of ", fpb));
        // ST_Contains excludes the boundary: a point exactly on a grid edge is in no grid.
        if (inside < fpb - 2) Die(absl::StrCat("PostGIS found ", inside, " of ", fpb, " points in a grid"));
        if (measuring.load()) {
          fixes.fetch_add(*n);
          lat[static_cast<size_t>(c)].push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
        }
        i += static_cast<size_t>(conns);
        if (i >= walkers.size()) i = static_cast<size_t>(c);
      }
    });
  }
  absl::SleepFor(absl::Seconds(warm));
  measuring = true;
  const absl::Time m0 = absl::Now();
  absl::SleepFor(deadline - absl::Now());
  measuring = false;
  const double secs = absl::ToDoubleSeconds(absl::Now() - m0);
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  out.ran = true;
  out.fixes_per_s = static_cast<double>(fixes.load()) / secs;
  out.batch_p50_ms = Percentile(all, 50);
  out.batch_p99_ms = Percentile(all, 99);
  if (auto sz = (*admin)->PositionsSize(); sz.ok()) {
    out.rows = sz->first;
    out.table_bytes = sz->second;
  }
  return out;
}

// ---- Main --------------------------------------------------------------------------------------

std::string SelfDir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "." : p.parent_path().string();
}

std::string Num(double v, int prec = 1) {
  if (std::isnan(v)) return "null";
  return absl::StrFormat("%.*f", prec, v);
}

int Main() {
  const bool json = absl::GetFlag(FLAGS_json);
  std::string bin_dir = absl::GetFlag(FLAGS_bin_dir);
  if (bin_dir.empty()) bin_dir = SelfDir();
  for (const char* b : {"gridwork-location", "gridwork-geofence"}) {
    if (access((bin_dir + "/" + b).c_str(), X_OK) != 0) Die(absl::StrCat(bin_dir, "/", b, " not found; build it or pass --bin_dir"));
  }
  std::string work = absl::GetFlag(FLAGS_work_dir);
  std::unique_ptr<testing::TempDir> tmp;
  if (work.empty()) {
    tmp = std::make_unique<testing::TempDir>();
    work = tmp->path();
  }
  const std::string loc_dir = work + "/location", fence_dir = work + "/geofence";
  std::filesystem::create_directories(loc_dir);
  std::filesystem::create_directories(fence_dir);
  const char* env_key = std::getenv("GRIDWORK_PRINCIPAL_KEY");
  const std::string key = env_key != nullptr && std::strlen(env_key) >= 16
                              ? env_key
                              : absl::StrCat("location-bench-key-", getpid(), "-", absl::ToUnixNanos(absl::Now()));
  const std::vector<std::string> env = {"GRIDWORK_PRINCIPAL_KEY=" + key};
  const int loc_port = testing::PickFreePort(), fence_port = testing::PickFreePort();
  const std::string loc_addr = absl::StrCat("127.0.0.1:", loc_port);
  const std::string fence_addr = absl::StrCat("127.0.0.1:", fence_port);
  testing::ServiceProcess geofence(bin_dir + "/gridwork-geofence",
                                   {"--grpc_addr=" + fence_addr, "--metrics_addr=127.0.0.1:0",
                                    "--data_dir=" + fence_dir, "--location_addr=" + loc_addr},
                                   env);
  testing::ServiceProcess location(bin_dir + "/gridwork-location",
                                   {"--grpc_addr=" + loc_addr, "--metrics_addr=127.0.0.1:0",
                                    "--data_dir=" + loc_dir, "--geofence_addr=" + fence_addr},
                                   env);
  if (absl::Status s = geofence.Start(absl::Seconds(30)); !s.ok()) Die(std::string(s.message()));
  if (absl::Status s = location.Start(absl::Seconds(30)); !s.ok()) Die(std::string(s.message()));
  Note(absl::StrCat("services up: location pid ", location.pid(), ", geofence pid ", geofence.pid(), ", data in ", work));

  Env e;
  e.codec = std::make_unique<rpc::PrincipalCodec>(key);
  e.service.set_subject("location-bench");
  e.service.set_role(common::v1::ROLE_SERVICE);
  *e.service.mutable_expires_at() = service::ToProto(absl::Now() + absl::Hours(2));
  Principal admin = e.service;
  admin.set_role(common::v1::ROLE_ADMIN);
  for (int i = 0; i < std::max(1, absl::GetFlag(FLAGS_channels)); ++i) {
    grpc::ChannelArguments args;
    args.SetInt("gridwork.bench.channel", i);  // distinct args: a separate connection each
    args.SetMaxReceiveMessageSize(64 << 20);
    e.stubs.push_back(lv1::LocationService::NewStub(
        grpc::CreateCustomChannel(loc_addr, grpc::InsecureChannelCredentials(), args)));
  }
  auto call = [&](const Principal& p, absl::Duration timeout = absl::Seconds(60)) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    e.codec->Attach(p, ctx.get());
    return ctx;
  };

  // Region tree.
  auto fence = gv1::GeofenceService::NewStub(grpc::CreateChannel(fence_addr, grpc::InsecureChannelCredentials()));
  {
    gv1::ImportRegionsRequest req;
    req.set_request_id("bench-import");
    req.set_geojson(TreeGeoJson());
    gv1::ImportRegionsResponse resp;
    grpc::Status st = fence->ImportRegions(call(admin).get(), req, &resp);
    if (!st.ok()) Die("ImportRegions: " + st.error_message());
  }
  auto feed = common::v1::Feed::NewStub(grpc::CreateChannel(loc_addr, grpc::InsecureChannelCredentials()));
  auto feed_last = [&]() -> int64_t {
    common::v1::FeedInfo info;
    grpc::Status st = feed->GetFeedInfo(call(e.service).get(), common::v1::GetFeedInfoRequest(), &info);
    return st.ok() ? static_cast<int64_t>(info.last_sequence()) : -1;
  };

  Totals totals;
  // One batch first, and wait until geofence has evaluated it: its feed consumer is connected.
  if (absl::GetFlag(FLAGS_wait_for_consumer)) {
    std::vector<Walker> first = MakeWalkers("x", 1, 0, 0);
    PhaseSpec spec{&first, 2, 15000, 1};
    spec.max_batches_per_worker = 1;
    spec.realtime_device_time = true;
    RunPhase(e, spec, &totals);
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (GeofenceEvaluated(geofence.metrics_port()) < 2 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    if (GeofenceEvaluated(geofence.metrics_port()) < 2) Die("geofence did not evaluate the first fixes");
  }
  const int64_t rss_idle = RssBytes(location.pid());
  const int streams = absl::GetFlag(FLAGS_streams), window = absl::GetFlag(FLAGS_window);
  const int fpb = absl::GetFlag(FLAGS_fixes_per_batch);

  // 1. online: many distinct workers, one 2-fix batch each.
  const int online_n = absl::GetFlag(FLAGS_online_workers);
  std::vector<Walker> online = MakeWalkers("w", online_n, 0, 0);
  PhaseOut online_out;
  {
    PhaseSpec spec{&online, 2, 15000, window};
    spec.max_batches_per_worker = 1;
    spec.realtime_device_time = true;  // fixes at now - 30 s and now - 15 s: online
    Note(absl::StrCat("online phase: ", online_n, " workers x 1 batch of 2 fixes"));
    online_out = RunPhase(e, spec, &totals);
  }
  const int64_t rss_online = RssBytes(location.pid());
  Note(absl::StrFormat("online phase: %.1f s, %.0f fixes/s, RSS %.1f MiB (idle %.1f MiB)", online_out.seconds,
                       online_out.fixes / online_out.seconds, rss_online / 1048576.0, rss_idle / 1048576.0));

  // 2. throughput, closed loop.
  const int workers_n = absl::GetFlag(FLAGS_workers);
  std::vector<Walker> tput = MakeWalkers("t", workers_n, absl::ToUnixMillis(absl::Now() - absl::Hours(24 * 6)), 600000);
  const double warm = absl::GetFlag(FLAGS_warmup_s), dur = absl::GetFlag(FLAGS_throughput_s);
  double fixes_per_s = 0, tput_p50 = 0, tput_p99 = 0, eval_rate = 0;
  double cpu_loc = 0, cpu_fence = 0, cpu_self = 0;
  {
    PhaseSpec spec{&tput, fpb, 1000, window};
    spec.deadline = absl::Now() + absl::Seconds(warm + dur);
    Note(absl::StrCat("throughput phase: ", workers_n, " workers, ", streams, " streams, window ", window, ", ", fpb,
                      " fixes/batch, ", warm, " s warm-up + ", dur, " s"));
    PhaseOut out;
    std::thread runner([&] { out = RunPhase(e, spec, &totals); });
    absl::SleepFor(absl::Seconds(warm));
    const int64_t f0 = totals.acked_fixes.load(), ev0 = GeofenceEvaluated(geofence.metrics_port());
    const double cl0 = CpuSeconds(location.pid()), cf0 = CpuSeconds(geofence.pid()), cs0 = CpuSeconds(getpid());
    const absl::Time t0 = absl::Now();
    pid_t perf = -1;
    if (!absl::GetFlag(FLAGS_perf_out).empty()) {
      perf = fork();
      if (perf == 0) {
        const std::string p = std::to_string(location.pid()), s = std::to_string(static_cast<int>(dur * 0.8));
        const std::string o = absl::GetFlag(FLAGS_perf_out);
        execlp("perf", "perf", "record", "-F", "499", "-g", "-p", p.c_str(), "-o", o.c_str(), "--", "sleep",
               s.c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
    }
    absl::SleepFor(spec.deadline - absl::Now());
    const double secs = absl::ToDoubleSeconds(absl::Now() - t0);
    const int64_t f1 = totals.acked_fixes.load(), ev1 = GeofenceEvaluated(geofence.metrics_port());
    cpu_loc = (CpuSeconds(location.pid()) - cl0) / secs;
    cpu_fence = (CpuSeconds(geofence.pid()) - cf0) / secs;
    cpu_self = (CpuSeconds(getpid()) - cs0) / secs;
    runner.join();
    if (perf > 0) {
      int status = 0;
      waitpid(perf, &status, 0);
    }
    fixes_per_s = static_cast<double>(f1 - f0) / secs;
    eval_rate = static_cast<double>(ev1 - ev0) / secs;
    tput_p50 = Percentile(out.latency_ms, 50);
    tput_p99 = Percentile(out.latency_ms, 99);
    Note(absl::StrFormat("throughput: %.0f fixes/s acked, geofence %.0f fixes/s evaluated, lag %d fixes; "
                         "CPU cores: location %.2f, geofence %.2f, bench %.2f",
                         fixes_per_s, eval_rate, totals.acked_fixes.load() - GeofenceEvaluated(geofence.metrics_port()),
                         cpu_loc, cpu_fence, cpu_self));
  }

  // Let geofence catch up before the latency phase, so that phase sees a steady state.
  const int64_t acked_after_tput = totals.acked_fixes.load();
  int64_t evaluated = GeofenceEvaluated(geofence.metrics_port());
  const int64_t lag_at_end = acked_after_tput - evaluated;
  const absl::Time drain0 = absl::Now();
  const absl::Time drain_deadline = drain0 + absl::Seconds(absl::GetFlag(FLAGS_drain_s));
  while (evaluated < acked_after_tput && absl::Now() < drain_deadline) {
    absl::SleepFor(absl::Milliseconds(100));
    evaluated = GeofenceEvaluated(geofence.metrics_port());
  }
  const double drain_s = absl::ToDoubleSeconds(absl::Now() - drain0);
  const int64_t lag_after_drain = acked_after_tput - evaluated;
  const double drain_rate = drain_s > 0 ? static_cast<double>(lag_at_end - lag_after_drain) / drain_s : 0;
  Note(absl::StrFormat("geofence: lag %d after the throughput phase, %d after %.1f s without load (%.0f fixes/s)",
                       lag_at_end, lag_after_drain, drain_s, drain_rate));

  // 3. open loop at --open_loop_rate.
  const double ol_rate = absl::GetFlag(FLAGS_open_loop_rate);
  const int ol_workers = static_cast<int>(ol_rate / fpb * 30);  // each sends a batch per 30 s
  std::vector<Walker> ol = MakeWalkers("o", std::max(ol_workers, streams), 0, 0);
  PhaseOut ol_out;
  int64_t ol_sent0 = totals.sent_batches.load();
  {
    PhaseSpec spec{&ol, fpb, 1000, 0};
    spec.open_loop_batches_per_s = ol_rate / fpb;
    spec.deadline = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_open_loop_s));
    spec.realtime_device_time = true;
    Note(absl::StrCat("open loop: ", ol_rate, " fixes/s = ", Num(ol_rate / fpb), " batches/s over ",
                      streams, " streams, ", ol.size(), " workers"));
    ol_out = RunPhase(e, spec, &totals);
  }
  const double ol_p50 = Percentile(ol_out.latency_ms, 50), ol_p99 = Percentile(ol_out.latency_ms, 99);
  const double ol_max = Percentile(ol_out.latency_ms, 100);
  const double ol_achieved = static_cast<double>(ol_out.fixes) / absl::GetFlag(FLAGS_open_loop_s);
  Note(absl::StrFormat("open loop: %d batches sent, ack p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                       totals.sent_batches.load() - ol_sent0, ol_p50, ol_p99, ol_max));

  // 4. day tracks: 5,760 fixes per worker-day via IngestFixes, 120 fixes (30 min) per call.
  const int day_n = absl::GetFlag(FLAGS_day_workers);
  const int64_t day_start = (absl::ToUnixMillis(absl::Now() - absl::Hours(72)) / 600000) * 600000;
  std::vector<Walker> days = MakeWalkers("d", std::max(day_n, 1), day_start, 0);
  int64_t day_fixes = 0;
  {
    std::atomic<int64_t> n{0};
    std::vector<std::thread> th;
    const int threads = std::min<int>(streams, static_cast<int>(days.size()));
    for (int t = 0; t < threads; ++t) {
      th.emplace_back([&, t] {
        auto* stub = e.stubs[static_cast<size_t>(t) % e.stubs.size()].get();
        for (size_t i = static_cast<size_t>(t); i < days.size(); i += static_cast<size_t>(threads)) {
          for (int b = 0; b < 48; ++b) {
            lv1::FixBatch batch;
            batch.set_batch_id(static_cast<uint64_t>(b + 1));
            days[i].Fill(120, 15000, &batch);
            lv1::BatchAck ack;
            grpc::Status st = stub->IngestFixes(call(e.service).get(), batch, &ack);
            if (!st.ok()) Die("IngestFixes: " + st.error_message());
            if (ack.accepted() != 120) {
              Die(absl::StrCat("day batch: accepted ", ack.accepted(), ", rejected ", ack.rejections_size(),
                               ack.rejections_size() > 0 ? " " + ack.rejections(0).detail() : ""));
            }
            n.fetch_add(120);
          }
        }
      });
    }
    for (auto& t : th) t.join();
    day_fixes = n.load();
    totals.acked_fixes.fetch_add(day_fixes);
  }
  // Time GetTrack without geofence catching up on the uploads in the background.
  {
    const int64_t acked = totals.acked_fixes.load();
    const absl::Time deadline = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_drain_s));
    while (GeofenceEvaluated(geofence.metrics_port()) < acked && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  std::vector<double> track_ms, track_ms_points;
  int track_points = 0;
  int64_t track_bytes = 0, track_bytes_points = 0;
  {
    lv1::GetTrackRequest req;
    req.set_worker_id(days[0].id);
    *req.mutable_start_time() = service::ToProto(absl::FromUnixMillis(day_start));
    *req.mutable_end_time() = service::ToProto(absl::FromUnixMillis(day_start + 86400000));
    req.set_page_size(10000);
    const int calls = absl::GetFlag(FLAGS_track_calls);
    // The packed form (what clients use) is the figure; the TrackPoint form is noted.
    for (const bool packed : {false, true}) {
      req.set_packed(packed);
      std::vector<double>& times = packed ? track_ms : track_ms_points;
      for (int i = 0; i < calls + 5; ++i) {
        lv1::GetTrackResponse resp;
        auto ctx = call(e.service);
        const absl::Time t0 = absl::Now();
        grpc::Status st = e.stubs[0]->GetTrack(ctx.get(), req, &resp);
        int points = resp.points_size();
        if (st.ok() && packed) {
          // Decoding is part of the client's cost.
          absl::StatusOr<std::vector<location::TrackSample>> samples = location::UnpackTrack(resp.packed());
          if (!samples.ok()) Die("GetTrack packed: " + std::string(samples.status().message()));
          points = static_cast<int>(samples->size());
        }
        const double ms = absl::ToDoubleMilliseconds(absl::Now() - t0);
        if (!st.ok()) Die("GetTrack: " + st.error_message());
        if (points != 5760 || !resp.next_page_token().empty()) {
          Die(absl::StrCat("GetTrack returned ", points, " points (want 5760 on one page)"));
        }
        track_points = points;
        if (packed) track_bytes = static_cast<int64_t>(resp.ByteSizeLong());
        else track_bytes_points = static_cast<int64_t>(resp.ByteSizeLong());
        if (i >= 5) times.push_back(ms);
      }
    }
  }
  const double day_track_ms = Percentile(track_ms, 50);
  Note(absl::StrFormat("day track: %d points; packed p50 %.2f ms, p99 %.2f ms, %d B; TrackPoints p50 %.2f ms, "
                       "p99 %.2f ms, %d B",
                       track_points, day_track_ms, Percentile(track_ms, 99), track_bytes,
                       Percentile(track_ms_points, 50), Percentile(track_ms_points, 99), track_bytes_points));
  const int64_t rss_end = RssBytes(location.pid());

  // 5. geofence after everything (the open-loop phase is slower than geofence: lag ~0).
  const int64_t acked_total = totals.acked_fixes.load();
  const int64_t feed_seq = feed_last();
  absl::SleepFor(absl::Seconds(1));
  const int64_t lag_final = acked_total - GeofenceEvaluated(geofence.metrics_port());
  Note(absl::StrFormat("geofence: %d acked in all, feed last_sequence %d, lag %d one second after the last ack",
                       acked_total, feed_seq, lag_final));

  // 6. disk.
  const int loc_exit = location.Stop();
  if (loc_exit != 0) Die(absl::StrCat("gridwork-location exited with ", loc_exit, "\n", location.Log()));
  geofence.Stop();
  Note("measuring the store (flush + full compaction)");
  StoreSizes sizes = MeasureStore(loc_dir);
  const int64_t chunk_bytes = sizes.sst_bytes["chunks"];
  const int64_t event_bytes = sizes.sst_bytes["events"];
  int64_t other_bytes = 0;
  for (const auto& [cf, b] : sizes.sst_bytes) {
    if (cf != "chunks" && cf != "events") other_bytes += b;
  }
  const double bytes_per_fix = static_cast<double>(chunk_bytes) / static_cast<double>(acked_total);
  const double event_bytes_per_fix = static_cast<double>(event_bytes) / static_cast<double>(acked_total);
  const int64_t tput_fixes = [&] {
    int64_t n = 0;
    for (const Walker& w : tput) n += static_cast<int64_t>(w.seq);
    return n;
  }();
  auto class_bpf = [&](const char* prefix, int64_t fixes) {
    auto it = sizes.chunk_class_bytes.find(prefix);
    return it == sizes.chunk_class_bytes.end() || fixes == 0
               ? std::nan("")
               : static_cast<double>(it->second) / static_cast<double>(fixes);
  };
  const double bpf_1hz = class_bpf("t", tput_fixes);
  const double bpf_15s = class_bpf("d", day_fixes);
  const double bpf_online = class_bpf("w", online_out.fixes);

  // 7. PostGIS.
  PgOut pg;
  if (!absl::GetFlag(FLAGS_postgres_url).empty()) {
    Note("PostGIS: same throughput workload");
    pg = RunPostgis(absl::GetFlag(FLAGS_postgres_url), workers_n, fpb);
    Note(absl::StrFormat("PostGIS: %.0f fixes/s, batch p50 %.2f ms p99 %.2f ms, %d rows, %d bytes", pg.fixes_per_s,
                         pg.batch_p50_ms, pg.batch_p99_ms, pg.rows, pg.table_bytes));
  }
  const double ratio = pg.ran && pg.fixes_per_s > 0 ? fixes_per_s / pg.fixes_per_s : std::nan("");

  // Report.
  const double mib = 1048576.0;
  std::printf("\nLocation ingest (%d cores; %d streams over %d channels, window %d)\n\n", static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)),
              streams, static_cast<int>(e.stubs.size()), window);
  std::printf("| figure | value | target |\n| --- | --- | --- |\n");
  std::printf("| sustained ingest, %d workers, %d fixes/batch | %.0f fixes/s (batch ack p50 %.1f ms, p99 %.1f ms) | >= 200,000 |\n",
              workers_n, fpb, fixes_per_s, tput_p50, tput_p99);
  std::printf("| ingest, %d workers x 1 batch of 2 fixes | %.0f fixes/s (%.0f batches/s) | |\n", online_n,
              online_out.fixes / online_out.seconds, online_out.batches / online_out.seconds);
  std::printf("| geofence evaluation during sustained ingest | %.0f fixes/s; lag %lld fixes at the end, %lld after %.1f s without load (catch-up %.0f fixes/s); %lld at the very end | |\n",
              eval_rate, static_cast<long long>(lag_at_end), static_cast<long long>(lag_after_drain), drain_s, drain_rate,
              static_cast<long long>(lag_final));
  std::printf("| CPU during sustained ingest (cores) | location %.2f, geofence %.2f, load generator %.2f | |\n", cpu_loc,
              cpu_fence, cpu_self);
  std::printf("| ack latency, open loop %.0f fixes/s offered (%.0f achieved) | p50 %.2f ms, p99 %.2f ms, max %.1f ms | p99 < 20 ms |\n",
              ol_rate, ol_achieved, ol_p50, ol_p99, ol_max);
  std::printf("| chunk SST bytes per stored fix (all %lld fixes) | %.2f B | <= 16 B |\n", static_cast<long long>(acked_total),
              bytes_per_fix);
  std::printf("| ... 1 Hz tracks / 15-s day tracks / 2-fix chunks (approx.) | %s / %s / %s B | |\n", Num(bpf_1hz, 2).c_str(),
              Num(bpf_15s, 2).c_str(), Num(bpf_online, 2).c_str());
  std::printf("| feed (events family) SST bytes per fix | %.2f B | (trimmed after --feed_retention) |\n", event_bytes_per_fix);
  std::printf("| other families (last, rejected, grids, cursors, meta, ...) | %.2f MiB | |\n", other_bytes / mib);
  std::printf("| store dir before / after compaction | %.1f / %.1f MiB (compaction %.1f s) | |\n",
              sizes.dir_bytes_before / mib, sizes.dir_bytes_after / mib, sizes.compact_s);
  std::printf("| GetTrack of a 5,760-fix worker-day, packed (TrackPoints) | p50 %.2f ms, p99 %.2f ms (p50 %.2f ms) | <= 2 ms |\n",
              day_track_ms, Percentile(track_ms, 99), Percentile(track_ms_points, 50));
  std::printf("| RSS of gridwork-location | idle %.1f MiB, %d workers online %.1f MiB, end %.1f MiB | <= 500 MiB |\n",
              rss_idle / mib, online_n, rss_online / mib, rss_end / mib);
  if (pg.ran) {
    std::printf("| PostGIS, same workload, %d connections (%s) | %.0f fixes/s (batch p50 %.1f ms, p99 %.1f ms); %.1f B/row on disk | |\n",
                absl::GetFlag(FLAGS_pg_connections), pg.version.c_str(), pg.fixes_per_s, pg.batch_p50_ms,
                pg.batch_p99_ms, pg.rows > 0 ? static_cast<double>(pg.table_bytes) / static_cast<double>(pg.rows) : 0.0);
    std::printf("| gridwork / PostGIS | %.1fx | |\n", ratio);
  }
  std::printf("\nrejected %lld, duplicates %lld\n", static_cast<long long>(totals.rejected.load()),
              static_cast<long long>(totals.duplicates.load()));
  if (json) {
    std::string j = absl::StrFormat(
        R"({"name":"location_ingest","fixes_per_s":%.0f,"ack_p99_ms_at_20k":%s,"ack_p50_ms_at_20k":%s,)"
        R"("open_loop_offered_fixes_per_s":%.0f,"bytes_per_fix":%s,"bytes_per_fix_1hz":%s,"bytes_per_fix_15s":%s,)"
        R"("feed_bytes_per_fix":%s,"day_track_ms":%s,"rss_mib_100k_online":%s,"rss_mib_idle":%s,"rss_mib_end":%s,)"
        R"("geofence_eval_fixes_per_s":%.0f,"geofence_lag_fixes_end_of_ingest":%lld,"geofence_lag_fixes_after_drain":%lld,"geofence_catch_up_fixes_per_s":%.0f,"geofence_lag_fixes_final":%lld,)"
        R"("small_batch_fixes_per_s":%.0f,"ingest_ack_p99_ms":%s,"vs_postgis":%s,"postgis_fixes_per_s":%s,)"
        R"("workers":%d,"streams":%d,"fixes_per_batch":%d,"online_workers":%d,"stored_fixes":%lld,"rejected":%lld,)"
        R"("units":{"fixes_per_s":"acknowledged fixes/s","ack_p99_ms_at_20k":"ms, scheduled send to ack",)"
        R"("bytes_per_fix":"chunks SST bytes / stored fix after full compaction","day_track_ms":"ms, p50",)"
        R"("rss_mib_100k_online":"MiB VmRSS","vs_postgis":"ratio of fixes/s"}})",
        fixes_per_s, Num(ol_p99, 2), Num(ol_p50, 2), ol_rate, Num(bytes_per_fix, 2), Num(bpf_1hz, 2),
        Num(bpf_15s, 2), Num(event_bytes_per_fix, 2), Num(day_track_ms, 3),
        online_n >= 100000 ? Num(rss_online / mib, 1) : "null", Num(rss_idle / mib, 1), Num(rss_end / mib, 1),
        eval_rate, static_cast<long long>(lag_at_end), static_cast<long long>(lag_after_drain), drain_rate, static_cast<long long>(lag_final),
        online_out.fixes / online_out.seconds, Num(tput_p99, 2), Num(ratio, 2),
        pg.ran ? Num(pg.fixes_per_s, 0) : "null", workers_n, streams, fpb, online_n,
        static_cast<long long>(acked_total), static_cast<long long>(totals.rejected.load()));
    std::printf("%s\n", j.c_str());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace gridwork::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("End-to-end ingest benchmark of gridwork-location (see docs/benchmarks.md).");
  absl::ParseCommandLine(argc, argv);
  return gridwork::bench::Main();
}
