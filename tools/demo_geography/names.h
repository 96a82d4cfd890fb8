// Plausible Chinese names for generated regions.
//
// The streets, communities and grids are invented, so they get invented names that read
// like real ones (a real name on an invented shape would mislead): urban streets are named
// after a road ("文化路街道"), rural ones after a town ("王庄镇", "李寨乡"); urban
// communities like housing estates ("锦苑社区"), rural ones like villages ("刘集村");
// grids are numbered within their community ("第2网格"), as grid offices do.
#ifndef GRIDWORK_TOOLS_DEMO_GEOGRAPHY_NAMES_H_
#define GRIDWORK_TOOLS_DEMO_GEOGRAPHY_NAMES_H_

#include <set>
#include <string>

#include "demo_geography/random.h"

namespace gridwork::demo_geography {

// Hands out names unique within one district. Not thread-safe; one per district.
class NameGenerator {
 public:
  NameGenerator(uint64_t seed, bool urban) : rng_(seed), urban_(urban) {}
  NameGenerator(const NameGenerator&) = delete;
  NameGenerator& operator=(const NameGenerator&) = delete;

  // "文化路街道" (urban) or "王庄镇" / "李寨乡" (rural).
  std::string StreetName();
  // "锦苑社区" (urban) or "刘集村" (rural).
  std::string CommunityName();
  // "第<n>网格", n >= 1.
  static std::string GridName(int n);

 private:
  // Draws from `make` until the result is new (falls back to a numbered suffix).
  template <typename Make>
  std::string Unique(Make make);

  Rng rng_;
  bool urban_;
  std::set<std::string> used_;
};

}  // namespace gridwork::demo_geography

#endif  // GRIDWORK_TOOLS_DEMO_GEOGRAPHY_NAMES_H_
