#include "gridwork/service/store_metrics.h"

namespace gridwork::service {
namespace {

prometheus::Gauge& OneGauge(prometheus::Registry* r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*r).Add({});
}

}  // namespace

StoreMetrics::StoreMetrics(prometheus::Registry* registry, store::Db* db, absl::Duration period)
    : db_(db),
      write_stopped_(OneGauge(registry, "gridwork_store_write_stopped",
                              "1 while RocksDB stops all writes (write stall), else 0.")),
      delayed_write_rate_(OneGauge(registry, "gridwork_store_delayed_write_rate_bytes",
                                   "RocksDB's delayed write rate in bytes/s while it slows "
                                   "writes down; 0 when writes are not delayed.")),
      pending_compaction_(OneGauge(registry, "gridwork_store_pending_compaction_bytes",
                                   "Estimated bytes compaction still has to rewrite, all "
                                   "column families.")),
      wal_bytes_(OneGauge(registry, "gridwork_store_wal_bytes",
                          "Bytes of write-ahead log on disk: what a restart replays. Bounded "
                          "by the store's max_wal_bytes (1 GiB).")),
      task_(period, [this] { Sample(); }) {}

void StoreMetrics::Sample() {
  // A closed store (shutdown) reports nothing new: the gauges keep their last values.
  if (auto v = db_->IntProperty("rocksdb.is-write-stopped")) write_stopped_.Set(*v);
  // 0 = no delay (RocksDB's own convention for this property).
  if (auto v = db_->IntProperty("rocksdb.actual-delayed-write-rate")) delayed_write_rate_.Set(*v);
  if (auto v = db_->IntProperty("rocksdb.estimate-pending-compaction-bytes", true)) {
    pending_compaction_.Set(*v);
  }
  if (auto v = db_->WalBytes()) wal_bytes_.Set(static_cast<double>(*v));
}

ConsumerMetrics::ConsumerMetrics(prometheus::Registry* registry,
                                 std::vector<const store::FeedConsumer*> consumers,
                                 absl::Duration period)
    : entries_([&] {
        auto& lag = prometheus::BuildGauge()
                        .Name("gridwork_feed_consumer_lag_events")
                        .Help("Events a feed consumer is behind its peer's feed (0 = caught up).")
                        .Register(*registry);
        auto& connected = prometheus::BuildGauge()
                              .Name("gridwork_feed_consumer_connected")
                              .Help("1 while the consumer's Watch stream to its peer is open.")
                              .Register(*registry);
        std::vector<Entry> entries;
        for (const store::FeedConsumer* c : consumers) {
          if (c == nullptr) continue;
          entries.push_back({c, &lag.Add({{"consumer", c->name()}}),
                             &connected.Add({{"consumer", c->name()}})});
        }
        return entries;
      }()),
      task_(period, [this] {
        for (const Entry& e : entries_) {
          e.lag->Set(static_cast<double>(e.consumer->lag()));
          e.connected->Set(e.consumer->connected() ? 1 : 0);
        }
      }) {}

}  // namespace gridwork::service
