// Graph rewrites. Each pass is one function in its own file that rewrites a Graph in
// place and returns whether it changed anything; optimize_graph runs them to a fixed point.
#pragma once
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/graph.h"

namespace onnxi {

// Internal ops created by passes live in this domain (see ops/nn for their kernels).
inline constexpr const char* kInternalDomain = "onnxi";

struct PassStats {
  size_t transposes_inserted = 0;
  size_t transposes_removed = 0;
  std::map<std::string, size_t> rewrites;
};

// Producer/consumer index of a graph, rebuilt by each pass before it looks.
class GraphIndex {
 public:
  explicit GraphIndex(const Graph& g);
  // Node producing `value`, or -1 (graph input, initializer, or undefined).
  int producer(const std::string& value) const;
  // Nodes consuming `value` (a node appears once per use).
  const std::vector<size_t>& consumers(const std::string& value) const;
  // True for graph outputs and for values captured by subgraphs: names that must stay.
  bool is_graph_output(const std::string& value) const { return graph_outputs_.count(value) > 0; }
  const Tensor* initializer(const std::string& value) const;
  // A value name not used anywhere in the graph, starting with `base`.
  std::string fresh_name(const std::string& base);

 private:
  const Graph& g_;
  std::unordered_map<std::string, int> producer_;
  std::unordered_map<std::string, std::vector<size_t>> consumers_;
  std::unordered_set<std::string> graph_outputs_;
  std::unordered_set<std::string> used_names_;
  size_t counter_ = 0;
  static const std::vector<size_t> kNone;
};

// Replaces every use of `from` as a node input by `to`.
void replace_uses(Graph& g, const std::string& from, const std::string& to);
// Removes nodes whose index is in `dead` (keeps order of the rest).
void remove_nodes(Graph& g, const std::vector<bool>& dead);
// Transposes a constant tensor (any fixed-size dtype) by `perm`.
Tensor transpose_constant(const Tensor& t, const std::vector<int64_t>& perm);
// Reads the perm attribute of a Transpose node (default: reversed axes, needs rank).
bool transpose_perm(const Node& n, std::vector<int64_t>* perm);
Node make_transpose(const std::string& name, const std::string& in, const std::string& out,
                    const std::vector<int64_t>& perm);

bool eliminate_identities(Graph& g, PassStats& stats);
bool fold_batchnorm_into_conv(Graph& g, PassStats& stats);
bool convert_to_nhwc(Graph& g, PassStats& stats);
bool sink_transposes(Graph& g, PassStats& stats);
bool cancel_transposes(Graph& g, PassStats& stats);
bool fuse_conv_add(Graph& g, PassStats& stats);
bool fuse_conv_activation(Graph& g, PassStats& stats);
bool eliminate_dead_nodes(Graph& g, PassStats& stats);

// Runs all passes to a fixed point.
PassStats optimize_graph(Graph& g);

}  // namespace onnxi
