#include "services/inspection/masking.h"

namespace gridwork::inspection {
namespace {

// Byte length of the UTF-8 sequence starting with `lead`.
size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // invalid lead byte: treat as one character
}

}  // namespace

bool IsPerson(v1::SubjectType t) {
  return t == v1::SUBJECT_TYPE_ELDERLY_ALONE || t == v1::SUBJECT_TYPE_KEY_PERSON;
}

bool SeesPersonalData(const common::v1::Principal& p, const v1::Subject& s) {
  switch (p.role()) {
    case common::v1::ROLE_ADMIN:
    case common::v1::ROLE_COMMUNITY_STATION:
    case common::v1::ROLE_GRID_LEADER:
    case common::v1::ROLE_GRID_WORKER:
      return true;
    case common::v1::ROLE_DEPARTMENT_HANDLER:
      return !p.department().empty() && p.department() == s.department();
    default:
      return false;
  }
}

std::string MaskPhone(absl::string_view phone) {
  if (phone.empty()) return "";
  if (phone.size() >= 11) {
    return std::string(phone.substr(0, 3)) + "****" + std::string(phone.substr(phone.size() - 4));
  }
  if (phone.size() <= 2) return std::string(phone.size(), '*');
  return std::string(phone.size() - 2, '*') + std::string(phone.substr(phone.size() - 2));
}

std::string MaskIdNumber(absl::string_view id) {
  if (id.size() <= 10) return std::string(id.size(), '*');
  return std::string(id.substr(0, 6)) + std::string(id.size() - 10, '*') +
         std::string(id.substr(id.size() - 4));
}

std::string MaskName(absl::string_view name) {
  if (name.empty()) return "";
  size_t first = std::min(Utf8Length(static_cast<unsigned char>(name[0])), name.size());
  std::string out(name.substr(0, first));
  for (size_t i = first; i < name.size(); i += Utf8Length(static_cast<unsigned char>(name[i]))) {
    out += '*';
  }
  return out;
}

void MaskPersonalData(v1::Subject* s) {
  s->set_contact_name(MaskName(s->contact_name()));
  s->set_phone(MaskPhone(s->phone()));
  s->set_id_number(MaskIdNumber(s->id_number()));
  if (IsPerson(s->type())) s->set_name(MaskName(s->name()));
  s->set_masked(true);
}

v1::Subject ForViewer(const common::v1::Principal& p, v1::Subject s) {
  if (!SeesPersonalData(p, s)) MaskPersonalData(&s);
  return s;
}

v1::Task Masked(v1::Task t) {
  if (IsPerson(t.subject_type())) t.set_subject_name(MaskName(t.subject_name()));
  return t;
}

v1::Task ForViewer(const common::v1::Principal& p, v1::Task t) {
  v1::Subject probe;  // no department: handlers see the name masked
  return SeesPersonalData(p, probe) ? t : Masked(std::move(t));
}

}  // namespace gridwork::inspection
