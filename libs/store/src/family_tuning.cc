#include "gridwork/store/family_tuning.h"

#include <algorithm>
#include <cstddef>

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

}  // namespace

void TuneForPointLookups(rocksdb::ColumnFamilyOptions* cf) {
  // The hash covers the whole key: a "prefix" that is the key itself. Bloom filters built
  // from it in SST files equal the whole-key filters the store builds anyway.
  cf->prefix_extractor.reset(rocksdb::NewNoopTransform());
  cf->memtable_factory.reset(rocksdb::NewHashSkipListRepFactory(BucketsFor(cf->write_buffer_size)));
}

}  // namespace gridwork::store
