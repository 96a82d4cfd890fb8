// gridctl's pieces that need no server: output formats, exit codes, the credentials file,
// SLA compression.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>

#include "gridwork/geofence/v1/geofence.pb.h"
#include "tools/gridctl/catalog_sla.h"
#include "tools/gridctl/credentials.h"
#include "tools/gridctl/exit_codes.h"
#include "tools/gridctl/output.h"

namespace gridwork::gridctl {
namespace {

geofence::v1::Region RegionOf(const std::string& id, const std::string& name) {
  geofence::v1::Region r;
  r.set_id(id);
  r.set_name(name);
  return r;
}

Listing TwoRegions() {
  Listing l({"ID", "NAME"});
  l.Add(RegionOf("410105/s01", "健康街, \"north\""), {"410105/s01", "健康街, \"north\""});
  l.Add(RegionOf("410105/s02", "line\nbreak"), {"410105/s02", "line\nbreak"});
  return l;
}

TEST_CASE("gridctl: csv quotes only what needs it", "[gridctl]") {
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("a,b") == "\"a,b\"");
  CHECK(CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  std::ostringstream out;
  TwoRegions().Print(OutputFormat::kCsv, out);
  CHECK(out.str() ==
        "ID,NAME\r\n410105/s01,\"健康街, \"\"north\"\"\"\r\n410105/s02,\"line\nbreak\"\r\n");
}

TEST_CASE("gridctl: json is one array of the messages with proto field names", "[gridctl]") {
  std::ostringstream out;
  TwoRegions().Print(OutputFormat::kJson, out);
  CHECK(out.str().front() == '[');
  CHECK(out.str().find("\"id\":\"410105/s01\"") != std::string::npos);
  std::ostringstream empty;
  Listing({"ID"}).Print(OutputFormat::kJson, empty);
  CHECK(empty.str() == "[]\n");
}

TEST_CASE("gridctl: table aligns columns under a header", "[gridctl]") {
  Listing l({"ID", "N"});
  geofence::v1::Region r;
  l.Add(r, {"a-long-id", "1"});
  l.Add(r, {"b", "22"});
  std::ostringstream out;
  l.Print(OutputFormat::kTable, out);
  CHECK(out.str() == "ID         N\na-long-id  1\nb          22\n");
  Listing cjk({"NAME", "N"});
  cjk.Add(r, {"健康街", "1"});  // 3 ideographs = 6 columns
  cjk.Add(r, {"abc", "2"});
  std::ostringstream out2;
  cjk.Print(OutputFormat::kTable, out2);
  CHECK(out2.str() == "NAME    N\n健康街  1\nabc     2\n");
}

TEST_CASE("gridctl: output formats and exit codes", "[gridctl]") {
  CHECK(ParseOutputFormat("csv") == OutputFormat::kCsv);
  CHECK_FALSE(ParseOutputFormat("yaml").has_value());
  CHECK(ExitCodeFor(grpc::StatusCode::OK) == 0);
  CHECK(ExitCodeFor(grpc::StatusCode::UNAUTHENTICATED) == 3);
  CHECK(ExitCodeFor(grpc::StatusCode::PERMISSION_DENIED) == 4);
  CHECK(ExitCodeFor(grpc::StatusCode::NOT_FOUND) == 5);
  CHECK(ExitCodeFor(grpc::StatusCode::FAILED_PRECONDITION) == 6);
  CHECK(ExitCodeFor(grpc::StatusCode::ABORTED) == 7);
  CHECK(ExitCodeFor(grpc::StatusCode::RESOURCE_EXHAUSTED) == 8);
  CHECK(ExitCodeFor(grpc::StatusCode::DEADLINE_EXCEEDED) == 9);
  CHECK(ExitCodeFor(grpc::StatusCode::INTERNAL) == 10);
  CHECK(ExitCodeFor(absl::NotFoundError("x")) == 5);
}

TEST_CASE("gridctl: credentials round trip with mode 0600 under GRIDWORK_CONFIG", "[gridctl]") {
  char tmpl[] = "/tmp/gridctl-test-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  const std::string dir = std::string(tmpl) + "/nested/config";
  setenv("GRIDWORK_CONFIG", dir.c_str(), 1);
  auto none = LoadCredentials();
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  REQUIRE(SaveCredentials({"127.0.0.1:50050", "alice", "rt-1"}).ok());
  struct stat st {};
  REQUIRE(stat(CredentialsPath().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto c = LoadCredentials();
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  CHECK((*c)->user == "alice");
  CHECK((*c)->refresh_token == "rt-1");
  REQUIRE(SaveCredentials({"127.0.0.1:50050", "alice", "rt-2"}).ok());
  CHECK((*LoadCredentials())->refresh_token == "rt-2");
  REQUIRE(DeleteCredentials().ok());
  CHECK_FALSE(LoadCredentials()->has_value());
  CHECK(DeleteCredentials().ok());
  std::string cleanup = std::string("rm -rf ") + tmpl;
  CHECK(std::system(cleanup.c_str()) == 0);
  unsetenv("GRIDWORK_CONFIG");
}

}  // namespace
}  // namespace gridwork::gridctl

namespace gridwork::gridctl {
namespace {

TEST_CASE("gridctl: SLA compression divides stage deadlines, keeps none as none", "[gridctl]") {
  workorder::v1::Catalog catalog;
  workorder::v1::Category* gas = catalog.add_categories();
  gas->set_id("safety.gas_leak");
  gas->mutable_sla()->mutable_triage()->set_seconds(600);
  gas->mutable_sla()->mutable_accept()->set_seconds(900);
  gas->mutable_sla()->mutable_handle()->set_seconds(14400);
  gas->mutable_sla()->mutable_review()->set_seconds(29);  // 29 s / 60 rounds to 0: kept at 1
  gas->mutable_sla()->mutable_verify()->set_nanos(0);     // no deadline
  gas->mutable_sla()->set_due_soon_fraction(0.2);
  catalog.add_categories()->set_id("env");  // no SLA at all

  CompressSlas(60, &catalog);

  const workorder::v1::SlaPolicy& sla = catalog.categories(0).sla();
  CHECK(sla.triage().seconds() == 10);
  CHECK(sla.accept().seconds() == 15);
  CHECK(sla.handle().seconds() == 240);
  CHECK(sla.review().seconds() == 1);
  CHECK(sla.verify().seconds() == 0);
  CHECK(sla.due_soon_fraction() == 0.2);
  CHECK_FALSE(catalog.categories(1).has_sla());
}

TEST_CASE("gridctl: SLA compression by 1 changes nothing", "[gridctl]") {
  workorder::v1::Catalog catalog;
  catalog.add_categories()->mutable_sla()->mutable_accept()->set_seconds(3601);
  CompressSlas(1, &catalog);
  CHECK(catalog.categories(0).sla().accept().seconds() == 3601);
}

}  // namespace
}  // namespace gridwork::gridctl
