#include "tools/gridsim/day_runner.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "demo_geography/random.h"
#include "gridwork/core/ids.h"
#include "gridwork/rpc/client.h"
#include "gridwork/service/time_convert.h"
#include "tools/gridsim/city_source.h"
#include "tools/gridsim/demo_names.h"
#include "tools/gridsim/gateway_session.h"
#include "tools/gridsim/sim_clock.h"

namespace gridwork::gridsim {
namespace {

using demo_geography::Rng;
namespace wo = workorder::v1;
namespace insp = inspection::v1;

common::v1::LatLng ToLatLng(const geo::Point& p) {
  common::v1::LatLng l;
  l.set_lat(p.y());
  l.set_lng(p.x());
  return l;
}

// Times are printed in China Standard Time (UTC+8, no daylight saving), as the city lives.
absl::TimeZone ChinaTime() { return absl::FixedTimeZone(8 * 3600); }

std::string Dotted(std::string s) {
  std::replace(s.begin(), s.end(), '/', '.');
  return s;
}

// Logged-in sessions by username, created on first use.
class SessionPool {
 public:
  SessionPool(std::string gateway, std::string seed, absl::Duration timeout)
      : gateway_(std::move(gateway)), seed_(std::move(seed)), timeout_(timeout) {}

  // nullptr (and the reason on stderr, once per user) if the login fails.
  GatewaySession* Get(const std::string& username) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(username);
    if (it != sessions_.end()) return it->second.get();
    if (failed_.count(username)) return nullptr;
    auto s = LoginGateway(gateway_, username, DemoPassword(seed_, username), timeout_);
    if (!s.ok()) {
      failed_.insert(username);
      std::cerr << "gridsim: " << s.status().message() << "\n";
      return nullptr;
    }
    return (sessions_[username] = std::move(*s)).get();
  }

 private:
  const std::string gateway_;
  const std::string seed_;
  const absl::Duration timeout_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<GatewaySession>> sessions_;
  std::set<std::string> failed_;
};

const char* IncidentText(const std::string& category) {
  if (category.rfind("env", 0) == 0) return "路边堆放垃圾，影响市容，请尽快清理";
  if (category.rfind("safety", 0) == 0) return "发现安全隐患，消防通道被占用";
  if (category.rfind("traffic", 0) == 0) return "机动车乱停乱放，堵塞道路";
  if (category.rfind("facility", 0) == 0) return "公共设施损坏，存在安全风险";
  if (category.rfind("greening", 0) == 0) return "绿化带被毁坏，树木倒伏";
  if (category.rfind("market", 0) == 0) return "占道经营，影响通行";
  if (category.rfind("pollution", 0) == 0) return "夜间施工噪音扰民";
  return "网格巡查发现问题，请处理";
}

class DayRun {
 public:
  DayRun(const DayRunnerOptions& o, const std::atomic<bool>& stop)
      : o_(o), stop_(stop), pool_(o.gateway, o.password_seed, o.call_timeout) {}

  absl::StatusOr<DayTotals> Run();

 private:
  absl::Status Prepare();
  void SendFixes(double until_s);
  void RunEvent(const DayEvent& e);
  void Inspect(const DayEvent& e);
  void Report(const DayEvent& e);
  // Polls the open orders and applies the due decisions; returns how many orders still have
  // a next step.
  int StepOrders();
  void Apply(const wo::WorkOrder& order, const Decision& d);
  std::string PhotoSha(GatewaySession& s, const std::string& tag, const geo::Point& where);
  void PrintSummary(bool final);
  const insp::ChecklistVersion* ChecklistFor(insp::SubjectType type);

  const DayRunnerOptions& o_;
  const std::atomic<bool>& stop_;
  SessionPool pool_;
  GatewaySession* service_ = nullptr;
  GatewaySession* viewer_ = nullptr;
  CityInputs inputs_;
  DemoCity city_;
  DaySchedule day_;
  std::unique_ptr<SimClock> clock_;
  std::vector<double> sent_until_;  // per worker: fixes before this day-second were taken
  std::vector<std::vector<location::v1::DeviceFix>> backlog_;  // per worker: buffered offline
  std::map<std::string, std::string> subject_ids_;             // community|name -> subject id
  std::map<std::string, std::string> leaders_;                 // community -> leader username

  std::mutex mu_;
  DayTotals totals_;
  std::map<insp::SubjectType, insp::ChecklistVersion> checklists_;
  std::map<std::string, int> returns_;  // order id -> times returned (this run)
  std::set<std::string> done_;          // "<order>/<version>" applied or in flight
};

absl::Status DayRun::Prepare() {
  service_ = pool_.Get("gridsim");
  viewer_ = pool_.Get("viewer");
  if (service_ == nullptr || viewer_ == nullptr) {
    return absl::UnauthenticatedError(
        "cannot log in as the demo users gridsim/viewer: run `gridsim load-demo` first "
        "(with the same --password_seed)");
  }
  auto inputs = ReadCityInputs(*service_, o_.districts);
  if (!inputs.ok()) return inputs.status();
  inputs_ = std::move(*inputs);
  DemoOptions dopt;
  dopt.seed = o_.city_seed;
  dopt.password_seed = o_.password_seed;
  city_ = BuildDemoCity(inputs_.regions, inputs_.departments, dopt);
  for (const DemoUser& u : city_.users)
    if (u.role == common::v1::ROLE_GRID_LEADER) leaders_[u.home] = u.username;

  for (const std::string& d : o_.districts) {
    insp::ListSubjectsRequest list;
    list.set_region_prefix(d);
    list.set_page_size(1000);
    do {
      insp::ListSubjectsResponse page;
      auto ctx = service_->Context();
      grpc::Status s = service_->inspection().ListSubjects(ctx.get(), list, &page);
      if (!s.ok()) return absl::UnavailableError("ListSubjects: " + s.error_message());
      for (const auto& sub : page.subjects())
        subject_ids_[CommunityOf(sub.region_path()) + "|" + sub.name()] = sub.id();
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
  }

  std::vector<std::string> patrol, resident;
  for (const std::string& c : inputs_.categories) {
    patrol.push_back(c);
    if (c.rfind("env", 0) == 0 || c.rfind("facility", 0) == 0 || c.rfind("pollution", 0) == 0)
      resident.push_back(c);
  }
  DayOptions day = o_.day;
  if (o_.linger) day.overtime_s = 12 * 3600;
  day_ = BuildDaySchedule(city_, inputs_.regions, patrol, resident, day);
  sent_until_.assign(day_.workers.size(), 0);
  backlog_.assign(day_.workers.size(), {});

  // The day ends now at the latest; it starts after the last fix any simulated worker already
  // has (a second run must not write into the first run's tracks).
  absl::Time now = absl::Now();
  absl::Time start = now - absl::Seconds(o_.day.day_s);
  location::v1::GetLastPositionsRequest last;
  for (size_t i = 0; i < day_.workers.size() && i < 1000; ++i)
    last.add_worker_ids(day_.workers[i].user->username);
  location::v1::GetLastPositionsResponse lp;
  auto ctx = service_->Context();
  if (service_->location().GetLastPositions(ctx.get(), last, &lp).ok()) {
    for (const auto& p : lp.positions()) {
      if (p.known() && p.has_device_time()) {
        start = std::max(start, service::FromProto(p.device_time()) + absl::Minutes(1));
      }
    }
  }
  clock_ = std::make_unique<SimClock>(now, start, o_.speed);
  size_t total_workers = 0;
  for (const DemoBinding& b : city_.bindings)
    total_workers += b.role == geofence::v1::BINDING_ROLE_WORKER;
  std::cout << absl::StrFormat(
                   "gridsim day: %d workers of %d, %d events, %d subjects; simulated day %s .. "
                   "%s (UTC+8) at %gx\n",
                   day_.workers.size(), total_workers, day_.events.size(), subject_ids_.size(),
                   absl::FormatTime("%H:%M", start, ChinaTime()),
                   absl::FormatTime("%H:%M", start + absl::Seconds(o_.day.day_s), ChinaTime()),
                   o_.speed)
            << std::flush;
  return absl::OkStatus();
}

void DayRun::SendFixes(double until_s) {
  ParallelFor(day_.workers.size(), o_.threads, [&](size_t w) {
    const WorkerPlan& plan = day_.workers[w];
    std::vector<FixSample> fixes =
        SampleFixes(plan.path, plan.grid->shape, sent_until_[w], until_s, o_.day.fixes, plan.seed);
    sent_until_[w] = until_s;
    if (fixes.empty()) return;
    location::v1::FixBatch batch;
    batch.set_worker_id(plan.user->username);
    batch.set_device_id("phone-" + plan.user->username);
    int offline = 0;
    for (const FixSample& f : fixes) {
      location::v1::DeviceFix d;
      absl::Time t = clock_->sim_start() + absl::Seconds(f.t);
      d.set_sequence(static_cast<uint64_t>(absl::ToUnixMillis(t)));
      *d.mutable_device_time() = service::ToProto(t);
      *d.mutable_position() = ToLatLng(f.p);
      d.set_crs(common::v1::CRS_WGS84);
      d.set_accuracy_m(f.accuracy_m);
      d.set_speed_mps(f.speed_mps);
      d.set_heading_deg(-1);
      d.set_battery_pct(std::max(5.0, 100 - f.t / 600));
      d.set_provider(common::v1::Fix::PROVIDER_GPS);
      if (f.offline) {
        d.set_offline(true);
        backlog_[w].push_back(d);
      } else {
        // Back in coverage: the buffered fixes go first, flagged offline.
        for (auto& b : backlog_[w]) *batch.add_fixes() = b;
        offline += backlog_[w].size();
        backlog_[w].clear();
        *batch.add_fixes() = d;
      }
    }
    if (batch.fixes_size() == 0) return;
    location::v1::BatchAck ack;
    auto ctx = service_->Context();
    grpc::Status s = service_->location().IngestFixes(ctx.get(), batch, &ack);
    std::lock_guard<std::mutex> lock(mu_);
    totals_.fixes_sent += batch.fixes_size();
    totals_.fixes_offline += offline;
    if (s.ok()) {
      totals_.fixes_acked += ack.accepted() + ack.duplicates();
      totals_.fixes_rejected += ack.rejections_size();
    } else {
      ++totals_.errors;
    }
  });
}

std::string DayRun::PhotoSha(GatewaySession& s, const std::string& tag, const geo::Point& where) {
  wo::UploadPhotoRequest req;
  req.set_content(DemoPhoto(tag));
  *req.mutable_capture_time() = service::ToProto(clock_->Now());
  *req.mutable_capture_position() = ToLatLng(where);
  wo::PhotoRecord rec;
  auto ctx = s.Context();
  if (!s.workorder().UploadPhoto(ctx.get(), req, &rec).ok()) return "";
  return rec.sha256();
}

void DayRun::Report(const DayEvent& e) {
  GatewaySession* s = pool_.Get(e.actor);
  if (s == nullptr) return;
  // Request ids name the day too: the same schedule replayed another day is another report.
  std::string rid =
      absl::StrCat("sim-report-", absl::ToUnixSeconds(clock_->sim_start()), "-", e.seed);
  wo::CreateOrderRequest req;
  req.set_request_id(rid);
  req.set_category_id(e.category);
  *req.mutable_position() = ToLatLng(e.where);
  req.set_description(IncidentText(e.category));
  std::string sha = PhotoSha(*s, rid, e.where);
  if (!sha.empty()) {
    auto* p = req.add_photos();
    p->set_sha256(sha);
    *p->mutable_capture_time() = service::ToProto(clock_->Now());
    *p->mutable_capture_position() = req.position();
  }
  wo::CreateOrderResponse resp;
  auto ctx = s->Context();
  grpc::Status st = s->workorder().CreateOrder(ctx.get(), req, &resp);
  std::lock_guard<std::mutex> lock(mu_);
  if (!st.ok()) {
    if (++totals_.errors <= 5) std::cerr << "gridsim: CreateOrder: " << st.error_message() << "\n";
    return;
  }
  (e.kind == EventKind::kResidentReport ? totals_.resident_reports : totals_.incidents)++;
}

const insp::ChecklistVersion* DayRun::ChecklistFor(insp::SubjectType type) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = checklists_.find(type);
    if (it != checklists_.end()) return it->second.template_id().empty() ? nullptr : &it->second;
  }
  insp::ChecklistVersion found;
  insp::ListChecklistsRequest list;
  list.set_subject_type(type);
  insp::ListChecklistsResponse r;
  auto ctx = service_->Context();
  if (service_->inspection().ListChecklists(ctx.get(), list, &r).ok()) {
    for (const auto& c : r.checklists()) {
      insp::GetChecklistRequest get;
      get.set_template_id(c.template_id());
      insp::ChecklistVersion v;
      auto c2 = service_->Context();
      if (service_->inspection().GetChecklist(c2.get(), get, &v).ok() && v.items_size() > 0) {
        found = v;
        break;
      }
    }
  }
  // The first answer stays: callers read the returned checklist without the lock, so an entry
  // is never assigned again once a pointer to it may have been handed out (two threads that
  // both missed the cache used to overwrite it while the first was building answers from it).
  std::lock_guard<std::mutex> lock(mu_);
  auto it = checklists_.emplace(type, std::move(found)).first;
  return it->second.template_id().empty() ? nullptr : &it->second;
}

void DayRun::Inspect(const DayEvent& e) {
  const DemoSubject& subject = city_.subjects[e.subject];
  auto id = subject_ids_.find(subject.community + "|" + subject.name);
  if (id == subject_ids_.end()) return;
  const insp::ChecklistVersion* checklist = ChecklistFor(subject.type);
  GatewaySession* s = pool_.Get(e.actor);
  if (checklist == nullptr || s == nullptr) return;
  std::string rid =
      absl::StrCat("sim-inspect-", absl::ToUnixSeconds(clock_->sim_start()), "-", e.seed);
  Rng rng(e.seed);
  insp::SubmitResultRequest req;
  req.set_request_id(rid);
  req.set_subject_id(id->second);
  req.set_template_id(checklist->template_id());
  req.set_template_version(checklist->version());
  int problems = 0;
  for (const auto& item : checklist->items()) {
    const auto& types =
        item.subject_types().empty() ? checklist->subject_types() : item.subject_types();
    bool applies =
        types.empty() || std::find(types.begin(), types.end(), subject.type) != types.end();
    if (!applies) continue;
    bool fail = rng.Uniform() < o_.day.item_fail_prob;
    insp::Answer* a = req.add_answers();
    a->set_item_code(item.code());
    switch (item.answer_type()) {
      case insp::ANSWER_TYPE_NUMBER:
        a->set_number(fail ? item.max() + std::max(1.0, (item.max() - item.min()) * 0.2)
                           : (item.min() + item.max()) / 2);
        break;
      case insp::ANSWER_TYPE_TEXT:
        a->set_text("正常");
        fail = false;
        break;
      default:
        a->set_outcome(fail ? insp::OUTCOME_PROBLEM : insp::OUTCOME_OK);
    }
    if (fail) {
      ++problems;
      a->set_note("现场检查发现问题，已拍照");
      std::string sha = PhotoSha(*s, absl::StrCat(rid, "/", item.code()), subject.position);
      if (!sha.empty()) {
        auto* p = a->add_photos();
        p->set_sha256(sha);
        *p->mutable_capture_time() = service::ToProto(clock_->Now());
        *p->mutable_capture_position() = ToLatLng(subject.position);
      }
    }
  }
  req.set_notes(problems ? "检查发现问题，已生成工单" : "检查正常");
  // Done now on the simulated clock (hours behind real time in a compressed day): presence
  // is checked on the track around this time, not around the server's receipt time.
  *req.mutable_performed_at() = service::ToProto(clock_->Now());
  insp::InspectionResult result;
  auto ctx = s->Context();
  grpc::Status st = s->inspection().SubmitResult(ctx.get(), req, &result);
  std::lock_guard<std::mutex> lock(mu_);
  if (!st.ok()) {
    if (++totals_.errors <= 5) std::cerr << "gridsim: SubmitResult: " << st.error_message() << "\n";
    return;
  }
  ++totals_.inspections;
  totals_.inspection_problems += result.problem_count();
  if (result.flagged()) ++totals_.inspections_flagged;
}

void DayRun::RunEvent(const DayEvent& e) {
  switch (e.kind) {
    case EventKind::kInspect:
      return Inspect(e);
    case EventKind::kIncident:
    case EventKind::kResidentReport:
      return Report(e);
  }
}

void DayRun::Apply(const wo::WorkOrder& order, const Decision& d) {
  std::string community = CommunityOf(order.region_path());
  std::string actor;
  switch (d.actor) {
    case Actor::kDepartment:
      actor = "dept." + order.department();
      break;
    case Actor::kStation:
      actor = "station." + Dotted(community);
      break;
    case Actor::kCommand:
      actor = "command." + order.region_path().substr(0, order.region_path().find('/'));
      break;
    case Actor::kLeader:
      actor = leaders_.count(community) ? leaders_[community] : "";
      break;
    case Actor::kNone:
      return;
  }
  GatewaySession* s = actor.empty() ? nullptr : pool_.Get(actor);
  if (s == nullptr) return;
  wo::TransitionRequest req;
  req.set_request_id(absl::StrCat("sim-", order.id(), "-v", order.version(), "-", d.action));
  req.set_order_id(order.id());
  req.set_expected_version(order.version());
  req.set_action(d.action);
  req.set_note(d.note);
  if (d.action == wo::ACTION_ASSIGN_VERIFICATION) {
    std::vector<const DemoUser*> workers = city_.WorkersOf(order.region_path());
    req.set_verifier(order.reporter_role() == common::v1::ROLE_GRID_WORKER ? order.reporter()
                     : !workers.empty()                                    ? workers[0]->username
                                                                           : actor);
  }
  if (d.action == wo::ACTION_HANDLE || d.action == wo::ACTION_VERIFY_SATISFIED ||
      d.action == wo::ACTION_VERIFY_UNSATISFIED) {
    geo::Point where(order.position().lng(), order.position().lat());
    std::string sha = PhotoSha(*s, req.request_id(), where);
    if (!sha.empty()) {
      auto* p = req.add_photos();
      p->set_sha256(sha);
      *p->mutable_capture_time() = service::ToProto(clock_->Now());
      *p->mutable_capture_position() = order.position();
    }
  }
  wo::WorkOrder out;
  auto ctx = s->Context();
  grpc::Status st = s->workorder().Transition(ctx.get(), req, &out);
  std::lock_guard<std::mutex> lock(mu_);
  if (!st.ok()) {
    // ABORTED / FAILED_PRECONDITION: someone else moved the order on; the next poll sees it.
    if (st.error_code() != grpc::StatusCode::ABORTED &&
        st.error_code() != grpc::StatusCode::FAILED_PRECONDITION && ++totals_.errors <= 5) {
      std::cerr << "gridsim: " << actor << " " << wo::Action_Name(d.action) << " " << order.id()
                << ": " << st.error_message() << "\n";
    }
    return;
  }
  ++totals_.transitions;
  if (d.action == wo::ACTION_RETURN) {
    ++totals_.returned;
    ++returns_[order.id()];
  }
  if (d.action == wo::ACTION_VERIFY_UNSATISFIED) ++totals_.reopened;
  if (out.state() == wo::STATE_CLOSED) ++totals_.closed;
}

int DayRun::StepOrders() {
  std::vector<std::pair<wo::WorkOrder, Decision>> due;
  int pending = 0;
  absl::Time now = absl::Now();
  for (const std::string& district : o_.districts) {
    wo::ListOrdersRequest list;
    for (wo::State st :
         {wo::STATE_REPORTED, wo::STATE_RETURNED, wo::STATE_ESCALATED, wo::STATE_DISPATCHED,
          wo::STATE_ACCEPTED, wo::STATE_PROCESSING, wo::STATE_HANDLED, wo::STATE_VERIFYING}) {
      list.mutable_filter()->add_states(st);
    }
    list.mutable_filter()->set_region_prefix(district);
    list.set_page_size(500);
    do {
      wo::ListOrdersResponse page;
      auto ctx = viewer_->Context();
      grpc::Status s = viewer_->workorder().ListOrders(ctx.get(), list, &page);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        ++totals_.errors;
        return 0;
      }
      for (const wo::WorkOrder& order : page.orders()) {
        OrderView v;
        v.id = order.id();
        v.state = order.state();
        v.reopen_count = order.reopen_count();
        {
          std::lock_guard<std::mutex> lock(mu_);
          v.returns = returns_.count(order.id()) ? returns_[order.id()] : 0;
          if (done_.count(absl::StrCat(order.id(), "/", order.version()))) continue;
        }
        // A returned-and-redispatched order we did not see returned (an earlier run): its
        // history says so through the assignee history (two or more assignments).
        if (order.assignee_history_size() >= 2) v.returns = std::max(v.returns, 1);
        Decision d = DecideNext(v, o_.behaviour);
        if (d.action == wo::ACTION_UNSPECIFIED) continue;
        ++pending;
        // People work at the simulation's speed even after the day's clock has caught up
        // with real time: the delay is simulated time since the order entered its state.
        double waited = absl::ToDoubleSeconds(now - service::FromProto(order.updated_at()));
        if (waited * clock_->speed() >= d.delay_s) due.emplace_back(order, d);
      }
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [order, d] : due) done_.insert(absl::StrCat(order.id(), "/", order.version()));
  }
  ParallelFor(due.size(), o_.threads, [&](size_t i) { Apply(due[i].first, due[i].second); });
  return pending;
}

void DayRun::PrintSummary(bool final) {
  wo::CountOrdersRequest req;
  wo::CountOrdersResponse counts;
  std::string orders;
  for (const std::string& d : o_.districts) {
    req.mutable_filter()->set_region_prefix(d);
    auto ctx = viewer_->Context();
    if (!viewer_->workorder().CountOrders(ctx.get(), req, &counts).ok()) continue;
    for (const auto& c : counts.columns()) {
      if (c.count() == 0) continue;
      std::string name = wo::State_Name(c.state()).substr(6);
      absl::StrAppend(&orders, " ", name, "=", c.count());
    }
    absl::StrAppend(&orders, " (overdue ", counts.overdue(), ")");
  }
  DayTotals t;
  {
    std::lock_guard<std::mutex> lock(mu_);
    t = totals_;
  }
  absl::Time sim = clock_->Now();
  std::cout << absl::StrFormat(
                   "%s[sim %s] fixes sent %d acked %d rejected %d offline %d | inspections %d "
                   "(problems %d, flagged %d) incidents %d resident reports %d | transitions %d returned %d "
                   "reopened %d closed %d errors %d | orders%s\n",
                   final ? "final: " : "", absl::FormatTime("%H:%M", sim, ChinaTime()),
                   t.fixes_sent, t.fixes_acked, t.fixes_rejected, t.fixes_offline, t.inspections,
                   t.inspection_problems, t.inspections_flagged, t.incidents, t.resident_reports, t.transitions,
                   t.returned, t.reopened, t.closed, t.errors, orders)
            << std::flush;
}

absl::StatusOr<DayTotals> DayRun::Run() {
  absl::Status prepared = Prepare();
  if (!prepared.ok()) return prepared;
  size_t next_event = 0;
  absl::Time last_summary = absl::Now();
  absl::Time day_over_at = absl::InfiniteFuture();
  double last_upload = -1e9;
  while (!stop_.load()) {
    absl::Time tick_start = absl::Now();
    double sim_s = clock_->DaySeconds(tick_start);
    if (sim_s - last_upload >= o_.upload_s || sim_s >= o_.day.day_s) {
      SendFixes(sim_s);
      last_upload = sim_s;
    }
    std::vector<DayEvent> due;
    while (next_event < day_.events.size() && day_.events[next_event].t <= sim_s) {
      due.push_back(day_.events[next_event++]);
    }
    ParallelFor(due.size(), o_.threads, [&](size_t i) { RunEvent(due[i]); });
    int pending = StepOrders();
    if (absl::Now() - last_summary >= o_.summary_every) {
      PrintSummary(false);
      last_summary = absl::Now();
    }
    bool day_done = sim_s >= o_.day.day_s && next_event >= day_.events.size();
    if (day_done && day_over_at == absl::InfiniteFuture()) day_over_at = absl::Now();
    if (day_done && !o_.linger && (pending == 0 || absl::Now() - day_over_at >= o_.drain)) {
      break;
    }
    absl::Time next = tick_start + o_.tick;
    while (!stop_.load() && absl::Now() < next) absl::SleepFor(absl::Milliseconds(50));
  }
  PrintSummary(true);
  std::lock_guard<std::mutex> lock(mu_);
  return totals_;
}

}  // namespace

absl::StatusOr<DayTotals> RunDay(const DayRunnerOptions& options, const std::atomic<bool>& stop) {
  DayRun run(options, stop);
  return run.Run();
}

}  // namespace gridwork::gridsim
