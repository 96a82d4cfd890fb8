#include "services/workorder/catalog.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gridwork/core/region_path.h"
#include "gridwork/service/input_checks.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::workorder {
namespace {

bool ValidCategoryId(absl::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == '.' || id.back() == '.') return false;
  char prev = 0;
  for (char c : id) {
    bool ok = absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '-' || c == '.';
    if (!ok || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

}  // namespace

bool CategoryWithin(absl::string_view category_id, absl::string_view prefix) {
  if (prefix.empty() || category_id == prefix) return true;
  return absl::StartsWith(category_id, prefix) && category_id.size() > prefix.size() &&
         category_id[prefix.size()] == '.';
}

absl::Status ValidateCategory(const v1::Category& c) {
  if (!ValidCategoryId(c.id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("category.id \"", c.id(),
                     "\" must be 1–64 characters of lowercase segments [a-z0-9_-] joined by '.'"));
  }
  size_t dot = c.id().rfind('.');
  std::string parent = dot == std::string::npos ? "" : c.id().substr(0, dot);
  if (c.parent_id() != parent) {
    return absl::InvalidArgumentError(
        absl::StrCat("category.parent_id must be \"", parent, "\" for id \"", c.id(), "\""));
  }
  if (c.name().empty() || c.name().size() > 192) {
    return absl::InvalidArgumentError("category.name must be 1–64 characters");
  }
  const v1::SlaPolicy& s = c.sla();
  for (const auto* d : {&s.triage(), &s.accept(), &s.handle(), &s.review(), &s.verify()}) {
    if (service::FromProto(*d) < absl::ZeroDuration()) {
      return absl::InvalidArgumentError("category.sla durations must not be negative");
    }
  }
  if (!(s.due_soon_fraction() >= 0 && s.due_soon_fraction() < 1)) {
    return absl::InvalidArgumentError("category.sla.due_soon_fraction must be in [0, 1)");
  }
  if (!c.default_department().empty()) {
    if (auto st = service::CheckId(c.default_department(), "category.default_department");
        !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRule(const v1::DispatchRule& r) {
  if (auto s = service::CheckId(r.id(), "rule.id"); !s.ok()) return s;
  if (auto s = service::CheckId(r.department(), "rule.department"); !s.ok()) return s;
  if (!r.category_prefix().empty() && !ValidCategoryId(r.category_prefix())) {
    return absl::InvalidArgumentError("rule.category_prefix must be a category id or empty");
  }
  if (r.region_prefix().find('\0') != std::string::npos || r.region_prefix().size() > 256) {
    return absl::InvalidArgumentError(
        "rule.region_prefix must be a region path of at most 256 bytes");
  }
  return absl::OkStatus();
}

CatalogSnapshot::CatalogSnapshot(std::vector<v1::Category> categories,
                                 std::vector<v1::DispatchRule> rules) {
  for (auto& c : categories) {
    std::string id = c.id();
    categories_.emplace(std::move(id), std::move(c));
  }
  for (auto& r : rules) {
    std::string id = r.id();
    rules_.emplace(std::move(id), std::move(r));
  }
}

const v1::Category* CatalogSnapshot::FindCategory(absl::string_view id) const {
  auto it = categories_.find(id);
  return it == categories_.end() ? nullptr : &it->second;
}

const v1::DispatchRule* CatalogSnapshot::FindRule(absl::string_view id) const {
  auto it = rules_.find(id);
  return it == rules_.end() ? nullptr : &it->second;
}

const v1::DispatchRule* CatalogSnapshot::MatchRule(absl::string_view category_id,
                                                   absl::string_view region_path) const {
  const v1::DispatchRule* best = nullptr;
  for (const auto& [id, rule] : rules_) {  // ascending id: ties keep the smallest
    if (!CategoryWithin(category_id, rule.category_prefix())) continue;
    if (!PathWithin(region_path, rule.region_prefix())) continue;
    if (best == nullptr || rule.region_prefix().size() > best->region_prefix().size() ||
        (rule.region_prefix().size() == best->region_prefix().size() &&
         rule.category_prefix().size() > best->category_prefix().size())) {
      best = &rule;
    }
  }
  return best;
}

}  // namespace gridwork::workorder
