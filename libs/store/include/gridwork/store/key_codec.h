// Order-preserving key encoding for RocksDB keys (and the few fixed fields in values).
//
// RocksDB compares keys bytewise, so every component is encoded such that comparing the
// encoded bytes gives the same answer as comparing the values:
//
//   uint32 / uint64   fixed-width big-endian            (4 / 8 bytes)
//   int64             big-endian of (uint64(v) ^ 2^63)   (8 bytes; sign bit flipped so that
//                                                         INT64_MIN..INT64_MAX sort in order)
//   string component  bytes with 0x00 -> 0x00 0xFF, then the terminator 0x00 0x01
//
// The string escape makes composite keys sort as tuples: ("a","b") < ("a\0","") because "a"
// ends with 0x00 0x01 where "a\0" continues with 0x00 0xFF. A key built from the first k
// components of a tuple is a byte prefix of every key that starts with those components, so
// KeyBuilder output can be used directly as an iteration prefix (Db::ScanPrefix).
//
//   std::string key = KeyBuilder().String(region_path).Uint64(version).Build();
//   KeyReader r(key);
//   std::string region; uint64_t v;
//   if (!r.String(&region) || !r.Uint64(&v) || !r.done()) { /* corrupt key */ }
//
// DO NOT CHANGE THESE ENCODINGS: they are embedded in the on-disk keys of every service.
//
// Thread safety: the free functions are pure; a KeyBuilder / KeyReader is not thread-safe
// (one per thread), like std::string.
#ifndef GRIDWORK_STORE_KEY_CODEC_H_
#define GRIDWORK_STORE_KEY_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace gridwork::store {

// Appends `v` as 4 big-endian bytes.
void PutFixed32BE(std::string* dst, uint32_t v);
// Appends `v` as 8 big-endian bytes.
void PutFixed64BE(std::string* dst, uint64_t v);
// Appends `v` as 8 bytes whose bytewise order equals numeric order (sign bit flipped).
void PutOrderedInt64(std::string* dst, int64_t v);
// Appends `s` as an order-preserving, self-terminating string component.
void PutStringComponent(std::string* dst, absl::string_view s);

// Decoders. Each reads from the front of `*src`; on success stores the value, advances
// `*src` past the encoded bytes and returns true. On short or malformed input returns false
// and leaves `*src` and `*v` unspecified.
[[nodiscard]] bool GetFixed32BE(absl::string_view* src, uint32_t* v);
[[nodiscard]] bool GetFixed64BE(absl::string_view* src, uint64_t* v);
[[nodiscard]] bool GetOrderedInt64(absl::string_view* src, int64_t* v);
[[nodiscard]] bool GetStringComponent(absl::string_view* src, std::string* v);

// Convenience: the 8-byte big-endian encoding of `v` (e.g. an events-family key).
std::string EncodeFixed64BE(uint64_t v);
// Decodes exactly 8 bytes; returns false if `src` is not exactly 8 bytes long.
[[nodiscard]] bool DecodeFixed64BE(absl::string_view src, uint64_t* v);

// The smallest key greater than every key that starts with `prefix`, or "" if there is
// none (prefix empty or all 0xFF). Use as an exclusive upper bound for prefix scans.
std::string PrefixSuccessor(absl::string_view prefix);

// Builds a composite key component by component. Chainable.
class KeyBuilder {
 public:
  KeyBuilder() = default;
  KeyBuilder& Uint32(uint32_t v) {
    PutFixed32BE(&buf_, v);
    return *this;
  }
  KeyBuilder& Uint64(uint64_t v) {
    PutFixed64BE(&buf_, v);
    return *this;
  }
  KeyBuilder& Int64(int64_t v) {
    PutOrderedInt64(&buf_, v);
    return *this;
  }
  KeyBuilder& String(absl::string_view s) {
    PutStringComponent(&buf_, s);
    return *this;
  }
  // Appends raw bytes with no escaping. Only safe as the LAST component of a key, or for a
  // fixed-width field; otherwise order and prefix properties are lost.
  KeyBuilder& Raw(absl::string_view bytes) {
    buf_.append(bytes.data(), bytes.size());
    return *this;
  }
  // The key so far (the builder may continue to be used).
  const std::string& key() const { return buf_; }
  // Moves the key out; the builder is left empty.
  std::string Build() { return std::move(buf_); }

 private:
  std::string buf_;
};

// Reads a composite key component by component, in the order it was built. Every reader
// returns false on malformed input; once false, the reader's position is unspecified.
// The viewed bytes must outlive the reader.
class KeyReader {
 public:
  explicit KeyReader(absl::string_view key) : rest_(key) {}
  [[nodiscard]] bool Uint32(uint32_t* v) { return GetFixed32BE(&rest_, v); }
  [[nodiscard]] bool Uint64(uint64_t* v) { return GetFixed64BE(&rest_, v); }
  [[nodiscard]] bool Int64(int64_t* v) { return GetOrderedInt64(&rest_, v); }
  [[nodiscard]] bool String(std::string* v) { return GetStringComponent(&rest_, v); }
  // The unread remainder (e.g. a trailing Raw component).
  absl::string_view rest() const { return rest_; }
  // True when every byte has been consumed.
  bool done() const { return rest_.empty(); }

 private:
  absl::string_view rest_;
};

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_KEY_CODEC_H_
