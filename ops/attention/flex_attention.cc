// FlexAttention (ai.onnx.preview 1): softmax attention over 4-D Q [B, Hq, L, E], K [B, Hkv,
// S, E], V [B, Hkv, S, Ev] (query head h reads kv head h / (Hq / Hkv)), with optional
// graph attributes applied to the whole score tensor [B, Hq, L, S] before the softmax
// (score_mod) and to the probabilities after it (prob_mod). Scores, probabilities and the
// modifiers' tensors have the softmax_precision type (default float, double for double
// inputs); arithmetic is in float, or double when either is double.
#include <cmath>
#include <memory>
#include <type_traits>
#include <vector>

#include "ops/attention/attention_util.h"
#include "ops/common/kernel_util.h"
#include "ops/control/subgraph.h"
#include "ops/math/gemm_core.h"

namespace onnxi::attention {
namespace {

struct FlexGeometry {
  int64_t batch, q_heads, kv_heads, q_len, kv_len, head, v_head;
};

class FlexAttentionKernel final : public Kernel {
 public:
  FlexAttentionKernel(const BuildContext& ctx, DType t, DType precision, std::optional<float> scale)
      : t_(t), precision_(precision), scale_(scale) {
    for (const char* name : {"score_mod", "prob_mod"}) {
      const Graph* g = ctx.attrs.get_graph(name);
      if (!g) continue;
      auto sub = std::make_unique<Subgraph>(ctx, *g, name, std::vector<DType>{precision_});
      if (sub->num_inputs() != 1 || sub->num_outputs() != 1 || sub->output_kind(0) != "tensor")
        throw Error(Stage::Build, std::string("FlexAttention ") + name + " must take and return one tensor");
      if (sub->output_dtypes()[0] != DType::Undefined && sub->output_dtypes()[0] != precision_)
        throw Error(Stage::Build, std::string("FlexAttention ") + name + " must return " +
                                      std::string(dtype_name(precision_)) + ", the softmax_precision type");
      deterministic_ = deterministic_ && graph_is_deterministic(*g);
      (name[0] == 's' ? score_mod_ : prob_mod_) = std::move(sub);
    }
  }

  void infer(InferContext& ctx) override {
    const Shape *q = ctx.input_shape(0), *k = ctx.input_shape(1), *v = ctx.input_shape(2);
    if (!q || !k || !v) return ctx.set_output_dtype(0, t_);
    const FlexGeometry g = geometry(*q, *k, *v, Stage::Plan);
    ctx.set_output(0, t_, {g.batch, g.q_heads, g.q_len, g.v_head});
  }

  bool foldable() const override { return deterministic_; }

  void run(RunContext& ctx) const override {
    const FlexGeometry g = geometry(ctx.input(0).shape(), ctx.input(1).shape(), ctx.input(2).shape(), Stage::Run);
    if (t_ == DType::Double || precision_ == DType::Double)
      compute<double>(ctx, g);
    else
      compute<float>(ctx, g);
  }

  FlexGeometry geometry(const Shape& q, const Shape& k, const Shape& v, Stage stage) const {
    if (q.size() != 4 || k.size() != 4 || v.size() != 4)
      throw Error(stage, "FlexAttention needs 4-D Q, K and V, got " + shape_to_string(q) + ", " + shape_to_string(k) +
                             ", " + shape_to_string(v));
    const FlexGeometry g{q[0], q[1], k[1], q[2], k[2], q[3], v[3]};
    if (k[0] != g.batch || v[0] != g.batch) throw Error(stage, "Q, K and V must have the same batch size");
    if (v[1] != g.kv_heads || v[2] != g.kv_len) throw Error(stage, "K and V disagree on heads or sequence length");
    if (k[3] != g.head) throw Error(stage, "Q and K head sizes differ");
    if (g.kv_heads <= 0 || g.q_heads % g.kv_heads)
      throw Error(stage, "q_num_heads " + std::to_string(g.q_heads) + " is not a multiple of kv_num_heads " +
                             std::to_string(g.kv_heads));
    return g;
  }

 private:
  template <class C>
  void compute(RunContext& ctx, const FlexGeometry& g) const {
    constexpr DType kC = std::is_same_v<C, double> ? DType::Double : DType::Float;
    const Tensor& q = ctx.input(0);
    const Tensor& k = ctx.input(1);
    const Tensor& v = ctx.input(2);
    const double scale = scale_ ? static_cast<double>(*scale_) : 1.0 / std::sqrt(static_cast<double>(g.head));
    const int64_t group = g.q_heads / g.kv_heads, heads = g.batch * g.q_heads;
    std::vector<C> kt(static_cast<size_t>(g.batch * g.kv_heads * g.head * g.kv_len)), qc, vc;
    visit_dtype<kFloatDTypes>(t_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* kd = k.data<T>();
      transpose_scaled_keys<T, C>(
          g.batch * g.kv_heads, g.kv_len, g.head, scale, kt.data(),
          [&](int64_t h, int64_t t) { return kd + (h * g.kv_len + t) * g.head; }, ctx.threadpool());
    });
    const C* qd = t_ == kC ? q.data<C>() : to_compute(q, qc);
    const C* vd = t_ == kC ? v.data<C>() : to_compute(v, vc);
    const Shape scores_shape{g.batch, g.q_heads, g.q_len, g.kv_len};
    const int64_t plane = g.q_len * g.kv_len;
    std::vector<C> s(static_cast<size_t>(heads * plane), C(0));
    parallel_chunks(ctx.threadpool(), heads, plane * g.head, [&](int64_t h0, int64_t h1) {
      for (int64_t bh = h0; bh < h1; ++bh) {
        const int64_t kvh = bh / g.q_heads * g.kv_heads + bh % g.q_heads / group;
        gemm_accumulate<C>(g.q_len, g.kv_len, g.head, qd + bh * g.q_len * g.head, g.head,
                           kt.data() + kvh * g.head * g.kv_len, g.kv_len, s.data() + bh * plane, g.kv_len, nullptr);
      }
    });
    for (C& x : s) x = round_to(precision_, x);
    if (score_mod_) apply_mod(*score_mod_, "score_mod", scores_shape, s, ctx);
    parallel_chunks(ctx.threadpool(), heads * g.q_len, g.kv_len * 4, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) softmax_row(s.data() + r * g.kv_len, g.kv_len, precision_);
    });
    if (prob_mod_) apply_mod(*prob_mod_, "prob_mod", scores_shape, s, ctx);
    Tensor& yt = ctx.output(0);
    std::vector<C> yc;
    C* yd = t_ == kC ? yt.data<C>() : (yc.assign(static_cast<size_t>(yt.numel()), C(0)), yc.data());
    if (t_ == kC) std::fill(yd, yd + yt.numel(), C(0));
    parallel_chunks(ctx.threadpool(), heads, plane * g.v_head, [&](int64_t h0, int64_t h1) {
      for (int64_t bh = h0; bh < h1; ++bh) {
        const int64_t kvh = bh / g.q_heads * g.kv_heads + bh % g.q_heads / group;
        gemm_accumulate<C>(g.q_len, g.v_head, g.kv_len, s.data() + bh * plane, g.kv_len,
                           vd + kvh * g.kv_len * g.v_head, g.v_head, yd + bh * g.q_len * g.v_head, g.v_head, nullptr);
      }
    });
    if (t_ != kC) store_from_compute(yc.data(), yt);
  }

  // Runs a modifier on the scores (as the precision type) and reads its result back.
  template <class C>
  void apply_mod(Subgraph& mod, const char* name, const Shape& shape, std::vector<C>& s, const RunContext& ctx) const {
    Tensor in(precision_, shape);
    store_from_compute(s.data(), in);
    std::vector<Tensor> out = mod.run({in}, ctx);
    if (out.size() != 1 || out[0].dtype() != precision_ || out[0].shape() != shape)
      throw Error(Stage::Run, std::string("FlexAttention ") + name + " must return a " +
                                  std::string(dtype_name(precision_)) + " tensor of shape " + shape_to_string(shape));
    to_compute(out[0], s);
  }

  DType t_, precision_;
  std::optional<float> scale_;
  std::unique_ptr<Subgraph> score_mod_, prob_mod_;
  bool deterministic_ = true;
};

std::unique_ptr<Kernel> make_flex_attention(const BuildContext& ctx) {
  if (ctx.node.inputs.size() != 3 || !ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2))
    throw Error(Stage::Build, "FlexAttention takes inputs Q, K and V");
  if (ctx.num_outputs() != 1) throw Error(Stage::Build, "FlexAttention has one output");
  const DType t = ctx.input_dtype(0);
  if (!dtype_in(t, kFloatDTypes) || ctx.input_dtype(1) != t || ctx.input_dtype(2) != t)
    throw Error(Stage::Build, "FlexAttention needs Q, K and V of one float type");
  DType precision = t == DType::Double ? DType::Double : DType::Float;
  if (ctx.attrs.has("softmax_precision")) {
    const int64_t p = ctx.attrs.get_int("softmax_precision");
    if (p != 1 && p != 10 && p != 11 && p != 16)
      throw Error(Stage::Build,
                  "FlexAttention softmax_precision must be 1 (float), 10 (float16), 11 (double) or 16 (bfloat16)");
    precision = *dtype_from_onnx(static_cast<int32_t>(p));
  }
  std::optional<float> scale;
  if (ctx.attrs.has("scale")) scale = ctx.attrs.get_float("scale");
  return std::make_unique<FlexAttentionKernel>(ctx, t, precision, scale);
}

}  // namespace

ONNXI_REGISTER_KERNEL("ai.onnx.preview", "FlexAttention", 1, 1, kRef, make_flex_attention);

}  // namespace onnxi::attention
