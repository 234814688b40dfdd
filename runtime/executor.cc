// The executor: runs a ShapePlan's steps in an execution context (arena, value slots, kernel
// states) of its own, so any number of runs can share one plan.
#include <chrono>
#include <unordered_map>

#include "runtime/plan.h"

namespace onnxi {

void prepare_once(Step& s, const SessionOptions& options, pthreadpool_t pool) {
  if (s.prepared) return;
  PrepareContext pctx;
  pctx.threadpool = pool;
  pctx.options = &options;
  s.kernel->prepare(pctx);
  s.prepared = true;
}

std::vector<Tensor> run_step_fresh(Step& s, const std::vector<const Tensor*>& ins, Stage stage,
                                   const SessionOptions& options, pthreadpool_t pool, StepState* st) {
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
    prepare_once(s, options, pool);
    std::vector<Shape> shapes(ins.size());
    for (size_t i = 0; i < ins.size(); ++i)
      if (ins[i] && ins[i]->is_tensor()) shapes[i] = ins[i]->shape();
    RunContext rctx(ins, out_ptrs, pool, st->of(*s.kernel));
    if (st->shapes.empty() || st->shapes != shapes) {
      s.kernel->reshape(rctx);
      st->shapes = std::move(shapes);
      st->plan_generation = 0;
    }
    s.kernel->run(rctx);
  } catch (const std::exception& e) {
    throw wrap_error(e, stage, s.ctx);
  }
  for (size_t k = 0; k < s.out.size(); ++k)
    if (s.out[k] >= 0 && !outs[k].defined())
      throw Error(stage, "kernel produced no value for output " + std::to_string(k), s.ctx);
  return outs;
}

std::vector<Tensor> execute(ExecGraph& g, const ShapePlan& p, ExecContext& ec,
                            const std::map<std::string, Tensor>& feeds, const std::vector<int>& want,
                            std::vector<Tensor>* bound, const SessionOptions& options, pthreadpool_t pool,
                            StepTimer timer, void* timer_ctx) {
  std::unordered_map<int, const Tensor*> bound_of;
  if (bound)
    for (size_t k = 0; k < want.size(); ++k)
      if ((*bound)[k].defined()) bound_of[want[k]] = &(*bound)[k];
  if (ec.arena_capacity < p.arena_bytes || !ec.arena) {
    ec.arena = allocate_aligned(p.arena_bytes);
    ec.arena_capacity = p.arena_bytes;
  }
  std::vector<Tensor>& slots = ec.slots;
  slots.assign(g.values.size(), Tensor());
  if (ec.states.size() != g.steps.size()) ec.states.resize(g.steps.size());
  for (size_t id = 0; id < g.values.size(); ++id)
    if (p.values[id].defined()) slots[id] = p.values[id];
  for (size_t i = 0; i < g.input_ids.size(); ++i) {
    auto it = feeds.find(g.inputs[i].name);
    if (it == feeds.end()) {
      // Not given: an input with an initializer of the same name defaults to it.
      slots[g.input_ids[i]] = g.values[g.input_ids[i]].constant;
      continue;
    }
    const Tensor& t = it->second;
    if (!t.is_tensor() && t.dtype() == DType::Undefined && g.inputs[i].dtype != DType::Undefined)
      slots[g.input_ids[i]] = t.is_sequence() ? Tensor::sequence(g.inputs[i].dtype, t.elements())
                                              : Tensor::none(g.inputs[i].dtype, t.none_of());
    else
      slots[g.input_ids[i]] = t;
  }
  char* base = static_cast<char*>(ec.arena.get());
  std::vector<const Tensor*> ins;
  std::vector<Tensor*> outs;
  // Kernels that run on their own threads (oneDNN's OpenMP team) must not compete with pool
  // workers still spinning after the previous kernel: those are told to sleep.
  bool pool_may_spin = false;
  for (size_t si = 0; si < g.steps.size(); ++si) {
    Step& s = g.steps[si];
    const StepPlan& sp = p.steps[si];
    if (sp.evaluated) continue;
    const bool own_threads = s.kernel->runs_on_own_threads();
    if (own_threads && pool_may_spin) yield_pool_workers(pool);
    pool_may_spin = !own_threads;
    ins.clear();
    outs.clear();
    for (int id : s.in) ins.push_back(id >= 0 ? &slots[id] : nullptr);
    StepState& st = ec.states[si];
    if (sp.dynamic) {
      std::vector<Tensor> fresh = run_step_fresh(s, ins, Stage::Run, options, pool, &st);
      for (size_t k = 0; k < s.out.size(); ++k)
        if (s.out[k] >= 0) slots[s.out[k]] = std::move(fresh[k]);
      continue;
    }
    for (int id : s.out) {
      if (id < 0) {
        outs.push_back(nullptr);
        continue;
      }
      const ValueType& t = p.types[id];
      auto b = bound_of.find(id);
      if (p.arena_offset[id] >= 0)
        slots[id] = Tensor::view(t.dtype, t.shape, base + p.arena_offset[id]);
      else if (b != bound_of.end() && b->second->is_tensor() && b->second->dtype() == t.dtype &&
               b->second->shape() == t.shape)
        slots[id] = *b->second;  // the kernel writes straight into the caller's memory
      else
        slots[id] = Tensor(t.dtype, t.shape);
      outs.push_back(&slots[id]);
    }
    auto t0 = std::chrono::steady_clock::now();
    try {
      RunContext rctx(ins, outs, pool, st.of(*s.kernel));
      if (st.plan_generation != p.generation) {
        s.kernel->reshape(rctx);
        st.plan_generation = p.generation;
        st.shapes.clear();
      }
      s.kernel->run(rctx);
    } catch (const std::exception& e) {
      throw wrap_error(e, Stage::Run, s.ctx);
    }
    if (timer) timer(timer_ctx, s, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  if (pool_may_spin && g.uses_own_threads) yield_pool_workers(pool);  // nothing spins after a run
  std::vector<Tensor> result;
  for (size_t k = 0; k < want.size(); ++k) {
    int id = want[k];
    const Tensor& t = slots[id];
    if (!t.defined())
      throw Error(Stage::Run, "output '" + g.values[id].name + "' was not computed", g.file_ctx());
    if (bound && (*bound)[k].defined()) {
      result.push_back(copy_to_bound(g, g.values[id].name, t, (*bound)[k]));
      continue;
    }
    // Outputs never live in the arena; inputs and constants are copied so the caller owns them.
    const int producer = g.values[id].producer;
    result.push_back(t.owns_storage() && producer >= 0 && !p.steps[producer].evaluated ? t : t.clone());
  }
  return result;
}

}  // namespace onnxi
