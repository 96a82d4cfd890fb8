// grpc::ByteBuffer <-> serialized bytes, for the gateway's generic (raw) calls and streams,
// which receive and send messages it decodes only when it must.
#ifndef GRIDWORK_SERVICES_GATEWAY_BYTE_BUFFERS_H_
#define GRIDWORK_SERVICES_GATEWAY_BYTE_BUFFERS_H_

#include <grpcpp/support/byte_buffer.h>

#include <string>

namespace gridwork::gateway {

// The bytes of `buffer` in one string; "" if gRPC cannot read the buffer (then the caller's
// parse of it fails, which is how a broken message is reported).
std::string BytesOf(const grpc::ByteBuffer& buffer);

// A buffer holding a copy of `bytes`.
grpc::ByteBuffer BufferOf(const std::string& bytes);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_BYTE_BUFFERS_H_
