// A minimal HTTP/1.0 client for the gateway integration tests: one request per connection,
// status + body, optional headers and body; and a Server-Sent Events reader that returns the
// first data frame.
#ifndef GRIDWORK_TESTS_INTEGRATION_GATEWAY_HTTP_CLIENT_H_
#define GRIDWORK_TESTS_INTEGRATION_GATEWAY_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gridwork::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::string raw;
};

// Sends `method path` with `headers` ("Name: value") and `body`; reads until the server
// closes, or until `stop_at` appears in the response (for event streams).
inline HttpResult HttpCall(int port, const std::string& method, const std::string& path,
                           const std::vector<std::string>& headers = {},
                           const std::string& body = "", const std::string& stop_at = "") {
  HttpResult out;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return out;
  }
  std::string req = absl::StrCat(method, " ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n");
  for (const auto& h : headers) absl::StrAppend(&req, h, "\r\n");
  if (!body.empty() || method == "POST")
    absl::StrAppend(&req, "Content-Length: ", body.size(), "\r\n");
  absl::StrAppend(&req, "\r\n", body);
  (void)!write(fd, req.data(), req.size());
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    out.raw.append(buf, static_cast<size_t>(n));
    if (!stop_at.empty() && out.raw.find(stop_at) != std::string::npos) break;
  }
  close(fd);
  if (out.raw.size() > 12) (void)absl::SimpleAtoi(out.raw.substr(9, 3), &out.status);
  size_t b = out.raw.find("\r\n\r\n");
  if (b != std::string::npos) out.body = out.raw.substr(b + 4);
  return out;
}

}  // namespace gridwork::testing

#endif  // GRIDWORK_TESTS_INTEGRATION_GATEWAY_HTTP_CLIENT_H_
