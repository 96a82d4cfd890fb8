#include "tools/gridsim/city_source.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gridwork/rpc/status_convert.h"

namespace gridwork::gridsim {
namespace {

absl::Status Failed(const std::string& what, const grpc::Status& s) {
  absl::Status st = rpc::ToAbslStatus(s);
  return absl::Status(st.code(), absl::StrCat(what, ": ", st.message()));
}

}  // namespace

DemoRegion ToDemoRegion(const geofence::v1::Region& r) {
  DemoRegion d;
  d.id = r.id();
  d.parent = r.parent_id();
  d.name = r.name();
  d.level = r.level();
  for (const auto& poly : r.geometry().polygons()) {
    geo::Polygon p;
    for (int i = 0; i < poly.rings_size(); ++i) {
      geo::Ring ring;
      const auto& c = poly.rings(i).lng_lat();
      for (int k = 0; k + 1 < c.size(); k += 2) ring.push_back(geo::Point(c[k], c[k + 1]));
      if (i == 0) {
        p.outer() = ring;
      } else {
        p.inners().push_back(ring);
      }
    }
    d.shape.push_back(std::move(p));
  }
  geo::bg::correct(d.shape);
  auto it = r.properties().find("residents_estimate");
  if (it != r.properties().end()) {
    double v = 0;
    if (absl::SimpleAtod(it->second, &v)) d.residents = static_cast<int>(v);
  }
  return d;
}

absl::StatusOr<CityInputs> ReadCityInputs(GatewaySession& session,
                                          const std::vector<std::string>& districts) {
  CityInputs in;
  for (const std::string& district : districts) {
    geofence::v1::GetRegionRequest get;
    get.set_id(district);
    get.set_view(geofence::v1::REGION_VIEW_FULL);
    geofence::v1::Region root;
    auto ctx = session.Context();
    grpc::Status s = session.geofence().GetRegion(ctx.get(), get, &root);
    if (!s.ok()) return Failed("GetRegion " + district, s);
    in.regions.push_back(ToDemoRegion(root));
    geofence::v1::ListRegionsRequest list;
    list.set_parent_id(district);
    list.set_recursive(true);
    list.set_view(geofence::v1::REGION_VIEW_FULL);
    list.set_page_size(500);
    do {
      geofence::v1::ListRegionsResponse page;
      auto c = session.Context(absl::Seconds(30));
      s = session.geofence().ListRegions(c.get(), list, &page);
      if (!s.ok()) return Failed("ListRegions " + district, s);
      for (const auto& r : page.regions()) in.regions.push_back(ToDemoRegion(r));
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
  }

  std::set<std::string> departments;
  {
    inspection::v1::ListDepartmentsResponse r;
    auto ctx = session.Context();
    grpc::Status s = session.inspection().ListDepartments(ctx.get(), {}, &r);
    if (!s.ok()) return Failed("ListDepartments", s);
    for (const auto& d : r.departments()) departments.insert(d.id());
  }
  {
    workorder::v1::ListCategoriesResponse r;
    auto ctx = session.Context();
    grpc::Status s = session.workorder().ListCategories(ctx.get(), {}, &r);
    if (!s.ok()) return Failed("ListCategories", s);
    for (const auto& c : r.categories()) {
      if (!c.default_department().empty()) departments.insert(c.default_department());
      if (c.id().find('.') != std::string::npos) in.categories.push_back(c.id());
    }
  }
  {
    workorder::v1::ListDispatchRulesResponse r;
    auto ctx = session.Context();
    grpc::Status s = session.workorder().ListDispatchRules(ctx.get(), {}, &r);
    if (!s.ok()) return Failed("ListDispatchRules", s);
    for (const auto& rule : r.rules()) departments.insert(rule.department());
  }
  in.departments.assign(departments.begin(), departments.end());
  std::sort(in.categories.begin(), in.categories.end());
  return in;
}

void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  int t = std::max(1, std::min<int>(threads, static_cast<int>(n)));
  for (int i = 0; i < t; ++i) {
    pool.emplace_back([&] {
      for (size_t k = next++; k < n; k = next++) fn(k);
    });
  }
  for (auto& th : pool) th.join();
}

std::string DemoPhoto(const std::string& tag) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  // IHDR: length 13, 1x1 pixel, 8-bit greyscale.
  png +=
      std::string("\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00", 21);
  png += std::string("\x00\x00\x00\x00", 4);  // CRC (not checked by the service)
  std::string text = std::string("Comment") + std::string(1, '\0') + tag;
  uint32_t len = static_cast<uint32_t>(text.size());
  png += std::string{static_cast<char>(len >> 24), static_cast<char>(len >> 16),
                     static_cast<char>(len >> 8), static_cast<char>(len)};
  png += "tEXt" + text + std::string(4, '\0');
  png += std::string("\x00\x00\x00\x00IEND\xae\x42\x60\x82", 12);
  return png;
}

}  // namespace gridwork::gridsim
