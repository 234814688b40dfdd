// The execution plan, in the units a session is composed of:
//   lower_graph   (lower.cc)        Graph -> ExecGraph: values and steps in execution order
//   build_kernels (kernel_build.cc) a kernel per step: selection, constant folding, prepare once
//   plan_shapes   (shape_plan.cc)   ShapePlan for one set of input shapes: value types, the
//                                   steps evaluated ahead or dynamic, FLOPs, arena offsets
//                                   (the memory planner, memory_plan.h)
//   execute       (executor.cc)     runs a ShapePlan in an ExecContext of its own
//   binding       (binding.cc)      input validation, output selection and caller-owned outputs
// session.cc composes them and owns the locking.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "onnxi/session.h"
#include "ir/graph.h"
#include "runtime/kernel.h"

namespace onnxi {

struct Value {
  std::string name;
  DType dtype = DType::Undefined;
  Tensor constant;  // permanent constant: initializer or folded at build
  bool is_constant = false;
  int graph_input = -1;  // index into ExecGraph::inputs
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
  bool prepared = false;       // prepare() ran (it runs exactly once per kernel)
  std::vector<double> times_ms;  // per run, when profiling (guarded by the session)
};

// The model lowered to values and steps in execution order; kernels once built.
struct ExecGraph {
  std::string file;
  std::map<std::string, int64_t> opsets;
  std::shared_ptr<Graph> graph;  // keeps the defaults of inputs that have an initializer
  std::vector<IOInfo> inputs, outputs;
  std::vector<int> input_ids, output_ids;
  std::vector<bool> input_required;
  std::vector<Value> values;
  std::unordered_map<std::string, int> value_id;
  std::vector<Step> steps;
  bool built = false;
  bool uses_own_threads = false;  // some kernel runs on threads of its own (not the pool)

  ErrorContext file_ctx() const;
  int64_t opset_for(const std::string& domain) const;
  int add_value(const std::string& name);
};

// What one plan says of one step.
struct StepPlan {
  bool evaluated = false;  // computed while planning (inputs all known); not run
  bool dynamic = false;    // output shapes known only while running
  double flops = 0;
};

// The plan for one set of input shapes.
struct ShapePlan {
  bool valid = false;
  std::vector<Shape> input_shapes;
  std::vector<ValueType> types;      // per value
  std::vector<Tensor> values;        // per value: known while planning (constants, evaluated)
  std::vector<StepPlan> steps;       // per step
  std::vector<int64_t> arena_offset; // per value, -1 when not in the arena
  size_t arena_bytes = 0;            // each run's activation arena
  uint64_t generation = 0;           // bumped by every plan; kernel states reshape when it changes
};

// Stands for the "shape" of a sequence or optional input in a plan's input shapes (and of
// an input whose shape is not known when building ahead of the first run).
extern const Shape kNonTensorShape;

// Adds the node's (or file's) context to an exception, as an Error of `stage`.
Error wrap_error(const std::exception& e, Stage stage, const ErrorContext& ctx);

// ---- lower.cc ----
// Values that subgraphs capture from this scope become implicit inputs of their node, so
// ordering, lifetimes and the passes see those uses.
void add_implicit_inputs(Graph& graph);
// The declared inputs (those with an initializer are optional) and outputs of g.graph.
void declare_io(ExecGraph& g);
// Lowers g.graph (already optimized): topological order, values and steps. Throws Error for
// unsupported operators, naming each (domain, op, opset) once with the reason
// (KernelRegistry::unsupported_reason).
void lower_graph(ExecGraph& g);
// Input shapes to build with before the first run (symbolic dims as 1); `ranks_known` is
// false when some input's rank is not declared (the kernels are then built on the first run).
std::vector<Shape> probe_shapes(const ExecGraph& g, bool* ranks_known);

// ---- kernel_build.cc ----
// Creates the kernels (dtypes are shape-independent), folds constant steps, prepares every
// kernel once and releases constants kept packed by all their users. `shapes` are the input
// shapes used to reach every node; `scratch` is used for the plan-time values.
void build_kernels(ExecGraph& g, const std::vector<Shape>& shapes, const SessionOptions& options,
                   pthreadpool_t pool, ShapePlan& scratch);

// ---- shape_plan.cc ----
// Value types for `shapes` (constants and inputs only).
void reset_types(const ExecGraph& g, const std::vector<Shape>& shapes, ShapePlan& p);
// The step's input types from the plan (with plan-time values as constants).
std::vector<ValueType> input_types(const ExecGraph& g, const ShapePlan& p, const Step& s);
// Infers the step's outputs into the plan (and the values' dtypes).
void infer_step(ExecGraph& g, ShapePlan& p, Step& s, const std::vector<ValueType>& in, Stage stage);
// Shapes, plan-time values, per-step flags, FLOPs and arena offsets for `shapes`.
void plan_shapes(ExecGraph& g, const std::vector<Shape>& shapes, const SessionOptions& options,
                 pthreadpool_t pool, ShapePlan& p);

// ---- executor.cc ----
// One execution context's state for one step's kernel (see Kernel::make_state): made on the
// context's first run of the step, reshaped when the step's input shapes change.
struct StepState {
  bool made = false;
  std::unique_ptr<KernelState> state;
  uint64_t plan_generation = 0;  // the plan it was last reshaped for (static steps)
  std::vector<Shape> shapes;     // input shapes it was last reshaped for (dynamic steps)

  // The kernel's state, made on first use (nullptr for kernels that keep none).
  KernelState* of(const Kernel& k) {
    if (!made) {
      state = k.make_state();
      made = true;
    }
    return state.get();
  }
};

// What one run needs of its own: the activation arena, the value slots and the kernels'
// states. Concurrent runs each take one from the session's pool; kernels (immutable once
// prepared) and weights stay shared.
struct ExecContext {
  std::shared_ptr<void> arena;
  size_t arena_capacity = 0;
  std::vector<Tensor> slots;      // per value, during a run
  std::vector<StepState> states;  // per step
};

// prepare() of the step's kernel, unless it ran already.
void prepare_once(Step& s, const SessionOptions& options, pthreadpool_t pool);
// Runs `s` into fresh tensors, inferring its output shapes from the actual inputs. `st`: the
// calling context's state for the step (nullptr: a state made for this call only).
std::vector<Tensor> run_step_fresh(Step& s, const std::vector<const Tensor*>& ins, Stage stage,
                                   const SessionOptions& options, pthreadpool_t pool, StepState* st = nullptr);

// Where a run's timings go (profiling on); called once per step run.
using StepTimer = void (*)(void* ctx, Step& s, double ms);

// Runs plan `p` in context `ec`. `want`: the value ids to return; `bound` (optional, one per
// wanted value): caller tensors to write them into (undefined entries get fresh tensors).
std::vector<Tensor> execute(ExecGraph& g, const ShapePlan& p, ExecContext& ec,
                            const std::map<std::string, Tensor>& feeds, const std::vector<int>& want,
                            std::vector<Tensor>* bound, const SessionOptions& options, pthreadpool_t pool,
                            StepTimer timer, void* timer_ctx);

// ---- binding.cc ----
// Checks the feeds against the declared inputs; returns each input's shape (kNonTensorShape
// for sequences and optionals, the default's for an omitted input with an initializer).
std::vector<Shape> validate_inputs(const ExecGraph& g, const std::map<std::string, Tensor>& feeds);
// The value ids of the named outputs (all outputs when `names` is empty).
std::vector<int> select_outputs(const ExecGraph& g, const std::vector<std::string>& names);
// The result `t` of output `name` in the caller's tensor `dst` (copied unless the kernel
// already wrote it there).
Tensor copy_to_bound(const ExecGraph& g, const std::string& name, const Tensor& t, Tensor& dst);

}  // namespace onnxi
