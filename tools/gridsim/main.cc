// gridsim: the living demo city (docs/gridsim.md).
//
//   gridsim [flags] load-demo   create the demo people and places through the gateway (admin;
//                               idempotent) and write the credentials file
//   gridsim [flags] day         a time-compressed working day of the demo city
//   gridsim [flags] load        N workers x one fix every T seconds through the gateway
//
// Every mode talks only to the gateway (--gateway) and stops cleanly on SIGINT/SIGTERM.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/core/flags_usage.h"
#include "gridwork/rpc/client.h"
#include "gridwork/rpc/shutdown_signal.h"
#include "tools/gridsim/city_source.h"
#include "tools/gridsim/day_runner.h"
#include "tools/gridsim/demo_loader.h"
#include "tools/gridsim/demo_names.h"
#include "tools/gridsim/gateway_session.h"
#include "tools/gridsim/load_runner.h"

ABSL_FLAG(std::string, gateway, "127.0.0.1:50050", "Gateway gRPC address (host:port).");
ABSL_FLAG(std::string, districts, "410105",
          "Comma-separated district ids whose people are loaded and simulated.");
ABSL_FLAG(uint64_t, city_seed, 20240601, "Seed of the demo people and places (load-demo, day).");
ABSL_FLAG(std::string, password_seed, "gridwork-demo",
          "Demo passwords are derived from this and the username (demo only).");
ABSL_FLAG(std::string, admin_user, "admin", "load-demo: the administrator to log in as.");
ABSL_FLAG(std::string, admin_password_file, "data/admin.password",
          "load-demo: file holding the administrator's password ($GRIDWORK_ADMIN_PASSWORD wins).");
ABSL_FLAG(std::string, credentials_file, "data/demo-users.txt",
          "load-demo: where every demo user's credentials are written (mode 0600).");
ABSL_FLAG(int, threads, 4, "Concurrent calls (load-demo, day).");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(10), "Deadline of every call.");
// day
ABSL_FLAG(double, speed, 60, "day: simulated seconds per real second.");
ABSL_FLAG(uint64_t, seed, 1, "day/load: seed of the day's schedule and behaviour.");
ABSL_FLAG(double, day_hours, 9, "day: length of the working day (simulated hours).");
ABSL_FLAG(int, sim_workers, 300, "day: grid workers simulated (0 = all of the districts).");
ABSL_FLAG(absl::Duration, fix_interval, absl::Seconds(30), "day: simulated time between fixes.");
ABSL_FLAG(double, incidents_per_worker, 1.5, "day: mean patrol reports per worker and day.");
ABSL_FLAG(double, resident_reports, 1.0, "day: mean resident reports per community and day.");
ABSL_FLAG(double, inspect_prob, 0.7, "day: chance that a subject visit is an inspection.");
ABSL_FLAG(double, item_fail_prob, 0.04, "day: chance that a checklist item fails.");
ABSL_FLAG(double, return_prob, 0.06, "day: chance that a department returns an order.");
ABSL_FLAG(double, neglect_prob, 0.04, "day: chance that a department leaves an order lying.");
ABSL_FLAG(double, reopen_prob, 0.12, "day: chance that a verification is unsatisfied.");
ABSL_FLAG(double, dead_zones_per_hour, 0.3, "day: chance per worker-hour of a dead zone.");
ABSL_FLAG(absl::Duration, summary_every, absl::Seconds(10), "day: time between summary lines.");
ABSL_FLAG(bool, linger, false,
          "day: after the day, keep playing the people on open orders until stopped.");
ABSL_FLAG(absl::Duration, drain, absl::Seconds(60),
          "day: after the day (without --linger), wait at most this for open orders to settle.");
// load
ABSL_FLAG(int, workers, 100, "load: simulated workers.");
ABSL_FLAG(absl::Duration, interval, absl::Seconds(1), "load: time between two fixes of a worker.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "load: how long to send.");
ABSL_FLAG(int, senders, 4,
          "load: sender threads (calls are asynchronous; --max_in_flight bounds them).");
ABSL_FLAG(int, max_in_flight, 4096, "load: calls in flight at once, over all senders.");
ABSL_FLAG(int, fixes_per_call, 1,
          "load: fixes per IngestFixes call (k > 1: a worker uploads its last k fixes every k "
          "intervals, as phones batch).");
ABSL_FLAG(bool, json, false, "load: print the figures as one JSON object on the last line.");

namespace gridwork::gridsim {
namespace {

std::atomic<bool> g_stop{false};

std::vector<std::string> Districts() {
  return absl::StrSplit(absl::GetFlag(FLAGS_districts), ',', absl::SkipEmpty());
}

std::string AdminPassword() {
  if (const char* env = std::getenv("GRIDWORK_ADMIN_PASSWORD"); env && *env) return env;
  std::ifstream in(absl::GetFlag(FLAGS_admin_password_file));
  std::stringstream s;
  s << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(s.str()));
}

int LoadDemo() {
  auto admin = LoginGateway(absl::GetFlag(FLAGS_gateway), absl::GetFlag(FLAGS_admin_user),
                            AdminPassword(), absl::GetFlag(FLAGS_call_timeout));
  if (!admin.ok()) {
    std::cerr << "gridsim: " << admin.status().message() << "\n";
    return 1;
  }
  auto inputs = ReadCityInputs(**admin, Districts());
  if (!inputs.ok()) {
    std::cerr << "gridsim: " << inputs.status().message() << "\n";
    return 1;
  }
  DemoOptions dopt;
  dopt.seed = absl::GetFlag(FLAGS_city_seed);
  dopt.password_seed = absl::GetFlag(FLAGS_password_seed);
  DemoCity city = BuildDemoCity(inputs->regions, inputs->departments, dopt);
  LoaderOptions lopt;
  lopt.threads = absl::GetFlag(FLAGS_threads);
  lopt.credentials_file = absl::GetFlag(FLAGS_credentials_file);
  auto report = LoadDemoCity(**admin, city, Districts(), lopt);
  if (!report.ok()) {
    std::cerr << "gridsim: " << report.status().message() << "\n";
    return 1;
  }
  auto line = [](const char* what, const LoadCounts& c) {
    std::printf("  %-10s created %5d  present %5d  failed %d\n", what, c.created, c.present,
                c.failed);
  };
  std::printf("gridsim load-demo: %zu regions, %zu departments\n", inputs->regions.size(),
              inputs->departments.size());
  line("users", report->users);
  line("bindings", report->bindings);
  line("key points", report->key_points);
  line("subjects", report->subjects);
  std::printf("created %d, failed %d; credentials of all %zu demo users in %s\n",
              report->total_created(), report->total_failed(), city.users.size(),
              lopt.credentials_file.c_str());
  std::printf("%s", CredentialSummary(city).c_str());
  std::fflush(stdout);
  return report->total_failed() == 0 ? 0 : 2;
}

int Day() {
  DayRunnerOptions o;
  o.gateway = absl::GetFlag(FLAGS_gateway);
  o.districts = Districts();
  o.password_seed = absl::GetFlag(FLAGS_password_seed);
  o.city_seed = absl::GetFlag(FLAGS_city_seed);
  o.speed = absl::GetFlag(FLAGS_speed);
  o.threads = absl::GetFlag(FLAGS_threads);
  o.call_timeout = absl::GetFlag(FLAGS_call_timeout);
  o.summary_every = absl::GetFlag(FLAGS_summary_every);
  o.linger = absl::GetFlag(FLAGS_linger);
  o.drain = absl::GetFlag(FLAGS_drain);
  o.day.seed = absl::GetFlag(FLAGS_seed);
  o.day.day_s = absl::GetFlag(FLAGS_day_hours) * 3600;
  o.day.workers = absl::GetFlag(FLAGS_sim_workers);
  o.day.incidents_per_worker = absl::GetFlag(FLAGS_incidents_per_worker);
  o.day.resident_reports_per_community = absl::GetFlag(FLAGS_resident_reports);
  o.day.inspect_prob = absl::GetFlag(FLAGS_inspect_prob);
  o.day.item_fail_prob = absl::GetFlag(FLAGS_item_fail_prob);
  o.day.fixes.interval_s = absl::ToDoubleSeconds(absl::GetFlag(FLAGS_fix_interval));
  o.day.fixes.dead_zones_per_hour = absl::GetFlag(FLAGS_dead_zones_per_hour);
  o.behaviour.seed = absl::GetFlag(FLAGS_seed);
  o.behaviour.return_prob = absl::GetFlag(FLAGS_return_prob);
  o.behaviour.neglect_prob = absl::GetFlag(FLAGS_neglect_prob);
  o.behaviour.reopen_prob = absl::GetFlag(FLAGS_reopen_prob);
  if (o.speed < 1 || o.day.day_s <= 0 || o.day.fixes.interval_s <= 0) {
    std::cerr << "gridsim: --speed must be >= 1, --day_hours and --fix_interval > 0\n";
    return 1;
  }
  auto totals = RunDay(o, g_stop);
  if (!totals.ok()) {
    std::cerr << "gridsim: " << totals.status().message() << "\n";
    return 1;
  }
  return 0;
}

int Load() {
  LoadOptions o;
  o.gateway = absl::GetFlag(FLAGS_gateway);
  o.password = DemoPassword(absl::GetFlag(FLAGS_password_seed), o.username);
  o.workers = absl::GetFlag(FLAGS_workers);
  o.interval = absl::GetFlag(FLAGS_interval);
  o.duration = absl::GetFlag(FLAGS_duration);
  o.threads = absl::GetFlag(FLAGS_senders);
  o.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  o.fixes_per_call = absl::GetFlag(FLAGS_fixes_per_call);
  o.call_timeout = absl::GetFlag(FLAGS_call_timeout);
  o.seed = absl::GetFlag(FLAGS_seed);
  if (o.workers < 1 || o.interval <= absl::ZeroDuration() || o.fixes_per_call < 1) {
    std::cerr << "gridsim: --workers and --fixes_per_call must be >= 1 and --interval > 0\n";
    return 1;
  }
  auto r = RunLoad(o, g_stop);
  if (!r.ok()) {
    std::cerr << "gridsim: " << r.status().message() << "\n";
    return 1;
  }
  std::cout << FormatLoadResult(*r, o) << "\n";
  if (absl::GetFlag(FLAGS_json)) std::cout << LoadResultJson(*r, o) << "\n";
  return 0;
}

}  // namespace
}  // namespace gridwork::gridsim

int main(int argc, char** argv) {
#ifdef NDEBUG
  // Debian's Abseil runs its mutex deadlock detector on every Lock (gRPC's too); off in
  // Release, as in every service (libs/service/src/service_main.cc).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  gridwork::rpc::BlockShutdownSignals();
  std::vector<char*> args = gridwork::ParseFlags(
      argc, argv,
      "gridsim: the living demo city.\n"
      "  gridsim [flags] load-demo   create the demo people and places (idempotent)\n"
      "  gridsim [flags] day         a time-compressed working day (--speed, --seed)\n"
      "  gridsim [flags] load        --workers=N --interval=T --duration=D [--json]");
  if (args.size() != 2) {
    std::cerr << "gridsim: name one mode: load-demo, day or load (--help lists the flags)\n";
    return 1;
  }
  std::string mode = args[1];
  std::thread signals([mode] {
    int sig = gridwork::rpc::WaitForShutdownSignal();
    gridwork::gridsim::g_stop.store(true);
    if (sig != 0 && mode == "load-demo") {
      // Every write of load-demo is idempotent: stopping half-way is safe, the next run
      // creates what is missing.
      std::fprintf(stderr, "gridsim: load-demo interrupted; run it again to finish\n");
      std::_Exit(130);
    }
  });
  int rc = 1;
  if (mode == "load-demo") {
    rc = gridwork::gridsim::LoadDemo();
  } else if (mode == "day") {
    rc = gridwork::gridsim::Day();
  } else if (mode == "load") {
    rc = gridwork::gridsim::Load();
  } else {
    std::cerr << "gridsim: unknown mode " << mode << " (load-demo, day, load)\n";
  }
  gridwork::rpc::RequestShutdown();
  signals.join();
  return rc;
}
