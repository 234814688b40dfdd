// Removes nodes none of whose outputs is used by another node or is a graph output.
#include "runtime/passes/pass.h"

namespace onnxi {

bool eliminate_dead_nodes(Graph& g, PassStats& stats) {
  bool any = false;
  for (;;) {
    GraphIndex index(g);
    std::vector<bool> dead(g.nodes.size(), false);
    bool changed = false;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      bool used = false;
      for (const auto& o : g.nodes[i].outputs)
        if (!o.empty() && (index.is_graph_output(o) || !index.consumers(o).empty())) used = true;
      if (!used) {
        dead[i] = true;
        changed = true;
        stats.rewrites["eliminate_dead_nodes"]++;
      }
    }
    if (!changed) break;
    remove_nodes(g, dead);
    any = true;
  }
  {
    // Drop initializers nothing refers to any more (e.g. weights replaced by folding).
    GraphIndex index(g);
    for (auto it = g.initializers.begin(); it != g.initializers.end();) {
      bool is_input = false;
      for (const auto& in : g.inputs) is_input |= in.name == it->first;
      if (!is_input && index.consumers(it->first).empty() && !index.is_graph_output(it->first))
      {
        it = g.initializers.erase(it);
        any = true;
      } else
        ++it;
    }
  }
  return any;
}

}  // namespace onnxi
