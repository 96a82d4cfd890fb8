// Pure rules of the inspection service: schedule expansion with an injected clock, checklist
// validation and answer grading against a version, presence at the radius border, masking.
#include <catch2/catch.hpp>

#include "absl/time/civil_time.h"
#include "gridwork/geo/distance.h"
#include "gridwork/service/time_convert.h"
#include "services/inspection/checklist_rules.h"
#include "services/inspection/masking.h"
#include "services/inspection/presence.h"
#include "services/inspection/recurrence.h"

namespace gridwork::inspection {
namespace {

using service::ToProto;

absl::Time Cst(int y, int m, int d, int hh = 9, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::FixedTimeZone(8 * 3600));
}

v1::Recurrence Every(v1::Recurrence::Frequency f, int interval, absl::Time start) {
  v1::Recurrence r;
  r.set_frequency(f);
  r.set_interval(interval);
  *r.mutable_start() = ToProto(start);
  *r.mutable_due_within() = ToProto(absl::Hours(24 * 7));
  return r;
}

TEST_CASE("weekly schedules fire at the same local time every interval weeks") {
  auto r = Every(v1::Recurrence::FREQUENCY_WEEKLY, 2, Cst(2026, 11, 2));  // a Monday 09:00
  REQUIRE(ValidateRecurrence(r).ok());
  auto occ = Occurrences(r, Cst(2026, 11, 1), Cst(2026, 12, 31));
  REQUIRE(occ.size() == 5);
  CHECK(occ[0] == Cst(2026, 11, 2));
  CHECK(occ[1] == Cst(2026, 11, 16));
  CHECK(occ[4] == Cst(2026, 12, 28));
  // `after` is exclusive and `until` inclusive: resuming after the last generated occurrence
  // never generates it twice.
  auto resumed = Occurrences(r, Cst(2026, 11, 16), Cst(2026, 11, 30));
  REQUIRE(resumed.size() == 1);
  CHECK(resumed[0] == Cst(2026, 11, 30));
  CHECK(Occurrences(r, Cst(2026, 1, 1), Cst(2026, 11, 1)).empty());  // before the start
}

TEST_CASE("monthly schedules clamp to the month's last day and come back") {
  auto r = Every(v1::Recurrence::FREQUENCY_MONTHLY, 1, Cst(2027, 1, 31, 10));
  auto occ = Occurrences(r, Cst(2027, 1, 1), Cst(2027, 4, 30, 23));
  REQUIRE(occ.size() == 4);
  CHECK(occ[0] == Cst(2027, 1, 31, 10));
  CHECK(occ[1] == Cst(2027, 2, 28, 10));
  CHECK(occ[2] == Cst(2027, 3, 31, 10));
  CHECK(occ[3] == Cst(2027, 4, 30, 10));
  // Far in the future: the months before `after` are skipped arithmetically.
  auto later = Occurrences(r, Cst(2030, 5, 15), Cst(2030, 7, 1));
  REQUIRE(later.size() == 2);
  CHECK(later[0] == Cst(2030, 5, 31, 10));
  CHECK(later[1] == Cst(2030, 6, 30, 10));
}

TEST_CASE("daily schedules and invalid recurrences") {
  auto r = Every(v1::Recurrence::FREQUENCY_DAILY, 0, Cst(2026, 11, 23, 8));  // 0 = every day
  CHECK(Occurrences(r, Cst(2026, 11, 23, 8), Cst(2026, 11, 26, 8)).size() == 3);
  CHECK(Occurrences(r, Cst(2026, 11, 1), Cst(2027, 11, 1), 10).size() == 10);  // capped
  v1::Recurrence bad = r;
  bad.clear_start();
  CHECK(ValidateRecurrence(bad).code() == absl::StatusCode::kInvalidArgument);
  bad = r;
  bad.set_frequency(v1::Recurrence::FREQUENCY_UNSPECIFIED);
  CHECK(ValidateRecurrence(bad).code() == absl::StatusCode::kInvalidArgument);
  bad = r;
  bad.clear_due_within();
  CHECK(ValidateRecurrence(bad).code() == absl::StatusCode::kInvalidArgument);
}

v1::ChecklistVersion FireChecklist() {
  v1::ChecklistVersion c;
  c.set_template_id("fire.small-venue");
  c.set_version(2);
  c.set_department("fire");
  c.set_name("九小场所消防检查");
  c.add_subject_types(v1::SUBJECT_TYPE_SHOP);
  c.add_subject_types(v1::SUBJECT_TYPE_RESTAURANT);
  auto* a = c.add_items();
  a->set_code("FIRE-01");
  a->set_text("灭火器在有效期内");
  a->set_answer_type(v1::ANSWER_TYPE_CHECK);
  a->set_photo_required_on_problem(true);
  auto* b = c.add_items();
  b->set_code("FIRE-02");
  b->set_text("油烟管道清洗间隔（天）");
  b->set_answer_type(v1::ANSWER_TYPE_NUMBER);
  b->set_min(0);
  b->set_max(90);
  b->add_subject_types(v1::SUBJECT_TYPE_RESTAURANT);  // restaurants only
  auto* t = c.add_items();
  t->set_code("FIRE-99");
  t->set_text("其他问题说明");
  t->set_answer_type(v1::ANSWER_TYPE_TEXT);
  return c;
}

google::protobuf::RepeatedPtrField<v1::Answer> Answers(
    std::initializer_list<std::tuple<const char*, v1::Outcome, double, bool>> xs) {
  google::protobuf::RepeatedPtrField<v1::Answer> out;
  for (const auto& [code, outcome, number, photo] : xs) {
    auto* a = out.Add();
    a->set_item_code(code);
    a->set_outcome(outcome);
    a->set_number(number);
    if (photo) a->add_photos()->set_sha256(std::string(64, 'a'));
  }
  return out;
}

TEST_CASE("answers are graded against the exact version and the subject type") {
  const auto c = FireChecklist();
  REQUIRE(ValidateChecklist(c).ok());
  auto graded = GradeAnswers(c, v1::SUBJECT_TYPE_RESTAURANT,
                             Answers({{"FIRE-01", v1::OUTCOME_PROBLEM, 0, true},
                                      {"FIRE-02", v1::OUTCOME_OK, 120, false},  // number decides
                                      {"FIRE-99", v1::OUTCOME_UNSPECIFIED, 0, false}}));
  REQUIRE(graded.ok());
  CHECK(graded->problems == 2);
  CHECK(graded->answers[1].outcome() == v1::OUTCOME_PROBLEM);
  CHECK(graded->answers[2].outcome() == v1::OUTCOME_OK);
  // A shop skips the restaurant-only item, and may not answer it.
  CHECK(GradeAnswers(
            c, v1::SUBJECT_TYPE_SHOP,
            Answers({{"FIRE-01", v1::OUTCOME_OK, 0, false}, {"FIRE-99", v1::OUTCOME_OK, 0, false}}))
            ->problems == 0);
  auto not_applicable = GradeAnswers(c, v1::SUBJECT_TYPE_SHOP,
                                     Answers({{"FIRE-01", v1::OUTCOME_OK, 0, false},
                                              {"FIRE-02", v1::OUTCOME_OK, 10, false},
                                              {"FIRE-99", v1::OUTCOME_OK, 0, false}}));
  CHECK(not_applicable.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("answers that do not fit the version are refused precisely") {
  const auto c = FireChecklist();
  auto unknown = GradeAnswers(c, v1::SUBJECT_TYPE_SHOP,
                              Answers({{"FIRE-01", v1::OUTCOME_OK, 0, false},
                                       {"FIRE-77", v1::OUTCOME_OK, 0, false},
                                       {"FIRE-99", v1::OUTCOME_OK, 0, false}}));
  CHECK_THAT(std::string(unknown.status().message()),
             Catch::Contains("FIRE-77") && Catch::Contains("version 2"));
  auto missing =
      GradeAnswers(c, v1::SUBJECT_TYPE_SHOP, Answers({{"FIRE-01", v1::OUTCOME_OK, 0, false}}));
  CHECK_THAT(std::string(missing.status().message()),
             Catch::Contains("unanswered") && Catch::Contains("FIRE-99"));
  auto no_photo = GradeAnswers(
      c, v1::SUBJECT_TYPE_SHOP,
      Answers({{"FIRE-01", v1::OUTCOME_PROBLEM, 0, false}, {"FIRE-99", v1::OUTCOME_OK, 0, false}}));
  CHECK_THAT(std::string(no_photo.status().message()), Catch::Contains("photo"));
  auto twice = GradeAnswers(c, v1::SUBJECT_TYPE_SHOP,
                            Answers({{"FIRE-01", v1::OUTCOME_OK, 0, false},
                                     {"FIRE-01", v1::OUTCOME_OK, 0, false},
                                     {"FIRE-99", v1::OUTCOME_OK, 0, false}}));
  CHECK(twice.status().code() == absl::StatusCode::kInvalidArgument);
  auto unchosen = GradeAnswers(c, v1::SUBJECT_TYPE_SHOP,
                               Answers({{"FIRE-01", v1::OUTCOME_UNSPECIFIED, 0, false},
                                        {"FIRE-99", v1::OUTCOME_OK, 0, false}}));
  CHECK(unchosen.status().code() == absl::StatusCode::kInvalidArgument);
  auto bad_photo =
      Answers({{"FIRE-01", v1::OUTCOME_PROBLEM, 0, false}, {"FIRE-99", v1::OUTCOME_OK, 0, false}});
  bad_photo[0].add_photos()->set_sha256("../../etc/passwd");
  CHECK(GradeAnswers(c, v1::SUBJECT_TYPE_SHOP, bad_photo).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("checklist validation names the field") {
  auto c = FireChecklist();
  c.mutable_items(1)->set_code("FIRE-01");
  CHECK_THAT(std::string(ValidateChecklist(c).message()), Catch::Contains("repeats"));
  c = FireChecklist();
  c.mutable_items(1)->set_max(-1);
  CHECK_THAT(std::string(ValidateChecklist(c).message()), Catch::Contains("min < max"));
  c = FireChecklist();
  c.set_template_id("Fire Venue");
  CHECK(ValidateChecklist(c).code() == absl::StatusCode::kInvalidArgument);
  c = FireChecklist();
  c.clear_items();
  CHECK(ValidateChecklist(c).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("presence: a fix exactly at the radius verifies, one metre beyond does not") {
  common::v1::LatLng shop;
  shop.set_lat(34.75);
  shop.set_lng(113.62);
  // 1e-5 degree of latitude is ~1.112 m; place fixes due north.
  const double metres_per_deg = geo::kEarthRadiusM * M_PI / 180;  // as libs/geo computes
  auto north = [&](double m) {
    return clients::TrackFix{absl::FromUnixSeconds(1000), 34.75 + m / metres_per_deg, 113.62};
  };
  PresenceWindow w;
  auto at_border = EvaluatePresence({north(80), north(50.0)}, shop, 50.01, w);
  CHECK(at_border.status() == v1::Presence::STATUS_VERIFIED);
  CHECK(at_border.distance_m() == Approx(50.0).margin(0.01));
  auto beyond = EvaluatePresence({north(51.0), north(300)}, shop, 50, w);
  CHECK(beyond.status() == v1::Presence::STATUS_TOO_FAR);
  CHECK(beyond.distance_m() == Approx(51.0).margin(0.01));
  CHECK(EvaluatePresence({}, shop, 50, w).status() == v1::Presence::STATUS_NO_TRACK);
  CHECK(UnknownPresence(50, w).status() == v1::Presence::STATUS_UNKNOWN);
}

TEST_CASE("personal data is masked for roles that do not need it") {
  v1::Subject elder;
  elder.set_type(v1::SUBJECT_TYPE_ELDERLY_ALONE);
  elder.set_name("王秀英");
  elder.set_phone("13812345678");
  elder.set_id_number("410105194501011234");
  elder.set_department("civil-affairs");
  common::v1::Principal p;
  for (auto role : {common::v1::ROLE_ADMIN, common::v1::ROLE_COMMUNITY_STATION,
                    common::v1::ROLE_GRID_LEADER, common::v1::ROLE_GRID_WORKER}) {
    p.set_role(role);
    CHECK(ForViewer(p, elder).phone() == "13812345678");
  }
  p.set_role(common::v1::ROLE_DEPARTMENT_HANDLER);
  p.set_department("civil-affairs");
  CHECK_FALSE(ForViewer(p, elder).masked());
  p.set_department("fire");
  for (auto role :
       {common::v1::ROLE_DEPARTMENT_HANDLER, common::v1::ROLE_DISTRICT_COMMAND,
        common::v1::ROLE_STREET_MANAGER, common::v1::ROLE_VIEWER, common::v1::ROLE_SERVICE}) {
    p.set_role(role);
    v1::Subject seen = ForViewer(p, elder);
    CHECK(seen.masked());
    CHECK(seen.phone() == "138****5678");
    CHECK(seen.id_number() == "410105********1234");
    CHECK(seen.name() == "王**");
  }
  CHECK(MaskPhone("12345") == "***45");
  CHECK(MaskIdNumber("short") == "*****");
  CHECK(MaskName("") == "");
}

}  // namespace
}  // namespace gridwork::inspection
