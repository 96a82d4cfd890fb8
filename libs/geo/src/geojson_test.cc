#include "gridwork/geo/geojson.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

namespace gridwork::geo {
namespace {

constexpr char kSquare[] = R"({"type":"FeatureCollection","features":[
  {"type":"Feature","id":"g1","properties":{"name":"网格一","pop":1200,"area":0.25,
   "ok":true,"tags":["a","b"],"nothing":null},
   "geometry":{"type":"Polygon","coordinates":[[[113.5,34.5],[113.6,34.5],[113.6,34.6],
   [113.5,34.6],[113.5,34.5]]]}},
  {"type":"Feature","id":7,"properties":{},
   "geometry":{"type":"MultiPolygon","coordinates":[
     [[[0,0],[0,1],[1,1],[1,0],[0,0]],[[0.2,0.2],[0.4,0.2],[0.4,0.4],[0.2,0.4],[0.2,0.2]]],
     [[[2,0],[3,0],[3,1],[2,0]]]]}}]})";

std::string ErrorOf(absl::string_view text) {
  auto r = ParseFeatures(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

TEST_CASE("ParseFeatures reads ids, properties and both polygon types") {
  auto r = ParseFeatures(kSquare);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  const Feature& a = (*r)[0];
  CHECK(a.id == "g1");
  CHECK(a.properties.at("name") == "网格一");
  CHECK(a.properties.at("pop") == "1200");
  CHECK(a.properties.at("area") == "0.25");
  CHECK(a.properties.at("ok") == "true");
  CHECK(a.properties.at("tags") == R"(["a","b"])");
  CHECK(a.properties.count("nothing") == 0);
  REQUIRE(a.geometry.size() == 1);
  // Corrected to Boost's clockwise-outer convention: positive area.
  CHECK(bg::area(a.geometry) == Approx(0.01));
  const Feature& b = (*r)[1];
  CHECK(b.id == "7");
  REQUIRE(b.geometry.size() == 2);
  REQUIRE(b.geometry[0].inners().size() == 1);
  CHECK(bg::area(b.geometry) == Approx(1.0 - 0.04 + 0.5));
  CHECK(bg::is_valid(b.geometry));
}

TEST_CASE("WriteFeatureCollection round-trips and writes RFC 7946 orientation") {
  auto r = ParseFeatures(kSquare);
  REQUIRE(r.ok());
  const std::string text = WriteFeatureCollection(*r);
  // Numbers stay numbers, strings stay strings.
  CHECK(text.find(R"("pop":1200)") != std::string::npos);
  CHECK(text.find(R"("ok":"true")") != std::string::npos);
  CHECK(text.find(R"("type":"Polygon")") != std::string::npos);
  CHECK(text.find(R"("type":"MultiPolygon")") != std::string::npos);
  // The first outer ring starts at 113.5,34.5 and must go counter-clockwise: east first.
  CHECK(text.find("[[[113.5,34.5],[113.6,34.5],[113.6,34.6]") != std::string::npos);
  auto again = ParseFeatures(text);
  REQUIRE(again.ok());
  REQUIRE(again->size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK((*again)[i].id == (*r)[i].id);
    CHECK((*again)[i].properties == (*r)[i].properties);
    CHECK(bg::equals((*again)[i].geometry, (*r)[i].geometry));
  }
}

TEST_CASE("Coordinates are written with at most 9 decimals") {
  Feature f;
  Polygon p;
  bg::read_wkt("POLYGON((0.1234567891234 0,0 1,1 1,0.1234567891234 0))", p);
  f.geometry.push_back(p);
  const std::string text = WriteFeatureCollection({f});
  CHECK(text.find("0.123456789,") != std::string::npos);
  CHECK(text.find("0.1234567891") == std::string::npos);
}

TEST_CASE("A bare geometry and a single Feature are accepted") {
  auto g = ParseFeatures(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]})");
  REQUIRE(g.ok());
  REQUIRE(g->size() == 1);
  CHECK((*g)[0].id.empty());
  auto f = ParseFeatures(
      R"({"type":"Feature","properties":null,"geometry":{"type":"Polygon","coordinates":[]}})");
  REQUIRE(f.ok());
  CHECK((*f)[0].geometry.empty());  // empty geometry: validate.h reports kEmpty.
}

TEST_CASE("An unclosed ring is closed") {
  auto r = ParseFeatures(R"({"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0]]]})");
  REQUIRE(r.ok());
  const Ring& ring = (*r)[0].geometry[0].outer();
  REQUIRE(ring.size() == 5);
  CHECK(bg::equals(ring.front(), ring.back()));
  CHECK(bg::area((*r)[0].geometry) == Approx(1.0));
}

TEST_CASE("Malformed inputs fail with a message naming the place") {
  CHECK(ErrorOf("").find("not valid JSON") != std::string::npos);
  CHECK(ErrorOf("{\"type\":").find("not valid JSON at byte") != std::string::npos);
  CHECK(ErrorOf("[1,2]").find("must be an object") != std::string::npos);
  CHECK(ErrorOf("{}").find("no \"type\"") != std::string::npos);
  // JSON has no NaN literal: it is a syntax error.
  CHECK(ErrorOf(R"({"type":"Polygon","coordinates":[[[NaN,0],[1,0],[1,1],[0,0]]]})")
            .find("not valid JSON") != std::string::npos);
  // A number too large for a double is rejected.
  CHECK(ErrorOf(R"({"type":"Polygon","coordinates":[[[1e400,0],[1,0],[1,1],[0,0]]]})")
            .find("number overflow") != std::string::npos);
  CHECK(ErrorOf(R"({"type":"FeatureCollection","features":[
      {"type":"Feature","id":"a","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
      {"type":"Feature","id":"x9","properties":{},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]})")
            .find("feature 1 (id \"x9\"): geometry.type: geometry type LineString is not "
                  "Polygon or MultiPolygon") != std::string::npos);
  CHECK(
      ErrorOf(
          R"({"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],["1",0],[1,1],[0,0]]]}})")
          .find("geometry.coordinates[0][1][0]: coordinate is not a number (string)") !=
      std::string::npos);
  CHECK(
      ErrorOf(
          R"({"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}})")
          .find("coordinates[0][1]: a position needs 2 numbers, got 1") != std::string::npos);
  CHECK(
      ErrorOf(R"({"type":"Feature","properties":{},"geometry":null})").find("geometry: missing") !=
      std::string::npos);
  CHECK(ErrorOf(R"({"type":"FeatureCollection","features":{}})").find("no \"features\" array") !=
        std::string::npos);
  CHECK(ErrorOf(
            R"({"type":"Feature","properties":[],"geometry":{"type":"Polygon","coordinates":[]}})")
            .find("properties: must be an object") != std::string::npos);
}

TEST_CASE("Huge inputs: many vertices parse, deep nesting is an error not a crash") {
  std::string ring = "[";
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    double a = 2 * 3.141592653589793 * i / n;
    if (i > 0) ring += ',';
    ring += '[';
    ring += std::to_string(std::cos(a));
    ring += ',';
    ring += std::to_string(std::sin(a));
    ring += ']';
  }
  ring += "]";
  auto r = ParseFeatures(R"({"type":"Polygon","coordinates":[)" + ring + "]}");
  REQUIRE(r.ok());
  CHECK((*r)[0].geometry[0].outer().size() == n + 1);  // closed by correct()
  const std::string deep = R"({"type":"Polygon","coordinates":)" + std::string(100000, '[') +
                           std::string(100000, ']') + "}";
  auto d = ParseFeatures(deep);
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("The real Zhengzhou districts parse") {
  std::ifstream in(GRIDWORK_TEST_DATA_DIR "/zhengzhou-districts.geojson");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = ParseFeatures(ss.str());
  REQUIRE(r.ok());
  CHECK(r->size() == 12);
  CHECK((*r)[0].id == "410102");
  CHECK((*r)[0].properties.at("name") == "中原区");
  for (const Feature& f : *r) CHECK(bg::area(f.geometry) > 0);
}

}  // namespace
}  // namespace gridwork::geo
