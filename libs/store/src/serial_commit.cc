#include "gridwork/store/serial_commit.h"

#include <utility>
#include <vector>

#include "gridwork/core/status_macros.h"

namespace gridwork::store {

FeedConsumer::BatchHandler SerialCommit::Wrap(std::string consumer_name,
                                              FeedConsumer::BatchHandler handler,
                                              std::function<void()> after_commit) {
  return [this, name = std::move(consumer_name), handler = std::move(handler),
          after_commit = std::move(after_commit)](const std::vector<FeedEvent>& events,
                                                  WriteRequest&) -> absl::Status {
    absl::MutexLock lock(&mu_);
    GW_ASSIGN_OR_RETURN(uint64_t cursor, db_->GetCursor(name));
    std::vector<FeedEvent> fresh;
    for (const FeedEvent& e : events) {
      if (e.sequence() > cursor) fresh.push_back(e);
    }
    if (fresh.empty()) return absl::OkStatus();
    WriteRequest write;
    GW_RETURN_IF_ERROR(handler(fresh, write));
    write.SetCursor(name, fresh.back().sequence());
    GW_RETURN_IF_ERROR(db_->Commit(std::move(write)).status());
    if (after_commit) after_commit();
    return absl::OkStatus();
  };
}

}  // namespace gridwork::store
