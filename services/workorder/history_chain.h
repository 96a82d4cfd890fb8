// The tamper-evident history of a work order: each OrderEvent carries the hash of the one
// before it, and the order record keeps the hash of the last (the head).
//
//   hash(e) = lowercase hex SHA-256 of the deterministic protobuf encoding of `e` with its
//             `hash` field empty (prev_hash included, so the chain links).
//
// Changing, removing, reordering or inserting any stored event — or rolling the order back
// to an older event — breaks either an event's own hash, the next event's prev_hash, the
// 1-based sequence, or the order's head; VerifyChain reports the first place it breaks.
#ifndef GRIDWORK_SERVICES_WORKORDER_HISTORY_CHAIN_H_
#define GRIDWORK_SERVICES_WORKORDER_HISTORY_CHAIN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::workorder {

// hash(e) as defined above; ignores the current value of e.hash().
std::string EventHash(const v1::OrderEvent& e);

// Sets e->prev_hash to `prev_hash` and e->hash to EventHash(*e).
void SealEvent(absl::string_view prev_hash, v1::OrderEvent* e);

struct ChainCheck {
  bool intact = true;
  uint64_t length = 0;
  // First event (1-based seq) that does not verify; 0 with !intact = the order's head or
  // length disagrees with the events.
  uint64_t first_bad_seq = 0;
  std::string problem;
};

// Verifies `events` (in stored order) against each other and against the order's
// history_length and history_head.
ChainCheck VerifyChain(const std::vector<v1::OrderEvent>& events, const v1::WorkOrder& order);

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_HISTORY_CHAIN_H_
