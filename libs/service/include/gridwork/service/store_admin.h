// Online backup of a service's store: gridwork.admin.v1.StoreAdmin (CreateCheckpoint), served
// by every service on its gRPC port. A checkpoint is a consistent RocksDB copy of the running
// store (store::Db::Checkpoint) in "<parent of --data_dir>/checkpoints/<service>/<name>": on
// the same file system as the store (hard links), outside the store's own directory (so a
// restore, which replaces that directory, never nests old checkpoints).
//
//   service::StoreAdminService store_admin(db, service::CheckpointRoot(data_dir, "location"),
//                                          service::AdminPrincipalAuthorizer(&codec));
//   auto server = rpc::ServiceServer::Start(options, {&location, &feed, &store_admin}, ...);
//
// Thread safety: thread-safe; checkpoints of one store are taken one at a time.
#ifndef GRIDWORK_SERVICE_STORE_ADMIN_H_
#define GRIDWORK_SERVICE_STORE_ADMIN_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/admin/v1/store_admin.grpc.pb.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/store/db.h"

namespace gridwork::service {

// "<parent of data_dir>/checkpoints/<service_name>", absolute. For --data_dir=
// /var/lib/gridwork/store (a volume mounted at /var/lib/gridwork) that is
// /var/lib/gridwork/checkpoints/<service_name>; locally, data/checkpoints/<service_name>.
std::string CheckpointRoot(const std::string& data_dir, const std::string& service_name);

// OK iff `name` is 1..64 of [A-Za-z0-9._-] starting with a letter or digit (no path
// separators, never "." or ".."); INVALID_ARGUMENT saying what is wrong otherwise.
absl::Status ValidateCheckpointName(absl::string_view name);

// Takes checkpoints of one store. Thread-safe: one checkpoint at a time.
class StoreCheckpointer {
 public:
  // `db` must outlive this object. `root` is created on first use.
  StoreCheckpointer(store::Db* db, std::string root) : db_(db), root_(std::move(root)) {}
  StoreCheckpointer(const StoreCheckpointer&) = delete;
  StoreCheckpointer& operator=(const StoreCheckpointer&) = delete;

  // Writes the checkpoint <root>/<name> (contract of StoreAdmin.CreateCheckpoint in
  // proto/gridwork/admin/v1/store_admin.proto). INVALID_ARGUMENT for a bad name,
  // ALREADY_EXISTS if <root>/<name> exists, the store's or file system's error otherwise.
  [[nodiscard]] absl::StatusOr<admin::v1::Checkpoint> Create(absl::string_view name);

  const std::string& root() const { return root_; }

 private:
  store::Db* const db_;
  const std::string root_;
  absl::Mutex mu_;  // held for the whole of one checkpoint
};

// Authorises one StoreAdmin call: OK to proceed, or the status to answer with.
using AdminAuthorizeFn = std::function<absl::Status(grpc::ServerContext*)>;

// The services' rule: a signed principal (UNAUTHENTICATED otherwise) with role ADMIN or
// SERVICE (PERMISSION_DENIED otherwise). `codec` must outlive the returned function.
AdminAuthorizeFn AdminPrincipalAuthorizer(const rpc::PrincipalCodec* codec);

// The gRPC adapter: authorise, then StoreCheckpointer::Create. Logs every checkpoint taken.
class StoreAdminService final : public admin::v1::StoreAdmin::Service {
 public:
  // `db` must outlive the service.
  StoreAdminService(store::Db* db, std::string checkpoint_root, AdminAuthorizeFn authorize)
      : checkpointer_(db, std::move(checkpoint_root)), authorize_(std::move(authorize)) {}

  grpc::Status CreateCheckpoint(grpc::ServerContext* ctx,
                                const admin::v1::CreateCheckpointRequest* req,
                                admin::v1::Checkpoint* resp) override;

 private:
  StoreCheckpointer checkpointer_;
  AdminAuthorizeFn authorize_;
};

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_STORE_ADMIN_H_
