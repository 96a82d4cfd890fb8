// kill -9 loop against the real gridwork-workorder: 4 writer threads drive orders around the
// closed loop (report, accept, start, suspend, resume, handle, assign verification, verify
// unsatisfied, ... verify satisfied, rate) over gRPC and record every transition they got an
// OK for, while the test SIGKILLs the service at random moments and restarts it on the same
// store. While the service is down the writers park with at most one unanswered call each;
// after the restart, before they resume, the test checks:
//   - every acknowledged transition is stored (the order's version is at least the one
//     acknowledged, and its history holds an event of that version and action);
//   - every touched order's history is VerifyHistory-intact and a legal path (seq and
//     version 1..n, each from_state the previous to_state, the order at its end);
//   - the kanban lists every order once, under its state, and counts its columns alike (open
//     orders' kanban keys are in memory, rebuilt at each start from what the crash left).
// Then the writers retry their unanswered call with the same request id: the answer must be
// the recorded one (or ABORTED), never a second application. At the end every stored history
// event corresponds to exactly one acknowledged call, and every writer's stored orders are
// exactly the ones it created. Cycles: 20 by default, $GRIDWORK_CRASH_CYCLES for more.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"

namespace gridwork::testing {
namespace {

namespace gv1 = geofence::v1;
namespace wv1 = workorder::v1;
using common::v1::Principal;

constexpr int kWriters = 4;
constexpr char kGrid[] = "410105/s01/c01/g01";

int Cycles() {
  const char* env = std::getenv("GRIDWORK_CRASH_CYCLES");
  return env != nullptr ? std::max(1, std::atoi(env)) : 20;
}

std::string Why(const grpc::Status& s) {
  return absl::StrCat("status ", s.error_code(), ": ", s.error_message());
}

// One district, one community, one grid.
std::string OneGridTree() {
  std::string out = R"({"type":"FeatureCollection","features":[)";
  const char* levels[][2] = {{"410105", "district"},
                             {"410105/s01", "street"},
                             {"410105/s01/c01", "community"},
                             {kGrid, "grid"}};
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(
        &out, i ? "," : "",
        absl::StrFormat(
            R"({"type":"Feature","properties":{"id":"%s","level":"%s","name":"%s"},)"
            R"("geometry":{"type":"Polygon","coordinates":[[[113.60,34.70],[113.65,34.70],)"
            R"([113.65,34.75],[113.60,34.75],[113.60,34.70]]]}})",
            levels[i][0], levels[i][1], levels[i][0]));
  }
  return out + "]}";
}

// A channel that reconnects within 200 ms of the service coming back and does not retry by
// itself: the writers retry, with the same request id, and count what happens.
std::shared_ptr<grpc::Channel> QuickChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<grpc::ClientContext> Call(const Principal& p, bool wait_for_ready = false) {
  auto ctx = As(p);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ctx->set_wait_for_ready(wait_for_ready);
  return ctx;
}

// A call that did not get an answer because the service went away.
bool Unanswered(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:
      return true;
    default:
      return false;
  }
}

// Lets the writers through while open; while closed, every writer about to send a call
// waits (parked) until it opens again.
class Gate {
 public:
  void Pass() {
    absl::MutexLock lock(&mu_);
    if (open_) return;
    ++parked_;
    mu_.Await(absl::Condition(&open_));
    --parked_;
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    open_ = false;
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  // Waits until `n` writers are parked; false after `timeout`.
  bool AwaitParked(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto all_parked = [this, n] { return parked_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&all_parked), timeout);
  }

 private:
  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = true;
  int parked_ ABSL_GUARDED_BY(mu_) = 0;
};

// A writer's call that has not been answered yet: a create (order_id empty) or a transition
// of order_id at expected_version.
struct Pending {
  bool active = false;
  std::string order_id;
  uint64_t expected_version = 0;
};

// One acknowledged (OK) mutation: the order's version after it and the action.
struct Ack {
  std::string order_id;
  uint64_t version = 0;
  wv1::Action action = wv1::ACTION_UNSPECIFIED;
};

class Writer {
 public:
  Writer(int index, const std::string& target, Gate* gate)
      : index_(index),
        reporter_(MakePrincipal(common::v1::ROLE_GRID_WORKER, kGrid,
                                absl::StrCat("crash-worker-", index))),
        handler_(MakePrincipal(common::v1::ROLE_DEPARTMENT_HANDLER, "", "crash-handler")),
        station_(
            MakePrincipal(common::v1::ROLE_COMMUNITY_STATION, "410105/s01/c01", "crash-station")),
        stub_(wv1::WorkOrderService::NewStub(QuickChannel(target))),
        gate_(gate) {
    handler_.set_department("urban-management");
  }

  // Drives orders until Stop(); the call in progress when Stop() comes is finished first.
  void Run() {
    while (!stop_) {
      if (order_.id().empty() || (order_.state() == wv1::STATE_CLOSED && order_.has_rating())) {
        Create();
      } else {
        Step();
      }
    }
  }
  void Stop() { stop_ = true; }
  // Stops now, leaving an unanswered call unanswered (the test failed; the service may be
  // down for good).
  void Abandon() {
    abandon_ = true;
    stop_ = true;
  }

  const std::string& reporter() const { return reporter_.subject(); }
  std::vector<Ack> Acks() {
    absl::MutexLock lock(&mu_);
    return acks_;
  }
  std::set<std::string> Created() {
    absl::MutexLock lock(&mu_);
    return created_;
  }
  std::vector<std::string> Errors() {
    absl::MutexLock lock(&mu_);
    return errors_;
  }
  Pending pending() {
    absl::MutexLock lock(&mu_);
    return pending_;
  }
  int retried() const { return retried_; }
  int aborted_retries() const { return aborted_retries_; }

 private:
  // Sends `attempt` until it is answered (anything but "the service went away"); each
  // attempt waits at the gate first. Sets `*retried` if it took more than one attempt.
  grpc::Status UntilAnswered(const std::function<grpc::Status()>& attempt, bool* retried) {
    *retried = false;
    for (;;) {
      gate_->Pass();
      grpc::Status s = attempt();
      if (!Unanswered(s) || abandon_) return s;
      *retried = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void SetPending(Pending p) {
    absl::MutexLock lock(&mu_);
    pending_ = std::move(p);
  }

  void Error(std::string what) {
    absl::MutexLock lock(&mu_);
    errors_.push_back(std::move(what));
  }

  void Create() {
    wv1::CreateOrderRequest req;
    req.set_request_id(absl::StrCat("crash-w", index_, "-create-", ++creates_));
    req.set_category_id("env.garbage");
    req.mutable_position()->set_lat(34.71 + 0.0001 * (creates_ % 300));
    req.mutable_position()->set_lng(113.61 + 0.002 * index_);
    req.set_description(absl::StrCat("第", creates_, "处垃圾堆放"));
    wv1::CreateOrderResponse resp;
    bool retried = false;
    SetPending({true, "", 0});
    grpc::Status s = UntilAnswered(
        [&] {
          resp.Clear();
          return stub_->CreateOrder(Call(reporter_).get(), req, &resp);
        },
        &retried);
    SetPending({});
    if (retried) ++retried_;
    if (!s.ok()) {
      Error(absl::StrCat(req.request_id(), ": ", Why(s)));
      return;
    }
    const wv1::WorkOrder& o = resp.order();
    if (o.state() != wv1::STATE_DISPATCHED || o.version() != 2) {
      Error(absl::StrCat(req.request_id(), ": created in state ", wv1::State_Name(o.state()),
                         " version ", o.version()));
    }
    absl::MutexLock lock(&mu_);
    acks_.push_back({o.id(), 1, wv1::ACTION_REPORT});
    acks_.push_back({o.id(), 2, wv1::ACTION_DISPATCH});
    created_.insert(o.id());
    order_ = o;
    suspended_ = false;
  }

  void Step() {
    const Principal* actor = &handler_;
    wv1::Action action = wv1::ACTION_UNSPECIFIED;
    std::string note;
    switch (order_.state()) {
      case wv1::STATE_DISPATCHED:
        action = wv1::ACTION_ACCEPT;
        suspended_ = false;
        break;
      case wv1::STATE_ACCEPTED:
        action = wv1::ACTION_START;
        break;
      case wv1::STATE_PROCESSING:
        action = suspended_ ? wv1::ACTION_HANDLE : wv1::ACTION_SUSPEND;
        note = suspended_ ? "已清运" : "等待清运车辆";
        break;
      case wv1::STATE_SUSPENDED:
        action = wv1::ACTION_RESUME;
        suspended_ = true;
        break;
      case wv1::STATE_HANDLED:
        actor = &station_;
        action = wv1::ACTION_ASSIGN_VERIFICATION;  // the reporting worker verifies
        break;
      case wv1::STATE_VERIFYING:
        actor = &reporter_;
        action = order_.reopen_count() == 0 ? wv1::ACTION_VERIFY_UNSATISFIED
                                            : wv1::ACTION_VERIFY_SATISFIED;
        note = order_.reopen_count() == 0 ? "仍有残留" : "";
        break;
      case wv1::STATE_CLOSED:
        actor = &reporter_;
        action = wv1::ACTION_RATE;
        break;
      default:
        Error(
            absl::StrCat(order_.id(), " is in unexpected state ", wv1::State_Name(order_.state())));
        order_.Clear();
        return;
    }
    const std::string request_id =
        absl::StrCat("crash-w", index_, "-", order_.id(), "-v", order_.version());
    wv1::WorkOrder resp;
    bool retried = false;
    grpc::Status s;
    SetPending({true, order_.id(), order_.version()});
    if (action == wv1::ACTION_RATE) {
      wv1::RateOrderRequest req;
      req.set_request_id(request_id);
      req.set_order_id(order_.id());
      req.set_expected_version(order_.version());
      req.set_score(4);
      s = UntilAnswered(
          [&] {
            resp.Clear();
            return stub_->RateOrder(Call(*actor).get(), req, &resp);
          },
          &retried);
    } else {
      wv1::TransitionRequest req;
      req.set_request_id(request_id);
      req.set_order_id(order_.id());
      req.set_expected_version(order_.version());
      req.set_action(action);
      req.set_note(note);
      s = UntilAnswered(
          [&] {
            resp.Clear();
            return stub_->Transition(Call(*actor).get(), req, &resp);
          },
          &retried);
    }
    SetPending({});
    if (retried) ++retried_;
    if (s.ok()) {
      if (resp.id() != order_.id() || resp.version() != order_.version() + 1) {
        Error(absl::StrCat(request_id, ": answer is ", resp.id(), " version ", resp.version()));
      }
      absl::MutexLock lock(&mu_);
      acks_.push_back({resp.id(), resp.version(), action});
      order_ = resp;
      return;
    }
    if (s.error_code() == grpc::StatusCode::ABORTED && retried) {
      ++aborted_retries_;  // allowed; the final check shows nothing was applied unacknowledged
    } else {
      Error(absl::StrCat(request_id, " ", wv1::Action_Name(action), ": ", Why(s)));
    }
    // Reload and carry on from what is stored.
    wv1::GetOrderRequest get;
    get.set_order_id(order_.id());
    wv1::WorkOrder reloaded;
    s = UntilAnswered(
        [&] {
          reloaded.Clear();
          return stub_->GetOrder(Call(reporter_).get(), get, &reloaded);
        },
        &retried);
    if (s.ok()) {
      order_ = reloaded;
    } else {
      Error(absl::StrCat("reload ", order_.id(), ": ", Why(s)));
      order_.Clear();
    }
  }

  const int index_;
  Principal reporter_, handler_, station_;
  std::unique_ptr<wv1::WorkOrderService::Stub> stub_;
  Gate* gate_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> abandon_{false};
  std::atomic<int> retried_{0};
  std::atomic<int> aborted_retries_{0};
  // Only the writer's thread uses these.
  wv1::WorkOrder order_;
  bool suspended_ = false;
  int creates_ = 0;

  absl::Mutex mu_;
  std::vector<Ack> acks_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> created_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> errors_ ABSL_GUARDED_BY(mu_);
  Pending pending_ ABSL_GUARDED_BY(mu_);
};

class Checker {
 public:
  explicit Checker(const std::string& target)
      : stub_(wv1::WorkOrderService::NewStub(QuickChannel(target))),
        admin_(MakePrincipal(common::v1::ROLE_ADMIN, "", "crash-auditor", absl::Hours(1))) {}

  // Every acknowledged mutation is stored. Orders checked before and finished then (closed
  // and rated, nothing acknowledged since) are checked by their listed version; every other
  // order with an acknowledgement by its full history: intact, a legal path, the order at
  // its end, and holding each acknowledged (version, action). `reporters`: whose orders to
  // list. Returns the number of histories checked in full.
  int CheckAcked(const std::vector<Ack>& acks, const std::vector<std::string>& reporters) {
    std::map<std::string, uint64_t> listed;
    for (const auto& r : reporters) {
      for (const auto& [id, version] : OrdersOf(r)) listed[id] = version;
    }
    std::map<std::string, std::vector<const Ack*>> by_order;
    for (const Ack& a : acks) by_order[a.order_id].push_back(&a);
    int full = 0;
    for (const auto& [id, order_acks] : by_order) {
      uint64_t newest = 0;
      for (const Ack* a : order_acks) newest = std::max(newest, a->version);
      INFO("order " << id << ": acknowledged up to version " << newest);
      REQUIRE(listed.count(id) == 1);
      REQUIRE(listed[id] >= newest);
      auto finished = finished_.find(id);
      if (finished != finished_.end() && finished->second == newest) {
        REQUIRE(listed[id] == newest);  // nothing happens to a finished order
        continue;
      }
      ++full;
      std::vector<wv1::OrderEvent> events = SoundHistory(id);
      for (const Ack* a : order_acks) {
        INFO("acknowledged " << wv1::Action_Name(a->action) << " -> version " << a->version
                             << " (history has " << events.size() << ")");
        REQUIRE(a->version <= events.size());
        REQUIRE(events[a->version - 1].action() == a->action);
      }
      if (events.back().action() == wv1::ACTION_RATE && events.size() == newest) {
        finished_[id] = newest;
      }
      histories_[id] = std::move(events);
    }
    return full;
  }

  // The next CheckAcked reads every history in full.
  void ForgetFinished() { finished_.clear(); }

  // The last history read in full of each order.
  const std::map<std::string, std::vector<wv1::OrderEvent>>& histories() const {
    return histories_;
  }

  // Order id -> version of `reporter`'s stored orders; fails on an order listed twice.
  std::map<std::string, uint64_t> OrdersOf(const std::string& reporter) {
    wv1::OrderFilter filter;
    filter.set_reporter(reporter);
    std::map<std::string, uint64_t> out;
    for (const auto& [id, order] : List(filter)) out[id] = order.version();
    return out;
  }

  // Call while nothing writes. The kanban names every stored order of `reporters` exactly once,
  // under the state the order has, and counts each column as it lists it. Open orders' keys are
  // in the service's memory, rebuilt at every start from what the crash left on disk.
  void CheckKanban(const std::vector<std::string>& reporters) {
    std::map<std::string, int> expected;  // order id -> state, read through by_reporter
    for (const auto& r : reporters) {
      wv1::OrderFilter filter;
      filter.set_reporter(r);
      for (const auto& [id, order] : List(filter)) expected[id] = order.state();
    }
    wv1::CountOrdersResponse counts;
    Read([&] {
      return stub_->CountOrders(Call(admin_, true).get(), wv1::CountOrdersRequest(), &counts);
    });
    std::map<std::string, int> listed;
    for (int s = wv1::State_MIN + 1; s <= wv1::State_MAX; ++s) {
      if (!wv1::State_IsValid(s)) continue;
      wv1::OrderFilter filter;
      filter.add_states(static_cast<wv1::State>(s));
      const std::map<std::string, wv1::WorkOrder> column = List(filter);
      for (const auto& [id, order] : column) {
        INFO("order " << id << " listed under " << wv1::State_Name(s));
        REQUIRE(order.state() == s);
        REQUIRE(listed.emplace(id, s).second);
      }
      INFO("column " << wv1::State_Name(s));
      REQUIRE(counts.columns(s - 1).count() == static_cast<int64_t>(column.size()));
    }
    REQUIRE(listed == expected);
  }

 private:
  // Every order ListOrders returns for `filter` (all pages) by id; fails on an order listed
  // twice.
  std::map<std::string, wv1::WorkOrder> List(const wv1::OrderFilter& filter) {
    wv1::ListOrdersRequest req;
    *req.mutable_filter() = filter;
    req.set_page_size(500);
    std::map<std::string, wv1::WorkOrder> out;
    do {
      wv1::ListOrdersResponse page;
      Read([&] { return stub_->ListOrders(Call(admin_, true).get(), req, &page); });
      for (const auto& o : page.orders()) {
        if (!out.emplace(o.id(), o).second) FAIL("order " << o.id() << " listed twice");
      }
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty());
    return out;
  }

  // A read, repeated while the freshly restarted service is not reachable yet (the channel
  // may first try the dead connection).
  void Read(const std::function<grpc::Status()>& call) {
    const absl::Time deadline = absl::Now() + absl::Seconds(15);
    grpc::Status s;
    do {
      s = call();
      if (!Unanswered(s)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (absl::Now() < deadline);
    INFO(Why(s));
    REQUIRE(s.ok());
  }

  // The stored history of `id`, checked to be intact and a legal path, with the order at
  // its end.
  std::vector<wv1::OrderEvent> SoundHistory(const std::string& id) {
    wv1::GetOrderRequest get;
    get.set_order_id(id);
    wv1::WorkOrder order;
    Read([&] { return stub_->GetOrder(Call(admin_, true).get(), get, &order); });
    wv1::GetHistoryRequest hreq;
    hreq.set_order_id(id);
    wv1::GetHistoryResponse history;
    Read([&] { return stub_->GetHistory(Call(admin_, true).get(), hreq, &history); });
    wv1::VerifyHistoryRequest vreq;
    vreq.set_order_id(id);
    wv1::VerifyHistoryResponse verdict;
    Read([&] { return stub_->VerifyHistory(Call(admin_, true).get(), vreq, &verdict); });
    INFO(verdict.problem());
    REQUIRE(verdict.intact());
    const auto& events = history.events();
    REQUIRE(events.size() > 0);
    REQUIRE(verdict.length() == static_cast<uint64_t>(events.size()));
    wv1::State state = wv1::STATE_UNSPECIFIED;
    for (int i = 0; i < events.size(); ++i) {
      const wv1::OrderEvent& e = events[i];
      INFO("event " << i + 1 << " " << wv1::Action_Name(e.action()) << " version " << e.version());
      REQUIRE(e.seq() == static_cast<uint64_t>(i + 1));
      REQUIRE(e.version() == static_cast<uint64_t>(i + 1));  // one event per version: no repeats
      REQUIRE(e.from_state() == state);
      state = e.to_state();
    }
    REQUIRE(order.state() == state);
    REQUIRE(order.version() == static_cast<uint64_t>(events.size()));
    REQUIRE(order.history_length() == static_cast<uint64_t>(events.size()));
    return {events.begin(), events.end()};
  }

  std::unique_ptr<wv1::WorkOrderService::Stub> stub_;
  Principal admin_;
  std::map<std::string, uint64_t> finished_;  // order id -> its final version, checked
  std::map<std::string, std::vector<wv1::OrderEvent>> histories_;
};

// The catalogue the writers use: rubbish goes to urban management by rule; SLA stages of
// days, so no timer changes an order during the test.
void LoadCatalog(const std::string& target) {
  auto stub = wv1::WorkOrderService::NewStub(rpc::MakeChannel(target));
  const Principal admin = MakePrincipal(common::v1::ROLE_ADMIN, "", "admin");
  for (const auto& [id, parent] : {std::pair<std::string, std::string>{"env", ""},
                                   std::pair<std::string, std::string>{"env.garbage", "env"}}) {
    wv1::UpsertCategoryRequest req;
    req.set_request_id("category-" + id);
    req.mutable_category()->set_id(id);
    req.mutable_category()->set_parent_id(parent);
    req.mutable_category()->set_name("垃圾");
    req.mutable_category()->set_default_department("urban-management");
    auto* sla = req.mutable_category()->mutable_sla();
    for (auto* d : {sla->mutable_triage(), sla->mutable_accept(), sla->mutable_handle(),
                    sla->mutable_review(), sla->mutable_verify()}) {
      *d = service::ToProto(absl::Hours(72));
    }
    wv1::Category out;
    grpc::Status s = stub->UpsertCategory(As(admin).get(), req, &out);
    INFO(Why(s));
    REQUIRE(s.ok());
  }
  wv1::UpsertDispatchRuleRequest rule;
  rule.set_request_id("rule-env");
  rule.mutable_rule()->set_id("r-env");
  rule.mutable_rule()->set_category_prefix("env");
  rule.mutable_rule()->set_department("urban-management");
  wv1::DispatchRule out;
  REQUIRE(stub->UpsertDispatchRule(As(admin).get(), rule, &out).ok());
}

}  // namespace

TEST_CASE("kill -9 loop: no acknowledged transition lost, none applied twice, histories intact",
          "[integration]") {
  const absl::Time test_start = absl::Now();
  TempDir geofence_dir;
  ServiceProcess geofence("gridwork-geofence",
                          {"--data_dir=" + geofence_dir.path(), "--sync=false"}, {KeyEnv()});
  REQUIRE(geofence.Start().ok());
  {
    auto geo = gv1::GeofenceService::NewStub(rpc::MakeChannel(geofence.grpc_target()));
    gv1::ImportRegionsRequest import;
    import.set_request_id("import");
    import.set_geojson(OneGridTree());
    gv1::ImportRegionsResponse imported;
    grpc::Status s =
        geo->ImportRegions(As(MakePrincipal(common::v1::ROLE_ADMIN)).get(), import, &imported);
    INFO(Why(s));
    REQUIRE(s.ok());
  }

  TempDir dir;
  const std::string addr = absl::StrCat("127.0.0.1:", PickFreePort());
  const std::vector<std::string> args = {"--grpc_addr=" + addr, "--data_dir=" + dir.path(),
                                         "--geofence_addr=" + geofence.grpc_target()};
  auto service = std::make_unique<ServiceProcess>("gridwork-workorder", args,
                                                  std::vector<std::string>{KeyEnv()});
  {
    auto started = service->Start();
    INFO(started.message());
    REQUIRE(started.ok());
  }
  LoadCatalog(addr);

  Gate gate;
  std::vector<std::unique_ptr<Writer>> writers;
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    writers.push_back(std::make_unique<Writer>(i, addr, &gate));
    threads.emplace_back([w = writers.back().get()] { w->Run(); });
  }
  auto all_acks = [&] {
    std::vector<Ack> acks;
    for (auto& w : writers) {
      auto mine = w->Acks();
      acks.insert(acks.end(), mine.begin(), mine.end());
    }
    return acks;
  };
  // On any failure below, release and stop the writers before the destructors run.
  struct Cleanup {
    Gate& gate;
    std::vector<std::unique_ptr<Writer>>& writers;
    std::vector<std::thread>& threads;
    ~Cleanup() {
      for (auto& w : writers) w->Abandon();
      gate.Open();
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } cleanup{gate, writers, threads};

  auto checker = std::make_unique<Checker>(addr);
  std::vector<std::string> reporters;
  for (auto& w : writers) reporters.push_back(w->reporter());
  std::mt19937 rng(20261123);
  const int cycles = Cycles();
  size_t acked_before_last_kill = 0;
  int committed_unanswered = 0;  // calls stored before the kill whose answer was lost
  for (int cycle = 0; cycle < cycles; ++cycle) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 350));
    service->Kill();
    gate.Close();
    // Every writer's call in flight fails; each parks with at most one unanswered call.
    REQUIRE(gate.AwaitParked(kWriters, absl::Seconds(15)));
    const std::vector<Ack> acked = all_acks();
    service = std::make_unique<ServiceProcess>("gridwork-workorder", args,
                                               std::vector<std::string>{KeyEnv()});
    auto started = service->Start();
    INFO("cycle " << cycle << ": " << started.message());
    REQUIRE(started.ok());
    INFO("cycle " << cycle << ": " << acked.size() << " acknowledged mutations");
    checker->CheckAcked(acked, reporters);
    checker->CheckKanban(reporters);
    // Nothing unacknowledged is stored except, perhaps, each writer's one unanswered call.
    for (auto& w : writers) {
      const Pending p = w->pending();
      const std::set<std::string> created = w->Created();
      const std::map<std::string, uint64_t> stored = checker->OrdersOf(w->reporter());
      std::vector<std::string> unknown;
      for (const auto& [id, version] : stored) {
        if (created.count(id) == 0) unknown.push_back(id);
      }
      INFO(w->reporter() << " has " << unknown.size() << " stored orders it never heard of");
      if (!p.active) {
        REQUIRE(unknown.empty());
      } else if (p.order_id.empty()) {
        REQUIRE(unknown.size() <= 1);
        committed_unanswered += static_cast<int>(unknown.size());
      } else {
        REQUIRE(unknown.empty());
        const uint64_t version = stored.at(p.order_id);
        INFO(p.order_id << " expected at version " << p.expected_version << ", stored " << version);
        REQUIRE((version == p.expected_version || version == p.expected_version + 1));
        committed_unanswered += version == p.expected_version + 1 ? 1 : 0;
      }
    }
    acked_before_last_kill = acked.size();
    gate.Open();
  }

  for (auto& w : writers) w->Stop();
  for (auto& t : threads) t.join();
  int retried = 0, aborted = 0;
  for (auto& w : writers) {
    const auto errors = w->Errors();
    INFO(w->reporter() << ": " << (errors.empty() ? "" : errors.front()));
    REQUIRE(errors.empty());
    retried += w->retried();
    aborted += w->aborted_retries();
  }
  // The writers made progress through the crashes, and retried calls across them.
  REQUIRE(acked_before_last_kill >= static_cast<size_t>(cycles) * kWriters);
  REQUIRE(retried > 0);

  // Exactly once: every stored event was acknowledged once, every acknowledgement is stored,
  // and each writer's stored orders are exactly those it created.
  const std::vector<Ack> acks = all_acks();
  checker->ForgetFinished();
  checker->CheckAcked(acks, reporters);
  const auto& histories = checker->histories();
  std::map<std::string, std::set<uint64_t>> acked_versions;
  for (const Ack& a : acks) {
    INFO("version " << a.version << " of " << a.order_id << " acknowledged twice");
    REQUIRE(acked_versions[a.order_id].insert(a.version).second);
  }
  for (const auto& [id, events] : histories) {
    INFO("order " << id << ": " << events.size() << " events, " << acked_versions[id].size()
                  << " acknowledged");
    REQUIRE(acked_versions[id].size() == events.size());
  }
  checker->CheckKanban(reporters);
  for (auto& w : writers) {
    INFO(w->reporter());
    std::set<std::string> stored;
    for (const auto& [id, version] : checker->OrdersOf(w->reporter())) stored.insert(id);
    REQUIRE(stored == w->Created());
  }
  const absl::Duration took = absl::Now() - test_start;
  WARN(cycles << " kill -9 cycles in " << took << ": " << acks.size()
              << " acknowledged mutations on " << histories.size() << " orders, " << retried
              << " calls retried across a crash (" << committed_unanswered
              << " of them stored before the kill: the retry got the recorded answer), " << aborted
              << " retries ABORTED");
  // Close the clients' connections first: a connected idle client holds up the drain.
  writers.clear();
  checker.reset();
  REQUIRE(service->Stop() == 0);
  REQUIRE(geofence.Stop() == 0);
}

}  // namespace gridwork::testing
