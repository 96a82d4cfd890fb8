// Deterministic demo names: Chinese display names built from a small syllable table, with a
// pinyin login name that is unique per index.
//
//   DemoName n = MakeDemoName(seed, 42);  // {"王秀英", "wangxiuying042"}
//
// Not real people; the same (seed, index) always gives the same name.
#ifndef GRIDWORK_TOOLS_GRIDSIM_DEMO_NAMES_H_
#define GRIDWORK_TOOLS_GRIDSIM_DEMO_NAMES_H_

#include <cstdint>
#include <string>

namespace gridwork::gridsim {

struct DemoName {
  std::string display;   // e.g. "王秀英"
  std::string username;  // pinyin + index, e.g. "wangxiuying042"; matches [a-z0-9]+
};

// The index makes the username unique; the seed only chooses the syllables.
DemoName MakeDemoName(uint64_t seed, int index);

// Deterministic demo password for `username` (>= 12 characters, [A-Za-z0-9-]). Demo only:
// anyone who knows the seed knows every password.
std::string DemoPassword(const std::string& seed, const std::string& username);

}  // namespace gridwork::gridsim

#endif  // GRIDWORK_TOOLS_GRIDSIM_DEMO_NAMES_H_
