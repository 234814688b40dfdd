// The contract between the runtime and operator kernels.
//
// A kernel's life: build (factory reads attributes and validates, knowing input dtypes
// and any constant inputs) -> infer (output dtypes and shapes, at plan time and again
// when input shapes change) -> prepare (exactly once per kernel: pack weights) ->
// make_state (once per execution context that runs the kernel) -> reshape (on that
// state, whenever the input shapes differ from its previous run: geometry, XNNPACK
// operators, scratch sizes) -> run (many times, possibly from several execution contexts
// at once; no allocation on the hot path for planned outputs).
//
// After prepare() a kernel is immutable: run() and reshape() are const and keep
// everything that changes between runs in the KernelState of the calling context, so
// concurrent runs of one session need no per-node locks.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "onnxi/tensor.h"
#include "ir/graph.h"
#include "runtime/provider.h"

typedef struct pthreadpool* pthreadpool_t;

namespace onnxi {

// What is known of a value ahead of running: dtype always, shape when static for the
// current input shapes, and the value itself when it is a constant.
struct ValueType {
  DType dtype = DType::Undefined;
  bool shape_known = false;
  Shape shape;
  const Tensor* constant = nullptr;
};

// Typed, checked access to a node's attributes. Wrong kinds and missing required
// attributes throw Error(Stage::Build).
class AttributeReader {
 public:
  explicit AttributeReader(const Node& node) : node_(node) {}
  bool has(const std::string& name) const { return node_.find_attribute(name) != nullptr; }
  int64_t get_int(const std::string& name, int64_t def) const;
  int64_t get_int(const std::string& name) const;  // required
  float get_float(const std::string& name, float def) const;
  float get_float(const std::string& name) const;
  std::string get_string(const std::string& name, const std::string& def) const;
  std::string get_string(const std::string& name) const;
  std::vector<int64_t> get_ints(const std::string& name, std::vector<int64_t> def = {}) const;
  std::vector<float> get_floats(const std::string& name, std::vector<float> def = {}) const;
  std::vector<std::string> get_strings(const std::string& name, std::vector<std::string> def = {}) const;
  const Tensor* get_tensor(const std::string& name) const;  // nullptr when absent
  const Graph* get_graph(const std::string& name) const;    // nullptr when absent

 private:
  const Attribute& require(const std::string& name, Attribute::Kind kind) const;
  const Attribute* find(const std::string& name, Attribute::Kind kind) const;
  const Node& node_;
};

struct SessionOptions;

struct BuildContext {
  const Node& node;
  int64_t opset;
  // One per node input (formal inputs, then node.implicit_inputs); dtype Undefined for
  // omitted ones.
  std::vector<ValueType> inputs;
  // Options of the session, with thread_pool set to the pool it runs on; kernels that run
  // subgraphs create their sessions with these.
  const SessionOptions* options = nullptr;
  // Opset imports of the model (domain "" = ai.onnx), for subgraphs.
  const std::map<std::string, int64_t>* opsets = nullptr;
  AttributeReader attrs{node};

  size_t num_inputs() const { return inputs.size(); }
  size_t num_outputs() const { return node.outputs.size(); }
  bool has_input(size_t i) const { return i < node.inputs.size() && !node.inputs[i].empty(); }
  bool has_output(size_t i) const { return i < node.outputs.size() && !node.outputs[i].empty(); }
  DType input_dtype(size_t i) const { return i < inputs.size() ? inputs[i].dtype : DType::Undefined; }
  const Tensor* constant_input(size_t i) const { return i < inputs.size() ? inputs[i].constant : nullptr; }
};

class InferContext {
 public:
  InferContext(const std::vector<ValueType>& inputs, std::vector<ValueType>& outputs)
      : inputs_(inputs), outputs_(outputs) {}
  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i].dtype != DType::Undefined; }
  DType input_dtype(size_t i) const { return has_input(i) ? inputs_[i].dtype : DType::Undefined; }
  // nullptr when the shape is not known yet (or the input is omitted).
  const Shape* input_shape(size_t i) const {
    return has_input(i) && inputs_[i].shape_known ? &inputs_[i].shape : nullptr;
  }
  // The input's value, when known (constants at plan time; every input at run time).
  const Tensor* input_value(size_t i) const { return has_input(i) ? inputs_[i].constant : nullptr; }
  // Sets an output's dtype and shape.
  void set_output(size_t i, DType dtype, Shape shape);
  // Sets an output's dtype only: its shape depends on values not known yet.
  void set_output_dtype(size_t i, DType dtype);

 private:
  const std::vector<ValueType>& inputs_;
  std::vector<ValueType>& outputs_;
};

// What one execution context keeps for one kernel between runs: objects bound to that
// context's buffers (XNNPACK operators are set up with the input and output pointers),
// scratch memory, the geometry derived from the input shapes, a generator's position.
// Made by Kernel::make_state(), updated by Kernel::reshape(), used by Kernel::run().
struct KernelState {
  virtual ~KernelState() = default;
};

class RunContext {
 public:
  RunContext(std::vector<const Tensor*> inputs, std::vector<Tensor*> outputs, pthreadpool_t pool,
             KernelState* state = nullptr)
      : inputs_(std::move(inputs)), outputs_(std::move(outputs)), pool_(pool), state_(state) {}
  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] && inputs_[i]->defined(); }
  bool has_output(size_t i) const { return i < outputs_.size() && outputs_[i] != nullptr; }
  const Tensor& input(size_t i) const;
  // Pre-allocated with the shape infer() gave.
  Tensor& output(size_t i);
  // Replaces an output (for kernels whose output shape is only known while running).
  void set_output(size_t i, Tensor t);
  pthreadpool_t threadpool() const { return pool_; }
  // The calling context's state for this kernel, as made by its make_state().
  template <class S>
  S& state() const {
    S* s = dynamic_cast<S*>(state_);
    if (!s) throw Error(Stage::Run, "kernel state missing or of the wrong type (runtime bug)");
    return *s;
  }
  KernelState* raw_state() const { return state_; }

 private:
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor*> outputs_;
  pthreadpool_t pool_;
  KernelState* state_;
};

struct PrepareContext {
  pthreadpool_t threadpool = nullptr;
  const SessionOptions* options = nullptr;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void infer(InferContext& ctx) = 0;
  // Called exactly once, before any make_state(); the last call that may change the kernel.
  virtual void prepare(PrepareContext&) {}
  // The state one execution context needs to run this kernel (nullptr: none).
  virtual std::unique_ptr<KernelState> make_state() const { return nullptr; }
  // The reshape step: called with the context's state before run() whenever the input
  // shapes differ from that state's previous run (a new plan, or each run of a node whose
  // shapes are only known while running). `ctx` holds the coming run's inputs and outputs.
  virtual void reshape(RunContext& /*ctx*/) const {}
  // Computes the outputs. Changes nothing but the outputs and ctx's state.
  virtual void run(RunContext& ctx) const = 0;
  // Floating-point operations of one run with these input and output types, every shape
  // known (2 per multiply-add), for `onnxi profile`'s GFLOP/s; 0 when not estimated.
  virtual double flops(const std::vector<ValueType>& /*inputs*/, const std::vector<ValueType>& /*outputs*/) const {
    return 0;
  }
  // The provider whose registration built this kernel (build_kernel records it; kRef for
  // a kernel made outside build_kernel). Its name is what `onnxi profile` shows.
  const Provider& provider_record() const { return *provider_; }
  const char* provider() const { return provider_->name; }
  // False for ops whose output must not be computed at load time (random generators).
  virtual bool foldable() const { return true; }
  // False when only the input's shape and dtype are read (Shape, Size): the planner can
  // then evaluate the node as soon as the shape is known, making later shapes static.
  virtual bool needs_input_data(size_t /*input*/) const { return true; }
  // After prepare(): true when the kernel keeps its own (packed) copy of constant input i
  // and run() reads only that input's shape and dtype. When every user of a constant says
  // so, the session drops the constant's data (weights are then held once, packed).
  virtual bool packed_input(size_t /*input*/) const { return false; }
  // True when run() uses threads of its own rather than the pool's (oneDNN's OpenMP
  // team); the session then puts the pool's spinning workers to sleep before it. By
  // default, what the provider's record says.
  virtual bool runs_on_own_threads() const { return provider_->own_threads; }
  // True when the kernel reads and writes the packed sub-byte dtypes (int4, uint4, int2,
  // uint2, float4e2m1; see dtype.h) correctly. The session refuses to build a node with an
  // input or output of such a type for a kernel that does not say so: kernels that move
  // elements by dtype_size() would otherwise see 0-byte elements.
  virtual bool handles_packed_dtypes() const { return false; }

 private:
  friend std::unique_ptr<Kernel> build_kernel(const BuildContext& ctx, const std::string& forced_provider);
  const Provider* provider_ = &kRef;
};

// Runs a prepared kernel once outside a session, with a state of its own: the reshape and
// run steps of the life cycle, for tests and tools. Outputs are pre-allocated (or left
// undefined for kernels that set them).
void run_kernel_once(const Kernel& kernel, std::vector<const Tensor*> inputs, std::vector<Tensor*> outputs,
                     pthreadpool_t pool);

// Makes the pool's worker threads stop spin-waiting and sleep until the next job.
void yield_pool_workers(pthreadpool_t pool);

// Kernel registry: (domain, op type, schema version range, provider record) -> factory. A
// factory may return nullptr to say "this provider does not handle this configuration"
// (dtype, rank, attribute); the next provider is tried. Factories throw Error for invalid
// nodes.
//
// A registration's since/until are schema versions of the op (runtime/op_versions.h): the
// since_version values of ONNX's schema history whose semantics the kernel implements,
// both inclusive and concrete. A node's opset is resolved to the op's schema version (the
// largest since_version <= opset) before matching, so a newer version of the op, whose
// meaning may differ, never runs with an older kernel. For ops the table does not know
// (custom domains, onnxi's internal ops) and for custom ops (`opset_range`), since/until
// are opsets of the domain and match the node's opset directly.
using KernelFactory = std::function<std::unique_ptr<Kernel>(const BuildContext&)>;

struct KernelRegistration {
  std::string domain;  // "" for ai.onnx
  std::string op_type;
  int64_t since_version = 1;
  int64_t until_version = 1;  // inclusive
  const Provider* provider = &kRef;  // its priority orders the registrations (higher first)
  KernelFactory factory;
  bool opset_range = false;  // since/until are opsets of the domain (custom ops), not schema versions
};

class KernelRegistry {
 public:
  static KernelRegistry& global();
  void add(KernelRegistration r);
  // Registrations matching (domain, op, opset), best first: the opset is resolved to the
  // op's schema version first (see above). None for an opset newer than the table knows.
  std::vector<const KernelRegistration*> find(const std::string& domain, const std::string& op_type,
                                              int64_t opset) const;
  bool supports(const std::string& domain, const std::string& op_type, int64_t opset) const {
    return !find(domain, op_type, opset).empty();
  }
  // Why (domain, op, opset) has no kernel, or "" when it has one: e.g.
  // "ai.onnx::Pad at opset 25 (schema version 25, onnxi implements versions 1, 2, 11, 13)".
  std::string unsupported_reason(const std::string& domain, const std::string& op_type, int64_t opset) const;
  // The versions of (domain, op) some registration implements, e.g. "1, 2, 11, 13": the
  // schema versions in the registrations' ranges, or the ranges themselves ("1-3") for ops
  // the table does not know and for custom ops; "" when none.
  std::string implemented_versions(const std::string& domain, const std::string& op_type) const;
  // Every registration, in registration order.
  const std::vector<KernelRegistration>& all() const { return regs_; }

 private:
  std::vector<KernelRegistration> regs_;
};

// Builds a kernel for `ctx.node`: tries providers best first (or only `forced_provider`
// when non-empty, falling back to "ref" when the forced one declines), skipping providers
// not available here or disabled by ctx.options. The kernel remembers the provider of the
// registration that made it. Returns nullptr when no registration exists or every
// provider declined.
std::unique_ptr<Kernel> build_kernel(const BuildContext& ctx, const std::string& forced_provider);

namespace detail {
struct KernelRegistrar {
  KernelRegistrar(const char* domain, const char* op, int64_t since, int64_t until, const Provider& provider,
                  KernelFactory f);
};
}  // namespace detail

#define ONNXI_CONCAT_INNER(a, b) a##b
#define ONNXI_CONCAT(a, b) ONNXI_CONCAT_INNER(a, b)
// Registers `factory` (a callable BuildContext -> unique_ptr<Kernel>) for ai.onnx or another
// domain, for the op's schema versions since..until (inclusive, both versions of the op in
// runtime/op_versions.inc; a unit test checks it), as a kernel of `provider` (a Provider
// record: kRef, kXnnpack, kOnednn, ...), which gives its priority.
#define ONNXI_REGISTER_KERNEL(domain, op, since, until, provider, factory) \
  static ::onnxi::detail::KernelRegistrar ONNXI_CONCAT(onnxi_kernel_reg_, __COUNTER__)( \
      domain, op, since, until, provider, factory)

// Common helpers for kernels.
// Normalizes a possibly negative axis against `rank`; throws Error on out of range.
int64_t normalize_axis(int64_t axis, int64_t rank);
// Numpy-style broadcast of two shapes; throws Error when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b);

}  // namespace onnxi
