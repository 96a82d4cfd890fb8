// Forces every Gridwork proto with a service into the binary, so the generated descriptor
// pool knows all of them (the HTTP/JSON mapping and the policy-table test look methods up
// there). A static library's object file is linked only if referenced; this references one
// message of each. Add a line here when a service proto is added.
#ifndef GRIDWORK_SERVICES_GATEWAY_LINKED_PROTOS_H_
#define GRIDWORK_SERVICES_GATEWAY_LINKED_PROTOS_H_

namespace gridwork::gateway {

// Idempotent; cheap.
void LinkServiceProtos();

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_LINKED_PROTOS_H_
