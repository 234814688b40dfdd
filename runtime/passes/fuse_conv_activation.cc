// NhwcConv followed by Relu or a constant Clip applies the clamp in the convolution's
// output stage (XNNPACK's output_min/output_max) instead of another pass over memory.
#include <cmath>
#include <limits>

#include "runtime/passes/pass.h"

namespace onnxi {

static bool scalar_float(const Tensor* t, float* v) {
  if (!t || t->dtype() != DType::Float || t->numel() != 1) return false;
  *v = t->data<float>()[0];
  return true;
}

// Clamp range of a Relu/Clip node, when it is constant.
static bool activation_range(const Node& n, const GraphIndex& index, float* lo, float* hi) {
  *lo = -std::numeric_limits<float>::infinity();
  *hi = std::numeric_limits<float>::infinity();
  if (n.op_type == "Relu") {
    *lo = 0;
    return true;
  }
  if (n.op_type != "Clip") return false;
  if (const Attribute* a = n.find_attribute("min"); a && a->kind == Attribute::Kind::Float) *lo = a->f;
  if (const Attribute* a = n.find_attribute("max"); a && a->kind == Attribute::Kind::Float) *hi = a->f;
  if (n.inputs.size() > 1 && !n.inputs[1].empty() && !scalar_float(index.initializer(n.inputs[1]), lo)) return false;
  if (n.inputs.size() > 2 && !n.inputs[2].empty() && !scalar_float(index.initializer(n.inputs[2]), hi)) return false;
  return !(std::isnan(*lo) || std::isnan(*hi)) && *lo <= *hi;
}

static void set_float_attr(Node& n, const std::string& name, float v) {
  Attribute a;
  a.name = name;
  a.kind = Attribute::Kind::Float;
  a.f = v;
  n.attributes[name] = a;
}

bool fuse_conv_activation(Graph& g, PassStats& stats) {
  GraphIndex index(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& act = g.nodes[i];
    if (!act.domain.empty() || act.inputs.empty() || act.outputs.size() != 1) continue;
    float lo, hi;
    if (!activation_range(act, index, &lo, &hi)) continue;
    int ci = index.producer(act.inputs[0]);
    if (ci < 0) continue;
    Node& conv = g.nodes[ci];
    if (conv.domain != kInternalDomain || conv.op_type != "NhwcConv") continue;
    if (index.consumers(conv.outputs[0]).size() != 1 || index.is_graph_output(conv.outputs[0])) continue;
    if (const Attribute* a = conv.find_attribute("activation_min")) lo = std::max(lo, a->f);
    if (const Attribute* a = conv.find_attribute("activation_max")) hi = std::min(hi, a->f);
    if (lo > hi) continue;
    set_float_attr(conv, "activation_min", lo);
    set_float_attr(conv, "activation_max", hi);
    conv.outputs[0] = act.outputs[0];
    std::vector<bool> dead(g.nodes.size(), false);
    dead[i] = true;
    remove_nodes(g, dead);
    stats.rewrites["fuse_conv_activation"]++;
    return true;
  }
  return false;
}

}  // namespace onnxi
