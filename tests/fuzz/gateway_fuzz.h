// Fuzz entry points for what the gateway parses from outside (services/gateway): HTTP
// requests, the HTTP/JSON -> protobuf mapping of every method reachable over HTTP, the OsmAnd
// and Open311 forms and access tokens. Same contract as geojson_import_fuzz.h: each takes
// arbitrary bytes and returns 0, and reports a bug by aborting (or through a sanitizer).
//
//   gridwork::fuzz::FuzzGatewayJson(data, size);    // byte 0 picks the method, rest = JSON
//   gridwork::fuzz::FuzzHttpRequest(data, size);    // raw bytes of one HTTP/1.x request
//   gridwork::fuzz::FuzzOsmAndForm(data, size);     // a query string / form body
//   gridwork::fuzz::FuzzOpen311Form(data, size);    // a POST requests.json form body
//   gridwork::fuzz::FuzzTokenVerify(data, size);    // an access token (and claims to sign)
//
// Thread safety: every function may run on several threads at once.
#ifndef GRIDWORK_TESTS_FUZZ_GATEWAY_FUZZ_H_
#define GRIDWORK_TESTS_FUZZ_GATEWAY_FUZZ_H_

#include <cstddef>
#include <cstdint>

namespace gridwork::fuzz {

// Byte 0 selects one of the unary or server-streaming methods of the gateway's policy table
// (every method an HTTP client can reach); the rest is the request body. Checks that
// JsonToRequestBytes fails only with INVALID_ARGUMENT and that what it accepts parses as the
// request type and prints back to JSON; that the rest as a query string through
// QueryToRequestBytes fails only with INVALID_ARGUMENT; and that the rest as a binary
// response of the method gives JSON or DATA_LOSS.
int FuzzGatewayJson(const uint8_t* data, size_t size);

// ParseHttpRequest with 4 KiB header / 64 KiB body limits: fails only with INVALID_ARGUMENT
// or RESOURCE_EXHAUSTED; an accepted request has a body within the limit, and its query and
// body go through the form decoder and, for /osmand and /open311/, their parsers.
int FuzzHttpRequest(const uint8_t* data, size_t size);

// ParseFormEncoded + ParseOsmAnd: INVALID_ARGUMENT or exactly one fix with finite position,
// the device id of at most 128 characters.
int FuzzOsmAndForm(const uint8_t* data, size_t size);

// ParseFormEncoded + ParseOpen311Post: INVALID_ARGUMENT, or a request with a service code.
int FuzzOpen311Form(const uint8_t* data, size_t size);

// TokenCodec::Verify on the bytes: OK or UNAUTHENTICATED with one of its fixed messages (so
// never echoing the token); and the
// bytes as TokenClaims: a signed token of claims with subject, session, role and a future
// expiry verifies to the same claims, with one flipped byte it does not.
int FuzzTokenVerify(const uint8_t* data, size_t size);

}  // namespace gridwork::fuzz

#endif  // GRIDWORK_TESTS_FUZZ_GATEWAY_FUZZ_H_
