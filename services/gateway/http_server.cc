#include "services/gateway/http_server.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gridwork/core/log.h"
#include "services/gateway/http_api.h"
#include "services/gateway/http_parse.h"
#include "services/gateway/loopback_client.h"
#include "services/gateway/open311.h"
#include "services/gateway/osmand_intake.h"
#include "services/gateway/static_files.h"

namespace gridwork::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

void SetSocketTimeouts(tcp::socket& s, absl::Duration d) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(absl::ToInt64Seconds(d));
  tv.tv_usec = 0;
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace

struct HttpServer::Impl {
  HttpOptions options;
  HttpDeps deps;
  std::unique_ptr<LoopbackClient> loopback;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread accept_thread;
  std::atomic<bool> stopping{false};
  int port = 0;

  absl::Mutex mu;
  int connections ABSL_GUARDED_BY(mu) = 0;
  absl::flat_hash_map<int, tcp::socket*> open ABSL_GUARDED_BY(mu);

  HttpResponse Route(const HttpRequest& req, const std::function<SseSink()>& start,
                     bool* streamed) {
    *streamed = false;
    if (req.path == "/healthz") {
      HttpResponse r;
      r.content_type = "text/plain";
      r.body = "ok";
      return r;
    }
    if (absl::StartsWith(req.path, "/api/")) {
      if (req.method == "GET" && absl::EndsWith(req.path, "/stream")) {
        return HandleApiStream(loopback.get(), req, start, streamed);
      }
      return HandleApiCall(loopback.get(), req);
    }
    if (req.path == "/osmand" || req.path == "/osmand/") {
      return HandleOsmAnd(req, deps.identity, deps.upstreams, deps.router, deps.principals);
    }
    if (absl::StartsWith(req.path, "/open311/")) {
      return HandleOpen311(loopback.get(), deps.upstreams, deps.router, deps.principals, req);
    }
    return ServeStatic(options.web_root, req);
  }

  void Serve(tcp::socket& sock) {
    SetSocketTimeouts(sock, options.io_timeout);
    beast::error_code ec;
    tcp::endpoint remote = sock.remote_endpoint(ec);
    std::string peer =
        ec ? "unknown" : absl::StrCat("ipv4:", remote.address().to_string(), ":", remote.port());
    beast::flat_buffer buf;
    for (;;) {
      BeastRequestParser parser;
      ConfigureParser({options.max_header_bytes, options.max_body_bytes}, &parser);
      http::read(sock, buf, parser, ec);
      if (ec == http::error::body_limit) {
        WriteSimple(sock, 413, "{\"code\":\"RESOURCE_EXHAUSTED\",\"message\":\"body too large\"}");
        LingerClose(sock);
        break;
      }
      if (ec == http::error::header_limit) {
        WriteSimple(sock, 431,
                    "{\"code\":\"RESOURCE_EXHAUSTED\",\"message\":\"headers too large\"}");
        LingerClose(sock);
        break;
      }
      if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message) {
        // Malformed HTTP (bad request line, header, Content-Length, chunk framing): say so.
        WriteSimple(sock, 400,
                    "{\"code\":\"INVALID_ARGUMENT\",\"message\":\"malformed HTTP request\"}");
        LingerClose(sock);
        break;
      }
      if (ec) break;  // closed or timed out
      const unsigned version = parser.get().version();
      const bool keep_alive = parser.get().keep_alive();
      HttpRequest req = ToHttpRequest(parser.release(), peer);
      bool streamed = false;
      auto start = [&]() -> SseSink {
        std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            "Connection: close\r\nX-Accel-Buffering: no\r\n\r\n";
        beast::error_code wec;
        asio::write(sock, asio::buffer(head), wec);
        return [&sock](absl::string_view event, absl::string_view data) {
          std::string frame;
          if (!event.empty()) absl::StrAppend(&frame, "event: ", event, "\n");
          absl::StrAppend(&frame, "data: ", data, "\n\n");
          beast::error_code e;
          asio::write(sock, asio::buffer(frame), e);
          return !e;
        };
      };
      HttpResponse resp = Route(req, start, &streamed);
      if (streamed) break;  // SSE responses end the connection
      http::response<http::string_body> out{static_cast<http::status>(resp.status), version};
      out.set(http::field::server, "gridwork-gateway");
      out.set(http::field::content_type, resp.content_type);
      for (const auto& [k, v] : resp.headers) out.set(k, v);
      out.keep_alive(keep_alive && !stopping.load());
      out.body() = std::move(resp.body);
      out.prepare_payload();
      http::write(sock, out, ec);
      if (ec || !out.keep_alive()) break;
    }
    sock.shutdown(tcp::socket::shutdown_both, ec);
  }

  // After an early answer (413/431) the client may still be sending its request: closing
  // with unread input makes the kernel reset the connection, and the client would lose the
  // answer. So half-close, then read and discard (a 16 KiB buffer) until the client closes,
  // for at most 2 s.
  void LingerClose(tcp::socket& sock) {
    beast::error_code ec;
    sock.shutdown(tcp::socket::shutdown_send, ec);
    SetSocketTimeouts(sock, absl::Seconds(1));
    char scratch[16384];
    const absl::Time until = absl::Now() + absl::Seconds(2);
    while (!ec && absl::Now() < until) {
      if (sock.read_some(asio::buffer(scratch), ec) == 0) break;
    }
  }

  void WriteSimple(tcp::socket& sock, int status, const std::string& body) {
    http::response<http::string_body> out{static_cast<http::status>(status), 11};
    out.set(http::field::content_type, "application/json");
    out.keep_alive(false);
    out.body() = body;
    out.prepare_payload();
    beast::error_code ec;
    http::write(sock, out, ec);
  }

  void AcceptLoop() {
    int next_id = 0;
    while (!stopping.load()) {
      beast::error_code ec;
      tcp::socket sock(io);
      acceptor.accept(sock, ec);
      if (ec) {
        if (stopping.load()) break;
        continue;
      }
      int id = ++next_id;
      {
        absl::MutexLock lock(&mu);
        if (connections >= options.max_connections) {
          WriteSimple(sock, 503, "{\"code\":\"UNAVAILABLE\",\"message\":\"too many connections\"}");
          continue;
        }
        ++connections;
      }
      std::thread([this, id, s = std::move(sock)]() mutable {
        {
          absl::MutexLock lock(&mu);
          open[id] = &s;
        }
        Serve(s);
        absl::MutexLock lock(&mu);
        open.erase(id);
        --connections;
      }).detach();
    }
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpOptions& options,
                                                              HttpDeps deps) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->deps = deps;
  impl->loopback = std::make_unique<LoopbackClient>(options.grpc_target, deps.peers);
  std::pair<std::string, std::string> hp = absl::StrSplit(options.addr, absl::MaxSplits(':', 1));
  int port = 0;
  beast::error_code ec;
  auto address = asio::ip::make_address(hp.first, ec);
  if (ec || !absl::SimpleAtoi(hp.second, &port)) {
    return absl::InvalidArgumentError("--http_addr must be ip:port, got " + options.addr);
  }
  tcp::endpoint ep(address, static_cast<unsigned short>(port));
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for HTTP on ", options.addr, ": ", ec.message()));
  }
  impl->port = impl->acceptor.local_endpoint().port();
  Impl* raw = impl.get();
  impl->accept_thread = std::thread([raw] { raw->AcceptLoop(); });
  log::Info("HTTP server listening", {{"http_addr", options.addr}, {"http_port", raw->port}});
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  if (impl_->stopping.exchange(true)) return;
  beast::error_code ec;
  // Wake the blocking accept: shutdown the listening socket.
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  impl_->acceptor.close(ec);
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  {
    absl::MutexLock lock(&impl_->mu);
    for (auto& [id, s] : impl_->open) ::shutdown(s->native_handle(), SHUT_RDWR);
  }
  absl::Time deadline = absl::Now() + impl_->options.io_timeout;
  for (;;) {
    {
      absl::MutexLock lock(&impl_->mu);
      if (impl_->connections == 0) break;
    }
    if (absl::Now() > deadline) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace gridwork::gateway
