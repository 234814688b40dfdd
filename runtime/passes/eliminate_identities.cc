// Identity (and Dropout in inference form) forward their input: consumers read the
// input directly. Kept when the output is a graph output, which must keep its name.
#include "runtime/passes/pass.h"

namespace onnxi {

static bool is_passthrough(const Node& n) {
  if (!n.domain.empty()) return false;
  if (n.op_type == "Identity") return n.inputs.size() == 1 && n.outputs.size() == 1;
  if (n.op_type == "Dropout") {
    // Only the inference form: no mask output, and no training_mode input.
    bool mask_used = n.outputs.size() > 1 && !n.outputs[1].empty();
    bool training_input = n.inputs.size() > 2 && !n.inputs[2].empty();
    return !mask_used && !training_input && !n.inputs.empty() && !n.inputs[0].empty() && !n.outputs.empty() &&
           !n.outputs[0].empty();
  }
  return false;
}

bool eliminate_identities(Graph& g, PassStats& stats) {
  GraphIndex index(g);
  std::vector<bool> dead(g.nodes.size(), false);
  bool changed = false;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!is_passthrough(n) || index.is_graph_output(n.outputs[0])) continue;
    replace_uses(g, n.outputs[0], n.inputs[0]);
    dead[i] = true;
    changed = true;
    stats.rewrites["eliminate_identities"]++;
  }
  if (changed) remove_nodes(g, dead);
  return changed;
}

}  // namespace onnxi
