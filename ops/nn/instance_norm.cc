// InstanceNormalization (ai.onnx 1, 6+), reference provider: each (n, c) plane of X
// [N, C, D1, ...] is normalized with its own mean and variance, then scaled and shifted by
// scale[c] and B[c]. Opset 1's consumed_inputs is legacy and ignored. Float dtypes; the
// statistics are computed in double.
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/nn/norm_util.h"

namespace onnxi::nn {

namespace {

class InstanceNormKernel final : public Kernel {
 public:
  InstanceNormKernel(DType dtype, double epsilon) : dtype_(dtype), epsilon_(epsilon) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, dtype_);
    check(*x, ctx.input_shape(1), ctx.input_shape(2), Stage::Plan);
    ctx.set_output(0, dtype_, *x);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor& bias = ctx.input(2);
    check(x.shape(), &scale.shape(), &bias.shape(), Stage::Run);
    if (x.numel() == 0) return;
    const int64_t channels = x.dim(1), planes = x.dim(0) * channels, size = x.numel() / planes;
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      T* yd = ctx.output(0).data<T>();
      parallel_chunks(ctx.threadpool(), planes, size * 4, [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
          const T* xp = xd + p * size;
          T* yp = yd + p * size;
          const MeanVar st = mean_variance(xp, 1, size, size);
          const double m = st.mean;
          const int64_t c = p % channels;
          const double a = float_value_at(scale, c) / std::sqrt(st.var + epsilon_);
          const double b = float_value_at(bias, c);
          for (int64_t i = 0; i < size; ++i)
            yp[i] =
                store_elem<T>(static_cast<compute_t<T>>((static_cast<double>(load_elem(xp[i])) - m) * a + b));
        }
      });
    });
  }

  static void check(const Shape& x, const Shape* scale, const Shape* bias, Stage stage) {
    if (x.size() < 3)
      throw Error(stage, "InstanceNormalization expects X of rank >= 3, got " + shape_to_string(x));
    const Shape want{x[1]};
    if (scale && *scale != want)
      throw Error(stage, "scale " + shape_to_string(*scale) + " must be " + shape_to_string(want));
    if (bias && *bias != want)
      throw Error(stage, "B " + shape_to_string(*bias) + " must be " + shape_to_string(want));
  }

 private:
  DType dtype_;
  double epsilon_;
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  if (ctx.num_inputs() != 3 || !ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2))
    throw Error(Stage::Build, "InstanceNormalization takes inputs X, scale and B");
  if (ctx.num_outputs() != 1) throw Error(Stage::Build, "InstanceNormalization has exactly one output");
  const DType t = ctx.input_dtype(0);
  if (ctx.input_dtype(1) != t || ctx.input_dtype(2) != t)
    throw Error(Stage::Build, "X, scale and B must share one dtype");
  if (ctx.opset < 6) ctx.attrs.get_ints("consumed_inputs");  // legacy; only its type is checked
  const float eps = ctx.attrs.get_float("epsilon", 1e-5f);
  if (!(eps >= 0) || std::isinf(eps)) throw Error(Stage::Build, "epsilon must be a non-negative number");
  if (!dtype_in(t, kFloatDTypes)) return nullptr;
  auto shape = [&](size_t i) { return ctx.inputs[i].shape_known ? &ctx.inputs[i].shape : nullptr; };
  if (shape(0)) InstanceNormKernel::check(*shape(0), shape(1), shape(2), Stage::Build);
  return std::make_unique<InstanceNormKernel>(t, static_cast<double>(eps));
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "InstanceNormalization", 1, 22, kRef, make_ref);

}  // namespace onnxi::nn
