// LpPool (ai.onnx 1, 2, 11-17) and GlobalLpPool (1, 2+), reference provider:
//   Y = (sum over the window of |X|^p)^(1/p)
// LpPool has 1 to 3 spatial dims and the usual window attributes (kernel_shape, strides,
// pads, auto_pad; padding contributes zero). Opset 1 has p as a float attribute, later
// opsets as an int (default 2). Opset 18 adds ceil_mode and dilations: not registered.
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/nn/norm_util.h"
#include "ops/nn/window.h"

namespace onnxi::nn {

namespace {

double read_p(const BuildContext& ctx) {
  const double p = ctx.opset < 2 ? static_cast<double>(ctx.attrs.get_float("p", 2.0f))
                                 : static_cast<double>(ctx.attrs.get_int("p", 2));
  if (!(p > 0) || !std::isfinite(p)) throw Error(Stage::Build, "p must be positive");
  return p;
}

// |v|^p summed, then the p-th root: exact forms for p = 1 and 2.
struct LpAccum {
  double p;
  double term(double v) const { return p == 1 ? std::fabs(v) : p == 2 ? v * v : std::pow(std::fabs(v), p); }
  double finish(double s) const { return p == 1 ? s : p == 2 ? std::sqrt(s) : std::pow(s, 1.0 / p); }
};

class LpPoolKernel final : public Kernel {
 public:
  LpPoolKernel(DType dtype, WindowAttrs win, double p) : dtype_(dtype), win_(std::move(win)), acc_{p} {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, dtype_);
    ctx.set_output(0, dtype_, output_shape(*x, nullptr, Stage::Plan));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    WindowGeometry g;
    output_shape(x.shape(), &g, Stage::Run);
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const Window3 w = lift_to_3d(win_, g);
    const int64_t planes = x.dim(0) * x.dim(1);
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      T* yd = y.data<T>();
      parallel_chunks(
          ctx.threadpool(), planes, w.out_size() * w.kernel_size(), [&](int64_t begin, int64_t end) {
            for (int64_t p = begin; p < end; ++p) {
              const T* xp = xd + p * w.in_size();
              T* yp = yd + p * w.out_size();
              for (int64_t od = 0; od < w.out[0]; ++od)
                for (int64_t oh = 0; oh < w.out[1]; ++oh)
                  for (int64_t ow = 0; ow < w.out[2]; ++ow) {
                    double s = 0;
                    for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
                      const int64_t id = od * w.stride[0] - w.pad_begin[0] + kd;
                      if (id < 0 || id >= w.in[0]) continue;
                      for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
                        const int64_t ih = oh * w.stride[1] - w.pad_begin[1] + kh;
                        if (ih < 0 || ih >= w.in[1]) continue;
                        for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
                          const int64_t iw = ow * w.stride[2] - w.pad_begin[2] + kw;
                          if (iw < 0 || iw >= w.in[2]) continue;
                          s += acc_.term(
                              static_cast<double>(load_elem(xp[(id * w.in[1] + ih) * w.in[2] + iw])));
                        }
                      }
                    }
                    yp[(od * w.out[1] + oh) * w.out[2] + ow] =
                        store_elem<T>(static_cast<compute_t<T>>(acc_.finish(s)));
                  }
            }
          });
    });
  }

  Shape output_shape(const Shape& x, WindowGeometry* geom, Stage stage) const {
    if (x.size() != win_.rank() + 2)
      throw Error(stage, "LpPool with kernel_shape of " + std::to_string(win_.rank()) +
                             " dims expects X of rank " + std::to_string(win_.rank() + 2) + ", got " +
                             shape_to_string(x));
    WindowGeometry g = compute_window_geometry(win_, std::vector<int64_t>(x.begin() + 2, x.end()), stage);
    Shape y{x[0], x[1]};
    y.insert(y.end(), g.out.begin(), g.out.end());
    if (geom) *geom = std::move(g);
    return y;
  }

 private:
  DType dtype_;
  WindowAttrs win_;
  LpAccum acc_;
};

class GlobalLpPoolKernel final : public Kernel {
 public:
  GlobalLpPoolKernel(DType dtype, double p) : dtype_(dtype), acc_{p} {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, dtype_);
    ctx.set_output(0, dtype_, output_shape(*x, Stage::Plan));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    output_shape(x.shape(), Stage::Run);
    const int64_t planes = x.dim(0) * x.dim(1);
    const int64_t size = planes == 0 ? 0 : x.numel() / planes;
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      T* yd = ctx.output(0).data<T>();
      parallel_chunks(ctx.threadpool(), planes, size, [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
          double s = 0;
          for (int64_t i = 0; i < size; ++i) s += acc_.term(static_cast<double>(load_elem(xd[p * size + i])));
          yd[p] = store_elem<T>(static_cast<compute_t<T>>(acc_.finish(s)));
        }
      });
    });
  }

  static Shape output_shape(const Shape& x, Stage stage) {
    if (x.size() < 2) throw Error(stage, "GlobalLpPool expects X of rank >= 2, got " + shape_to_string(x));
    Shape y(x.size(), 1);
    y[0] = x[0];
    y[1] = x[1];
    return y;
  }

 private:
  DType dtype_;
  LpAccum acc_;
};

void check_io(const BuildContext& ctx, const char* op) {
  if (ctx.num_inputs() != 1 || !ctx.has_input(0) || ctx.num_outputs() != 1)
    throw Error(Stage::Build, std::string(op) + " takes one input and one output");
}

std::unique_ptr<Kernel> make_lp_pool(const BuildContext& ctx) {
  check_io(ctx, "LpPool");
  const double p = read_p(ctx);
  const WindowAttrs win = resolve_window(
      read_window_attrs(ctx.attrs, {/*dilations=*/false, /*ceil_mode=*/false}), {}, Stage::Build);
  if (win.rank() > kMaxSpatialRank)
    throw Error(Stage::Build, "LpPool with more than 3 spatial dims is not supported");
  const DType t = ctx.input_dtype(0);
  if (!dtype_in(t, kFloatDTypes)) return nullptr;
  auto k = std::make_unique<LpPoolKernel>(t, win, p);
  if (ctx.inputs[0].shape_known) k->output_shape(ctx.inputs[0].shape, nullptr, Stage::Build);
  return k;
}

std::unique_ptr<Kernel> make_global_lp_pool(const BuildContext& ctx) {
  check_io(ctx, "GlobalLpPool");
  const double p = read_p(ctx);
  const DType t = ctx.input_dtype(0);
  if (!dtype_in(t, kFloatDTypes)) return nullptr;
  if (ctx.inputs[0].shape_known) GlobalLpPoolKernel::output_shape(ctx.inputs[0].shape, Stage::Build);
  return std::make_unique<GlobalLpPoolKernel>(t, p);
}

}  // namespace

// Not yet: LpPool 18 (ceil_mode, dilations), 22 (bfloat16).
ONNXI_REGISTER_KERNEL("", "LpPool", 1, 11, kRef, make_lp_pool);
ONNXI_REGISTER_KERNEL("", "GlobalLpPool", 1, 22, kRef, make_global_lp_pool);

}  // namespace onnxi::nn
