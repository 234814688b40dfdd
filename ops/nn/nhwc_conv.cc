// onnxi::NhwcConv: Conv on NHWC tensors, made by the layout pass. X is [N, H, W, C], W
// keeps ONNX's [M, C/group, kH, kW], Y is [N, OH, OW, M]; optional fused clamp through
// activation_min / activation_max.
//   ref:     float/double, patch gather + blocked GEMM.
//   xnnpack: float with constant weights, XNNPACK's NHWC convolution directly.
#include <pthreadpool.h>

#include <algorithm>
#include <limits>

#include "ops/nn/conv_common.h"
#include "ops/nn/gemm.h"
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
  void run(RunContext& ctx) override {
    if (cache_.update(cfg_, ctx)) packed_ = false;
    if (cfg_.dtype == DType::Float)
      compute<float>(ctx);
    else
      compute<double>(ctx);
  }
  const char* provider() const override { return "ref"; }

 private:
  // W [M][Cg][kH][kW] -> per group [kH*kW*Cg][Mg], matching the patch columns.
  template <class T>
  const T* packed_weights(const Tensor& w) {
    const ConvShapes& s = cache_.shapes;
    const int64_t group = cfg_.group, cg = s.in_channels / group, mg = s.out_channels / group;
    const int64_t kh = s.win.kernel[0], kw = s.win.kernel[1], kg = kh * kw * cg;
    T* p = wpack_.ensure<T>(static_cast<size_t>(group * kg * mg));
    if (packed_) return p;
    const T* src = w.data<T>();
    for (int64_t g = 0; g < group; ++g)
      for (int64_t m = 0; m < mg; ++m)
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t x = 0; x < kw; ++x)
              p[(g * kg + (y * kw + x) * cg + c) * mg + m] = src[(((g * mg + m) * cg + c) * kh + y) * kw + x];
    // Constant weights are packed once; others on every run.
    packed_ = constant_w_.defined();
    return p;
  }

  template <class T>
  void compute(RunContext& ctx) {
    const ConvShapes& s = cache_.shapes;
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const T* wp = packed_weights<T>(ctx.input(1));
    const int64_t group = cfg_.group, c = s.in_channels, m = s.out_channels;
    const int64_t cg = c / group, mg = m / group;
    const int64_t kg = s.win.kernel[0] * s.win.kernel[1] * cg;
    const int64_t in_pixels = s.geom.in[0] * s.geom.in[1], out_pixels = s.geom.out[0] * s.geom.out[1];
    const bool pointwise = kg == cg && s.win.strides == std::vector<int64_t>{1, 1} &&
                           s.geom.pad_begin[0] == 0 && s.geom.pad_begin[1] == 0;
    T* patch = pointwise ? nullptr : patch_.ensure<T>(static_cast<size_t>(out_pixels * kg));
    const T* xd = ctx.input(0).data<T>();
    const T* bd = cfg_.has_bias ? ctx.input(2).data<T>() : nullptr;
    // With a residual input whose shape differs from the convolution's (broadcast), the
    // convolution goes to scratch first.
    const bool direct = !cfg_.has_residual || s.output == y.shape();
    T* yd = direct ? y.data<T>() : conv_out_.ensure<T>(static_cast<size_t>(shape_numel(s.output)));
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
  ConvShapeCache cache_;
  Scratch wpack_, patch_, conv_out_;
  bool packed_ = false;
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
  void prepare(PrepareContext&) override { conv_.prepare(); }
  bool packed_input(size_t i) const override { return (i == 1 || i == 2) && conv_.weights_released(); }
  void run(RunContext& ctx) override {
    cache_.update(cfg_, ctx);
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const ConvShapes& s = cache_.shapes;
    const bool direct = !cfg_.has_residual || s.output == y.shape();
    float* out = direct ? y.data<float>() : conv_out_.ensure<float>(static_cast<size_t>(shape_numel(s.output)));
    conv_.setup(s.batch, s.geom, ctx.input(0).data<float>(), out, ctx.threadpool());
    conv_.run(ctx.threadpool());
    if (cfg_.has_residual)
      add_residual_clamp<float>(out, s.output, ctx.input(3), y, cfg_.act_min, cfg_.act_max, ctx.threadpool());
  }
  const char* provider() const override { return "xnnpack"; }

 private:
  ConvConfig cfg_;
  XnnConv2d conv_;
  ConvShapeCache cache_;
  Scratch conv_out_;
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

ONNXI_REGISTER_KERNEL("onnxi", "NhwcConv", 1, INT64_MAX, "xnnpack", 10, make_xnnpack);
ONNXI_REGISTER_KERNEL("onnxi", "NhwcConv", 1, INT64_MAX, "ref", 0, make_ref);

}  // namespace onnxi::nn
