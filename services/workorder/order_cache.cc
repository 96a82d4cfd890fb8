#include "services/workorder/order_cache.h"

#include <utility>

#include "absl/hash/hash.h"

namespace gridwork::workorder {

OrderCache::OrderCache(size_t capacity) : per_shard_((capacity + kShards - 1) / kShards) {}

OrderCache::Shard& OrderCache::ShardOf(const std::string& order_id) const {
  return shards_[absl::HashOf(order_id) % kShards];
}

std::shared_ptr<const v1::WorkOrder> OrderCache::Get(const std::string& order_id) const {
  if (per_shard_ == 0) return nullptr;
  Shard& shard = ShardOf(order_id);
  absl::MutexLock l(&shard.mu);
  auto it = shard.orders.find(order_id);
  return it == shard.orders.end() ? nullptr : it->second;
}

void OrderCache::Put(std::shared_ptr<const v1::WorkOrder> order) {
  if (per_shard_ == 0 || order == nullptr) return;
  Shard& shard = ShardOf(order->id());
  absl::MutexLock l(&shard.mu);
  auto it = shard.orders.find(order->id());
  if (it != shard.orders.end()) {
    it->second = std::move(order);
    return;
  }
  if (shard.orders.size() >= per_shard_) shard.orders.erase(shard.orders.begin());
  const std::string id = order->id();
  shard.orders.emplace(id, std::move(order));
}

void OrderCache::Erase(const std::string& order_id) {
  if (per_shard_ == 0) return;
  Shard& shard = ShardOf(order_id);
  absl::MutexLock l(&shard.mu);
  shard.orders.erase(order_id);
}

size_t OrderCache::size() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    absl::MutexLock l(&shard.mu);
    n += shard.orders.size();
  }
  return n;
}

}  // namespace gridwork::workorder
