// onnxi::NhwcConv: Conv on NHWC tensors, made by the layout pass. X is [N, H, W, C], W
// keeps ONNX's [M, C/group, kH, kW], Y is [N, OH, OW, M]; optional fused clamp through
// activation_min / activation_max.
//   ref:     float/double, patch gather + blocked GEMM.
//   xnnpack: float with constant weights, XNNPACK's NHWC convolution directly.
//   onednn:  float 2-D with constant weights, in ops/nn/nhwc_conv_onednn.cc.
#include <pthreadpool.h>

#include <algorithm>
#include <limits>

#include "ops/math/gemm_core.h"
#include "ops/nn/conv_common.h"
#include "ops/xnnpack/provider.h"
#include "ops/xnnpack/xnn_util.h"

namespace onnxi::nn {

namespace {

// ---- reference ----

template <class T>
struct PatchArgs {
  const T* x;  // one image, [H][W][C]
  T* patch;    // [OH*OW][kH*kW*Cg]
  int64_t channels, channel_offset, cg;
  const ConvShapes* s;
};

// Gathers the patches of one output row.
template <class T>
void gather_patch_row(void* ctx, size_t oh_index) {
  const auto& a = *static_cast<const PatchArgs<T>*>(ctx);
  const WindowAttrs& win = a.s->win;
  const WindowGeometry& g = a.s->geom;
  const int64_t oh = static_cast<int64_t>(oh_index);
  const int64_t kh = win.kernel[0], kw = win.kernel[1], cg = a.cg;
  const int64_t kg = kh * kw * cg;
  for (int64_t ow = 0; ow < g.out[1]; ++ow) {
    T* d = a.patch + (oh * g.out[1] + ow) * kg;
    for (int64_t ky = 0; ky < kh; ++ky) {
      const int64_t iy = oh * win.strides[0] + ky * win.dilations[0] - g.pad_begin[0];
      for (int64_t kx = 0; kx < kw; ++kx, d += cg) {
        const int64_t ix = ow * win.strides[1] + kx * win.dilations[1] - g.pad_begin[1];
        if (iy < 0 || iy >= g.in[0] || ix < 0 || ix >= g.in[1]) {
          std::fill(d, d + cg, T(0));
        } else {
          const T* src = a.x + (iy * g.in[1] + ix) * a.channels + a.channel_offset;
          std::copy(src, src + cg, d);
        }
      }
    }
  }
}

class NhwcConvRefKernel final : public Kernel {
 public:
  explicit NhwcConvRefKernel(ConvConfig cfg, const Tensor* constant_w)
      : cfg_(std::move(cfg)), constant_w_(constant_w ? *constant_w : Tensor()) {}
  void infer(InferContext& ctx) override { infer_conv(cfg_, ctx); }
  double flops(const std::vector<ValueType>& in, const std::vector<ValueType>& out) const override {
    return conv_flops(in, out);
  }
  // Constant weights are packed once, here; others on every run (into the context's state).
  void prepare(PrepareContext&) override {
    if (!constant_w_.defined() || constant_w_.rank() != 4) return;
    if (cfg_.dtype == DType::Float)
      pack_weights<float>(constant_w_, wpack_.ensure<float>(static_cast<size_t>(constant_w_.numel())));
    else
      pack_weights<double>(constant_w_, wpack_.ensure<double>(static_cast<size_t>(constant_w_.numel())));
    wpacked_ = true;
    constant_w_ = Tensor();  // the packed copy is the one kept
  }
  bool packed_input(size_t i) const override { return i == 1 && wpacked_; }
  struct State : ConvState {
    Scratch wpack, patch, conv_out;
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }
  void reshape(RunContext& ctx) const override { reshape_conv(cfg_, ctx, ctx.state<State>()); }
  void run(RunContext& ctx) const override {
    if (cfg_.dtype == DType::Float)
      compute<float>(ctx);
    else
      compute<double>(ctx);
  }

 private:
  // W [M][Cg][kH][kW] -> per group [kH*kW*Cg][Mg], matching the patch columns.
  template <class T>
  void pack_weights(const Tensor& w, T* p) const {
    const int64_t group = cfg_.group, mg = w.dim(0) / group, cg = w.dim(1);
    const int64_t kh = w.dim(2), kw = w.dim(3), kg = kh * kw * cg;
    const T* src = w.data<T>();
    for (int64_t g = 0; g < group; ++g)
      for (int64_t m = 0; m < mg; ++m)
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t x = 0; x < kw; ++x)
              p[(g * kg + (y * kw + x) * cg + c) * mg + m] = src[(((g * mg + m) * cg + c) * kh + y) * kw + x];
  }

  template <class T>
  void compute(RunContext& ctx) const {
    State& st = ctx.state<State>();
    const ConvShapes& s = st.shapes;
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const Tensor& w = ctx.input(1);
    const T* wp = wpacked_ ? wpack_.get<T>() : nullptr;
    if (!wp) {
      T* p = st.wpack.ensure<T>(static_cast<size_t>(w.numel()));
      pack_weights<T>(w, p);
      wp = p;
    }
    const int64_t group = cfg_.group, c = s.in_channels, m = s.out_channels;
    const int64_t cg = c / group, mg = m / group;
    const int64_t kg = s.win.kernel[0] * s.win.kernel[1] * cg;
    const int64_t in_pixels = s.geom.in[0] * s.geom.in[1], out_pixels = s.geom.out[0] * s.geom.out[1];
    const bool pointwise = kg == cg && s.win.strides == std::vector<int64_t>{1, 1} &&
                           s.geom.pad_begin[0] == 0 && s.geom.pad_begin[1] == 0;
    T* patch = pointwise ? nullptr : st.patch.ensure<T>(static_cast<size_t>(out_pixels * kg));
    const T* xd = ctx.input(0).data<T>();
    const T* bd = cfg_.has_bias ? ctx.input(2).data<T>() : nullptr;
    T* yd = conv_destination<T>(cfg_, s, y, st.conv_out);
    pthreadpool_t pool = ctx.threadpool();
    for (int64_t n = 0; n < s.batch; ++n) {
      const T* xn = xd + n * in_pixels * c;
      T* yn = yd + n * out_pixels * m;
      for (int64_t p = 0; p < out_pixels; ++p)
        for (int64_t o = 0; o < m; ++o) yn[p * m + o] = bd ? bd[o] : T(0);
      for (int64_t g = 0; g < group; ++g) {
        const T* a = xn + g * cg;
        int64_t lda = c;
        if (!pointwise) {
          PatchArgs<T> args{xn, patch, c, g * cg, cg, &s};
          pthreadpool_parallelize_1d(pool, &gather_patch_row<T>, &args, static_cast<size_t>(s.geom.out[0]),
                                     0);
          a = patch;
          lda = kg;
        }
        gemm_accumulate<T>(out_pixels, mg, kg, a, lda, wp + g * kg * mg, mg, yn + g * mg, m, pool);
      }
    }
    if (cfg_.has_residual) {
      add_residual_clamp<T>(yd, s.output, ctx.input(3), y, cfg_.act_min, cfg_.act_max, pool);
    } else if (cfg_.has_activation()) {
      const T lo = static_cast<T>(cfg_.act_min), hi = static_cast<T>(cfg_.act_max);
      for (int64_t i = 0; i < y.numel(); ++i) yd[i] = std::min(std::max(yd[i], lo), hi);
    }
  }

  ConvConfig cfg_;
  Tensor constant_w_;
  Scratch wpack_;  // the constant weights, packed by prepare()
  bool wpacked_ = false;
};

// ---- XNNPACK ----

class NhwcConvXnnKernel final : public Kernel {
 public:
  NhwcConvXnnKernel(ConvConfig cfg, const WindowAttrs& win, int64_t in_channels, int64_t out_channels,
                    const Tensor& w, const Tensor* b)
      : cfg_(std::move(cfg)),
        conv_(win, cfg_.group, in_channels, out_channels, w, b,
              cfg_.has_residual ? -std::numeric_limits<float>::infinity() : cfg_.act_min,
              cfg_.has_residual ? std::numeric_limits<float>::infinity() : cfg_.act_max) {}
  void infer(InferContext& ctx) override { infer_conv(cfg_, ctx); }
  double flops(const std::vector<ValueType>& in, const std::vector<ValueType>& out) const override {
    return conv_flops(in, out);
  }
  void prepare(PrepareContext&) override { conv_.prepare(); }
  bool packed_input(size_t i) const override { return (i == 1 || i == 2) && conv_.weights_released(); }
  struct State : ConvState {
    XnnConv2d::Instance conv;
    Scratch conv_out;
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }
  void reshape(RunContext& ctx) const override { reshape_conv(cfg_, ctx, ctx.state<State>()); }
  void run(RunContext& ctx) const override {
    State& st = ctx.state<State>();
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const ConvShapes& s = st.shapes;
    float* out = conv_destination<float>(cfg_, s, y, st.conv_out);
    conv_.setup(st.conv, s.batch, s.geom, ctx.input(0).data<float>(), out, ctx.threadpool());
    conv_.run(st.conv, ctx.threadpool());
    if (cfg_.has_residual)
      add_residual_clamp<float>(out, s.output, ctx.input(3), y, cfg_.act_min, cfg_.act_max, ctx.threadpool());
  }

 private:
  ConvConfig cfg_;
  XnnConv2d conv_;
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  ConvConfig cfg = read_conv_config(ctx, /*nhwc=*/true);
  if (!conv_ref_supports(cfg.dtype)) return nullptr;
  return std::make_unique<NhwcConvRefKernel>(std::move(cfg), ctx.constant_input(1));
}

std::unique_ptr<Kernel> make_xnnpack(const BuildContext& ctx) {
  std::optional<XnnConvPlan> p = plan_xnn_conv(ctx, /*nhwc=*/true);
  if (!p) return nullptr;
  return std::make_unique<NhwcConvXnnKernel>(std::move(p->cfg), p->win, p->in_channels, p->out_channels, *p->w, p->b);
}

}  // namespace

ONNXI_REGISTER_KERNEL("onnxi", "NhwcConv", 1, 1, kXnnpack, make_xnnpack);
ONNXI_REGISTER_KERNEL("onnxi", "NhwcConv", 1, 1, kRef, make_ref);

}  // namespace onnxi::nn
