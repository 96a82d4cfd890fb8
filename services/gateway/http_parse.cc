#include "services/gateway/http_parse.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gridwork::gateway {

namespace http = boost::beast::http;

void ConfigureParser(const HttpLimits& limits, BeastRequestParser* parser) {
  parser->header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser->body_limit(limits.max_body_bytes);
}

HttpRequest ToHttpRequest(http::request<http::string_body>&& r, const std::string& peer) {
  HttpRequest out;
  out.method = std::string(r.method_string());
  absl::string_view target(r.target().data(), r.target().size());
  std::pair<absl::string_view, absl::string_view> pq =
      absl::StrSplit(target, absl::MaxSplits('?', 1));
  out.path = UrlDecode(pq.first, false);
  out.query = ParseFormEncoded(pq.second);
  if (auto it = r.find(http::field::content_type); it != r.end()) {
    out.content_type = std::string(it->value());
  }
  if (auto it = r.find(http::field::authorization); it != r.end()) {
    out.authorization = std::string(it->value());
  }
  out.body = std::move(r.body());
  out.peer = peer;
  return out;
}

absl::StatusOr<HttpRequest> ParseHttpRequest(absl::string_view bytes, const HttpLimits& limits) {
  BeastRequestParser parser;
  ConfigureParser(limits, &parser);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = 0;
  // put() consumes what it can; loop until the message is done or no progress is made.
  while (!parser.is_done() && used < bytes.size()) {
    size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == http::error::need_more) break;
    if (ec) break;
    if (n == 0) break;
    used += n;
  }
  if (!ec && !parser.is_done()) {
    // The bytes ended. Nothing at all is not a request (put_eof requires some input; found
    // by http_request_fuzzer on the empty input); otherwise a body delimited by the end of
    // the stream is complete now.
    if (!parser.got_some()) return absl::InvalidArgumentError("malformed HTTP request: empty");
    parser.put_eof(ec);
  }
  if (ec == http::error::header_limit) {
    return absl::ResourceExhaustedError("headers too large");
  }
  if (ec == http::error::body_limit) return absl::ResourceExhaustedError("body too large");
  if (ec || !parser.is_done()) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed HTTP request: ", ec ? ec.message() : "incomplete"));
  }
  return ToHttpRequest(parser.release(), "");
}

}  // namespace gridwork::gateway
