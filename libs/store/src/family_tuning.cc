#include "gridwork/store/family_tuning.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/string_view.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"

namespace gridwork::store {
namespace {

// Buckets per memtable: one per KiB of write buffer, at most 65,536 (a 64 MB memtable of ~1 KB
// records holds ~60,000 keys, so most buckets hold one key). The bucket array (8 bytes per
// bucket) is taken from the memtable's own arena and counts against its write buffer, so it
// must stay a small part of it: RocksDB refuses a memtable that starts out full.
size_t BucketsFor(size_t write_buffer_size) {
  return std::clamp<size_t>(write_buffer_size / 1024, 64, 1 << 16);
}

// Prefix = the key's first string component with its terminator, or the whole key if it
// does not start with one. Transform(Transform(k)) == Transform(k), as RocksDB requires.
class FirstStringComponent : public rocksdb::SliceTransform {
 public:
  static constexpr char kName[] = "gridwork.FirstStringComponent";
  const char* Name() const override { return kName; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const size_t n = FirstComponentLength(absl::string_view(key.data(), key.size()));
    return n == 0 ? key : rocksdb::Slice(key.data(), n);
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

// A hashed memtable: `extractor` maps each key to its bucket.
void UseHashedMemtable(rocksdb::ColumnFamilyOptions* cf,
                       std::shared_ptr<const rocksdb::SliceTransform> extractor) {
  cf->prefix_extractor = std::move(extractor);
  cf->memtable_factory.reset(rocksdb::NewHashSkipListRepFactory(BucketsFor(cf->write_buffer_size)));
}

}  // namespace

size_t FirstComponentLength(absl::string_view key) {
  // key_codec.h: inside a component 0x00 is escaped as 0x00 0xFF; 0x00 0x01 ends it.
  size_t i = 0;
  while (i < key.size()) {
    const void* hit = std::memchr(key.data() + i, 0, key.size() - i);
    if (hit == nullptr) return 0;
    i = static_cast<size_t>(static_cast<const char*>(hit) - key.data());
    if (i + 1 >= key.size()) return 0;
    if (key[i + 1] == '\x01') return i + 2;
    if (key[i + 1] != '\xff') return 0;  // not a string component
    i += 2;
  }
  return 0;
}

void TuneForScansByFirstComponent(rocksdb::ColumnFamilyOptions* cf) {
  UseHashedMemtable(cf, std::make_shared<FirstStringComponent>());
}

bool ScansByFirstComponent(const rocksdb::ColumnFamilyOptions& cf) {
  return cf.prefix_extractor != nullptr &&
         std::strcmp(cf.prefix_extractor->Name(), FirstStringComponent::kName) == 0;
}

void TuneForPointLookups(rocksdb::ColumnFamilyOptions* cf) {
  // The hash covers the whole key: a "prefix" that is the key itself. Bloom filters built
  // from it in SST files equal the whole-key filters the store builds anyway.
  UseHashedMemtable(cf,
                    std::shared_ptr<const rocksdb::SliceTransform>(rocksdb::NewNoopTransform()));
}

}  // namespace gridwork::store
