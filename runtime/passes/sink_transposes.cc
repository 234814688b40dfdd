// Moves a Transpose below layout-agnostic consumers: U(T(x)) -> T(U(x)) for elementwise
// unary ops, and B(T(a), T(b)) -> T(B(a, b)) for binary ones when both sides have the same
// permutation (or one side is a constant, which is permuted here once). Sunk transposes
// then meet their inverse and cancel_transposes removes both.
#include <algorithm>
#include <set>

#include "runtime/passes/pass.h"

namespace onnxi {

static const std::set<std::string> kUnary = {
    "Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "Elu", "Selu", "Clip", "Abs",
    "Neg", "Exp", "Log", "Sqrt", "Softplus", "Softsign", "Erf", "Floor", "Ceil", "Round", "Reciprocal", "Celu"};
static const std::set<std::string> kBinary = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Pow"};

static std::vector<int64_t> inverse_perm(const std::vector<int64_t>& p) {
  std::vector<int64_t> inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[p[i]] = static_cast<int64_t>(i);
  return inv;
}

// Perm of the Transpose producing `v`, or empty.
static std::vector<int64_t> producing_perm(const Graph& g, const GraphIndex& index, const std::string& v,
                                           std::string* source) {
  int p = index.producer(v);
  if (p < 0) return {};
  const Node& t = g.nodes[p];
  std::vector<int64_t> perm;
  if (!t.domain.empty() || t.op_type != "Transpose" || !transpose_perm(t, &perm)) return {};
  *source = t.inputs[0];
  return perm;
}

bool sink_transposes(Graph& g, PassStats& stats) {
  GraphIndex index(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (!n.domain.empty() || n.outputs.size() != 1 || n.inputs.empty()) continue;
    std::vector<int64_t> perm;
    std::vector<std::string> new_inputs = n.inputs;
    if (kUnary.count(n.op_type)) {
      std::string src;
      perm = producing_perm(g, index, n.inputs[0], &src);
      if (perm.empty()) continue;
      // Clip's min/max are scalars: layout-agnostic.
      new_inputs[0] = src;
    } else if (kBinary.count(n.op_type) && n.inputs.size() == 2) {
      std::string sa, sb;
      auto pa = producing_perm(g, index, n.inputs[0], &sa);
      auto pb = producing_perm(g, index, n.inputs[1], &sb);
      if (!pa.empty() && pa == pb) {
        perm = pa;
        new_inputs = {sa, sb};
      } else if (!pa.empty() || !pb.empty()) {
        size_t t_side = pa.empty() ? 1 : 0;
        perm = pa.empty() ? pb : pa;
        const Tensor* c = index.initializer(n.inputs[1 - t_side]);
        if (!c || c->dtype() == DType::String || dtype_is_packed(c->dtype()) || c->rank() > perm.size()) continue;
        Shape s4(perm.size() - c->rank(), 1);
        s4.insert(s4.end(), c->shape().begin(), c->shape().end());
        Tensor permuted = transpose_constant(c->reshaped(s4), inverse_perm(perm));
        std::string cname = index.fresh_name(n.inputs[1 - t_side] + "_permuted");
        g.initializers[cname] = std::move(permuted);
        new_inputs[t_side] = t_side == 0 ? sa : sb;
        new_inputs[1 - t_side] = cname;
      } else {
        continue;
      }
    } else {
      continue;
    }
    std::string y = n.outputs[0];
    std::string base = n.name.empty() ? y : n.name;
    std::string y_pre = index.fresh_name(base + "_pre_transpose");
    n.inputs = new_inputs;
    n.outputs[0] = y_pre;
    Node t = make_transpose(index.fresh_name(base + "_sunk_transpose"), y_pre, y, perm);
    g.nodes.insert(g.nodes.begin() + static_cast<long>(i) + 1, std::move(t));
    stats.transposes_inserted++;
    stats.rewrites["sink_transposes"]++;
    return true;  // index is stale; the fixed-point loop calls again
  }
  return false;
}

}  // namespace onnxi
