// Categories and dispatch rules: validation, and an immutable in-memory snapshot that
// answers "which category is this" and "which department does this go to" without a store
// read. The core swaps in a new snapshot after every catalogue change.
//
// Dispatch: among the rules whose category_prefix covers the order's category (equal, or an
// ancestor at a '.' boundary, or empty) and whose region_prefix covers the order's region
// path (PathWithin), the most specific wins — the longest region prefix, then the longest
// category prefix, then the smallest rule id. No matching rule = manual triage.
#ifndef GRIDWORK_SERVICES_WORKORDER_CATALOG_H_
#define GRIDWORK_SERVICES_WORKORDER_CATALOG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::workorder {

// True iff `prefix` is empty, equal to `category_id`, or an ancestor ("env" ⊂ "env.garbage").
bool CategoryWithin(absl::string_view category_id, absl::string_view prefix);

// INVALID_ARGUMENT naming the field: id of lowercase [a-z0-9_-] segments joined by '.',
// parent_id equal to the id minus its last segment, name 1–64 characters, no negative SLA
// duration, due_soon_fraction in [0, 1).
absl::Status ValidateCategory(const v1::Category& c);
// INVALID_ARGUMENT naming the field: id 1–128, department 1–128, no '\0'.
absl::Status ValidateRule(const v1::DispatchRule& r);

class CatalogSnapshot {
 public:
  CatalogSnapshot(std::vector<v1::Category> categories, std::vector<v1::DispatchRule> rules);

  // nullptr if unknown.
  const v1::Category* FindCategory(absl::string_view id) const;
  // The most specific rule for (category, region), or nullptr (manual triage).
  const v1::DispatchRule* MatchRule(absl::string_view category_id,
                                    absl::string_view region_path) const;
  const v1::DispatchRule* FindRule(absl::string_view id) const;

  const std::map<std::string, v1::Category, std::less<>>& categories() const { return categories_; }
  const std::map<std::string, v1::DispatchRule, std::less<>>& rules() const { return rules_; }

 private:
  std::map<std::string, v1::Category, std::less<>> categories_;
  std::map<std::string, v1::DispatchRule, std::less<>> rules_;
};

}  // namespace gridwork::workorder

#endif  // GRIDWORK_SERVICES_WORKORDER_CATALOG_H_
