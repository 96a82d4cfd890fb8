// SerialCommit: several FeedConsumers whose handlers read-modify-write the same keys apply
// their batches one at a time (analytics' counters fed by every location shard; location's
// current grid fed by every geofence shard).
//
//   SerialCommit serial(db);
//   for (const auto& shard : shards) {
//     consumers.push_back(std::make_unique<FeedConsumer>(
//         db, channel_of(shard), name_of(shard),
//         serial.Wrap(name_of(shard), handler, /*after_commit=*/publish)));
//   }
//
// A FeedConsumer's handler reads the Db and the consumer commits afterwards, which is safe
// only while ONE consumer writes a key (feed_consumer.h). A wrapped handler instead, holding
// one mutex shared by every handler of this SerialCommit:
//   1. drops the events at or below the consumer's stored cursor (the batch, or part of it,
//      was committed by an earlier call whose result the consumer did not see);
//   2. runs the inner handler into its own WriteRequest, adds SetCursor(name, last sequence);
//   3. commits it, then calls after_commit (publish in-memory state derived from the batch).
// The consumer's own commit afterwards only repeats the cursor. Effects and cursor still move
// together, so the exactly-once argument of feed_consumer.h holds per consumer.
//
// Thread safety: Wrap and the returned handlers may be called from any thread. The
// SerialCommit must outlive every consumer that runs a handler it returned.
#ifndef GRIDWORK_STORE_SERIAL_COMMIT_H_
#define GRIDWORK_STORE_SERIAL_COMMIT_H_

#include <functional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "gridwork/store/db.h"
#include "gridwork/store/feed_consumer.h"

namespace gridwork::store {

class SerialCommit {
 public:
  // REQUIRES: db non-null and outliving this object.
  explicit SerialCommit(Db* db) : db_(db) {}
  SerialCommit(const SerialCommit&) = delete;
  SerialCommit& operator=(const SerialCommit&) = delete;

  // The handler for consumer `consumer_name` (the same name the FeedConsumer gets).
  // `after_commit` (may be null) runs under the mutex after a successful commit only.
  FeedConsumer::BatchHandler Wrap(std::string consumer_name, FeedConsumer::BatchHandler handler,
                                  std::function<void()> after_commit = nullptr);

 private:
  Db* const db_;
  absl::Mutex mu_;
};

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_SERIAL_COMMIT_H_
