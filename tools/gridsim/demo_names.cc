#include "tools/gridsim/demo_names.h"

#include <openssl/sha.h>

#include <array>

#include "absl/strings/str_format.h"
#include "demo_geography/random.h"

namespace gridwork::gridsim {
namespace {

struct Syllable {
  const char* hanzi;
  const char* pinyin;
};

// The most common surnames and given-name characters.
constexpr std::array<Syllable, 20> kSurnames = {{
    {"王", "wang"}, {"李", "li"},   {"张", "zhang"}, {"刘", "liu"},  {"陈", "chen"},
    {"杨", "yang"}, {"赵", "zhao"}, {"黄", "huang"}, {"周", "zhou"}, {"吴", "wu"},
    {"徐", "xu"},   {"孙", "sun"},  {"胡", "hu"},    {"朱", "zhu"},  {"高", "gao"},
    {"林", "lin"},  {"何", "he"},   {"郭", "guo"},   {"马", "ma"},   {"罗", "luo"},
}};
constexpr std::array<Syllable, 30> kGiven = {{
    {"伟", "wei"},   {"芳", "fang"}, {"娜", "na"},   {"敏", "min"},  {"静", "jing"}, {"丽", "li"},
    {"强", "qiang"}, {"磊", "lei"},  {"军", "jun"},  {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"},
    {"杰", "jie"},   {"涛", "tao"},  {"明", "ming"}, {"超", "chao"}, {"秀", "xiu"},  {"霞", "xia"},
    {"平", "ping"},  {"刚", "gang"}, {"桂", "gui"},  {"英", "ying"}, {"华", "hua"},  {"玉", "yu"},
    {"兰", "lan"},   {"建", "jian"}, {"国", "guo"},  {"文", "wen"},  {"红", "hong"}, {"海", "hai"},
}};

}  // namespace

DemoName MakeDemoName(uint64_t seed, int index) {
  demo_geography::Rng rng(demo_geography::MixSeed(seed, static_cast<uint64_t>(index) + 1));
  const Syllable& s = kSurnames[rng.Below(kSurnames.size())];
  DemoName n{s.hanzi, s.pinyin};
  int given = rng.Uniform() < 0.6 ? 2 : 1;
  for (int i = 0; i < given; ++i) {
    const Syllable& g = kGiven[rng.Below(kGiven.size())];
    n.display += g.hanzi;
    n.username += g.pinyin;
  }
  n.username += absl::StrFormat("%03d", index);
  return n;
}

std::string DemoPassword(const std::string& seed, const std::string& username) {
  std::string in = seed + "/" + username;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::string out = "demo-";
  for (int i = 0; i < 10; ++i) out += kAlphabet[digest[i] % (sizeof(kAlphabet) - 1)];
  return out;
}

}  // namespace gridwork::gridsim
