// LinearAttention (ai.onnx 27): the recurrent linear-attention family over packed 3-D
// query [B, T, Hq * dk], key [B, T, Hkv * dk] and value [B, T, Hkv * dv]. Each kv head
// carries a state S [dk, dv] (past_state, or zeros) through the tokens:
//   linear       S = S + k ⊗ v
//   gated        S = exp(g) S + k ⊗ v
//   delta        S = S + β k ⊗ (v - Sᵀ k)
//   gated_delta  S = exp(g) S + β k ⊗ (v - (exp(g) S)ᵀ k)
// and every query head of its group reads o = scale · qᵀ S. decay g is per head or per key
// dim, beta per head or shared. Computed in float, one task per (batch, kv head).
#include <cmath>
#include <vector>

#include "ops/common/broadcast.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi::attention {
namespace {

constexpr size_t kQuery = 0, kKey = 1, kValue = 2, kPast = 3, kDecay = 4, kBeta = 5;

struct LinearGeometry {
  int64_t batch, len, dk, dv;
  bool decay_per_dim = false, beta_shared = false;
};

class LinearAttentionKernel final : public Kernel {
 public:
  LinearAttentionKernel(DType t, DType state, int64_t q_heads, int64_t kv_heads, float scale, bool gated,
                        bool delta, bool has_past)
      : t_(t), state_(state), q_heads_(q_heads), kv_heads_(kv_heads), scale_(scale), gated_(gated), delta_(delta),
        has_past_(has_past) {}

  void infer(InferContext& ctx) override {
    std::vector<const Shape*> s(6, nullptr);
    bool known = true;
    for (size_t i = 0; i < 6; ++i)
      if (ctx.has_input(i) && !(s[i] = ctx.input_shape(i))) known = false;
    if (!known) {
      ctx.set_output_dtype(0, t_);
      if (ctx.num_outputs() > 1) ctx.set_output_dtype(1, state_);
      return;
    }
    const LinearGeometry g = geometry(s, Stage::Plan);
    ctx.set_output(0, t_, {g.batch, g.len, q_heads_ * g.dv});
    if (ctx.num_outputs() > 1) ctx.set_output(1, state_, {g.batch, kv_heads_, g.dk, g.dv});
  }

  void run(RunContext& ctx) const override {
    std::vector<const Shape*> s(6, nullptr);
    for (size_t i = 0; i < 6; ++i)
      if (ctx.has_input(i)) s[i] = &ctx.input(i).shape();
    const LinearGeometry g = geometry(s, Stage::Run);
    const int64_t group = q_heads_ / kv_heads_;
    const double scale = scale_ != 0 ? static_cast<double>(scale_) : 1.0 / std::sqrt(static_cast<double>(g.dk));
    Tensor* present = ctx.has_output(1) ? &ctx.output(1) : nullptr;
    const int64_t heads = g.batch * kv_heads_;
    visit_dtype<kFloatDTypes>(t_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* q = ctx.input(kQuery).data<T>();
      const T* k = ctx.input(kKey).data<T>();
      const T* v = ctx.input(kValue).data<T>();
      const T* decay = gated_ ? ctx.input(kDecay).data<T>() : nullptr;
      const T* beta = delta_ ? ctx.input(kBeta).data<T>() : nullptr;
      T* out = ctx.output(0).data<T>();
      const int64_t cost = g.len * g.dk * g.dv * (3 + group);
      parallel_chunks(ctx.threadpool(), heads, cost, [&](int64_t h0, int64_t h1) {
        std::vector<float> st(static_cast<size_t>(g.dk * g.dv)), upd(static_cast<size_t>(g.dv));
        for (int64_t bh = h0; bh < h1; ++bh) {
          const int64_t b = bh / kv_heads_, h = bh % kv_heads_;
          if (has_past_)
            read_state(ctx.input(kPast), bh * g.dk * g.dv, st);
          else
            std::fill(st.begin(), st.end(), 0.0f);
          for (int64_t t = 0; t < g.len; ++t) {
            const int64_t bt = b * g.len + t;
            const T* kt = k + (bt * kv_heads_ + h) * g.dk;
            const T* vt = v + (bt * kv_heads_ + h) * g.dv;
            if (gated_) {
              const int64_t per = g.decay_per_dim ? g.dk : 1;
              const T* gt = decay + (bt * kv_heads_ + h) * per;
              for (int64_t i = 0; i < g.dk; ++i) {
                const float f = std::exp(static_cast<float>(load_elem(gt[g.decay_per_dim ? i : 0])));
                for (int64_t m = 0; m < g.dv; ++m) st[static_cast<size_t>(i * g.dv + m)] *= f;
              }
            }
            for (int64_t m = 0; m < g.dv; ++m) upd[static_cast<size_t>(m)] = static_cast<float>(load_elem(vt[m]));
            if (delta_) {
              const float bt_rate =
                  static_cast<float>(load_elem(beta[g.beta_shared ? bt : bt * kv_heads_ + h]));
              for (int64_t m = 0; m < g.dv; ++m) {
                float r = 0;
                for (int64_t i = 0; i < g.dk; ++i)
                  r += st[static_cast<size_t>(i * g.dv + m)] * static_cast<float>(load_elem(kt[i]));
                upd[static_cast<size_t>(m)] = bt_rate * (upd[static_cast<size_t>(m)] - r);
              }
            }
            for (int64_t i = 0; i < g.dk; ++i) {
              const float ki = static_cast<float>(load_elem(kt[i]));
              for (int64_t m = 0; m < g.dv; ++m) st[static_cast<size_t>(i * g.dv + m)] += ki * upd[static_cast<size_t>(m)];
            }
            for (int64_t qh = h * group; qh < (h + 1) * group; ++qh) {
              const T* qt = q + (bt * q_heads_ + qh) * g.dk;
              T* ot = out + (bt * q_heads_ + qh) * g.dv;
              for (int64_t m = 0; m < g.dv; ++m) {
                float o = 0;
                for (int64_t i = 0; i < g.dk; ++i)
                  o += static_cast<float>(load_elem(qt[i])) * st[static_cast<size_t>(i * g.dv + m)];
                ot[m] = store_elem<T>(static_cast<compute_t<T>>(scale * static_cast<double>(o)));
              }
            }
          }
          if (present) write_state(*present, bh * g.dk * g.dv, st);
        }
      });
    });
  }

  LinearGeometry geometry(const std::vector<const Shape*>& s, Stage stage) const {
    const Shape &q = *s[kQuery], &k = *s[kKey], &v = *s[kValue];
    if (q.size() != 3 || k.size() != 3 || v.size() != 3)
      throw Error(stage, "query, key and value must be 3-D [batch, tokens, heads * size]");
    if (k[0] != q[0] || v[0] != q[0] || k[1] != q[1] || v[1] != q[1])
      throw Error(stage, "query " + shape_to_string(q) + ", key " + shape_to_string(k) + " and value " +
                             shape_to_string(v) + " disagree on batch or tokens");
    if (q[2] % q_heads_ || k[2] % kv_heads_ || v[2] % kv_heads_)
      throw Error(stage, "the last dims of query, key and value must be multiples of q_num_heads / kv_num_heads");
    LinearGeometry g{q[0], q[1], q[2] / q_heads_, v[2] / kv_heads_};
    if (k[2] / kv_heads_ != g.dk) throw Error(stage, "query and key head sizes differ");
    if (s[kPast] && *s[kPast] != Shape{g.batch, kv_heads_, g.dk, g.dv})
      throw Error(stage, "past_state " + shape_to_string(*s[kPast]) + " must be " +
                             shape_to_string({g.batch, kv_heads_, g.dk, g.dv}));
    if (gated_) {
      const Shape& d = *s[kDecay];
      if (d.size() != 3 || d[0] != g.batch || d[1] != g.len || (d[2] != kv_heads_ && d[2] != kv_heads_ * g.dk))
        throw Error(stage, "decay " + shape_to_string(d) + " must be [batch, tokens, kv_num_heads (* head size)]");
      g.decay_per_dim = d[2] != kv_heads_ || g.dk == 1;
    }
    if (delta_) {
      const Shape& be = *s[kBeta];
      if (be.size() != 3 || be[0] != g.batch || be[1] != g.len || (be[2] != kv_heads_ && be[2] != 1))
        throw Error(stage, "beta " + shape_to_string(be) + " must be [batch, tokens, kv_num_heads or 1]");
      g.beta_shared = be[2] == 1 && kv_heads_ != 1;
    }
    return g;
  }

 private:
  void read_state(const Tensor& t, int64_t off, std::vector<float>& st) const {
    visit_dtype<kFloatDTypes>(t.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* p = t.data<S>() + off;
      for (size_t i = 0; i < st.size(); ++i) st[i] = static_cast<float>(load_elem(p[i]));
    });
  }
  void write_state(Tensor& t, int64_t off, const std::vector<float>& st) const {
    visit_dtype<kFloatDTypes>(t.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      S* p = t.data<S>() + off;
      for (size_t i = 0; i < st.size(); ++i) p[i] = store_elem<S>(static_cast<compute_t<S>>(st[i]));
    });
  }

  DType t_, state_;
  int64_t q_heads_, kv_heads_;
  float scale_;
  bool gated_, delta_, has_past_;
};

std::unique_ptr<Kernel> make_linear_attention(const BuildContext& ctx) {
  const std::string op = "LinearAttention";
  if (ctx.node.inputs.size() < 3 || ctx.node.inputs.size() > 6 || !ctx.has_input(kQuery) || !ctx.has_input(kKey) ||
      !ctx.has_input(kValue))
    throw Error(Stage::Build, op + " takes query, key, value and optional past_state, decay, beta");
  if (ctx.num_outputs() < 1 || ctx.num_outputs() > 2) throw Error(Stage::Build, op + " has outputs output and present_state");
  constexpr DTypeSet kAllowed = dtype_bit(DType::Float) | dtype_bit(DType::Float16) | dtype_bit(DType::BFloat16);
  const DType t = ctx.input_dtype(kQuery);
  if (!dtype_in(t, kAllowed)) throw Error(Stage::Build, op + " needs float, float16 or bfloat16 inputs");
  for (size_t i : {kKey, kValue, kDecay, kBeta})
    if (ctx.has_input(i) && ctx.input_dtype(i) != t)
      throw Error(Stage::Build, op + " key, value, decay and beta must have query's dtype");
  const bool has_past = ctx.has_input(kPast);
  const DType state = has_past ? ctx.input_dtype(kPast) : t;
  if (!dtype_in(state, kAllowed)) throw Error(Stage::Build, op + " past_state must be float, float16 or bfloat16");
  const std::string rule = ctx.attrs.get_string("update_rule", "gated_delta");
  if (rule != "linear" && rule != "gated" && rule != "delta" && rule != "gated_delta")
    throw Error(Stage::Build, op + " update_rule must be linear, gated, delta or gated_delta, got '" + rule + "'");
  const bool gated = rule == "gated" || rule == "gated_delta", delta = rule == "delta" || rule == "gated_delta";
  if (gated != ctx.has_input(kDecay))
    throw Error(Stage::Build, op + " update_rule '" + rule + (gated ? "' needs" : "' takes no") + " decay input");
  if (delta != ctx.has_input(kBeta))
    throw Error(Stage::Build, op + " update_rule '" + rule + (delta ? "' needs" : "' takes no") + " beta input");
  if (!ctx.attrs.has("q_num_heads") || !ctx.attrs.has("kv_num_heads"))
    throw Error(Stage::Build, op + " needs the q_num_heads and kv_num_heads attributes");
  const int64_t qh = ctx.attrs.get_int("q_num_heads"), kvh = ctx.attrs.get_int("kv_num_heads");
  if (qh <= 0 || kvh <= 0 || qh % kvh)
    throw Error(Stage::Build, op + " q_num_heads must be a positive multiple of kv_num_heads");
  const int64_t chunk = ctx.attrs.get_int("chunk_size", 64);
  if (chunk <= 0) throw Error(Stage::Build, op + " chunk_size must be positive");
  const float scale = ctx.attrs.get_float("scale", 0.0f);
  if (!std::isfinite(scale)) throw Error(Stage::Build, op + " scale must be finite");
  return std::make_unique<LinearAttentionKernel>(t, state, qh, kvh, scale, gated, delta, has_past);
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "LinearAttention", 27, 27, kRef, make_linear_attention);

}  // namespace onnxi::attention
