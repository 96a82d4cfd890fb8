#include "tests/fuzz/gateway_fuzz.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gridwork/core/clock.h"
#include "services/gateway/http_parse.h"
#include "services/gateway/http_types.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/method_policy.h"
#include "services/gateway/open311.h"
#include "services/gateway/osmand_intake.h"
#include "services/gateway/token_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace gridwork::fuzz {
namespace {

namespace pb = google::protobuf;
using gateway::CallKind;

// Protobuf logs every string field with invalid UTF-8 it refuses to parse; at thousands of
// inputs a second that is most of the fuzzer's time. The harness needs none of it.
[[maybe_unused]] const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

absl::string_view View(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

// Every method an HTTP client can reach: unary (POST /api/...) and server-streaming
// (GET /api/.../stream), in policy-table order so byte 0 keeps its meaning across runs.
const std::vector<const pb::MethodDescriptor*>& HttpMethods() {
  static const auto* methods = [] {
    auto* out = new std::vector<const pb::MethodDescriptor*>;
    for (const gateway::MethodPolicy& p : gateway::PolicyTable::Default().rows()) {
      if (p.kind != CallKind::kUnary && p.kind != CallKind::kServerStreaming) continue;
      const pb::MethodDescriptor* m = gateway::FindMethod(p.method);
      if (m == nullptr) FuzzFail(absl::StrCat("policy row without a descriptor: ", p.method));
      out->push_back(m);
    }
    return out;
  }();
  return *methods;
}

void ExpectCode(const absl::Status& s, std::initializer_list<absl::StatusCode> allowed,
                absl::string_view what) {
  if (s.ok()) return;
  if (std::find(allowed.begin(), allowed.end(), s.code()) != allowed.end()) return;
  FuzzFail(absl::StrCat(what, " failed with an undocumented code: ", s.ToString()));
}

std::unique_ptr<pb::Message> NewMessage(const pb::Descriptor* d) {
  return std::unique_ptr<pb::Message>(
      pb::MessageFactory::generated_factory()->GetPrototype(d)->New());
}

}  // namespace

int FuzzGatewayJson(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& methods = HttpMethods();
  const pb::MethodDescriptor* m = methods[data[0] % methods.size()];
  absl::string_view rest = View(data + 1, size - 1);

  absl::StatusOr<std::string> bytes = gateway::JsonToRequestBytes(m, rest);
  ExpectCode(bytes.status(), {absl::StatusCode::kInvalidArgument}, "JsonToRequestBytes");
  if (bytes.ok()) {
    std::unique_ptr<pb::Message> msg = NewMessage(m->input_type());
    if (!msg->ParseFromString(*bytes)) {
      FuzzFail(absl::StrCat("accepted JSON does not parse as ", m->input_type()->full_name()));
    }
    std::string json;
    if (!pb::util::MessageToJsonString(*msg, &json).ok()) {
      FuzzFail(absl::StrCat("accepted request does not print as JSON: ", m->full_name()));
    }
    // What the gateway printed it must accept again.
    absl::StatusOr<std::string> again = gateway::JsonToRequestBytes(m, json);
    if (!again.ok()) {
      FuzzFail(absl::StrCat("printed JSON is refused: ", json, " ", again.status().ToString()));
    }
  }

  absl::StatusOr<std::string> query =
      gateway::QueryToRequestBytes(m, gateway::ParseFormEncoded(rest));
  ExpectCode(query.status(), {absl::StatusCode::kInvalidArgument}, "QueryToRequestBytes");

  absl::StatusOr<std::string> response = gateway::ResponseBytesToJson(m, rest);
  ExpectCode(response.status(), {absl::StatusCode::kDataLoss, absl::StatusCode::kInternal},
             "ResponseBytesToJson");
  return 0;
}

int FuzzHttpRequest(const uint8_t* data, size_t size) {
  gateway::HttpLimits limits;
  limits.max_header_bytes = 4 << 10;
  limits.max_body_bytes = 64 << 10;
  absl::StatusOr<gateway::HttpRequest> req = gateway::ParseHttpRequest(View(data, size), limits);
  ExpectCode(req.status(),
             {absl::StatusCode::kInvalidArgument, absl::StatusCode::kResourceExhausted},
             "ParseHttpRequest");
  if (!req.ok()) return 0;
  if (req->body.size() > limits.max_body_bytes) FuzzFail("body above the limit was accepted");
  if (req->body.size() > size) FuzzFail("body longer than the input");
  gateway::QueryParams form = gateway::ParseFormEncoded(req->body);
  for (const auto& kv : req->query) form.push_back(kv);
  if (req->path == "/osmand" || req->path == "/osmand/") {
    ExpectCode(gateway::ParseOsmAnd(form).status(), {absl::StatusCode::kInvalidArgument},
               "ParseOsmAnd");
  } else if (req->path.rfind("/open311/", 0) == 0) {
    ExpectCode(gateway::ParseOpen311Post(form).status(), {absl::StatusCode::kInvalidArgument},
               "ParseOpen311Post");
  } else if (req->path.rfind("/api/", 0) == 0) {
    absl::string_view name(req->path);
    name.remove_prefix(5);
    if (const pb::MethodDescriptor* m = gateway::FindMethod(name); m != nullptr) {
      ExpectCode(gateway::JsonToRequestBytes(m, req->body).status(),
                 {absl::StatusCode::kInvalidArgument}, "JsonToRequestBytes");
    }
  }
  return 0;
}

int FuzzOsmAndForm(const uint8_t* data, size_t size) {
  gateway::QueryParams form = gateway::ParseFormEncoded(View(data, size));
  absl::StatusOr<location::v1::FixBatch> batch = gateway::ParseOsmAnd(form);
  ExpectCode(batch.status(), {absl::StatusCode::kInvalidArgument}, "ParseOsmAnd");
  if (!batch.ok()) return 0;
  if (batch->fixes_size() != 1) FuzzFail("ParseOsmAnd did not give exactly one fix");
  if (batch->device_id().empty() || batch->device_id().size() > 128) {
    FuzzFail("ParseOsmAnd accepted a device id that is empty or over 128 characters");
  }
  const location::v1::DeviceFix& fix = batch->fixes(0);
  for (double v : {fix.position().lat(), fix.position().lng(), fix.speed_mps(), fix.heading_deg(),
                   fix.altitude_m(), fix.accuracy_m(), fix.battery_pct()}) {
    if (!std::isfinite(v)) FuzzFail("ParseOsmAnd produced a non-finite number");
  }
  return 0;
}

int FuzzOpen311Form(const uint8_t* data, size_t size) {
  gateway::QueryParams form = gateway::ParseFormEncoded(View(data, size));
  absl::StatusOr<workorder::v1::CreateOrderRequest> req = gateway::ParseOpen311Post(form);
  ExpectCode(req.status(), {absl::StatusCode::kInvalidArgument}, "ParseOpen311Post");
  if (req.ok() && req->category_id().empty()) FuzzFail("accepted without a service_code");
  return 0;
}

int FuzzTokenVerify(const uint8_t* data, size_t size) {
  static FakeClock* clock = new FakeClock(absl::FromUnixSeconds(1763884800));
  static const gateway::TokenCodec* codec =
      new gateway::TokenCodec("fuzz-token-key-0123456789abcdef-0123", "gridwork", clock);
  absl::string_view token = View(data, size);
  absl::StatusOr<gateway::v1::TokenClaims> claims = codec->Verify(token);
  ExpectCode(claims.status(), {absl::StatusCode::kUnauthenticated}, "TokenCodec::Verify");
  if (!claims.ok()) {
    // Every refusal is one of these fixed messages, so no part of the token can be echoed.
    static const char* const kMessages[] = {
        "invalid access token: too long",
        "invalid access token: not three dot-separated parts",
        "invalid access token: not base64url",
        "invalid access token: header is not JSON",
        "invalid access token: algorithm not accepted",
        "invalid access token: signature does not verify",
        "invalid access token: payload is not JSON",
        "invalid access token: wrong issuer",
        "invalid access token: wrong audience",
        "invalid access token: missing subject, session or role",
        "access token has expired; refresh or sign in again",
    };
    bool known = false;
    for (const char* m : kMessages) known = known || claims.status().message() == m;
    if (!known) {
      FuzzFail(absl::StrCat("Verify refused with an unexpected message (may echo the token): ",
                            claims.status().message()));
    }
  }

  // The bytes as claims: sign, verify, compare; a changed byte must not verify.
  gateway::v1::TokenClaims in;
  if (!in.ParseFromArray(data, static_cast<int>(size))) return 0;
  in.DiscardUnknownFields();
  std::string signed_token = codec->Sign(in);
  absl::StatusOr<gateway::v1::TokenClaims> out = codec->Verify(signed_token);
  const bool valid = !in.sub().empty() && !in.sid().empty() &&
                     in.role() != common::v1::ROLE_UNSPECIFIED &&
                     absl::FromUnixSeconds(in.exp()) > clock->Now() && signed_token.size() <= 4096;
  if (valid != out.ok()) {
    FuzzFail(absl::StrCat("signed claims verify=", out.ok(), " expected ", valid, ": ",
                          out.status().ToString()));
  }
  if (out.ok()) {
    gateway::v1::TokenClaims want = in;
    want.set_iss(gateway::kTokenIssuer);
    want.set_aud("gridwork");
    if (!pb::util::MessageDifferencer::Equals(want, *out)) {
      FuzzFail("verified claims differ from the signed ones");
    }
    size_t dot = signed_token.find('.');
    std::string tampered = signed_token;
    tampered[dot + 1 + (size % (signed_token.find('.', dot + 1) - dot - 1))] ^= 1;
    if (codec->Verify(tampered).ok()) FuzzFail("a token with a changed payload byte verified");
  }
  return 0;
}

}  // namespace gridwork::fuzz
