// Persisted layouts of the store's own column families (families.h).
//
// DO NOT CHANGE THESE LAYOUTS OR THE VERSION BYTES: they are embedded in every service's
// database. Add a new version byte and keep reading the old one instead.
//
// events        key   +------------------------------+
//                     | sequence: uint64 big-endian  |  8 bytes; byte order = sequence order
//                     +------------------------------+
//               value  gridwork.common.v1.FeedEvent, protobuf wire format (all fields set)
//
// idempotency   key   +------------------------+---------------------------+
//                     | scope: string component | request_id: string comp.  |
//                     +------------------------+---------------------------+
//               value +------+---------------------+--------------------+----------------+
//                     | 0x01 | created: int64 µs   | fingerprint:       | response bytes |
//                     | ver. | since epoch, ordered| string component   | (to the end)   |
//                     +------+---------------------+--------------------+----------------+
//
// cursors       key    consumer name, raw bytes (the whole key)
//               value  last applied sequence: uint64 big-endian (8 bytes)
//
// meta          key    ASCII name; "feed.first_retained" -> uint64 big-endian
//
// dead_letters  key   +--------------------------+------------------------------+
//                     | consumer: string comp.   | sequence: uint64 big-endian  |
//                     +--------------------------+------------------------------+
//               value +------+-------------------------+------------------------------+
//                     | 0x01 | error: string component | FeedEvent wire bytes (rest)  |
//                     +------+-------------------------+------------------------------+
//
// (string component and integer encodings: key_codec.h.)
//
// Thread safety: pure functions.
#ifndef GRIDWORK_STORE_SRC_LAYOUT_H_
#define GRIDWORK_STORE_SRC_LAYOUT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gridwork/store/idempotency.h"

namespace gridwork::store::layout {

inline constexpr char kIdempotencyVersion = '\x01';
inline constexpr char kDeadLetterVersion = '\x01';
inline constexpr char kMetaFirstRetained[] = "feed.first_retained";

std::string EventKey(uint64_t sequence);
[[nodiscard]] bool ParseEventKey(absl::string_view key, uint64_t* sequence);

std::string IdempotencyKey(absl::string_view scope, absl::string_view request_id);
// Encodes the value part of `r` (version, created, fingerprint, response).
std::string EncodeIdempotencyValue(const IdempotencyRecord& r);
// The same value in two parts, head + tail: the head (version, created) is known only at
// commit, the tail (fingerprint, response) when the request is built.
std::string EncodeIdempotencyValueHead(absl::Time created);
std::string EncodeIdempotencyValueTail(absl::string_view fingerprint, absl::string_view response);
// Decodes a key/value pair; false if either is malformed or of an unknown version.
[[nodiscard]] bool DecodeIdempotency(absl::string_view key, absl::string_view value,
                                     IdempotencyRecord* r);

std::string DeadLetterPrefix(absl::string_view consumer);
std::string DeadLetterKey(absl::string_view consumer, uint64_t sequence);
std::string EncodeDeadLetterValue(absl::string_view error, absl::string_view event_bytes);
[[nodiscard]] bool DecodeDeadLetter(absl::string_view key, absl::string_view value,
                                    uint64_t* sequence, std::string* error,
                                    std::string* event_bytes);

}  // namespace gridwork::store::layout

#endif  // GRIDWORK_STORE_SRC_LAYOUT_H_
