#include "tests/integration/service_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/core/ids.h"

namespace gridwork::testing {

std::string BinDir() { return GRIDWORK_BIN_DIR; }

pid_t SpawnChild(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                 const std::string& log_path) {
  // Everything that allocates is prepared before fork.
  std::vector<std::string> args = argv;
  std::vector<char*> arg_ptrs;
  for (std::string& a : args) arg_ptrs.push_back(a.data());
  arg_ptrs.push_back(nullptr);
  std::vector<std::string> env_entries = env;
  { std::ofstream(log_path, std::ios::trunc); }
  const pid_t parent = getpid();
  const bool on_main_thread = static_cast<pid_t>(syscall(SYS_gettid)) == parent;
  const pid_t pid = fork();
  if (pid != 0) return pid;  // the parent, or -1
  if (on_main_thread) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);  // the parent ended before prctl took effect
  }
  const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, STDERR_FILENO);
    dup2(fd, STDOUT_FILENO);
  }
  for (std::string& e : env_entries) putenv(e.data());
  // Unblock the signals the test runner may have blocked, so SIGTERM reaches the child.
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  execv(arg_ptrs[0], arg_ptrs.data());
  _exit(127);
}

TempDir::TempDir() {
  path_ = (std::filesystem::temp_directory_path() / NewId("gridwork-it")).string();
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ServiceProcess::ServiceProcess(std::string binary, std::vector<std::string> args,
                               std::vector<std::string> env)
    : binary_(std::move(binary)), args_(std::move(args)), env_(std::move(env)) {
  const std::string name = std::filesystem::path(binary_).filename().string();
  log_path_ = (std::filesystem::temp_directory_path() / NewId(name + "-log")).string();
}

ServiceProcess::~ServiceProcess() {
  Kill();
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
}

std::string ServiceProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status ServiceProcess::Start(absl::Duration timeout) {
  std::vector<std::string> argv_s = {
      binary_.find('/') != std::string::npos ? binary_ : BinDir() + "/" + binary_};
  bool has_grpc = false, has_metrics = false;
  for (const auto& a : args_) {
    has_grpc |= absl::StartsWith(a, "--grpc_addr");
    has_metrics |= absl::StartsWith(a, "--metrics_addr");
    argv_s.push_back(a);
  }
  if (!has_grpc) argv_s.push_back("--grpc_addr=127.0.0.1:0");
  if (!has_metrics) argv_s.push_back("--metrics_addr=127.0.0.1:0");

  // SpawnChild empties the log, so a restart reads only its own serving line.
  pid_ = SpawnChild(argv_s, env_, log_path_);
  if (pid_ < 0) return absl::InternalError("fork failed");
  const std::regex serving(
      "\"msg\":\"[a-z]+ serving\".*\"grpc_port\":([0-9]+).*\"metrics_port\":([0-9]+)");
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::string log = Log();
    std::smatch m;
    if (std::regex_search(log, m, serving)) {
      grpc_port_ = std::stoi(m[1]);
      metrics_port_ = std::stoi(m[2]);
      return absl::OkStatus();
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat(binary_, " exited during start-up:\n", log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat(binary_, " did not report serving:\n", Log()));
}

int ServiceProcess::Stop(absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (absl::Now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return 128 + SIGKILL;
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int PickFreePort() {
  // The kernel may hand the same free port to two bind(0)s in a row once the first socket is
  // closed; a test that picks several ports before starting its processes must get distinct
  // ones.
  static absl::Mutex mu(absl::kConstInit);
  static auto* picked = new std::set<int>();
  absl::MutexLock lock(&mu);
  for (;;) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    const int port = ntohs(addr.sin_port);
    if (picked->insert(port).second) return port;
  }
}

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  std::string req = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return "";
  }
  std::string resp;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t body = resp.find("\r\n\r\n");
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

}  // namespace gridwork::testing
