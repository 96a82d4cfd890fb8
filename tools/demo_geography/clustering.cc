#include "demo_geography/clustering.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <queue>
#include <tuple>
#include <utility>

namespace gridwork::demo_geography {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double Dist(const Graph& g, int a, int b) {
  return std::hypot(g.x_km[a] - g.x_km[b], g.y_km[a] - g.y_km[b]);
}

// Multi-source Dijkstra restricted to nodes with active[n]; returns the group per node
// (-1 if unreachable from every centre).
std::vector<int> Assign(const Graph& g, const std::vector<char>& active,
                        const std::vector<int>& centres, const std::vector<double>& bias) {
  std::vector<double> dist(g.size(), kInf);
  std::vector<int> group(g.size(), -1);
  using Item = std::pair<double, int>;  // (distance, node): ties broken by node index.
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> pq;
  for (size_t c = 0; c < centres.size(); ++c) {
    const int n = centres[c];
    if (bias[c] < dist[n]) {
      dist[n] = bias[c];
      group[n] = static_cast<int>(c);
      pq.emplace(bias[c], n);
    }
  }
  while (!pq.empty()) {
    auto [d, n] = pq.top();
    pq.pop();
    if (d > dist[n]) continue;
    for (const Graph::Edge& e : g.edges[n]) {
      if (!active[e.to]) continue;
      const double nd = d + Dist(g, n, e.to);
      if (nd < dist[e.to]) {
        dist[e.to] = nd;
        group[e.to] = group[n];
        pq.emplace(nd, e.to);
      }
    }
  }
  return group;
}

// Balanced graph-Lloyd clustering of the active nodes into k groups.
std::vector<int> Lloyd(const Graph& g, const std::vector<char>& active, int k, double mean_edge_km,
                       int iterations, Rng& rng) {
  std::vector<int> nodes;
  for (int n = 0; n < g.size(); ++n) {
    if (active[n]) nodes.push_back(n);
  }
  // Farthest-point sampling from a random first node.
  std::vector<int> centres = {nodes[rng.Below(nodes.size())]};
  std::vector<double> nearest(g.size(), kInf);
  while (static_cast<int>(centres.size()) < k) {
    int best = -1;
    double best_d = -1;
    for (int n : nodes) {
      nearest[n] = std::min(nearest[n], Dist(g, n, centres.back()));
      if (nearest[n] > best_d) {
        best_d = nearest[n];
        best = n;
      }
    }
    if (best_d <= 0) break;
    centres.push_back(best);
  }
  k = static_cast<int>(centres.size());
  const double target = static_cast<double>(nodes.size()) / k;
  const double spacing = mean_edge_km * std::sqrt(target);
  std::vector<double> bias(k, 0.0);
  std::vector<int> group;
  for (int it = 0;; ++it) {
    group = Assign(g, active, centres, bias);
    if (it == iterations) break;
    std::vector<double> sx(k, 0), sy(k, 0), count(k, 0);
    for (int n : nodes) {
      if (group[n] < 0) continue;
      sx[group[n]] += g.x_km[n];
      sy[group[n]] += g.y_km[n];
      count[group[n]] += 1;
    }
    // Largest group, to re-seed groups that lost every node.
    const int largest =
        static_cast<int>(std::max_element(count.begin(), count.end()) - count.begin());
    std::vector<double> best_d(k, kInf);
    std::vector<int> new_centre(centres);
    for (int n : nodes) {
      const int c = group[n];
      if (c < 0) continue;
      const double d = std::hypot(g.x_km[n] - sx[c] / count[c], g.y_km[n] - sy[c] / count[c]);
      if (d < best_d[c]) {
        best_d[c] = d;
        new_centre[c] = n;
      }
    }
    for (int c = 0; c < k; ++c) {
      if (count[c] == 0) {
        std::vector<int> members;
        for (int n : nodes) {
          if (group[n] == largest && n != new_centre[largest]) members.push_back(n);
        }
        if (!members.empty()) new_centre[c] = members[rng.Below(members.size())];
        bias[c] = bias[largest];
        continue;
      }
      bias[c] += 0.4 * spacing * (count[c] - target) / target;
    }
    centres = new_centre;
  }
  return group;
}

// True if the nodes of `group` other than `without` are connected among themselves.
bool StaysConnected(const Graph& g, const std::vector<int>& group, int id, int without,
                    const std::vector<int>& members) {
  int start = -1;
  for (int v : members) {
    if (v != without) {
      start = v;
      break;
    }
  }
  if (start < 0) return false;  // would become empty
  std::vector<int> stack = {start};
  std::vector<int> seen = {start};
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    for (const Graph::Edge& e : g.edges[v]) {
      if (group[e.to] != id || e.to == without) continue;
      if (std::find(seen.begin(), seen.end(), e.to) != seen.end()) continue;
      seen.push_back(e.to);
      stack.push_back(e.to);
    }
  }
  return seen.size() + 1 == members.size();
}

// Local search: a group below min_size takes the nearest border node of a neighbour that can
// spare one (stays >= min_size and connected); a group above max_size gives its border node
// to the neighbour that can take one. Stops when no such move is left (bounded).
void Rebalance(const Graph& g, const ClusterOptions& options, std::vector<int>& group) {
  for (int pass = 0; pass < 4 * g.size(); ++pass) {
    std::map<int, std::vector<int>> members;
    for (int v = 0; v < g.size(); ++v) members[group[v]].push_back(v);
    bool moved = false;
    for (const auto& [id, m] : members) {
      const int size = static_cast<int>(m.size());
      const bool needy = size < options.min_size;
      const bool bloated = size > options.max_size;
      if (!needy && !bloated) continue;
      double cx = 0, cy = 0;
      for (int v : m) {
        cx += g.x_km[v] / size;
        cy += g.y_km[v] / size;
      }
      // Candidate moves (distance, node, from, to), best first.
      std::vector<std::tuple<double, int, int, int>> moves;
      for (int v : m) {
        for (const Graph::Edge& e : g.edges[v]) {
          const int other = group[e.to];
          if (other == id) continue;
          const int other_size = static_cast<int>(members[other].size());
          if (needy && other_size > options.min_size) {
            moves.emplace_back(std::hypot(g.x_km[e.to] - cx, g.y_km[e.to] - cy), e.to, other, id);
          }
          if (bloated && other_size < options.max_size) {
            moves.emplace_back(-std::hypot(g.x_km[v] - cx, g.y_km[v] - cy), v, id, other);
          }
        }
      }
      std::sort(moves.begin(), moves.end());
      for (const auto& [d, v, from, to] : moves) {
        if (!StaysConnected(g, group, from, v, members[from])) continue;
        group[v] = to;
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) return;
  }
}

}  // namespace

std::vector<int> ClusterGraph(const Graph& g, const ClusterOptions& options, Rng& rng) {
  const int n = g.size();
  std::vector<int> group(n, -1);
  if (n == 0) return group;
  double edge_sum = 0;
  int edge_count = 0;
  for (int a = 0; a < n; ++a) {
    for (const Graph::Edge& e : g.edges[a]) {
      edge_sum += Dist(g, a, e.to);
      ++edge_count;
    }
  }
  const double mean_edge = edge_count > 0 ? edge_sum / edge_count : 1.0;

  // Connected components are clustered separately.
  int next_group = 0;
  std::vector<char> seen(n, 0);
  for (int s = 0; s < n; ++s) {
    if (seen[s]) continue;
    std::vector<int> comp = {s};
    seen[s] = 1;
    for (size_t i = 0; i < comp.size(); ++i) {
      for (const Graph::Edge& e : g.edges[comp[i]]) {
        if (!seen[e.to]) {
          seen[e.to] = 1;
          comp.push_back(e.to);
        }
      }
    }
    std::vector<char> active(n, 0);
    for (int v : comp) active[v] = 1;
    const int k = std::max(1, static_cast<int>(std::lround(comp.size() / options.target_size)));
    std::vector<int> local = Lloyd(g, active, k, mean_edge, options.iterations, rng);
    for (int v : comp) group[v] = next_group + local[v];
    next_group += k;
  }

  // Fix-ups: rebalance, merge small groups, split big ones, until stable (bounded).
  for (int round = 0; round < 8; ++round) {
    Rebalance(g, options, group);
    bool changed = false;
    std::map<int, std::vector<int>> members;
    for (int v = 0; v < n; ++v) members[group[v]].push_back(v);
    // Merge: smallest first.
    std::vector<std::pair<size_t, int>> by_size;
    for (const auto& [id, m] : members) by_size.emplace_back(m.size(), id);
    std::sort(by_size.begin(), by_size.end());
    for (const auto& [size_at_start, id] : by_size) {
      auto it = members.find(id);
      if (it == members.end() || static_cast<int>(it->second.size()) >= options.min_size) continue;
      std::map<int, double> border;  // neighbour group -> shared border
      for (int v : it->second) {
        for (const Graph::Edge& e : g.edges[v]) {
          if (group[e.to] != id) border[group[e.to]] += e.border_km;
        }
      }
      int best = -1;
      double best_border = -1;
      bool best_fits = false;
      for (const auto& [other, len] : border) {
        const bool fits =
            members[other].size() + it->second.size() <= static_cast<size_t>(options.max_size);
        if ((fits && !best_fits) || (fits == best_fits && len > best_border)) {
          best = other;
          best_border = len;
          best_fits = fits;
        }
      }
      if (best < 0) continue;  // An isolated component: keep it small.
      for (int v : it->second) group[v] = best;
      auto& dst = members[best];
      dst.insert(dst.end(), it->second.begin(), it->second.end());
      members.erase(it);
      changed = true;
    }
    // Split.
    for (auto& [id, m] : members) {
      if (static_cast<int>(m.size()) <= options.max_size) continue;
      std::vector<char> active(n, 0);
      for (int v : m) active[v] = 1;
      const int k =
          std::max(2, static_cast<int>(std::ceil(
                          m.size() / std::max(options.target_size, (options.max_size + 1) / 2.0))));
      std::vector<int> local = Lloyd(g, active, k, mean_edge, options.iterations, rng);
      for (int v : m) {
        if (local[v] > 0) group[v] = next_group + local[v];
      }
      next_group += k;
      changed = true;
    }
    if (!changed) break;
  }

  // Renumber 0..k-1 in order of lowest node.
  std::map<int, int> renumber;
  for (int v = 0; v < n; ++v) {
    auto [it, inserted] = renumber.emplace(group[v], static_cast<int>(renumber.size()));
    group[v] = it->second;
  }
  return group;
}

}  // namespace gridwork::demo_geography
