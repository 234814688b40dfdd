// Public C++ API: load a model, inspect its inputs and outputs, run it.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "onnxi/error.h"
#include "onnxi/tensor.h"

namespace onnxi {

// A pool of worker threads; sessions given the same pool share its threads (runs are
// then serialized on the pool, never oversubscribing the cores).
class ThreadPool;
// threads = 0: one per core.
std::shared_ptr<ThreadPool> make_thread_pool(int threads = 0);
int thread_pool_size(const ThreadPool& pool);

// A kernel provider built into this library: a family of kernels (reference, XNNPACK,
// oneDNN, custom ops) tried in priority order for each node.
struct ProviderInfo {
  std::string name;  // as SessionOptions and NodeProfile::provider name it
  int priority = 0;  // higher is tried first
  std::string description;
  bool own_threads = false;  // its kernels may run on threads of their own (oneDNN's OpenMP team)
  bool selectable = true;    // SessionOptions::force_provider / disabled_providers may name it
};

// The providers of this build, best first (oneDNN only in builds with ONNXI_WITH_ONEDNN).
std::vector<ProviderInfo> available_providers();
// An operator this library has kernels for (application custom ops included, onnxi's
// internal ops not).
struct OperatorInfo {
  std::string domain;  // "ai.onnx", "ai.onnx.ml", "com.example", ...
  std::string op_type;
  // The versions implemented: the op's schema versions (the since_version values of ONNX's
  // schema history) with a kernel, e.g. "1, 2, 11, 13"; opset ranges ("1-3") for ops ONNX's
  // table does not know and for custom ops.
  std::string versions;
  // The latest schema version in the table of ONNX operators onnxi knows (0: not in it), and
  // the later versions no kernel implements (their meaning changed: unsupported).
  int64_t latest_version = 0;
  std::vector<int64_t> missing_versions;
  std::vector<std::string> providers;  // best first
};
// Every operator of the registry, sorted by domain (ai.onnx first) and op type.
std::vector<OperatorInfo> registered_operators();
// The highest opset of a domain the table of ONNX operators knows (ai.onnx: 28); 0 for
// other domains. A model importing a newer opset is unsupported.
int64_t latest_known_opset(const std::string& domain);

// {"onednn"} when the environment has ONNXI_ONEDNN=0 (kept for compatibility), else {}.
std::vector<std::string> default_disabled_providers();

struct SessionOptions {
  int threads = 0;             // 0: one per core
  bool optimize = true;        // graph rewrites (folding, fusion, NHWC layout)
  // Forces one provider where it has a kernel for a node, the reference kernels ("ref")
  // elsewhere; "" picks the best for each node. A name not in available_providers()
  // makes session creation throw Error.
  std::string force_provider;
  // Providers never to use (not "ref"); same check on names.
  std::vector<std::string> disabled_providers = default_disabled_providers();
  bool profile = false;        // record per-node timings (see Session::profile)
  std::shared_ptr<ThreadPool> thread_pool;  // shared pool; when unset the session makes its own
};

// An input or output as the model declares it. Dims < 0 are dynamic; dim_names holds
// the symbolic name where there is one.
struct IOInfo {
  std::string name;
  DType dtype = DType::Undefined;
  bool has_shape = false;
  std::vector<int64_t> shape;
  std::vector<std::string> dim_names;
  // "tensor", or "sequence" / "optional" / "map" / "sparse_tensor" / "opaque"; for the
  // non-tensor kinds, dtype and shape describe the innermost tensor type.
  std::string kind = "tensor";
};

struct NodeProfile {
  std::string name;
  std::string op_type;
  std::string provider;
  Shape output_shape;
  double flops = 0;             // per run, for Conv/Gemm/MatMul; 0 otherwise
  std::vector<double> times_ms;  // one per profiled run
  std::vector<std::string> inputs, outputs;  // value names ("" for an omitted optional one)
};

struct PlanStats {
  size_t arena_bytes = 0;       // activation arena for the current input shapes
  size_t weights_bytes = 0;     // constants held by the session (not counting kernels' packed copies)
  size_t nodes = 0;             // nodes executed per run
  size_t transposes_inserted = 0;
  size_t transposes_removed = 0;
  std::map<std::string, size_t> rewrites;  // pass name -> number of rewrites
};

class Session {
 public:
  static std::unique_ptr<Session> from_file(const std::string& path, const SessionOptions& options = {});
  static std::unique_ptr<Session> from_bytes(const void* data, size_t size, const SessionOptions& options = {},
                                             const std::string& name = "<memory>");
  ~Session();

  const std::vector<IOInfo>& inputs() const;
  const std::vector<IOInfo>& outputs() const;

  // Runs with the named inputs; returns the requested outputs (all, in model order, when
  // `output_names` is empty). Throws Error on a missing/unknown input or a dtype/shape
  // that does not match the model's declaration.
  //
  // Thread safety: run() may be called from several threads at once on one session. Each
  // concurrent run gets its own activation arena (kept in a pool and reused by later
  // runs) and its own state for each kernel; weights and packed kernels are shared, never
  // copied. Runs whose input shapes match the current plan proceed together, taking turns
  // only on the thread pool; a run with new input shapes re-plans and runs with the
  // session to itself. Results are the same as from one thread. The other
  // methods are safe to call concurrently with run(). Destroying the session while a run
  // is in progress is not allowed.
  std::vector<Tensor> run(const std::map<std::string, Tensor>& inputs,
                          const std::vector<std::string>& output_names = {});

  // Like run(), into tensors the caller provides. `outputs` maps each wanted output's name
  // to a tensor of the output's dtype and shape (e.g. Tensor::view over caller memory), or
  // to an empty Tensor(), which is replaced by a new one. When the output's shape is known
  // ahead of the node running (the usual case), its kernel writes straight into the given
  // memory; otherwise the result is copied there. Throws Error when a given tensor's dtype
  // or shape differs from the result's. Thread safety as for run().
  void run_into(const std::map<std::string, Tensor>& inputs, std::map<std::string, Tensor>& outputs);

  std::vector<NodeProfile> profile() const;
  PlanStats plan_stats() const;

 private:
  // The runtime makes sessions from in-memory graphs and reads their plan through
  // SessionAccess (runtime/session_internal.h); nothing else sees Impl.
  friend struct SessionAccess;
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace onnxi
