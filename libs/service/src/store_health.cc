#include "gridwork/service/store_health.h"

#include <utility>

#include "gridwork/core/log.h"

namespace gridwork::service {

StoreHealthWatch::StoreHealthWatch(prometheus::Registry* registry, store::Db* db,
                                   rpc::ServiceServer* server, std::string data_dir,
                                   absl::Duration period)
    : db_(db),
      server_(server),
      data_dir_(std::move(data_dir)),
      writable_(prometheus::BuildGauge()
                    .Name("gridwork_store_writable")
                    .Help("1 while the service's store accepts writes; 0 while it refuses them "
                          "(disk full, read-only file system, RocksDB I/O error).")
                    .Register(*registry)
                    .Add({})),
      task_(period, [this] { Check(); }) {}

void StoreHealthWatch::Check() {
  const absl::Status status = db_->RefreshWritability();
  // A closed store (shutdown under way) is not a fault of the disk.
  if (status.code() == absl::StatusCode::kFailedPrecondition) return;
  const bool writable = status.ok();
  writable_.Set(writable ? 1 : 0);
  if (writable == was_writable_) return;
  was_writable_ = writable;
  server_->SetServing(writable);
  if (writable) {
    log::Info("store writable again, serving", {{"data_dir", data_dir_}});
  } else {
    log::Error("store not writable, refusing writes",
               {{"data_dir", data_dir_},
                {"code", absl::StatusCodeToString(status.code())},
                {"error", status.message()}});
  }
}

}  // namespace gridwork::service
