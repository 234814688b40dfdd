// The shape planner: value types and shapes for one set of input shapes, the steps that can
// be evaluated ahead (their inputs are known) or must be run with shapes known only then,
// the kernels' FLOP estimates (Kernel::flops), and the arena offsets from the memory planner.
#include <algorithm>

#include "runtime/memory_plan.h"
#include "runtime/plan.h"

namespace onnxi {

void reset_types(const ExecGraph& g, const std::vector<Shape>& shapes, ShapePlan& p) {
  p.types.assign(g.values.size(), ValueType{});
  p.values.assign(g.values.size(), Tensor());
  for (size_t id = 0; id < g.values.size(); ++id) {
    const Value& v = g.values[id];
    p.types[id].dtype = v.dtype;
    if (v.is_constant) {
      p.values[id] = v.constant;
      p.types[id].dtype = v.constant.dtype();
      p.types[id].shape_known = true;
      p.types[id].shape = v.constant.shape();
    }
  }
  for (size_t i = 0; i < g.input_ids.size(); ++i) {
    ValueType& t = p.types[g.input_ids[i]];
    t.dtype = g.inputs[i].dtype;
    t.shape_known = i < shapes.size() && shapes[i] != kNonTensorShape;
    if (t.shape_known) t.shape = shapes[i];
  }
}

std::vector<ValueType> input_types(const ExecGraph&, const ShapePlan& p, const Step& s) {
  std::vector<ValueType> in(s.in.size());
  for (size_t i = 0; i < s.in.size(); ++i) {
    if (s.in[i] < 0) continue;
    in[i] = p.types[s.in[i]];
    in[i].constant = p.values[s.in[i]].defined() ? &p.values[s.in[i]] : nullptr;
  }
  return in;
}

void infer_step(ExecGraph& g, ShapePlan& p, Step& s, const std::vector<ValueType>& in, Stage stage) {
  std::vector<ValueType> out(s.out.size());
  try {
    InferContext ictx(in, out);
    s.kernel->infer(ictx);
  } catch (const std::exception& e) {
    throw wrap_error(e, stage, s.ctx);
  }
  for (size_t k = 0; k < s.out.size(); ++k) {
    if (s.out[k] < 0) continue;
    if (out[k].dtype == DType::Undefined)
      throw Error(stage, "kernel did not infer the type of output " + std::to_string(k), s.ctx);
    g.values[s.out[k]].dtype = out[k].dtype;
    p.types[s.out[k]] = out[k];
    p.types[s.out[k]].constant = nullptr;
  }
}

namespace {

// Arena offsets of the values computed at run time with shapes known ahead (plan_memory).
void assign_arena(const ExecGraph& g, ShapePlan& p) {
  std::vector<int> ids;
  std::vector<BufferLifetime> buffers;
  p.arena_offset.assign(g.values.size(), -1);
  for (size_t si = 0; si < g.steps.size(); ++si) {
    const Step& s = g.steps[si];
    if (p.steps[si].evaluated || p.steps[si].dynamic) continue;
    for (int id : s.out) {
      if (id < 0 || g.values[id].graph_output || !p.types[id].shape_known) continue;
      const ValueType& t = p.types[id];
      if (t.dtype == DType::String) continue;
      size_t bytes = dtype_nbytes(t.dtype, shape_numel(t.shape));
      int last = static_cast<int>(si);
      for (int c : g.values[id].consumers) last = std::max(last, c);
      ids.push_back(id);
      buffers.push_back({bytes, static_cast<int>(si), last});
    }
  }
  MemoryPlan mp = plan_memory(buffers, kTensorAlignment, kTensorTailPadding);
  for (size_t i = 0; i < ids.size(); ++i) p.arena_offset[ids[i]] = static_cast<int64_t>(mp.offsets[i]);
  p.arena_bytes = mp.arena_bytes;
}

}  // namespace

void plan_shapes(ExecGraph& g, const std::vector<Shape>& shapes, const SessionOptions& options,
                 pthreadpool_t pool, ShapePlan& p) {
  p.valid = false;
  reset_types(g, shapes, p);
  p.steps.assign(g.steps.size(), StepPlan{});
  for (size_t si = 0; si < g.steps.size(); ++si) {
    Step& s = g.steps[si];
    StepPlan& sp = p.steps[si];
    std::vector<ValueType> in = input_types(g, p, s);
    bool inputs_known = true, shapes_known = true;
    std::vector<Tensor> shape_only(s.in.size());  // data-less stand-ins (see needs_input_data)
    for (size_t i = 0; i < s.in.size(); ++i) {
      if (s.in[i] < 0) continue;
      if (!in[i].shape_known) shapes_known = false;
      if (in[i].constant) continue;
      if (in[i].shape_known && !s.kernel->needs_input_data(i) && in[i].dtype != DType::String) {
        shape_only[i] = Tensor::view(in[i].dtype, in[i].shape, nullptr);
        in[i].constant = &shape_only[i];
      } else {
        inputs_known = false;
      }
    }
    bool produces_output = std::any_of(s.out.begin(), s.out.end(),
                                       [&](int id) { return id >= 0 && g.values[id].graph_output; });
    if (inputs_known && s.kernel->foldable() && !produces_output) {
      std::vector<const Tensor*> ins;
      for (size_t i = 0; i < s.in.size(); ++i) ins.push_back(in[i].constant);
      std::vector<Tensor> outs = run_step_fresh(s, ins, Stage::Plan, options, pool);
      for (size_t k = 0; k < s.out.size(); ++k) {
        if (s.out[k] < 0) continue;
        p.values[s.out[k]] = outs[k];
        p.types[s.out[k]] = ValueType{outs[k].dtype(), true, outs[k].shape(), nullptr};
      }
      sp.evaluated = true;
      continue;
    }
    if (!inputs_known) in = input_types(g, p, s);  // drop the data-less stand-ins
    if (!shapes_known) {
      // Inputs come from a dynamic step: this one is dynamic too.
      for (int id : s.out)
        if (id >= 0) p.types[id].shape_known = false;
      sp.dynamic = true;
      continue;
    }
    infer_step(g, p, s, in, Stage::Plan);
    for (int id : s.out)
      if (id >= 0 && !p.types[id].shape_known) sp.dynamic = true;
    if (!sp.dynamic) {
      std::vector<ValueType> out;
      for (int id : s.out) out.push_back(id >= 0 ? p.types[id] : ValueType{});
      sp.flops = s.kernel->flops(in, out);
    }
  }
  assign_arena(g, p);
  p.input_shapes = shapes;
  p.valid = true;
  ++p.generation;
}

}  // namespace onnxi
