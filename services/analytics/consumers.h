// The four feed consumers of analytics, as one restartable set (Rebuild stops them, drops the
// aggregates and starts a fresh set that replays from the first retained events).
//
// Thread safety: all methods are thread-safe; Restart and Stop serialise with each other.
#ifndef GRIDWORK_SERVICES_ANALYTICS_CONSUMERS_H_
#define GRIDWORK_SERVICES_ANALYTICS_CONSUMERS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gridwork/analytics/v1/analytics.pb.h"
#include "gridwork/store/feed_consumer.h"
#include "services/analytics/ingest.h"

namespace gridwork::analytics {

struct PeerAddresses {
  std::string location;
  std::string geofence;
  std::string workorder;
  std::string inspection;  // each may be empty: that feed is then not consumed
};

class ConsumerSet {
 public:
  // `base` supplies add_metadata, deadlines and backoff; types and on_committed are set here.
  ConsumerSet(store::Db* db, Ingest* ingest, PeerAddresses peers, store::FeedConsumerOptions base);
  ~ConsumerSet();

  void Start();
  void Stop();
  // Stop, run `between` (with every consumer stopped), then start a fresh set.
  absl::Status Restart(const std::function<absl::Status()>& between);

  std::vector<v1::ConsumerProgress> Progress() const;
  // The running consumers (for ConsumerMetrics); valid until the next Restart.
  std::vector<const store::FeedConsumer*> consumers() const;

 private:
  void Build() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  store::Db* db_;
  Ingest* ingest_;
  const PeerAddresses peers_;
  const store::FeedConsumerOptions base_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<store::FeedConsumer>> consumers_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_CONSUMERS_H_
