#include "services/inspection/checklist_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gridwork::inspection {
namespace {

constexpr int kMaxItems = 500;
constexpr int kMaxPhotosPerAnswer = 9;
constexpr size_t kMaxNoteBytes = 500 * 3;
constexpr size_t kMaxTextBytes = 2000 * 3;

bool ValidTemplateId(const std::string& id) {
  if (id.empty() || id.size() > 64 || id.find('.') == std::string::npos) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' || c == '-' || c == '_';
  });
}

bool ValidCode(const std::string& code) {
  if (code.empty() || code.size() > 32) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '-' || c == '_';
  });
}

bool ValidSha256(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

bool ValidSubjectType(int t) {
  return v1::SubjectType_IsValid(t) && t != v1::SUBJECT_TYPE_UNSPECIFIED;
}

}  // namespace

absl::Status ValidateChecklist(const v1::ChecklistVersion& c) {
  if (!ValidTemplateId(c.template_id())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checklist.template_id \"", c.template_id(),
        "\" must be \"<department>.<slug>\" of lowercase letters, digits, '.', '-', '_'"));
  }
  if (c.department().empty()) return absl::InvalidArgumentError("checklist.department is required");
  if (c.name().empty()) return absl::InvalidArgumentError("checklist.name is required");
  for (int t : c.subject_types()) {
    if (!ValidSubjectType(t)) {
      return absl::InvalidArgumentError(absl::StrCat("checklist.subject_types: unknown type ", t));
    }
  }
  if (c.items_size() == 0 || c.items_size() > kMaxItems) {
    return absl::InvalidArgumentError("checklist.items must hold 1–500 items");
  }
  std::set<std::string> codes;
  for (int i = 0; i < c.items_size(); ++i) {
    const v1::ChecklistItem& item = c.items(i);
    const std::string field = absl::StrCat("checklist.items[", i, "]");
    if (!ValidCode(item.code())) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".code \"", item.code(), "\" must be 1–32 of [A-Z0-9_-]"));
    }
    if (!codes.insert(item.code()).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".code ", item.code(), " repeats"));
    }
    if (item.text().empty()) return absl::InvalidArgumentError(field + ".text is required");
    if (item.answer_type() == v1::ANSWER_TYPE_UNSPECIFIED ||
        !v1::AnswerType_IsValid(item.answer_type())) {
      return absl::InvalidArgumentError(field + ".answer_type is required");
    }
    if (item.answer_type() == v1::ANSWER_TYPE_NUMBER && !(item.min() < item.max())) {
      return absl::InvalidArgumentError(field + ": a NUMBER item needs min < max");
    }
    for (int t : item.subject_types()) {
      if (!ValidSubjectType(t)) {
        return absl::InvalidArgumentError(absl::StrCat(field, ".subject_types: unknown type ", t));
      }
    }
  }
  return absl::OkStatus();
}

bool ItemApplies(const v1::ChecklistVersion& checklist, const v1::ChecklistItem& item,
                 v1::SubjectType type) {
  const auto& types =
      item.subject_types().empty() ? checklist.subject_types() : item.subject_types();
  return types.empty() || std::find(types.begin(), types.end(), type) != types.end();
}

absl::StatusOr<GradedAnswers> GradeAnswers(
    const v1::ChecklistVersion& checklist, v1::SubjectType type,
    const google::protobuf::RepeatedPtrField<v1::Answer>& answers) {
  std::map<std::string, const v1::ChecklistItem*> items;
  for (const auto& item : checklist.items()) items[item.code()] = &item;
  const std::string version =
      absl::StrCat(checklist.template_id(), " version ", checklist.version());

  std::map<std::string, const v1::Answer*> by_code;
  for (int i = 0; i < answers.size(); ++i) {
    const v1::Answer& a = answers[i];
    const std::string field = absl::StrCat("answers[", i, "]");
    auto it = items.find(a.item_code());
    if (it == items.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": item \"", a.item_code(), "\" is not in ", version));
    }
    if (!ItemApplies(checklist, *it->second, type)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": item ", a.item_code(), " does not apply to ", v1::SubjectType_Name(type)));
    }
    if (!by_code.emplace(a.item_code(), &a).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": item ", a.item_code(), " answered twice"));
    }
    if (a.photos_size() > kMaxPhotosPerAnswer) {
      return absl::InvalidArgumentError(field + ": at most 9 photos per item");
    }
    for (const auto& photo : a.photos()) {
      if (!ValidSha256(photo.sha256())) {
        return absl::InvalidArgumentError(
            field + ": a photo reference must be the lowercase hex SHA-256 from UploadPhoto");
      }
    }
    if (a.note().size() > kMaxNoteBytes) {
      return absl::InvalidArgumentError(field + ".note is longer than 500 characters");
    }
    if (a.text().size() > kMaxTextBytes) {
      return absl::InvalidArgumentError(field + ".text is longer than 2,000 characters");
    }
    if (!v1::Outcome_IsValid(a.outcome())) {
      return absl::InvalidArgumentError(field + ".outcome is not a known outcome");
    }
  }

  GradedAnswers graded;
  std::vector<std::string> missing;
  for (const auto& item : checklist.items()) {
    if (!ItemApplies(checklist, item, type)) continue;
    auto it = by_code.find(item.code());
    if (it == by_code.end()) {
      missing.push_back(item.code());
      continue;
    }
    v1::Answer a = *it->second;
    a.clear_work_order_id();
    a.clear_work_order_error();
    switch (item.answer_type()) {
      case v1::ANSWER_TYPE_CHECK:
        if (a.outcome() == v1::OUTCOME_UNSPECIFIED) {
          return absl::InvalidArgumentError(
              absl::StrCat("item ", item.code(), ": choose OK, PROBLEM or NOT_APPLICABLE"));
        }
        break;
      case v1::ANSWER_TYPE_NUMBER:
        if (a.outcome() != v1::OUTCOME_NOT_APPLICABLE) {
          a.set_outcome(a.number() >= item.min() && a.number() <= item.max() ? v1::OUTCOME_OK
                                                                             : v1::OUTCOME_PROBLEM);
        }
        break;
      default:
        if (a.outcome() != v1::OUTCOME_NOT_APPLICABLE) a.set_outcome(v1::OUTCOME_OK);
        break;
    }
    if (a.outcome() == v1::OUTCOME_PROBLEM) {
      if (item.photo_required_on_problem() && a.photos_size() == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("item ", item.code(), ": a problem needs a photo (拍照留证)"));
      }
      ++graded.problems;
    }
    graded.answers.push_back(std::move(a));
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unanswered items of ", version, ": ", absl::StrJoin(missing, ", ")));
  }
  return graded;
}

}  // namespace gridwork::inspection
