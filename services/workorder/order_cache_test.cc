#include "services/workorder/order_cache.h"

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"

namespace gridwork::workorder {
namespace {

std::shared_ptr<const v1::WorkOrder> Order(const std::string& id, uint64_t version) {
  auto o = std::make_shared<v1::WorkOrder>();
  o->set_id(id);
  o->set_version(version);
  return o;
}

TEST_CASE("order cache: a put replaces, an erase forgets") {
  OrderCache cache(100);
  CHECK(cache.Get("wo-1") == nullptr);
  cache.Put(Order("wo-1", 3));
  auto held = cache.Get("wo-1");
  cache.Put(Order("wo-1", 4));
  REQUIRE(cache.Get("wo-1") != nullptr);
  CHECK(cache.Get("wo-1")->version() == 4);
  CHECK(held->version() == 3);  // a reader's snapshot stays as it was
  cache.Erase("wo-1");
  CHECK(cache.Get("wo-1") == nullptr);
  CHECK(cache.size() == 0);
}

TEST_CASE("order cache: never holds more than its capacity") {
  OrderCache cache(64);
  for (int i = 0; i < 1000; ++i) cache.Put(Order(absl::StrCat("wo-", i), 1));
  CHECK(cache.size() <= 64);
  CHECK(cache.size() >= 16);  // each of the 16 shards keeps its share
  // The latest put is always kept.
  CHECK(cache.Get("wo-999") != nullptr);
}

TEST_CASE("order cache: capacity 0 keeps nothing") {
  OrderCache cache(0);
  cache.Put(Order("wo-1", 1));
  CHECK(cache.Get("wo-1") == nullptr);
  CHECK(cache.size() == 0);
}

}  // namespace
}  // namespace gridwork::workorder
