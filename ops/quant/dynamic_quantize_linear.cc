// DynamicQuantizeLinear (opset 11): quantizes float32 x to uint8 with a scale and zero point
// computed from x's range widened to include 0:
//   scale = (max(0, max x) - min(0, min x)) / 255,  zero_point = saturate(round(-min / scale)),
//   y = saturate(round(x / scale) + zero_point), rounding half to even.
// An all-zero (or empty) x gives scale 0, zero point 0 and y 0.
#include <algorithm>

#include "ops/common/kernel_util.h"
#include "ops/quant/quant_common.h"

namespace onnxi {
namespace {

class DynamicQuantizeLinearKernel : public Kernel {
 public:
  explicit DynamicQuantizeLinearKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "DynamicQuantizeLinear expects 1 input");
    if (ctx.input_dtype(0) != DType::Float)
      throw Error(Stage::Build, "DynamicQuantizeLinear expects float32 x, got " +
                                    std::string(dtype_name(ctx.input_dtype(0))));
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, DType::UInt8, *s);
    else
      ctx.set_output_dtype(0, DType::UInt8);
    ctx.set_output(1, DType::Float, {});
    ctx.set_output(2, DType::UInt8, {});
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const float* in = x.data<float>();
    float lo = 0, hi = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      if (std::isnan(in[i])) throw Error(Stage::Run, "DynamicQuantizeLinear input contains NaN");
      lo = std::min(lo, in[i]);
      hi = std::max(hi, in[i]);
    }
    const float scale = (hi - lo) / 255.0f;
    uint8_t zp = 0;
    if (scale > 0 && std::isfinite(scale)) zp = quant::saturate_round<uint8_t>((0.0f - lo) / scale);
    Tensor& y = output_for(ctx, 0, DType::UInt8, x.shape());
    uint8_t* out = y.data<uint8_t>();
    for (int64_t i = 0; i < x.numel(); ++i)
      out[i] = scale > 0
                   ? quant::saturate_round<uint8_t>(static_cast<double>(std::nearbyint(in[i] / scale)) + zp)
                   : zp;
    if (ctx.has_output(1)) output_for(ctx, 1, DType::Float, {}).data<float>()[0] = scale;
    if (ctx.has_output(2)) output_for(ctx, 2, DType::UInt8, {}).data<uint8_t>()[0] = zp;
  }
};

ONNXI_REGISTER_KERNEL("", "DynamicQuantizeLinear", 11, 11, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new DynamicQuantizeLinearKernel(ctx));
});

}  // namespace
}  // namespace onnxi
