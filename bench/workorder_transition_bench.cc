// workorder_transition_bench: durable work-order transitions per second of WorkOrderCore (in
// process, no gRPC) with fsync'ed group commit, against the same transitions on PostgreSQL with
// synchronous_commit = on. Run by bench/run_workorder_bench.sh.
//
//   build-release/bin/workorder_transition_bench --postgres_url=CONNINFO [--orders=20000]
//       [--threads=64,8] [--json]
//
// Per thread count, on a fresh store (and fresh PostgreSQL tables): `orders` orders are created
// through CreateOrder and auto-dispatched by the one dispatch rule (setup, not timed); then
// `threads` threads each take every threads-th order and drive it through ACCEPT, START, HANDLE
// (department handler of the order's department), ASSIGN_VERIFICATION (community station) and
// VERIFY_SATISFIED (the reporting grid worker), each with the version the previous answer returned.
// Only OK transitions count; any failure aborts the run. Each Gridwork transition is one Db::Commit
// with sync = true holding the order write, the hash-chained history event, SLA timers, feed
// events and the idempotency record (and, when the order closes, its move from open_orders to
// by_state; open orders' kanban keys are in memory: services/workorder/open_order_index.h).
// The first thread count is the headline; with --json the last line is one JSON object of the
// figures.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gridwork/clients/region_locator.h"
#include "gridwork/core/clock.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/log.h"
#include "gridwork/service/time_convert.h"
#include "libpq-fe.h"
#include "prometheus/registry.h"
#include "services/workorder/workorder_core.h"
#include "services/workorder/workorder_metrics.h"
#include "services/workorder/workorder_store.h"

ABSL_FLAG(int, orders, 20000, "Orders created (auto-dispatched) before each timed run.");
ABSL_FLAG(std::string, threads, "64,8",
          "Comma-separated client thread counts; one run each, the first is the headline.");
ABSL_FLAG(std::string, postgres_url, "",
          "libpq conninfo of the PostgreSQL server for the baseline (empty = skip it).");
ABSL_FLAG(bool, sync, true,
          "fsync every group commit (false only to diagnose: the figures are then not durable "
          "transitions and must not be reported as such).");
ABSL_FLAG(bool, json, false, "Print one JSON object of the figures on the last line.");
ABSL_FLAG(bool, pipelined_sync, true,
          "The store's pipelined group commit (libs/store DbOptions); false for an A/B.");

namespace gridwork::workorder {
namespace {

using common::v1::LatLng;
using common::v1::Principal;
using common::v1::Role;

constexpr int kGrids = 100;  // 10 communities x 10 grids
constexpr char kDepartment[] = "urban-management";
constexpr char kCategory[] = "env";
constexpr double kLng0 = 113.60, kGridWidth = 0.001;

// The five actions every order goes through, in order, with the state each one leaves.
struct Step {
  v1::Action action;
  v1::State to;
  const char* note;
};
constexpr Step kSteps[] = {{v1::ACTION_ACCEPT, v1::STATE_ACCEPTED, ""},
                           {v1::ACTION_START, v1::STATE_PROCESSING, ""},
                           {v1::ACTION_HANDLE, v1::STATE_HANDLED, "已清运"},
                           {v1::ACTION_ASSIGN_VERIFICATION, v1::STATE_VERIFYING, ""},
                           {v1::ACTION_VERIFY_SATISFIED, v1::STATE_CLOSED, ""}};
constexpr int kStepCount = sizeof(kSteps) / sizeof(kSteps[0]);

std::string CommunityPath(int grid) { return absl::StrFormat("410105/s01/c%02d", grid / 10 + 1); }
std::string GridPath(int grid) {
  return absl::StrFormat("%s/g%02d", CommunityPath(grid), grid % 10 + 1);
}

Principal As(Role role, std::string subject, std::string scope, std::string dept = "") {
  Principal p;
  p.set_subject(std::move(subject));
  p.set_role(role);
  p.set_region_scope(std::move(scope));
  p.set_department(std::move(dept));
  return p;
}

// Who acts at each step on an order of `grid`.
struct Actors {
  Principal handler =
      As(common::v1::ROLE_DEPARTMENT_HANDLER, "handler-cg-07", "410105", kDepartment);
  std::vector<Principal> stations, workers;  // by grid
  Actors() {
    for (int g = 0; g < kGrids; ++g) {
      stations.push_back(As(common::v1::ROLE_COMMUNITY_STATION,
                            "station-" + CommunityPath(g).substr(11), CommunityPath(g)));
      workers.push_back(
          As(common::v1::ROLE_GRID_WORKER, absl::StrFormat("worker-g%03d", g), GridPath(g)));
    }
  }
  const Principal& For(int step, int grid) const {
    if (step <= 2) return handler;
    if (step == 3) return stations[grid];
    return workers[grid];
  }
};

// FAKE: stands in for gridwork-geofence's Locate (a gRPC call in the service). Grids are longitude
// bands of kGridWidth from kLng0. Only CreateOrder (setup, not timed) calls it; transitions never
// locate.
class FakeRegionLocator : public RegionLocator {
 public:
  absl::StatusOr<std::string> Locate(const LatLng& p) override {
    int g = static_cast<int>((p.lng() - kLng0) / kGridWidth);
    if (g < 0 || g >= kGrids) return absl::FailedPreconditionError("outside every grid (fake)");
    return GridPath(g);
  }
};

int GridOf(int order) { return order % kGrids; }

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "workorder_transition_bench: %s\n", what.c_str());
  std::exit(1);
}

struct Figures {
  int threads = 0;
  uint64_t transitions = 0;
  double seconds = 0;
  double per_s = 0;
  double p50_ms = 0, p99_ms = 0;
  // Gridwork only: the store's DbStats over the timed phase.
  uint64_t commits = 0, writes = 0, syncs = 0, max_group = 0;
  // Gridwork only: CPU time (user + system) of the whole process over the timed phase.
  double cpu_us_per_transition = 0;
  // Gridwork only: context switches (voluntary + involuntary) of the process per transition over
  // the timed phase: every caller sleeps until its group is durable, and on this VM a switch
  // costs microseconds of kernel CPU.
  double switches_per_transition = 0;
  // Bytes written per transition over the timed phase: Gridwork, everything this process sent
  // to storage (/proc/self/io write_bytes: WAL, memtable flushes, compactions); PostgreSQL, the
  // WAL it generated (pg_current_wal_lsn before and after; heap and index pages come later, at
  // checkpoints).
  double bytes_per_transition = 0;
  // Gridwork only: fdatasync latency of this disk just before the run (shared machine).
  double fdatasync_p50_ms = 0, fdatasync_p99_ms = 0;
  // Gridwork only: the speed of one CPU of this (shared) machine just before the run, see
  // ProbeCpu.
  double sha256_mb_per_s = 0, random_read_ns = 0;
  double setup_s = 0;
  // Gridwork only: the store closed after the run and opened again (what a pod restart costs):
  // write-ahead log on disk when it closed, and the time Open took (RocksDB replays that log,
  // then the open-order index is rebuilt).
  double wal_mb_at_close = 0;
  double reopen_s = 0;
};

// User + system CPU seconds of this process so far.
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// Context switches (voluntary + involuntary) of all this process's threads so far.
uint64_t ProcessContextSwitches() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<uint64_t>(u.ru_nvcsw + u.ru_nivcsw);
}

// Bytes this process caused to be written to storage so far (/proc/self/io write_bytes).
uint64_t ProcessWriteBytes() {
  std::FILE* f = std::fopen("/proc/self/io", "r");
  if (f == nullptr) return 0;
  char line[128];
  uint64_t bytes = 0;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    unsigned long long v = 0;
    if (std::sscanf(line, "write_bytes: %llu", &v) == 1) bytes = v;
  }
  std::fclose(f);
  return bytes;
}

void Summarise(std::vector<std::vector<double>>& per_thread, double seconds, Figures* f) {
  std::vector<double> all;
  for (auto& v : per_thread) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  f->transitions = all.size();
  f->seconds = seconds;
  f->per_s = static_cast<double>(all.size()) / seconds;
  if (!all.empty()) {
    f->p50_ms = all[all.size() / 2];
    f->p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
}

// Runs `fn(t)` on `threads` threads and returns the wall time in seconds.
template <typename Fn>
double RunThreads(int threads, Fn fn) {
  std::vector<std::thread> workers;
  const absl::Time start = absl::Now();
  for (int t = 0; t < threads; ++t) workers.emplace_back([&fn, t] { fn(t); });
  for (auto& w : workers) w.join();
  return absl::ToDoubleSeconds(absl::Now() - start);
}

// Latency of fdatasync after overwriting 4 KiB of an already written file in `dir`, 200
// samples: sets p50 and p99 in ms. This is the disk's floor: RocksDB's WAL grows at every group
// commit, so its fdatasync also writes the file's inode and takes about twice as long
// (docs/benchmarks.md, "Open orders' kanban keys in memory", what is left).
void ProbeFdatasync(const std::string& dir, double* p50, double* p99) {
  constexpr int kSamples = 200;
  const std::string path = dir + "/gridwork-fdatasync-probe-" + std::to_string(::getpid());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) Die("cannot create " + path);
  const std::string block(4096, 'x');
  for (int i = 0; i < kSamples; ++i) {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
      Die("write " + path);
    }
  }
  if (::fsync(fd) != 0) Die("fsync " + path);
  std::vector<double> ms;
  for (int i = 0; i < kSamples; ++i) {
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(i) * 4096) !=
        static_cast<ssize_t>(block.size())) {
      Die("pwrite " + path);
    }
    const absl::Time start = absl::Now();
    if (::fdatasync(fd) != 0) Die("fdatasync " + path);
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  ::close(fd);
  ::unlink(path.c_str());
  std::sort(ms.begin(), ms.end());
  *p50 = ms[ms.size() / 2];
  *p99 = ms[ms.size() * 99 / 100];
}

// The speed of one CPU just before the run, by two fixed workloads on one thread, each the
// median of 5: SHA-256 throughput (instructions; the transition hashes its history event and
// request) and the latency of a dependent random read over 32 MiB (cache misses; memtable
// inserts and lookups are made of them). On a shared VM both drift between runs; with them
// beside the CPU time per transition a slow run shows whether the machine or the code was slow.
void ProbeCpu(double* sha256_mb_per_s, double* random_read_ns) {
  constexpr int kRounds = 5;
  const std::string block(1 << 20, 'g');
  constexpr int kBlocks = 16;
  // A random cyclic permutation (Sattolo): following next[i] visits every slot once.
  constexpr uint32_t kSlots = 8u << 20;  // 32 MiB of uint32_t
  constexpr int kSteps = 1 << 20;
  std::vector<uint32_t> next(kSlots);
  for (uint32_t i = 0; i < kSlots; ++i) next[i] = i;
  uint64_t rng = 0x9e3779b97f4a7c15ull;
  for (uint32_t i = kSlots - 1; i > 0; --i) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    std::swap(next[i], next[rng % i]);
  }
  std::vector<double> mb_per_s, ns;
  size_t sink = 0;
  for (int r = 0; r < kRounds; ++r) {
    absl::Time start = absl::Now();
    for (int b = 0; b < kBlocks; ++b) sink += gridwork::Sha256Hex(block).size();
    mb_per_s.push_back(kBlocks / absl::ToDoubleSeconds(absl::Now() - start));
    start = absl::Now();
    uint32_t at = static_cast<uint32_t>(r);
    for (int i = 0; i < kSteps; ++i) at = next[at];
    ns.push_back(absl::ToDoubleNanoseconds(absl::Now() - start) / kSteps);
    sink += at;
  }
  if (sink == 0) std::printf(" ");  // keeps both loops from being optimised away
  std::sort(mb_per_s.begin(), mb_per_s.end());
  std::sort(ns.begin(), ns.end());
  *sha256_mb_per_s = mb_per_s[kRounds / 2];
  *random_read_ns = ns[kRounds / 2];
}

// ---- Gridwork -----------------------------------------------------------------------------------

Figures RunGridwork(int orders, int threads) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / absl::StrCat("gridwork-wobench-", ::getpid(), "-", threads);
  fs::remove_all(dir);
  double sync_p50 = 0, sync_p99 = 0;
  ProbeFdatasync(fs::temp_directory_path().string(), &sync_p50, &sync_p99);
  double sha256_mb_per_s = 0, random_read_ns = 0;
  ProbeCpu(&sha256_mb_per_s, &random_read_ns);
  Clock* clock = Clock::Real();
  FakeRegionLocator locator;
  prometheus::Registry registry;
  WorkOrderMetrics metrics(&registry);
  auto store = WorkOrderStore::Open(dir.string(), clock, absl::GetFlag(FLAGS_sync),
                                    absl::GetFlag(FLAGS_pipelined_sync));
  if (!store.ok()) Die("open store: " + store.status().ToString());
  WorkOrderOptions options;
  // CreateOrder's duplicate suggestion would read up to 5,000 earlier orders of the category per
  // create; setup does not measure it and transitions never run it.
  options.duplicate_window = absl::Milliseconds(1);
  auto core = WorkOrderCore::Create(store->get(), &locator, clock, &metrics, options);
  if (!core.ok()) Die("create core: " + core.status().ToString());

  const Principal admin = As(common::v1::ROLE_ADMIN, "admin", "");
  v1::UpsertCategoryRequest cat;
  cat.set_request_id("bench-category");
  v1::Category* c = cat.mutable_category();
  c->set_id(kCategory);
  c->set_name("市容环境");
  c->set_default_department(kDepartment);
  c->set_severity(v1::SEVERITY_MEDIUM);
  c->set_escalate_when_overdue(true);
  *c->mutable_sla()->mutable_triage() = service::ToProto(absl::Hours(2));
  *c->mutable_sla()->mutable_accept() = service::ToProto(absl::Hours(1));
  *c->mutable_sla()->mutable_handle() = service::ToProto(absl::Hours(24));
  *c->mutable_sla()->mutable_review() = service::ToProto(absl::Hours(4));
  *c->mutable_sla()->mutable_verify() = service::ToProto(absl::Hours(48));
  if (auto s = (*core)->UpsertCategory(admin, cat); !s.ok())
    Die("category: " + s.status().ToString());
  v1::UpsertDispatchRuleRequest rule;
  rule.set_request_id("bench-rule");
  rule.mutable_rule()->set_id("r-env-410105");
  rule.mutable_rule()->set_category_prefix(kCategory);
  rule.mutable_rule()->set_region_prefix("410105");
  rule.mutable_rule()->set_department(kDepartment);
  if (auto s = (*core)->UpsertDispatchRule(admin, rule); !s.ok())
    Die("rule: " + s.status().ToString());

  const Actors actors;
  std::vector<v1::WorkOrder> created(orders);
  const double setup_s = RunThreads(threads, [&](int t) {
    for (int i = t; i < orders; i += threads) {
      v1::CreateOrderRequest req;
      req.set_request_id(absl::StrCat("create-", i));
      req.set_category_id(kCategory);
      req.mutable_position()->set_lng(kLng0 + (GridOf(i) + 0.5) * kGridWidth);
      req.mutable_position()->set_lat(34.75 + (i % 997) * 1e-6);
      req.set_description("路边有一堆建筑垃圾");
      auto r = (*core)->CreateOrder(actors.workers[GridOf(i)], req);
      if (!r.ok()) Die("create: " + r.status().ToString());
      if (r->order().state() != v1::STATE_DISPATCHED) Die("order was not auto-dispatched");
      created[i] = r->order();
    }
  });
  std::vector<std::string> ids(orders);
  for (int i = 0; i < orders; ++i) ids[i] = created[i].id();

  const store::DbStats before = (*store)->db()->Stats();
  const double cpu_before = ProcessCpuSeconds();
  const uint64_t switches_before = ProcessContextSwitches();
  const uint64_t written_before = ProcessWriteBytes();
  std::vector<std::vector<double>> latency_ms(threads);
  const double seconds = RunThreads(threads, [&](int t) {
    latency_ms[t].reserve(static_cast<size_t>(orders / threads + 1) * kStepCount);
    v1::TransitionRequest req;
    for (int i = t; i < orders; i += threads) {
      v1::WorkOrder order = std::move(created[i]);
      for (int s = 0; s < kStepCount; ++s) {
        req.set_request_id(absl::StrCat("t-", i, "-", s));
        req.set_order_id(order.id());
        req.set_expected_version(order.version());
        req.set_action(kSteps[s].action);
        req.set_note(kSteps[s].note);
        const absl::Time start = absl::Now();
        absl::StatusOr<v1::WorkOrder> next = (*core)->Transition(actors.For(s, GridOf(i)), req);
        const absl::Time end = absl::Now();
        if (!next.ok()) Die(absl::StrCat("transition ", i, "/", s, ": ", next.status().ToString()));
        if (next->state() != kSteps[s].to) Die("unexpected state after a transition");
        latency_ms[t].push_back(absl::ToDoubleMilliseconds(end - start));
        order = *std::move(next);
      }
    }
  });
  const store::DbStats after = (*store)->db()->Stats();
  const double cpu_s = ProcessCpuSeconds() - cpu_before;
  const uint64_t switches = ProcessContextSwitches() - switches_before;
  const uint64_t written = ProcessWriteBytes() - written_before;

  // Spot check: the history chains of every 50th order are intact, 7 events each.
  for (int i = 0; i < orders; i += std::max(1, orders / 50)) {
    v1::VerifyHistoryRequest vr;
    vr.set_order_id(ids[i]);
    auto check = (*core)->VerifyHistory(admin, vr);
    if (!check.ok() || !check->intact() || check->length() != 2 + kStepCount) {
      Die("history check failed for " + ids[i] + ": " +
          (check.ok() ? check->DebugString() : check.status().ToString()));
    }
  }

  Figures f;
  f.threads = threads;
  Summarise(latency_ms, seconds, &f);
  f.commits = after.commits - before.commits;
  f.writes = after.writes - before.writes;
  f.syncs = after.syncs - before.syncs;
  f.max_group = after.max_group_size;
  f.cpu_us_per_transition = f.transitions ? cpu_s * 1e6 / static_cast<double>(f.transitions) : 0;
  f.switches_per_transition =
      f.transitions ? static_cast<double>(switches) / static_cast<double>(f.transitions) : 0;
  f.bytes_per_transition =
      f.transitions ? static_cast<double>(written) / static_cast<double>(f.transitions) : 0;
  f.setup_s = setup_s;
  f.fdatasync_p50_ms = sync_p50;
  f.fdatasync_p99_ms = sync_p99;
  f.sha256_mb_per_s = sha256_mb_per_s;
  f.random_read_ns = random_read_ns;
  f.wal_mb_at_close = static_cast<double>((*store)->db()->WalBytes().value_or(0)) / (1 << 20);
  core->reset();
  store->reset();
  const absl::Time reopen_start = absl::Now();
  auto reopened = WorkOrderStore::Open(dir.string(), clock, absl::GetFlag(FLAGS_sync),
                                       absl::GetFlag(FLAGS_pipelined_sync));
  if (!reopened.ok()) Die("reopen store: " + reopened.status().ToString());
  f.reopen_s = absl::ToDoubleSeconds(absl::Now() - reopen_start);
  reopened->reset();
  fs::remove_all(dir);
  return f;
}

// ---- PostgreSQL ---------------------------------------------------------------------------------

PGconn* Connect(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) Die(absl::StrCat("connect: ", PQerrorMessage(conn)));
  return conn;
}

void Exec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Die(absl::StrCat("postgres: ", PQerrorMessage(conn), " in: ", sql.substr(0, 200)));
  }
  PQclear(r);
}

// The first column of the first row of `sql`'s answer.
std::string QueryOne(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
    Die(absl::StrCat("postgres: ", PQerrorMessage(conn), " in: ", sql));
  }
  std::string v = PQgetvalue(r, 0, 0);
  PQclear(r);
  return v;
}

std::string Show(PGconn* conn, const char* setting) {
  return QueryOne(conn, absl::StrCat("SHOW ", setting));
}

// The client-side history hash of the baseline: SHA-256 over the event's fields and the previous
// hash, as Gridwork seals each OrderEvent.
std::string PgEventHash(const std::string& order_id, int64_t seq, const std::string& actor,
                        int action, int from, int to, int64_t version, const std::string& note,
                        const std::string& at, const std::string& prev_hash) {
  return Sha256Hex(absl::StrCat(order_id, "\x1f", seq, "\x1f", at, "\x1f", actor, "\x1f", action,
                                "\x1f", from, "\x1f", to, "\x1f", version, "\x1f", note, "\x1f",
                                prev_hash));
}

std::string NowText() {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", absl::Now(), absl::UTCTimeZone());
}

// Fresh tables with `orders` DISPATCHED orders (version 2, two history events), loaded by COPY. Not
// timed.
void PgSetup(const std::string& url, int orders) {
  PGconn* conn = Connect(url);
  Exec(conn, "SET client_min_messages TO warning");
  Exec(conn, "DROP TABLE IF EXISTS order_history, orders");
  Exec(conn,
       "CREATE TABLE orders (id text PRIMARY KEY, version bigint NOT NULL, state int NOT NULL, "
       "reporter text NOT NULL, region_path text NOT NULL, category_id text NOT NULL, department "
       "text, assignee text, verifier text, stage int NOT NULL, stage_deadline timestamptz, "
       "created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, closed_at timestamptz, "
       "history_length bigint NOT NULL, history_head text NOT NULL)");
  // The kanban index, the counterpart of Gridwork's (in memory for open orders, by_state on
  // disk for closed ones): a state change moves the entry.
  Exec(conn, "CREATE INDEX orders_by_state ON orders (state, region_path, created_at DESC, id)");
  Exec(conn,
       "CREATE TABLE order_history (order_id text NOT NULL, seq bigint NOT NULL, at timestamptz "
       "NOT NULL, actor text NOT NULL, actor_role int NOT NULL, action int NOT NULL, from_state "
       "int NOT NULL, to_state int NOT NULL, version bigint NOT NULL, department text, note text, "
       "prev_hash text NOT NULL, hash text NOT NULL, PRIMARY KEY (order_id, seq))");
  const Actors actors;
  std::string orders_copy, history_copy;
  const std::string at = NowText();
  for (int i = 0; i < orders; ++i) {
    const std::string id = absl::StrFormat("wo-%08d", i);
    const std::string& reporter = actors.workers[GridOf(i)].subject();
    const std::string h1 = PgEventHash(id, 1, reporter, v1::ACTION_REPORT, 0, v1::STATE_REPORTED, 1,
                                       "路边有一堆建筑垃圾", at, "");
    const std::string h2 = PgEventHash(id, 2, "workorder", v1::ACTION_DISPATCH, v1::STATE_REPORTED,
                                       v1::STATE_DISPATCHED, 2, "", at, h1);
    absl::StrAppend(&orders_copy, id, "\t2\t", static_cast<int>(v1::STATE_DISPATCHED), "\t",
                    reporter, "\t", GridPath(GridOf(i)), "\t", kCategory, "\t", kDepartment,
                    "\t\\N\t\\N\t", static_cast<int>(v1::STAGE_ACCEPT), "\t", at, "\t", at, "\t",
                    at, "\t\\N\t2\t", h2, "\n");
    absl::StrAppend(&history_copy, id, "\t1\t", at, "\t", reporter, "\t",
                    static_cast<int>(common::v1::ROLE_GRID_WORKER), "\t",
                    static_cast<int>(v1::ACTION_REPORT), "\t0\t",
                    static_cast<int>(v1::STATE_REPORTED), "\t1\t\\N\t路边有一堆建筑垃圾\t\t", h1,
                    "\n");
    absl::StrAppend(
        &history_copy, id, "\t2\t", at, "\tworkorder\t", static_cast<int>(common::v1::ROLE_SERVICE),
        "\t", static_cast<int>(v1::ACTION_DISPATCH), "\t", static_cast<int>(v1::STATE_REPORTED),
        "\t", static_cast<int>(v1::STATE_DISPATCHED), "\t2\t", kDepartment, "\t\t", h1, "\t", h2,
        "\n");
  }
  for (const auto& [table, data] : {std::pair<std::string, std::string*>{"orders", &orders_copy},
                                    {"order_history", &history_copy}}) {
    PGresult* r = PQexec(conn, absl::StrCat("COPY ", table, " FROM STDIN").c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) Die(absl::StrCat("copy: ", PQerrorMessage(conn)));
    PQclear(r);
    if (PQputCopyData(conn, data->data(), static_cast<int>(data->size())) != 1 ||
        PQputCopyEnd(conn, nullptr) != 1) {
      Die(absl::StrCat("copy: ", PQerrorMessage(conn)));
    }
    r = PQgetResult(conn);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) Die(absl::StrCat("copy: ", PQerrorMessage(conn)));
    PQclear(r);
  }
  Exec(conn, "VACUUM ANALYZE orders");
  Exec(conn, "VACUUM ANALYZE order_history");
  Exec(conn, "CHECKPOINT");
  PQfinish(conn);
}

// One transition in one transaction: lock and read the order, check the version and that the action
// is legal from its state, update it, append the hash-chained history row, commit.
class PgClient {
 public:
  explicit PgClient(const std::string& url) : conn_(Connect(url)) {
    Prepare("lock",
            "SELECT state, version, history_length, history_head, department, reporter FROM orders "
            "WHERE id = $1 FOR UPDATE");
    Prepare("update",
            "UPDATE orders SET state = $2, version = version + 1, assignee = COALESCE($3, "
            "assignee), verifier = COALESCE($4, verifier), stage = $5, stage_deadline = CASE WHEN "
            "$5 = 0 THEN NULL ELSE COALESCE($6, stage_deadline) END, updated_at = $7, closed_at = "
            "$8, history_length = $9, history_head = $10 WHERE id = $1");
    Prepare("history",
            "INSERT INTO order_history (order_id, seq, at, actor, actor_role, action, from_state, "
            "to_state, version, department, note, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, "
            "$7, $8, $9, $10, $11, $12, $13)");
  }
  ~PgClient() { PQfinish(conn_); }
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  // Applies step `s` of kSteps as `actor` to order `id` expected at `version`; returns the new
  // version. Dies on any error.
  int64_t Transition(const std::string& id, int64_t version, int s, const Principal& actor) {
    Exec(conn_, "BEGIN");
    const char* lock_params[] = {id.c_str()};
    PGresult* r = PQexecPrepared(conn_, "lock", 1, lock_params, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
      Die(absl::StrCat("lock ", id, ": ", PQerrorMessage(conn_)));
    }
    int state = 0;
    int64_t stored_version = 0, length = 0;
    if (!absl::SimpleAtoi(PQgetvalue(r, 0, 0), &state) ||
        !absl::SimpleAtoi(PQgetvalue(r, 0, 1), &stored_version) ||
        !absl::SimpleAtoi(PQgetvalue(r, 0, 2), &length)) {
      Die("bad row");
    }
    const std::string head = PQgetvalue(r, 0, 3);
    const std::string department = PQgetvalue(r, 0, 4);
    const std::string reporter = PQgetvalue(r, 0, 5);
    PQclear(r);
    const v1::State from = s == 0 ? v1::STATE_DISPATCHED : kSteps[s - 1].to;
    if (stored_version != version) Die("version conflict (the benchmark drives distinct orders)");
    if (state != from) Die("illegal transition");
    if (actor.role() == common::v1::ROLE_DEPARTMENT_HANDLER && actor.department() != department) {
      Die("wrong department");
    }
    const absl::Time now = absl::Now();
    const std::string at = NowText();
    std::string assignee, verifier, deadline, closed;
    const char* assignee_p = nullptr;
    const char* verifier_p = nullptr;
    const char* deadline_p = nullptr;
    const char* closed_p = nullptr;
    v1::Stage stage = v1::STAGE_HANDLE;
    auto time_text = [](absl::Time t) {
      return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone());
    };
    switch (kSteps[s].action) {
      case v1::ACTION_ACCEPT:
        assignee = actor.subject();
        assignee_p = assignee.c_str();
        deadline = time_text(now + absl::Hours(24));
        deadline_p = deadline.c_str();
        break;
      case v1::ACTION_START:
        break;  // keeps the stage and its deadline (NULL parameter = unchanged)
      case v1::ACTION_HANDLE:
        stage = v1::STAGE_REVIEW;
        deadline = time_text(now + absl::Hours(4));
        deadline_p = deadline.c_str();
        break;
      case v1::ACTION_ASSIGN_VERIFICATION:
        stage = v1::STAGE_VERIFY;
        verifier = reporter;
        verifier_p = verifier.c_str();
        deadline = time_text(now + absl::Hours(48));
        deadline_p = deadline.c_str();
        break;
      default:  // VERIFY_SATISFIED
        if (actor.subject() != reporter) Die("not the verifier");
        stage = v1::STAGE_NONE;
        closed = at;
        closed_p = closed.c_str();
        break;
    }
    const int64_t seq = length + 1, new_version = version + 1;
    const std::string hash = PgEventHash(id, seq, actor.subject(), kSteps[s].action, from,
                                         kSteps[s].to, new_version, kSteps[s].note, at, head);
    const std::string to_s = absl::StrCat(static_cast<int>(kSteps[s].to));
    const std::string stage_s = absl::StrCat(static_cast<int>(stage));
    const std::string seq_s = absl::StrCat(seq);
    const char* p[] = {id.c_str(), to_s.c_str(), assignee_p, verifier_p,    stage_s.c_str(),
                       deadline_p, at.c_str(),   closed_p,   seq_s.c_str(), hash.c_str()};
    ExecPrepared("update", 10, p);
    const std::string role_s = absl::StrCat(static_cast<int>(actor.role()));
    const std::string action_s = absl::StrCat(static_cast<int>(kSteps[s].action));
    const std::string from_s = absl::StrCat(static_cast<int>(from));
    const std::string version_s = absl::StrCat(new_version);
    const char* h[] = {
        id.c_str(),       seq_s.c_str(),  at.c_str(),   actor.subject().c_str(), role_s.c_str(),
        action_s.c_str(), from_s.c_str(), to_s.c_str(), version_s.c_str(),       department.c_str(),
        kSteps[s].note,   head.c_str(),   hash.c_str()};
    ExecPrepared("history", 13, h);
    Exec(conn_, "COMMIT");
    return new_version;
  }

 private:
  void Prepare(const char* name, const char* sql) {
    PGresult* r = PQprepare(conn_, name, sql, 0, nullptr);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
      Die(absl::StrCat("prepare: ", PQerrorMessage(conn_)));
    PQclear(r);
  }
  void ExecPrepared(const char* name, int n, const char* const* params) {
    PGresult* r = PQexecPrepared(conn_, name, n, params, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK || std::string(PQcmdTuples(r)) != "1") {
      Die(absl::StrCat(name, ": ", PQerrorMessage(conn_)));
    }
    PQclear(r);
  }
  PGconn* conn_;
};

Figures RunPostgres(const std::string& url, int orders, int threads) {
  const absl::Time setup_start = absl::Now();
  PgSetup(url, orders);
  const Actors actors;
  std::vector<std::unique_ptr<PgClient>> clients;
  for (int t = 0; t < threads; ++t) {
    clients.push_back(std::make_unique<PgClient>(url));
  }
  const double setup_s = absl::ToDoubleSeconds(absl::Now() - setup_start);
  PGconn* conn = Connect(url);
  const std::string lsn_before = QueryOne(conn, "SELECT pg_current_wal_lsn()");
  std::vector<std::vector<double>> latency_ms(threads);
  const double seconds = RunThreads(threads, [&](int t) {
    latency_ms[t].reserve(static_cast<size_t>(orders / threads + 1) * kStepCount);
    for (int i = t; i < orders; i += threads) {
      const std::string id = absl::StrFormat("wo-%08d", i);
      int64_t version = 2;
      for (int s = 0; s < kStepCount; ++s) {
        const absl::Time start = absl::Now();
        version = clients[t]->Transition(id, version, s, actors.For(s, GridOf(i)));
        latency_ms[t].push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      }
    }
  });
  clients.clear();
  double wal_bytes = 0;
  if (!absl::SimpleAtod(
          QueryOne(conn, absl::StrCat("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '", lsn_before,
                                      "')")),
          &wal_bytes)) {
    Die("pg_wal_lsn_diff");
  }
  PGresult* r = PQexec(
      conn,
      absl::StrCat("SELECT count(*) FROM orders WHERE state = ", static_cast<int>(v1::STATE_CLOSED),
                   " AND history_length = ", 2 + kStepCount, " AND version = ", 2 + kStepCount)
          .c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK ||
      std::string(PQgetvalue(r, 0, 0)) != absl::StrCat(orders)) {
    Die("PostgreSQL: not every order was closed with 7 history rows");
  }
  PQclear(r);
  Exec(conn, "CHECKPOINT");  // flush now, not during the next (Gridwork) run
  PQfinish(conn);
  Figures f;
  f.threads = threads;
  f.setup_s = setup_s;
  Summarise(latency_ms, seconds, &f);
  f.bytes_per_transition = f.transitions ? wal_bytes / static_cast<double>(f.transitions) : 0;
  return f;
}

std::string LoadAverage() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (f == nullptr) return "?";
  char buf[128] = {0};
  const size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  std::string s(buf, n);
  std::vector<std::string> parts = absl::StrSplit(s, ' ');
  return parts.size() >= 3 ? absl::StrCat(parts[0], " ", parts[1], " ", parts[2]) : s;
}

}  // namespace
}  // namespace gridwork::workorder

int main(int argc, char** argv) {
  using namespace gridwork::workorder;  // NOLINT: the benchmark's own helpers
  absl::ParseCommandLine(argc, argv);
#ifdef NDEBUG
  // As the services run (service_main.cc): no deadlock-cycle bookkeeping on every mutex.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  gridwork::log::SetMinLevel(gridwork::log::Level::kWarning);
  const int orders = absl::GetFlag(FLAGS_orders);
  const std::string url = absl::GetFlag(FLAGS_postgres_url);
  std::vector<int> thread_counts;
  for (absl::string_view t : absl::StrSplit(absl::GetFlag(FLAGS_threads), ',')) {
    int n = 0;
    if (!absl::SimpleAtoi(t, &n) || n < 1) Die("--threads: comma-separated positive counts");
    thread_counts.push_back(n);
  }
  if (orders < 1 || thread_counts.empty()) Die("--orders must be positive");

  std::printf(
      "work-order transitions: in-process WorkOrderCore (no gRPC), RocksDB store with group commit "
      "and fsync (sync=%s), fake region locator (setup only)\n",
      absl::GetFlag(FLAGS_sync) ? "true" : "FALSE: diagnostic, not durable");
  std::printf(
      "orders=%d, 5 transitions each (ACCEPT START HANDLE ASSIGN_VERIFICATION VERIFY_SATISFIED), "
      "load average at start: %s, %u cores\n",
      orders, LoadAverage().c_str(), std::thread::hardware_concurrency());
  if (!url.empty()) {
    PGconn* conn = Connect(url);
    std::printf(
        "PostgreSQL %s: fsync=%s synchronous_commit=%s wal_sync_method=%s, one connection per "
        "thread, one transaction per transition\n",
        Show(conn, "server_version").c_str(), Show(conn, "fsync").c_str(),
        Show(conn, "synchronous_commit").c_str(), Show(conn, "wal_sync_method").c_str());
    PQfinish(conn);
  } else {
    std::printf("PostgreSQL: skipped (no --postgres_url)\n");
  }

  std::vector<Figures> gw, pg;
  for (int threads : thread_counts) {
    std::fflush(stdout);
    gw.push_back(RunGridwork(orders, threads));
    const Figures& g = gw.back();
    std::printf(
        "threads=%3d disk      : fdatasync after a 4 KiB overwrite p50 %.2f ms, p99 %.2f ms "
        "(probed just before the run)\n",
        threads, g.fdatasync_p50_ms, g.fdatasync_p99_ms);
    std::printf(
        "threads=%3d cpu       : one thread, SHA-256 %.0f MB/s, a dependent random read %.0f ns "
        "over 32 MiB (probed just before the run)\n",
        threads, g.sha256_mb_per_s, g.random_read_ns);
    std::printf(
        "threads=%3d gridwork  : %8.0f transitions/s  p50 %6.2f ms  p99 %6.2f ms  (%llu in %.2f s; "
        "%llu commits in %llu writes = %.1f per write, %llu fsyncs, max group %llu; "
        "%.0f us CPU, %.2f context switches and %.0f bytes written per transition; setup %.1f "
        "s)\n",
        threads, g.per_s, g.p50_ms, g.p99_ms, static_cast<unsigned long long>(g.transitions),
        g.seconds, static_cast<unsigned long long>(g.commits),
        static_cast<unsigned long long>(g.writes),
        g.writes ? static_cast<double>(g.commits) / g.writes : 0.0,
        static_cast<unsigned long long>(g.syncs), static_cast<unsigned long long>(g.max_group),
        g.cpu_us_per_transition, g.switches_per_transition, g.bytes_per_transition, g.setup_s);
    std::printf(
        "threads=%3d restart   : store reopened in %.2f s (%.0f MB of write-ahead log on disk "
        "at close)\n",
        threads, g.reopen_s, g.wal_mb_at_close);
    std::fflush(stdout);
    if (!url.empty()) {
      pg.push_back(RunPostgres(url, orders, threads));
      const Figures& p = pg.back();
      std::printf(
          "threads=%3d postgresql: %8.0f transitions/s  p50 %6.2f ms  p99 %6.2f ms  (%llu in %.2f "
          "s; %.0f WAL bytes per transition)   gridwork / postgresql = %.2fx\n",
          threads, p.per_s, p.p50_ms, p.p99_ms, static_cast<unsigned long long>(p.transitions),
          p.seconds, p.bytes_per_transition, g.per_s / p.per_s);
    }
  }

  const Figures& head = gw.front();
  const bool have_pg = !pg.empty();
  const double ratio = have_pg ? head.per_s / pg.front().per_s : 0;
  std::printf("target >= 20,000 transitions/s at %d threads: %s (%.0f)\n", head.threads,
              head.per_s >= 20000 ? "met" : "MISSED", head.per_s);
  if (have_pg) {
    std::printf("target >= 3x PostgreSQL at %d threads: %s (%.2fx)\n", head.threads,
                ratio >= 3 ? "met" : "MISSED", ratio);
  }
  if (absl::GetFlag(FLAGS_json)) {
    std::string j = absl::StrFormat(
        "{\"name\":\"workorder_transitions\",\"threads\":%d,\"orders\":%d,\"transitions\":%llu,"
        "\"transitions_per_s\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"commits\":%llu,"
        "\"writes\":%llu,\"fsyncs\":%llu,\"avg_group_size\":%.2f,\"cpu_us_per_transition\":%.1f,"
        "\"context_switches_per_transition\":%.2f,\"bytes_written_per_transition\":%.0f,"
        "\"fdatasync_p50_ms\":%.3f,\"cpu_sha256_mb_per_s\":%.0f,\"cpu_random_read_ns\":%.1f,"
        "\"reopen_s\":%.2f,\"wal_mb_at_close\":%.0f",
        head.threads, orders, static_cast<unsigned long long>(head.transitions), head.per_s,
        head.p50_ms, head.p99_ms, static_cast<unsigned long long>(head.commits),
        static_cast<unsigned long long>(head.writes), static_cast<unsigned long long>(head.syncs),
        head.writes ? static_cast<double>(head.commits) / head.writes : 0.0,
        head.cpu_us_per_transition, head.switches_per_transition, head.bytes_per_transition,
        head.fdatasync_p50_ms, head.sha256_mb_per_s, head.random_read_ns, head.reopen_s,
        head.wal_mb_at_close);
    if (have_pg) {
      absl::StrAppendFormat(&j,
                            ",\"vs_postgresql\":%.2f,\"postgresql_transitions_per_s\":%.0f,"
                            "\"postgresql_p50_ms\":%.3f,\"postgresql_p99_ms\":%.3f,"
                            "\"postgresql_wal_bytes_per_transition\":%.0f",
                            ratio, pg.front().per_s, pg.front().p50_ms, pg.front().p99_ms,
                            pg.front().bytes_per_transition);
    } else {
      absl::StrAppend(&j, ",\"vs_postgresql\":null");
    }
    for (size_t k = 1; k < gw.size(); ++k) {
      absl::StrAppendFormat(&j,
                            ",\"t%d_transitions_per_s\":%.0f,\"t%d_p50_ms\":%.3f,\"t%d_p99_ms\":%."
                            "3f,\"t%d_avg_group_size\":%.2f",
                            gw[k].threads, gw[k].per_s, gw[k].threads, gw[k].p50_ms, gw[k].threads,
                            gw[k].p99_ms, gw[k].threads,
                            gw[k].writes ? static_cast<double>(gw[k].commits) / gw[k].writes : 0.0);
      if (k < pg.size()) {
        absl::StrAppendFormat(
            &j, ",\"t%d_postgresql_transitions_per_s\":%.0f,\"t%d_vs_postgresql\":%.2f",
            gw[k].threads, pg[k].per_s, gw[k].threads, gw[k].per_s / pg[k].per_s);
      }
    }
    absl::StrAppendFormat(
        &j,
        ",\"targets_met\":{\"transitions_per_s_ge_20000\":%s,\"vs_postgresql_ge_3\":%s},\"units\":{"
        "\"*transitions_per_s\":\"OK durable transitions/s (sync=true), in-process, no "
        "gRPC\",\"*_ms\":\"ms per transition at the caller\",\"vs_postgresql\":\"ratio of "
        "transitions/s, same thread count\",\"avg_group_size\":\"commits per write (one "
        "WriteBatch)\",\"fsyncs\":\"WAL fsyncs; pipelined, one covers every write before it\","
        "\"cpu_us_per_transition\":\"us of process CPU (user+sys) per "
        "transition\",\"context_switches_per_transition\":\"getrusage nvcsw + nivcsw of the "
        "process over the timed phase / transitions\",\"cpu_sha256_mb_per_s\":\"one thread, just "
        "before the run\",\"cpu_random_read_ns\":\"one dependent read over 32 MiB, one thread, "
        "just before the run\",\"bytes_written_per_transition\":\"bytes, "
        "/proc/self/io write_bytes over the "
        "timed phase / transitions\",\"postgresql_wal_bytes_per_transition\":\"bytes of WAL "
        "(pg_wal_lsn_diff) / transitions\"}}",
        head.per_s >= 20000 ? "true" : "false", have_pg ? (ratio >= 3 ? "true" : "false") : "null");
    std::printf("%s\n", j.c_str());
  }
  return 0;
}
