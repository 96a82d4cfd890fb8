#!/usr/bin/env python3
"""An independent Open311 GeoReport v2 client: uses only the spec (JSON format) and the
Python standard library. Usage: gateway_open311_client.py <base_url> <api_key>
Exit 0 if the endpoint behaves as the spec says; prints what failed otherwise."""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request


def call(method, url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode() or "null")


def main():
    base, key = sys.argv[1].rstrip("/"), sys.argv[2]
    status, services = call("GET", base + "/services.json")
    assert status == 200, (status, services)
    assert isinstance(services, list) and services, services
    for s in services:
        for field in ("service_code", "service_name", "metadata", "type"):
            assert field in s, (field, s)
    code = services[0]["service_code"]

    # POST without api_key: the spec allows the server to demand one.
    status, err = call("POST", base + "/requests.json",
                       {"service_code": code, "lat": "34.72", "long": "113.61"})
    assert status in (400, 401, 403), (status, err)
    assert isinstance(err, list) and "code" in err[0] and "description" in err[0], err

    status, created = call("POST", base + "/requests.json", {
        "api_key": key, "service_code": code, "lat": "34.72", "long": "113.61",
        "description": "Overflowing bin on the corner (open311 client)"})
    assert status in (200, 201), (status, created)
    assert isinstance(created, list) and created[0].get("service_request_id"), created
    rid = created[0]["service_request_id"]

    status, again = call("POST", base + "/requests.json", {
        "api_key": key, "service_code": code, "lat": "34.72", "long": "113.61",
        "description": "Overflowing bin on the corner (open311 client)"})
    assert status in (200, 201) and again[0]["service_request_id"] == rid, again

    q = urllib.parse.urlencode({"api_key": key})
    status, one = call("GET", base + "/requests/" + urllib.parse.quote(rid) + ".json?" + q)
    assert status == 200 and len(one) == 1, (status, one)
    r = one[0]
    assert r["service_request_id"] == rid and r["status"] in ("open", "closed"), r
    assert r["service_code"] == code and abs(float(r["lat"]) - 34.72) < 1e-6, r

    status, mine = call("GET", base + "/requests.json?" + q + "&status=open")
    assert status == 200 and rid in [x["service_request_id"] for x in mine], (status, mine)
    status, closed = call("GET", base + "/requests.json?" + q + "&status=closed")
    assert status == 200 and rid not in [x["service_request_id"] for x in closed], closed
    print("open311 ok", rid)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("open311 FAILED:", e)
        sys.exit(1)
