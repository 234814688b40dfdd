// DequantizeLinear, schema versions 10, 13, 19, 21, 23, 24, 25: y = (x - x_zero_point) *
// x_scale, computed in float64 and rounded once to the output type: output_dtype (23+) if
// given, else x_scale's type (float32 before 19). int32 x has no zero point but 0. Per-tensor,
// per-axis (13+) and blocked (21+) scales: see quant_params.h. Versions add types: 19
// float8 x and float16/bfloat16 scales; 21 int16/uint16/int4/uint4; 23 float4e2m1;
// 24 float8e8m0 scales (then output_dtype is required); 25 int2/uint2.
#include "ops/common/convert.h"
#include "ops/common/kernel_util.h"
#include "ops/quant/quant_params.h"

namespace onnxi {
namespace {

DTypeSet input_dtypes(int64_t opset) {
  DTypeSet s = dtype_bit(DType::Int8) | dtype_bit(DType::UInt8) | dtype_bit(DType::Int32);
  if (opset >= 19)
    s |= dtype_bit(DType::Float8E4M3FN) | dtype_bit(DType::Float8E4M3FNUZ) | dtype_bit(DType::Float8E5M2) |
         dtype_bit(DType::Float8E5M2FNUZ);
  if (opset >= 21) s |= dtype_bit(DType::Int16) | dtype_bit(DType::UInt16) | dtype_bit(DType::Int4) | dtype_bit(DType::UInt4);
  if (opset >= 23) s |= dtype_bit(DType::Float4E2M1);
  if (opset >= 25) s |= dtype_bit(DType::Int2) | dtype_bit(DType::UInt2);
  return s;
}

constexpr DTypeSet kOutputDTypes = dtype_bit(DType::Float) | dtype_bit(DType::Float16) | dtype_bit(DType::BFloat16);

class DequantizeLinearKernel : public Kernel {
 public:
  explicit DequantizeLinearKernel(const BuildContext& ctx) : opset_(ctx.opset) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.node.inputs.size() > 3)
      throw Error(Stage::Build, "DequantizeLinear expects x, x_scale and an optional x_zero_point");
    attrs_ = quant::read_quant_attrs(ctx);
    in_ = ctx.input_dtype(0);
    if (!dtype_in(in_, input_dtypes(opset_)))
      throw Error(Stage::Build, "DequantizeLinear does not support x of " + quant::type_str(in_) + " at opset " +
                                    std::to_string(opset_));
    const DType scale = ctx.input_dtype(1);
    DTypeSet scale_types = opset_ >= 19 ? kOutputDTypes : dtype_bit(DType::Float);
    if (opset_ >= 24) scale_types |= dtype_bit(DType::Float8E8M0);
    if (!dtype_in(scale, scale_types))
      throw Error(Stage::Build, "DequantizeLinear does not support x_scale of " + quant::type_str(scale) +
                                    " at opset " + std::to_string(opset_));
    if (ctx.has_input(2) && ctx.input_dtype(2) != in_)
      throw Error(Stage::Build, "x_zero_point must have x's dtype");
    out_ = scale;
    const int64_t code = opset_ >= 23 ? ctx.attrs.get_int("output_dtype", 0) : 0;
    if (code) {
      auto t = code == static_cast<int32_t>(code) ? dtype_from_onnx(static_cast<int32_t>(code)) : std::nullopt;
      if (!t) throw Error(Stage::Build, "output_dtype " + std::to_string(code) + " is not a data type");
      out_ = *t;
    }
    if (!dtype_in(out_, kOutputDTypes))
      throw Error(Stage::Build, "DequantizeLinear cannot output " + quant::type_str(out_) +
                                    (code ? "" : " (x_scale's type; set output_dtype)"));
  }

  bool handles_packed_dtypes() const override { return true; }

  void infer(InferContext& ctx) override { infer_same_shape(ctx, out_); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale_t = ctx.input(1);
    const quant::QuantLayout l = quant::quant_layout(x.shape(), scale_t.shape(), attrs_.axis, attrs_.block_size,
                                                     opset_, "x_scale");
    const std::vector<double> xs = quant::values_as_double(x), scale = quant::values_as_double(scale_t);
    std::vector<double> zp(scale.size(), 0.0);
    if (ctx.has_input(2)) {
      const Tensor& z = ctx.input(2);
      if (z.shape() != scale_t.shape() && !(shape_numel(z.shape()) == 1 && scale.size() == 1))
        throw Error(Stage::Run, "x_zero_point has shape " + shape_to_string(z.shape()) + ", x_scale " +
                                    shape_to_string(scale_t.shape()));
      zp = quant::values_as_double(z);
      if (in_ == DType::Int32)
        for (double v : zp)
          if (v != 0) throw Error(Stage::Run, "x_zero_point must be 0 for int32 x");
    }
    Tensor wide(DType::Double, x.shape());
    double* w = wide.data<double>();
    for (int64_t o = 0; o < l.outer; ++o)
      for (int64_t c = 0; c < l.dim; ++c)
        for (int64_t i = 0; i < l.inner; ++i) {
          const int64_t k = (o * l.dim + c) * l.inner + i, si = l.scale_index(o, c, i);
          w[k] = (xs[k] - zp[si]) * scale[si];
        }
    convert_elements(wide, output_for(ctx, 0, out_, x.shape()));
  }

 private:
  int64_t opset_;
  quant::QuantAttrs attrs_;
  DType in_ = DType::UInt8, out_ = DType::Float;
};

// Schema versions 10, 13, 19, 21, 23, 24, 25 and 28 (which only adds the float6 types,
// which onnxi does not load: every model that reaches this kernel means what it means at 25).
ONNXI_REGISTER_KERNEL("", "DequantizeLinear", 10, 28, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new DequantizeLinearKernel(ctx));
});

}  // namespace
}  // namespace onnxi
