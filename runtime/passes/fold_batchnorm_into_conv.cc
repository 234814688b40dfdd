// Conv followed by inference BatchNormalization becomes one Conv with scaled weights and
// a shifted bias: W' = W * s, B' = (B - mean) * s + beta, s = gamma / sqrt(var + eps).
#include <cmath>

#include "runtime/passes/pass.h"

namespace onnxi {

static bool is_float_vector(const Tensor* t, int64_t n) {
  return t && t->dtype() == DType::Float && t->rank() == 1 && t->dim(0) == n;
}

bool fold_batchnorm_into_conv(Graph& g, PassStats& stats) {
  GraphIndex index(g);
  for (size_t bi = 0; bi < g.nodes.size(); ++bi) {
    Node& bn = g.nodes[bi];
    if (!bn.domain.empty() || bn.op_type != "BatchNormalization" || bn.inputs.size() != 5 ||
        bn.outputs.empty() || bn.outputs[0].empty())
      continue;
    if (bn.outputs.size() > 1) {
      bool extra = false;
      for (size_t k = 1; k < bn.outputs.size(); ++k) extra |= !bn.outputs[k].empty();
      if (extra) continue;  // training form
    }
    if (const Attribute* sp = bn.find_attribute("spatial"); sp && sp->kind == Attribute::Kind::Int && sp->i == 0)
      continue;
    // training_mode = 1 (opset 14+) normalizes with the batch's statistics, not the given ones.
    if (const Attribute* tm = bn.find_attribute("training_mode"); tm && !(tm->kind == Attribute::Kind::Int && tm->i == 0))
      continue;
    int ci = index.producer(bn.inputs[0]);
    if (ci < 0) continue;
    Node& conv = g.nodes[ci];
    if (!conv.domain.empty() || conv.op_type != "Conv" || conv.inputs.size() < 2) continue;
    if (index.consumers(conv.outputs[0]).size() != 1 || index.is_graph_output(conv.outputs[0])) continue;
    const Tensor* w = index.initializer(conv.inputs[1]);
    if (!w || w->dtype() != DType::Float || w->rank() < 3) continue;
    const int64_t m = w->dim(0);
    const Tensor* b = conv.inputs.size() > 2 && !conv.inputs[2].empty() ? index.initializer(conv.inputs[2]) : nullptr;
    if (conv.inputs.size() > 2 && !conv.inputs[2].empty() && !is_float_vector(b, m)) continue;
    const Tensor* gamma = index.initializer(bn.inputs[1]);
    const Tensor* beta = index.initializer(bn.inputs[2]);
    const Tensor* mean = index.initializer(bn.inputs[3]);
    const Tensor* var = index.initializer(bn.inputs[4]);
    if (!is_float_vector(gamma, m) || !is_float_vector(beta, m) || !is_float_vector(mean, m) ||
        !is_float_vector(var, m))
      continue;
    float eps = 1e-5f;
    if (const Attribute* e = bn.find_attribute("epsilon"); e && e->kind == Attribute::Kind::Float) eps = e->f;

    Tensor new_w = w->clone();
    Tensor new_b(DType::Float, {m});
    const int64_t per_out = w->numel() / std::max<int64_t>(m, 1);
    float* nw = new_w.data<float>();
    for (int64_t o = 0; o < m; ++o) {
      double s = double(gamma->data<float>()[o]) / std::sqrt(double(var->data<float>()[o]) + double(eps));
      for (int64_t k = 0; k < per_out; ++k) nw[o * per_out + k] = float(nw[o * per_out + k] * s);
      double bias = b ? b->data<float>()[o] : 0.0;
      new_b.data<float>()[o] = float((bias - mean->data<float>()[o]) * s + beta->data<float>()[o]);
    }
    std::string wn = index.fresh_name(conv.inputs[1] + "_bnfold");
    std::string bname = index.fresh_name((b ? conv.inputs[2] : conv.inputs[1]) + "_bnfold_bias");
    g.initializers[wn] = std::move(new_w);
    g.initializers[bname] = std::move(new_b);
    conv.inputs.resize(3);
    conv.inputs[1] = wn;
    conv.inputs[2] = bname;
    conv.outputs[0] = bn.outputs[0];
    std::vector<bool> dead(g.nodes.size(), false);
    dead[bi] = true;
    remove_nodes(g, dead);
    stats.rewrites["fold_batchnorm_into_conv"]++;
    return true;  // the index is stale; the caller runs us again
  }
  return false;
}

}  // namespace onnxi
