// The operator test harness: every op test builds its node (or small graph) here and runs
// it through the kernel life cycle (build -> infer -> prepare -> make_state -> reshape ->
// run) exactly as a session does.
//
//   OpTester t("Conv", 11);                    // op type, opset (, domain)
//   t.attr(attr_ints("strides", {2, 2}))
//    .input(x).constant(w).absent()            // run-time input, initializer, omitted
//    .expect(want)                             // expected output 0 (optional)
//    .tolerance(1e-4, 1e-5);                   // else the per-dtype default
//   auto res = t.run();                        // every provider that accepts the node
//
// run() builds the node once per provider in the registry (ref, xnnpack, onednn, ...),
// skips those that decline it, runs it on each that accepts, and requires every output
// of every provider to match the reference kernel's and the expected values. The
// single-provider entry points (run_node, run1) and KernelRunner (one kernel over
// several input shapes) are the same driver, for tests that pin one provider on purpose.
#pragma once
#include <pthreadpool.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "onnxi/session.h"
#include "runtime/kernel.h"

namespace onnxi::test {

// ---- Attributes ----
Attribute attr_int(const std::string& n, int64_t v);
Attribute attr_float(const std::string& n, float v);
Attribute attr_string(const std::string& n, const std::string& v);
Attribute attr_ints(const std::string& n, std::vector<int64_t> v);
Attribute attr_floats(const std::string& n, std::vector<float> v);
Attribute attr_strings(const std::string& n, std::vector<std::string> v);
Attribute attr_tensor(const std::string& n, Tensor v);
Attribute attr_graph(const std::string& n, Graph g);
Attribute attr_type(const std::string& n, const std::string& described);

// ---- One node ----
struct NodeRun {
  std::string op_type;
  std::string domain;
  int64_t opset = 13;
  std::vector<Attribute> attributes;
  std::vector<Tensor> inputs;  // undefined Tensor = omitted optional input
  std::vector<bool> constant;  // per input: visible as a constant at build/plan time
  size_t num_outputs = 1;
  std::string provider;  // "" = best, else the one to force ("ref", "xnnpack", ...)
};

struct NodeResult {
  std::vector<Tensor> outputs;
  std::string provider;
};

// A pthreadpool for tests of the threaded paths (destroyed at scope exit).
struct TestThreadPool {
  pthreadpool_t pool;
  explicit TestThreadPool(size_t threads) : pool(pthreadpool_create(threads)) {}
  ~TestThreadPool() { pthreadpool_destroy(pool); }
  TestThreadPool(const TestThreadPool&) = delete;
  TestThreadPool& operator=(const TestThreadPool&) = delete;
};

// The driver: builds one kernel for `r` and runs it, like one execution context of a
// session: plan-time infer with what is known at build, prepare once, one state made on
// the first run, reshape whenever the input shapes change, run.
class KernelRunner {
 public:
  struct Options {
    pthreadpool_t pool = nullptr;
    // Input shapes known at build (true), or only those of constant inputs, as for a
    // model whose input shapes are symbolic (false).
    bool shapes_known_at_build = true;
    // Skip prepare(), as constant folding at build may (kernels must still be right).
    bool skip_prepare = false;
  };
  // Throws Error when no kernel exists, or when r.provider is forced and declines.
  KernelRunner(NodeRun r, Options o);
  // One kernel run over changing input shapes: only constant inputs' shapes are known at
  // build, as for a model with symbolic dims.
  explicit KernelRunner(NodeRun r, pthreadpool_t pool = nullptr);
  ~KernelRunner();
  KernelRunner(const KernelRunner&) = delete;
  KernelRunner& operator=(const KernelRunner&) = delete;

  std::string provider() const;
  const Kernel& kernel() const { return *kernel_; }
  // Runs with r's inputs.
  std::vector<Tensor> run();
  // Runs with new values for the inputs (constant ones are kept as built).
  std::vector<Tensor> run(std::vector<Tensor> inputs);
  // Kernel::flops for r's input shapes.
  double flops();

 private:
  // Run-time inference: every input's type, shape and value known.
  void infer_run_types(const std::vector<Tensor>& inputs, std::vector<ValueType>& types,
                       std::vector<ValueType>& out_types) const;
  NodeRun r_;
  Options o_;
  Node node_;
  std::vector<ValueType> types_;
  SessionOptions options_;
  std::unique_ptr<Kernel> kernel_;
  std::unique_ptr<KernelState> state_;
  bool state_made_ = false;
  std::vector<Shape> last_shapes_;
};
// Historical name, kept for the tests that drive one kernel over many shapes.
using KernelDriver = KernelRunner;

// Runs `r` once with r.provider ("" = best); throws Error when forced and declined.
NodeResult run_node(const NodeRun& r, pthreadpool_t pool = nullptr);
// Output `output` of `r` on `provider`, which must accept it (a test pinning one provider).
Tensor run1(NodeRun r, const std::string& provider, size_t output = 0);
// Runs `r` on `provider` single-threaded and on a 3-thread pool; both must be identical.
Tensor run_threaded_same(NodeRun r, const std::string& provider);
// Runs `r` (every input constant) without prepare(), as constant folding may.
Tensor run_without_prepare(const NodeRun& r);

// ---- Tolerances ----
struct Tolerance {
  double rel = 0, abs = 0;  // |got - want| <= abs + rel * |want|
};
// Float 1e-5 / 1e-6, Double 1e-12, Float16 1e-3, BFloat16 8e-3; integers, bool and
// strings exact.
Tolerance default_tolerance(DType t);
// Requires equal dtype and shape, and every element within `tol` (NaN matches NaN, an
// infinity only itself). `what` names the comparison in failure messages.
void require_close(const Tensor& got, const Tensor& want, Tolerance tol, const std::string& what);
// Same, against values listed in order (any numeric dtype).
void require_close(const Tensor& got, const std::vector<double>& want, Tolerance tol, const std::string& what);

// The providers a test runs on: every registered, selectable provider available here and
// not disabled by default SessionOptions.
std::vector<std::string> test_providers();

// ---- The tester ----
class OpTester {
 public:
  OpTester(std::string op_type, int64_t opset, std::string domain = "");
  // From a NodeRun (its provider field is ignored: run() tries them all).
  explicit OpTester(NodeRun r);

  OpTester& attr(Attribute a);
  OpTester& input(Tensor t);     // known when running
  OpTester& constant(Tensor t);  // an initializer: known at build and plan time
  OpTester& absent();            // an omitted optional input
  // Expected value of the next output (in order); outputs without one are still compared
  // across providers.
  OpTester& expect(Tensor want);
  // Expected values of the next output, in order (its dtype and shape are checked
  // against the reference kernel's).
  OpTester& expect_values(std::vector<double> want);
  OpTester& outputs(size_t n);  // how many outputs the node has (default: expected ones, at least 1)
  OpTester& tolerance(double rel, double abs);
  // A looser (or tighter) tolerance for one provider's outputs.
  OpTester& tolerance(const std::string& provider, double rel, double abs);
  // Restricts the providers tried (default: test_providers()).
  OpTester& providers(std::vector<std::string> names);
  // Fails unless `provider` accepts the node (guards a provider's coverage).
  OpTester& require(const std::string& provider);
  // Also runs every provider on a pool of this many threads (same tolerance).
  OpTester& threads(size_t n);
  // Input shapes known only when running (as for a model with symbolic dims).
  OpTester& dynamic_shapes();
  // One more run of each provider's same kernel, with these run-time inputs (constant
  // inputs keep their built value; give an undefined Tensor in their place): the reshape
  // step when shapes change. expect()/expect_values() after then() are for this run; every
  // run's outputs are compared with the reference kernel's for the same run.
  OpTester& then(std::vector<Tensor> inputs);
  // Every provider's kernel must estimate this many FLOPs (Kernel::flops) for the first
  // run's shapes.
  OpTester& expect_flops(double flops);

  struct Results {
    std::vector<std::string> providers;            // those that accepted, "ref" first
    std::vector<std::vector<Tensor>> outputs;      // per provider
    const std::vector<Tensor>& of(const std::string& provider) const;
    const Tensor& ref(size_t output = 0) const { return outputs.at(0).at(output); }
  };
  // Runs on every provider that accepts the node and checks each as described above.
  Results run() const;
  // Requires building or running the node to throw Error with `substring` in its
  // message, on every provider tried.
  void expect_error(const std::string& substring) const;

  const NodeRun& node() const { return r_; }

 private:
  std::vector<std::string> tried() const;
  void check_outputs(const std::string& label, const std::string& provider, const std::vector<Tensor>& outs,
                     size_t run, const std::vector<Tensor>* ref) const;
  NodeRun r_;
  // Expectations per run (run 0 with r_.inputs, then one per then()).
  struct Expected {
    std::vector<Tensor> tensors;                     // undefined: none for that output
    std::map<size_t, std::vector<double>> values;    // by output index
  };
  std::vector<Expected> expected_{1};
  std::vector<std::vector<Tensor>> later_inputs_;  // inputs of runs 1, 2, ...
  double flops_ = -1;
  bool have_tol_ = false;
  Tolerance tol_;
  std::map<std::string, Tolerance> provider_tol_;
  std::vector<std::string> only_;
  std::vector<std::string> required_;
  size_t threads_ = 0;
  bool dynamic_ = false;
};

// Runs `r` on every provider that accepts it (OpTester): output `output` must equal `want`
// within rel/abs on each, and match the reference kernel. Returns the reference output.
Tensor check_all(const NodeRun& r, const std::vector<double>& want, double rel = 0, double abs = 0,
                 size_t output = 0);
// Runs `r` on every provider that accepts it; each must match the reference kernel within
// rel/abs (default per dtype when both are 0). Returns the reference output.
Tensor same_on_all(const NodeRun& r, double rel = 0, double abs = 0, size_t output = 0);

// same_on_all with the per-dtype default tolerance: what op tests call where they used to
// pin the reference kernel. Returns the reference output `output`.
Tensor run_all(const NodeRun& r, size_t output = 0);
// Building or running `r` must throw Error (containing `substring`) on the reference kernel
// and on every other provider that accepts the node.
void expect_error_all(const NodeRun& r, const std::string& substring = "");

// ---- Small graphs (ops with subgraphs, sequences, several nodes) ----
Node make_node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
               std::vector<Attribute> attrs = {}, const std::string& name = "");
// A tensor value with a shape; negative dims become the symbol "N".
ValueInfo value_info(const std::string& name, DType t, std::vector<int64_t> dims);
// A value of unknown shape (or of a non-tensor kind: "sequence", "optional").
ValueInfo unshaped(const std::string& name, DType t, const std::string& kind = "tensor");
Graph make_graph(std::vector<Node> nodes, std::vector<ValueInfo> inputs, std::vector<ValueInfo> outputs,
                 std::map<std::string, Tensor> initializers = {});
Model make_model(Graph g, int64_t opset = 13);
size_t count_ops(const Graph& g, const std::string& op);

// A one-thread session for `g` (provider "" = best).
std::unique_ptr<Session> session_for(Graph g, int64_t opset, bool optimize = true,
                                     const std::string& provider = "");
// Builds and runs in one go (build errors may surface at creation or at the first run).
std::vector<Tensor> build_and_run(Graph g, int64_t opset, const std::map<std::string, Tensor>& feeds,
                                  bool optimize = true);
// Runs `g` with each provider forced in turn (and once unoptimized); every run's outputs
// must match the reference provider's within `tol` (default per dtype). Returns the
// reference outputs.
std::vector<Tensor> run_graph_on_providers(const Graph& g, int64_t opset,
                                           const std::map<std::string, Tensor>& feeds,
                                           const Tolerance* tol = nullptr);

}  // namespace onnxi::test
