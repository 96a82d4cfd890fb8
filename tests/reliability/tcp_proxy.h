// A TCP proxy on 127.0.0.1 between a caller and its downstream, for fault tests: it forwards
// bytes both ways and can be switched at any time to add latency, to reset connections, or to
// hang (accept and swallow, never answer).
//
//   TcpProxy proxy("127.0.0.1:50052");          // listens on 127.0.0.1:<proxy.port()>
//   proxy.SetMode(TcpProxy::Mode::kHang);
//   ... caller configured with --geofence_addr=127.0.0.1:<proxy.port()> ...
//   proxy.open_connections();                   // pile-up check
//
// One thread accepts; one thread per connection relays both directions with poll().
// Thread safety: all methods may be called from any thread.
#ifndef GRIDWORK_TESTS_RELIABILITY_TCP_PROXY_H_
#define GRIDWORK_TESTS_RELIABILITY_TCP_PROXY_H_

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace gridwork::testing {

class TcpProxy {
 public:
  enum class Mode {
    kPass,   // forward at once
    kDelay,  // forward each chunk after `latency` (both directions)
    kReset,  // new connections are reset at once (RST); open ones are reset too
    kHang,   // accept, read and drop everything, send nothing, close nothing
  };

  explicit TcpProxy(std::string target);  // "127.0.0.1:port"
  ~TcpProxy();                            // closes everything, joins the threads
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void SetMode(Mode mode, absl::Duration latency = absl::ZeroDuration());

  int open_connections() const { return open_.load(); }
  int max_open_connections() const { return max_open_.load(); }
  int accepted_connections() const { return accepted_.load(); }

 private:
  void AcceptLoop();
  void Relay(int client);

  const std::string target_host_;
  const int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> mode_{static_cast<int>(Mode::kPass)};
  std::atomic<int64_t> latency_us_{0};
  std::atomic<int> open_{0}, max_open_{0}, accepted_{0};
  std::mutex mu_;
  std::vector<std::thread> relays_;
  std::thread acceptor_;
};

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_RELIABILITY_TCP_PROXY_H_
