#include "gridwork/service/store_admin.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/rpc/status_convert.h"

namespace gridwork::service {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxNameLength = 64;

absl::Status FsError(const std::error_code& ec, absl::string_view what, const fs::path& p) {
  return absl::UnavailableError(absl::StrCat(what, " ", p.string(), ": ", ec.message()));
}

}  // namespace

std::string CheckpointRoot(const std::string& data_dir, const std::string& service_name) {
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(data_dir), ec);
  if (ec) dir = fs::path(data_dir);
  dir = dir.lexically_normal();
  // "data/location/" normalises to "data/location/": drop the empty last component.
  if (!dir.has_filename()) dir = dir.parent_path();
  return (dir.parent_path() / "checkpoints" / service_name).string();
}

absl::Status ValidateCheckpointName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("checkpoint name is empty");
  if (name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint name longer than ", kMaxNameLength, " characters"));
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(name[0]))) {
    return absl::InvalidArgumentError("checkpoint name must start with a letter or a digit");
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return absl::InvalidArgumentError(
          "checkpoint name may hold only letters, digits, '.', '_' and '-' (no paths)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<admin::v1::Checkpoint> StoreCheckpointer::Create(absl::string_view name) {
  GW_RETURN_IF_ERROR(ValidateCheckpointName(name));
  absl::MutexLock lock(&mu_);
  const fs::path root(root_);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return FsError(ec, "cannot create checkpoint root", root);
  const fs::path target = root / std::string(name);
  // The name cannot hold a separator, but the root may be reached through links: the target
  // must still be a direct child of the root once both are resolved.
  const fs::path canonical_root = fs::weakly_canonical(root, ec);
  if (ec) return FsError(ec, "cannot resolve checkpoint root", root);
  if (fs::weakly_canonical(target, ec).parent_path() != canonical_root || ec) {
    return absl::InvalidArgumentError("checkpoint name resolves outside the checkpoint root");
  }
  // Never overwrite or merge into an existing checkpoint (RocksDB would refuse too, with a
  // less helpful code).
  if (fs::exists(fs::symlink_status(target, ec))) {
    return absl::AlreadyExistsError(absl::StrCat("checkpoint ", target.string(), " exists"));
  }
  // Every write acknowledged so far has its events at or below this sequence, and it is in
  // the store before the checkpoint starts.
  const uint64_t sequence = db_->LastSequence();
  const absl::Time start = absl::Now();
  GW_RETURN_IF_ERROR(db_->Checkpoint(target.string()));
  admin::v1::Checkpoint out;
  out.set_path(target.string());
  out.set_feed_sequence(sequence);
  uint64_t bytes = 0;
  uint32_t files = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(target, ec)) {
    std::error_code size_ec;
    if (!e.is_regular_file(size_ec)) continue;
    uintmax_t size = e.file_size(size_ec);
    if (size_ec) continue;
    bytes += size;
    ++files;
  }
  if (ec) return FsError(ec, "cannot list checkpoint", target);
  out.set_size_bytes(bytes);
  out.set_file_count(files);
  log::Info("store checkpoint taken", {{"path", out.path()},
                                       {"feed_sequence", static_cast<int64_t>(sequence)},
                                       {"size_bytes", static_cast<int64_t>(bytes)},
                                       {"files", static_cast<int64_t>(files)},
                                       {"ms", absl::ToDoubleMilliseconds(absl::Now() - start)}});
  return out;
}

AdminAuthorizeFn AdminPrincipalAuthorizer(const rpc::PrincipalCodec* codec) {
  return [codec](grpc::ServerContext* ctx) -> absl::Status {
    GW_ASSIGN_OR_RETURN(rpc::Principal p, codec->Authenticate(*ctx));
    return rpc::RequireRole(p, {common::v1::ROLE_ADMIN, common::v1::ROLE_SERVICE});
  };
}

grpc::Status StoreAdminService::CreateCheckpoint(grpc::ServerContext* ctx,
                                                 const admin::v1::CreateCheckpointRequest* req,
                                                 admin::v1::Checkpoint* resp) {
  absl::Status allowed = authorize_(ctx);
  if (!allowed.ok()) return rpc::ToGrpcStatus(allowed);
  absl::StatusOr<admin::v1::Checkpoint> c = checkpointer_.Create(req->name());
  if (!c.ok()) {
    log::Warning("store checkpoint failed",
                 {{"name", req->name()}, {"error", c.status().message()}});
    return rpc::ToGrpcStatus(c.status());
  }
  *resp = *std::move(c);
  return grpc::Status::OK;
}

}  // namespace gridwork::service
