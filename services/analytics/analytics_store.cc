#include "services/analytics/analytics_store.h"

#include "gridwork/core/status_macros.h"
#include "gridwork/store/key_codec.h"
#include "gridwork/store/stored_proto.h"

namespace gridwork::analytics {
namespace {

using store::KeyBuilder;
using store::KeyReader;

constexpr char kAssessmentKey[] = "assessment";
constexpr char kRebuildKey[] = "rebuild";

}  // namespace

std::string CounterKey::Encode() const {
  return KeyBuilder()
      .Uint32(static_cast<uint32_t>(metric))
      .Int64(hour)
      .String(region_path)
      .String(dim)
      .Build();
}

bool CounterKey::Decode(absl::string_view key, CounterKey* out) {
  KeyReader r(key);
  uint32_t m;
  if (!r.Uint32(&m) || !r.Int64(&out->hour) || !r.String(&out->region_path) ||
      !r.String(&out->dim) || !r.done()) {
    return false;
  }
  out->metric = static_cast<v1::Metric>(m);
  return true;
}

std::string CounterPrefix(v1::Metric metric, int64_t hour) {
  return KeyBuilder().Uint32(static_cast<uint32_t>(metric)).Int64(hour).Build();
}

std::string StageHistKey(int stage, int64_t hour, absl::string_view region,
                         absl::string_view department) {
  return KeyBuilder()
      .Uint32(static_cast<uint32_t>(stage))
      .Int64(hour)
      .String(region)
      .String(department)
      .Build();
}

bool DecodeStageHistKey(absl::string_view key, int* stage, int64_t* hour, std::string* region,
                        std::string* department) {
  KeyReader r(key);
  uint32_t s;
  if (!r.Uint32(&s) || !r.Int64(hour) || !r.String(region) || !r.String(department) || !r.done()) {
    return false;
  }
  *stage = static_cast<int>(s);
  return true;
}

std::string StageHistPrefix(int stage, int64_t hour) {
  return KeyBuilder().Uint32(static_cast<uint32_t>(stage)).Int64(hour).Build();
}

std::string WorkerDayKey(absl::string_view worker, int32_t day, Source source) {
  return KeyBuilder()
      .String(worker)
      .Uint32(static_cast<uint32_t>(day))
      .Uint32(static_cast<uint32_t>(source))
      .Build();
}

bool DecodeWorkerDayKey(absl::string_view key, std::string* worker, int32_t* day, Source* source) {
  KeyReader r(key);
  uint32_t d, s;
  if (!r.String(worker) || !r.Uint32(&d) || !r.Uint32(&s) || !r.done()) return false;
  *day = static_cast<int32_t>(d);
  *source = static_cast<Source>(s);
  return true;
}

std::string CoverageKey(int32_t day, absl::string_view grid, absl::string_view worker) {
  return KeyBuilder().Uint32(static_cast<uint32_t>(day)).String(grid).String(worker).Build();
}

std::string CoverageDayPrefix(int32_t day) {
  return KeyBuilder().Uint32(static_cast<uint32_t>(day)).Build();
}

bool DecodeCoverageKey(absl::string_view key, int32_t* day, std::string* grid,
                       std::string* worker) {
  KeyReader r(key);
  uint32_t d;
  if (!r.Uint32(&d) || !r.String(grid) || !r.String(worker) || !r.done()) return false;
  *day = static_cast<int32_t>(d);
  return true;
}

std::string EncodeCounterValue(int64_t v) {
  return store::EncodeFixed64BE(static_cast<uint64_t>(v));
}

int64_t DecodeCounterValue(absl::string_view bytes) {
  uint64_t v = 0;
  if (!store::DecodeFixed64BE(bytes, &v)) return 0;
  return static_cast<int64_t>(v);
}

absl::StatusOr<std::unique_ptr<AnalyticsStore>> AnalyticsStore::Open(const std::string& dir,
                                                                     Clock* clock, bool sync) {
  store::DbOptions options;
  options.path = dir;
  options.service_name = "analytics";
  options.sync = sync;
  options.clock = clock;
  std::unique_ptr<AnalyticsStore> s(new AnalyticsStore());
  GW_ASSIGN_OR_RETURN(
      s->db_, store::Db::Open(
                  options, {{"counters", "metric | hour | region | dim -> int64"},
                            {"stage_hist", "stage | hour | region | department -> StageHistogram"},
                            {"worker_days", "worker | day | source -> WorkerDay"},
                            {"coverage", "day | grid | worker -> visited-cell bitmap"},
                            {"grids", "grid id -> GridRaster"},
                            {"bindings", "worker id -> WorkerBindings"},
                            {"key_points", "key point id -> KeyPointRule"},
                            {"workers", "worker id -> WorkerTrack"},
                            {"orders", "order id -> OrderTrack"},
                            {"tasks", "task id -> TaskTrack"},
                            {"checklists", "template id -> department"},
                            {"config", "assessment config, rebuild marker"}}));
  store::Db* db = s->db_.get();
  GW_ASSIGN_OR_RETURN(s->counters_, db->Family("counters"));
  GW_ASSIGN_OR_RETURN(s->stage_hist_, db->Family("stage_hist"));
  GW_ASSIGN_OR_RETURN(s->worker_days_, db->Family("worker_days"));
  GW_ASSIGN_OR_RETURN(s->coverage_, db->Family("coverage"));
  GW_ASSIGN_OR_RETURN(s->grids_, db->Family("grids"));
  GW_ASSIGN_OR_RETURN(s->bindings_, db->Family("bindings"));
  GW_ASSIGN_OR_RETURN(s->key_points_, db->Family("key_points"));
  GW_ASSIGN_OR_RETURN(s->workers_, db->Family("workers"));
  GW_ASSIGN_OR_RETURN(s->orders_, db->Family("orders"));
  GW_ASSIGN_OR_RETURN(s->tasks_, db->Family("tasks"));
  GW_ASSIGN_OR_RETURN(s->checklists_, db->Family("checklists"));
  GW_ASSIGN_OR_RETURN(s->config_, db->Family("config"));
  return s;
}

std::vector<std::pair<std::string, store::FamilyHandle>> AnalyticsStore::AggregateFamilies() const {
  return {{"counters", counters_},     {"stage_hist", stage_hist_}, {"worker_days", worker_days_},
          {"coverage", coverage_},     {"grids", grids_},           {"bindings", bindings_},
          {"key_points", key_points_}, {"workers", workers_},       {"orders", orders_},
          {"tasks", tasks_},           {"checklists", checklists_}};
}

absl::StatusOr<v1::AssessmentConfig> AnalyticsStore::LoadAssessmentConfig() const {
  absl::StatusOr<std::string> v = db_->Get(config_, kAssessmentKey);
  if (absl::IsNotFound(v.status())) return DefaultAssessmentConfig();
  if (!v.ok()) return v.status();
  return store::ParseStoredProto<v1::AssessmentConfig>(*v, "assessment config");
}

void AnalyticsStore::PutAssessmentConfig(const v1::AssessmentConfig& c,
                                         store::WriteRequest* req) const {
  req->Put(config_, kAssessmentKey, c.SerializeAsString());
}

absl::StatusOr<bool> AnalyticsStore::RebuildPending() const {
  absl::StatusOr<std::string> v = db_->Get(config_, kRebuildKey);
  if (absl::IsNotFound(v.status())) return false;
  if (!v.ok()) return v.status();
  return true;
}

void AnalyticsStore::SetRebuildPending(bool pending, store::WriteRequest* req) const {
  if (pending) {
    req->Put(config_, kRebuildKey, "1");
  } else {
    req->Delete(config_, kRebuildKey);
  }
}

absl::Status AnalyticsStore::DropAggregates(size_t chunk) {
  for (const auto& [name, family] : AggregateFamilies()) {
    while (true) {
      std::vector<std::string> keys;
      GW_RETURN_IF_ERROR(
          db_->ScanRange(family, "", "", [&](absl::string_view k, absl::string_view) {
            keys.emplace_back(k);
            return keys.size() < chunk;
          }));
      if (keys.empty()) break;
      store::WriteRequest req;
      for (const std::string& k : keys) req.Delete(family, k);
      GW_RETURN_IF_ERROR(db_->Commit(std::move(req)).status());
    }
  }
  return absl::OkStatus();
}

v1::AssessmentConfig DefaultAssessmentConfig() {
  v1::AssessmentConfig c;
  c.set_weight_patrol_distance(15);
  c.set_weight_own_grid_time(15);
  c.set_weight_coverage(20);
  c.set_weight_check_ins(10);
  c.set_weight_inspections(15);
  c.set_weight_incidents(10);
  c.set_weight_verifications(10);
  c.set_weight_response(5);
  c.set_target_distance_km(8);
  c.set_target_own_grid_hours(6);
  c.set_target_coverage(0.6);
  c.set_target_incidents(2);
  c.mutable_target_response()->set_seconds(2 * 3600);
  return c;
}

}  // namespace gridwork::analytics
