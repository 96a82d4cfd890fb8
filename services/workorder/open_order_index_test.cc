#include "services/workorder/open_order_index.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"

namespace gridwork::workorder {
namespace {

std::vector<std::string> All(const OpenOrderIndex& index, const std::string& start = "",
                             const std::string& limit = "") {
  std::vector<std::string> out;
  index.Scan(start, limit, [&](const std::string& k) {
    out.push_back(k);
    return true;
  });
  return out;
}

TEST_CASE("the open-order index holds one key per order, its latest") {
  OpenOrderIndex index;
  index.Set("wo-1", "b/wo-1");
  index.Set("wo-2", "a/wo-2");
  CHECK(All(index) == std::vector<std::string>{"a/wo-2", "b/wo-1"});
  index.Set("wo-1", "c/wo-1");  // moved: the old key is gone
  CHECK(All(index) == std::vector<std::string>{"a/wo-2", "c/wo-1"});
  index.Set("wo-1", "c/wo-1");  // the same key again changes nothing
  CHECK(index.size() == 2);
  index.Set("wo-2", "");  // closed: removed
  index.Set("wo-3", "");  // removing an order it never held is a no-op
  CHECK(All(index) == std::vector<std::string>{"c/wo-1"});
  CHECK(index.size() == 1);
}

TEST_CASE("an open-order index scan covers a key range in order, across chunks") {
  OpenOrderIndex index;
  // 1,000 keys (four chunks of 256 and a bit), set in scrambled order.
  for (int i = 0; i < 1000; ++i) {
    const int k = (i * 379) % 1000;
    index.Set(absl::StrFormat("wo-%04d", k), absl::StrFormat("k%04d", k));
  }
  std::vector<std::string> all = All(index);
  REQUIRE(all.size() == 1000);
  CHECK(std::is_sorted(all.begin(), all.end()));
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());

  std::vector<std::string> mid = All(index, "k0100", "k0700");
  REQUIRE(mid.size() == 600);
  CHECK(mid.front() == "k0100");
  CHECK(mid.back() == "k0699");

  int visited = 0;  // fn returning false stops the scan, also in the middle of a chunk
  index.Scan("", "", [&](const std::string&) { return ++visited < 300; });
  CHECK(visited == 300);
}

TEST_CASE("writers move keys while a scan runs: no key visited twice, order kept") {
  OpenOrderIndex index;
  for (int i = 0; i < 2000; ++i)
    index.Set(absl::StrFormat("wo-%04d", i), absl::StrFormat("a%04d", i));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    // Moves orders back and forth between two regions of the key space.
    for (int round = 0; !stop.load(); ++round) {
      for (int i = 0; i < 2000; i += 7) {
        index.Set(absl::StrFormat("wo-%04d", i),
                  absl::StrFormat(round % 2 == 0 ? "b%04d" : "a%04d", i));
      }
    }
  });
  for (int scan = 0; scan < 50; ++scan) {
    std::vector<std::string> seen = All(index);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
    // Orders never moved (i % 7 != 0) are always there exactly once.
    int unmoved = 0;
    for (const std::string& k : seen) {
      if (std::stoi(k.substr(1)) % 7 != 0) ++unmoved;
    }
    CHECK(unmoved == 2000 - 286);
  }
  stop = true;
  writer.join();
  CHECK(index.size() == 2000);
}

}  // namespace
}  // namespace gridwork::workorder
