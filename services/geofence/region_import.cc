#include "services/geofence/region_import.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include <boost/geometry/algorithms/point_on_surface.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridwork/geo/distance.h"
#include "gridwork/geo/geojson.h"
#include "gridwork/geo/validate.h"
#include "gridwork/service/time_convert.h"
#include "services/geofence/core_helpers.h"
#include "services/geofence/keys.h"
#include "gridwork/clients/region_geometry.h"

namespace gridwork::geofence {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using common::v1::RegionLevel;

struct Candidate {
  int index = -1;  // feature index; -1 for stored regions
  std::string id;
  std::string parent_id;
  RegionLevel level = common::v1::REGION_LEVEL_UNSPECIFIED;
  std::string name;
  std::map<std::string, std::string> properties;
  geo::MultiPolygon geometry;
  double area_m2 = 0;
  bool geometry_ok = false;
};

class IssueList {
 public:
  void Error(int index, const std::string& id, const std::string& code, std::string message,
             const geo::Point* where = nullptr, double area = 0) {
    Add(v1::ValidationIssue::SEVERITY_ERROR, index, id, code, std::move(message), where, area);
  }
  void Warning(int index, const std::string& id, const std::string& code, std::string message,
               double area = 0) {
    Add(v1::ValidationIssue::SEVERITY_WARNING, index, id, code, std::move(message), nullptr,
        area);
  }
  std::vector<v1::ValidationIssue> Take() { return std::move(issues_); }

 private:
  void Add(v1::ValidationIssue::Severity sev, int index, const std::string& id,
           const std::string& code, std::string message, const geo::Point* where, double area) {
    v1::ValidationIssue i;
    i.set_severity(sev);
    i.set_feature_index(index);
    i.set_region_id(id);
    i.set_code(code);
    i.set_message(std::move(message));
    if (where != nullptr) {
      i.mutable_location()->set_lng(where->x());
      i.mutable_location()->set_lat(where->y());
    }
    i.set_area_m2(area);
    issues_.push_back(std::move(i));
  }
  std::vector<v1::ValidationIssue> issues_;
};

std::optional<RegionLevel> ParseLevel(const std::string& s) {
  if (s == "district" || s == "1") return common::v1::REGION_LEVEL_DISTRICT;
  if (s == "street" || s == "2") return common::v1::REGION_LEVEL_STREET;
  if (s == "community" || s == "3") return common::v1::REGION_LEVEL_COMMUNITY;
  if (s == "grid" || s == "4") return common::v1::REGION_LEVEL_GRID;
  return std::nullopt;
}

// Checks the materialised-path syntax; returns "" if fine, else the problem.
std::string IdProblem(const std::string& id, RegionLevel level) {
  if (id.empty()) return "has no id (properties.id or the feature id)";
  std::vector<std::string> segments = absl::StrSplit(id, '/');
  for (const std::string& seg : segments) {
    if (seg.empty() || seg.size() > 32) {
      return absl::StrCat("id \"", id, "\" has an empty or over-long (>32) path segment");
    }
    for (char c : seg) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return absl::StrCat("id \"", id, "\" may only use a-z, 0-9, '-' and '/' separators");
      }
    }
  }
  if (static_cast<int>(segments.size()) != static_cast<int>(level)) {
    return absl::StrCat("id \"", id, "\" has ", segments.size(), " path segments but level ",
                        LevelName(level), " needs ", static_cast<int>(level));
  }
  return "";
}

std::string ParentOf(const std::string& id) {
  size_t pos = id.rfind('/');
  return pos == std::string::npos ? "" : id.substr(0, pos);
}

double Allowed(double abs_m2, double ratio, double reference_area) {
  return std::max(abs_m2, ratio * reference_area);
}

double AreaOf(const geo::MultiPolygon& mp) { return geo::AreaSquareMeters(mp); }

void CheckTree(const std::map<std::string, Candidate>& final_regions,
               const std::set<std::string>& imported, const ImportTolerances& tol,
               IssueList* issues) {
  // Group the final tree's regions by parent.
  std::map<std::string, std::vector<const Candidate*>> children;
  for (const auto& [id, c] : final_regions) children[c.parent_id].push_back(&c);

  for (const auto& [parent_id, kids] : children) {
    const Candidate* parent = nullptr;
    if (!parent_id.empty()) {
      auto it = final_regions.find(parent_id);
      if (it == final_regions.end()) continue;  // reported as UNKNOWN_PARENT already
      parent = &it->second;
    }
    const bool parent_changed = parent != nullptr && imported.count(parent_id) > 0;
    bool any_child_changed = false;

    // Inside parent: imported children, and stored children of a replaced parent.
    for (const Candidate* c : kids) {
      const bool changed = imported.count(c->id) > 0;
      any_child_changed |= changed;
      if (parent == nullptr || !(changed || parent_changed)) continue;
      if (!c->geometry_ok || !parent->geometry_ok) continue;
      for (const geo::ValidationIssue& gi : geo::CheckInsideParent(
               c->geometry, parent->geometry,
               Allowed(tol.outside_parent_m2, tol.outside_parent_ratio, c->area_m2))) {
        issues->Error(c->index, c->id, std::string(geo::IssueCodeName(gi.code)),
                      absl::StrCat(c->id, " vs its parent ", parent_id, ": ", gi.message),
                      gi.where ? &*gi.where : nullptr, gi.area_m2);
      }
    }

    // Sibling overlaps among pairs with at least one imported member, via an R-tree of
    // bounding boxes.
    using Entry = std::pair<geo::Box, size_t>;
    std::vector<Entry> boxes;
    for (size_t i = 0; i < kids.size(); ++i) {
      if (!kids[i]->geometry_ok) continue;
      boxes.emplace_back(bg::return_envelope<geo::Box>(kids[i]->geometry), i);
    }
    bgi::rtree<Entry, bgi::quadratic<16>> rtree(boxes.begin(), boxes.end());
    for (const auto& [box, i] : boxes) {
      const Candidate* a = kids[i];
      if (imported.count(a->id) == 0) continue;
      std::vector<Entry> hits;
      rtree.query(bgi::intersects(box), std::back_inserter(hits));
      for (const auto& [hbox, j] : hits) {
        const Candidate* b = kids[j];
        if (j == i) continue;
        // Report each pair once: when both are imported, from the smaller index.
        if (imported.count(b->id) > 0 && j < i) continue;
        for (const geo::ValidationIssue& gi : geo::CheckSiblingOverlap(
                 a->geometry, b->geometry,
                 Allowed(tol.sibling_overlap_m2, tol.sibling_overlap_ratio,
                         std::min(a->area_m2, b->area_m2)))) {
          issues->Error(a->index, a->id, std::string(geo::IssueCodeName(gi.code)),
                        absl::StrCat(a->id, " vs its sibling ", b->id, ": ", gi.message),
                        gi.where ? &*gi.where : nullptr, gi.area_m2);
        }
      }
    }

    // Gaps: part of the parent not covered by its children (a warning).
    if (parent != nullptr && parent->geometry_ok && (any_child_changed || parent_changed)) {
      double covered = 0;
      for (const Candidate* c : kids) covered += c->area_m2;
      const double gap_estimate = parent->area_m2 - covered;
      if (gap_estimate > tol.min_reported_gap_m2) {
        issues->Warning(-1, parent_id, "GAP_IN_PARENT",
                        absl::StrCat(static_cast<int64_t>(gap_estimate), " m² (",
                                     static_cast<int>(100 * gap_estimate / parent->area_m2),
                                     "%) of ", parent_id,
                                     " is not covered by any child; points there locate to ",
                                     parent_id, " itself"),
                        gap_estimate);
      }
    }
  }
}

}  // namespace

bool ImportPlan::has_errors() const {
  for (const auto& i : issues) {
    if (i.severity() == v1::ValidationIssue::SEVERITY_ERROR) return true;
  }
  return false;
}

std::string ImportPlan::ErrorSummary() const {
  std::string out = "import rejected, nothing was written:";
  int shown = 0, errors = 0;
  for (const auto& i : issues) {
    if (i.severity() != v1::ValidationIssue::SEVERITY_ERROR) continue;
    ++errors;
    if (shown < 20) {
      absl::StrAppend(&out, shown == 0 ? " " : "; ", "feature #", i.feature_index(),
                      i.region_id().empty() ? "" : absl::StrCat(" (", i.region_id(), ")"), ": [",
                      i.code(), "] ", i.message());
      ++shown;
    }
  }
  if (errors > shown) absl::StrAppend(&out, "; and ", errors - shown, " more");
  return out;
}

absl::StatusOr<ImportPlan> PlanImport(const std::string& geojson, const RegionTree& existing,
                                      const ImportLimits& limits,
                                      const ImportTolerances& tolerances, absl::Time now) {
  absl::StatusOr<std::vector<geo::Feature>> features = geo::ParseFeatures(geojson);
  if (!features.ok()) return features.status();
  if (features->empty()) return absl::InvalidArgumentError("the GeoJSON has no features");
  if (features->size() > limits.max_features) {
    return absl::ResourceExhaustedError(absl::StrCat("import has ", features->size(),
                                                     " features; at most ", limits.max_features,
                                                     " per import — split it by district"));
  }
  size_t total_vertices = 0;
  for (const auto& f : *features) total_vertices += bg::num_points(f.geometry);
  if (total_vertices > limits.max_vertices) {
    return absl::ResourceExhaustedError(absl::StrCat("import has ", total_vertices,
                                                     " vertices; at most ", limits.max_vertices));
  }

  ImportPlan plan;
  IssueList issues;
  std::map<std::string, Candidate> final_regions;
  for (const v1::Region* r : existing.All()) {
    Candidate c;
    c.id = r->id();
    c.parent_id = r->parent_id();
    c.level = r->level();
    c.geometry = *existing.Geometry(r->id());
    c.area_m2 = r->area_m2();
    c.geometry_ok = true;
    final_regions[c.id] = std::move(c);
  }

  std::set<std::string> imported;
  std::vector<Candidate> incoming;
  for (size_t i = 0; i < features->size(); ++i) {
    geo::Feature& f = (*features)[i];
    const int index = static_cast<int>(i);
    Candidate c;
    c.index = index;
    auto prop = [&](const std::string& k) -> std::string {
      auto it = f.properties.find(k);
      return it == f.properties.end() ? std::string() : it->second;
    };
    c.id = prop("id").empty() ? f.id : prop("id");
    std::optional<RegionLevel> level = ParseLevel(prop("level"));
    if (!level) {
      issues.Error(index, c.id, "BAD_LEVEL",
                   absl::StrCat("properties.level must be district, street, community or grid; "
                                "got \"", prop("level"), "\""));
      continue;
    }
    c.level = *level;
    if (std::string problem = IdProblem(c.id, c.level); !problem.empty()) {
      issues.Error(index, c.id, "BAD_ID", problem);
      continue;
    }
    c.parent_id = ParentOf(c.id);
    if (!prop("parent").empty() && prop("parent") != c.parent_id) {
      issues.Error(index, c.id, "BAD_PARENT",
                   absl::StrCat("properties.parent is \"", prop("parent"), "\" but the id says \"",
                                c.parent_id, "\""));
      continue;
    }
    if (!imported.insert(c.id).second) {
      issues.Error(index, c.id, "DUPLICATE_ID", absl::StrCat(c.id, " appears twice in the import"));
      continue;
    }
    c.name = prop("name").empty() ? c.id : prop("name");
    for (const auto& [k, v] : f.properties) {
      if (k != "id" && k != "level" && k != "parent" && k != "name") c.properties[k] = v;
    }
    geo::ValidationOptions geometry_options;
    geometry_options.max_vertices = limits.max_vertices_per_feature;
    std::vector<geo::ValidationIssue> geometry_issues =
        geo::ValidateGeometry(f.geometry, geometry_options);
    for (const geo::ValidationIssue& gi : geometry_issues) {
      issues.Error(index, c.id, std::string(geo::IssueCodeName(gi.code)), gi.message,
                   gi.where ? &*gi.where : nullptr);
    }
    c.geometry = std::move(f.geometry);
    c.geometry_ok = geometry_issues.empty();
    if (c.geometry_ok) c.area_m2 = AreaOf(c.geometry);
    incoming.push_back(std::move(c));
  }

  for (Candidate& c : incoming) final_regions[c.id] = c;
  for (const Candidate& c : incoming) {
    if (!c.parent_id.empty() && final_regions.count(c.parent_id) == 0) {
      issues.Error(c.index, c.id, "UNKNOWN_PARENT",
                   absl::StrCat("parent ", c.parent_id,
                                " is neither stored nor in this import; import parents first or "
                                "in the same file"));
    }
  }
  CheckTree(final_regions, imported, tolerances, &issues);

  for (const Candidate& c : incoming) {
    if (!c.geometry_ok) continue;
    v1::Region r;
    r.set_id(c.id);
    r.set_parent_id(c.parent_id);
    r.set_level(c.level);
    r.set_name(c.name);
    r.set_area_m2(c.area_m2);
    geo::Box box = bg::return_envelope<geo::Box>(c.geometry);
    r.mutable_bbox_min()->set_lng(box.min_corner().x());
    r.mutable_bbox_min()->set_lat(box.min_corner().y());
    r.mutable_bbox_max()->set_lng(box.max_corner().x());
    r.mutable_bbox_max()->set_lat(box.max_corner().y());
    geo::Point label;
    bg::point_on_surface(c.geometry, label);
    r.mutable_label_point()->set_lng(label.x());
    r.mutable_label_point()->set_lat(label.y());
    *r.mutable_geometry() = clients::ToProto(c.geometry);
    for (const auto& [k, v] : c.properties) (*r.mutable_properties())[k] = v;
    const v1::Region* stored = existing.Find(c.id);
    r.set_version(stored == nullptr ? 1 : stored->version() + 1);
    (stored == nullptr ? plan.created : plan.replaced) += 1;
    *r.mutable_update_time() = service::ToProto(now);
    plan.regions.push_back(std::move(r));
  }
  plan.issues = issues.Take();
  return plan;
}

}  // namespace gridwork::geofence
