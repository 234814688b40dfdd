// QLinearConv (opset 10): quantized convolution,
//   y = saturate(round_half_even((acc + B[m]) * x_scale * w_scale[m] / y_scale) + y_zero_point),
//   acc = Conv(x - x_zero_point, w - w_zero_point[m]) in int32, B an optional int32 bias [M].
// w_scale and w_zero_point are scalars or per output channel [M]; the others scalars.
#include "ops/common/kernel_util.h"
#include "ops/quant/int_conv.h"
#include "ops/quant/quant_common.h"

namespace onnxi {
namespace {

class QLinearConvKernel : public Kernel {
 public:
  explicit QLinearConvKernel(const BuildContext& ctx) : cfg_(quant::read_int_conv_config(ctx.attrs)) {
    if (ctx.node.inputs.size() < 8 || ctx.node.inputs.size() > 9)
      throw Error(Stage::Build, "QLinearConv expects 8 or 9 inputs");
    for (size_t i = 0; i < 8; ++i)
      if (!ctx.has_input(i))
        throw Error(Stage::Build, "QLinearConv input " + std::to_string(i) + " is missing");
    for (size_t i : {0, 2, 3, 5, 7})
      if (!dtype_in(ctx.input_dtype(i), quant::kQuant8DTypes))
        throw Error(Stage::Build, "QLinearConv input " + std::to_string(i) + " must be int8 or uint8");
    for (size_t i : {1, 4, 6})
      if (ctx.input_dtype(i) != DType::Float)
        throw Error(Stage::Build, "QLinearConv scale input " + std::to_string(i) + " must be float32");
    if (ctx.input_dtype(2) != ctx.input_dtype(0) || ctx.input_dtype(5) != ctx.input_dtype(3))
      throw Error(Stage::Build, "QLinearConv zero points must have their operand's dtype");
    if (ctx.has_input(8) && ctx.input_dtype(8) != DType::Int32) throw Error(Stage::Build, "B must be int32");
    out_dtype_ = ctx.input_dtype(7);
    if (ctx.inputs[0].shape_known && ctx.inputs[3].shape_known)
      quant::int_conv_shapes(cfg_, ctx.inputs[0].shape, ctx.inputs[3].shape, Stage::Build);
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Shape* w = ctx.input_shape(3);
    if (x && w)
      ctx.set_output(0, out_dtype_, quant::int_conv_shapes(cfg_, *x, *w, Stage::Plan).out);
    else
      ctx.set_output_dtype(0, out_dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(3);
    quant::IntConvShapes s = quant::int_conv_shapes(cfg_, x.shape(), w.shape(), Stage::Run);
    const int64_t M = s.out_channels;
    quant::check_param(ctx.input(1), -1, "x_scale");
    quant::check_param(ctx.input(2), -1, "x_zero_point");
    quant::check_param(ctx.input(4), M, "w_scale");
    quant::check_param(ctx.input(5), M, "w_zero_point");
    quant::check_param(ctx.input(6), -1, "y_scale");
    quant::check_param(ctx.input(7), -1, "y_zero_point");
    const float x_scale = quant::float_values(ctx.input(1))[0],
                y_scale = quant::float_values(ctx.input(6))[0];
    const std::vector<float> w_scale = quant::float_values(ctx.input(4));
    const int32_t x_zp = quant::int_values(ctx.input(2))[0], y_zp = quant::int_values(ctx.input(7))[0];
    const std::vector<int32_t> w_zp = quant::int_values(ctx.input(5));
    std::vector<int32_t> bias(static_cast<size_t>(M), 0);
    if (ctx.has_input(8)) {
      const Tensor& b = ctx.input(8);
      if (b.shape() != Shape{M}) throw Error(Stage::Run, "B must be [" + std::to_string(M) + "]");
      bias.assign(b.data<int32_t>(), b.data<int32_t>() + M);
    }
    Tensor& y = output_for(ctx, 0, out_dtype_, s.out);
    std::vector<int32_t> acc(static_cast<size_t>(y.numel()));
    quant::int_conv(cfg_, s, x, x_zp, w, w_zp, acc.data(), ctx.threadpool());
    const int64_t spatial = dims_product(s.out, 2, s.out.size());
    visit_dtype<quant::kQuant8DTypes>(out_dtype_, [&](auto tag) {
      using Q = typename decltype(tag)::type;
      Q* out = y.data<Q>();
      for (int64_t n = 0; n < s.batch; ++n)
        for (int64_t m = 0; m < M; ++m) {
          const float multiplier = x_scale * w_scale[w_scale.size() == 1 ? 0 : m] / y_scale;
          const int64_t base = (n * M + m) * spatial;
          for (int64_t i = 0; i < spatial; ++i) {
            const int64_t a = static_cast<int64_t>(acc[base + i]) + bias[m];
            const float v = std::nearbyint(static_cast<float>(a) * multiplier);
            out[base + i] = quant::saturate_round<Q>(static_cast<double>(v) + y_zp);
          }
        }
    });
  }

 private:
  quant::IntConvConfig cfg_;
  DType out_dtype_ = DType::UInt8;
};

ONNXI_REGISTER_KERNEL("", "QLinearConv", 10, 10, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new QLinearConvKernel(ctx));
});

}  // namespace
}  // namespace onnxi
