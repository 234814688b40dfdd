// Conv (ai.onnx, every opset: the semantics never changed) on NCHW tensors.
//   ref:     N-D (1-3 spatial dims) float/double via im2col + blocked GEMM.
//   xnnpack: 2-D float with constant weights; NCHW <-> NHWC copies around XNNPACK's
//            NHWC convolution, into scratch buffers owned by the kernel.
#include <pthreadpool.h>

#include <algorithm>
#include <cstring>

#include "ops/math/gemm_core.h"
#include "ops/nn/conv_common.h"
#include "ops/nn/layout.h"
#include "ops/xnnpack/provider.h"
#include "ops/xnnpack/xnn_util.h"

namespace onnxi::nn {

namespace {

// ---- reference ----

template <class T>
struct Im2colArgs {
  const T* x;  // first channel of the group, [Cg][in_size]
  T* col;      // [Cg * kernel_size][out_size]
  Window3 w;
};

// One row of the column matrix: channel c, kernel tap (kd, kh, kw), every output position.
template <class T>
void im2col_row(void* ctx, size_t row_index) {
  const auto& a = *static_cast<const Im2colArgs<T>*>(ctx);
  const Window3& w = a.w;
  int64_t t = static_cast<int64_t>(row_index);
  const int64_t kw = t % w.kernel[2];
  t /= w.kernel[2];
  const int64_t kh = t % w.kernel[1];
  t /= w.kernel[1];
  const int64_t kd = t % w.kernel[0];
  const int64_t c = t / w.kernel[0];
  const T* xc = a.x + c * w.in_size();
  T* dst = a.col + static_cast<int64_t>(row_index) * w.out_size();
  const int64_t off_d = kd * w.dilation[0] - w.pad_begin[0];
  const int64_t off_h = kh * w.dilation[1] - w.pad_begin[1];
  const int64_t off_w = kw * w.dilation[2] - w.pad_begin[2];
  const auto [w_lo, w_hi] = valid_output_range(w.out[2], w.stride[2], off_w, w.in[2]);
  const int64_t ow_n = w.out[2];
  for (int64_t od = 0; od < w.out[0]; ++od) {
    const int64_t id = od * w.stride[0] + off_d;
    for (int64_t oh = 0; oh < w.out[1]; ++oh) {
      const int64_t ih = oh * w.stride[1] + off_h;
      T* d = dst + (od * w.out[1] + oh) * ow_n;
      if (id < 0 || id >= w.in[0] || ih < 0 || ih >= w.in[1]) {
        std::fill(d, d + ow_n, T(0));
        continue;
      }
      const T* src = xc + (id * w.in[1] + ih) * w.in[2] + off_w;
      std::fill(d, d + w_lo, T(0));
      if (w.stride[2] == 1) {
        std::copy(src + w_lo, src + w_hi, d + w_lo);
      } else {
        for (int64_t ow = w_lo; ow < w_hi; ++ow) d[ow] = src[ow * w.stride[2]];
      }
      std::fill(d + w_hi, d + ow_n, T(0));
    }
  }
}

class ConvRefKernel final : public Kernel {
 public:
  explicit ConvRefKernel(ConvConfig cfg) : cfg_(std::move(cfg)) {}
  void infer(InferContext& ctx) override { infer_conv(cfg_, ctx); }
  double flops(const std::vector<ValueType>& in, const std::vector<ValueType>& out) const override {
    return conv_flops(in, out);
  }
  struct State : ConvState {
    Scratch col;  // im2col buffer
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
  template <class T>
  void compute(RunContext& ctx) const {
    State& st = ctx.state<State>();
    const ConvShapes& s = st.shapes;
    const Tensor& x = ctx.input(0);
    const Tensor& wt = ctx.input(1);
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const Window3 w3 = lift_to_3d(s.win, s.geom);
    const int64_t group = cfg_.group;
    const int64_t cg = s.in_channels / group, mg = s.out_channels / group;
    const int64_t kg = cg * w3.kernel_size();
    const int64_t in_size = w3.in_size(), out_size = w3.out_size();
    const bool pointwise = w3.kernel_size() == 1 && w3.stride == std::array<int64_t, 3>{1, 1, 1} &&
                           w3.pad_begin == std::array<int64_t, 3>{0, 0, 0};
    T* col = pointwise ? nullptr : st.col.ensure<T>(static_cast<size_t>(kg * out_size));
    const T* xd = x.data<T>();
    const T* wd = wt.data<T>();
    const T* bd = cfg_.has_bias ? ctx.input(2).data<T>() : nullptr;
    T* yd = y.data<T>();
    pthreadpool_t pool = ctx.threadpool();
    for (int64_t n = 0; n < s.batch; ++n) {
      for (int64_t g = 0; g < group; ++g) {
        const T* xg = xd + (n * s.in_channels + g * cg) * in_size;
        T* yg = yd + (n * s.out_channels + g * mg) * out_size;
        for (int64_t m = 0; m < mg; ++m)
          std::fill(yg + m * out_size, yg + (m + 1) * out_size, bd ? bd[g * mg + m] : T(0));
        const T* b = xg;
        if (!pointwise) {
          Im2colArgs<T> args{xg, col, w3};
          pthreadpool_parallelize_1d(pool, &im2col_row<T>, &args, static_cast<size_t>(kg), 0);
          b = col;
        }
        gemm_accumulate<T>(mg, out_size, kg, wd + g * mg * kg, kg, b, out_size, yg, out_size, pool);
      }
    }
  }

  ConvConfig cfg_;
};

// ---- XNNPACK ----

class ConvXnnKernel final : public Kernel {
 public:
  ConvXnnKernel(ConvConfig cfg, const WindowAttrs& win, int64_t in_channels, int64_t out_channels,
                const Tensor& w, const Tensor* b)
      : cfg_(std::move(cfg)),
        conv_(win, cfg_.group, in_channels, out_channels, w, b, cfg_.act_min, cfg_.act_max) {}
  void infer(InferContext& ctx) override { infer_conv(cfg_, ctx); }
  double flops(const std::vector<ValueType>& in, const std::vector<ValueType>& out) const override {
    return conv_flops(in, out);
  }
  void prepare(PrepareContext&) override { conv_.prepare(); }
  bool packed_input(size_t i) const override { return (i == 1 || i == 2) && conv_.weights_released(); }
  struct State : ConvState {
    XnnConv2d::Instance conv;
    NhwcBridge bridge;
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }
  void reshape(RunContext& ctx) const override { reshape_conv(cfg_, ctx, ctx.state<State>()); }
  void run(RunContext& ctx) const override {
    State& st = ctx.state<State>();
    const ConvShapes& s = st.shapes;
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    pthreadpool_t pool = ctx.threadpool();
    const int64_t in_pixels = s.geom.in[0] * s.geom.in[1];
    const int64_t out_pixels = s.geom.out[0] * s.geom.out[1];
    st.bridge.run(ctx.input(0).data<float>(), y.data<float>(), s.batch, s.in_channels, in_pixels, s.out_channels,
                  out_pixels, pool, [&](const float* in, float* out) {
                    conv_.setup(st.conv, s.batch, s.geom, in, out, pool);
                    conv_.run(st.conv, pool);
                  });
  }

 private:
  ConvConfig cfg_;
  XnnConv2d conv_;
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  ConvConfig cfg = read_conv_config(ctx, /*nhwc=*/false);
  if (!conv_ref_supports(cfg.dtype)) return nullptr;
  return std::make_unique<ConvRefKernel>(std::move(cfg));
}

std::unique_ptr<Kernel> make_xnnpack(const BuildContext& ctx) {
  std::optional<XnnConvPlan> p = plan_xnn_conv(ctx, /*nhwc=*/false);
  if (!p) return nullptr;
  return std::make_unique<ConvXnnKernel>(std::move(p->cfg), p->win, p->in_channels, p->out_channels, *p->w, p->b);
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "Conv", 1, 22, kXnnpack, make_xnnpack);
ONNXI_REGISTER_KERNEL("", "Conv", 1, 22, kRef, make_ref);

}  // namespace onnxi::nn
