// GeoJSON reading and writing (geojson.h), on nlohmann::json.
//
// Reading walks the document with explicit JSON paths so that every error names where it
// happened, e.g. `feature 3 (id "410102"): geometry.coordinates[0][5][1]: not a number`.
// Writing is hand-rolled so that coordinates get the documented fixed precision.
#include "gridwork/geo/geojson.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/json_escape.h"
#include "gridwork/core/status_macros.h"

namespace gridwork::geo {
namespace {

using Json = nlohmann::json;

// Where in the document we are, for error messages.
struct Context {
  std::string feature;  // "feature 3 (id \"x\")" or "geometry"
};

absl::Status Invalid(const Context& ctx, absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(ctx.feature, ": ", path, ": ", what));
}

std::string TypeName(const Json& j) { return std::string(j.type_name()); }

absl::StatusOr<Point> ParsePosition(const Json& j, const Context& ctx, const std::string& path) {
  if (!j.is_array()) return Invalid(ctx, path, "a position must be an array [lng, lat]");
  if (j.size() < 2) {
    return Invalid(ctx, path, absl::StrCat("a position needs 2 numbers, got ", j.size()));
  }
  double v[2];
  for (int i = 0; i < 2; ++i) {
    const Json& c = j[i];
    if (!c.is_number()) {
      return Invalid(ctx, absl::StrCat(path, "[", i, "]"),
                     absl::StrCat("coordinate is not a number (", TypeName(c), ")"));
    }
    v[i] = c.get<double>();
    if (!std::isfinite(v[i])) {
      return Invalid(ctx, absl::StrCat(path, "[", i, "]"), "coordinate is not finite");
    }
  }
  return Point(v[0], v[1]);
}

absl::StatusOr<Ring> ParseRing(const Json& j, const Context& ctx, const std::string& path) {
  if (!j.is_array()) return Invalid(ctx, path, "a ring must be an array of positions");
  Ring ring;
  ring.reserve(j.size() + 1);
  for (size_t i = 0; i < j.size(); ++i) {
    GW_ASSIGN_OR_RETURN(Point p, ParsePosition(j[i], ctx, absl::StrCat(path, "[", i, "]")));
    ring.push_back(p);
  }
  return ring;
}

absl::StatusOr<Polygon> ParsePolygonCoords(const Json& j, const Context& ctx,
                                           const std::string& path) {
  if (!j.is_array()) return Invalid(ctx, path, "polygon coordinates must be an array of rings");
  Polygon poly;
  for (size_t i = 0; i < j.size(); ++i) {
    GW_ASSIGN_OR_RETURN(Ring ring, ParseRing(j[i], ctx, absl::StrCat(path, "[", i, "]")));
    if (i == 0) {
      poly.outer() = std::move(ring);
    } else {
      poly.inners().push_back(std::move(ring));
    }
  }
  return poly;
}

absl::StatusOr<MultiPolygon> ParseGeometry(const Json& g, const Context& ctx,
                                           const std::string& path) {
  if (!g.is_object()) {
    return Invalid(ctx, path, absl::StrCat("geometry must be an object, got ", TypeName(g)));
  }
  auto type_it = g.find("type");
  if (type_it == g.end() || !type_it->is_string()) {
    return Invalid(ctx, path + ".type", "missing geometry type");
  }
  const std::string type = type_it->get<std::string>();
  if (type != "Polygon" && type != "MultiPolygon") {
    return Invalid(ctx, path + ".type",
                   absl::StrCat("geometry type ", type, " is not Polygon or MultiPolygon"));
  }
  auto coords_it = g.find("coordinates");
  if (coords_it == g.end()) return Invalid(ctx, path + ".coordinates", "missing");
  const std::string cpath = path + ".coordinates";
  MultiPolygon mp;
  if (type == "Polygon") {
    GW_ASSIGN_OR_RETURN(Polygon poly, ParsePolygonCoords(*coords_it, ctx, cpath));
    // An empty coordinate array is an empty geometry (RFC 7946 section 3.1).
    if (!poly.outer().empty() || !poly.inners().empty()) mp.push_back(std::move(poly));
  } else {
    if (!coords_it->is_array()) {
      return Invalid(ctx, cpath, "multipolygon coordinates must be an array of polygons");
    }
    for (size_t i = 0; i < coords_it->size(); ++i) {
      GW_ASSIGN_OR_RETURN(
          Polygon poly, ParsePolygonCoords((*coords_it)[i], ctx, absl::StrCat(cpath, "[", i, "]")));
      mp.push_back(std::move(poly));
    }
  }
  bg::correct(mp);  // closes rings and orients them clockwise-outer (types.h).
  return mp;
}

std::string ScalarToString(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();  // numbers, booleans, and nested values as compact JSON.
}

absl::StatusOr<Feature> ParseFeature(const Json& f, size_t index, bool in_collection) {
  Context ctx;
  ctx.feature = in_collection ? absl::StrCat("feature ", index) : "feature";
  if (!f.is_object()) {
    return Invalid(ctx, "", absl::StrCat("a feature must be an object, got ", TypeName(f)));
  }
  Feature out;
  if (auto id = f.find("id"); id != f.end() && !id->is_null()) {
    if (!id->is_string() && !id->is_number()) {
      return Invalid(ctx, "id", "must be a string or a number");
    }
    out.id = ScalarToString(*id);
    ctx.feature = absl::StrCat(ctx.feature, " (id \"", out.id, "\")");
  }
  if (auto t = f.find("type"); t == f.end() || *t != "Feature") {
    return Invalid(ctx, "type", "expected \"Feature\"");
  }
  if (auto props = f.find("properties"); props != f.end() && !props->is_null()) {
    if (!props->is_object()) return Invalid(ctx, "properties", "must be an object or null");
    for (const auto& [key, value] : props->items()) {
      // JSON null carries no value: it is dropped, as if the property were absent.
      if (value.is_null()) continue;
      out.properties.emplace(key, ScalarToString(value));
    }
  }
  auto geom = f.find("geometry");
  if (geom == f.end() || geom->is_null()) {
    return Invalid(ctx, "geometry", "missing; a Polygon or MultiPolygon is required");
  }
  GW_ASSIGN_OR_RETURN(out.geometry, ParseGeometry(*geom, ctx, "geometry"));
  return out;
}

// Strict JSON number grammar (RFC 8259 section 6), so that "007" or " 1" stay strings.
bool IsJsonNumber(absl::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  auto digit = [&](size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
  if (i < n && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

void AppendCoordinate(double v, std::string* out) {
  if (!std::isfinite(v)) {
    // Not representable in JSON; "null" makes a later ParseFeatures fail loudly instead of
    // silently moving the point.
    out->append("null");
    return;
  }
  char buf[64];
  int len = std::snprintf(buf, sizeof(buf), "%.9f", v);
  // Trim trailing zeros (and a trailing dot): 113.500000000 -> 113.5.
  while (len > 0 && buf[len - 1] == '0') --len;
  if (len > 0 && buf[len - 1] == '.') --len;
  if (len == 2 && buf[0] == '-' && buf[1] == '0') len = 1, buf[0] = '0';  // "-0" -> "0"
  out->append(buf, static_cast<size_t>(len));
}

// Appends one ring with the requested orientation (RFC 7946: outer counter-clockwise).
void AppendRing(const Ring& ring, bool want_ccw, std::string* out) {
  const bool is_ccw = bg::area(ring) <= 0;  // Ring is clockwise-typed: clockwise area > 0.
  const bool reverse = is_ccw != want_ccw;
  out->push_back('[');
  for (size_t i = 0; i < ring.size(); ++i) {
    const Point& p = reverse ? ring[ring.size() - 1 - i] : ring[i];
    if (i > 0) out->push_back(',');
    out->push_back('[');
    AppendCoordinate(p.x(), out);
    out->push_back(',');
    AppendCoordinate(p.y(), out);
    out->push_back(']');
  }
  out->push_back(']');
}

}  // namespace

absl::StatusOr<std::vector<Feature>> ParseFeatures(absl::string_view geojson) {
  Json doc;
  try {
    doc = Json::parse(geojson.begin(), geojson.end());
  } catch (const Json::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("GeoJSON is not valid JSON at byte ", e.byte, ": ", e.what()));
  } catch (const Json::exception& e) {  // e.g. a number that overflows a double.
    return absl::InvalidArgumentError(absl::StrCat("GeoJSON is not valid JSON: ", e.what()));
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("GeoJSON must be an object, got ", TypeName(doc)));
  }
  auto type_it = doc.find("type");
  if (type_it == doc.end() || !type_it->is_string()) {
    return absl::InvalidArgumentError("GeoJSON object has no \"type\" member");
  }
  const std::string type = type_it->get<std::string>();
  std::vector<Feature> features;
  if (type == "FeatureCollection") {
    auto list = doc.find("features");
    if (list == doc.end() || !list->is_array()) {
      return absl::InvalidArgumentError("FeatureCollection has no \"features\" array");
    }
    features.reserve(list->size());
    for (size_t i = 0; i < list->size(); ++i) {
      GW_ASSIGN_OR_RETURN(Feature f, ParseFeature((*list)[i], i, /*in_collection=*/true));
      features.push_back(std::move(f));
    }
  } else if (type == "Feature") {
    GW_ASSIGN_OR_RETURN(Feature f, ParseFeature(doc, 0, /*in_collection=*/false));
    features.push_back(std::move(f));
  } else {
    Context ctx{"geometry"};
    GW_ASSIGN_OR_RETURN(MultiPolygon mp, ParseGeometry(doc, ctx, "$"));
    Feature f;
    f.geometry = std::move(mp);
    features.push_back(std::move(f));
  }
  return features;
}

std::string WriteFeatureCollection(const std::vector<Feature>& features) {
  std::string out = "{\"type\":\"FeatureCollection\",\"features\":[";
  for (size_t fi = 0; fi < features.size(); ++fi) {
    const Feature& f = features[fi];
    if (fi > 0) out.push_back(',');
    out.append("{\"type\":\"Feature\"");
    if (!f.id.empty()) {
      out.append(",\"id\":");
      AppendJsonString(f.id, &out);
    }
    out.append(",\"properties\":{");
    bool first = true;
    for (const auto& [key, value] : f.properties) {
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(key, &out);
      out.push_back(':');
      if (IsJsonNumber(value)) {
        out.append(value);
      } else {
        AppendJsonString(value, &out);
      }
    }
    // One part is written as a Polygon, anything else as a MultiPolygon.
    const bool single = f.geometry.size() == 1;
    out.append(single ? "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      : "},\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[");
    for (size_t pi = 0; pi < f.geometry.size(); ++pi) {
      const Polygon& poly = f.geometry[pi];
      if (pi > 0) out.push_back(',');
      out.push_back('[');
      AppendRing(poly.outer(), /*want_ccw=*/true, &out);
      for (const Ring& inner : poly.inners()) {
        out.push_back(',');
        AppendRing(inner, /*want_ccw=*/false, &out);
      }
      out.push_back(']');
    }
    out.append(single ? "}}" : "]}}");
  }
  out.append("]}");
  return out;
}

}  // namespace gridwork::geo
