// Session: builds kernels for a (possibly optimized) graph, plans shapes and memory for
// the current input shapes, and runs the plan.
#include "onnxi/session.h"

#include <pthreadpool.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <set>
#include <unordered_map>

#include "runtime/kernel.h"
#include "runtime/memory_plan.h"
#include "runtime/passes/pass.h"
#include "runtime/session_internal.h"
#include "runtime/threadpool.h"

namespace onnxi {

namespace {

struct Value {
  std::string name;
  DType dtype = DType::Undefined;
  Tensor constant;  // permanent constant: initializer or folded at build
  bool is_constant = false;
  int graph_input = -1;  // index into Impl::inputs_
  bool graph_output = false;
  int producer = -1;  // step index
  std::vector<int> consumers;
};

struct Step {
  Node node;
  int64_t opset = 0;
  std::unique_ptr<Kernel> kernel;
  std::vector<int> in, out;  // value ids; -1 for omitted
  ErrorContext ctx;
  // Current plan:
  bool evaluated = false;  // computed while planning (inputs all known); not run
  bool dynamic = false;    // output shapes known only while running
  double flops = 0;
  std::vector<double> times_ms;
  bool prepared = false;  // prepare() ran (it runs exactly once per kernel)
};

// One execution context's state for one step's kernel (see Kernel::make_state): made on
// the context's first run of the step, reshaped when the step's input shapes change.
struct StepState {
  bool made = false;
  std::unique_ptr<KernelState> state;
  uint64_t plan_generation = 0;  // the plan it was last reshaped for (static steps)
  std::vector<Shape> shapes;     // input shapes it was last reshaped for (dynamic steps)
};

// What one run needs of its own: the activation arena, the value slots and the kernels'
// states. Concurrent runs each take one from the session's pool; kernels (immutable once
// prepared) and weights stay shared.
struct ExecContext {
  std::shared_ptr<void> arena;
  size_t arena_capacity = 0;
  std::vector<Tensor> slots;  // per value, during a run
  std::vector<StepState> states;  // per step
};

}  // namespace

IOInfo to_io_info(const ValueInfo& vi) {
  IOInfo io;
  io.name = vi.name;
  io.dtype = vi.dtype;
  io.has_shape = vi.has_shape;
  io.kind = vi.kind;
  for (const auto& d : vi.shape) {
    io.shape.push_back(d.fixed() ? d.value : -1);
    io.dim_names.push_back(d.symbol);
  }
  return io;
}

namespace {

Error wrap(const std::exception& e, Stage stage, const ErrorContext& ctx) {
  if (auto* oe = dynamic_cast<const Error*>(&e)) return oe->with_context(ctx);
  if (dynamic_cast<const std::bad_alloc*>(&e)) return Error(stage, "out of memory", ctx);
  return Error(stage, e.what(), ctx);
}

// Stands for the "shape" of a sequence or optional input in a plan's input shapes (and
// of an input whose shape is not known when building ahead of the first run).
const Shape kNonTensorShape = {-2};

// Declared kinds whose values are not plain tensors (an optional may hold a tensor, but
// its shape is not known ahead of the run either).
bool is_non_tensor_kind(const std::string& kind) {
  return kind == "sequence" || kind == "optional" || kind == "map" || kind == "opaque";
}

}  // namespace

struct Session::Impl {
  SessionOptions options;
  std::string file;
  std::shared_ptr<Graph> graph;
  bool uses_own_threads = false;  // some kernel runs on threads of its own (not the pool)
  std::map<std::string, int64_t> opsets;
  PassStats pass_stats;
  std::vector<IOInfo> inputs_, outputs_;
  std::vector<int> input_ids, output_ids;
  std::vector<bool> input_required;
  std::vector<Value> values;
  std::unordered_map<std::string, int> value_id;
  std::vector<Step> steps;
  bool built = false;
  std::shared_ptr<ThreadPool> pool_owner;
  pthreadpool_t pool = nullptr;
  // Runs whose input shapes match the current plan hold `mu` shared and run concurrently;
  // building, re-planning (and the run that needed it) hold it exclusively.
  std::shared_mutex mu;
  std::mutex profile_mu;  // guards Step::times_ms
  uint64_t plan_generation = 0;  // bumped by every plan(); states reshape when it changes
  std::mutex contexts_mu;
  std::vector<std::unique_ptr<ExecContext>> free_contexts;

  // Plan for planned_shapes.
  bool planned = false;
  std::vector<Shape> planned_shapes;
  std::vector<ValueType> types;      // per value
  std::vector<Tensor> plan_values;   // per value: known while planning (constants, evaluated)
  std::vector<int64_t> arena_offset; // per value, -1 when not in the arena
  size_t arena_bytes = 0;            // each run's activation arena (ExecContext)

  ~Impl() {
    steps.clear();  // kernels may hold XNNPACK operators using the pool
  }

  ErrorContext file_ctx() const {
    ErrorContext c;
    c.file = file;
    return c;
  }

  int64_t opset_for(const std::string& domain) const {
    if (domain == kInternalDomain) return 1;
    auto it = opsets.find(domain);
    return it == opsets.end() ? 0 : it->second;
  }

  int add_value(const std::string& name) {
    auto it = value_id.find(name);
    if (it != value_id.end()) return it->second;
    int id = static_cast<int>(values.size());
    values.push_back({});
    values.back().name = name;
    value_id[name] = id;
    return id;
  }

  void init(Model model) {
    file = model.path;
    opsets = model.opsets;
    graph = model.graph;
    if (!graph) throw Error(Stage::Load, "model has no graph", file_ctx());
    if (!options.thread_pool) options.thread_pool = make_thread_pool(options.threads);
    pool_owner = options.thread_pool;
    pool = pool_owner->get();
    // Values that subgraphs capture from this scope become implicit inputs of their node,
    // so ordering, lifetimes and the passes see those uses.
    for (auto& n : graph->nodes) {
      std::set<std::string> captured;
      for (const auto& [an, a] : n.attributes) {
        if (a.g)
          for (auto& v : free_variables(*a.g)) captured.insert(v);
        for (const auto& sg : a.graphs)
          if (sg)
            for (auto& v : free_variables(*sg)) captured.insert(v);
      }
      n.implicit_inputs.assign(captured.begin(), captured.end());
    }

    // Declared inputs: graph inputs that are not initializers, or that are (then optional).
    for (const auto& vi : graph->inputs) {
      bool has_default = graph->initializers.count(vi.name) > 0;
      inputs_.push_back(to_io_info(vi));
      input_required.push_back(!has_default);
    }
    for (const auto& vi : graph->outputs) outputs_.push_back(to_io_info(vi));

    if (options.optimize) pass_stats = optimize_graph(*graph);
    std::vector<size_t> order;
    try {
      order = topological_order(*graph);
    } catch (const std::exception& e) {
      throw wrap(e, Stage::Load, file_ctx());
    }
    check_supported();

    for (const auto& [name, t] : graph->initializers) {
      int id = add_value(name);
      values[id].dtype = t.dtype();
      values[id].constant = t;
      values[id].is_constant = true;
    }
    for (size_t i = 0; i < graph->inputs.size(); ++i) {
      int id = add_value(graph->inputs[i].name);
      values[id].graph_input = static_cast<int>(i);
      values[id].is_constant = false;  // an input overrides an initializer of the same name
      values[id].dtype = graph->inputs[i].dtype;
      input_ids.push_back(id);
    }
    // The values hold the initializers now. The graph keeps only those that are inputs'
    // defaults, so that releasing a constant once it is packed really frees its memory.
    {
      std::set<std::string> input_names;
      for (const auto& vi : graph->inputs) input_names.insert(vi.name);
      for (auto it = graph->initializers.begin(); it != graph->initializers.end();)
        it = input_names.count(it->first) ? std::next(it) : graph->initializers.erase(it);
    }
    for (size_t oi : order) {
      const Node& n = graph->nodes[oi];
      Step s;
      s.node = n;
      s.opset = opset_for(n.domain);
      s.ctx = file_ctx();
      s.ctx.node = n.name.empty() ? "#" + std::to_string(oi) : n.name;
      s.ctx.op_type = n.op_type;
      s.ctx.domain = n.domain;
      s.ctx.opset = s.opset;
      int step_index = static_cast<int>(steps.size());
      std::vector<std::string> uses = n.inputs;
      uses.insert(uses.end(), n.implicit_inputs.begin(), n.implicit_inputs.end());
      for (const auto& in : uses) {
        if (in.empty()) {
          s.in.push_back(-1);
          continue;
        }
        int id = add_value(in);
        values[id].consumers.push_back(step_index);
        s.in.push_back(id);
      }
      for (const auto& o : n.outputs) {
        if (o.empty()) {
          s.out.push_back(-1);
          continue;
        }
        int id = add_value(o);
        values[id].producer = step_index;
        s.out.push_back(id);
      }
      steps.push_back(std::move(s));
    }
    for (const auto& o : graph->outputs) {
      int id = add_value(o.name);
      values[id].graph_output = true;
      output_ids.push_back(id);
    }
    // Build now when every input's rank is declared (symbolic dims probed as 1);
    // otherwise on the first run, when the shapes are known.
    bool ranks_known = true;
    std::vector<Shape> probe;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (is_non_tensor_kind(inputs_[i].kind)) {
        probe.push_back(kNonTensorShape);
        continue;
      }
      if (!inputs_[i].has_shape) ranks_known = false;
      Shape s;
      for (int64_t d : inputs_[i].shape) s.push_back(d < 0 ? 1 : d);
      probe.push_back(s);
    }
    if (ranks_known) build(probe);
  }

  void check_supported() const {
    std::vector<std::string> missing;
    for (const auto& n : graph->nodes) {
      int64_t opset = opset_for(n.domain);
      if (!KernelRegistry::global().supports(n.domain, n.op_type, opset)) {
        std::string entry = (n.domain.empty() ? std::string("ai.onnx") : n.domain) + "::" + n.op_type +
                            " (opset " + std::to_string(opset) + ")";
        if (std::find(missing.begin(), missing.end(), entry) == missing.end()) missing.push_back(entry);
      }
    }
    if (missing.empty()) return;
    std::string msg = "unsupported operator" + std::string(missing.size() > 1 ? "s: " : ": ");
    for (size_t i = 0; i < missing.size(); ++i) msg += (i ? ", " : "") + missing[i];
    throw Error(Stage::Build, msg, file_ctx());
  }

  // Value types for a step's inputs from `types`/`plan_values`.
  std::vector<ValueType> input_types(const Step& s) const {
    std::vector<ValueType> in(s.in.size());
    for (size_t i = 0; i < s.in.size(); ++i) {
      if (s.in[i] < 0) continue;
      in[i] = types[s.in[i]];
      in[i].constant = plan_values[s.in[i]].defined() ? &plan_values[s.in[i]] : nullptr;
    }
    return in;
  }

  // Creates the kernels (dtypes are shape-independent), folds constant subgraphs, and
  // prepares every kernel. `shapes` are the input shapes used to reach every node.
  void build(const std::vector<Shape>& shapes) {
    reset_types(shapes);
    std::vector<bool> folded(steps.size(), false);
    for (size_t si = 0; si < steps.size(); ++si) {
      Step& s = steps[si];
      std::vector<ValueType> in = input_types(s);
      try {
        BuildContext bctx{s.node, s.opset, in, &options, &opsets};
        s.kernel = build_kernel(bctx, options.force_provider);
      } catch (const std::exception& e) {
        throw wrap(e, Stage::Build, s.ctx);
      }
      if (!s.kernel) {
        std::string dts;
        for (size_t i = 0; i < in.size(); ++i)
          if (s.in[i] >= 0) dts += (dts.empty() ? "" : ", ") + std::string(dtype_name(in[i].dtype));
        throw Error(Stage::Build, "no kernel supports this node with input types (" + dts + ")", s.ctx);
      }
      infer_step(s, in, Stage::Build);
      bool all_const = true;
      for (int id : s.in)
        if (id >= 0 && !values[id].is_constant) all_const = false;
      bool no_inputs = std::none_of(s.in.begin(), s.in.end(), [](int id) { return id >= 0; });
      if (all_const && s.kernel->foldable() && (options.optimize || no_inputs)) {
        std::vector<Tensor> outs = evaluate(s, in, Stage::Build);
        for (size_t k = 0; k < s.out.size(); ++k) {
          if (s.out[k] < 0) continue;
          Value& v = values[s.out[k]];
          v.constant = outs[k];
          v.is_constant = true;
          plan_values[s.out[k]] = outs[k];
          types[s.out[k]].dtype = outs[k].dtype();
          types[s.out[k]].shape_known = true;
          types[s.out[k]].shape = outs[k].shape();
        }
        folded[si] = !std::any_of(s.out.begin(), s.out.end(),
                                  [&](int id) { return id >= 0 && values[id].graph_output; });
      }
    }
    // Drop folded steps; reindex producers/consumers.
    std::vector<Step> kept;
    for (size_t si = 0; si < steps.size(); ++si)
      if (!folded[si]) kept.push_back(std::move(steps[si]));
    steps = std::move(kept);
    for (auto& v : values) {
      v.producer = -1;
      v.consumers.clear();
    }
    for (size_t si = 0; si < steps.size(); ++si) {
      for (int id : steps[si].in)
        if (id >= 0) values[id].consumers.push_back(static_cast<int>(si));
      for (int id : steps[si].out)
        if (id >= 0) values[id].producer = static_cast<int>(si);
    }
    for (auto& v : values)
      if (v.is_constant && v.consumers.empty() && !v.graph_output) v.constant = Tensor();  // free
    // Each constant is released as soon as every kernel using it has packed its own copy,
    // so the unpacked and packed weights of the whole model are never held at once.
    std::vector<int> unprepared_users(values.size(), 0);
    for (const auto& s : steps)
      for (int id : s.in)
        if (id >= 0) ++unprepared_users[id];
    for (auto& s : steps) {
      try {
        prepare_once(s);
      } catch (const std::exception& e) {
        throw wrap(e, Stage::Build, s.ctx);
      }
      for (int id : s.in)
        if (id >= 0 && --unprepared_users[id] == 0) release_if_packed(static_cast<size_t>(id));
    }
    uses_own_threads = std::any_of(steps.begin(), steps.end(),
                                   [](const Step& s) { return s.kernel->runs_on_own_threads(); });
    built = true;
    planned = false;
  }

  void prepare_once(Step& s) {
    if (s.prepared) return;
    PrepareContext pctx;
    pctx.threadpool = pool;
    pctx.options = &options;
    s.kernel->prepare(pctx);
    s.prepared = true;
  }

  // Constants that every consuming kernel has packed into its own form keep only their
  // shape and dtype: the weights are then held once.
  // (Called once every consumer of value `id` is prepared.)
  void release_if_packed(size_t id) {
    Value& v = values[id];
    if (!v.is_constant || v.graph_output || v.consumers.empty() || !v.constant.is_tensor() ||
        v.constant.dtype() == DType::String || !v.constant.raw_data())
      return;
    for (int si : v.consumers) {
      const Step& s = steps[si];
      for (size_t k = 0; k < s.in.size(); ++k)
        if (s.in[k] == static_cast<int>(id) && !s.kernel->packed_input(k)) return;
    }
    v.constant = Tensor::view(v.constant.dtype(), v.constant.shape(), nullptr);
    // The plan made for building holds the constant too: drop that reference as well, or
    // the memory is only freed at the next re-plan (after every weight has been packed).
    if (id < plan_values.size() && plan_values[id].defined()) plan_values[id] = v.constant;
  }

  void reset_types(const std::vector<Shape>& shapes) {
    types.assign(values.size(), ValueType{});
    plan_values.assign(values.size(), Tensor());
    for (size_t id = 0; id < values.size(); ++id) {
      const Value& v = values[id];
      types[id].dtype = v.dtype;
      if (v.is_constant) {
        plan_values[id] = v.constant;
        types[id].dtype = v.constant.dtype();
        types[id].shape_known = true;
        types[id].shape = v.constant.shape();
      }
    }
    for (size_t i = 0; i < input_ids.size(); ++i) {
      ValueType& t = types[input_ids[i]];
      t.dtype = inputs_[i].dtype;
      t.shape_known = i < shapes.size() && shapes[i] != kNonTensorShape;
      if (t.shape_known) t.shape = shapes[i];
    }
  }

  void infer_step(Step& s, const std::vector<ValueType>& in, Stage stage) {
    std::vector<ValueType> out(s.out.size());
    try {
      InferContext ictx(in, out);
      s.kernel->infer(ictx);
    } catch (const std::exception& e) {
      throw wrap(e, stage, s.ctx);
    }
    for (size_t k = 0; k < s.out.size(); ++k) {
      if (s.out[k] < 0) continue;
      if (out[k].dtype == DType::Undefined)
        throw Error(stage, "kernel did not infer the type of output " + std::to_string(k), s.ctx);
      values[s.out[k]].dtype = out[k].dtype;
      types[s.out[k]] = out[k];
      types[s.out[k]].constant = nullptr;
    }
  }

  // Runs a step whose inputs are all known, into fresh tensors.
  std::vector<Tensor> evaluate(Step& s, const std::vector<ValueType>& in, Stage stage) {
    std::vector<const Tensor*> ins;
    for (size_t i = 0; i < s.in.size(); ++i) ins.push_back(in[i].constant);
    return run_into_fresh(s, ins, stage);
  }

  // Runs `s` into fresh tensors, inferring its output shapes from the actual inputs. `st`:
  // the calling context's state for the step (nullptr: a state made for this call only).
  std::vector<Tensor> run_into_fresh(Step& s, const std::vector<const Tensor*>& ins, Stage stage,
                                     StepState* st = nullptr) {
    std::vector<ValueType> vin(ins.size());
    for (size_t i = 0; i < ins.size(); ++i) {
      if (!ins[i]) continue;
      vin[i].dtype = ins[i]->dtype();
      vin[i].shape_known = ins[i]->is_tensor();
      vin[i].shape = ins[i]->shape();
      vin[i].constant = ins[i];
    }
    std::vector<ValueType> vout(s.out.size());
    std::vector<Tensor> outs(s.out.size());
    std::vector<Tensor*> out_ptrs;
    StepState local;
    if (!st) st = &local;
    try {
      InferContext ictx(vin, vout);
      s.kernel->infer(ictx);
      for (size_t k = 0; k < s.out.size(); ++k) {
        if (s.out[k] < 0) {
          out_ptrs.push_back(nullptr);
          continue;
        }
        if (vout[k].shape_known) outs[k] = Tensor(vout[k].dtype, vout[k].shape);
        out_ptrs.push_back(&outs[k]);
      }
      prepare_once(s);
      std::vector<Shape> shapes(ins.size());
      for (size_t i = 0; i < ins.size(); ++i)
        if (ins[i] && ins[i]->is_tensor()) shapes[i] = ins[i]->shape();
      if (!st->made) {
        st->state = s.kernel->make_state();
        st->made = true;
        st->shapes.clear();
      }
      RunContext rctx(ins, out_ptrs, pool, st->state.get());
      if (st->shapes.empty() || st->shapes != shapes) {
        s.kernel->reshape(rctx);
        st->shapes = std::move(shapes);
        st->plan_generation = 0;
      }
      s.kernel->run(rctx);
    } catch (const std::exception& e) {
      throw wrap(e, stage, s.ctx);
    }
    for (size_t k = 0; k < s.out.size(); ++k)
      if (s.out[k] >= 0 && !outs[k].defined())
        throw Error(stage, "kernel produced no value for output " + std::to_string(k), s.ctx);
    return outs;
  }

  // Shapes, plan-time values and arena offsets for `shapes`.
  void plan(const std::vector<Shape>& shapes) {
    reset_types(shapes);
    for (size_t si = 0; si < steps.size(); ++si) {
      Step& s = steps[si];
      std::vector<ValueType> in = input_types(s);
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
      s.evaluated = false;
      s.dynamic = false;
      bool produces_output = std::any_of(s.out.begin(), s.out.end(),
                                         [&](int id) { return id >= 0 && values[id].graph_output; });
      if (inputs_known && s.kernel->foldable() && !produces_output) {
        std::vector<Tensor> outs = evaluate(s, in, Stage::Plan);
        for (size_t k = 0; k < s.out.size(); ++k) {
          if (s.out[k] < 0) continue;
          plan_values[s.out[k]] = outs[k];
          types[s.out[k]] = ValueType{outs[k].dtype(), true, outs[k].shape(), nullptr};
        }
        s.evaluated = true;
        continue;
      }
      if (!inputs_known) in = input_types(s);  // drop the data-less stand-ins
      if (!shapes_known) {
        // Inputs come from a dynamic step: this one is dynamic too.
        for (int id : s.out)
          if (id >= 0) types[id].shape_known = false;
        s.dynamic = true;
        continue;
      }
      infer_step(s, in, Stage::Plan);
      for (int id : s.out)
        if (id >= 0 && !types[id].shape_known) s.dynamic = true;
      s.flops = estimate_flops(s, in);
    }
    assign_arena();
    planned_shapes = shapes;
    planned = true;
    ++plan_generation;
  }

  double estimate_flops(const Step& s, const std::vector<ValueType>& in) const {
    if (s.out.empty() || s.out[0] < 0 || !types[s.out[0]].shape_known) return 0;
    const Shape& y = types[s.out[0]].shape;
    const std::string& op = s.node.op_type;
    auto prod = [](const Shape& sh, size_t from, size_t to) {
      double p = 1;
      for (size_t i = from; i < to && i < sh.size(); ++i) p *= double(sh[i]);
      return p;
    };
    if ((op == "Conv" || op == "NhwcConv") && in.size() >= 2 && in[1].shape_known && in[1].shape.size() >= 3) {
      const Shape& w = in[1].shape;  // [M, C/g, k...]
      return 2.0 * prod(y, 0, y.size()) * prod(w, 1, w.size());
    }
    if ((op == "Gemm" || op == "MatMul") && in.size() >= 2 && in[0].shape_known && !in[0].shape.empty()) {
      double k = double(in[0].shape.back());
      if (op == "Gemm" && s.node.find_attribute("transA") && s.node.find_attribute("transA")->i)
        k = double(in[0].shape.front());
      return 2.0 * prod(y, 0, y.size()) * k;
    }
    return 0;
  }

  // Arena offsets of the values computed at run time with shapes known ahead (plan_memory).
  void assign_arena() {
    std::vector<int> ids;
    std::vector<BufferLifetime> buffers;
    arena_offset.assign(values.size(), -1);
    for (size_t si = 0; si < steps.size(); ++si) {
      const Step& s = steps[si];
      if (s.evaluated || s.dynamic) continue;
      for (int id : s.out) {
        if (id < 0 || values[id].graph_output || !types[id].shape_known) continue;
        const ValueType& t = types[id];
        if (t.dtype == DType::String) continue;
        size_t bytes = static_cast<size_t>(shape_numel(t.shape)) * dtype_size(t.dtype);
        int last = static_cast<int>(si);
        for (int c : values[id].consumers) last = std::max(last, c);
        ids.push_back(id);
        buffers.push_back({bytes, static_cast<int>(si), last});
      }
    }
    MemoryPlan mp = plan_memory(buffers, kTensorAlignment, kTensorTailPadding);
    for (size_t i = 0; i < ids.size(); ++i) arena_offset[ids[i]] = static_cast<int64_t>(mp.offsets[i]);
    arena_bytes = mp.arena_bytes;
  }

  std::vector<Shape> validate_inputs(const std::map<std::string, Tensor>& feeds) {
    for (const auto& feed : feeds) {
      const std::string& name = feed.first;
      bool known = std::any_of(inputs_.begin(), inputs_.end(), [&](const IOInfo& io) { return io.name == name; });
      if (!known) {
        std::string names;
        for (const auto& io : inputs_)
          if (!graph->initializers.count(io.name)) names += (names.empty() ? "" : ", ") + io.name;
        throw Error(Stage::Run, "unknown input '" + name + "' (the model's inputs are: " + names + ")", file_ctx());
      }
    }
    std::vector<Shape> shapes;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const IOInfo& io = inputs_[i];
      auto it = feeds.find(io.name);
      if (it == feeds.end()) {
        if (input_required[i]) throw Error(Stage::Run, "missing input '" + io.name + "'", file_ctx());
        shapes.push_back(graph->initializers.at(io.name).shape());
        continue;
      }
      const Tensor& t = it->second;
      if (!t.defined()) throw Error(Stage::Run, "input '" + io.name + "' is an empty tensor handle", file_ctx());
      if (!t.is_tensor()) {
        // A sequence's dtype is its element type; an empty one read from a file may not
        // know it (Undefined), and is then given the declared type when run.
        const char* what = t.is_sequence() ? "a sequence of " : "an empty optional of ";
        if (io.dtype != DType::Undefined && t.dtype() != DType::Undefined && t.dtype() != io.dtype)
          throw Error(Stage::Run,
                      "input '" + io.name + "' is " + what + std::string(dtype_name(t.dtype())) +
                          ", the model expects " + std::string(dtype_name(io.dtype)) + " elements",
                      file_ctx());
        shapes.push_back(kNonTensorShape);
        continue;
      }
      if (io.kind == "sequence")
        throw Error(Stage::Run, "input '" + io.name + "' is a tensor, the model expects a sequence",
                    file_ctx());
      if (io.dtype != DType::Undefined && t.dtype() != io.dtype)
        throw Error(Stage::Run,
                    "input '" + io.name + "' has type " + std::string(dtype_name(t.dtype())) + ", the model expects " +
                        std::string(dtype_name(io.dtype)),
                    file_ctx());
      if (io.has_shape) {
        bool ok = t.rank() == io.shape.size();
        for (size_t d = 0; ok && d < io.shape.size(); ++d)
          if (io.shape[d] >= 0 && io.shape[d] != t.shape()[d]) ok = false;
        if (!ok) {
          std::string want = "[";
          for (size_t d = 0; d < io.shape.size(); ++d) {
            if (d) want += ",";
            want += io.shape[d] >= 0 ? std::to_string(io.shape[d])
                                     : (io.dim_names[d].empty() ? std::string("?") : io.dim_names[d]);
          }
          want += "]";
          throw Error(Stage::Run,
                      "input '" + io.name + "' has shape " + shape_to_string(t.shape()) + ", the model expects " + want,
                      file_ctx());
        }
      }
      shapes.push_back(t.shape());
    }
    return shapes;
  }

  // Element types of the outputs, building the kernels first (with every input shape
  // unknown) when no run has built them yet.
  std::vector<DType> output_dtypes() {
    std::unique_lock<std::shared_mutex> lock(mu);
    if (!built) build(std::vector<Shape>(inputs_.size(), kNonTensorShape));
    std::vector<DType> out;
    for (int id : output_ids) out.push_back(values[id].dtype);
    return out;
  }

  std::vector<Tensor> run(const std::map<std::string, Tensor>& feeds, const std::vector<std::string>& names,
                          std::vector<Tensor>* bound = nullptr) {
    std::vector<int> want;
    if (names.empty()) {
      want = output_ids;
    } else {
      for (const auto& n : names) {
        auto it = std::find_if(outputs_.begin(), outputs_.end(), [&](const IOInfo& io) { return io.name == n; });
        if (it == outputs_.end()) throw Error(Stage::Run, "unknown output '" + n + "'", file_ctx());
        want.push_back(output_ids[it - outputs_.begin()]);
      }
    }
    std::vector<Shape> shapes = validate_inputs(feeds);
    {
      // The common case: the plan fits, and this run shares it with any other.
      std::shared_lock<std::shared_mutex> shared(mu);
      if (built && planned && shapes == planned_shapes) return execute(feeds, want, bound);
    }
    // New shapes: re-plan and run while holding the session alone (another run may have
    // re-planned in between; the check is repeated under the exclusive lock).
    std::unique_lock<std::shared_mutex> exclusive(mu);
    if (!built) build(shapes);
    if (!planned || shapes != planned_shapes) plan(shapes);
    return execute(feeds, want, bound);
  }

  // Takes an execution context from the pool (or makes one), gives it back on release.
  struct ContextLease {
    Impl& impl;
    std::unique_ptr<ExecContext> ctx;
    explicit ContextLease(Impl& i) : impl(i) {
      std::lock_guard<std::mutex> lock(impl.contexts_mu);
      if (!impl.free_contexts.empty()) {
        ctx = std::move(impl.free_contexts.back());
        impl.free_contexts.pop_back();
      } else {
        ctx = std::make_unique<ExecContext>();
      }
    }
    ~ContextLease() {
      ctx->slots.clear();
      std::lock_guard<std::mutex> lock(impl.contexts_mu);
      impl.free_contexts.push_back(std::move(ctx));
    }
    ContextLease(const ContextLease&) = delete;
    ContextLease& operator=(const ContextLease&) = delete;
  };

  // Runs the current plan (the caller holds `mu`, shared or exclusive) in an execution
  // context of its own. `bound` (optional, one per wanted output): caller tensors to write
  // the outputs into; undefined entries get fresh tensors.
  std::vector<Tensor> execute(const std::map<std::string, Tensor>& feeds, const std::vector<int>& want,
                              std::vector<Tensor>* bound) {
    ContextLease lease(*this);
    std::unordered_map<int, const Tensor*> bound_of;
    if (bound)
      for (size_t k = 0; k < want.size(); ++k)
        if ((*bound)[k].defined()) bound_of[want[k]] = &(*bound)[k];
    ExecContext& ec = *lease.ctx;
    if (ec.arena_capacity < arena_bytes || !ec.arena) {
      ec.arena = allocate_aligned(arena_bytes);
      ec.arena_capacity = arena_bytes;
    }
    std::vector<Tensor>& slots = ec.slots;
    slots.assign(values.size(), Tensor());
    if (ec.states.size() != steps.size()) ec.states.resize(steps.size());
    for (size_t id = 0; id < values.size(); ++id)
      if (plan_values[id].defined()) slots[id] = plan_values[id];
    for (size_t i = 0; i < input_ids.size(); ++i) {
      auto it = feeds.find(inputs_[i].name);
      if (it == feeds.end()) {
        // Not given: an input with an initializer of the same name defaults to it.
        slots[input_ids[i]] = values[input_ids[i]].constant;
        continue;
      }
      const Tensor& t = it->second;
      if (!t.is_tensor() && t.dtype() == DType::Undefined && inputs_[i].dtype != DType::Undefined)
        slots[input_ids[i]] = t.is_sequence() ? Tensor::sequence(inputs_[i].dtype, t.elements())
                                              : Tensor::none(inputs_[i].dtype, t.none_of());
      else
        slots[input_ids[i]] = t;
    }
    char* base = static_cast<char*>(ec.arena.get());
    std::vector<const Tensor*> ins;
    std::vector<Tensor*> outs;
    // Kernels that run on their own threads (oneDNN's OpenMP team) must not compete with
    // pool workers still spinning after the previous kernel: those are told to sleep.
    bool pool_may_spin = false;
    for (Step& s : steps) {
      if (s.evaluated) continue;
      const bool own_threads = s.kernel->runs_on_own_threads();
      if (own_threads && pool_may_spin) yield_pool_workers(pool);
      pool_may_spin = !own_threads;
      ins.clear();
      outs.clear();
      for (int id : s.in) ins.push_back(id >= 0 ? &slots[id] : nullptr);
      const size_t si = static_cast<size_t>(&s - steps.data());
      StepState& st = ec.states[si];
      if (s.dynamic) {
        std::vector<Tensor> fresh = run_into_fresh(s, ins, Stage::Run, &st);
        for (size_t k = 0; k < s.out.size(); ++k)
          if (s.out[k] >= 0) slots[s.out[k]] = std::move(fresh[k]);
        continue;
      }
      for (int id : s.out) {
        if (id < 0) {
          outs.push_back(nullptr);
          continue;
        }
        const ValueType& t = types[id];
        auto b = bound_of.find(id);
        if (arena_offset[id] >= 0)
          slots[id] = Tensor::view(t.dtype, t.shape, base + arena_offset[id]);
        else if (b != bound_of.end() && b->second->is_tensor() && b->second->dtype() == t.dtype &&
                 b->second->shape() == t.shape)
          slots[id] = *b->second;  // the kernel writes straight into the caller's memory
        else
          slots[id] = Tensor(t.dtype, t.shape);
        outs.push_back(&slots[id]);
      }
      auto t0 = std::chrono::steady_clock::now();
      try {
        if (!st.made) {
          st.state = s.kernel->make_state();
          st.made = true;
        }
        RunContext rctx(ins, outs, pool, st.state.get());
        if (st.plan_generation != plan_generation) {
          s.kernel->reshape(rctx);
          st.plan_generation = plan_generation;
          st.shapes.clear();
        }
        s.kernel->run(rctx);
      } catch (const std::exception& e) {
        throw wrap(e, Stage::Run, s.ctx);
      }
      if (options.profile) {
        auto t1 = std::chrono::steady_clock::now();
        std::lock_guard<std::mutex> lock(profile_mu);
        s.times_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
    }
    if (pool_may_spin && uses_own_threads) yield_pool_workers(pool);  // nothing spins after a run
    std::vector<Tensor> result;
    for (size_t k = 0; k < want.size(); ++k) {
      int id = want[k];
      const Tensor& t = slots[id];
      if (!t.defined()) throw Error(Stage::Run, "output '" + values[id].name + "' was not computed", file_ctx());
      if (bound && (*bound)[k].defined()) {
        result.push_back(copy_to_bound(values[id].name, t, (*bound)[k]));
        continue;
      }
      // Outputs never live in the arena; inputs and constants are copied so the caller owns them.
      result.push_back(t.owns_storage() && values[id].producer >= 0 && !steps[values[id].producer].evaluated
                           ? t
                           : t.clone());
    }
    return result;
  }

  // The result `t` of output `name` in the caller's tensor `dst` (copied unless the kernel
  // already wrote it there).
  Tensor copy_to_bound(const std::string& name, const Tensor& t, Tensor& dst) const {
    if (!t.is_tensor() || !dst.is_tensor())
      throw Error(Stage::Run, "output '" + name + "' is not a tensor and cannot be written into a given one",
                  file_ctx());
    if (t.dtype() != dst.dtype() || t.shape() != dst.shape())
      throw Error(Stage::Run,
                  "output '" + name + "' is " + std::string(dtype_name(t.dtype())) + " " + shape_to_string(t.shape()) +
                      ", the tensor given for it is " + std::string(dtype_name(dst.dtype())) + " " +
                      shape_to_string(dst.shape()),
                  file_ctx());
    if (t.dtype() == DType::String) {
      if (&t.strings() != &dst.strings()) dst.strings() = t.strings();
    } else if (t.raw_data() != dst.raw_data() && t.nbytes()) {
      if (!dst.raw_data()) throw Error(Stage::Run, "the tensor given for output '" + name + "' has no data", file_ctx());
      std::memcpy(dst.raw_data(), t.raw_data(), t.nbytes());
    }
    return dst;
  }
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

std::unique_ptr<Session> make_session(Model model, const SessionOptions& options) {
  check_provider_options(options);  // unknown provider names: Error listing this build's
  auto impl = std::make_unique<Session::Impl>();
  impl->options = options;
  impl->init(std::move(model));
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

std::vector<DType> session_output_dtypes(Session& session) { return session.impl_->output_dtypes(); }

const std::vector<IOInfo>& Session::inputs() const { return impl_->inputs_; }
const std::vector<IOInfo>& Session::outputs() const { return impl_->outputs_; }

std::vector<Tensor> Session::run(const std::map<std::string, Tensor>& inputs,
                                 const std::vector<std::string>& output_names) {
  return impl_->run(inputs, output_names);
}

void Session::run_into(const std::map<std::string, Tensor>& inputs, std::map<std::string, Tensor>& outputs) {
  std::vector<std::string> names;
  std::vector<Tensor> bound;
  for (const auto& [name, t] : outputs) {
    names.push_back(name);
    bound.push_back(t);
  }
  if (names.empty()) throw Error(Stage::Usage, "run_into: no outputs requested");
  std::vector<Tensor> result = impl_->run(inputs, names, &bound);
  for (size_t k = 0; k < names.size(); ++k) outputs[names[k]] = result[k];
}

std::vector<NodeProfile> Session::profile() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  std::lock_guard<std::mutex> plock(impl_->profile_mu);
  std::vector<NodeProfile> out;
  for (const auto& s : impl_->steps) {
    if (s.evaluated) continue;
    NodeProfile p;
    p.name = s.ctx.node;
    p.op_type = s.node.op_type;
    p.provider = s.kernel ? s.kernel->provider() : "";
    if (!s.out.empty() && s.out[0] >= 0 && impl_->planned) p.output_shape = impl_->types[s.out[0]].shape;
    p.flops = s.flops;
    p.times_ms = s.times_ms;
    p.inputs = s.node.inputs;
    p.outputs = s.node.outputs;
    out.push_back(std::move(p));
  }
  return out;
}

PlanStats Session::plan_stats() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  PlanStats st;
  st.arena_bytes = impl_->arena_bytes;
  for (const auto& v : impl_->values)
    if (v.is_constant && v.constant.is_tensor() && v.constant.raw_data() && v.constant.dtype() != DType::String)
      st.weights_bytes += v.constant.nbytes();
  for (const auto& s : impl_->steps) st.nodes += !s.evaluated;
  st.transposes_inserted = impl_->pass_stats.transposes_inserted;
  st.transposes_removed = impl_->pass_stats.transposes_removed;
  st.rewrites = impl_->pass_stats.rewrites;
  return st;
}

}  // namespace onnxi
