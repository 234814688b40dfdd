// QuantizeLinear, schema versions 10, 13, 19, 21, 23, 24, 25:
//   y = saturate(round_half_even(x / y_scale) + y_zero_point)     (integer y)
//   y = cast(x / y_scale + y_zero_point, saturate)                  (float8 / float4 y)
// The output type is y_zero_point's, else output_dtype's (21+), else uint8. The division is
// done in `precision` (23+) when given, else in the wider of x's and y_scale's types (int32
// makes it float64), as the reference implementation does. Per-tensor, per-axis (13+) and
// blocked (21+) scales: see quant_params.h. Versions add types: 19 float8 outputs (with
// `saturate`), float16/bfloat16 x and scales; 21 int16/uint16/int4/uint4; 23 float4e2m1 and
// a scale type of its own; 24 float8e8m0 scales; 25 int2/uint2.
#include "ops/common/convert.h"
#include "ops/common/kernel_util.h"
#include "ops/quant/quant_params.h"

namespace onnxi {
namespace {

using quant::type_str;

constexpr DTypeSet kFloat8 = dtype_bit(DType::Float8E4M3FN) | dtype_bit(DType::Float8E4M3FNUZ) |
                             dtype_bit(DType::Float8E5M2) | dtype_bit(DType::Float8E5M2FNUZ);

DTypeSet output_dtypes(int64_t opset) {
  DTypeSet s = dtype_bit(DType::Int8) | dtype_bit(DType::UInt8);
  if (opset >= 19) s |= kFloat8;
  if (opset >= 21) s |= dtype_bit(DType::Int16) | dtype_bit(DType::UInt16) | dtype_bit(DType::Int4) | dtype_bit(DType::UInt4);
  if (opset >= 23) s |= dtype_bit(DType::Float4E2M1);
  if (opset >= 25) s |= dtype_bit(DType::Int2) | dtype_bit(DType::UInt2);
  return s;
}

// The integer range of an integer output type.
void int_range(DType t, int64_t* lo, int64_t* hi) {
  const int64_t bits = static_cast<int64_t>(dtype_bits(t));
  const bool is_signed = t == DType::Int8 || t == DType::Int16 || t == DType::Int4 || t == DType::Int2;
  *lo = is_signed ? -(int64_t{1} << (bits - 1)) : 0;
  *hi = is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
}

// `v` rounded to the floating-point type `t` (float32, float16, bfloat16 or float64).
double round_to(DType t, double v) {
  switch (t) {
    case DType::Float: return static_cast<float>(v);
    case DType::Float16: return load_elem(convert_value<Float16Bits>(v));
    case DType::BFloat16: return load_elem(convert_value<BFloat16Bits>(v));
    default: return v;
  }
}

// numpy's type for x / scale: float64 with int32, else the wider float type.
DType promoted(DType a, DType b) {
  if (a == DType::Int32 || b == DType::Int32) return DType::Double;
  if (a == b) return a;
  return DType::Float;
}

class QuantizeLinearKernel : public Kernel {
 public:
  explicit QuantizeLinearKernel(const BuildContext& ctx) : opset_(ctx.opset) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.node.inputs.size() > 3)
      throw Error(Stage::Build, "QuantizeLinear expects x, y_scale and an optional y_zero_point");
    attrs_ = quant::read_quant_attrs(ctx);
    const DType x = ctx.input_dtype(0), scale = ctx.input_dtype(1);
    const DTypeSet x_types = opset_ >= 19 ? (kFloatDTypes & ~dtype_bit(DType::Double)) | dtype_bit(DType::Int32)
                                          : dtype_bit(DType::Float) | dtype_bit(DType::Int32);
    if (!dtype_in(x, x_types)) throw Error(Stage::Build, "QuantizeLinear does not support x of " + type_str(x));
    DTypeSet scale_types = opset_ >= 19 ? dtype_bit(x) : dtype_bit(DType::Float);
    if (opset_ >= 23) scale_types = x_types;
    if (opset_ >= 24) scale_types |= dtype_bit(DType::Float8E8M0);
    if (!dtype_in(scale, scale_types))
      throw Error(Stage::Build, "QuantizeLinear does not support y_scale of " + type_str(scale) + " with x of " +
                                    type_str(x) + " at opset " + std::to_string(opset_));
    const int64_t code = opset_ >= 21 ? ctx.attrs.get_int("output_dtype", 0) : 0;
    DType attr_out = DType::Undefined;
    if (code) {
      auto t = code == static_cast<int32_t>(code) ? dtype_from_onnx(static_cast<int32_t>(code)) : std::nullopt;
      if (!t) throw Error(Stage::Build, "output_dtype " + std::to_string(code) + " is not a data type");
      attr_out = *t;
    }
    out_ = ctx.has_input(2) ? ctx.input_dtype(2) : attr_out != DType::Undefined ? attr_out : DType::UInt8;
    if (attr_out != DType::Undefined && attr_out != out_)
      throw Error(Stage::Build, "output_dtype " + type_str(attr_out) + " differs from y_zero_point's " + type_str(out_));
    if (!dtype_in(out_, output_dtypes(opset_)))
      throw Error(Stage::Build, "QuantizeLinear does not support output " + type_str(out_) + " at opset " +
                                    std::to_string(opset_));
    if (opset_ >= 19) opts_.saturate = ctx.attrs.get_int("saturate", 1) != 0;
    precision_ = promoted(x, scale == DType::Float8E8M0 ? DType::Float : scale);
    if (opset_ >= 23) {
      const int64_t p = ctx.attrs.get_int("precision", 0);
      if (p) {
        auto t = p == static_cast<int32_t>(p) ? dtype_from_onnx(static_cast<int32_t>(p)) : std::nullopt;
        if (!t || !dtype_in(*t, kFloatDTypes))
          throw Error(Stage::Build, "precision " + std::to_string(p) + " is not a floating-point type");
        precision_ = *t;
        cast_operands_ = true;
      }
    }
  }

  bool handles_packed_dtypes() const override { return true; }

  void infer(InferContext& ctx) override { infer_same_shape(ctx, out_); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale_t = ctx.input(1);
    const quant::QuantLayout l = quant::quant_layout(x.shape(), scale_t.shape(), attrs_.axis, attrs_.block_size,
                                                     opset_, "y_scale");
    const std::vector<double> xs = quant::values_as_double(x), scale = quant::values_as_double(scale_t);
    std::vector<double> zp(scale.size(), 0.0);
    if (ctx.has_input(2)) {
      const Tensor& z = ctx.input(2);
      if (z.dtype() != out_) throw Error(Stage::Run, "y_zero_point dtype changed");
      if (z.shape() != scale_t.shape() && !(shape_numel(z.shape()) == 1 && scale.size() == 1))
        throw Error(Stage::Run, "y_zero_point has shape " + shape_to_string(z.shape()) + ", y_scale " +
                                    shape_to_string(scale_t.shape()));
      zp = quant::values_as_double(z);
    }
    const bool integer_out = !dtype_in(out_, kFloat8) && out_ != DType::Float4E2M1;
    Tensor wide(integer_out ? DType::Int64 : DType::Double, x.shape());
    int64_t lo = 0, hi = 0;
    if (integer_out) int_range(out_, &lo, &hi);
    for (int64_t o = 0; o < l.outer; ++o)
      for (int64_t c = 0; c < l.dim; ++c)
        for (int64_t i = 0; i < l.inner; ++i) {
          const int64_t k = (o * l.dim + c) * l.inner + i, si = l.scale_index(o, c, i);
          double xv = xs[k], sv = scale[si];
          if (cast_operands_) xv = round_to(precision_, xv), sv = round_to(precision_, sv);
          const double q = round_to(precision_, xv / sv);
          if (integer_out) {
            const int64_t r = detail::float_to_int64_saturating(std::nearbyint(q));
            const auto z = static_cast<int64_t>(zp[si]);
            const int64_t v = r > INT64_MAX / 2 ? hi : r < INT64_MIN / 2 ? lo : r + z;
            wide.data<int64_t>()[k] = std::clamp(v, lo, hi);
          } else {
            wide.data<double>()[k] = q + zp[si];
          }
        }
    convert_elements(wide, output_for(ctx, 0, out_, x.shape()), opts_);
  }

 private:
  int64_t opset_;
  quant::QuantAttrs attrs_;
  DType out_ = DType::UInt8, precision_ = DType::Float;
  bool cast_operands_ = false;
  CastOptions opts_;
};

// Schema versions 10, 13, 19, 21, 23, 24, 25 and 28 (which only adds the float6 types,
// which onnxi does not load: every model that reaches this kernel means what it means at 25).
ONNXI_REGISTER_KERNEL("", "QuantizeLinear", 10, 28, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new QuantizeLinearKernel(ctx));
});

}  // namespace
}  // namespace onnxi
