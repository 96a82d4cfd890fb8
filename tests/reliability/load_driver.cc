#include "tests/reliability/load_driver.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridwork/inspection/v1/inspection.grpc.pb.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "gridwork/workorder/v1/workorder.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "tests/integration/principals.h"
#include "tests/integration/small_tree.h"

namespace gridwork::testing {
namespace {

namespace iv1 = inspection::v1;
namespace lv1 = location::v1;
namespace wv1 = workorder::v1;
using common::v1::Principal;

constexpr int kWorkers = 4;

std::string Why(const grpc::Status& s) {
  return absl::StrCat("status ", s.error_code(), ": ", s.error_message());
}

// Reconnects within 200 ms of a restarted service coming back; no built-in retries (the
// driver retries with the same request id and counts what happens).
std::shared_ptr<grpc::Channel> QuickChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<grpc::ClientContext> Call(const Principal& p) {
  auto ctx = As(p);
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  return ctx;
}

// No answer from the service (down, restarting, draining, or a downstream of it down).
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

// Repeats `attempt` until it is answered; gives up (returning the last status) after 90 s.
grpc::Status UntilAnswered(const std::function<grpc::Status()>& attempt, bool* retried) {
  *retried = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(90);
  for (;;) {
    grpc::Status s = attempt();
    if (!Unanswered(s) || absl::Now() > give_up) return s;
    *retried = true;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

Principal Worker(int w) {
  return MakePrincipal(common::v1::ROLE_GRID_WORKER, w <= 2 ? kG01 : kG02, absl::StrCat("w", w),
                       absl::Hours(2));
}

}  // namespace

LoadDriver::LoadDriver(Stack* stack, LoadOptions options)
    : stack_(stack), options_(std::move(options)) {}

LoadDriver::~LoadDriver() { Stop(); }

void LoadDriver::Start() {
  if (options_.fixes) threads_.emplace_back([this] { FixLoop(); });
  if (options_.orders) {
    for (int i = 0; i < options_.order_writers; ++i) {
      threads_.emplace_back([this, i] { OrderLoop(i); });
    }
  }
  if (options_.inspections) threads_.emplace_back([this] { InspectionLoop(); });
}

void LoadDriver::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void LoadDriver::Error(std::string what) {
  absl::MutexLock l(&mu_);
  errors_.push_back(std::move(what));
}

std::vector<std::string> LoadDriver::errors() {
  absl::MutexLock l(&mu_);
  return errors_;
}

size_t LoadDriver::acked_fixes() {
  absl::MutexLock l(&mu_);
  size_t n = 0;
  for (const auto& [w, seqs] : fixes_) n += seqs.size();
  return n;
}

size_t LoadDriver::acked_transitions() {
  absl::MutexLock l(&mu_);
  return acks_.size();
}

size_t LoadDriver::acked_results() {
  absl::MutexLock l(&mu_);
  return results_.size();
}

void LoadDriver::FixLoop() {
  auto stub = lv1::LocationService::NewStub(QuickChannel(stack_->address("location")));
  const Principal service = ServicePrincipal();
  uint64_t sequence[kWorkers + 1] = {};
  const double t0 = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  while (!stop_) {
    const absl::Time now = absl::Now();
    for (int w = 1; w <= kWorkers && !stop_; ++w) {
      // Across the g01/g02 boundary (113.625 E) and back every 8 s: ±55 m, at most 43 m/s.
      const double t = absl::ToDoubleSeconds(now - absl::UnixEpoch()) - t0 + w;
      lv1::FixBatch batch;
      batch.set_batch_id(++sequence[w]);
      batch.set_worker_id(absl::StrCat("w", w));
      batch.set_device_id(absl::StrCat("w", w, "-phone"));
      lv1::DeviceFix* f = batch.add_fixes();
      f->set_sequence(sequence[w]);
      *f->mutable_device_time() = service::ToProto(absl::FromUnixMillis(absl::ToUnixMillis(now)));
      *f->mutable_position() =
          At(34.70 + 0.01 * w, 113.625 + 0.0006 * std::sin(2 * M_PI * t / 8.0));
      f->set_accuracy_m(8);
      lv1::BatchAck ack;
      bool retried = false;
      grpc::Status s = UntilAnswered(
          [&] {
            ack.Clear();
            return stub->IngestFixes(Call(service).get(), batch, &ack);
          },
          &retried);
      if (!s.ok() || !ack.error().empty() || ack.rejections_size() != 0) {
        Error(absl::StrCat("fix w", w, "/", sequence[w], ": ", Why(s), " ", ack.error(),
                           ack.rejections_size() ? ack.rejections(0).detail() : ""));
        continue;
      }
      absl::MutexLock l(&mu_);
      fixes_[absl::StrCat("w", w)].insert(sequence[w]);
    }
    absl::SleepFor(options_.fix_tick);
  }
}

std::string LoadDriver::BurstSummary() {
  absl::MutexLock l(&mu_);
  return absl::StrCat(
      burst_calls_, " burst calls, ", burst_failed_calls_, " refused or failed",
      burst_failed_calls_ > 0 ? absl::StrCat(" (last: ", burst_last_failure_, ")") : std::string());
}

int LoadDriver::Burst(absl::Duration duration, const std::atomic<bool>* stop) {
  auto stub = lv1::LocationService::NewStub(QuickChannel(stack_->address("location")));
  const Principal service = ServicePrincipal();
  // Device times from 6 hours ago, 10 ms apart: never in the future, never too fast.
  const int64_t base_ms = absl::ToUnixMillis(start_ - absl::Hours(6));
  const absl::Time end = absl::Now() + duration;
  int acked = 0;
  while (absl::Now() < end && (stop == nullptr || !*stop)) {
    lv1::FixBatch batch;
    batch.set_batch_id(burst_sequence_ + 1);
    batch.set_worker_id("burst");
    batch.set_device_id("burst-phone");
    std::vector<uint64_t> seqs;
    for (int i = 0; i < 1000; ++i) {
      const uint64_t seq = ++burst_sequence_;
      lv1::DeviceFix* f = batch.add_fixes();
      f->set_sequence(seq);
      *f->mutable_device_time() =
          service::ToProto(absl::FromUnixMillis(base_ms + 10 * static_cast<int64_t>(seq)));
      *f->mutable_position() = At(34.72, 113.61 + 1e-6 * static_cast<double>(seq % 1000));
      f->set_accuracy_m(5);
      seqs.push_back(seq);
    }
    lv1::BatchAck ack;
    // Not retried: a batch lost to a kill is simply not acknowledged (and not checked).
    grpc::Status s = stub->IngestFixes(Call(service).get(), batch, &ack);
    absl::MutexLock l(&mu_);
    ++burst_calls_;
    if (!s.ok() || !ack.error().empty() || ack.rejections_size() != 0) {
      ++burst_failed_calls_;
      burst_last_failure_ = !s.ok() ? absl::StrCat("code ", s.error_code(), ": ", s.error_message())
                            : !ack.error().empty()
                                ? ack.error()
                                : absl::StrCat(ack.rejections_size(), " rejected, first: ",
                                               lv1::RejectReason_Name(ack.rejections(0).reason()));
      continue;
    }
    fixes_["burst"].insert(seqs.begin(), seqs.end());
    acked += static_cast<int>(seqs.size());
  }
  return acked;
}

void LoadDriver::OrderLoop(int index) {
  auto stub = wv1::WorkOrderService::NewStub(QuickChannel(stack_->address("workorder")));
  const Principal reporter = Worker(1 + index % 2);  // g01 workers report and verify
  Principal handler =
      MakePrincipal(common::v1::ROLE_DEPARTMENT_HANDLER, "", "fault-handler", absl::Hours(2));
  handler.set_department("urban");
  const Principal station =
      MakePrincipal(common::v1::ROLE_COMMUNITY_STATION, kCommunity, "station", absl::Hours(2));
  wv1::WorkOrder order;
  int creates = 0;
  while (!stop_) {
    bool retried = false;
    if (order.id().empty() || (order.state() == wv1::STATE_CLOSED && order.has_rating())) {
      wv1::CreateOrderRequest req;
      req.set_request_id(absl::StrCat("fault-w", index, "-create-", ++creates));
      req.set_category_id("env.garbage");
      *req.mutable_position() = At(34.71 + 0.0001 * (creates % 300), 113.61 + 0.001 * index);
      req.set_description(absl::StrCat("第", creates, "处垃圾堆放"));
      wv1::CreateOrderResponse resp;
      grpc::Status s = UntilAnswered(
          [&] {
            resp.Clear();
            return stub->CreateOrder(Call(reporter).get(), req, &resp);
          },
          &retried);
      if (!s.ok()) {
        Error(absl::StrCat(req.request_id(), ": ", Why(s)));
        order.Clear();
        continue;
      }
      order = resp.order();
      absl::MutexLock l(&mu_);
      acks_.push_back({order.id(), 1, wv1::ACTION_REPORT});
      acks_.push_back({order.id(), 2, wv1::ACTION_DISPATCH});
      continue;
    }
    const Principal* actor = &handler;
    wv1::Action action;
    switch (order.state()) {
      case wv1::STATE_DISPATCHED:
        action = wv1::ACTION_ACCEPT;
        break;
      case wv1::STATE_ACCEPTED:
        action = wv1::ACTION_START;
        break;
      case wv1::STATE_PROCESSING:
        action = wv1::ACTION_HANDLE;
        break;
      case wv1::STATE_HANDLED:
        actor = &station;
        action = wv1::ACTION_ASSIGN_VERIFICATION;
        break;
      case wv1::STATE_VERIFYING:
        actor = &reporter;
        action = wv1::ACTION_VERIFY_SATISFIED;
        break;
      case wv1::STATE_CLOSED:
        actor = &reporter;
        action = wv1::ACTION_RATE;
        break;
      default:
        Error(absl::StrCat(order.id(), " in unexpected state ", wv1::State_Name(order.state())));
        order.Clear();
        continue;
    }
    const std::string request_id =
        absl::StrCat("fault-w", index, "-", order.id(), "-v", order.version());
    wv1::WorkOrder resp;
    grpc::Status s;
    if (action == wv1::ACTION_RATE) {
      wv1::RateOrderRequest req;
      req.set_request_id(request_id);
      req.set_order_id(order.id());
      req.set_expected_version(order.version());
      req.set_score(5);
      s = UntilAnswered(
          [&] {
            resp.Clear();
            return stub->RateOrder(Call(*actor).get(), req, &resp);
          },
          &retried);
    } else {
      wv1::TransitionRequest req;
      req.set_request_id(request_id);
      req.set_order_id(order.id());
      req.set_expected_version(order.version());
      req.set_action(action);
      if (action == wv1::ACTION_HANDLE) req.set_note("已清运");
      s = UntilAnswered(
          [&] {
            resp.Clear();
            return stub->Transition(Call(*actor).get(), req, &resp);
          },
          &retried);
    }
    if (s.ok()) {
      order = resp;
      absl::MutexLock l(&mu_);
      acks_.push_back({resp.id(), resp.version(), action});
      continue;
    }
    Error(absl::StrCat(request_id, " ", wv1::Action_Name(action), ": ", Why(s)));
    order.Clear();  // start a new order
  }
}

void LoadDriver::InspectionLoop() {
  auto stub = iv1::InspectionService::NewStub(QuickChannel(stack_->address("inspection")));
  const Principal worker = Worker(1);
  int n = 0;
  while (!stop_) {
    iv1::SubmitResultRequest req;
    req.set_request_id(absl::StrCat("fault-result-", ++n));
    req.set_subject_id(stack_->subject_id());
    req.set_template_id("fire.fault");
    iv1::Answer* a = req.add_answers();
    a->set_item_code("EXITS");
    a->set_outcome(iv1::OUTCOME_OK);
    iv1::InspectionResult out;
    bool retried = false;
    grpc::Status s = UntilAnswered(
        [&] {
          out.Clear();
          return stub->SubmitResult(Call(worker).get(), req, &out);
        },
        &retried);
    if (s.ok()) {
      absl::MutexLock l(&mu_);
      results_.insert(out.id());
    } else {
      Error(absl::StrCat(req.request_id(), ": ", Why(s)));
    }
    absl::SleepFor(options_.inspection_period);
  }
}

void LoadDriver::VerifyFixes() {
  std::map<std::string, std::set<uint64_t>> acked;
  {
    absl::MutexLock l(&mu_);
    acked = fixes_;
  }
  auto stub = lv1::LocationService::NewStub(QuickChannel(stack_->address("location")));
  for (const auto& [worker, seqs] : acked) {
    lv1::ListRawFixesRequest req;
    req.set_worker_id(worker);
    *req.mutable_start_time() = service::ToProto(start_ - absl::Hours(7));
    *req.mutable_end_time() = service::ToProto(absl::Now() + absl::Hours(1));
    req.set_page_size(10000);
    std::set<uint64_t> stored;
    do {
      lv1::ListRawFixesResponse page;
      bool retried = false;
      grpc::Status s = UntilAnswered(
          [&] {
            page.Clear();
            return stub->ListRawFixes(Call(AdminPrincipal()).get(), req, &page);
          },
          &retried);
      INFO(worker << ": " << Why(s));
      REQUIRE(s.ok());
      for (const auto& f : page.fixes()) {
        INFO(worker << " sequence " << f.received().sequence() << " stored twice");
        REQUIRE(stored.insert(f.received().sequence()).second);
      }
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty());
    size_t missing = 0;
    for (uint64_t seq : seqs) missing += stored.count(seq) == 0 ? 1 : 0;
    INFO(worker << ": " << seqs.size() << " acknowledged, " << stored.size() << " stored");
    REQUIRE(missing == 0);
  }
}

int LoadDriver::VerifyOrders() {
  std::map<std::string, std::vector<Ack>> by_order;
  {
    absl::MutexLock l(&mu_);
    for (const Ack& a : acks_) by_order[a.order_id].push_back(a);
  }
  auto stub = wv1::WorkOrderService::NewStub(QuickChannel(stack_->address("workorder")));
  const Principal admin = AdminPrincipal();
  auto read = [](const std::function<grpc::Status()>& call) {
    bool retried = false;
    grpc::Status s = UntilAnswered(call, &retried);
    INFO(Why(s));
    REQUIRE(s.ok());
  };
  for (const auto& [id, acks] : by_order) {
    INFO("order " << id);
    wv1::GetOrderRequest get;
    get.set_order_id(id);
    wv1::WorkOrder order;
    read([&] { return stub->GetOrder(Call(admin).get(), get, &order); });
    wv1::GetHistoryRequest hreq;
    hreq.set_order_id(id);
    wv1::GetHistoryResponse history;
    read([&] { return stub->GetHistory(Call(admin).get(), hreq, &history); });
    wv1::VerifyHistoryRequest vreq;
    vreq.set_order_id(id);
    wv1::VerifyHistoryResponse verdict;
    read([&] { return stub->VerifyHistory(Call(admin).get(), vreq, &verdict); });
    INFO(verdict.problem());
    REQUIRE(verdict.intact());
    const auto& events = history.events();
    REQUIRE(verdict.length() == static_cast<uint64_t>(events.size()));
    wv1::State state = wv1::STATE_UNSPECIFIED;
    for (int i = 0; i < events.size(); ++i) {
      const wv1::OrderEvent& e = events[i];
      INFO("event " << i + 1 << " " << wv1::Action_Name(e.action()));
      REQUIRE(e.version() == static_cast<uint64_t>(i + 1));  // one event per version
      REQUIRE(e.from_state() == state);
      state = e.to_state();
    }
    REQUIRE(order.state() == state);
    REQUIRE(order.version() == static_cast<uint64_t>(events.size()));
    for (const Ack& a : acks) {
      INFO("acknowledged " << wv1::Action_Name(static_cast<wv1::Action>(a.action)) << " -> version "
                           << a.version);
      REQUIRE(a.version <= static_cast<uint64_t>(events.size()));
      REQUIRE(events[static_cast<int>(a.version) - 1].action() == a.action);
    }
  }
  return static_cast<int>(by_order.size());
}

void LoadDriver::VerifyResults() {
  std::set<std::string> acked;
  {
    absl::MutexLock l(&mu_);
    acked = results_;
  }
  auto stub = iv1::InspectionService::NewStub(QuickChannel(stack_->address("inspection")));
  for (const std::string& id : acked) {
    iv1::GetResultRequest req;
    req.set_result_id(id);
    iv1::InspectionResult out;
    bool retried = false;
    grpc::Status s = UntilAnswered(
        [&] { return stub->GetResult(Call(AdminPrincipal()).get(), req, &out); }, &retried);
    INFO("result " << id << ": " << Why(s));
    REQUIRE(s.ok());
    REQUIRE(out.id() == id);
  }
}

}  // namespace gridwork::testing
