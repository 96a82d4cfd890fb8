#include "services/gateway/upstreams.h"

#include "gridwork/rpc/client.h"

namespace gridwork::gateway {

Upstreams::Upstreams(const std::map<Upstream, std::string>& addrs) {
  for (const auto& [u, addr] : addrs) {
    if (addr.empty() || u == Upstream::kSelf || u == Upstream::kByHeader) continue;
    rpc::ChannelOptions options;
    options.max_send_message_bytes = 64 << 20;
    auto ch = rpc::MakeChannel(addr, options);
    channels_[u] = ch;
    stubs_[u] = std::make_unique<grpc::GenericStub>(ch);
  }
}

grpc::GenericStub* Upstreams::Stub(Upstream u) const {
  auto it = stubs_.find(u);
  return it == stubs_.end() ? nullptr : it->second.get();
}

std::shared_ptr<grpc::Channel> Upstreams::Channel(Upstream u) const {
  auto it = channels_.find(u);
  return it == channels_.end() ? nullptr : it->second;
}

}  // namespace gridwork::gateway
