#include "tools/gridsim/demo_loader.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridwork/core/ids.h"
#include "gridwork/rpc/principal.h"
#include "gridwork/rpc/status_convert.h"
#include "gridwork/service/time_convert.h"
#include "tools/gridsim/city_source.h"

namespace gridwork::gridsim {
namespace {

// Counts one outcome; logs the first few failures.
class Tally {
 public:
  explicit Tally(LoadCounts* c, std::string kind) : c_(c), kind_(std::move(kind)) {}
  void Record(const grpc::Status& s, const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (s.ok()) {
      ++c_->created;
    } else if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      ++c_->present;
    } else {
      if (++c_->failed <= 3) {
        std::cerr << "gridsim: " << kind_ << " " << what << ": " << s.error_code() << " "
                  << s.error_message() << "\n";
      }
    }
  }
  void Present() {
    std::lock_guard<std::mutex> lock(mu_);
    ++c_->present;
  }

 private:
  std::mutex mu_;
  LoadCounts* c_;
  std::string kind_;
};

std::string Rid(const std::string& kind, const std::string& key) {
  return absl::StrCat("demo-", kind, "-", Sha256Hex(key).substr(0, 24));
}

common::v1::LatLng ToLatLng(const geo::Point& p) {
  common::v1::LatLng l;
  l.set_lat(p.y());
  l.set_lng(p.x());
  return l;
}

absl::Status Failed(const std::string& what, const grpc::Status& s) {
  absl::Status st = rpc::ToAbslStatus(s);
  return absl::Status(st.code(), absl::StrCat(what, ": ", st.message()));
}

absl::Status LoadUsers(GatewaySession& admin, const DemoCity& city, const LoaderOptions& o,
                       LoadCounts* counts) {
  std::set<std::string> existing;
  gateway::v1::ListUsersRequest list;
  list.set_page_size(1000);
  do {
    gateway::v1::ListUsersResponse page;
    auto ctx = admin.Context();
    grpc::Status s = admin.identity().ListUsers(ctx.get(), list, &page);
    if (!s.ok()) return Failed("ListUsers", s);
    for (const auto& u : page.users()) existing.insert(u.username());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  Tally tally(counts, "user");
  ParallelFor(city.users.size(), o.threads, [&](size_t i) {
    const DemoUser& u = city.users[i];
    if (existing.count(u.username)) return tally.Present();
    gateway::v1::CreateUserRequest req;
    req.set_request_id(Rid("user", u.username));
    req.mutable_user()->set_username(u.username);
    req.mutable_user()->set_display_name(u.display_name);
    req.mutable_user()->set_role(u.role);
    req.mutable_user()->set_region_scope(u.region_scope);
    req.mutable_user()->set_department(u.department);
    req.set_password(u.password);
    gateway::v1::User out;
    auto ctx = admin.Context(absl::Seconds(30));  // password hashing takes a while
    tally.Record(admin.identity().CreateUser(ctx.get(), req, &out), u.username);
  });
  return absl::OkStatus();
}

absl::Status LoadBindings(GatewaySession& admin, const DemoCity& city,
                          const std::vector<std::string>& districts, const LoaderOptions& o,
                          LoadCounts* counts) {
  std::set<std::string> existing;
  for (const std::string& d : districts) {
    geofence::v1::ListBindingsRequest list;
    list.set_region_id(d);
    list.set_page_size(1000);
    do {
      geofence::v1::ListBindingsResponse page;
      auto ctx = admin.Context();
      grpc::Status s = admin.geofence().ListBindings(ctx.get(), list, &page);
      if (!s.ok()) return Failed("ListBindings " + d, s);
      for (const auto& b : page.bindings())
        existing.insert(absl::StrCat(b.worker_id(), "|", b.grid_id(), "|", b.role()));
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
  }
  Tally tally(counts, "binding");
  ParallelFor(city.bindings.size(), o.threads, [&](size_t i) {
    const DemoBinding& b = city.bindings[i];
    std::string key = absl::StrCat(b.worker, "|", b.grid, "|", b.role);
    if (existing.count(key)) return tally.Present();
    geofence::v1::BindWorkerRequest req;
    req.set_request_id(Rid("bind", key));
    req.set_worker_id(b.worker);
    req.set_grid_id(b.grid);
    req.set_role(b.role);
    geofence::v1::Binding out;
    auto ctx = admin.Context();
    tally.Record(admin.geofence().BindWorker(ctx.get(), req, &out), key);
  });
  return absl::OkStatus();
}

absl::Status LoadKeyPoints(GatewaySession& admin, const DemoCity& city,
                           const std::vector<std::string>& districts, const LoaderOptions& o,
                           LoadCounts* counts) {
  std::set<std::string> existing;  // grid|name
  for (const std::string& d : districts) {
    geofence::v1::ListKeyPointsRequest list;
    list.set_region_id(d);
    list.set_page_size(1000);
    do {
      geofence::v1::ListKeyPointsResponse page;
      auto ctx = admin.Context();
      grpc::Status s = admin.geofence().ListKeyPoints(ctx.get(), list, &page);
      if (!s.ok()) return Failed("ListKeyPoints " + d, s);
      for (const auto& kp : page.key_points()) existing.insert(kp.grid_id() + "|" + kp.name());
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
  }
  Tally tally(counts, "key point");
  ParallelFor(city.key_points.size(), o.threads, [&](size_t i) {
    const DemoKeyPoint& kp = city.key_points[i];
    std::string key = kp.grid + "|" + kp.name;
    if (existing.count(key)) return tally.Present();
    geofence::v1::PutKeyPointRequest req;
    req.set_request_id(Rid("kp", key));
    auto* k = req.mutable_key_point();
    k->set_name(kp.name);
    k->set_kind(kp.kind);
    *k->mutable_position() = ToLatLng(kp.position);
    k->set_radius_m(kp.radius_m);
    *k->mutable_min_dwell() = service::ToProto(absl::Seconds(60));
    k->set_visits_required(1);
    *k->mutable_visit_period() = service::ToProto(absl::Hours(24 * 7));
    geofence::v1::KeyPoint out;
    auto ctx = admin.Context();
    tally.Record(admin.geofence().PutKeyPoint(ctx.get(), req, &out), key);
  });
  return absl::OkStatus();
}

absl::Status LoadSubjects(GatewaySession& admin, const DemoCity& city,
                          const std::vector<std::string>& districts, const LoaderOptions& o,
                          LoadCounts* counts) {
  std::set<std::string> existing;  // community|name
  for (const std::string& d : districts) {
    inspection::v1::ListSubjectsRequest list;
    list.set_region_prefix(d);
    list.set_page_size(1000);
    do {
      inspection::v1::ListSubjectsResponse page;
      auto ctx = admin.Context();
      grpc::Status s = admin.inspection().ListSubjects(ctx.get(), list, &page);
      if (!s.ok()) return Failed("ListSubjects " + d, s);
      for (const auto& sub : page.subjects())
        existing.insert(CommunityOf(sub.region_path()) + "|" + sub.name());
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
  }
  Tally tally(counts, "subject");
  ParallelFor(city.subjects.size(), o.threads, [&](size_t i) {
    const DemoSubject& s = city.subjects[i];
    std::string key = s.community + "|" + s.name;
    if (existing.count(key)) return tally.Present();
    inspection::v1::RegisterSubjectRequest req;
    req.set_request_id(Rid("subject", key));
    auto* sub = req.mutable_subject();
    sub->set_type(s.type);
    sub->set_name(s.name);
    sub->set_address(s.address);
    *sub->mutable_position() = ToLatLng(s.position);
    sub->set_radius_m(50);
    inspection::v1::Subject out;
    auto ctx = admin.Context();
    tally.Record(admin.inspection().RegisterSubject(ctx.get(), req, &out), key);
  });
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LoadReport> LoadDemoCity(GatewaySession& admin, const DemoCity& city,
                                        const std::vector<std::string>& districts,
                                        const LoaderOptions& o) {
  LoadReport r;
  absl::Status s = LoadUsers(admin, city, o, &r.users);
  if (s.ok()) s = LoadBindings(admin, city, districts, o, &r.bindings);
  if (s.ok()) s = LoadKeyPoints(admin, city, districts, o, &r.key_points);
  if (s.ok()) s = LoadSubjects(admin, city, districts, o, &r.subjects);
  if (!s.ok()) return s;
  if (!o.credentials_file.empty()) {
    s = WriteCredentials(city, o.credentials_file);
    if (!s.ok()) return s;
  }
  return r;
}

absl::Status WriteCredentials(const DemoCity& city, const std::string& path) {
  std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return absl::UnavailableError("cannot write " + tmp);
  ::fchmod(fileno(f), 0600);
  std::string text =
      "# Gridwork demo users (deterministic demo credentials; do not reuse anywhere real)\n"
      "# role\tusername\tpassword\tname\tregion scope\tdepartment\n";
  for (const DemoUser& u : city.users) {
    absl::StrAppend(&text, rpc::RoleName(u.role), "\t", u.username, "\t", u.password, "\t",
                    u.display_name, "\t", u.region_scope, "\t", u.department, "\n");
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError("cannot write " + path);
  }
  return absl::OkStatus();
}

std::string CredentialSummary(const DemoCity& city) {
  std::string out;
  for (int r = common::v1::ROLE_DISTRICT_COMMAND; r <= common::v1::ROLE_SERVICE; ++r) {
    const DemoUser* u = city.FirstOf(static_cast<common::v1::Role>(r));
    if (u == nullptr) continue;
    std::string where = u->department.empty() ? u->region_scope : u->department;
    absl::StrAppend(&out, absl::StrFormat("  %-24s %-28s / %s   (%s%s%s)\n", rpc::RoleName(u->role),
                                          u->username, u->password, u->display_name,
                                          where.empty() ? "" : ", ", where));
  }
  return out;
}

}  // namespace gridwork::gridsim
