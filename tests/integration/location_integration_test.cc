// gridwork-location and gridwork-geofence as real processes consuming each other's feeds:
// a grid worker streams a messy trace; what is stored, rejected (and why), acknowledged and
// turned into fence events is checked exactly, also across a kill -9 of the location service.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/geo/crs.h"
#include "gridwork/geofence/v1/geofence.grpc.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "gridwork/location/v1/location.grpc.pb.h"
#include "services/location/packed_track.h"
#include "tests/integration/principals.h"
#include "tests/integration/service_process.h"
#include "tests/integration/wait_for.h"

namespace gridwork::testing {
namespace {

namespace gv1 = geofence::v1;
namespace lv1 = location::v1;
using common::v1::ROLE_ADMIN;
using common::v1::ROLE_COMMUNITY_STATION;
using common::v1::ROLE_GRID_WORKER;
using common::v1::ROLE_SERVICE;

std::string Square(const std::string& id, const std::string& level, double lng0, double lat0,
                   double lng1, double lat1) {
  return absl::StrFormat(
      R"({"type":"Feature","properties":{"id":"%s","level":"%s"},"geometry":{"type":"Polygon",)"
      R"("coordinates":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}})",
      id, level, lng0, lat0, lng1, lat0, lng1, lat1, lng0, lat1, lng0, lat0);
}

// Two grids side by side, each 0.01° x 0.01° (~920 m x 1,110 m).
std::string Tree() {
  return absl::StrCat(R"({"type":"FeatureCollection","features":[)",
                      Square("410105", "district", 113.60, 34.70, 113.62, 34.71), ",",
                      Square("410105/s01", "street", 113.60, 34.70, 113.62, 34.71), ",",
                      Square("410105/s01/c01", "community", 113.60, 34.70, 113.62, 34.71), ",",
                      Square("410105/s01/c01/g01", "grid", 113.60, 34.70, 113.61, 34.71), ",",
                      Square("410105/s01/c01/g02", "grid", 113.61, 34.70, 113.62, 34.71), "]}");
}

lv1::DeviceFix At(double lat, double lng, absl::Time t, uint64_t seq, double accuracy = 8) {
  lv1::DeviceFix f;
  f.set_sequence(seq);
  *f.mutable_device_time() = service::ToProto(t);
  f.mutable_position()->set_lat(lat);
  f.mutable_position()->set_lng(lng);
  f.set_accuracy_m(accuracy);
  f.set_speed_mps(1.2);
  f.set_heading_deg(90);
  f.set_battery_pct(76);
  f.set_provider(common::v1::Fix::PROVIDER_GPS);
  return f;
}

}  // namespace

TEST_CASE("a messy trace: stored, rejected with reasons, fence events, kill -9", "[integration]") {
  TempDir geofence_dir, location_dir;
  const int geofence_port = PickFreePort();
  const int location_port = PickFreePort();
  const std::string geofence_addr = absl::StrCat("127.0.0.1:", geofence_port);
  const std::string location_addr = absl::StrCat("127.0.0.1:", location_port);
  ServiceProcess geofence("gridwork-geofence",
                          {"--grpc_addr=" + geofence_addr, "--data_dir=" + geofence_dir.path(),
                           "--location_addr=" + location_addr, "--exit_dwell=20s"},
                          {KeyEnv()});
  std::vector<std::string> location_args = {"--grpc_addr=" + location_addr,
                                            "--data_dir=" + location_dir.path(),
                                            "--geofence_addr=" + geofence_addr};
  auto location = std::make_unique<ServiceProcess>("gridwork-location", location_args,
                                                   std::vector<std::string>{KeyEnv()});
  REQUIRE(geofence.Start().ok());
  REQUIRE(location->Start().ok());
  auto fence = gv1::GeofenceService::NewStub(rpc::MakeChannel(geofence_addr));
  auto loc = lv1::LocationService::NewStub(rpc::MakeChannel(location_addr));

  gv1::ImportRegionsRequest import;
  import.set_request_id("import");
  import.set_geojson(Tree());
  gv1::ImportRegionsResponse imported;
  REQUIRE(fence->ImportRegions(As(MakePrincipal(ROLE_ADMIN)).get(), import, &imported).ok());
  gv1::BindWorkerRequest bind;
  bind.set_request_id("bind");
  bind.set_worker_id("w1");
  bind.set_grid_id("410105/s01/c01/g01");
  bind.set_role(gv1::BINDING_ROLE_WORKER);
  gv1::Binding binding;
  REQUIRE(fence->BindWorker(As(MakePrincipal(ROLE_ADMIN)).get(), bind, &binding).ok());

  // Stored times have millisecond precision. Last fix ~1 min ago: the worker is online.
  const absl::Time t0 = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now() - absl::Minutes(5)));
  const auto worker = MakePrincipal(ROLE_GRID_WORKER, "", "w1");

  // Batch 1 over the bidirectional stream: a walk in g01 with the usual trouble.
  lv1::FixBatch b1;
  b1.set_batch_id(1);
  b1.set_device_id("phone-w1");
  *b1.add_fixes() = At(34.705, 113.605, t0, 1);                           // 0 ok
  *b1.add_fixes() = At(34.705, 113.6052, t0 + absl::Seconds(15), 2);      // 1 ok
  *b1.add_fixes() = At(0, 0, t0 + absl::Seconds(20), 3);                  // 2 (0,0)
  *b1.add_fixes() = At(34.705, 113.6054, t0 + absl::Hours(3), 4);         // 3 future
  *b1.add_fixes() = At(34.80, 113.70, t0 + absl::Seconds(30), 5);         // 4 jump ~13 km in 15 s
  *b1.add_fixes() = At(34.705, 113.6054, t0 + absl::Seconds(30), 6, 900); // 5 low accuracy
  *b1.add_fixes() = At(95, 113.6, t0 + absl::Seconds(35), 7);             // 6 invalid
  *b1.add_fixes() = At(34.705, 113.6052, t0 + absl::Seconds(15), 2);      // 7 resend of 1
  {
    auto ctx = As(worker);
    auto stream = loc->StreamFixes(ctx.get());
    REQUIRE(stream->Write(b1));
    lv1::BatchAck ack;
    REQUIRE(stream->Read(&ack));
    REQUIRE(ack.batch_id() == 1);
    REQUIRE(ack.error().empty());
    REQUIRE(ack.accepted() == 2);
    REQUIRE(ack.duplicates() == 1);
    std::map<int, lv1::RejectReason> reasons;
    for (const auto& r : ack.rejections()) reasons[r.index()] = r.reason();
    REQUIRE(reasons == std::map<int, lv1::RejectReason>{
                           {2, lv1::REJECT_REASON_NULL_ISLAND},
                           {3, lv1::REJECT_REASON_FUTURE_TIME},
                           {4, lv1::REJECT_REASON_IMPOSSIBLE_SPEED},
                           {5, lv1::REJECT_REASON_LOW_ACCURACY},
                           {6, lv1::REJECT_REASON_INVALID_COORDINATES}});

    // Batch 2, same stream: the worker crosses into g02, reported in GCJ-02 by the map SDK.
    lv1::FixBatch b2;
    b2.set_batch_id(2);
    b2.set_device_id("phone-w1");
    for (int i = 0; i < 4; ++i) {
      geo::Point gcj = geo::Wgs84ToGcj02(geo::LngLat(113.615, 34.705));
      lv1::DeviceFix f = At(gcj.y(), gcj.x(), t0 + absl::Seconds(200 + 15 * i), 10 + i);
      f.set_crs(common::v1::CRS_GCJ02);
      *b2.add_fixes() = f;
    }
    // An earlier walk segment arriving late (offline backlog) lands in its place.
    lv1::DeviceFix late = At(34.705, 113.6053, t0 + absl::Seconds(45), 9);
    late.set_offline(true);
    *b2.add_fixes() = late;
    REQUIRE(stream->Write(b2));
    REQUIRE(stream->Read(&ack));
    REQUIRE(ack.batch_id() == 2);
    REQUIRE(ack.accepted() == 5);
    REQUIRE(ack.rejections_size() == 0);
    stream->WritesDone();
    REQUIRE(stream->Finish().ok());
  }

  // Uploading for somebody else is refused.
  lv1::FixBatch other = b1;
  other.set_worker_id("w2");
  lv1::BatchAck refused;
  REQUIRE(loc->IngestFixes(As(worker).get(), other, &refused).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);

  // Fence events follow through the feed: w1 left g01 (own grid) for g02.
  gv1::GetWorkerStateRequest ws;
  ws.set_worker_id("w1");
  gv1::WorkerState state;
  REQUIRE(WaitFor([&] {
    return fence->GetWorkerState(As(MakePrincipal(ROLE_ADMIN)).get(), ws, &state).ok() &&
           state.current_grid_id() == "410105/s01/c01/g02";
  }));
  REQUIRE_FALSE(state.in_own_grid());
  REQUIRE(state.fixes_evaluated() == 7);

  // ... and location learns the current grid back from geofence's feed.
  lv1::GetLastPositionsRequest lp;
  lp.add_worker_ids("w1");
  lp.add_worker_ids("nobody");
  lv1::GetLastPositionsResponse positions;
  REQUIRE(WaitFor([&] {
    return loc->GetLastPositions(As(MakePrincipal(ROLE_SERVICE)).get(), lp, &positions).ok() &&
           positions.positions(0).grid_id() == "410105/s01/c01/g02";
  }));
  const auto& w1 = positions.positions(0);
  REQUIRE(w1.known());
  REQUIRE(w1.online());
  // The GCJ-02 input was stored as WGS-84 (to 1e-7 degree, ~1 cm).
  REQUIRE(w1.position().lng() == Approx(113.615).margin(2e-7));
  REQUIRE_FALSE(positions.positions(1).known());

  lv1::CountOnlineRequest count;
  count.set_region_id("410105/s01/c01");
  lv1::CountOnlineResponse counted;
  REQUIRE(loc->CountOnline(As(MakePrincipal(ROLE_COMMUNITY_STATION, "410105/s01/c01")).get(),
                           count, &counted)
              .ok());
  REQUIRE(counted.online() == 1);
  REQUIRE(counted.children_size() == 1);
  REQUIRE(counted.children(0).region_id() == "410105/s01/c01/g02");

  // The track: 7 accepted fixes in device-time order, the late one in its place.
  lv1::GetTrackRequest track;
  track.set_worker_id("w1");
  *track.mutable_start_time() = service::ToProto(t0 - absl::Minutes(1));
  *track.mutable_end_time() = service::ToProto(t0 + absl::Hours(1));
  lv1::GetTrackResponse points;
  REQUIRE(loc->GetTrack(As(worker).get(), track, &points).ok());
  REQUIRE(points.points_size() == 7);
  for (int i = 1; i < points.points_size(); ++i) {
    REQUIRE(service::FromProto(points.points(i).device_time()) >
            service::FromProto(points.points(i - 1).device_time()));
  }
  REQUIRE(service::FromProto(points.points(2).device_time()) == t0 + absl::Seconds(45));

  // The same track packed: the decoded points equal the TrackPoints, also page by page.
  {
    lv1::GetTrackRequest packed_req = track;
    packed_req.set_packed(true);
    lv1::GetTrackResponse packed;
    REQUIRE(loc->GetTrack(As(worker).get(), packed_req, &packed).ok());
    REQUIRE(packed.points_size() == 0);
    absl::StatusOr<std::vector<location::TrackSample>> samples =
        location::UnpackTrack(packed.packed());
    REQUIRE(samples.ok());
    REQUIRE(samples->size() == 7);
    for (int i = 0; i < points.points_size(); ++i) {
      const lv1::TrackPoint decoded = location::ToTrackPoint((*samples)[static_cast<size_t>(i)]);
      INFO("point " << i);
      REQUIRE(google::protobuf::util::MessageDifferencer::Equals(decoded, points.points(i)));
    }
    std::vector<location::TrackSample> paged;
    packed_req.set_page_size(3);
    int pages = 0;
    do {
      REQUIRE(loc->GetTrack(As(worker).get(), packed_req, &packed).ok());
      absl::StatusOr<std::vector<location::TrackSample>> page =
          location::UnpackTrack(packed.packed());
      REQUIRE(page.ok());
      paged.insert(paged.end(), page->begin(), page->end());
      packed_req.set_page_token(packed.next_page_token());
      ++pages;
    } while (!packed_req.page_token().empty() && pages < 10);
    REQUIRE(pages == 3);
    REQUIRE(paged == *samples);
  }

  // Raw fixes with the rejected ones and their reasons.
  lv1::ListRawFixesRequest raw;
  raw.set_worker_id("w1");
  *raw.mutable_start_time() = service::ToProto(t0 - absl::Minutes(1));
  *raw.mutable_end_time() = service::ToProto(t0 + absl::Hours(4));
  raw.set_include_rejected(true);
  lv1::ListRawFixesResponse raws;
  REQUIRE(loc->ListRawFixes(As(MakePrincipal(ROLE_ADMIN)).get(), raw, &raws).ok());
  int rejected = 0;
  for (const auto& r : raws.fixes()) rejected += r.accepted() ? 0 : 1;
  REQUIRE(raws.fixes_size() == 12);
  REQUIRE(rejected == 5);

  // kill -9 and restart: everything acknowledged is still there; a resend is a duplicate.
  location->Kill();
  location = std::make_unique<ServiceProcess>("gridwork-location", location_args,
                                              std::vector<std::string>{KeyEnv()});
  REQUIRE(location->Start().ok());
  loc = lv1::LocationService::NewStub(rpc::MakeChannel(location_addr));
  lv1::BatchAck again;
  REQUIRE(loc->IngestFixes(As(worker).get(), b1, &again).ok());
  REQUIRE(again.accepted() == 0);
  REQUIRE(again.duplicates() == 3);  // fixes 0 and 1, and 7 (which resends 1)
  REQUIRE(loc->GetTrack(As(worker).get(), track, &points).ok());
  REQUIRE(points.points_size() == 7);

  // Bad envelopes and queries get precise codes.
  lv1::FixBatch empty;
  empty.set_device_id("phone-w1");
  REQUIRE(loc->IngestFixes(As(worker).get(), empty, &again).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
  lv1::GetTrackRequest backwards = track;
  *backwards.mutable_end_time() = backwards.start_time();
  REQUIRE(loc->GetTrack(As(worker).get(), backwards, &points).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
  REQUIRE(loc->GetTrack(As(MakePrincipal(ROLE_GRID_WORKER, "410105/s01/c01/g01", "w9")).get(),
                        track, &points)
              .error_code() == grpc::StatusCode::PERMISSION_DENIED);

  REQUIRE(location->Stop() == 0);
  REQUIRE(geofence.Stop() == 0);
}

TEST_CASE("an ingest burst beyond the queue is refused at once and loses nothing acknowledged",
          "[integration]") {
  // One ingest thread and room for two waiting calls: a burst of 40 concurrent callers must
  // overflow it. Refused calls get RESOURCE_EXHAUSTED and store nothing; every acknowledged
  // fix is stored.
  TempDir location_dir;
  const std::string location_addr = absl::StrCat("127.0.0.1:", PickFreePort());
  ServiceProcess location("gridwork-location",
                          {"--grpc_addr=" + location_addr, "--data_dir=" + location_dir.path(),
                           "--ingest_threads=1", "--ingest_queue=2"},
                          {KeyEnv()});
  REQUIRE(location.Start().ok());
  auto loc = lv1::LocationService::NewStub(rpc::MakeChannel(location_addr));

  constexpr int kCallers = 40;
  const absl::Time t0 = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now() - absl::Minutes(1)));
  std::vector<grpc::Status> results(kCallers);
  std::vector<lv1::BatchAck> acks(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      lv1::FixBatch batch;
      batch.set_batch_id(1);
      batch.set_device_id(absl::StrCat("phone-", i));
      *batch.add_fixes() = At(34.705, 113.605 + i * 1e-4, t0, 1);
      auto ctx = As(MakePrincipal(ROLE_GRID_WORKER, "", absl::StrCat("burst-", i)));
      results[i] = loc->IngestFixes(ctx.get(), batch, &acks[i]);
    });
  }
  for (auto& t : callers) t.join();

  int ok = 0, refused = 0;
  lv1::GetLastPositionsRequest lp;
  for (int i = 0; i < kCallers; ++i) {
    lp.add_worker_ids(absl::StrCat("burst-", i));
    if (results[i].ok()) {
      ++ok;
      CHECK(acks[i].accepted() == 1);
    } else {
      INFO(results[i].error_message());
      REQUIRE(results[i].error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
      CHECK(results[i].error_message().find("retry with backoff") != std::string::npos);
      ++refused;
    }
  }
  CHECK(ok >= 1);
  CHECK(refused >= 1);
  lv1::GetLastPositionsResponse positions;
  REQUIRE(loc->GetLastPositions(As(MakePrincipal(ROLE_SERVICE)).get(), lp, &positions).ok());
  REQUIRE(positions.positions_size() == kCallers);
  for (int i = 0; i < kCallers; ++i) {
    INFO("caller " << i);
    CHECK(positions.positions(i).known() == results[i].ok());
  }
  REQUIRE(location.Stop() == 0);
}

}  // namespace gridwork::testing
