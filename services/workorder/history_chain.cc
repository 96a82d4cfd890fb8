#include "services/workorder/history_chain.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gridwork/core/ids.h"

namespace gridwork::workorder {

namespace {

// SHA-256 of the deterministic encoding of `e`. REQUIRES: e.hash() is empty.
std::string HashOfUnsealed(const v1::OrderEvent& e) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    e.SerializeToCodedStream(&out);
  }
  return Sha256Hex(bytes);
}

}  // namespace

std::string EventHash(const v1::OrderEvent& e) {
  if (e.hash().empty()) return HashOfUnsealed(e);
  v1::OrderEvent copy = e;
  copy.clear_hash();
  return HashOfUnsealed(copy);
}

void SealEvent(absl::string_view prev_hash, v1::OrderEvent* e) {
  e->set_prev_hash(std::string(prev_hash));
  e->clear_hash();
  e->set_hash(HashOfUnsealed(*e));
}

ChainCheck VerifyChain(const std::vector<v1::OrderEvent>& events, const v1::WorkOrder& order) {
  ChainCheck check;
  check.length = events.size();
  std::string prev;
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::OrderEvent& e = events[i];
    const uint64_t expected_seq = i + 1;
    auto fail = [&](std::string problem) {
      check.intact = false;
      check.first_bad_seq = expected_seq;
      check.problem = std::move(problem);
      return check;
    };
    if (e.seq() != expected_seq) {
      return fail(absl::StrCat("event at position ", expected_seq, " carries seq ", e.seq(),
                               " (an event was removed, inserted or moved)"));
    }
    if (e.order_id() != order.id()) {
      return fail(absl::StrCat("event ", expected_seq, " belongs to order ", e.order_id()));
    }
    if (e.prev_hash() != prev) {
      return fail(
          absl::StrCat("event ", expected_seq, " does not link to the previous event's hash"));
    }
    if (EventHash(e) != e.hash()) {
      return fail(absl::StrCat("event ", expected_seq, " was modified after it was written"));
    }
    prev = e.hash();
  }
  if (order.history_length() != events.size() || order.history_head() != prev) {
    check.intact = false;
    check.first_bad_seq = 0;
    check.problem = absl::StrCat("the order records ", order.history_length(), " events ending in ",
                                 order.history_head().substr(0, 12), "…, the stored history has ",
                                 events.size(), " ending in ", prev.substr(0, 12), "…");
  }
  return check;
}

}  // namespace gridwork::workorder
