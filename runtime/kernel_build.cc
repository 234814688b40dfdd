// Kernel build: a kernel per step (provider selection by the registry), constant folding,
// prepare exactly once, and the release of constants every user keeps packed.
#include <algorithm>

#include "runtime/plan.h"

namespace onnxi {

namespace {

// Constants that every consuming kernel has packed into its own form keep only their shape
// and dtype: the weights are then held once. (Called once every consumer of `id` is prepared.)
void release_if_packed(ExecGraph& g, ShapePlan& p, size_t id) {
  Value& v = g.values[id];
  if (!v.is_constant || v.graph_output || v.consumers.empty() || !v.constant.is_tensor() ||
      v.constant.dtype() == DType::String || !v.constant.raw_data())
    return;
  for (int si : v.consumers) {
    const Step& s = g.steps[si];
    for (size_t k = 0; k < s.in.size(); ++k)
      if (s.in[k] == static_cast<int>(id) && !s.kernel->packed_input(k)) return;
  }
  v.constant = Tensor::view(v.constant.dtype(), v.constant.shape(), nullptr);
  // The plan made for building holds the constant too: drop that reference as well, or the
  // memory is only freed at the next re-plan (after every weight has been packed).
  if (id < p.values.size() && p.values[id].defined()) p.values[id] = v.constant;
}

// A packed sub-byte input or output is an error unless the kernel handles them.
void check_packed_dtypes(const ShapePlan& p, const Step& s, const std::vector<ValueType>& in) {
  if (s.kernel->handles_packed_dtypes()) return;
  auto fail = [&](DType t) {
    throw Error(Stage::Build, s.node.op_type + " does not support the packed type " + std::string(dtype_name(t)),
                s.ctx);
  };
  for (size_t i = 0; i < in.size(); ++i)
    if (s.in[i] >= 0 && dtype_is_packed(in[i].dtype)) fail(in[i].dtype);
  for (int id : s.out)
    if (id >= 0 && dtype_is_packed(p.types[id].dtype)) fail(p.types[id].dtype);
}

}  // namespace

void build_kernels(ExecGraph& g, const std::vector<Shape>& shapes, const SessionOptions& options,
                   pthreadpool_t pool, ShapePlan& p) {
  reset_types(g, shapes, p);
  std::vector<bool> folded(g.steps.size(), false);
  for (size_t si = 0; si < g.steps.size(); ++si) {
    Step& s = g.steps[si];
    std::vector<ValueType> in = input_types(g, p, s);
    try {
      BuildContext bctx{s.node, s.opset, in, &options, &g.opsets};
      s.kernel = build_kernel(bctx, options.force_provider);
    } catch (const std::exception& e) {
      throw wrap_error(e, Stage::Build, s.ctx);
    }
    if (!s.kernel) {
      std::string dts;
      for (size_t i = 0; i < in.size(); ++i)
        if (s.in[i] >= 0) dts += (dts.empty() ? "" : ", ") + std::string(dtype_name(in[i].dtype));
      throw Error(Stage::Build, "no kernel supports this node with input types (" + dts + ")", s.ctx);
    }
    infer_step(g, p, s, in, Stage::Build);
    check_packed_dtypes(p, s, in);
    bool all_const = true;
    for (int id : s.in)
      if (id >= 0 && !g.values[id].is_constant) all_const = false;
    bool no_inputs = std::none_of(s.in.begin(), s.in.end(), [](int id) { return id >= 0; });
    if (all_const && s.kernel->foldable() && (options.optimize || no_inputs)) {
      std::vector<const Tensor*> ins;
      for (size_t i = 0; i < s.in.size(); ++i) ins.push_back(in[i].constant);
      std::vector<Tensor> outs = run_step_fresh(s, ins, Stage::Build, options, pool);
      for (size_t k = 0; k < s.out.size(); ++k) {
        if (s.out[k] < 0) continue;
        Value& v = g.values[s.out[k]];
        v.constant = outs[k];
        v.is_constant = true;
        p.values[s.out[k]] = outs[k];
        p.types[s.out[k]].dtype = outs[k].dtype();
        p.types[s.out[k]].shape_known = true;
        p.types[s.out[k]].shape = outs[k].shape();
      }
      folded[si] = !std::any_of(s.out.begin(), s.out.end(),
                                [&](int id) { return id >= 0 && g.values[id].graph_output; });
    }
  }
  // Drop folded steps; reindex producers/consumers.
  std::vector<Step> kept;
  for (size_t si = 0; si < g.steps.size(); ++si)
    if (!folded[si]) kept.push_back(std::move(g.steps[si]));
  g.steps = std::move(kept);
  for (auto& v : g.values) {
    v.producer = -1;
    v.consumers.clear();
  }
  for (size_t si = 0; si < g.steps.size(); ++si) {
    for (int id : g.steps[si].in)
      if (id >= 0) g.values[id].consumers.push_back(static_cast<int>(si));
    for (int id : g.steps[si].out)
      if (id >= 0) g.values[id].producer = static_cast<int>(si);
  }
  for (auto& v : g.values)
    if (v.is_constant && v.consumers.empty() && !v.graph_output) v.constant = Tensor();  // free
  // Each constant is released as soon as every kernel using it has packed its own copy, so
  // the unpacked and packed weights of the whole model are never held at once.
  std::vector<int> unprepared_users(g.values.size(), 0);
  for (const auto& s : g.steps)
    for (int id : s.in)
      if (id >= 0) ++unprepared_users[id];
  for (auto& s : g.steps) {
    try {
      prepare_once(s, options, pool);
    } catch (const std::exception& e) {
      throw wrap_error(e, Stage::Build, s.ctx);
    }
    for (int id : s.in)
      if (id >= 0 && --unprepared_users[id] == 0) release_if_packed(g, p, static_cast<size_t>(id));
  }
  g.uses_own_threads = std::any_of(g.steps.begin(), g.steps.end(),
                                   [](const Step& s) { return s.kernel->runs_on_own_threads(); });
  g.built = true;
  p.valid = false;
}

}  // namespace onnxi
