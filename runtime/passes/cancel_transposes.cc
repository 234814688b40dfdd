// Transpose(Transpose(x, p1), p2) reads x through the composed permutation: the pair is
// dropped when that is the identity, merged into one Transpose otherwise.
#include "runtime/passes/pass.h"

namespace onnxi {

bool cancel_transposes(Graph& g, PassStats& stats) {
  GraphIndex index(g);
  bool changed = false;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& t2 = g.nodes[i];
    std::vector<int64_t> p2, p1;
    if (!t2.domain.empty() || t2.op_type != "Transpose" || !transpose_perm(t2, &p2)) continue;
    int pi = index.producer(t2.inputs[0]);
    if (pi < 0) continue;
    const Node& t1 = g.nodes[pi];
    if (!t1.domain.empty() || t1.op_type != "Transpose" || !transpose_perm(t1, &p1) || p1.size() != p2.size())
      continue;
    std::vector<int64_t> composed(p2.size());
    bool identity = true;
    for (size_t k = 0; k < p2.size(); ++k) {
      composed[k] = p1[p2[k]];
      identity &= composed[k] == static_cast<int64_t>(k);
    }
    const std::string x = t1.inputs[0];
    if (identity && !index.is_graph_output(t2.outputs[0])) {
      replace_uses(g, t2.outputs[0], x);
      t2.op_type = "Identity";  // now unused; dead-node elimination removes it
      t2.attributes.clear();
      t2.inputs = {x};
    } else if (identity) {
      t2.op_type = "Identity";
      t2.attributes.clear();
      t2.inputs = {x};
    } else {
      t2.inputs = {x};
      t2.attributes["perm"].ints = composed;
    }
    stats.rewrites["cancel_transposes"]++;
    changed = true;
    return changed;  // index is stale
  }
  return changed;
}

}  // namespace onnxi
