#include "gridwork/store/key_codec.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace gridwork::store {
namespace {

TEST_CASE("fixed-width integers round trip", "[key_codec]") {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256},
                     uint64_t{0x0102030405060708}, std::numeric_limits<uint64_t>::max()}) {
    std::string s;
    PutFixed64BE(&s, v);
    REQUIRE(s.size() == 8);
    absl::string_view in(s);
    uint64_t out = 0;
    REQUIRE(GetFixed64BE(&in, &out));
    CHECK(out == v);
    CHECK(in.empty());
  }
  std::string s;
  PutFixed32BE(&s, 0x01020304u);
  CHECK(s == std::string("\x01\x02\x03\x04", 4));
  absl::string_view in(s);
  uint32_t out;
  REQUIRE(GetFixed32BE(&in, &out));
  CHECK(out == 0x01020304u);
  absl::string_view short_input("abc");
  CHECK_FALSE(GetFixed32BE(&short_input, &out));
}

TEST_CASE("int64 encoding orders negative before positive", "[key_codec]") {
  std::vector<int64_t> values = {std::numeric_limits<int64_t>::min(), -1000000, -1, 0, 1, 42,
                                 std::numeric_limits<int64_t>::max()};
  std::string prev;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string s;
    PutOrderedInt64(&s, values[i]);
    absl::string_view in(s);
    int64_t out;
    REQUIRE(GetOrderedInt64(&in, &out));
    CHECK(out == values[i]);
    if (i > 0) CHECK(prev < s);
    prev = s;
  }
}

TEST_CASE("string components escape zero bytes and sort as tuples", "[key_codec]") {
  const std::string a_nul("a\0", 2);
  std::string k1 = KeyBuilder().String("a").String("b").Build();
  std::string k2 = KeyBuilder().String(a_nul).String("").Build();
  CHECK(k1 < k2);  // ("a","b") < ("a\0","")
  CHECK(KeyBuilder().String("").Build() < KeyBuilder().String(std::string(1, '\0')).Build());
  CHECK(KeyBuilder().String("ab").Build() > KeyBuilder().String("a").String("zz").Build());

  KeyReader r(k2);
  std::string x, y;
  REQUIRE(r.String(&x));
  REQUIRE(r.String(&y));
  CHECK(x == a_nul);
  CHECK(y.empty());
  CHECK(r.done());

  // The on-disk bytes: every 0x00 becomes 00 FF, and 00 01 ends the component.
  std::string encoded;
  PutStringComponent(&encoded, std::string("\0a\0\0bc\0", 7));
  CHECK(encoded == std::string("\0\xFF"
                               "a"
                               "\0\xFF\0\xFF"
                               "bc"
                               "\0\xFF"
                               "\0\x01",
                               13));
  encoded.clear();
  PutStringComponent(&encoded, "plain");
  CHECK(encoded == std::string("plain\0\x01", 7));

  std::string malformed("a\0\x07", 3);
  absl::string_view in(malformed);
  CHECK_FALSE(GetStringComponent(&in, &x));
  absl::string_view unterminated("abc");
  CHECK_FALSE(GetStringComponent(&unterminated, &x));
}

TEST_CASE("a key of leading components is a prefix of longer keys", "[key_codec]") {
  std::string prefix = KeyBuilder().String("410105").String("g07").Build();
  std::string full = KeyBuilder().String("410105").String("g07").Uint64(9).Build();
  std::string other = KeyBuilder().String("410105").String("g070").Uint64(9).Build();
  CHECK(full.compare(0, prefix.size(), prefix) == 0);
  CHECK(other.compare(0, prefix.size(), prefix) != 0);  // "g07" is not a prefix of "g070"
  CHECK(PrefixSuccessor(prefix) > full);
  CHECK(PrefixSuccessor(std::string("a\xff\xff", 3)) == "b");
  CHECK(PrefixSuccessor(std::string("\xff", 1)).empty());
}

std::string RandomString(std::mt19937_64& rng) {
  // Small alphabet including 0x00, 0x01 and 0xFF so escapes and terminators collide often.
  static const char kAlphabet[] = {'\x00', '\x01', '\xff', 'a', 'b'};
  std::uniform_int_distribution<int> len(0, 4), pick(0, 4);
  std::string s;
  for (int i = len(rng); i > 0; --i) s.push_back(kAlphabet[pick(rng)]);
  return s;
}

TEST_CASE("randomized: encoded byte order equals tuple order", "[key_codec]") {
  std::mt19937_64 rng(20240601);
  using Tuple = std::tuple<std::string, int64_t, std::string, uint64_t>;
  std::uniform_int_distribution<int64_t> small(-3, 3);
  std::vector<std::pair<Tuple, std::string>> rows;
  for (int i = 0; i < 3000; ++i) {
    Tuple t{RandomString(rng), small(rng) * (int64_t{1} << 40), RandomString(rng),
            static_cast<uint64_t>(small(rng) + 3)};
    std::string key = KeyBuilder()
                          .String(std::get<0>(t))
                          .Int64(std::get<1>(t))
                          .String(std::get<2>(t))
                          .Uint64(std::get<3>(t))
                          .Build();
    KeyReader r(key);
    Tuple back;
    REQUIRE(r.String(&std::get<0>(back)));
    REQUIRE(r.Int64(&std::get<1>(back)));
    REQUIRE(r.String(&std::get<2>(back)));
    REQUIRE(r.Uint64(&std::get<3>(back)));
    REQUIRE(r.done());
    REQUIRE(back == t);
    rows.emplace_back(std::move(t), std::move(key));
  }
  // std::string compares chars as unsigned via char_traits<char>::compare (memcmp order).
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    const auto& [ta, ka] = rows[i];
    const auto& [tb, kb] = rows[i + 1];
    INFO("row " << i);
    REQUIRE((ta < tb) == (ka < kb));
    REQUIRE((ta == tb) == (ka == kb));
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& x, const auto& y) { return x.second < y.second; });
  for (size_t i = 0; i + 1 < rows.size(); ++i) REQUIRE(!(rows[i + 1].first < rows[i].first));
}

}  // namespace
}  // namespace gridwork::store
