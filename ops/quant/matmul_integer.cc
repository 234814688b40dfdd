// MatMulInteger (opset 10): int32 Y = (A - a_zero_point) x (B - b_zero_point) with numpy
// matmul semantics; A and B are int8 or uint8, a_zero_point is a scalar or per-row [M],
// b_zero_point a scalar or per-column [N].
#include "ops/common/kernel_util.h"
#include "ops/quant/int_matmul.h"
#include "ops/quant/quant_common.h"

namespace onnxi {
namespace {

class MatMulIntegerKernel : public Kernel {
 public:
  explicit MatMulIntegerKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.node.inputs.size() > 4)
      throw Error(Stage::Build, "MatMulInteger expects A, B and optional zero points");
    for (size_t i = 0; i < 4; ++i)
      if (ctx.has_input(i) && !dtype_in(ctx.input_dtype(i), quant::kQuant8DTypes))
        throw Error(Stage::Build, "MatMulInteger input " + std::to_string(i) +
                                      " must be int8 or uint8, got " +
                                      std::string(dtype_name(ctx.input_dtype(i))));
    if (ctx.has_input(2) && ctx.input_dtype(2) != ctx.input_dtype(0))
      throw Error(Stage::Build, "a_zero_point must have A's dtype");
    if (ctx.has_input(3) && ctx.input_dtype(3) != ctx.input_dtype(1))
      throw Error(Stage::Build, "b_zero_point must have B's dtype");
  }

  void infer(InferContext& ctx) override {
    const Shape* a = ctx.input_shape(0);
    const Shape* b = ctx.input_shape(1);
    if (a && b)
      ctx.set_output(0, DType::Int32, quant::int_matmul_dims(*a, *b, Stage::Plan).out);
    else
      ctx.set_output_dtype(0, DType::Int32);
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    quant::IntMatMulDims d = quant::int_matmul_dims(a.shape(), b.shape(), Stage::Run);
    std::vector<int32_t> a_zp{0}, b_zp{0};
    if (ctx.has_input(2)) {
      quant::check_param(ctx.input(2), d.m, "a_zero_point");
      a_zp = quant::int_values(ctx.input(2));
    }
    if (ctx.has_input(3)) {
      quant::check_param(ctx.input(3), d.n, "b_zero_point");
      b_zp = quant::int_values(ctx.input(3));
    }
    Tensor& y = output_for(ctx, 0, DType::Int32, d.out);
    quant::int_matmul(d, a, a_zp, b, b_zp, y.data<int32_t>(), ctx.threadpool());
  }
};

ONNXI_REGISTER_KERNEL("", "MatMulInteger", 10, 10, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new MatMulIntegerKernel(ctx));
});

}  // namespace
}  // namespace onnxi
