#include "tests/reliability/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace gridwork::testing {
namespace {

int Connect(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Close with RST instead of FIN.
void Reset(int fd) {
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  close(fd);
}

bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(std::string target)
    : target_host_(target.substr(0, target.rfind(':'))),
      target_port_(std::atoi(target.substr(target.rfind(':') + 1).c_str())) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  listen(listen_fd_, 128);
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  close(listen_fd_);
  std::lock_guard<std::mutex> lock(mu_);
  for (std::thread& t : relays_) t.join();
}

void TcpProxy::SetMode(Mode mode, absl::Duration latency) {
  latency_us_ = absl::ToInt64Microseconds(latency);
  mode_ = static_cast<int>(mode);
}

void TcpProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    ++accepted_;
    if (static_cast<Mode>(mode_.load()) == Mode::kReset) {
      Reset(client);
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    relays_.emplace_back([this, client] { Relay(client); });
  }
}

void TcpProxy::Relay(int client) {
  const int now_open = ++open_;
  int seen = max_open_.load();
  while (now_open > seen && !max_open_.compare_exchange_weak(seen, now_open)) {
  }
  int server =
      static_cast<Mode>(mode_.load()) == Mode::kHang ? -1 : Connect(target_host_, target_port_);
  if (server < 0 && static_cast<Mode>(mode_.load()) != Mode::kHang) {
    Reset(client);
    --open_;
    return;
  }
  char buf[16384];
  bool done = false;
  while (!done && !stop_) {
    const Mode mode = static_cast<Mode>(mode_.load());
    if (mode == Mode::kReset) break;
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    const int nfds = server >= 0 ? 2 : 1;
    if (poll(fds, nfds, 50) <= 0) continue;
    for (int i = 0; i < nfds && !done; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t n = recv(fds[i].fd, buf, sizeof(buf), 0);
      if (n <= 0) {
        done = true;
        break;
      }
      const Mode now = static_cast<Mode>(mode_.load());
      if (now == Mode::kHang || server < 0) continue;  // swallow
      if (now == Mode::kDelay) {
        std::this_thread::sleep_for(std::chrono::microseconds(latency_us_.load()));
      }
      if (!WriteAll(i == 0 ? server : client, buf, static_cast<size_t>(n))) done = true;
    }
  }
  if (static_cast<Mode>(mode_.load()) == Mode::kReset || stop_) {
    Reset(client);
    if (server >= 0) Reset(server);
  } else {
    close(client);
    if (server >= 0) close(server);
  }
  --open_;
}

}  // namespace gridwork::testing
