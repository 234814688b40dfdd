// HannWindow, HammingWindow, BlackmanWindow (opset 17): generalized cosine windows of
// `size` (a scalar input) samples,
//   w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N),
// with N = size when periodic (the default) else size - 1, in `output_datatype` (float32
// by default). A symmetric window of one sample is [1].
#include <cmath>
#include <numbers>
#include <vector>

#include "ops/common/convert.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

struct CosineWindow {
  double a0, a1, a2;
};

class WindowKernel : public Kernel {
 public:
  WindowKernel(const BuildContext& ctx, CosineWindow coeffs) : coeffs_(coeffs) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, ctx.node.op_type + " expects 1 input");
    if (ctx.input_dtype(0) != DType::Int32 && ctx.input_dtype(0) != DType::Int64)
      throw Error(Stage::Build, "size must be int32 or int64");
    const std::optional<DType> t =
        dtype_from_onnx(static_cast<int32_t>(ctx.attrs.get_int("output_datatype", 1)));
    if (!t || !dtype_in(*t, kNumericDTypes)) throw Error(Stage::Build, "unsupported output_datatype");
    out_dtype_ = *t;
    periodic_ = ctx.attrs.get_int("periodic", 1) != 0;
  }

  void infer(InferContext& ctx) override {
    if (const Tensor* s = ctx.input_value(0))
      ctx.set_output(0, out_dtype_, {size_of(*s, Stage::Plan)});
    else
      ctx.set_output_dtype(0, out_dtype_);
  }

  void run(RunContext& ctx) const override {
    const int64_t size = size_of(ctx.input(0), Stage::Run);
    Tensor& y = output_for(ctx, 0, out_dtype_, {size});
    const double N = static_cast<double>(periodic_ ? size : size - 1);
    std::vector<double> w(static_cast<size_t>(size));
    for (int64_t n = 0; n < size; ++n) {
      if (N == 0) {
        w[n] = 1.0;
        continue;
      }
      const double x = 2.0 * std::numbers::pi * static_cast<double>(n) / N;
      w[n] = coeffs_.a0 - coeffs_.a1 * std::cos(x) + coeffs_.a2 * std::cos(2.0 * x);
    }
    visit_dtype<kNumericDTypes>(out_dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y.data<T>();
      for (int64_t n = 0; n < size; ++n) out[n] = convert_value<T>(w[n]);
    });
  }

 private:
  static int64_t size_of(const Tensor& t, Stage stage) {
    std::vector<int64_t> v = read_int_values(t, "size", stage);
    if (v.size() != 1) throw Error(stage, "size must be a scalar");
    if (v[0] < 0) throw Error(stage, "size must not be negative, got " + std::to_string(v[0]));
    return v[0];
  }

  CosineWindow coeffs_;
  DType out_dtype_ = DType::Float;
  bool periodic_ = true;
};

ONNXI_REGISTER_KERNEL("", "HannWindow", 17, 17, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new WindowKernel(ctx, {0.5, 0.5, 0.0}));
});
ONNXI_REGISTER_KERNEL("", "HammingWindow", 17, 17, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new WindowKernel(ctx, {25.0 / 46.0, 21.0 / 46.0, 0.0}));
});
ONNXI_REGISTER_KERNEL("", "BlackmanWindow", 17, 17, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new WindowKernel(ctx, {0.42, 0.5, 0.08}));
});

}  // namespace
}  // namespace onnxi
