// What a checklist version must look like, and how a submission's answers are checked and
// graded against the exact version it was filled against. Pure functions.
//
// Answer rules (GradeAnswers):
//   - every answer names an item of the version, at most once;
//   - every item that applies to the subject's type is answered (items whose subject_types
//     do not include the type are skipped and may not be answered);
//   - CHECK: outcome OK, PROBLEM or NOT_APPLICABLE; a PROBLEM on an item with
//     photo_required_on_problem needs at least one photo;
//   - NUMBER: the number decides — inside [min, max] is OK, outside is PROBLEM (the client's
//     outcome is ignored unless NOT_APPLICABLE);
//   - TEXT: never a problem (outcome OK unless NOT_APPLICABLE);
//   - at most 9 photos and 500 characters of note per answer; photo references are 64 hex.
#ifndef GRIDWORK_SERVICES_INSPECTION_CHECKLIST_RULES_H_
#define GRIDWORK_SERVICES_INSPECTION_CHECKLIST_RULES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "gridwork/inspection/v1/inspection.pb.h"

namespace gridwork::inspection {

// INVALID_ARGUMENT naming the field: template_id "<department>.<slug>" of [a-z0-9._-],
// department and name set, 1–500 items, codes 1–32 of [A-Z0-9_-] unique, text set, answer
// type set, NUMBER with min < max, valid subject types.
absl::Status ValidateChecklist(const v1::ChecklistVersion& c);

// True iff `item` applies to a subject of `type` in `checklist`.
bool ItemApplies(const v1::ChecklistVersion& checklist, const v1::ChecklistItem& item,
                 v1::SubjectType type);

struct GradedAnswers {
  std::vector<v1::Answer> answers;  // in the version's item order, outcomes normalised
  int problems = 0;
};

// Checks `answers` against `checklist` for a subject of `type` (rules above).
absl::StatusOr<GradedAnswers> GradeAnswers(
    const v1::ChecklistVersion& checklist, v1::SubjectType type,
    const google::protobuf::RepeatedPtrField<v1::Answer>& answers);

}  // namespace gridwork::inspection

#endif  // GRIDWORK_SERVICES_INSPECTION_CHECKLIST_RULES_H_
