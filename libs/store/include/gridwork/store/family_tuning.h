// Memtable layouts for column families by how their keys are read (ColumnFamilySpec::tune).
//
// Thread safety: pure functions of the options they are given.
#ifndef GRIDWORK_STORE_FAMILY_TUNING_H_
#define GRIDWORK_STORE_FAMILY_TUNING_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace rocksdb {
struct ColumnFamilyOptions;
}  // namespace rocksdb

namespace gridwork::store {

// For a family whose keys are written in random order and read whole (Db::Get), e.g. records
// by id: its memtable hashes each key to a bucket holding a short skiplist of that key's
// versions, instead of one skiplist of every key. An insert then touches a bucket and a few
// nodes rather than searching ~log n nodes spread over the memtable's arena, which misses the
// cache at almost every step (docs/store.md, Memtables; docs/benchmarks.md has the figures).
//
// Scans of such a family (Db::ScanRange, ScanPrefix) still return every key in order, but each
// one first copies and sorts the family's memtables: keep them to rare work (admin, trims).
// These memtables take one insert at a time: every Db opens with
// allow_concurrent_memtable_write = false (its commit head is the only regular writer).
// Sizes the hash for cf->write_buffer_size: call it after that is set (ColumnFamilySpec::tune
// runs after the store's defaults).
void TuneForPointLookups(rocksdb::ColumnFamilyOptions* cf);

// For a family whose keys start with a string component (KeyBuilder().String(group)...) and
// which is read one group at a time, in key order: Db::ScanPrefix with exactly one whole first
// component, e.g. the history of one order. Its memtable hashes keys by that component, each
// bucket a skiplist of one group's keys, and such a scan reads just that bucket. Any other scan
// still returns every key in order but first copies and sorts the family's memtables (rare
// work only), as for TuneForPointLookups. Sizes the hash for cf->write_buffer_size.
void TuneForScansByFirstComponent(rocksdb::ColumnFamilyOptions* cf);

// Whether `cf` was tuned by TuneForScansByFirstComponent (the store reads it at Open).
bool ScansByFirstComponent(const rocksdb::ColumnFamilyOptions& cf);

// Length of the string component (key_codec.h) `key` starts with, terminator included; 0 if
// it does not start with a well-formed one.
size_t FirstComponentLength(absl::string_view key);

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_FAMILY_TUNING_H_
