#!/usr/bin/env python3
"""Writes the seed corpora of the gateway and service fuzzers (docs/fuzzing.md) into
tests/fuzz/corpus/<fuzzer>/. Protobuf seeds are encoded by hand (no protobuf module needed).
Run from anywhere; existing files of the same name are overwritten."""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(fuzzer, name, data):
    d = os.path.join(ROOT, fuzzer)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def ld(field, payload):  # length-delimited field
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def vi(field, n):
    return varint(field << 3) + varint(n & 0xFFFFFFFFFFFFFFFF)


def dbl(field, x):
    return varint(field << 3 | 1) + struct.pack("<d", x)


# ---- gateway_json: byte 0 picks the method (policy-table order), rest is the body ----
bodies = [
    "{}",
    '{"request_id":"r1","category_id":"garbage","position":{"lat":34.72,"lng":113.61},'
    '"description":"bin"}',
    '{"region_id":"410105/s01/c01","page_size":50,"page_token":""}',
    '{"order_id":"wo-1","expected_version":"3","action":"ACTION_ACCEPT"}',
    '{"worker_id":"w-g01","start_time":"2026-11-23T00:00:00Z","end_time":"2026-11-24T00:00:00Z"}',
    '{"geojson":"{\\"type\\":\\"FeatureCollection\\",\\"features\\":[]}","request_id":"i"}',
    '{"page_size":-1,"lat":1e400,"x":NaN}',
    '{"position":{"lat":"NaN","lng":"Infinity"}}',
    "[" * 200 + "]" * 200,
    '{"a":' * 120 + "1" + "}" * 120,
    '{"username":"\\ud800","password":"\xff"}',
    '{"from_sequence":"18446744073709551616"}',
]
for i, body in enumerate(bodies):
    for method in (0, 17, 45, 60, 90):
        write("gateway_json", f"m{method:03d}-b{i:02d}", bytes([method]) + body.encode("utf-8", "surrogatepass"))

# ---- http_request ----
reqs = [
    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "POST /api/gridwork.workorder.v1.WorkOrderService/ListOrders HTTP/1.1\r\nHost: x\r\n"
    "Authorization: Bearer a.b.c\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
    "GET /api/gridwork.common.v1.Feed/Watch/stream?upstream=workorder&from_sequence=1 HTTP/1.1\r\n\r\n",
    "GET /osmand?id=862123456&lat=34.72&lon=113.61&timestamp=1763884800&speed=2 HTTP/1.0\r\n\r\n",
    "POST /osmand HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    "Content-Length: 45\r\n\r\nid=1&lat=34.7&lon=113.6&timestamp=1763884800",
    "POST /open311/v2/requests.json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    "1a\r\nservice_code=g&lat=1&long=2\r\n0\r\n\r\n",
    "GET /%2e%2e/%ff%zz?a=%&b==&&c HTTP/1.1\r\n\r\n",
    "POST /x HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
    "POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    "GET / HTTP/1.1\r\n" + "X: " + "a" * 5000 + "\r\n\r\n",
]
for i, r in enumerate(reqs):
    write("http_request", f"req{i:02d}", r)

# ---- osmand_form and open311_form ----
forms = [
    "id=862123456&lat=34.72&lon=113.61&timestamp=1763884800&speed=2.0&bearing=90&altitude=100"
    "&accuracy=8&batt=80",
    "deviceid=d1&lat=34.7&lon=113.6&timestamp=2026-11-23T08:00:00Z",
    "id=d&lat=34.7&lon=113.6&timestamp=2026-11-23 08:00:00",
    "id=d&lat=nan&lon=inf&timestamp=1763884800123",
    "id=" + "x" * 129 + "&lat=1&lon=2&timestamp=1",
    "id=d&lat=1e308&lon=-1e308&timestamp=-9223372036854775808&speed=1e309",
    "id=%E4%B8%AD&lat=+1&lon=%2B2&timestamp=1",
]
for i, f in enumerate(forms):
    write("osmand_form", f"form{i:02d}", f)
o311 = [
    "api_key=t&service_code=garbage&lat=34.72&long=113.61&description=bin+full",
    "service_code=&lat=1&long=2",
    "service_code=g&lat=abc&long=2",
    "service_code=g&lat=1e999&long=-0",
    "service_code=g&service_code=h&lat=1&lat=2&long=3&description=%F0%9F%97%91",
]
for i, f in enumerate(o311):
    write("open311_form", f"form{i:02d}", f)

# ---- token_verify: tokens as text, and TokenClaims protobufs (sub 1? see gateway.proto) ----
import base64


def b64(s):
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


hdr = b64('{"alg":"HS256","typ":"JWT"}')
payload = b64('{"iss":"gridwork-gateway","sub":"u","aud":"gridwork","exp":4000000000,'
              '"role":"ROLE_ADMIN","sid":"s"}')
write("token_verify", "tok-unsigned", f"{hdr}.{payload}.AAAA")
write("token_verify", "tok-none", b64('{"alg":"none"}') + "." + payload + ".")
write("token_verify", "tok-two-parts", f"{hdr}.{payload}")
write("token_verify", "tok-garbage", "not-a-token")
write("token_verify", "tok-long", "a." * 3000)

# ---- workorder_handlers: byte 0 method (0..15), byte 1 caller (0..8), rest protobuf ----
latlng = ld(3, dbl(1, 34.75) + dbl(2, 113.605))
create = ld(1, "rq-1") + ld(2, "garbage") + latlng + ld(4, "bin overflowing")
for caller in range(9):
    write("workorder_handlers", f"create-c{caller}", bytes([0, caller]) + create)
    write("workorder_handlers", f"list-c{caller}", bytes([5, caller]) + vi(2, 50))
write("workorder_handlers", "get-seed", bytes([2, 3]) + ld(1, "wo-1"))
write("workorder_handlers", "create-nan", bytes([0, 0]) + ld(1, "rq-2") + ld(2, "garbage") +
      ld(3, dbl(1, float("nan")) + dbl(2, float("inf"))))
write("workorder_handlers", "list-huge-page", bytes([5, 0]) + vi(2, 2**31 - 1))
write("workorder_handlers", "list-neg-page", bytes([5, 0]) + vi(2, -5))
write("workorder_handlers", "upsert-cat", bytes([11, 0]) + ld(1, "rq-c") +
      ld(2, ld(1, "a.b") + ld(2, "name") + ld(5, "dept")))
for m in range(16):
    write("workorder_handlers", f"empty-m{m:02d}", bytes([m, m % 9]))

# ---- inspection_rules: byte 0 rule (0 checklist, 1 answers, 2 recurrence) ----
item = ld(1, "FIRE-01") + ld(2, "text") + vi(3, 1)
checklist = ld(1, "fire.small-venue") + vi(2, 1) + ld(3, "fire") + ld(4, "name") + ld(6, item)
write("inspection_rules", "checklist", bytes([0]) + checklist)
answer = ld(1, "FIRE-01") + vi(2, 2)
write("inspection_rules", "answers", bytes([1]) + ld(6, answer) + ld(6, ld(1, "FIRE-02") + dbl(3, 1e308)))
ts = ld(3, vi(1, 1763884800))
write("inspection_rules", "recurrence-weekly", bytes([2]) + vi(1, 2) + vi(2, 1) + ts + ld(4, vi(1, 604800)))
write("inspection_rules", "recurrence-monthly", bytes([2]) + vi(1, 3) + vi(2, 366) + ts + ld(4, vi(1, 86400)))
write("inspection_rules", "recurrence-negative", bytes([2]) + vi(1, 1) + vi(2, -1) + ts + ld(4, vi(1, -1)))
