// gridctl as a user runs it, against a real gateway in front of real geofence, location and
// workorder processes: login (password from $GRIDWORK_PASSWORD and from --password_file), the
// stored credentials (mode 0600, refresh token only, rotated on use), whoami and listings
// with -o json (parsed) and -o csv, the documented exit codes for usage, NOT_FOUND,
// PERMISSION_DENIED and UNAUTHENTICATED (after logout, wrong password), and the operator mode
// (--principal_key_file straight to the services) still working beside it.
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "gridwork/admin/v1/store_admin.pb.h"
#include "gridwork/core/ids.h"
#include "tests/integration/gateway_stack.h"

namespace gridwork::testing {
namespace {

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs build/bin/gridctl with `env` (NAME=value, no spaces) and `args` (no spaces or quotes).
Run Gridctl(const TempDir& scratch, const std::vector<std::string>& env,
            const std::vector<std::string>& args) {
  const std::string err_path = scratch.path() + "/stderr";
  std::string cmd = absl::StrCat("env ", absl::StrJoin(env, " "), " ", BinDir(), "/gridctl ",
                                 absl::StrJoin(args, " "), " 2>", err_path, " </dev/null");
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadFile(err_path);
  return r;
}

TEST_CASE("gridctl: login, listings as json and csv, exit codes, logout",
          "[gridctl][integration]") {
  GatewayStack stack;
  stack.Start();
  stack.AddUser("viewer", common::v1::ROLE_VIEWER, "");
  TempDir scratch, admin_config, viewer_config;
  const std::string gw = "--gateway=" + stack.gateway_addr();
  // Without a display: no terminal is opened for the password (stdin is /dev/null and the
  // password comes from the environment or a file).
  const std::vector<std::string> admin_env = {"GRIDWORK_CONFIG=" + admin_config.path(),
                                              "GRIDWORK_PRINCIPAL_KEY=", "HOME=/nonexistent"};
  auto as_admin = [&](std::vector<std::string> args) { return Gridctl(scratch, admin_env, args); };

  SECTION("usage errors exit 2 and per-command help exits 0") {
    CHECK(as_admin({"--no_such_flag=1", "orders", "list"}).code == 2);
    CHECK(as_admin({"-o", "xml", "orders", "list"}).code == 2);
    CHECK(as_admin({"frobnicate"}).code == 2);
    Run help = as_admin({"orders", "--help"});
    CHECK(help.code == 0);
    CHECK(help.out.find("orders transition ID ACTION") != std::string::npos);
  }

  SECTION("not logged in is exit 3 with what to do") {
    Run r = as_admin({"regions", "list"});
    CHECK(r.code == 3);
    CHECK(r.err.find("gridctl login") != std::string::npos);
  }

  // Login with the password from the environment.
  std::vector<std::string> login_env = admin_env;
  login_env.push_back(std::string("GRIDWORK_PASSWORD=") + kStackAdminPassword);
  Run login = Gridctl(scratch, login_env, {gw, "login", "admin"});
  INFO(login.err);
  REQUIRE(login.code == 0);
  const std::string cred_path = admin_config.path() + "/credentials.json";
  struct stat st {};
  REQUIRE(stat(cred_path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string creds1 = ReadFile(cred_path);
  CHECK(creds1.find("rt-") != std::string::npos);
  CHECK(creds1.find(kStackAdminPassword) == std::string::npos);

  // whoami -o json parses as the API's message; the refresh token was rotated and stored.
  Run who = as_admin({"whoami", "-o", "json"});
  INFO(who.err);
  REQUIRE(who.code == 0);
  gateway::v1::WhoAmIResponse me;
  REQUIRE(google::protobuf::util::JsonStringToMessage(who.out, &me).ok());
  CHECK(me.user().username() == "admin");
  CHECK(ReadFile(cred_path) != creds1);

  // A listing as JSON: an array of Region objects.
  Run list = as_admin({"regions", "list", kCommunity, "-o", "json"});
  INFO(list.err);
  REQUIRE(list.code == 0);
  geofence::v1::ListRegionsResponse regions;
  auto parsed =
      google::protobuf::util::JsonStringToMessage("{\"regions\":" + list.out + "}", &regions);
  INFO(parsed.ToString() << "\n" << list.out);
  REQUIRE(parsed.ok());
  REQUIRE(regions.regions_size() == 2);
  CHECK(regions.regions(0).id() == kG01);
  CHECK(regions.regions(1).id() == kG02);

  // The same as CSV: a header and one line per region.
  Run csv = as_admin({"regions", "list", kCommunity, "-o", "csv"});
  REQUIRE(csv.code == 0);
  std::vector<std::string> lines = absl::StrSplit(csv.out, "\r\n", absl::SkipEmpty());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "ID,LEVEL,NAME,AREA_M2");
  CHECK(lines[1].rfind(std::string(kG01) + ",REGION_LEVEL_GRID,", 0) == 0);

  // Not found: exit 5.
  Run missing = as_admin({"orders", "show", "wo-does-not-exist"});
  CHECK(missing.code == 5);
  CHECK(missing.err.find("NOT_FOUND") != std::string::npos);

  // An online checkpoint of workorder's store through the gateway, as the admin: JSON with
  // the path beside the store; a bad name is exit 6, an unknown store exit 2.
  const std::string cp_name = NewId("gridctl-cp");
  Run cp = as_admin({"checkpoint", "workorder", cp_name});
  INFO(cp.err);
  REQUIRE(cp.code == 0);
  admin::v1::Checkpoint checkpoint;
  REQUIRE(google::protobuf::util::JsonStringToMessage(cp.out, &checkpoint).ok());
  const std::filesystem::path cp_root =
      std::filesystem::path(stack.workorder_dir.path()).parent_path() / "checkpoints/workorder";
  CHECK(checkpoint.path() == (cp_root / cp_name).string());
  CHECK(std::filesystem::is_directory(checkpoint.path()));
  CHECK(checkpoint.size_bytes() > 0);
  std::filesystem::remove_all(checkpoint.path());
  CHECK(as_admin({"checkpoint", "workorder", "../escape"}).code == 6);
  CHECK(as_admin({"checkpoint", "nowhere", "x"}).code == 2);

  // Permission denied: a viewer importing regions (password from a file), exit 4.
  const std::string pw_file = scratch.path() + "/viewer.pw";
  std::ofstream(pw_file) << GatewayStack::PasswordOf("viewer") << "\n";
  const std::vector<std::string> viewer_env = {"GRIDWORK_CONFIG=" + viewer_config.path(),
                                               "GRIDWORK_PRINCIPAL_KEY="};
  REQUIRE(
      Gridctl(scratch, viewer_env, {gw, "--password_file=" + pw_file, "login", "viewer"}).code ==
      0);
  const std::string geojson = scratch.path() + "/tree.geojson";
  std::ofstream(geojson) << SmallTree();
  Run denied = Gridctl(scratch, viewer_env, {"regions", "import", geojson});
  CHECK(denied.code == 4);
  CHECK(denied.err.find("PERMISSION_DENIED") != std::string::npos);
  CHECK(Gridctl(scratch, viewer_env, {"regions", "list", kCommunity}).code == 0);
  CHECK(Gridctl(scratch, viewer_env, {"checkpoint", "location", "by-viewer"}).code == 4);
  CHECK(!std::filesystem::exists(cp_root.parent_path() / "location/by-viewer"));

  // A wrong password: exit 3, nothing stored.
  TempDir other_config;
  Run wrong =
      Gridctl(scratch, {"GRIDWORK_CONFIG=" + other_config.path(), "GRIDWORK_PASSWORD=wrong-one"},
              {gw, "login", "viewer"});
  CHECK(wrong.code == 3);
  CHECK(wrong.err.find("login refused") != std::string::npos);
  CHECK(ReadFile(other_config.path() + "/credentials.json").empty());

  // Logout: the stored login is gone and commands are refused with exit 3.
  REQUIRE(as_admin({"logout"}).code == 0);
  CHECK(ReadFile(cred_path).empty());
  CHECK(as_admin({"regions", "list"}).code == 3);

  // Operator mode beside it: straight to geofence with a signed principal.
  const std::string key_file = scratch.path() + "/principal.key";
  std::ofstream(key_file) << kTestKey;
  Run op = Gridctl(scratch, admin_env,
                   {"--principal_key_file=" + key_file, "--geofence_addr=" + stack.geofence_addr,
                    "regions", "list", kCommunity, "-o", "csv"});
  INFO(op.err);
  CHECK(op.code == 0);
  CHECK(op.out.find(kG02) != std::string::npos);
  // ... and an operator checkpoint straight to geofence.
  const std::string op_cp = NewId("gridctl-op-cp");
  Run op_checkpoint =
      Gridctl(scratch, admin_env,
              {"--principal_key_file=" + key_file, "--geofence_addr=" + stack.geofence_addr,
               "checkpoint", "geofence", op_cp});
  INFO(op_checkpoint.err);
  CHECK(op_checkpoint.code == 0);
  const std::filesystem::path op_path =
      std::filesystem::path(stack.geofence_dir.path()).parent_path() / "checkpoints/geofence" /
      op_cp;
  CHECK(std::filesystem::is_directory(op_path));
  std::filesystem::remove_all(op_path);
  // The stores live right under the temp dir, so their checkpoint roots do too: remove them
  // if empty (another run may be using them).
  std::error_code ignored;
  for (const std::filesystem::path& dir :
       {op_path.parent_path(), cp_root, cp_root.parent_path() / "location",
        cp_root.parent_path()}) {
    std::filesystem::remove(dir, ignored);
  }
}

}  // namespace
}  // namespace gridwork::testing
