// Session: composes the plan units (runtime/plan.h) — lowering, kernel build, shape plan,
// executor, binding — and owns what they share between callers: the locks and the pool of
// execution contexts.
#include "onnxi/session.h"

#include <mutex>
#include <shared_mutex>

#include "runtime/passes/pass.h"
#include "runtime/plan.h"
#include "runtime/session_internal.h"
#include "runtime/threadpool.h"

namespace onnxi {

struct Session::Impl {
  SessionOptions options;
  std::shared_ptr<ThreadPool> pool_owner;
  pthreadpool_t pool = nullptr;
  PassStats pass_stats;
  ExecGraph g;
  ShapePlan plan;  // for plan.input_shapes
  // Runs whose input shapes match the current plan hold `mu` shared and run concurrently;
  // building, re-planning (and the run that needed it) hold it exclusively.
  std::shared_mutex mu;
  std::mutex profile_mu;  // guards Step::times_ms
  std::mutex contexts_mu;
  std::vector<std::unique_ptr<ExecContext>> free_contexts;

  ~Impl() {
    g.steps.clear();  // kernels may hold XNNPACK operators using the pool
  }

  void init(Model model) {
    g.file = model.path;
    g.opsets = model.opsets;
    g.graph = model.graph;
    if (!g.graph) throw Error(Stage::Load, "model has no graph", g.file_ctx());
    if (!options.thread_pool) options.thread_pool = make_thread_pool(options.threads);
    pool_owner = options.thread_pool;
    pool = pool_owner->get();
    add_implicit_inputs(*g.graph);
    declare_io(g);
    if (options.optimize) pass_stats = optimize_graph(*g.graph);
    lower_graph(g);
    // Build now when every input's rank is declared (symbolic dims probed as 1); otherwise on
    // the first run, when the shapes are known.
    bool ranks_known = false;
    std::vector<Shape> probe = probe_shapes(g, &ranks_known);
    if (ranks_known) build_kernels(g, probe, options, pool, plan);
  }

  // Element types of the outputs, building the kernels first (with every input shape
  // unknown) when no run has built them yet.
  std::vector<DType> output_dtypes() {
    std::unique_lock<std::shared_mutex> lock(mu);
    if (!g.built) build_kernels(g, std::vector<Shape>(g.inputs.size(), kNonTensorShape), options, pool, plan);
    std::vector<DType> out;
    for (int id : g.output_ids) out.push_back(g.values[id].dtype);
    return out;
  }

  std::vector<Tensor> run(const std::map<std::string, Tensor>& feeds, const std::vector<std::string>& names,
                          std::vector<Tensor>* bound = nullptr) {
    std::vector<int> want = select_outputs(g, names);
    std::vector<Shape> shapes = validate_inputs(g, feeds);
    {
      // The common case: the plan fits, and this run shares it with any other.
      std::shared_lock<std::shared_mutex> shared(mu);
      if (g.built && plan.valid && shapes == plan.input_shapes) return execute_leased(feeds, want, bound);
    }
    // New shapes: re-plan and run while holding the session alone (another run may have
    // re-planned in between; the check is repeated under the exclusive lock).
    std::unique_lock<std::shared_mutex> exclusive(mu);
    if (!g.built) build_kernels(g, shapes, options, pool, plan);
    if (!plan.valid || shapes != plan.input_shapes) plan_shapes(g, shapes, options, pool, plan);
    return execute_leased(feeds, want, bound);
  }

  static void record_time(void* self, Step& s, double ms) {
    std::lock_guard<std::mutex> lock(static_cast<Impl*>(self)->profile_mu);
    s.times_ms.push_back(ms);
  }

  // Runs the current plan (the caller holds `mu`, shared or exclusive) in an execution
  // context taken from the pool (or made), given back afterwards.
  std::vector<Tensor> execute_leased(const std::map<std::string, Tensor>& feeds, const std::vector<int>& want,
                                     std::vector<Tensor>* bound) {
    std::unique_ptr<ExecContext> ec;
    {
      std::lock_guard<std::mutex> lock(contexts_mu);
      if (!free_contexts.empty()) {
        ec = std::move(free_contexts.back());
        free_contexts.pop_back();
      }
    }
    if (!ec) ec = std::make_unique<ExecContext>();
    struct GiveBack {
      Impl& impl;
      std::unique_ptr<ExecContext>& ec;
      ~GiveBack() {
        ec->slots.clear();
        std::lock_guard<std::mutex> lock(impl.contexts_mu);
        impl.free_contexts.push_back(std::move(ec));
      }
    } give_back{*this, ec};
    return execute(g, plan, *ec, feeds, want, bound, options, pool, options.profile ? &record_time : nullptr, this);
  }
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

std::unique_ptr<Session> SessionAccess::make(Model model, const SessionOptions& options) {
  check_provider_options(options);  // unknown provider names: Error listing this build's
  auto impl = std::make_unique<Session::Impl>();
  impl->options = options;
  impl->init(std::move(model));
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

std::vector<DType> SessionAccess::output_dtypes(Session& session) { return session.impl_->output_dtypes(); }

const std::vector<IOInfo>& Session::inputs() const { return impl_->g.inputs; }
const std::vector<IOInfo>& Session::outputs() const { return impl_->g.outputs; }

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
  const ShapePlan& plan = impl_->plan;
  std::vector<NodeProfile> out;
  for (size_t si = 0; si < impl_->g.steps.size(); ++si) {
    const Step& s = impl_->g.steps[si];
    const bool planned = plan.valid && si < plan.steps.size();
    if (planned && plan.steps[si].evaluated) continue;
    NodeProfile p;
    p.name = s.ctx.node;
    p.op_type = s.node.op_type;
    p.provider = s.kernel ? s.kernel->provider() : "";
    if (!s.out.empty() && s.out[0] >= 0 && planned) p.output_shape = plan.types[s.out[0]].shape;
    p.flops = planned ? plan.steps[si].flops : 0;
    p.times_ms = s.times_ms;
    p.inputs = s.node.inputs;
    p.outputs = s.node.outputs;
    out.push_back(std::move(p));
  }
  return out;
}

PlanStats Session::plan_stats() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  const ShapePlan& plan = impl_->plan;
  PlanStats st;
  st.arena_bytes = plan.arena_bytes;
  for (const auto& v : impl_->g.values)
    if (v.is_constant && v.constant.is_tensor() && v.constant.raw_data() && v.constant.dtype() != DType::String)
      st.weights_bytes += v.constant.nbytes();
  for (size_t si = 0; si < impl_->g.steps.size(); ++si)
    st.nodes += !(plan.valid && si < plan.steps.size() && plan.steps[si].evaluated);
  st.transposes_inserted = impl_->pass_stats.transposes_inserted;
  st.transposes_removed = impl_->pass_stats.transposes_removed;
  st.rewrites = impl_->pass_stats.rewrites;
  return st;
}

}  // namespace onnxi
