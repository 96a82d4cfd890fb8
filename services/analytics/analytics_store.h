// The analytics service's RocksDB store: aggregates and the consumers' memory of each entity.
//
// DO NOT CHANGE THESE LAYOUTS: they are the on-disk format of data/analytics.
//
//   family       key                                                      value
//   counters     u32(metric) | i64(hour) | str(region_path) | str(dim)    fixed64 BE (int64)
//   stage_hist   u32(stage) | i64(hour) | str(region_path) | str(dept)    StageHistogram
//   worker_days  str(worker) | u32(china day) | u32(source)               WorkerDay
//   coverage     u32(china day) | str(grid) | str(worker, "" = all)       bitmap over the
//                                                                          grid's cell indices
//   grids        grid id                                                  GridRaster
//   bindings     worker id                                                WorkerBindings
//   key_points   key point id                                             KeyPointRule
//   workers      worker id                                                WorkerTrack
//   orders       order id                                                 OrderTrack
//   tasks        task id                                                  TaskTrack
//   checklists   template id                                              department id
//   config       "assessment"                                             v1.AssessmentConfig
//                "rebuild"                                                marker while dropping
//
// Every family but `config` is an aggregate: Rebuild drops it and the digest covers it.
// `hour` is hours since the epoch (china_time.h); region_path is the grid-level path of the
// event (or "" when unknown), so a region prefix selects a contiguous run within one
// (metric, hour). Each consumer writes only its own keys (worker_days carries the source), so
// read-modify-write never races between consumers.
//
// Thread safety: all methods may be called concurrently.
#ifndef GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_STORE_H_
#define GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gridwork/analytics/v1/analytics.pb.h"
#include "gridwork/core/clock.h"
#include "gridwork/store/db.h"

namespace gridwork::analytics {

namespace v1 = ::gridwork::analytics::v1;

// Which consumer wrote a worker_days record.
enum class Source : uint32_t { kLocation = 1, kGeofence = 2, kWorkOrder = 3, kInspection = 4 };

struct CounterKey {
  v1::Metric metric = v1::METRIC_UNSPECIFIED;
  int64_t hour = 0;
  std::string region_path;
  std::string dim;

  std::string Encode() const;
  static bool Decode(absl::string_view key, CounterKey* out);
};

// Scan prefix of one (metric, hour).
std::string CounterPrefix(v1::Metric metric, int64_t hour);
std::string StageHistKey(int stage, int64_t hour, absl::string_view region,
                         absl::string_view department);
bool DecodeStageHistKey(absl::string_view key, int* stage, int64_t* hour, std::string* region,
                        std::string* department);
std::string StageHistPrefix(int stage, int64_t hour);
std::string WorkerDayKey(absl::string_view worker, int32_t day, Source source);
bool DecodeWorkerDayKey(absl::string_view key, std::string* worker, int32_t* day, Source* source);
std::string CoverageKey(int32_t day, absl::string_view grid, absl::string_view worker);
std::string CoverageDayPrefix(int32_t day);
bool DecodeCoverageKey(absl::string_view key, int32_t* day, std::string* grid, std::string* worker);

std::string EncodeCounterValue(int64_t v);
int64_t DecodeCounterValue(absl::string_view bytes);  // 0 if malformed

class AnalyticsStore {
 public:
  static absl::StatusOr<std::unique_ptr<AnalyticsStore>> Open(const std::string& dir, Clock* clock,
                                                              bool sync);

  store::Db* db() const { return db_.get(); }

  store::FamilyHandle counters() const { return counters_; }
  store::FamilyHandle stage_hist() const { return stage_hist_; }
  store::FamilyHandle worker_days() const { return worker_days_; }
  store::FamilyHandle coverage() const { return coverage_; }
  store::FamilyHandle grids() const { return grids_; }
  store::FamilyHandle bindings() const { return bindings_; }
  store::FamilyHandle key_points() const { return key_points_; }
  store::FamilyHandle workers() const { return workers_; }
  store::FamilyHandle orders() const { return orders_; }
  store::FamilyHandle tasks() const { return tasks_; }
  store::FamilyHandle checklists() const { return checklists_; }
  store::FamilyHandle config() const { return config_; }

  // The aggregate families with their names (everything Rebuild drops and the digest covers).
  std::vector<std::pair<std::string, store::FamilyHandle>> AggregateFamilies() const;

  // The stored assessment config, or the default (version 0) if none was set.
  absl::StatusOr<v1::AssessmentConfig> LoadAssessmentConfig() const;
  void PutAssessmentConfig(const v1::AssessmentConfig& c, store::WriteRequest* req) const;
  // The rebuild marker: set while the aggregates are being dropped.
  absl::StatusOr<bool> RebuildPending() const;
  void SetRebuildPending(bool pending, store::WriteRequest* req) const;

  // Deletes every key of the aggregate families in commits of at most `chunk` deletions.
  absl::Status DropAggregates(size_t chunk);

 private:
  AnalyticsStore() = default;
  std::unique_ptr<store::Db> db_;
  store::FamilyHandle counters_, stage_hist_, worker_days_, coverage_, grids_, bindings_,
      key_points_, workers_, orders_, tasks_, checklists_, config_;
};

// The default assessment weights and targets (documented in docs/analytics.md).
v1::AssessmentConfig DefaultAssessmentConfig();

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_STORE_H_
