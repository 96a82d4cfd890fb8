#include "demo_geography/clustering.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <vector>

namespace gridwork::demo_geography {
namespace {

// A w × h lattice graph, unit spacing, 4-neighbourhood.
Graph Lattice(int w, int h) {
  Graph g;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      g.x_km.push_back(x);
      g.y_km.push_back(y);
      g.edges.emplace_back();
      auto& e = g.edges.back();
      if (y > 0) e.push_back({(y - 1) * w + x, 1.0});
      if (x > 0) e.push_back({y * w + x - 1, 1.0});
      if (x + 1 < w) e.push_back({y * w + x + 1, 1.0});
      if (y + 1 < h) e.push_back({(y + 1) * w + x, 1.0});
    }
  }
  return g;
}

bool Connected(const Graph& g, const std::vector<int>& nodes, const std::vector<int>& group) {
  std::set<int> seen = {nodes.front()};
  std::vector<int> stack = {nodes.front()};
  while (!stack.empty()) {
    int n = stack.back();
    stack.pop_back();
    for (const Graph::Edge& e : g.edges[n]) {
      if (group[e.to] == group[n] && seen.insert(e.to).second) stack.push_back(e.to);
    }
  }
  return seen.size() == nodes.size();
}

TEST_CASE("clusters are contiguous and within the size bounds") {
  const Graph g = Lattice(30, 20);
  ClusterOptions options{.target_size = 7, .min_size = 4, .max_size = 10};
  Rng rng(42);
  const std::vector<int> group = ClusterGraph(g, options, rng);
  std::map<int, std::vector<int>> members;
  for (int n = 0; n < g.size(); ++n) members[group[n]].push_back(n);
  REQUIRE(members.size() > 50);
  CHECK(members.begin()->first == 0);
  CHECK(members.rbegin()->first == static_cast<int>(members.size()) - 1);
  for (const auto& [id, m] : members) {
    INFO("group " << id << " size " << m.size());
    CHECK(static_cast<int>(m.size()) >= options.min_size);
    CHECK(static_cast<int>(m.size()) <= options.max_size);
    CHECK(Connected(g, m, group));
  }
}

TEST_CASE("clustering is deterministic") {
  const Graph g = Lattice(15, 15);
  Rng a(7), b(7);
  CHECK(ClusterGraph(g, {}, a) == ClusterGraph(g, {}, b));
}

TEST_CASE("a component smaller than min_size stays its own group") {
  Graph g = Lattice(6, 6);
  g.x_km.push_back(100);
  g.y_km.push_back(100);
  g.edges.emplace_back();
  Rng rng(1);
  const std::vector<int> group = ClusterGraph(g, {}, rng);
  for (int n = 0; n < 36; ++n) CHECK(group[n] != group[36]);
}

}  // namespace
}  // namespace gridwork::demo_geography
