// Attention (ai.onnx 23, 24, 25): scaled dot-product attention over Q [B, Hq, q, d], K
// [B, Hkv, kv, d] and V [B, Hkv, kv, dv] (or their 3-D [B, seq, heads * size] forms with
// q_num_heads / kv_num_heads), with an optional past key/value cache concatenated in
// front of K and V, grouped-query heads (query head h reads kv head h / (Hq / Hkv)), a
// boolean or additive attn_mask (broadcast to [B, Hq, q, total], its last dim padded with
// "masked" up to total), bottom-right causal masking, softcap, and from 24 the
// nonpad_kv_seqlen padding input, from 25 a sliding window. A query row whose keys are
// all masked gives a zero row (and a zero row of the mode-3 qk output).
//
// Float and the 16-bit formats compute in float, double in double. Per (batch, head, block
// of query rows): S = Q Kᵀ (scale folded into a transposed copy of K) and Y = P V with the
// blocked gemm; mask, softcap and softmax act on the rows of S in between.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "ops/attention/attention_util.h"
#include "ops/common/kernel_util.h"
#include "ops/math/gemm_core.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi::attention {
namespace {

constexpr size_t kQ = 0, kK = 1, kV = 2, kMask = 3, kPastKey = 4, kPastValue = 5, kNonpad = 6;
constexpr size_t kPresentKey = 1, kPresentValue = 2, kQkOut = 3;
constexpr int64_t kRowBlock = 64;  // query rows per task
// Up to this many query rows (decoding), Q Kᵀ is dot products with the key rows: a
// transposed copy of K would cost as much as the product.
constexpr int64_t kDirectRows = 4;

struct Geometry {
  int64_t batch = 0, q_heads = 0, kv_heads = 0, q_len = 0, kv_len = 0, past = 0, total = 0, head = 0, v_head = 0;
  bool three_d = false;
  // attn_mask as [m0, m1, m2, m3] (right-aligned, 1-padded); m3 <= total.
  int64_t mask_dims[4] = {1, 1, 1, 0};
};

struct Attributes {
  std::optional<float> scale;
  bool causal = false;
  float softcap = 0;
  int64_t qk_mode = 0;
  DType softmax_type = DType::Undefined;
  int64_t q_heads = 0, kv_heads = 0;  // 0 = not given
  int64_t left_window = -1, right_window = -1;
};

std::string dims_str(const Shape& s) { return shape_to_string(s); }

// The per-context buffers: compute-type copies of the inputs that need one, the mask as
// an additive bias, and the outputs computed in the compute type when it is not theirs.
template <class C>
struct Buffers {
  std::vector<C> kt, k, past_k, q, v, past_v, mask, y, qk;
};
struct State : KernelState {
  Buffers<float> f;
  Buffers<double> d;
};

class AttentionKernel final : public Kernel {
 public:
  AttentionKernel(const BuildContext& ctx, Attributes a) : opset_(ctx.opset), a_(a) {
    t1_ = ctx.input_dtype(kQ);
    t2_ = ctx.input_dtype(kV);
    has_mask_ = ctx.has_input(kMask);
    has_past_ = ctx.has_input(kPastKey);
    has_nonpad_ = ctx.has_input(kNonpad);
  }

  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }

  void infer(InferContext& ctx) override {
    std::vector<const Shape*> s(7, nullptr);
    bool known = true;
    for (size_t i = 0; i < 7; ++i) {
      if (!ctx.has_input(i)) continue;
      s[i] = ctx.input_shape(i);
      if (!s[i]) known = false;
    }
    if (!known) {
      for (size_t i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_dtype(i, i == kPresentValue ? t2_ : t1_);
      return;
    }
    const Geometry g = geometry(s, Stage::Plan);
    ctx.set_output(0, t1_, g.three_d ? Shape{g.batch, g.q_len, g.q_heads * g.v_head}
                                     : Shape{g.batch, g.q_heads, g.q_len, g.v_head});
    if (ctx.num_outputs() > kPresentKey) ctx.set_output(kPresentKey, t1_, {g.batch, g.kv_heads, g.total, g.head});
    if (ctx.num_outputs() > kPresentValue)
      ctx.set_output(kPresentValue, t2_, {g.batch, g.kv_heads, g.total, g.v_head});
    if (ctx.num_outputs() > kQkOut) ctx.set_output(kQkOut, t1_, {g.batch, g.q_heads, g.q_len, g.total});
  }

  void run(RunContext& ctx) const override {
    std::vector<const Shape*> s(7, nullptr);
    for (size_t i = 0; i < 7; ++i)
      if (ctx.has_input(i)) s[i] = &ctx.input(i).shape();
    const Geometry g = geometry(s, Stage::Run);
    std::vector<int64_t> nonpad;
    if (has_nonpad_) {
      nonpad = read_int_values(ctx.input(kNonpad), "Attention nonpad_kv_seqlen");
      for (int64_t v : nonpad)
        if (v < 0 || v > g.total)
          throw Error(Stage::Run, "Attention nonpad_kv_seqlen value " + std::to_string(v) +
                                      " is outside [0, " + std::to_string(g.total) + "]");
    }
    write_present(ctx, g);
    State& st = ctx.state<State>();
    if (t1_ == DType::Double)
      compute<double>(ctx, g, nonpad, st.d);
    else
      compute<float>(ctx, g, nonpad, st.f);
  }

  // Validates the shapes (nullptr = omitted input) and derives the geometry.
  Geometry geometry(const std::vector<const Shape*>& s, Stage stage) const {
    const Shape &q = *s[kQ], &k = *s[kK], &v = *s[kV];
    Geometry g;
    if (q.size() != k.size() || q.size() != v.size() || (q.size() != 3 && q.size() != 4))
      throw Error(stage, "Q, K and V must all be 3-D or all 4-D, got " + dims_str(q) + ", " + dims_str(k) + ", " +
                             dims_str(v));
    g.three_d = q.size() == 3;
    g.batch = q[0];
    if (k[0] != g.batch || v[0] != g.batch) throw Error(stage, "Q, K and V must have the same batch size");
    if (g.three_d) {
      if (a_.q_heads <= 0 || a_.kv_heads <= 0)
        throw Error(stage, "3-D Q, K and V need positive q_num_heads and kv_num_heads attributes");
      g.q_heads = a_.q_heads;
      g.kv_heads = a_.kv_heads;
      if (q[2] % g.q_heads || k[2] % g.kv_heads || v[2] % g.kv_heads)
        throw Error(stage, "the hidden sizes of Q " + dims_str(q) + ", K " + dims_str(k) + " and V " + dims_str(v) +
                               " are not multiples of q_num_heads " + std::to_string(g.q_heads) +
                               " / kv_num_heads " + std::to_string(g.kv_heads));
      g.q_len = q[1];
      g.kv_len = k[1];
      g.head = q[2] / g.q_heads;
      if (k[2] / g.kv_heads != g.head)
        throw Error(stage, "Q and K head sizes differ: " + dims_str(q) + " vs " + dims_str(k));
      g.v_head = v[2] / g.kv_heads;
      if (v[1] != g.kv_len) throw Error(stage, "K and V sequence lengths differ");
    } else {
      g.q_heads = q[1];
      g.kv_heads = k[1];
      g.q_len = q[2];
      g.kv_len = k[2];
      g.head = q[3];
      g.v_head = v[3];
      if (k[3] != g.head) throw Error(stage, "Q and K head sizes differ: " + dims_str(q) + " vs " + dims_str(k));
      if (v[1] != g.kv_heads || v[2] != g.kv_len)
        throw Error(stage, "V " + dims_str(v) + " does not match K " + dims_str(k));
      if (opset_ >= 25 && (a_.q_heads || a_.kv_heads))
        throw Error(stage, "q_num_heads and kv_num_heads must not be given with 4-D inputs");
      if ((a_.q_heads && a_.q_heads != g.q_heads) || (a_.kv_heads && a_.kv_heads != g.kv_heads))
        throw Error(stage, "q_num_heads / kv_num_heads disagree with the 4-D shapes of Q and K");
    }
    if (g.kv_heads <= 0 || g.q_heads % g.kv_heads)
      throw Error(stage, "q_num_heads " + std::to_string(g.q_heads) + " is not a multiple of kv_num_heads " +
                             std::to_string(g.kv_heads));
    if (s[kPastKey]) {
      const Shape &pk = *s[kPastKey], &pv = *s[kPastValue];
      if (pk.size() != 4 || pk[0] != g.batch || pk[1] != g.kv_heads || pk[3] != g.head)
        throw Error(stage, "past_key " + dims_str(pk) + " must be [batch, kv_num_heads, past, head_size]");
      if (pv.size() != 4 || pv[0] != g.batch || pv[1] != g.kv_heads || pv[2] != pk[2] || pv[3] != g.v_head)
        throw Error(stage, "past_value " + dims_str(pv) + " must be [batch, kv_num_heads, past, v_head_size]");
      g.past = pk[2];
    }
    g.total = g.past + g.kv_len;
    if (s[kNonpad] && (s[kNonpad]->size() != 1 || (*s[kNonpad])[0] != g.batch))
      throw Error(stage, "nonpad_kv_seqlen " + dims_str(*s[kNonpad]) + " must be [batch]");
    if (s[kMask]) {
      const Shape& m = *s[kMask];
      if (m.empty() || m.size() > 4) throw Error(stage, "attn_mask " + dims_str(m) + " must have rank 1 to 4");
      for (size_t i = 0; i < m.size(); ++i) g.mask_dims[4 - m.size() + i] = m[i];
      const int64_t want[3] = {g.batch, g.q_heads, g.q_len};
      for (int d = 0; d < 3; ++d)
        if (g.mask_dims[d] != 1 && g.mask_dims[d] != want[d])
          throw Error(stage, "attn_mask " + dims_str(m) + " does not broadcast to [" + std::to_string(g.batch) +
                                 ", " + std::to_string(g.q_heads) + ", " + std::to_string(g.q_len) + ", " +
                                 std::to_string(g.total) + "]");
      if (g.mask_dims[3] > g.total)
        throw Error(stage, "attn_mask " + dims_str(m) + " is longer than the total sequence length " +
                               std::to_string(g.total));
    }
    return g;
  }

 private:
  // present_key / present_value: past then the new keys/values, as [B, Hkv, total, size].
  void write_present(RunContext& ctx, const Geometry& g) const {
    for (size_t out = kPresentKey; out <= kPresentValue; ++out) {
      if (!ctx.has_output(out)) continue;
      const bool key = out == kPresentKey;
      const int64_t size = key ? g.head : g.v_head;
      const Tensor& x = ctx.input(key ? kK : kV);
      const Tensor* past = has_past_ ? &ctx.input(key ? kPastKey : kPastValue) : nullptr;
      Tensor& y = ctx.output(out);
      const size_t es = dtype_size(x.dtype());
      const char* xs = static_cast<const char*>(x.raw_data());
      char* yd = static_cast<char*>(y.raw_data());
      for (int64_t b = 0; b < g.batch; ++b)
        for (int64_t h = 0; h < g.kv_heads; ++h) {
          char* dst = yd + static_cast<size_t>((b * g.kv_heads + h) * g.total * size) * es;
          if (past && g.past) {
            const char* ps = static_cast<const char*>(past->raw_data());
            std::memcpy(dst, ps + static_cast<size_t>((b * g.kv_heads + h) * g.past * size) * es,
                        static_cast<size_t>(g.past * size) * es);
            dst += static_cast<size_t>(g.past * size) * es;
          }
          for (int64_t t = 0; t < g.kv_len; ++t) {
            const int64_t off = g.three_d ? (b * g.kv_len + t) * g.kv_heads * size + h * size
                                          : ((b * g.kv_heads + h) * g.kv_len + t) * size;
            std::memcpy(dst + static_cast<size_t>(t * size) * es, xs + static_cast<size_t>(off) * es,
                        static_cast<size_t>(size) * es);
          }
        }
    }
  }

  // Row r of head (b, h) of a [B, H, len, size] tensor, or of its 3-D [B, len, H * size] form.
  static int64_t row_offset(bool three_d, int64_t b, int64_t h, int64_t r, int64_t heads, int64_t len, int64_t size) {
    return three_d ? (b * len + r) * heads * size + h * size : ((b * heads + h) * len + r) * size;
  }

  template <class C>
  void compute(RunContext& ctx, const Geometry& g, const std::vector<int64_t>& nonpad, Buffers<C>& buf) const {
    constexpr DType kC = std::is_same_v<C, double> ? DType::Double : DType::Float;
    const Tensor& qt = ctx.input(kQ);
    const Tensor& kt = ctx.input(kK);
    const Tensor& vt = ctx.input(kV);
    Tensor& yt = ctx.output(0);
    if (yt.numel() == 0 && !ctx.has_output(kQkOut)) return;
    // The default 1 / sqrt(head_size); no head elements, no products to scale.
    const double scale = a_.scale ? static_cast<double>(*a_.scale) : g.head ? 1.0 / std::sqrt(static_cast<double>(g.head)) : 1.0;

    const bool direct = g.q_len <= kDirectRows;
    const C* kc = nullptr;  // K and past_key as C, for the direct products
    const C* pkc = nullptr;
    if (direct) {
      kc = t1_ == kC ? kt.data<C>() : to_compute(kt, buf.k);
      if (has_past_) pkc = t1_ == kC ? ctx.input(kPastKey).data<C>() : to_compute(ctx.input(kPastKey), buf.past_k);
    } else {
      // Kᵀ per kv head, scaled: [B * Hkv][head][total].
      buf.kt.resize(static_cast<size_t>(g.batch * g.kv_heads * g.head * g.total));
      visit_dtype<kFloatDTypes>(t1_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* kd = kt.data<T>();
        const T* pk = has_past_ ? ctx.input(kPastKey).data<T>() : nullptr;
        transpose_scaled_keys<T, C>(
            g.batch * g.kv_heads, g.total, g.head, scale, buf.kt.data(),
            [&](int64_t c, int64_t t) {
              return t < g.past ? pk + (c * g.past + t) * g.head
                                : kd + row_offset(g.three_d, c / g.kv_heads, c % g.kv_heads, t - g.past, g.kv_heads,
                                                  g.kv_len, g.head);
            },
            ctx.threadpool());
      });
    }
    const C* qd = t1_ == kC ? qt.data<C>() : to_compute(qt, buf.q);
    const C* vd = t2_ == kC ? vt.data<C>() : to_compute(vt, buf.v);
    const C* pvd = nullptr;
    if (has_past_) pvd = t2_ == kC ? ctx.input(kPastValue).data<C>() : to_compute(ctx.input(kPastValue), buf.past_v);
    const C* mask = has_mask_ ? mask_bias(ctx.input(kMask), g, buf.mask) : nullptr;
    C* yd = t1_ == kC ? yt.data<C>() : (buf.y.resize(static_cast<size_t>(yt.numel())), buf.y.data());
    C* qkd = nullptr;
    if (ctx.has_output(kQkOut)) {
      Tensor& o = ctx.output(kQkOut);
      qkd = t1_ == kC ? o.data<C>() : (buf.qk.resize(static_cast<size_t>(o.numel())), buf.qk.data());
    }

    const int64_t blocks = (g.q_len + kRowBlock - 1) / kRowBlock;
    const int64_t tasks = g.batch * g.q_heads * blocks;
    const int64_t group = g.q_heads / g.kv_heads;
    const int64_t cost = std::min(kRowBlock, g.q_len) * g.total * (g.head + g.v_head + 8);
    parallel_chunks(ctx.threadpool(), tasks, cost, [&](int64_t t0, int64_t t1) {
      std::vector<C> s;
      for (int64_t task = t0; task < t1; ++task) {
        const int64_t bh = task / blocks, blk = task % blocks;
        const int64_t b = bh / g.q_heads, h = bh % g.q_heads, kh = h / group;
        const int64_t i0 = blk * kRowBlock, rows = std::min(kRowBlock, g.q_len - i0);
        s.assign(static_cast<size_t>(rows * g.total), C(0));
        // Keys past the causal frontier of the block's last row get no weight: their
        // scores are needed only for the qk output.
        int64_t cols = g.total;
        if (a_.causal && !qkd) cols = std::clamp<int64_t>(offset(g, b, nonpad) + i0 + rows, 0, g.total);
        const C* qrows = qd + row_offset(g.three_d, b, h, i0, g.q_heads, g.q_len, g.head);
        const int64_t ldq = g.three_d ? g.q_heads * g.head : g.head;
        if (direct) {
          const C sc = static_cast<C>(scale);
          for (int64_t t = 0; t < cols; ++t) {
            const C* krow = t < g.past ? pkc + ((b * g.kv_heads + kh) * g.past + t) * g.head
                                       : kc + row_offset(g.three_d, b, kh, t - g.past, g.kv_heads, g.kv_len, g.head);
            for (int64_t r = 0; r < rows; ++r) {
              const C* qrow = qrows + r * ldq;
              C dot = 0;
              for (int64_t e = 0; e < g.head; ++e) dot += qrow[e] * krow[e];
              s[static_cast<size_t>(r * g.total + t)] = dot * sc;
            }
          }
        } else {
          gemm_accumulate<C>(rows, cols, g.head, qrows, ldq, buf.kt.data() + (b * g.kv_heads + kh) * g.head * g.total,
                             g.total, s.data(), g.total, nullptr);
        }
        for (int64_t r = 0; r < rows; ++r)
          process_row(g, b, h, i0 + r, s.data() + r * g.total, mask, nonpad,
                      qkd ? qkd + ((b * g.q_heads + h) * g.q_len + i0 + r) * g.total : nullptr);
        // Y rows = P V, the past and new values as two row ranges of V.
        const int64_t ldy = g.three_d ? g.q_heads * g.v_head : g.v_head;
        C* yrow = yd + row_offset(g.three_d, b, h, i0, g.q_heads, g.q_len, g.v_head);
        for (int64_t r = 0; r < rows; ++r) std::fill(yrow + r * ldy, yrow + r * ldy + g.v_head, C(0));
        const int64_t past_cols = std::min(cols, g.past), new_cols = cols - past_cols;
        if (past_cols)
          gemm_accumulate<C>(rows, g.v_head, past_cols, s.data(), g.total, pvd + (b * g.kv_heads + kh) * g.past * g.v_head,
                             g.v_head, yrow, ldy, nullptr);
        if (new_cols)
          gemm_accumulate<C>(rows, g.v_head, new_cols, s.data() + g.past, g.total,
                           vd + row_offset(g.three_d, b, kh, 0, g.kv_heads, g.kv_len, g.v_head),
                           g.three_d ? g.kv_heads * g.v_head : g.v_head, yrow, ldy, nullptr);
      }
    });
    if (t1_ != kC) {
      store_from_compute(buf.y.data(), yt);
      if (qkd) store_from_compute(qkd, ctx.output(kQkOut));
    }
  }

  // The absolute position of query 0 of batch b: the keys before the query block.
  int64_t offset(const Geometry& g, int64_t b, const std::vector<int64_t>& nonpad) const {
    if (has_past_) return g.past;
    if (has_nonpad_) return nonpad[static_cast<size_t>(b)] - g.q_len;
    return 0;
  }

  // One row of S (query i of head h, batch b): softcap, bias, softmax; the qk output in
  // the requested mode.
  template <class C>
  void process_row(const Geometry& g, int64_t b, int64_t h, int64_t i, C* s, const C* mask,
                   const std::vector<int64_t>& nonpad, C* qk) const {
    const int64_t n = g.total;
    if (qk && a_.qk_mode == 0) std::copy(s, s + n, qk);
    if (a_.softcap > 0) {
      const C cap = static_cast<C>(a_.softcap);
      for (int64_t j = 0; j < n; ++j) s[j] = cap * std::tanh(s[j] / cap);
    }
    if (qk && a_.qk_mode == 1) std::copy(s, s + n, qk);
    // Keys [lo, hi) pass the causal, window and padding masks; the rest get -inf.
    const int64_t p = offset(g, b, nonpad) + i;
    int64_t lo = 0, hi = n;
    if (a_.causal) hi = std::min(hi, p + 1);
    if (a_.left_window >= 0) lo = std::max(lo, p - a_.left_window);
    if (a_.right_window >= 0) hi = std::min(hi, p + a_.right_window + 1);
    if (has_nonpad_) hi = std::min(hi, nonpad[static_cast<size_t>(b)]);
    hi = std::max(hi, lo);
    constexpr C kNegInf = -std::numeric_limits<C>::infinity();
    const C* m = nullptr;
    if (mask) {
      const int64_t* md = g.mask_dims;
      const int64_t mb = md[0] == 1 ? 0 : b, mh = md[1] == 1 ? 0 : h, mi = md[2] == 1 ? 0 : i;
      m = mask + ((mb * md[1] + mh) * md[2] + mi) * n;
    }
    bool all_masked = true;
    for (int64_t j = 0; j < n; ++j) {
      const C bias = (j < lo || j >= hi) ? kNegInf : (m ? m[j] : C(0));
      if (bias != kNegInf) all_masked = false;
      s[j] += bias;
    }
    if (qk && a_.qk_mode == 2) std::copy(s, s + n, qk);
    if (all_masked)
      std::fill(s, s + n, C(0));
    else
      softmax_row(s, n, a_.softmax_type);
    if (qk && a_.qk_mode == 3) std::copy(s, s + n, qk);
    // P is cast to T1 before P V, as the spec's graph does.
    for (int64_t j = 0; j < n; ++j) s[j] = round_to(t1_, s[j]);
  }

  // attn_mask as an additive bias [m0, m1, m2, total]: a boolean mask's false and the
  // padding beyond its last dim are -inf, other masks are added as their values.
  template <class C>
  const C* mask_bias(const Tensor& m, const Geometry& g, std::vector<C>& out) const {
    const int64_t len = g.mask_dims[3], n = g.total;
    const int64_t rows = g.mask_dims[0] * g.mask_dims[1] * g.mask_dims[2];
    out.assign(static_cast<size_t>(rows * n), -std::numeric_limits<C>::infinity());
    visit_dtype<kNumericDTypes | kBoolDTypes>(m.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = m.data<T>();
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < len; ++j) {
          const T v = src[r * len + j];
          C& o = out[static_cast<size_t>(r * n + j)];
          if constexpr (std::is_same_v<T, bool>)
            o = v ? C(0) : -std::numeric_limits<C>::infinity();
          else
            o = static_cast<C>(load_elem(v));
        }
    });
    return out.data();
  }

  int64_t opset_;
  Attributes a_;
  DType t1_ = DType::Undefined, t2_ = DType::Undefined;
  bool has_mask_ = false, has_past_ = false, has_nonpad_ = false;
};

std::unique_ptr<Kernel> make_attention(const BuildContext& ctx) {
  const std::string op = "Attention";
  const size_t max_inputs = ctx.opset >= 24 ? 7 : 6;
  if (ctx.node.inputs.size() < 3 || !ctx.has_input(kQ) || !ctx.has_input(kK) || !ctx.has_input(kV))
    throw Error(Stage::Build, op + " needs inputs Q, K and V");
  if (ctx.node.inputs.size() > max_inputs)
    throw Error(Stage::Build, op + " " + std::to_string(ctx.opset) + " takes at most " + std::to_string(max_inputs) +
                                  " inputs");
  if (ctx.num_outputs() < 1 || ctx.num_outputs() > 4 || !ctx.has_output(0))
    throw Error(Stage::Build, op + " has outputs Y, present_key, present_value and qk_matmul_output");
  const DType t1 = ctx.input_dtype(kQ), t2 = ctx.input_dtype(kV);
  if (!dtype_in(t1, kFloatDTypes) || !dtype_in(t2, kFloatDTypes))
    throw Error(Stage::Build, op + " needs float, double, float16 or bfloat16 Q, K and V, got " + dtype_str(t1) +
                                  " and " + dtype_str(t2));
  if (ctx.input_dtype(kK) != t1) throw Error(Stage::Build, op + " K must have Q's dtype " + dtype_str(t1));
  if (ctx.has_input(kPastKey) != ctx.has_input(kPastValue))
    throw Error(Stage::Build, op + " past_key and past_value must be given together");
  if (ctx.has_input(kPastKey) && (ctx.input_dtype(kPastKey) != t1 || ctx.input_dtype(kPastValue) != t2))
    throw Error(Stage::Build, op + " past_key / past_value must have the dtypes of K / V");
  if (ctx.has_input(kMask) && !dtype_in(ctx.input_dtype(kMask), kNumericDTypes | kBoolDTypes))
    throw Error(Stage::Build, op + " attn_mask must be bool or numeric, got " + dtype_str(ctx.input_dtype(kMask)));
  if (ctx.has_input(kNonpad)) {
    if (ctx.input_dtype(kNonpad) != DType::Int64)
      throw Error(Stage::Build, op + " nonpad_kv_seqlen must be int64");
    if (ctx.has_input(kPastKey))
      throw Error(Stage::Build, op + " nonpad_kv_seqlen cannot be used with past_key / past_value");
  }
  Attributes a;
  if (ctx.attrs.has("scale")) a.scale = ctx.attrs.get_float("scale");
  const int64_t causal = ctx.attrs.get_int("is_causal", 0);
  if (causal != 0 && causal != 1) throw Error(Stage::Build, op + " is_causal must be 0 or 1");
  a.causal = causal == 1;
  a.softcap = ctx.attrs.get_float("softcap", 0.0f);
  if (!(a.softcap >= 0) || std::isinf(a.softcap))
    throw Error(Stage::Build, op + " softcap must be a finite number >= 0");
  a.qk_mode = ctx.attrs.get_int("qk_matmul_output_mode", 0);
  if (a.qk_mode < 0 || a.qk_mode > 3) throw Error(Stage::Build, op + " qk_matmul_output_mode must be 0, 1, 2 or 3");
  if (ctx.attrs.has("softmax_precision")) {
    const int64_t p = ctx.attrs.get_int("softmax_precision");
    if (p != 1 && p != 10 && p != 11 && p != 16)
      throw Error(Stage::Build, op + " softmax_precision must be 1 (float), 10 (float16), 11 (double) or 16 (bfloat16)");
    a.softmax_type = *dtype_from_onnx(static_cast<int32_t>(p));
  }
  a.q_heads = ctx.attrs.get_int("q_num_heads", 0);
  a.kv_heads = ctx.attrs.get_int("kv_num_heads", 0);
  if (a.q_heads < 0 || a.kv_heads < 0) throw Error(Stage::Build, op + " q_num_heads / kv_num_heads must be positive");
  if (ctx.opset >= 25) {
    a.left_window = ctx.attrs.get_int("left_window_size", -1);
    a.right_window = ctx.attrs.get_int("right_window_size", -1);
    if (a.left_window < -1 || a.right_window < -1)
      throw Error(Stage::Build, op + " left_window_size / right_window_size must be -1 or >= 0");
  }
  auto k = std::make_unique<AttentionKernel>(ctx, a);
  std::vector<const Shape*> s(7, nullptr);
  bool known = true;
  for (size_t i = 0; i < std::min<size_t>(7, ctx.node.inputs.size()); ++i) {
    if (!ctx.has_input(i)) continue;
    if (!ctx.inputs[i].shape_known) known = false;
    s[i] = &ctx.inputs[i].shape;
  }
  if (known) k->geometry(s, Stage::Build);
  return k;
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "Attention", 23, 25, kRef, make_attention);

}  // namespace onnxi::attention
