// A tiny deterministic random source for the demo generator.
//
// std::uniform_*_distribution are implementation-defined, so the same seed could give a
// different map on another standard library. SplitMix64 plus our own conversions gives the
// same sequence everywhere. Not for anything security-related.
#ifndef GRIDWORK_TOOLS_DEMO_GEOGRAPHY_RANDOM_H_
#define GRIDWORK_TOOLS_DEMO_GEOGRAPHY_RANDOM_H_

#include <cstdint>

namespace gridwork::demo_geography {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); REQUIRES: n > 0. (Modulo bias is irrelevant at our sizes.)
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

// Derives an independent seed for a named sub-stream (e.g. per district), so that changing
// one district's parameters does not reshuffle the others.
inline uint64_t MixSeed(uint64_t seed, uint64_t salt) {
  Rng r(seed ^ (salt * 0xd1b54a32d192ed03ULL));
  return r.Next();
}

}  // namespace gridwork::demo_geography

#endif  // GRIDWORK_TOOLS_DEMO_GEOGRAPHY_RANDOM_H_
