// The on-disk form of a worker's accepted fixes: one RocksDB value ("chunk") per worker per
// 10-minute bucket, holding the bucket's fixes sorted by device time and delta/varint
// encoded. Consecutive fixes of a walking worker differ by small amounts, so a fix costs
// ~10–14 bytes before RocksDB's block compression (see docs/location.md for measurements).
//
// Chunk layout (DO NOT CHANGE: it is the on-disk format; add a new version byte instead):
//
//   +---------+-----------+--------------------------------------------------------+
//   | version | count     | count x fix record                                     |
//   | u8 = 1  | varint32  |                                                        |
//   +---------+-----------+--------------------------------------------------------+
//
//   fix record (all zigzag varints of the delta from the previous record in the chunk; the
//   "previous" of the first record is the bucket start with unknown speed/heading/battery):
//     interval     delta of (time_ms - previous time_ms): delta-of-delta, ~0 for a steady
//                  15 s reporting interval
//     lat_e7       latitude  * 1e7, WGS-84
//     lng_e7       longitude * 1e7, WGS-84
//     accuracy_dm  accuracy in decimetres, 0 = unknown
//     speed_cms    speed in cm/s, -1 = unknown
//     heading_ddeg heading in tenths of a degree, -1 = unknown
//     altitude_dm  altitude in decimetres
//     battery      percent, -1 = unknown
//     flags        one raw byte: bits 0-1 crs as received (common.v1.Crs), bits 2-3 provider,
//                  bit 4 offline
//     device       index into the chunk's device table (almost always delta 0)
//     sequence     device sequence
//   followed by the device table: varint32 n, then n x (varint32 length, bytes).
//
// Precision: 1e-7 degree (≈ 1 cm) for positions, 1 ms for time, 1 dm for accuracy and
// altitude, 1 cm/s for speed, 0.1 degree for heading. Identity of a fix within a chunk is
// (device_id, device time ms): a resend replaces nothing and is reported as a duplicate.
#ifndef GRIDWORK_SERVICES_LOCATION_FIX_CHUNK_H_
#define GRIDWORK_SERVICES_LOCATION_FIX_CHUNK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridwork::location {

// Fixes are grouped into buckets of this length (aligned to the Unix epoch).
inline constexpr int64_t kChunkSpanMs = 10 * 60 * 1000;

inline int64_t ChunkStartMs(int64_t time_ms) {
  int64_t r = time_ms % kChunkSpanMs;
  if (r < 0) r += kChunkSpanMs;
  return time_ms - r;
}

// One accepted fix as stored (WGS-84, quantised as described above).
struct StoredFix {
  int64_t time_ms = 0;
  int32_t lat_e7 = 0;
  int32_t lng_e7 = 0;
  uint32_t accuracy_dm = 0;
  int32_t speed_cms = -1;      // -1 = unknown
  int32_t heading_ddeg = -1;   // -1 = unknown
  int32_t altitude_dm = 0;
  int32_t battery_pct = -1;    // -1 = unknown
  uint8_t crs = 0;             // common.v1.Crs as received
  uint8_t provider = 0;        // common.v1.Fix.Provider
  bool offline = false;
  std::string device_id;
  uint64_t sequence = 0;

  bool SameIdentity(const StoredFix& o) const {
    return time_ms == o.time_ms && device_id == o.device_id;
  }
  friend bool operator==(const StoredFix&, const StoredFix&) = default;
};

// Encodes `fixes` of the bucket starting at `chunk_start_ms`. REQUIRES: sorted by time_ms,
// every time_ms in [chunk_start_ms, chunk_start_ms + kChunkSpanMs).
std::string EncodeChunk(int64_t chunk_start_ms, const std::vector<StoredFix>& fixes);

// Decodes a chunk. DATA_LOSS if the bytes are not a chunk this code wrote.
absl::StatusOr<std::vector<StoredFix>> DecodeChunk(int64_t chunk_start_ms,
                                                   absl::string_view bytes);

// Inserts `fix` into the sorted `fixes` at its time position. Returns false (and changes
// nothing) if a fix with the same identity is already there.
bool InsertFix(std::vector<StoredFix>* fixes, StoredFix fix);

}  // namespace gridwork::location

#endif  // GRIDWORK_SERVICES_LOCATION_FIX_CHUNK_H_
