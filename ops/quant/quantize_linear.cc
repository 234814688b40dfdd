// QuantizeLinear (opsets 10, 13): y = saturate(round_half_even(x / y_scale) + y_zero_point),
// into the zero point's dtype (uint8 when absent). From opset 13 the scale and zero point
// may be 1-D, one value per slice along `axis` (default 1). Opset 19 (float8, saturate) is
// not handled.
#include "ops/common/kernel_util.h"
#include "ops/quant/quant_common.h"

namespace onnxi {
namespace {

class QuantizeLinearKernel : public Kernel {
 public:
  explicit QuantizeLinearKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.node.inputs.size() > 3)
      throw Error(Stage::Build, "QuantizeLinear expects x, y_scale and an optional y_zero_point");
    in_dtype_ = ctx.input_dtype(0);
    if (in_dtype_ != DType::Float && in_dtype_ != DType::Int32)
      throw Error(Stage::Build, "QuantizeLinear does not support x of " + std::string(dtype_name(in_dtype_)));
    if (ctx.input_dtype(1) != DType::Float) throw Error(Stage::Build, "y_scale must be float32");
    out_dtype_ = ctx.has_input(2) ? ctx.input_dtype(2) : DType::UInt8;
    if (!dtype_in(out_dtype_, quant::kQuant8DTypes))
      throw Error(Stage::Build,
                  "y_zero_point must be int8 or uint8, got " + std::string(dtype_name(out_dtype_)));
    per_axis_ok_ = ctx.opset >= 13;
    axis_ = per_axis_ok_ ? ctx.attrs.get_int("axis", 1) : 1;
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, out_dtype_, *s);
    else
      ctx.set_output_dtype(0, out_dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale_t = ctx.input(1);
    Tensor& y = output_for(ctx, 0, out_dtype_, x.shape());
    int64_t outer = 1, count = 1, inner = x.numel();
    if (!quant::is_scalar_like(scale_t.shape())) {
      if (!per_axis_ok_) throw Error(Stage::Run, "y_scale must be a scalar before opset 13");
      const size_t axis = static_cast<size_t>(normalize_axis(axis_, static_cast<int64_t>(x.rank())));
      count = x.dim(axis);
      outer = dims_product(x.shape(), 0, axis);
      inner = dims_product(x.shape(), axis + 1, x.rank());
    }
    quant::check_param(scale_t, count, "y_scale");
    const std::vector<float> scale = quant::float_values(scale_t);
    std::vector<int32_t> zp(static_cast<size_t>(count), 0);
    if (ctx.has_input(2)) {
      const Tensor& zt = ctx.input(2);
      if (zt.dtype() != out_dtype_) throw Error(Stage::Run, "y_zero_point dtype changed");
      quant::check_param(zt, count, "y_zero_point");
      std::vector<int32_t> z = quant::int_values(zt);
      for (int64_t i = 0; i < count; ++i) zp[i] = z[z.size() == 1 ? 0 : i];
    }
    visit_dtype<quant::kQuant8DTypes>(out_dtype_, [&](auto tag) {
      using Q = typename decltype(tag)::type;
      Q* out = y.data<Q>();
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t c = 0; c < count; ++c) {
          const float s = scale[scale.size() == 1 ? 0 : c];
          const int64_t base = (o * count + c) * inner;
          if (in_dtype_ == DType::Float) {
            const float* in = x.data<float>() + base;
            for (int64_t i = 0; i < inner; ++i) out[base + i] = quantize<Q>(std::nearbyint(in[i] / s), zp[c]);
          } else {
            const int32_t* in = x.data<int32_t>() + base;
            for (int64_t i = 0; i < inner; ++i)
              out[base + i] = quantize<Q>(std::nearbyint(static_cast<double>(in[i]) / s), zp[c]);
          }
        }
    });
  }

 private:
  template <class Q, class F>
  static Q quantize(F rounded, int32_t zp) {
    return quant::saturate_round<Q>(static_cast<double>(rounded) + zp);
  }

  DType in_dtype_ = DType::Float, out_dtype_ = DType::UInt8;
  bool per_axis_ok_ = false;
  int64_t axis_ = 1;
};

// Not yet: 19 (scale of x's dtype, saturate, float8), 21 (block_size, output_dtype, int4/int16),
// 23 (precision, float4), 24, 25, 28 (more types).
ONNXI_REGISTER_KERNEL("", "QuantizeLinear", 10, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new QuantizeLinearKernel(ctx));
});

}  // namespace
}  // namespace onnxi
