#include "gridwork/sdk/fix_uploader.h"

#include <catch2/catch.hpp>
#include <set>

namespace gridwork::sdk {
namespace {

namespace lv1 = location::v1;

lv1::DeviceFix FixAt(int64_t unix_ms) {
  lv1::DeviceFix f;
  f.mutable_device_time()->set_seconds(unix_ms / 1000);
  f.mutable_device_time()->set_nanos(static_cast<int32_t>(unix_ms % 1000) * 1000000);
  f.mutable_position()->set_lat(34.75);
  f.mutable_position()->set_lng(113.62);
  return f;
}

// A stand-in for the location service that stores (device, sequence) once, like the real one.
struct FakeLocation {
  std::set<std::pair<std::string, uint64_t>> stored;
  std::vector<lv1::FixBatch> received;
  int lose_answers = 0;  // store, then answer UNAVAILABLE this many times
  int refuse = 0;        // answer UNAVAILABLE without storing this many times

  grpc::Status Send(const lv1::FixBatch& b, lv1::BatchAck* ack) {
    received.push_back(b);
    if (refuse > 0) {
      --refuse;
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
    }
    ack->set_batch_id(b.batch_id());
    for (const auto& f : b.fixes()) {
      if (stored.insert({b.device_id(), f.sequence()}).second) {
        ack->set_accepted(ack->accepted() + 1);
      } else {
        ack->set_duplicates(ack->duplicates() + 1);
      }
    }
    if (lose_answers > 0) {
      --lose_answers;
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "answer lost");
    }
    return grpc::Status::OK;
  }
};

FixUploaderOptions Options(FakeLocation* fake, int batch_size) {
  FixUploaderOptions o;
  o.batch_size = batch_size;
  RetryPolicy p;
  p.initial_backoff = absl::Milliseconds(1);
  p.max_backoff = absl::Milliseconds(2);
  p.max_attempts = 3;
  o.retry = p;
  o.send = [fake](grpc::ClientContext*, const lv1::FixBatch& b, lv1::BatchAck* a) {
    return fake->Send(b, a);
  };
  return o;
}

TEST_CASE("fixes are batched per device with increasing sequence numbers", "[sdk]") {
  FakeLocation fake;
  FixUploader up(nullptr, Options(&fake, 3));
  const int64_t t0 = 1700000000000;
  for (int i = 0; i < 7; ++i) REQUIRE(up.Add("w1", "d1", FixAt(t0 + i * 1000)).ok());
  REQUIRE(up.Add("w2", "d2", FixAt(t0)).ok());
  CHECK(fake.received.size() == 2);  // two full batches of d1 went at once
  REQUIRE(up.Flush().ok());
  CHECK(up.pending() == 0);
  CHECK(fake.stored.size() == 8);
  uint64_t last = 0;
  for (const auto& b : fake.received) {
    if (b.device_id() != "d1") continue;
    CHECK(b.worker_id() == "w1");
    for (const auto& f : b.fixes()) {
      CHECK(f.sequence() > last);
      last = f.sequence();
    }
  }
  CHECK(fake.received[0].fixes(0).sequence() == static_cast<uint64_t>(t0));
  auto st = up.stats();
  CHECK(st.sent == 8);
  CHECK(st.accepted == 8);
  CHECK(st.retries == 0);
}

TEST_CASE("two fixes in the same millisecond still get distinct sequence numbers", "[sdk]") {
  FakeLocation fake;
  FixUploader up(nullptr, Options(&fake, 10));
  REQUIRE(up.Add("w1", "d1", FixAt(1700000000000)).ok());
  REQUIRE(up.Add("w1", "d1", FixAt(1700000000000)).ok());
  lv1::DeviceFix own = FixAt(1700000000000);
  own.set_sequence(42);
  REQUIRE(up.Add("w1", "d1", own).ok());
  REQUIRE(up.Flush().ok());
  REQUIRE(fake.received.size() == 1);
  const auto& b = fake.received[0];
  CHECK(b.fixes(0).sequence() == 1700000000000u);
  CHECK(b.fixes(1).sequence() == 1700000000001u);
  CHECK(b.fixes(2).sequence() == 42u);
}

TEST_CASE("a batch whose answer was lost is resent with the same sequences", "[sdk]") {
  FakeLocation fake;
  fake.lose_answers = 1;
  FixUploader up(nullptr, Options(&fake, 100));
  for (int i = 0; i < 5; ++i) REQUIRE(up.Add("w1", "d1", FixAt(1700000000000 + i)).ok());
  REQUIRE(up.Flush().ok());
  REQUIRE(fake.received.size() == 2);
  CHECK(fake.received[0].SerializeAsString() == fake.received[1].SerializeAsString());
  CHECK(fake.stored.size() == 5);
  auto st = up.stats();
  CHECK(st.retries == 1);
  CHECK(st.duplicates == 5);  // the resend's answer
  CHECK(st.sent == 5);
}

TEST_CASE("a batch that keeps failing stays queued for the next Flush", "[sdk]") {
  FakeLocation fake;
  fake.refuse = 3;  // all three attempts
  FixUploader up(nullptr, Options(&fake, 100));
  REQUIRE(up.Add("w1", "d1", FixAt(1700000000000)).ok());
  absl::Status s = up.Flush();
  CHECK(absl::IsUnavailable(s));
  CHECK(up.pending() == 1);
  CHECK(up.stats().retries == 2);
  REQUIRE(up.Flush().ok());
  CHECK(up.pending() == 0);
  CHECK(fake.stored.size() == 1);
  CHECK(fake.received.front().fixes(0).sequence() == fake.received.back().fixes(0).sequence());
}

TEST_CASE("a refused batch is dropped and reported", "[sdk]") {
  FixUploaderOptions o;
  o.send = [](grpc::ClientContext*, const lv1::FixBatch&, lv1::BatchAck* a) {
    a->set_error("more than 1,000 fixes");
    return grpc::Status::OK;
  };
  FixUploader up(nullptr, o);
  REQUIRE(up.Add("w1", "d1", FixAt(1700000000000)).ok());
  CHECK(absl::IsInvalidArgument(up.Flush()));
  CHECK(up.pending() == 0);
  CHECK(up.stats().rejected == 1);
  CHECK(absl::IsInvalidArgument(up.Add("w1", "", FixAt(1))));
}

}  // namespace
}  // namespace gridwork::sdk
