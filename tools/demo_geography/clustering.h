// Grouping the nodes of a planar adjacency graph into contiguous, compact, roughly
// equal-sized groups: grids into communities, communities into streets.
//
// Method: k centres by farthest-point sampling, then a few rounds of "graph Lloyd":
// every node joins the centre that reaches it first in a multi-source Dijkstra over the
// adjacency graph (edge length = distance between node positions) with a per-centre additive
// bias, centres move to their group's middle and biases grow for groups that are too big.
// Dijkstra regions are connected by construction. Finally groups below `min_size` merge
// into the neighbour they share most border with and groups above `max_size` are split.
#ifndef GRIDWORK_TOOLS_DEMO_GEOGRAPHY_CLUSTERING_H_
#define GRIDWORK_TOOLS_DEMO_GEOGRAPHY_CLUSTERING_H_

#include <vector>

#include "demo_geography/random.h"

namespace gridwork::demo_geography {

struct Graph {
  struct Edge {
    int to;
    double border_km;  // length of the border shared by the two nodes (> 0).
  };
  std::vector<double> x_km;  // node position (e.g. centroid).
  std::vector<double> y_km;
  std::vector<std::vector<Edge>> edges;  // symmetric; sorted by `to`.

  int size() const { return static_cast<int>(x_km.size()); }
};

struct ClusterOptions {
  double target_size = 6;  // nodes per group.
  int min_size = 4;
  int max_size = 10;
  int iterations = 12;
};

// Returns the group of every node, groups numbered 0..k-1 in order of their lowest node.
// Groups are connected in `graph`, unless a connected component of the graph is itself
// smaller than min_size (it then forms its own, small group). Deterministic for a given
// graph, options and rng state.
std::vector<int> ClusterGraph(const Graph& graph, const ClusterOptions& options, Rng& rng);

}  // namespace gridwork::demo_geography

#endif  // GRIDWORK_TOOLS_DEMO_GEOGRAPHY_CLUSTERING_H_
