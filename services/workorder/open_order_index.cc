#include "services/workorder/open_order_index.h"

#include <utility>
#include <vector>

namespace gridwork::workorder {
namespace {

// Keys copied per lock hold during a scan: small enough that a writer waits microseconds.
constexpr size_t kScanChunk = 256;

}  // namespace

void OpenOrderIndex::Set(const std::string& order_id, std::string key) {
  absl::MutexLock lock(&mu_);
  auto it = key_of_.find(order_id);
  if (it != key_of_.end()) {
    if (it->second == key) return;
    keys_.erase(it->second);
    if (key.empty()) {
      key_of_.erase(it);
      return;
    }
    it->second = key;
  } else {
    if (key.empty()) return;
    key_of_.emplace(order_id, key);
  }
  keys_.insert(std::move(key));
}

void OpenOrderIndex::Scan(const std::string& start, const std::string& limit,
                          const std::function<bool(const std::string& key)>& fn) const {
  std::vector<std::string> chunk;
  std::string after;  // the last key visited; the next chunk starts strictly after it
  bool first = true;
  while (true) {
    chunk.clear();
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = first ? keys_.lower_bound(start) : keys_.upper_bound(after);
      for (; it != keys_.end() && chunk.size() < kScanChunk; ++it) {
        if (!limit.empty() && *it >= limit) break;
        chunk.push_back(*it);
      }
    }
    first = false;
    for (const std::string& key : chunk) {
      if (!fn(key)) return;
    }
    if (chunk.size() < kScanChunk) return;
    after = std::move(chunk.back());
  }
}

size_t OpenOrderIndex::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return key_of_.size();
}

}  // namespace gridwork::workorder
