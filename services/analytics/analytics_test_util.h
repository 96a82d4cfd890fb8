// Test fixture of the analytics unit tests: a real store in a temporary directory, a fake
// clock, fixed grid shapes (FakeRegionShapes), and helpers that build feed events the way the
// peer services publish them and apply them like a FeedConsumer does (handler, commit, then
// Committed).
#ifndef GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_TEST_UTIL_H_
#define GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gridwork/clients/region_shapes.h"
#include "gridwork/common/v1/fix.pb.h"
#include "gridwork/core/ids.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "gridwork/inspection/v1/inspection.pb.h"
#include "gridwork/service/time_convert.h"
#include "gridwork/workorder/v1/workorder.pb.h"
#include "services/analytics/analytics_core.h"
#include "services/analytics/ingest.h"

namespace gridwork::analytics::testing {

namespace gf = ::gridwork::geofence::v1;
namespace wo = ::gridwork::workorder::v1;
namespace insp = ::gridwork::inspection::v1;
using common::v1::Role;

// Grid shapes by id; a missing id is NOT_FOUND.
class FakeRegionShapes : public clients::RegionShapes {
 public:
  absl::StatusOr<clients::RegionShape> Shape(const std::string& id) override {
    auto it = shapes.find(id);
    if (it == shapes.end()) return absl::NotFoundError(id);
    return it->second;
  }
  std::map<std::string, clients::RegionShape> shapes;
};

inline Principal As(Role role, std::string subject, std::string scope = "", std::string dept = "") {
  Principal p;
  p.set_subject(std::move(subject));
  p.set_role(role);
  p.set_region_scope(std::move(scope));
  p.set_department(std::move(dept));
  return p;
}

// A box polygon (Boost orientation) covering the 3x3 block of cells centred on the cell of
// (lat, lng), shrunk by 20 % of a cell on every side so that exactly those 9 centres are in.
clients::RegionShape ThreeByThree(const CellRaster& raster, double lat, double lng);

struct AnalyticsFixture {
  AnalyticsFixture();
  ~AnalyticsFixture();

  // Reopens store, live state and core on the same directory (a restart).
  void Reopen();

  // Applies `events` of `source` as one consumer batch; REQUIREs success.
  void Apply(Source source, const std::vector<store::FeedEvent>& events);
  void Apply(Source source, const store::FeedEvent& event) {
    Apply(source, std::vector<store::FeedEvent>{event});
  }

  store::FeedEvent Event(const google::protobuf::Message& payload, const std::string& region);

  // Geofence events.
  store::FeedEvent GridAdded(const std::string& grid_id);
  store::FeedEvent Bound(const std::string& worker, const std::string& grid);
  // One AcceptedFixes event of `worker` with fixes at (lat, lng, time) points.
  struct FixAt {
    double lat;
    double lng;
    absl::Time t;
  };
  store::FeedEvent Fixes(const std::string& worker, const std::vector<FixAt>& fixes);
  // A work-order history event.
  store::FeedEvent Order(const std::string& id, wo::Action action, wo::State from, wo::State to,
                         absl::Time at, const std::string& region, const std::string& category,
                         const std::string& department = "", wo::Stage stage = wo::STAGE_NONE,
                         const std::string& actor = "someone",
                         Role actor_role = common::v1::ROLE_COMMUNITY_STATION);

  std::filesystem::path dir = std::filesystem::temp_directory_path() / NewId("analytics-test");
  FakeClock clock{absl::FromUnixSeconds(1763884800)};  // 2025-11-23 08:00 UTC (16:00 China)
  FakeRegionShapes shapes;
  // Used by the next Reopen().
  IngestOptions ingest_options;
  std::unique_ptr<AnalyticsStore> store;
  std::unique_ptr<LiveState> live;
  std::unique_ptr<Ingest> ingest;
  std::unique_ptr<Queries> queries;
  std::unique_ptr<AnalyticsCore> core;
  uint64_t next_sequence = 1;
  uint64_t next_fix = 1;
};

}  // namespace gridwork::analytics::testing

#endif  // GRIDWORK_SERVICES_ANALYTICS_ANALYTICS_TEST_UTIL_H_
