// Hash-chain verification: an intact history verifies; each kind of tampering is detected at
// the event where it happened.
#include "services/workorder/history_chain.h"

#include <catch2/catch.hpp>

namespace gridwork::workorder {
namespace {

struct Chain {
  v1::WorkOrder order;
  std::vector<v1::OrderEvent> events;
};

Chain MakeChain(int n) {
  Chain c;
  c.order.set_id("wo-1");
  std::string prev;
  for (int i = 1; i <= n; ++i) {
    v1::OrderEvent e;
    e.set_order_id("wo-1");
    e.set_seq(i);
    e.set_actor(i % 2 ? "station-1" : "handler-7");
    e.set_action(i == 1 ? v1::ACTION_REPORT : v1::ACTION_DISPATCH);
    e.set_note("step " + std::to_string(i));
    e.mutable_at()->set_seconds(1763884800 + i * 60);
    SealEvent(prev, &e);
    prev = e.hash();
    c.events.push_back(e);
  }
  c.order.set_history_length(n);
  c.order.set_history_head(prev);
  return c;
}

TEST_CASE("an untouched history verifies") {
  Chain c = MakeChain(5);
  ChainCheck check = VerifyChain(c.events, c.order);
  CHECK(check.intact);
  CHECK(check.length == 5);
  CHECK(c.events[0].prev_hash().empty());
  CHECK(c.events[1].prev_hash() == c.events[0].hash());
  CHECK(c.events[0].hash().size() == 64);
}

TEST_CASE("a modified field of a past event is detected at that event") {
  Chain c = MakeChain(5);
  c.events[2].set_actor("someone-else");
  ChainCheck check = VerifyChain(c.events, c.order);
  CHECK_FALSE(check.intact);
  CHECK(check.first_bad_seq == 3);
  CHECK_THAT(check.problem, Catch::Contains("modified"));
}

TEST_CASE("re-sealing a modified event breaks the link of the next one") {
  Chain c = MakeChain(5);
  c.events[1].set_note("rewritten");
  SealEvent(c.events[0].hash(), &c.events[1]);  // a forger recomputes this event's hash
  ChainCheck check = VerifyChain(c.events, c.order);
  CHECK_FALSE(check.intact);
  CHECK(check.first_bad_seq == 3);
}

TEST_CASE("a removed event is detected") {
  Chain c = MakeChain(5);
  c.events.erase(c.events.begin() + 3);
  ChainCheck check = VerifyChain(c.events, c.order);
  CHECK_FALSE(check.intact);
  CHECK(check.first_bad_seq == 4);
}

TEST_CASE("dropping the newest events is detected through the order's head") {
  Chain c = MakeChain(5);
  c.events.pop_back();
  ChainCheck check = VerifyChain(c.events, c.order);
  CHECK_FALSE(check.intact);
  CHECK(check.first_bad_seq == 0);
  CHECK_THAT(check.problem, Catch::Contains("records 5 events"));
}

TEST_CASE("swapped events are detected") {
  Chain c = MakeChain(4);
  std::swap(c.events[1], c.events[2]);
  CHECK_FALSE(VerifyChain(c.events, c.order).intact);
}

}  // namespace
}  // namespace gridwork::workorder
