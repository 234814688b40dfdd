// Rewrites 2-D convolutions (and pools fed by an NHWC->NCHW transpose) to their NHWC
// variants in the internal domain, with a transpose on each side. sink_transposes and
// cancel_transposes then remove the transposes between neighbouring NHWC nodes, so a
// conv chain pays for one transpose at each end instead of two around every node. This
// pass is where layout is decided (ops/nn/layout.h: kernels never change it).
#include "runtime/passes/pass.h"

namespace onnxi {

static const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};
static const std::vector<int64_t> kToNchw = {0, 3, 1, 2};

static bool fed_by_nchw_transpose(const Graph& g, const GraphIndex& index, const std::string& v) {
  int p = index.producer(v);
  if (p < 0) return false;
  const Node& t = g.nodes[p];
  std::vector<int64_t> perm;
  return t.domain.empty() && t.op_type == "Transpose" && transpose_perm(t, &perm) && perm == kToNchw;
}

static bool pool_is_2d(const Node& n) {
  const Attribute* k = n.find_attribute("kernel_shape");
  return k && k->kind == Attribute::Kind::Ints && k->ints.size() == 2;
}

bool convert_to_nhwc(Graph& g, PassStats& stats) {
  GraphIndex index(g);
  // Decide first (the index reads g.nodes), then rebuild the node list.
  std::vector<std::string> nhwc_ops(g.nodes.size());
  bool any = false;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    // (a node without its one output is left for the kernel to reject: the rewrite reads it)
    if (!n.domain.empty() || n.inputs.empty() || n.inputs[0].empty() || n.outputs.size() != 1 || n.outputs[0].empty())
      continue;
    if (n.op_type == "Conv" && n.inputs.size() >= 2) {
      const Tensor* w = index.initializer(n.inputs[1]);
      bool bias_ok = n.inputs.size() < 3 || n.inputs[2].empty() || index.initializer(n.inputs[2]);
      if (w && w->dtype() == DType::Float && w->rank() == 4 && bias_ok) nhwc_ops[i] = "NhwcConv";
    } else if ((n.op_type == "MaxPool" && n.outputs.size() == 1 && pool_is_2d(n)) ||
               (n.op_type == "AveragePool" && pool_is_2d(n)) || n.op_type == "GlobalAveragePool") {
      if (fed_by_nchw_transpose(g, index, n.inputs[0])) nhwc_ops[i] = "Nhwc" + n.op_type;
    }
    any |= !nhwc_ops[i].empty();
  }
  if (!any) return false;
  std::vector<Node> out;
  out.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (nhwc_ops[i].empty()) {
      out.push_back(std::move(n));
      continue;
    }
    std::string base = n.name.empty() ? n.outputs[0] : n.name;
    std::string x_nhwc = index.fresh_name(base + "_in_nhwc");
    std::string y_nhwc = index.fresh_name(base + "_out_nhwc");
    out.push_back(make_transpose(index.fresh_name(base + "_to_nhwc"), n.inputs[0], x_nhwc, kToNhwc));
    std::string y = n.outputs[0];
    n.op_type = nhwc_ops[i];
    n.domain = kInternalDomain;
    n.inputs[0] = x_nhwc;
    n.outputs[0] = y_nhwc;
    std::string tname = index.fresh_name(base + "_to_nchw");
    out.push_back(std::move(n));
    out.push_back(make_transpose(tname, y_nhwc, y, kToNchw));
    stats.transposes_inserted += 2;
    stats.rewrites["convert_to_nhwc"]++;
  }
  g.nodes = std::move(out);
  return true;
}

}  // namespace onnxi
