// stack_load_bench: the whole Gridwork stack under gridsim load through the gateway (issue 10).
//
// Starts the five services and the gateway as processes of this build (temporary RocksDB
// directories, durable), loads one district's demo regions, both catalogues and the demo people
// (gridsim load-demo), then, all through the gateway:
//
//   * N simulated workers, one fix every --interval each (gridsim's load runner);
//   * incidents, inspections and the closed loop of orders (`gridsim day` in the background);
//   * cockpit readers: StreamCockpit subscribers, a GetCockpit poller, and a live-map probe;
//
// and prints sustained fixes/s, ack p50/p99, fix -> fence event p99, fix -> cockpit p99, CPU
// and memory per service; then (unless --quick or --ramp=false) steps the offered load up
// until the stack falls behind and prints the knee; then, with --postgres_url, the same core
// path (insert fix, grid lookup, presence upsert, per fix) on PostgreSQL/PostGIS and the
// ratio. With --json the last line is one JSON object of the figures. Method and figures:
// docs/benchmarks.md, "Whole stack under load". Run by bench/run_stack_bench.sh.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/geometry.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "bench/location_bench_process.h"
#include "bench/stack_bench_probes.h"
#include "bench/stack_bench_stack.h"
#include "bench/stack_postgis.h"
#include "demo_geography/random.h"
#include "gridwork/core/status_macros.h"
#include "tools/gridsim/city_source.h"
#include "tools/gridsim/demo_names.h"
#include "tools/gridsim/load_runner.h"
#include "tools/gridsim/route.h"

ABSL_FLAG(std::string, bin_dir, GRIDWORK_BIN_DIR,
          "Directory of the gridwork-* binaries, gridsim and gridwork-demo-geo.");
ABSL_FLAG(std::string, source_dir, GRIDWORK_SOURCE_DIR, "Repository root (catalogues, data).");
ABSL_FLAG(std::string, postgres_url, "",
          "libpq conninfo of a PostgreSQL+PostGIS server for the baseline; empty = skipped.");
ABSL_FLAG(bool, quick, false,
          "CI mode: 1,500 workers for 10 s, 20 day workers, no ramp, 5 s of PostGIS.");
ABSL_FLAG(int, workers, 100000, "Simulated workers of the sustained phase.");
ABSL_FLAG(absl::Duration, interval, absl::Seconds(5), "Time between two fixes of a worker.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(60), "Length of the sustained phase.");
ABSL_FLAG(int, fixes_per_call, 1,
          "Fixes per IngestFixes call: 1 = every fix sent when taken; k = a worker uploads its "
          "last k fixes every k intervals (as phones batch). PostGIS gets the same batches.");
ABSL_FLAG(bool, ramp, true, "Step the offered load up after the sustained phase.");
ABSL_FLAG(std::string, ramp_rates,
          "250,500,1000,1500,2000,3000,4000,6000,8000,12000,16000,20000,24000,28000,32000",
          "Offered fixes/s of the ramp's steps (comma-separated, ascending).");
ABSL_FLAG(absl::Duration, ramp_step, absl::Seconds(20), "Length of one ramp step.");
ABSL_FLAG(int, day_workers, 300, "Grid workers of the background `gridsim day`.");
ABSL_FLAG(double, day_speed, 60, "Speed of the background `gridsim day`.");
ABSL_FLAG(int, cockpit_streams, 4, "StreamCockpit subscribers.");
ABSL_FLAG(int, probes, 8, "Probe workers of the fix -> cockpit measurement.");
ABSL_FLAG(int, pg_connections, 16, "PostgreSQL connections of the baseline.");
ABSL_FLAG(absl::Duration, pg_duration, absl::Seconds(20), "Length of the PostgreSQL run.");
ABSL_FLAG(bool, json, false, "Print the figures as one JSON object on the last line.");

namespace gridwork::bench {
namespace {

namespace bg = boost::geometry;
constexpr double kTargetFixesPerS = 20000;
const std::vector<std::string> kServices = {"gateway",   "location",   "geofence",
                                            "workorder", "inspection", "analytics"};

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return absl::StrCat(a, " ", b, " ", c);
}

double SelfCpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of every process of interest at one instant.
struct CpuSnapshot {
  absl::Time at;
  std::map<std::string, double> cpu;
};

CpuSnapshot Snapshot(const std::map<std::string, pid_t>& pids) {
  CpuSnapshot s;
  s.at = absl::Now();
  for (const auto& [name, pid] : pids) s.cpu[name] = CpuSeconds(pid);
  s.cpu["driver"] = SelfCpuSeconds();
  return s;
}

std::map<std::string, double> Cores(const CpuSnapshot& a, const CpuSnapshot& b) {
  std::map<std::string, double> cores;
  const double wall = absl::ToDoubleSeconds(b.at - a.at);
  for (const auto& [name, v] : b.cpu) {
    auto it = a.cpu.find(name);
    if (it != a.cpu.end() && wall > 0 && v >= 0 && it->second >= 0) {
      cores[name] = (v - it->second) / wall;
    }
  }
  return cores;
}

// Sender threads of the load runner: its calls are asynchronous, so a few threads keep up
// with thousands of calls per second (one per 1,000 calls/s, 2 to 8).
int Senders(double calls_per_s) { return std::clamp(static_cast<int>(calls_per_s / 1000), 2, 8); }

int64_t FailedCalls(const gridsim::LoadResult& r) {
  int64_t n = 0;
  for (const auto& [k, v] : r.errors) n += k.rfind("rejected:", 0) == 0 ? 0 : v;
  return n;
}

// One load phase with everything watched.
struct Phase {
  gridsim::LoadResult load;
  FenceWatcher::Figures fence;
  LiveProbe::Figures live;
  CockpitReaders::Figures cockpit;
  std::map<std::string, double> cores;
  std::map<std::string, double> rss_mib;
};

struct Watchers {
  FenceWatcher* fence;
  LiveProbe* live;
  CockpitReaders* cockpit;
  void Reset() {
    fence->Take();
    live->Take();
    cockpit->Take();
  }
};

// Runs the load runner for `o.duration`; the window measured starts after `warmup` (every
// worker has sent its first fix by then) and ends `grace` after the last ack, so that the
// fence events of the last fixes are counted.
absl::StatusOr<Phase> RunPhase(const gridsim::LoadOptions& o, absl::Duration warmup, Watchers w,
                               const std::map<std::string, pid_t>& pids) {
  std::atomic<bool> stop{false};
  absl::StatusOr<gridsim::LoadResult> result;
  std::thread runner([&] { result = gridsim::RunLoad(o, stop); });
  absl::SleepFor(warmup);
  w.Reset();
  CpuSnapshot a = Snapshot(pids);
  runner.join();
  CpuSnapshot b = Snapshot(pids);
  absl::SleepFor(absl::Seconds(2));
  if (!result.ok()) return result.status();
  Phase p;
  p.load = *result;
  p.fence = w.fence->Take();
  p.live = w.live->Take();
  p.cockpit = w.cockpit->Take();
  p.cores = Cores(a, b);
  for (const auto& [name, pid] : pids) p.rss_mib[name] = RssBytes(pid) / 1048576.0;
  return p;
}

std::string PhaseLine(const Phase& p) {
  return absl::StrFormat(
      "offered %.0f/s acked %.0f/s (sent %d acked %d rejected %d failed %d skipped %d) | ack "
      "p50 %.1f p99 %.1f max %.1f ms, send lag p99 %.1f ms | fence events %d, fix->fence p50 "
      "%.1f p99 %.1f ms | fix->cockpit n=%d p50 %.1f p99 %.1f ms (timeouts %d) | cockpit "
      "updates %d, GetCockpit p99 %.1f ms",
      p.load.offered_per_second, p.load.fixes_per_second, p.load.sent, p.load.acked,
      p.load.rejected, FailedCalls(p.load), p.load.skipped, p.load.ack_p50_ms, p.load.ack_p99_ms,
      p.load.ack_max_ms, p.load.send_lag_p99_ms, p.fence.events, p.fence.latency.p50_ms,
      p.fence.latency.p99_ms, p.live.latency.count, p.live.latency.p50_ms, p.live.latency.p99_ms,
      p.live.timeouts, p.cockpit.stream_updates, p.cockpit.get.p99_ms);
}

// Waits until geofence has evaluated the backlog of the previous load: no fence event of a load
// worker for two consecutive seconds (at most `limit`). Returns the time it took.
absl::Duration Drain(FenceWatcher& fence, absl::Duration limit) {
  const absl::Time start = absl::Now();
  int quiet = 0;
  while (quiet < 2 && absl::Now() - start < limit) {
    absl::SleepFor(absl::Seconds(1));
    quiet = fence.Take().latency.count == 0 ? quiet + 1 : 0;
  }
  return absl::Now() - start;
}

// Probe workers: one per chosen grid, bound to it, at a point inside it.
absl::StatusOr<std::vector<ProbeWorker>> BindProbes(sdk::Session& admin,
                                                    const std::vector<gridsim::DemoRegion>& grids,
                                                    int n) {
  std::vector<ProbeWorker> probes;
  demo_geography::Rng rng(42);
  for (int i = 0; i < n && !grids.empty(); ++i) {
    const gridsim::DemoRegion& g = grids[(grids.size() * i) / n];
    bg::model::box<geo::Point> box;
    bg::envelope(g.shape, box);
    geo::Point pt;
    bool found = false;
    for (int k = 0; k < 1000 && !found; ++k) {
      pt = geo::Point(
          box.min_corner().x() + rng.Uniform() * (box.max_corner().x() - box.min_corner().x()),
          box.min_corner().y() + rng.Uniform() * (box.max_corner().y() - box.min_corner().y()));
      found = bg::within(pt, g.shape);
    }
    if (!found) continue;
    ProbeWorker p{absl::StrCat("probe-", i), g.id, pt.y(), pt.x()};
    geofence::v1::BindWorkerRequest bind;
    bind.set_request_id("bench-bind-" + p.worker_id);
    bind.set_worker_id(p.worker_id);
    bind.set_grid_id(p.grid_id);
    bind.set_role(geofence::v1::BINDING_ROLE_WORKER);
    geofence::v1::Binding out;
    auto ctx = admin.Context(absl::Seconds(10));
    grpc::Status s = admin.geofence().BindWorker(ctx.get(), bind, &out);
    if (!s.ok()) return absl::InternalError("BindWorker " + p.worker_id + ": " + s.error_message());
    probes.push_back(p);
  }
  return probes;
}

// Waits until analytics lists every probe (it learns bindings from geofence's feed).
bool WaitProbesKnown(sdk::Session& s, const std::vector<ProbeWorker>& probes) {
  const absl::Time end = absl::Now() + absl::Seconds(120);
  for (const ProbeWorker& p : probes) {
    bool known = false;
    while (!known && absl::Now() < end) {
      analytics::v1::ListLiveWorkersRequest req;
      req.set_region_prefix(p.grid_id);
      analytics::v1::ListLiveWorkersResponse resp;
      auto ctx = s.Context(absl::Seconds(5));
      if (s.analytics().ListLiveWorkers(ctx.get(), req, &resp).ok()) {
        for (const auto& w : resp.workers()) known |= w.worker_id() == p.worker_id;
      }
      if (!known) absl::SleepFor(absl::Milliseconds(100));
    }
    if (!known) return false;
  }
  return true;
}

// The background day's totals from its last summary line.
std::map<std::string, int64_t> DayTotals(const std::string& out) {
  std::map<std::string, int64_t> t;
  std::string last;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (line.find("incidents") != absl::string_view::npos) last = std::string(line);
  }
  for (const char* key : {"inspections", "incidents", "transitions", "closed", "errors"}) {
    std::smatch m;
    if (std::regex_search(last, m, std::regex(std::string(key) + " (\\d+)"))) {
      t[key] = std::stoll(m[1]);
    }
  }
  return t;
}

struct PgFigures {
  bool ran = false;
  double fixes_per_s = 0;
  Latencies latency;
  double inside_share = 0;
  std::string version;
  int64_t errors = 0;
};

// The same core path on PostgreSQL/PostGIS: `connections` closed-loop clients, each owning
// every connections-th worker of `workers`, random-walking as gridsim's load runner does.
absl::StatusOr<PgFigures> RunPostgis(const std::string& url,
                                     const std::vector<gridsim::DemoRegion>& grids, int workers,
                                     int connections, absl::Duration duration, int k) {
  PgFigures f;
  GW_ASSIGN_OR_RETURN(auto setup, PostgisCorePath::Connect(url));
  std::vector<std::pair<std::string, std::string>> wkt;
  for (const auto& g : grids) {
    std::ostringstream os;
    os << std::setprecision(17) << bg::wkt(g.shape);
    wkt.emplace_back(g.id, os.str());
  }
  GW_RETURN_IF_ERROR(setup->CreateSchema(wkt));
  f.version = setup->ServerVersion();
  std::mutex mu;
  std::vector<double> ms;
  int64_t done = 0, inside = 0;
  const absl::Time start = absl::Now();
  const absl::Time measure_from = start + absl::Seconds(2);
  const absl::Time end = measure_from + duration;
  std::vector<std::thread> threads;
  std::atomic<int64_t> errors{0};
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      auto conn = PostgisCorePath::Connect(url);
      if (!conn.ok() || !(*conn)->Prepare().ok()) {
        ++errors;
        return;
      }
      demo_geography::Rng rng(1000 + c);
      struct W {
        int id;
        geo::Point p;
        double heading;
      };
      std::vector<W> mine;
      for (int i = c; i < workers; i += connections) {
        mine.push_back({i, geo::Point(113.64 + 0.06 * rng.Uniform(), 34.76 + 0.05 * rng.Uniform()),
                        rng.Uniform() * 2 * M_PI});
      }
      std::vector<double> local;
      int64_t n = 0, in = 0;
      for (size_t it = 0; !mine.empty() && absl::Now() < end; ++it) {
        W& w = mine[it % mine.size()];
        if (rng.Uniform() < 0.1) w.heading += (rng.Uniform() - 0.5) * M_PI;
        w.p = gridsim::Offset(w.p, 6.5 * std::sin(w.heading), 6.5 * std::cos(w.heading));
        const absl::Time t0 = absl::Now();
        absl::StatusOr<std::string> grid;
        if (k == 1) {
          grid = (*conn)->IngestFix(absl::StrCat("load-", w.id), absl::StrCat("load-dev-", w.id),
                                    absl::ToUnixMicros(t0), absl::ToUnixMillis(t0), w.p.y(),
                                    w.p.x(), 8);
        } else {
          std::vector<PostgisCorePath::Fix> fixes;
          for (int j = 0; j < k; ++j) {
            if (j > 0) {
              w.p = gridsim::Offset(w.p, 6.5 * std::sin(w.heading), 6.5 * std::cos(w.heading));
            }
            fixes.push_back({static_cast<uint64_t>(absl::ToUnixMicros(t0)) + j,
                             absl::ToUnixMillis(t0) - 5000 * (k - 1 - j), w.p.y(), w.p.x()});
          }
          grid = (*conn)->IngestBatch(absl::StrCat("load-", w.id), absl::StrCat("load-dev-", w.id),
                                      fixes);
        }
        const absl::Time t1 = absl::Now();
        if (!grid.ok()) {
          ++errors;
          continue;
        }
        if (t0 >= measure_from && t1 <= end) {
          local.push_back(absl::ToDoubleMilliseconds(t1 - t0));
          n += k;
          in += grid->empty() ? 0 : k;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      ms.insert(ms.end(), local.begin(), local.end());
      done += n;
      inside += in;
    });
  }
  for (auto& t : threads) t.join();
  f.ran = true;
  f.errors = errors.load();
  f.fixes_per_s = done / absl::ToDoubleSeconds(duration);
  f.inside_share = done > 0 ? static_cast<double>(inside) / done : 0;
  f.latency = Summarise(std::move(ms));
  return f;
}

int Main() {
  const bool quick = absl::GetFlag(FLAGS_quick);
  const int workers = quick ? 1500 : absl::GetFlag(FLAGS_workers);
  const absl::Duration interval = absl::GetFlag(FLAGS_interval);
  const absl::Duration duration = quick ? absl::Seconds(10) : absl::GetFlag(FLAGS_duration);
  const bool ramp = !quick && absl::GetFlag(FLAGS_ramp);
  const int k = std::max(1, absl::GetFlag(FLAGS_fixes_per_call));
  const int day_workers = quick ? 20 : absl::GetFlag(FLAGS_day_workers);
  const absl::Duration pg_duration = quick ? absl::Seconds(5) : absl::GetFlag(FLAGS_pg_duration);
  std::vector<double> rates;
  for (absl::string_view r : absl::StrSplit(absl::GetFlag(FLAGS_ramp_rates), ',')) {
    double v;
    if (absl::SimpleAtod(r, &v)) rates.push_back(v);
  }
  const absl::Duration ramp_step = absl::GetFlag(FLAGS_ramp_step);
  const std::string load_at_start = LoadAverage();
  const absl::Time started = absl::Now();
  std::printf(
      "stack_load_bench: %s mode, %d workers x 1 fix / %s for %s; load average %s, %u "
      "cores\n",
      quick ? "quick" : "long", workers, absl::FormatDuration(interval).c_str(),
      absl::FormatDuration(duration).c_str(), load_at_start.c_str(),
      std::thread::hardware_concurrency());

  BenchStackOptions so;
  so.bin_dir = absl::GetFlag(FLAGS_bin_dir);
  so.source_dir = absl::GetFlag(FLAGS_source_dir);
  BenchStack stack(so);
  if (absl::Status s = stack.Start(); !s.ok()) {
    std::fprintf(stderr, "stack_load_bench: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  const absl::Time seed_start = absl::Now();
  if (absl::Status s = stack.Seed(); !s.ok()) {
    std::fprintf(stderr, "stack_load_bench: seed: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  const double seed_s = absl::ToDoubleSeconds(absl::Now() - seed_start);
  const std::string gateway = stack.gateway_addr();
  const std::string service_password = gridsim::DemoPassword("gridwork-demo", "gridsim");
  auto service = gridsim::LoginGateway(gateway, "gridsim", service_password, absl::Seconds(10));
  auto admin = gridsim::LoginGateway(gateway, "admin", kBenchAdminPassword, absl::Seconds(10));
  if (!service.ok() || !admin.ok()) {
    std::fprintf(stderr, "stack_load_bench: login failed\n");
    return 1;
  }
  auto city = gridsim::ReadCityInputs(**service, {so.district});
  if (!city.ok()) {
    std::fprintf(stderr, "stack_load_bench: %s\n", std::string(city.status().message()).c_str());
    return 1;
  }
  std::vector<gridsim::DemoRegion> grids;
  for (const auto& r : city->regions) {
    if (r.level == common::v1::REGION_LEVEL_GRID) grids.push_back(r);
  }
  auto probes = BindProbes(**admin, grids, absl::GetFlag(FLAGS_probes));
  if (!probes.ok() || !WaitProbesKnown(**service, *probes)) {
    std::fprintf(stderr, "stack_load_bench: probes not bound or not known to analytics\n");
    return 1;
  }
  std::printf("stack up and seeded in %.1f s: %zu grids, %zu probe workers; load average %s\n",
              seed_s, grids.size(), probes->size(), LoadAverage().c_str());

  // Incidents, inspections and the closed loop of orders: a compressed day in the background.
  std::vector<std::string> day_args = stack.GridsimArgs();
  for (const std::string& a :
       {absl::StrCat("--speed=", absl::GetFlag(FLAGS_day_speed)),
        absl::StrCat("--sim_workers=", day_workers), std::string("--linger"),
        std::string("--seed=7"), std::string("--summary_every=5s"), std::string("day")}) {
    day_args.push_back(a);
  }
  // A 10-s quick run at 60x is 10 simulated minutes: more reports so that some happen.
  if (quick) day_args.insert(day_args.end() - 1, "--incidents_per_worker=100");
  ChildProcess day(so.bin_dir + "/gridsim", day_args, {}, stack.work_dir() + "/day.log");
  if (absl::Status s = day.Start(); !s.ok()) {
    std::fprintf(stderr, "stack_load_bench: gridsim day: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  const absl::Time day_start = absl::Now();
  std::map<std::string, pid_t> pids = stack.Pids();
  pids["gridsim_day"] = day.pid();

  const absl::Duration watch_for =
      duration + (ramp ? ramp_step * static_cast<double>(rates.size() + 1) : absl::ZeroDuration()) +
      absl::Minutes(10);
  FenceWatcher fence(service->get(), "load-");
  if (absl::Status s = fence.Start(watch_for); !s.ok()) {
    std::fprintf(stderr, "stack_load_bench: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  CockpitReaders cockpit(service->get(), so.district, absl::GetFlag(FLAGS_cockpit_streams),
                         absl::Seconds(1));
  cockpit.Start(watch_for);
  LiveProbe live(service->get(), *probes, absl::Milliseconds(500), absl::Milliseconds(10));
  live.Start();
  Watchers w{&fence, &live, &cockpit};

  absl::Duration drained = Drain(fence, absl::Minutes(2));
  std::printf("quiet after seeding in %.1f s\n", absl::ToDoubleSeconds(drained));

  // ---- sustained phase ----
  gridsim::LoadOptions lo;
  lo.gateway = gateway;
  lo.password = service_password;
  lo.workers = workers;
  lo.interval = interval;
  lo.duration = duration;
  lo.fixes_per_call = k;
  lo.threads = Senders(workers / absl::ToDoubleSeconds(interval) / k);
  lo.call_timeout = absl::Seconds(10);
  const absl::Duration warmup = std::min(interval + absl::Seconds(1), duration / 3);
  auto sustained = RunPhase(lo, warmup, w, pids);
  if (!sustained.ok()) {
    std::fprintf(stderr, "stack_load_bench: load: %s\n",
                 std::string(sustained.status().message()).c_str());
    return 1;
  }
  const std::string load_during = LoadAverage();
  std::printf("sustained: %s\n", PhaseLine(*sustained).c_str());
  std::printf("CPU (cores) and RSS (MiB) per process, measured window:\n");
  for (const auto& [name, c] : sustained->cores) {
    std::printf(
        "  %-12s %.2f cores  %6.0f us per acked fix  %7.1f MiB\n", name.c_str(), c,
        sustained->load.fixes_per_second > 0 ? 1e6 * c / sustained->load.fixes_per_second : 0.0,
        sustained->rss_mib.count(name) ? sustained->rss_mib.at(name) : 0.0);
  }

  // ---- ramp ----
  struct Step {
    double rate;
    Phase phase;
    bool kept_up;
  };
  std::vector<Step> steps;
  double knee = 0, knee_achieved = 0;
  drained = Drain(fence, absl::Minutes(3));
  std::printf("geofence caught up %.1f s after the sustained phase\n",
              absl::ToDoubleSeconds(drained));
  const double catch_up_s = absl::ToDoubleSeconds(drained);
  if (ramp) {
    double first_p99 = -1;
    for (size_t i = 0; i < rates.size(); ++i) {
      if (i > 0) Drain(fence, absl::Minutes(1));
      gridsim::LoadOptions ro = lo;
      ro.workers = static_cast<int>(rates[i] * absl::ToDoubleSeconds(interval));
      ro.duration = ramp_step;
      ro.threads = Senders(rates[i] / k);
      ro.worker_prefix = absl::StrCat("load-r", i, "-");
      ro.seed = 100 + i;
      auto p = RunPhase(ro, std::min(interval + absl::Seconds(1), ramp_step / 3), w, pids);
      if (!p.ok()) break;
      if (first_p99 < 0) first_p99 = p->load.ack_p99_ms;
      const bool kept_up = p->load.fixes_per_second >= 0.95 * rates[i] &&
                           FailedCalls(p->load) == 0 &&
                           p->load.ack_p99_ms <= std::max(100.0, 10 * first_p99);
      std::printf("ramp %6.0f/s: %s%s\n", rates[i], PhaseLine(*p).c_str(),
                  kept_up ? "" : "  <- falls behind");
      steps.push_back({rates[i], *p, kept_up});
      if (!kept_up) break;
      knee = rates[i];
      knee_achieved = p->load.fixes_per_second;
    }
    std::printf("knee: %.0f fixes/s offered (%.0f acked) is the highest step that kept up%s\n",
                knee, knee_achieved,
                !steps.empty() && steps.back().kept_up ? " (the ramp ended before a knee)" : "");
  }

  live.Stop();
  cockpit.Stop();
  fence.Stop();
  day.Stop(absl::Seconds(60));
  const double day_s = absl::ToDoubleSeconds(absl::Now() - day_start);
  std::map<std::string, int64_t> day_totals = DayTotals(day.Output());
  const bool clean = stack.Stop();
  std::printf(
      "background day (%d workers at %gx, %.0f s): incidents %lld, inspections %lld, "
      "transitions %lld, closed %lld, errors %lld; services stopped %s\n",
      day_workers, absl::GetFlag(FLAGS_day_speed), day_s,
      static_cast<long long>(day_totals["incidents"]),
      static_cast<long long>(day_totals["inspections"]),
      static_cast<long long>(day_totals["transitions"]),
      static_cast<long long>(day_totals["closed"]), static_cast<long long>(day_totals["errors"]),
      clean ? "cleanly" : "NOT cleanly");

  // ---- PostgreSQL/PostGIS ----
  PgFigures pg;
  const std::string url = absl::GetFlag(FLAGS_postgres_url);
  if (!url.empty()) {
    auto r = RunPostgis(url, grids, workers, absl::GetFlag(FLAGS_pg_connections), pg_duration, k);
    if (!r.ok()) {
      std::fprintf(stderr, "stack_load_bench: PostGIS: %s\n",
                   std::string(r.status().message()).c_str());
      return 1;
    }
    pg = *r;
    std::printf(
        "PostGIS core path (%s, %d connections, closed loop, %s): %.0f fixes/s, p50 %.2f "
        "p99 %.2f ms, %.0f%% inside a grid, errors %lld\n",
        pg.version.c_str(), absl::GetFlag(FLAGS_pg_connections),
        absl::FormatDuration(pg_duration).c_str(), pg.fixes_per_s, pg.latency.p50_ms,
        pg.latency.p99_ms, 100 * pg.inside_share, static_cast<long long>(pg.errors));
  }
  // Gridwork's capacity: the most fixes/s it acknowledged in any phase (saturated, as the
  // closed-loop PostGIS figure is); the knee is printed apart.
  double capacity = sustained->load.fixes_per_second;
  for (const Step& st : steps) capacity = std::max(capacity, st.phase.load.fixes_per_second);
  const double vs_postgis = pg.fixes_per_s > 0 ? capacity / pg.fixes_per_s : 0;
  if (pg.ran) {
    std::printf("gridwork / PostGIS: %.2fx (%s %.0f fixes/s vs %.0f)\n", vs_postgis,
                ramp ? "most acknowledged in any phase" : "sustained, offered-bound", capacity,
                pg.fixes_per_s);
  }
  const Phase& s = *sustained;
  const int64_t lost = s.load.sent - s.load.acked - s.load.rejected - k * FailedCalls(s.load);
  if (quick) {
    std::printf(
        "target %.0f fixes/s (100,000 workers): not tried in quick mode (%.0f offered, "
        "%.0f acked)\n",
        kTargetFixesPerS, s.load.offered_per_second, s.load.fixes_per_second);
  } else {
    std::printf(
        "target %.0f fixes/s sustained: measured %.0f at %.0f offered (%s); knee %.0f "
        "offered, %.0f acked\n",
        kTargetFixesPerS, s.load.fixes_per_second, s.load.offered_per_second,
        s.load.fixes_per_second >= 0.95 * kTargetFixesPerS ? "met" : "missed", knee, knee_achieved);
  }
  std::printf("load average at start %s, after the sustained phase %s, at the end %s; %.0f s\n",
              load_at_start.c_str(), load_during.c_str(), LoadAverage().c_str(),
              absl::ToDoubleSeconds(absl::Now() - started));

  if (absl::GetFlag(FLAGS_json)) {
    std::string j = absl::StrFormat(
        R"({"name":"stack_load","mode":"%s","workers":%d,"interval_s":%g,"fixes_per_call":%d,)"
        R"("seconds":%.1f,)"
        R"("offered_fixes_per_s":%.1f,"sustained_fixes_per_s":%.1f,"target_fixes_per_s":%.0f,)"
        R"("sent":%d,"acked":%d,"rejected":%d,"failed_calls":%d,"lost_acks":%d,"skipped":%d,)"
        R"("ack_p50_ms":%.2f,"ack_p99_ms":%.2f,"send_lag_p99_ms":%.2f,)"
        R"("fence_events":%d,"fix_to_fence_p50_ms":%.2f,"fix_to_fence_p99_ms":%.2f,)"
        R"("fix_to_cockpit_samples":%d,"fix_to_cockpit_p50_ms":%.2f,"fix_to_cockpit_p99_ms":%.2f,)"
        R"("fix_to_cockpit_timeouts":%d,"cockpit_updates":%d,"get_cockpit_p99_ms":%.2f,)"
        R"("incidents":%d,"inspections":%d,"transitions":%d,"knee_fixes_per_s":%.0f,)"
        R"("knee_acked_fixes_per_s":%.1f,"ramp_steps":%d,"postgis_fixes_per_s":%.1f,)"
        R"("vs_postgis":%.3f,"gridwork_max_fixes_per_s":%.1f,"clean_shutdown":%s,)"
        R"("fence_catch_up_s":%.1f,)",
        quick ? "quick" : "long", workers, absl::ToDoubleSeconds(interval), k, s.load.seconds,
        s.load.offered_per_second, s.load.fixes_per_second, kTargetFixesPerS, s.load.sent,
        s.load.acked, s.load.rejected, FailedCalls(s.load), lost, s.load.skipped, s.load.ack_p50_ms,
        s.load.ack_p99_ms, s.load.send_lag_p99_ms, s.fence.events, s.fence.latency.p50_ms,
        s.fence.latency.p99_ms, s.live.latency.count, s.live.latency.p50_ms, s.live.latency.p99_ms,
        s.live.timeouts, s.cockpit.stream_updates, s.cockpit.get.p99_ms, day_totals["incidents"],
        day_totals["inspections"], day_totals["transitions"], knee, knee_achieved, steps.size(),
        pg.fixes_per_s, vs_postgis, capacity, clean ? "true" : "false", catch_up_s);
    for (const auto& [name, c] : s.cores) {
      absl::StrAppendFormat(&j, R"("cpu_cores_%s":%.3f,)", name, c);
    }
    for (const auto& [name, m] : s.rss_mib)
      absl::StrAppendFormat(&j, R"("rss_mib_%s":%.1f,)", name, m);
    absl::StrAppend(
        &j, R"("units":{"*_fixes_per_s":"1/s","*_ms":"ms","cpu_cores_*":"cores",)",
        R"("rss_mib_*":"MiB","vs_postgis":"most fixes/s gridwork acknowledged / PostGIS fixes/s"}})");
    std::printf("%s\n", j.c_str());
  }
  return clean ? 0 : 1;
}

}  // namespace
}  // namespace gridwork::bench

int main(int argc, char** argv) {
#ifdef NDEBUG
  // Debian's Abseil runs its mutex deadlock detector on every Lock, gRPC's mutexes included:
  // GraphCycles and absl synchronization were 9 % of the driver's CPU under load. Off in
  // Release, as in every service (libs/service/src/service_main.cc).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  absl::SetProgramUsageMessage(
      "The whole stack under gridsim load through the gateway, its knee, and PostGIS.\n"
      "  stack_load_bench [--quick] [--postgres_url=CONNINFO] [--json]");
  absl::ParseCommandLine(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines as they come, also into a file
  return gridwork::bench::Main();
}
