// Db: open, close, family registry, point reads, scans, checkpoints.
#include "gridwork/store/db.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "db_rep.h"
#include "gridwork/core/log.h"
#include "gridwork/store/family_tuning.h"
#include "gridwork/store/key_codec.h"
#include "layout.h"
#include "rocksdb/cache.h"
#include "rocksdb/convenience.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb_status.h"

namespace gridwork::store {
namespace {

// The store's own families, always present (families.h).
std::vector<ColumnFamilySpec> BuiltinFamilies() {
  return {
      {std::string(rocksdb::kDefaultColumnFamilyName), "RocksDB default family (unused)"},
      {std::string(kEventsFamily), "feed outbox: sequence (u64 BE) -> FeedEvent"},
      {std::string(kIdempotencyFamily),
       "(scope, request_id) -> fingerprint, first response, created",
       // Read by Get only (TrimIdempotency's scan aside). Nearly every lookup is a miss (a
       // new request id): a whole-key bloom filter on the memtable answers those at once.
       [](rocksdb::ColumnFamilyOptions* cf) {
         TuneForPointLookups(cf);
         cf->memtable_prefix_bloom_size_ratio = 0.05;
         cf->memtable_whole_key_filtering = true;
       }},
      {std::string(kCursorsFamily), "consumer name -> last applied peer sequence (u64 BE)"},
      {std::string(kMetaFamily), "store bookkeeping, e.g. feed.first_retained"},
      {std::string(kDeadLettersFamily),
       "(consumer, sequence) -> handler error + FeedEvent a consumer gave up on"},
  };
}

rocksdb::CompressionType PickCompression() {
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  for (auto want : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
    if (std::find(supported.begin(), supported.end(), want) != supported.end()) return want;
  }
  return rocksdb::kNoCompression;
}

rocksdb::ColumnFamilyOptions FamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.compression = PickCompression();
  cf.level_compaction_dynamic_level_bytes = true;
  return cf;
}

}  // namespace

Db::Db(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

Db::~Db() {
  absl::Status s = Close();
  if (!s.ok()) log::Error("store close failed", {{"error", s.ToString()}});
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(DbOptions options,
                                             std::vector<ColumnFamilySpec> families) {
  if (options.path.empty()) return absl::InvalidArgumentError("DbOptions.path is empty");
  if (options.clock == nullptr) options.clock = Clock::Real();
  if (options.max_group_size < 1) options.max_group_size = 1;

  auto rep = std::make_unique<Rep>();
  rep->specs = BuiltinFamilies();
  for (uint32_t i = 0; i < rep->specs.size(); ++i) rep->by_name[rep->specs[i].name] = i;
  for (ColumnFamilySpec& spec : families) {
    if (spec.name.empty()) return absl::InvalidArgumentError("column family name is empty");
    if (rep->by_name.contains(spec.name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "column family \"", spec.name, "\" is registered twice or reserved by the store"));
    }
    rep->by_name[spec.name] = static_cast<uint32_t>(rep->specs.size());
    rep->specs.push_back(std::move(spec));
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_open_files = options.max_open_files;
  db_options.max_background_jobs = 2;
  // Only one thread writes memtables at a time anyway (the commit head; trims use their own
  // writes, which RocksDB then applies in turn), and the hashed memtables of family_tuning.h
  // cannot take concurrent inserts.
  db_options.allow_concurrent_memtable_write = false;
  db_options.keep_log_file_num = 10;
  db_options.max_total_wal_size = options.max_wal_bytes;
  // Pipelined sync: the head only appends to RocksDB's WAL buffer and the syncer writes it
  // out with its fsync (commit.cc, SyncLoop), one write() per fsync instead of one per group.
  db_options.manual_wal_flush = options.sync && options.pipelined_sync;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.listeners.push_back(rep->NewWritabilityListener());
  // Fault-test knob (docs/reliability.md): tiny memtables make flushes and compactions run
  // all the time under load, and each compaction's start and end is logged (the listener), so
  // a test can kill the process while a compaction runs. Not for production.
  size_t write_buffer_bytes = 0;
  if (const char* env = std::getenv("GRIDWORK_STORE_WRITE_BUFFER_BYTES")) {
    write_buffer_bytes = static_cast<size_t>(std::strtoull(env, nullptr, 10));
    if (write_buffer_bytes > 0) {
      rep->log_compactions = true;
      log::Warning("store: small memtables for fault testing",
                   {{"path", options.path},
                    {"write_buffer_bytes", static_cast<int64_t>(write_buffer_bytes)}});
    }
  }

  // Never fail to open an existing database: open every family found on disk.
  std::vector<std::string> on_disk;
  rocksdb::Status ls = rocksdb::DB::ListColumnFamilies(db_options, options.path, &on_disk);
  if (ls.ok()) {
    for (const std::string& name : on_disk) {
      if (rep->by_name.contains(name)) continue;
      rep->by_name[name] = static_cast<uint32_t>(rep->specs.size());
      rep->specs.push_back({name, "(found on disk, not registered by this binary)"});
      log::Warning("store: opening unregistered column family",
                   {{"path", options.path}, {"family", name}});
    }
  } else if (!options.create_if_missing) {
    return absl::NotFoundError(absl::StrCat("no database at ", options.path, ": ", ls.ToString()));
  }

  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const ColumnFamilySpec& spec : rep->specs) {
    rocksdb::ColumnFamilyOptions cf = FamilyOptions(cache);
    if (write_buffer_bytes > 0) cf.write_buffer_size = write_buffer_bytes;
    if (spec.tune) spec.tune(&cf);
    rep->scans_by_first_component.push_back(ScansByFirstComponent(cf));
    descriptors.emplace_back(spec.name, std::move(cf));
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, descriptors, &rep->handles, &raw);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("open ", options.path));
  rep->db.reset(raw);
  rep->options = std::move(options);
  // From here on ~Db releases the handles and closes RocksDB on every error path.
  std::unique_ptr<Db> db(new Db(std::move(rep)));
  if (absl::Status r = db->Recover(); !r.ok()) return r;
  if (db->rep_->pipelined()) {
    db->rep_->syncer = std::thread([d = db.get()] { d->SyncLoop(); });
  }
  return db;
}

absl::Status Db::Recover() {
  Rep* rep = rep_.get();
  auto handle = [&](absl::string_view name) { return rep->handles[rep->by_name.at(name)]; };
  rep->events = handle(kEventsFamily);
  rep->idempotency = handle(kIdempotencyFamily);
  rep->cursors = handle(kCursorsFamily);
  rep->meta = handle(kMetaFamily);
  rep->dead_letters = handle(kDeadLettersFamily);

  // Recover the feed position: last sequence from the last event key, first retained from
  // "meta" (if everything was trimmed, the last sequence is first_retained - 1).
  uint64_t first_retained = 1;
  std::string value;
  rocksdb::Status s =
      rep->db->Get(rocksdb::ReadOptions(), rep->meta, layout::kMetaFirstRetained, &value);
  if (s.ok()) {
    if (!DecodeFixed64BE(value, &first_retained) || first_retained == 0) {
      return absl::DataLossError("meta feed.first_retained is malformed");
    }
  } else if (!s.IsNotFound()) {
    return FromRocksDb(s, "read meta");
  }
  uint64_t last = first_retained - 1;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        rep->db->NewIterator(rocksdb::ReadOptions(), rep->events));
    it->SeekToLast();
    if (it->Valid()) {
      uint64_t seq;
      if (!layout::ParseEventKey(View(it->key()), &seq)) {
        return absl::DataLossError("events family holds a malformed key");
      }
      last = std::max(last, seq);
    }
    if (!it->status().ok()) return FromRocksDb(it->status(), "scan events");
  }
  {
    absl::MutexLock l(&rep->mu);
    rep->first_retained = first_retained;
    rep->last_sequence = last;
  }
  log::Info("store opened", {{"path", rep->options.path},
                             {"families", static_cast<int64_t>(rep->specs.size())},
                             {"last_sequence", last},
                             {"first_retained", first_retained},
                             {"sync", rep->options.sync}});
  return absl::OkStatus();
}

absl::Status Db::Close() {
  {
    absl::MutexLock l(&rep_->mu);
    rep_->shutdown = true;
    rep_->events_cv.SignalAll();
  }
  {
    absl::MutexLock l(&rep_->life_mu);
    if (rep_->db == nullptr) return absl::OkStatus();
    rep_->closing.store(true);
    // A call leaving while closing signals (OpGuard::Leave); the timeout covers a call that
    // read `closing` just before it was set and left without a signal.
    while (rep_->active.load() != 0)
      rep_->life_cv.WaitWithTimeout(&rep_->life_mu, absl::Milliseconds(5));
  }
  // No commit is in progress, so no group waits for an fsync: stop the syncer.
  if (rep_->syncer.joinable()) {
    {
      absl::MutexLock l(&rep_->mu);
      rep_->stop_syncer = true;
      rep_->sync_cv.Signal();
    }
    rep_->syncer.join();
  }
  absl::Status result;
  for (rocksdb::ColumnFamilyHandle* h : rep_->handles) {
    rocksdb::Status s = rep_->db->DestroyColumnFamilyHandle(h);
    if (!s.ok() && result.ok()) result = FromRocksDb(s, "destroy family handle");
  }
  rep_->handles.clear();
  rocksdb::Status s = rep_->db->Close();
  if (!s.ok() && result.ok()) result = FromRocksDb(s, "close");
  absl::MutexLock l(&rep_->life_mu);
  rep_->db.reset();
  return result;
}

absl::StatusOr<FamilyHandle> Db::Family(absl::string_view name) const {
  auto it = rep_->by_name.find(name);
  if (it == rep_->by_name.end()) {
    std::vector<std::string> known;
    for (const ColumnFamilySpec& s : rep_->specs) known.push_back(s.name);
    return absl::NotFoundError(
        absl::StrCat("column family \"", name,
                     "\" is not registered; known families: ", absl::StrJoin(known, ", ")));
  }
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  return FamilyHandle(rep_->handles[it->second], it->second);
}

std::vector<ColumnFamilySpec> Db::Families() const { return rep_->specs; }

absl::Status Db::CheckHandle(const FamilyHandle& family) const {
  if (!family.valid() || family.index() >= rep_->handles.size() ||
      rep_->handles[family.index()] != family.rep_) {
    return absl::InvalidArgumentError("family handle does not belong to this store");
  }
  return absl::OkStatus();
}

absl::Status Db::CheckWritable(const FamilyHandle& family) const {
  if (absl::Status s = CheckHandle(family); !s.ok()) return s;
  rocksdb::ColumnFamilyHandle* h = family.rep_;
  if (h == rep_->events || h == rep_->idempotency || h == rep_->cursors ||
      h == rep_->dead_letters) {
    return absl::InvalidArgumentError(
        absl::StrCat("family \"", rep_->specs[family.index()].name,
                     "\" is written only through AppendEvent / RecordIdempotency / SetCursor"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Db::Get(const FamilyHandle& family, absl::string_view key) const {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  if (absl::Status s = CheckHandle(family); !s.ok()) return s;
  std::string value;
  rocksdb::Status s = rep_->db->Get(rocksdb::ReadOptions(), family.rep_,
                                    rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(
        absl::StrCat("key not found in family \"", rep_->specs[family.index()].name, "\""));
  }
  if (!s.ok()) return FromRocksDb(s, "get");
  return value;
}

absl::Status Db::ScanRange(const FamilyHandle& family, absl::string_view start,
                           absl::string_view limit, const ScanFn& fn) const {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  if (absl::Status s = CheckHandle(family); !s.ok()) return s;
  rocksdb::ReadOptions ro;
  if (rep_->scans_by_first_component[family.index()] && !start.empty() &&
      FirstComponentLength(start) == start.size() && limit == PrefixSuccessor(start)) {
    // Every key in the range starts with one whole first component, so it is in one hash
    // bucket of the memtable (and one prefix of the table files' filters).
    ro.prefix_same_as_start = true;
  } else {
    // Key order across the whole family even where a prefix extractor is set (the hashed
    // memtables of family_tuning.h), not only within the start key's prefix.
    ro.total_order_seek = true;
  }
  rocksdb::Slice upper(limit.data(), limit.size());
  if (!limit.empty()) ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(ro, family.rep_));
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid(); it->Next()) {
    if (!fn(View(it->key()), View(it->value()))) break;
  }
  return FromRocksDb(it->status(), "scan");
}

absl::Status Db::ScanPrefix(const FamilyHandle& family, absl::string_view prefix,
                            const ScanFn& fn) const {
  return ScanRange(family, prefix, PrefixSuccessor(prefix), fn);
}

absl::Status Db::Checkpoint(const std::string& dir) {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return guard.status();
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(rep_->db.get(), &raw);
  if (!s.ok()) return FromRocksDb(s, "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  s = cp->CreateCheckpoint(dir);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("checkpoint to ", dir));
  log::Info("store checkpoint written", {{"dir", dir}});
  return absl::OkStatus();
}

DbStats Db::Stats() const {
  DbStats s;
  s.commits = rep_->commits.load();
  s.failed_commits = rep_->failed_commits.load();
  s.syncs = rep_->syncs.load();
  s.writes = rep_->writes.load();
  s.max_group_size = rep_->max_group_size.load();
  return s;
}

const DbOptions& Db::options() const { return rep_->options; }

std::optional<uint64_t> Db::IntProperty(const std::string& name, bool all_families) const {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return std::nullopt;
  uint64_t value = 0;
  const bool known = all_families ? rep_->db->GetAggregatedIntProperty(name, &value)
                                  : rep_->db->GetIntProperty(name, &value);
  if (!known) return std::nullopt;
  return value;
}

std::optional<uint64_t> Db::WalBytes() const {
  OpGuard guard(rep_.get());
  if (!guard.status().ok()) return std::nullopt;
  rocksdb::VectorLogPtr files;
  if (!rep_->db->GetSortedWalFiles(files).ok()) return std::nullopt;
  uint64_t total = 0;
  for (const std::unique_ptr<rocksdb::LogFile>& f : files) total += f->SizeFileBytes();
  return total;
}

}  // namespace gridwork::store
