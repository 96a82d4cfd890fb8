// Personal data of subjects (DESIGN.md section 4): phone numbers, ID numbers and the names of
// people are shown only to roles that need them to do their job.
//
// Who sees them: admins, community workstations, grid leaders and grid workers (they visit
// the people), and department handlers of the subject's own department. Everyone else
// (district command centre and street managers looking at statistics, viewers, other
// departments, other services) gets them masked.
#ifndef GRIDWORK_SERVICES_INSPECTION_MASKING_H_
#define GRIDWORK_SERVICES_INSPECTION_MASKING_H_

#include <string>

#include "absl/strings/string_view.h"
#include "gridwork/common/v1/principal.pb.h"
#include "gridwork/inspection/v1/inspection.pb.h"

namespace gridwork::inspection {

bool SeesPersonalData(const common::v1::Principal& p, const v1::Subject& s);

// True for subject types that are people (their name is personal data).
bool IsPerson(v1::SubjectType t);

// "13812345678" → "138****5678"; shorter numbers keep only their last 2 digits.
std::string MaskPhone(absl::string_view phone);
// "410105199001011234" → "410105********1234" (first 6 and last 4 kept).
std::string MaskIdNumber(absl::string_view id);
// "王秀英" → "王**": the first character (UTF-8 aware) and one '*' per remaining character.
std::string MaskName(absl::string_view name);

// Masks contact_name, phone, id_number (and name, for people) in place; sets masked = true.
void MaskPersonalData(v1::Subject* s);

// The subject as `p` may see it.
v1::Subject ForViewer(const common::v1::Principal& p, v1::Subject s);

// The task as `p` may see it: a person's name (subject_name) masked unless `p`'s role sees
// personal data (department handlers get it masked: a task does not say whose department the
// person belongs to; they read it from the subject).
v1::Task ForViewer(const common::v1::Principal& p, v1::Task t);

// The task as published on the feed (a person's name always masked).
v1::Task Masked(v1::Task t);

}  // namespace gridwork::inspection

#endif  // GRIDWORK_SERVICES_INSPECTION_MASKING_H_
