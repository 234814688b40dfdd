// ConvInteger (opset 10): int32 Y = Conv(X - x_zero_point, W - w_zero_point) for int8/uint8
// X and W; x_zero_point is a scalar, w_zero_point a scalar or per output channel [M].
#include "ops/common/kernel_util.h"
#include "ops/quant/int_conv.h"
#include "ops/quant/quant_common.h"

namespace onnxi {
namespace {

class ConvIntegerKernel : public Kernel {
 public:
  explicit ConvIntegerKernel(const BuildContext& ctx) : cfg_(quant::read_int_conv_config(ctx.attrs)) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.node.inputs.size() > 4)
      throw Error(Stage::Build, "ConvInteger expects x, w and optional zero points");
    for (size_t i = 0; i < 4; ++i)
      if (ctx.has_input(i) && !dtype_in(ctx.input_dtype(i), quant::kQuant8DTypes))
        throw Error(Stage::Build, "ConvInteger input " + std::to_string(i) + " must be int8 or uint8");
    if (ctx.has_input(2) && ctx.input_dtype(2) != ctx.input_dtype(0))
      throw Error(Stage::Build, "x_zero_point must have x's dtype");
    if (ctx.has_input(3) && ctx.input_dtype(3) != ctx.input_dtype(1))
      throw Error(Stage::Build, "w_zero_point must have w's dtype");
    if (ctx.inputs[0].shape_known && ctx.inputs[1].shape_known)
      quant::int_conv_shapes(cfg_, ctx.inputs[0].shape, ctx.inputs[1].shape, Stage::Build);
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Shape* w = ctx.input_shape(1);
    if (x && w)
      ctx.set_output(0, DType::Int32, quant::int_conv_shapes(cfg_, *x, *w, Stage::Plan).out);
    else
      ctx.set_output_dtype(0, DType::Int32);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    quant::IntConvShapes s = quant::int_conv_shapes(cfg_, x.shape(), w.shape(), Stage::Run);
    int32_t x_zp = 0;
    std::vector<int32_t> w_zp{0};
    if (ctx.has_input(2)) {
      quant::check_param(ctx.input(2), -1, "x_zero_point");
      x_zp = quant::int_values(ctx.input(2))[0];
    }
    if (ctx.has_input(3)) {
      quant::check_param(ctx.input(3), s.out_channels, "w_zero_point");
      w_zp = quant::int_values(ctx.input(3));
    }
    Tensor& y = output_for(ctx, 0, DType::Int32, s.out);
    quant::int_conv(cfg_, s, x, x_zp, w, w_zp, y.data<int32_t>(), ctx.threadpool());
  }

 private:
  quant::IntConvConfig cfg_;
};

ONNXI_REGISTER_KERNEL("", "ConvInteger", 10, 10, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new ConvIntegerKernel(ctx));
});

}  // namespace
}  // namespace onnxi
