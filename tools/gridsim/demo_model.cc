#include "tools/gridsim/demo_model.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "demo_geography/random.h"
#include "gridwork/geo/distance.h"
#include "tools/gridsim/demo_names.h"

namespace gridwork::gridsim {
namespace {

using common::v1::Role;
using demo_geography::MixSeed;
using demo_geography::Rng;

// Stable per-string salt (FNV-1a), so every region draws from its own stream.
uint64_t Salt(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string Dotted(const std::string& path) {
  std::string s = path;
  std::replace(s.begin(), s.end(), '/', '.');
  return s;
}

struct SubjectKind {
  inspection::v1::SubjectType type;
  const char* suffix;
};
constexpr std::array<SubjectKind, 6> kSubjectKinds = {{
    {inspection::v1::SUBJECT_TYPE_SHOP, "便利店"},
    {inspection::v1::SUBJECT_TYPE_RESTAURANT, "烩面馆"},
    {inspection::v1::SUBJECT_TYPE_WORKSHOP, "五金加工坊"},
    {inspection::v1::SUBJECT_TYPE_RESTAURANT, "小吃店"},
    {inspection::v1::SUBJECT_TYPE_SHOP, "水果店"},
    {inspection::v1::SUBJECT_TYPE_WORKSHOP, "汽修铺"},
}};

struct KeyPointKind {
  geofence::v1::KeyPointKind kind;
  const char* name;
};
constexpr std::array<KeyPointKind, 4> kKeyPointKinds = {{
    {geofence::v1::KEY_POINT_KIND_SMALL_VENUE, "九小场所"},
    {geofence::v1::KEY_POINT_KIND_SPECIAL_EQUIPMENT, "电梯机房"},
    {geofence::v1::KEY_POINT_KIND_ELDERLY_ALONE, "独居老人家"},
    {geofence::v1::KEY_POINT_KIND_HAZARD, "消防通道"},
}};

class Builder {
 public:
  Builder(const DemoOptions& o, DemoCity* city) : o_(o), city_(city) {}

  DemoUser& AddUser(std::string username, std::string display, Role role, std::string scope,
                    std::string department, std::string home) {
    DemoUser u;
    u.password = DemoPassword(o_.password_seed, username);
    u.username = std::move(username);
    u.display_name = std::move(display);
    u.role = role;
    u.region_scope = std::move(scope);
    u.department = std::move(department);
    u.home = std::move(home);
    city_->by_username[u.username] = city_->users.size();
    city_->users.push_back(std::move(u));
    return city_->users.back();
  }

  // A person with a generated Chinese name.
  DemoUser& AddPerson(Role role, std::string scope, std::string home) {
    DemoName n = MakeDemoName(o_.seed, next_person_++);
    return AddUser(n.username, n.display, role, std::move(scope), "", std::move(home));
  }

 private:
  const DemoOptions& o_;
  DemoCity* city_;
  int next_person_ = 1;
};

}  // namespace

const DemoUser* DemoCity::Find(const std::string& username) const {
  auto it = by_username.find(username);
  return it == by_username.end() ? nullptr : &users[it->second];
}

const DemoUser* DemoCity::FirstOf(common::v1::Role role) const {
  for (const DemoUser& u : users)
    if (u.role == role) return &u;
  return nullptr;
}

std::vector<const DemoUser*> DemoCity::WorkersOf(const std::string& grid) const {
  std::vector<const DemoUser*> out;
  for (const DemoBinding& b : bindings)
    if (b.grid == grid && b.role == geofence::v1::BINDING_ROLE_WORKER)
      out.push_back(Find(b.worker));
  return out;
}

std::string CommunityOf(const std::string& region_path) {
  std::vector<std::string> parts = absl::StrSplit(region_path, '/');
  if (parts.size() > 3) parts.resize(3);
  return absl::StrJoin(parts, "/");
}

geo::Point PointInside(const geo::MultiPolygon& shape, double inset_m, uint64_t rng_seed) {
  geo::Box box;
  geo::bg::envelope(shape, box);
  Rng rng(rng_seed);
  geo::Point best = box.min_corner();
  double best_d = -1;
  for (int i = 0; i < 400; ++i) {
    geo::Point p(
        box.min_corner().x() + rng.Uniform() * (box.max_corner().x() - box.min_corner().x()),
        box.min_corner().y() + rng.Uniform() * (box.max_corner().y() - box.min_corner().y()));
    if (!geo::bg::within(p, shape)) continue;
    double d = geo::DistanceToBoundaryMeters(p, shape);
    if (d >= inset_m) return p;
    if (d > best_d) {
      best_d = d;
      best = p;
    }
  }
  if (best_d < 0) geo::bg::centroid(shape, best);  // nothing inside was hit: a tiny shape
  return best;
}

DemoCity BuildDemoCity(const std::vector<DemoRegion>& regions,
                       const std::vector<std::string>& departments, const DemoOptions& o) {
  DemoCity city;
  Builder b(o, &city);
  std::map<std::string, const DemoRegion*> by_id;
  for (const DemoRegion& r : regions) by_id[r.id] = &r;  // sorted: parents before children
  auto of_level = [&](common::v1::RegionLevel level) {
    std::vector<const DemoRegion*> out;
    for (const auto& [id, r] : by_id)
      if (r->level == level) out.push_back(r);
    return out;
  };

  // Offices first, then people: stable usernames for offices whatever the tree's size.
  for (const DemoRegion* d : of_level(common::v1::REGION_LEVEL_DISTRICT)) {
    b.AddUser(absl::StrCat("command.", d->id), d->name + "指挥中心",
              common::v1::ROLE_DISTRICT_COMMAND, d->id, "", d->id);
  }
  for (const DemoRegion* s : of_level(common::v1::REGION_LEVEL_STREET)) {
    b.AddUser(absl::StrCat("street.", Dotted(s->id)), s->name + "办事处",
              common::v1::ROLE_STREET_MANAGER, s->id, "", s->id);
  }
  std::vector<const DemoRegion*> communities = of_level(common::v1::REGION_LEVEL_COMMUNITY);
  for (const DemoRegion* c : communities) {
    b.AddUser(absl::StrCat("station.", Dotted(c->id)), c->name + "工作站",
              common::v1::ROLE_COMMUNITY_STATION, c->id, "", c->id);
  }
  std::vector<std::string> depts = departments;
  std::sort(depts.begin(), depts.end());
  depts.erase(std::unique(depts.begin(), depts.end()), depts.end());
  for (const std::string& dep : depts) {
    b.AddUser(absl::StrCat("dept.", dep), dep + " 处置员", common::v1::ROLE_DEPARTMENT_HANDLER, "",
              dep, "");
  }
  b.AddUser("viewer", "只读观察员", common::v1::ROLE_VIEWER, "", "", "");
  b.AddUser("gridsim", "gridsim 模拟器", common::v1::ROLE_SERVICE, "", "", "");

  // Grid workers: one per grid, two where the grid has more residents than the median or the
  // draw says so (about 1.6 per grid overall).
  std::vector<const DemoRegion*> grids = of_level(common::v1::REGION_LEVEL_GRID);
  for (const DemoRegion* g : grids) {
    Rng rng(MixSeed(o.seed, Salt(g->id)));
    int n = (g->residents >= 2500 || rng.Uniform() < 0.55) ? 2 : 1;
    for (int i = 0; i < n; ++i) {
      DemoUser& u = b.AddPerson(common::v1::ROLE_GRID_WORKER, g->id, g->id);
      city.bindings.push_back({u.username, g->id, geofence::v1::BINDING_ROLE_WORKER});
    }
  }
  // Per community: a grid leader bound to every grid of it, a volunteer bound to its first
  // grid, residents.
  for (const DemoRegion* c : communities) {
    std::vector<const DemoRegion*> own;
    for (const DemoRegion* g : grids)
      if (g->parent == c->id) own.push_back(g);
    DemoUser& leader = b.AddPerson(common::v1::ROLE_GRID_LEADER, c->id, c->id);
    for (const DemoRegion* g : own)
      city.bindings.push_back({leader.username, g->id, geofence::v1::BINDING_ROLE_LEADER});
    if (!own.empty()) {
      DemoUser& v = b.AddPerson(common::v1::ROLE_GRID_WORKER, own.front()->id, own.front()->id);
      city.bindings.push_back({v.username, own.front()->id, geofence::v1::BINDING_ROLE_VOLUNTEER});
    }
    for (int i = 0; i < o.residents_per_community; ++i) {
      b.AddPerson(common::v1::ROLE_RESIDENT, "", c->id);
    }
  }

  // Key points: a few per grid at distinct plausible spots.
  for (const DemoRegion* g : grids) {
    uint64_t base = MixSeed(o.seed, Salt(g->id) ^ 0x6b70);
    for (int i = 0; i < o.key_points_per_grid; ++i) {
      const KeyPointKind& k = kKeyPointKinds[i % kKeyPointKinds.size()];
      DemoKeyPoint kp;
      kp.grid = g->id;
      kp.name = absl::StrCat(g->name, k.name, i / kKeyPointKinds.size() + 1, "号");
      kp.kind = k.kind;
      kp.position = PointInside(g->shape, kInsetM + kp.radius_m, MixSeed(base, i));
      city.key_points.push_back(kp);
    }
  }

  // Subjects: shops, restaurants, workshops spread over the community's grids.
  for (const DemoRegion* c : communities) {
    std::vector<const DemoRegion*> own;
    for (const DemoRegion* g : grids)
      if (g->parent == c->id) own.push_back(g);
    if (own.empty()) continue;
    Rng rng(MixSeed(o.seed, Salt(c->id) ^ 0x7375));
    for (int i = 0; i < o.subjects_per_community; ++i) {
      const SubjectKind& k = kSubjectKinds[i % kSubjectKinds.size()];
      const DemoRegion* g = own[i % own.size()];
      DemoName owner =
          MakeDemoName(o.seed ^ 0x5eedULL, 100000 + static_cast<int>(rng.Below(100000)));
      DemoSubject s;
      s.community = c->id;
      s.grid = g->id;
      // The owner's surname + "记" + the kind, numbered so names are unique per community.
      s.name = absl::StrCat(owner.display.substr(0, 3), "记", k.suffix, "(", c->name, i + 1, ")");
      s.type = k.type;
      s.position = PointInside(g->shape, kInsetM + 30, MixSeed(rng.Next(), i));
      s.address = absl::StrCat(c->name, g->name, i + 1, "号");
      city.subjects.push_back(s);
    }
  }
  return city;
}

}  // namespace gridwork::gridsim
