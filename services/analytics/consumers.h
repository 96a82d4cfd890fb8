// The four feed consumers of analytics, as one restartable set (Rebuild stops them, drops the
// aggregates and starts a fresh set that replays from the first retained events).
//
// Order: the geofence consumer (reference data: grids, bindings, key points) starts first; the
// others start once it has caught up with the geofence feed as it was when it connected (or
// after `reference_wait`, logged). Fixes and reports are joined with bindings and grids when
// they are applied, so a replay from scratch (new instance, Rebuild) must see the reference
// data first to reach the same aggregates as the instance that followed the feeds live.
//
// Location is worker-keyed: with a routing file there is one location consumer per worker
// shard ("analytics<-location/w0", ...). Their batches are applied one at a time
// (store::SerialCommit): they add to the same per-grid counters, and Ingest keeps one pending
// live delta per source. The other three feeds come from this district's own shard.
//
// Thread safety: all methods are thread-safe; Restart and Stop serialise with each other.
#ifndef GRIDWORK_SERVICES_ANALYTICS_CONSUMERS_H_
#define GRIDWORK_SERVICES_ANALYTICS_CONSUMERS_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gridwork/analytics/v1/analytics.pb.h"
#include "gridwork/service/sharding.h"
#include "gridwork/store/feed_consumer.h"
#include "gridwork/store/serial_commit.h"
#include "services/analytics/ingest.h"

namespace gridwork::analytics {

struct PeerAddresses {
  // Every location feed to follow: one per worker shard, or the one unsharded feed.
  std::vector<service::FeedSource> location;
  std::string geofence;
  std::string workorder;
  std::string inspection;  // each may be empty: that feed is then not consumed
};

class ConsumerSet {
 public:
  // `base` supplies add_metadata, deadlines and backoff; types and on_committed are set here.
  ConsumerSet(store::Db* db, Ingest* ingest, PeerAddresses peers, store::FeedConsumerOptions base,
              absl::Duration reference_wait = absl::Seconds(120));
  ~ConsumerSet();

  void Start();
  void Stop();
  // Stop, run `between` (with every consumer stopped), then start a fresh set.
  absl::Status Restart(const std::function<absl::Status()>& between);

  std::vector<v1::ConsumerProgress> Progress() const;
  // The running consumers (for ConsumerMetrics); valid until the next Restart.
  std::vector<const store::FeedConsumer*> consumers() const;
  // The cursor names of every consumer the set runs (fixed at construction; no lock taken,
  // so callable from inside Restart's `between`).
  const std::vector<std::string>& cursor_names() const { return cursor_names_; }

 private:
  void Build() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts the geofence consumer now and the others from a thread once it caught up.
  void StartOrdered() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Stops every consumer and the starter thread.
  void StopAll() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  store::Db* db_;
  Ingest* ingest_;
  const PeerAddresses peers_;
  std::vector<std::string> cursor_names_;
  // Serialises the location consumers' batches (see the file comment).
  store::SerialCommit location_serial_;
  const store::FeedConsumerOptions base_;
  const absl::Duration reference_wait_;
  mutable absl::Mutex mu_;
  std::thread starter_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> stop_starter_{false};
  std::vector<std::unique_ptr<store::FeedConsumer>> consumers_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_CONSUMERS_H_
