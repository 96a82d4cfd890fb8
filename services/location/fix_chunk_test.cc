#include "services/location/fix_chunk.h"

#include <catch2/catch.hpp>
#include <random>

namespace gridwork::location {
namespace {

// A worker walking at ~1.4 m/s with a fix every 15 s, as phones report.
std::vector<StoredFix> Walk(int64_t start_ms, int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> step(0, 150);  // ~1.5 m in 1e-7 degrees
  std::vector<StoredFix> out;
  StoredFix f;
  f.time_ms = start_ms;
  f.lat_e7 = 347500000;
  f.lng_e7 = 1136500000;
  f.device_id = "android-7f3a";
  f.sequence = 1000;
  f.battery_pct = 80;
  f.crs = 2;
  f.provider = 1;
  for (int i = 0; i < n; ++i) {
    f.time_ms += 15000 + static_cast<int>(rng() % 200);
    f.lat_e7 += static_cast<int32_t>(step(rng)) + 100;
    f.lng_e7 += static_cast<int32_t>(step(rng)) + 120;
    // Accuracy, speed and heading drift slowly while walking; altitude jitters.
    f.accuracy_dm = 80 + static_cast<uint32_t>(rng() % 20);
    f.speed_cms = 140 + static_cast<int>(rng() % 20);
    f.heading_ddeg = 900 + static_cast<int>(rng() % 60);
    f.altitude_dm = 1100 + static_cast<int>(rng() % 30);
    f.sequence += 1;
    out.push_back(f);
  }
  return out;
}

}  // namespace

TEST_CASE("chunks round-trip every field exactly") {
  const int64_t start = ChunkStartMs(1763884800123);
  auto fixes = Walk(start, 39, 7);
  fixes[5].offline = true;
  fixes[6].speed_cms = -1;
  fixes[7].heading_ddeg = -1;
  fixes[8].battery_pct = -1;
  fixes[9].device_id = "second-phone";
  fixes[9].sequence = 3;
  fixes[10].lat_e7 = -900000000;
  fixes[11].lng_e7 = 1800000000;
  std::string bytes = EncodeChunk(start, fixes);
  auto decoded = DecodeChunk(start, bytes);
  REQUIRE(decoded.ok());
  REQUIRE(*decoded == fixes);
  // Compact: well under 16 bytes per fix before RocksDB compression.
  INFO(bytes.size());
  REQUIRE(bytes.size() < 16 * fixes.size());
}

TEST_CASE("an empty chunk round-trips") {
  auto decoded = DecodeChunk(0, EncodeChunk(0, {}));
  REQUIRE(decoded.ok());
  REQUIRE(decoded->empty());
}

TEST_CASE("corrupt chunks are DATA_LOSS, never a crash") {
  const int64_t start = ChunkStartMs(1763884800123);
  std::string bytes = EncodeChunk(start, Walk(start, 10, 1));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto r = DecodeChunk(start, bytes.substr(0, cut));
    REQUIRE(r.status().code() == absl::StatusCode::kDataLoss);
  }
  std::string bad = bytes;
  bad[0] = 9;
  REQUIRE(DecodeChunk(start, bad).status().code() == absl::StatusCode::kDataLoss);
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string noise = bytes;
    noise[rng() % noise.size()] = static_cast<char>(rng());
    (void)DecodeChunk(start, noise);  // any status, no crash, no sanitizer report
  }
}

TEST_CASE("InsertFix keeps time order and refuses a second copy of the same fix") {
  const int64_t start = ChunkStartMs(1763884800123);
  auto fixes = Walk(start, 5, 2);
  std::vector<StoredFix> chunk;
  for (int i : {3, 0, 4, 1, 2}) REQUIRE(InsertFix(&chunk, fixes[i]));
  REQUIRE(chunk == fixes);
  REQUIRE_FALSE(InsertFix(&chunk, fixes[2]));
  StoredFix other_device = fixes[2];
  other_device.device_id = "tablet";
  REQUIRE(InsertFix(&chunk, other_device));
  REQUIRE(chunk.size() == 6);
}

TEST_CASE("ChunkStartMs floors to the 10-minute bucket, also before the epoch") {
  REQUIRE(ChunkStartMs(0) == 0);
  REQUIRE(ChunkStartMs(599999) == 0);
  REQUIRE(ChunkStartMs(600000) == 600000);
  REQUIRE(ChunkStartMs(-1) == -600000);
}

}  // namespace gridwork::location
