// NhwcConv followed by an Add of another NHWC value (the residual connection of
// ResNet-style blocks) becomes one NhwcConv with that value as its fourth input, Z: the
// providers add it while the convolution's output is still in cache (oneDNN as a post-op)
// instead of another pass over memory. A Relu after the Add is then fused as the
// convolution's clamp by fuse_conv_activation, which applies it after Z is added.
#include "runtime/passes/pass.h"

namespace onnxi {

// True when `value` is produced by a node of the internal domain, i.e. it is an NHWC
// tensor made by the layout pass (the other operand of the Add is NHWC too).
static bool is_internal_nhwc(const Graph& g, const GraphIndex& index, const std::string& value) {
  int p = index.producer(value);
  return p >= 0 && g.nodes[p].domain == kInternalDomain && g.nodes[p].op_type.rfind("Nhwc", 0) == 0;
}

static bool fusable_conv(const Node& conv) {
  return conv.domain == kInternalDomain && conv.op_type == "NhwcConv" && conv.outputs.size() == 1 &&
         conv.inputs.size() <= 3 && !conv.find_attribute("activation_min") && !conv.find_attribute("activation_max");
}

bool fuse_conv_add(Graph& g, PassStats& stats) {
  GraphIndex index(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& add = g.nodes[i];
    if (!add.domain.empty() || add.op_type != "Add" || add.inputs.size() != 2 || add.outputs.size() != 1) continue;
    if (add.inputs[0].empty() || add.inputs[1].empty() || add.inputs[0] == add.inputs[1]) continue;
    for (int k = 0; k < 2; ++k) {
      const std::string& conv_out = add.inputs[k];
      const std::string& z = add.inputs[1 - k];
      int ci = index.producer(conv_out);
      if (ci < 0 || !fusable_conv(g.nodes[ci])) continue;
      if (index.consumers(conv_out).size() != 1 || index.is_graph_output(conv_out)) continue;
      if (!is_internal_nhwc(g, index, z)) continue;
      // The fused node takes the Add's place: both the conv and Z's producer come before it.
      Node fused = std::move(g.nodes[ci]);
      fused.inputs.resize(3);
      fused.inputs.push_back(z);
      fused.outputs[0] = add.outputs[0];
      g.nodes[i] = std::move(fused);
      std::vector<bool> dead(g.nodes.size(), false);
      dead[ci] = true;
      remove_nodes(g, dead);
      stats.rewrites["fuse_conv_add"]++;
      return true;
    }
  }
  return false;
}

}  // namespace onnxi
