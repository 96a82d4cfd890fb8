#include "tools/gridctl/admin_commands.h"

#include <iostream>

#include "gridwork/admin/v1/store_admin.grpc.pb.h"
#include "tools/gridctl/exit_codes.h"

namespace gridwork::gridctl {

int Checkpoint(Client& client, const std::string& target, const std::string& name) {
  const std::string service = target.substr(0, target.find('/'));
  std::shared_ptr<grpc::Channel> channel = client.ServiceChannel(service);
  if (channel == nullptr) {
    std::cerr << "gridctl: checkpoint: no store '" << target << "' in "
              << (client.session() != nullptr ? "gateway" : "operator")
              << " mode (gateway, location, geofence, workorder, inspection, analytics; the "
                 "gateway's own store and /SHARD only through the gateway)\n";
    return kExitUsage;
  }
  if (client.session() == nullptr && service != target) {
    std::cerr << "gridctl: checkpoint: in operator mode point --" << service
              << "_addr at the shard instead of naming it\n";
    return kExitUsage;
  }
  admin::v1::CreateCheckpointRequest req;
  req.set_name(name);
  admin::v1::Checkpoint resp;
  auto ctx = client.Context();
  if (client.session() != nullptr) ctx->AddMetadata("x-gridwork-upstream", target);
  grpc::Status s = admin::v1::StoreAdmin::NewStub(channel)->CreateCheckpoint(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("checkpoint", s);
  Print(resp);
  return kExitOk;
}

}  // namespace gridwork::gridctl
