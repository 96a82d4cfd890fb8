// Bit sets stored as bytes (coverage: bit i = cell i of a grid's raster was visited).
// Bit i is bit (i % 8) of byte i / 8; the string grows on demand and never shrinks.
#ifndef GRIDWORK_SERVICES_ANALYTICS_BITMAP_H_
#define GRIDWORK_SERVICES_ANALYTICS_BITMAP_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace gridwork::analytics {

// Sets bit `i`; returns true if it was clear before.
inline bool SetBit(std::string* bits, uint32_t i) {
  const size_t byte = i / 8;
  if (bits->size() <= byte) bits->resize(byte + 1, '\0');
  const uint8_t mask = static_cast<uint8_t>(1u << (i % 8));
  uint8_t b = static_cast<uint8_t>((*bits)[byte]);
  if (b & mask) return false;
  (*bits)[byte] = static_cast<char>(b | mask);
  return true;
}

inline bool TestBit(absl::string_view bits, uint32_t i) {
  const size_t byte = i / 8;
  return byte < bits.size() && (static_cast<uint8_t>(bits[byte]) >> (i % 8)) & 1u;
}

inline int64_t BitCount(absl::string_view bits) {
  int64_t n = 0;
  for (char c : bits) n += __builtin_popcount(static_cast<uint8_t>(c));
  return n;
}

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_BITMAP_H_
