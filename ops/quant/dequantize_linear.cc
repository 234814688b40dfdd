// DequantizeLinear (opsets 10, 13): y = (x - x_zero_point) * x_scale as float32, for int8,
// uint8 and int32 x (int32 has no zero point other than 0). From opset 13 the scale and
// zero point may be 1-D, one value per slice along `axis` (default 1). Opset 19 (float8,
// float16 scales) is not handled.
#include "ops/common/kernel_util.h"
#include "ops/quant/quant_common.h"

namespace onnxi {
namespace {

class DequantizeLinearKernel : public Kernel {
 public:
  explicit DequantizeLinearKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.node.inputs.size() > 3)
      throw Error(Stage::Build, "DequantizeLinear expects x, x_scale and an optional x_zero_point");
    in_dtype_ = ctx.input_dtype(0);
    if (!dtype_in(in_dtype_, quant::kQuant8DTypes | dtype_bit(DType::Int32)))
      throw Error(Stage::Build,
                  "DequantizeLinear does not support x of " + std::string(dtype_name(in_dtype_)));
    if (ctx.input_dtype(1) != DType::Float) throw Error(Stage::Build, "x_scale must be float32");
    if (ctx.has_input(2) && ctx.input_dtype(2) != in_dtype_)
      throw Error(Stage::Build, "x_zero_point must have x's dtype");
    per_axis_ok_ = ctx.opset >= 13;
    axis_ = per_axis_ok_ ? ctx.attrs.get_int("axis", 1) : 1;
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, DType::Float, *s);
    else
      ctx.set_output_dtype(0, DType::Float);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale_t = ctx.input(1);
    Tensor& y = output_for(ctx, 0, DType::Float, x.shape());
    int64_t outer = 1, count = 1, inner = x.numel();
    if (!quant::is_scalar_like(scale_t.shape())) {
      if (!per_axis_ok_) throw Error(Stage::Run, "x_scale must be a scalar before opset 13");
      const size_t axis = static_cast<size_t>(normalize_axis(axis_, static_cast<int64_t>(x.rank())));
      count = x.dim(axis);
      outer = dims_product(x.shape(), 0, axis);
      inner = dims_product(x.shape(), axis + 1, x.rank());
    }
    quant::check_param(scale_t, count, "x_scale");
    const std::vector<float> scale = quant::float_values(scale_t);
    std::vector<int32_t> zp(static_cast<size_t>(count), 0);
    if (ctx.has_input(2)) {
      const Tensor& zt = ctx.input(2);
      quant::check_param(zt, count, "x_zero_point");
      std::vector<int32_t> z = quant::int_values(zt);
      for (int64_t i = 0; i < count; ++i) zp[i] = z[z.size() == 1 ? 0 : i];
      if (in_dtype_ == DType::Int32)
        for (int32_t v : zp)
          if (v != 0) throw Error(Stage::Run, "x_zero_point must be 0 for int32 x");
    }
    float* out = y.data<float>();
    visit_dtype<quant::kQuant8DTypes | dtype_bit(DType::Int32)>(in_dtype_, [&](auto tag) {
      using Q = typename decltype(tag)::type;
      const Q* in = x.data<Q>();
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t c = 0; c < count; ++c) {
          const double s = scale[scale.size() == 1 ? 0 : c];
          const int64_t base = (o * count + c) * inner;
          for (int64_t i = 0; i < inner; ++i)
            out[base + i] =
                static_cast<float>(static_cast<double>(static_cast<int64_t>(in[base + i]) - zp[c]) * s);
        }
    });
  }

 private:
  DType in_dtype_ = DType::UInt8;
  bool per_axis_ok_ = false;
  int64_t axis_ = 1;
};

// Not yet: 19 (float16/bfloat16 scales give the output dtype, float8), 21 (block_size, int4/int16),
// 23 (output_dtype, float4), 24, 25, 28 (more types).
ONNXI_REGISTER_KERNEL("", "DequantizeLinear", 10, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new DequantizeLinearKernel(ctx));
});

}  // namespace
}  // namespace onnxi
