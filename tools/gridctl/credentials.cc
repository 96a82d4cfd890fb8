#include "tools/gridctl/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace gridwork::gridctl {
namespace {

std::string ConfigDir() {
  const char* dir = std::getenv("GRIDWORK_CONFIG");
  if (dir != nullptr && *dir != '\0') return dir;
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr ? home : ".", "/.config/gridwork");
}

absl::Status MakeDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      std::string prefix = path.substr(0, i);
      if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
        return absl::PermissionDeniedError(
            absl::StrCat("cannot create ", prefix, ": ", std::strerror(errno)));
      }
    }
  }
  return absl::OkStatus();
}

std::string Field(const google::protobuf::Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

}  // namespace

std::string CredentialsPath() { return ConfigDir() + "/credentials.json"; }

absl::StatusOr<std::optional<Credentials>> LoadCredentials() {
  const std::string path = CredentialsPath();
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::optional<Credentials>();
  std::stringstream ss;
  ss << in.rdbuf();
  google::protobuf::Struct s;
  if (!google::protobuf::util::JsonStringToMessage(ss.str(), &s).ok()) {
    return absl::DataLossError(absl::StrCat(path, " is not valid JSON; run gridctl login"));
  }
  Credentials c{Field(s, "gateway"), Field(s, "user"), Field(s, "refresh_token")};
  return std::optional<Credentials>(c);
}

absl::Status SaveCredentials(const Credentials& c) {
  const std::string dir = ConfigDir();
  if (absl::Status s = MakeDirs(dir); !s.ok()) return s;
  google::protobuf::Struct s;
  (*s.mutable_fields())["gateway"].set_string_value(c.gateway);
  (*s.mutable_fields())["user"].set_string_value(c.user);
  (*s.mutable_fields())["refresh_token"].set_string_value(c.refresh_token);
  std::string json;
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(s, &json, o);
  const std::string path = CredentialsPath();
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  }
  fchmod(fd, 0600);  // whatever the umask
  const bool written = write(fd, json.data(), json.size()) == static_cast<ssize_t>(json.size());
  const bool closed = close(fd) == 0;
  if (!written || !closed || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return absl::DataLossError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status DeleteCredentials() {
  const std::string path = CredentialsPath();
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot remove ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace gridwork::gridctl
