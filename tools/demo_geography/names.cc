#include "demo_geography/names.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace gridwork::demo_geography {
namespace {

// Road names typical of Chinese cities (generic words, not tied to real Zhengzhou streets).
constexpr std::array<absl::string_view, 48> kRoads = {
    "文化", "建设", "人民", "解放", "和平", "友爱", "光明", "幸福", "朝阳", "东风", "花园", "育才",
    "锦绣", "丰收", "长青", "团结", "胜利", "新华", "民主", "兴华", "振兴", "工人", "青年", "健康",
    "富强", "红旗", "前进", "永安", "兴隆", "迎宾", "滨河", "绿城", "金桥", "银河", "翠竹", "桃源",
    "杏林", "松柏", "柳园", "梧桐", "博学", "科技", "创业", "天成", "安和", "广场", "站前", "北环"};
constexpr std::array<absl::string_view, 8> kRoadKinds = {"路", "路", "路",   "路",
                                                         "路", "街", "大道", "路"};

constexpr std::array<absl::string_view, 30> kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "宋", "谢", "韩", "冯", "曹", "袁", "许", "邓"};
constexpr std::array<absl::string_view, 16> kVillageKinds = {
    "庄", "寨", "集", "店", "营", "桥", "湾", "岗", "坡", "河", "沟", "屯", "楼", "园", "堂", "铺"};
constexpr std::array<absl::string_view, 12> kTownWords = {
    "白沙", "官渡", "黄店", "青龙", "石佛", "柳林", "双桥", "高山", "古城", "新店", "龙泉", "大孟"};

constexpr std::array<absl::string_view, 24> kEstateFirst = {
    "锦", "翠", "金", "银", "福", "康", "和", "文", "新", "华", "兴", "安",
    "瑞", "嘉", "恒", "盛", "祥", "泰", "德", "润", "绿", "丰", "宏", "明"};
constexpr std::array<absl::string_view, 14> kEstateSecond = {
    "苑", "园", "里", "庭", "居", "城", "湾", "府", "东", "西", "南", "北", "桥", "林"};

template <size_t N>
absl::string_view Pick(const std::array<absl::string_view, N>& a, Rng& rng) {
  return a[rng.Below(N)];
}

}  // namespace

template <typename Make>
std::string NameGenerator::Unique(Make make) {
  for (int attempt = 0; attempt < 64; ++attempt) {
    std::string name = make();
    if (used_.insert(name).second) return name;
  }
  for (int n = 2;; ++n) {
    std::string name = absl::StrCat(make(), n);
    if (used_.insert(name).second) return name;
  }
}

std::string NameGenerator::StreetName() {
  if (urban_) {
    return Unique([&] { return absl::StrCat(Pick(kRoads, rng_), Pick(kRoadKinds, rng_), "街道"); });
  }
  return Unique([&] {
    const absl::string_view kind = rng_.Below(4) == 0 ? "乡" : "镇";
    if (rng_.Below(3) == 0) return absl::StrCat(Pick(kTownWords, rng_), kind);
    return absl::StrCat(Pick(kSurnames, rng_), Pick(kVillageKinds, rng_), kind);
  });
}

std::string NameGenerator::CommunityName() {
  if (urban_) {
    return Unique(
        [&] { return absl::StrCat(Pick(kEstateFirst, rng_), Pick(kEstateSecond, rng_), "社区"); });
  }
  return Unique([&] {
    absl::string_view first = Pick(kSurnames, rng_);
    if (rng_.Below(5) == 0) return absl::StrCat("前", first, Pick(kVillageKinds, rng_), "村");
    if (rng_.Below(5) == 0) return absl::StrCat("后", first, Pick(kVillageKinds, rng_), "村");
    return absl::StrCat(first, Pick(kVillageKinds, rng_), "村");
  });
}

std::string NameGenerator::GridName(int n) { return absl::StrCat("第", n, "网格"); }

}  // namespace gridwork::demo_geography
