// Health of a service's store and of its feed consumers on /metrics, for the alerts in
// deploy/prometheus/rules/ (write stalls, feed lag). Sampled every `period` on its own thread:
//
//   gridwork_store_write_stopped                 1 while RocksDB stops all writes, else 0
//   gridwork_store_delayed_write_rate_bytes      RocksDB's delayed write rate (0 = no slowdown)
//   gridwork_store_pending_compaction_bytes      estimated bytes compaction still has to rewrite
//   gridwork_store_wal_bytes                     write-ahead log on disk (what a restart replays)
//   gridwork_feed_consumer_lag_events{consumer}  events a consumer is behind its peer's feed
//   gridwork_feed_consumer_connected{consumer}   1 while its Watch stream is open
//
//   StoreMetrics store_metrics(metrics->registry(), db);             // ServeUntilShutdown does it
//   ConsumerMetrics consumer_metrics(metrics->registry(), {&consumer});  // after the consumer
//
// REQUIRES: the registry, db and consumers outlive the object (declare it after them).
#ifndef GRIDWORK_SERVICE_STORE_METRICS_H_
#define GRIDWORK_SERVICE_STORE_METRICS_H_

#include <vector>

#include "absl/time/time.h"
#include "gridwork/service/periodic_task.h"
#include "gridwork/store/db.h"
#include "gridwork/store/feed_consumer.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace gridwork::service {

class StoreMetrics {
 public:
  StoreMetrics(prometheus::Registry* registry, store::Db* db,
               absl::Duration period = absl::Seconds(5));
  StoreMetrics(const StoreMetrics&) = delete;
  StoreMetrics& operator=(const StoreMetrics&) = delete;
  // Stops sampling (before the store closes). Idempotent.
  void Stop() { task_.Stop(); }

 private:
  void Sample();

  store::Db* const db_;
  prometheus::Gauge& write_stopped_;
  prometheus::Gauge& delayed_write_rate_;
  prometheus::Gauge& pending_compaction_;
  prometheus::Gauge& wal_bytes_;
  PeriodicTask task_;  // last: starts after the gauges exist
};

class ConsumerMetrics {
 public:
  // Null entries (consumers a flag left out) are skipped.
  ConsumerMetrics(prometheus::Registry* registry,
                  std::vector<const store::FeedConsumer*> consumers,
                  absl::Duration period = absl::Seconds(5));
  ConsumerMetrics(const ConsumerMetrics&) = delete;
  ConsumerMetrics& operator=(const ConsumerMetrics&) = delete;

 private:
  struct Entry {
    const store::FeedConsumer* consumer;
    prometheus::Gauge* lag;
    prometheus::Gauge* connected;
  };
  std::vector<Entry> entries_;
  PeriodicTask task_;  // last
};

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_STORE_METRICS_H_
