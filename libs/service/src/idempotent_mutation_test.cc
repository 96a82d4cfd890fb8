#include "gridwork/service/idempotent_mutation.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gridwork/common/v1/feed.pb.h"
#include "gridwork/core/ids.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::service {
namespace {

struct TempDb {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / NewId("idem-test");
  std::unique_ptr<store::Db> db;
  store::FamilyHandle state;
  TempDb() {
    store::DbOptions o;
    o.path = dir.string();
    o.service_name = "test";
    db = std::move(store::Db::Open(o, {{"state", "test state"}})).value();
    state = db->Family("state").value();
  }
  ~TempDb() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
};

// WatchRequest stands in for any request message: `types` is the payload. It has no
// request_id field, so the id is passed separately.
common::v1::WatchRequest Request(const std::string& payload) {
  common::v1::WatchRequest r;
  r.add_types(payload);
  return r;
}

}  // namespace

TEST_CASE("a retry replays the first answer and does not run the mutation again") {
  TempDb t;
  int runs = 0;
  auto mutate = [&](store::WriteRequest& w) -> absl::StatusOr<common::v1::FeedInfo> {
    ++runs;
    w.Put(t.state, "k", std::to_string(runs));
    common::v1::FeedInfo info;
    info.set_last_sequence(runs);
    return info;
  };
  auto first =
      RunIdempotent<common::v1::FeedInfo>(t.db.get(), "test.Op", "r-1", Request("a"), mutate);
  REQUIRE(first.ok());
  auto again =
      RunIdempotent<common::v1::FeedInfo>(t.db.get(), "test.Op", "r-1", Request("a"), mutate);
  REQUIRE(again.ok());
  REQUIRE(runs == 1);
  REQUIRE(again->last_sequence() == 1);
  REQUIRE(*t.db->Get(t.state, "k") == "1");

  auto reused =
      RunIdempotent<common::v1::FeedInfo>(t.db.get(), "test.Op", "r-1", Request("b"), mutate);
  REQUIRE(reused.status().code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(runs == 1);

  // The same id in another scope is another request.
  REQUIRE(RunIdempotent<common::v1::FeedInfo>(t.db.get(), "test.Other", "r-1", Request("b"), mutate)
              .ok());
  REQUIRE(runs == 2);
}

TEST_CASE("checked after a failed build, a retry still gets the first answer and writes nothing") {
  TempDb t;
  // A versioned mutation: it applies only while "v" holds the version it expects.
  auto versioned = [&](int expected, int* builds) {
    return [&t, expected, builds](store::WriteRequest& w) -> absl::StatusOr<common::v1::FeedInfo> {
      ++*builds;
      auto current = t.db->Get(t.state, "v");
      const int version = current.ok() ? std::stoi(*current) : 0;
      if (version != expected) return absl::AbortedError("stale version");
      w.Put(t.state, "v", std::to_string(version + 1));
      common::v1::FeedInfo info;
      info.set_last_sequence(version + 1);
      return info;
    };
  };
  auto run = [&](const std::string& id, const std::string& payload, int expected, int* builds,
                 bool* built_here) {
    return RunIdempotent<common::v1::FeedInfo>(t.db.get(), "test.Versioned", id, Request(payload),
                                               versioned(expected, builds), built_here,
                                               ReplayCheck::kAfterFailedBuild);
  };
  int builds = 0;
  bool built_here = false;
  auto first = run("r-1", "a", 0, &builds, &built_here);
  REQUIRE(first.ok());
  CHECK(built_here);
  CHECK(first->last_sequence() == 1);

  // The retry builds (no read first), fails its version check, then finds the record.
  auto replayed = run("r-1", "a", 0, &builds, &built_here);
  REQUIRE(replayed.ok());
  CHECK(builds == 2);
  CHECK_FALSE(built_here);
  CHECK(replayed->last_sequence() == 1);

  // A retry whose build succeeds anyway (here: it names the current version) is refused by
  // the commit and answered from the record; the state does not move.
  auto rebuilt = run("r-1", "a", 1, &builds, &built_here);
  REQUIRE(rebuilt.ok());
  CHECK_FALSE(built_here);
  CHECK(rebuilt->last_sequence() == 1);
  CHECK(*t.db->Get(t.state, "v") == "1");

  // Another payload under the same id is refused whether its build fails or succeeds.
  CHECK(run("r-1", "b", 0, &builds, &built_here).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(run("r-1", "b", 1, &builds, &built_here).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(*t.db->Get(t.state, "v") == "1");

  // A new request that fails its build gets the build's error.
  CHECK(run("r-2", "a", 0, &builds, &built_here).status().code() == absl::StatusCode::kAborted);
}

TEST_CASE("a failed mutation records nothing, so a retry runs it again") {
  TempDb t;
  int runs = 0;
  auto failing = [&](store::WriteRequest&) -> absl::StatusOr<common::v1::FeedInfo> {
    ++runs;
    return absl::NotFoundError("no such thing");
  };
  REQUIRE(RunIdempotent<common::v1::FeedInfo>(t.db.get(), "s", "r", Request("a"), failing)
              .status()
              .code() == absl::StatusCode::kNotFound);
  REQUIRE(RunIdempotent<common::v1::FeedInfo>(t.db.get(), "s", "r", Request("a"), failing)
              .status()
              .code() == absl::StatusCode::kNotFound);
  REQUIRE(runs == 2);
}

TEST_CASE("request ids are required and bounded") {
  TempDb t;
  auto noop = [&](store::WriteRequest&) -> absl::StatusOr<common::v1::FeedInfo> {
    return common::v1::FeedInfo();
  };
  REQUIRE(RunIdempotent<common::v1::FeedInfo>(t.db.get(), "s", "", Request("a"), noop)
              .status()
              .code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(RunIdempotent<common::v1::FeedInfo>(t.db.get(), "s", std::string(129, 'x'), Request("a"),
                                              noop)
              .status()
              .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("fingerprints ignore request_id and depend on the payload") {
  REQUIRE(RequestFingerprint(Request("a")) == RequestFingerprint(Request("a")));
  REQUIRE(RequestFingerprint(Request("a")) != RequestFingerprint(Request("b")));
}

// The fingerprint as first defined: a copy with request_id cleared, serialised
// deterministically. Records stored by earlier binaries hold these, so a retry across an
// upgrade must compute the same value.
std::string ReferenceFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  copy->GetReflection()->ClearField(copy.get(),
                                    copy->GetDescriptor()->FindFieldByName("request_id"));
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  return Sha256Hex(bytes);
}

TEST_CASE("fingerprints equal those of the copy-and-clear definition") {
  workorder::v1::TransitionRequest r;
  r.set_order_id("wo-1");
  r.set_expected_version(7);
  r.set_action(workorder::v1::ACTION_HANDLE);
  r.set_note("已清理，垃圾已运走");
  r.add_photos()->set_sha256(std::string(64, 'a'));
  r.add_photos()->set_sha256(std::string(64, 'b'));
  const std::string without_id = RequestFingerprint(r);
  REQUIRE(without_id == ReferenceFingerprint(r));
  r.set_request_id("req-42");
  REQUIRE(RequestFingerprint(r) == ReferenceFingerprint(r));
  REQUIRE(RequestFingerprint(r) == without_id);  // the id itself never counts
  // Fields this binary does not know (sent by a newer client) count, after the known ones.
  r.GetReflection()->MutableUnknownFields(&r)->AddVarint(1000, 5);
  REQUIRE(RequestFingerprint(r) == ReferenceFingerprint(r));
  REQUIRE(RequestFingerprint(r) != without_id);
  // A request id longer than one length byte, and an empty message with only the id.
  workorder::v1::TransitionRequest only_id;
  only_id.set_request_id(std::string(300, 'x'));
  REQUIRE(RequestFingerprint(only_id) == ReferenceFingerprint(only_id));
  REQUIRE(RequestFingerprint(only_id) == RequestFingerprint(workorder::v1::TransitionRequest()));
}

}  // namespace gridwork::service

namespace gridwork::service {

TEST_CASE("FindRecorded: nothing for a new id, the first answer or a refusal after") {
  TempDb t;
  auto none = FindRecorded<common::v1::FeedInfo>(t.db.get(), "s", "r", Request("a"));
  REQUIRE(none.ok());
  REQUIRE_FALSE(none->has_value());
  auto run = RunIdempotent<common::v1::FeedInfo>(
      t.db.get(), "s", "r", Request("a"),
      [](store::WriteRequest&) -> absl::StatusOr<common::v1::FeedInfo> {
        common::v1::FeedInfo info;
        info.set_first_sequence(42);
        return info;
      });
  REQUIRE(run.ok());
  auto found = FindRecorded<common::v1::FeedInfo>(t.db.get(), "s", "r", Request("a"));
  REQUIRE(found.ok());
  REQUIRE((*found)->first_sequence() == 42);
  REQUIRE(FindRecorded<common::v1::FeedInfo>(t.db.get(), "s", "r", Request("b")).status().code() ==
          absl::StatusCode::kFailedPrecondition);
}

}  // namespace gridwork::service
