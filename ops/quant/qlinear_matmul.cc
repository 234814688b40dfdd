// QLinearMatMul (schema versions 10, 21): quantized matmul with numpy matmul semantics,
//   y = saturate(round_half_even(acc * a_scale * b_scale / y_scale) + y_zero_point),
//   acc = (a - a_zero_point) x (b - b_zero_point) in int32.
// Scales and zero points are scalars, or per-row [M] for a and y, per-column [N] for b.
// Version 21 allows float16/bfloat16 scales (the multiplier is still computed in float32)
// and float8 operands; the float8 operands are not supported (an Error).
#include "ops/common/kernel_util.h"
#include "ops/quant/int_matmul.h"
#include "ops/quant/quant_common.h"
#include "ops/quant/quant_params.h"

namespace onnxi {
namespace {

class QLinearMatMulKernel : public Kernel {
 public:
  explicit QLinearMatMulKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 8) throw Error(Stage::Build, "QLinearMatMul expects 8 inputs");
    for (size_t i = 0; i < 8; ++i)
      if (!ctx.has_input(i))
        throw Error(Stage::Build, "QLinearMatMul input " + std::to_string(i) + " is missing");
    for (size_t i : {0, 2, 3, 5, 7})
      if (!dtype_in(ctx.input_dtype(i), quant::kQuant8DTypes))
        throw Error(Stage::Build, "QLinearMatMul input " + std::to_string(i) + " must be int8 or uint8, got " +
                                      quant::type_str(ctx.input_dtype(i)));
    const DTypeSet scale_types =
        ctx.opset >= 21 ? dtype_bit(DType::Float) | dtype_bit(DType::Float16) | dtype_bit(DType::BFloat16)
                        : dtype_bit(DType::Float);
    for (size_t i : {1, 4, 6})
      if (!dtype_in(ctx.input_dtype(i), scale_types) || ctx.input_dtype(i) != ctx.input_dtype(1))
        throw Error(Stage::Build, "QLinearMatMul scale input " + std::to_string(i) + " must be " +
                                      (ctx.opset >= 21 ? "float32, float16 or bfloat16 (all three alike)" : "float32"));
    if (ctx.input_dtype(2) != ctx.input_dtype(0) || ctx.input_dtype(5) != ctx.input_dtype(3))
      throw Error(Stage::Build, "QLinearMatMul zero points must have their operand's dtype");
    out_dtype_ = ctx.input_dtype(7);
  }

  void infer(InferContext& ctx) override {
    const Shape* a = ctx.input_shape(0);
    const Shape* b = ctx.input_shape(3);
    if (a && b)
      ctx.set_output(0, out_dtype_, quant::int_matmul_dims(*a, *b, Stage::Plan).out);
    else
      ctx.set_output_dtype(0, out_dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(3);
    quant::IntMatMulDims d = quant::int_matmul_dims(a.shape(), b.shape(), Stage::Run);
    const int64_t M = d.m, N = d.n;
    auto param = [&](size_t i, int64_t count, const char* what) {
      quant::check_param(ctx.input(i), count, what);
      return ctx.input(i).numel();
    };
    param(1, M, "a_scale");
    param(2, M, "a_zero_point");
    param(4, N, "b_scale");
    param(5, N, "b_zero_point");
    param(6, M, "y_scale");
    param(7, M, "y_zero_point");
    auto scales = [&](size_t i) {
      std::vector<double> d = quant::values_as_double(ctx.input(i));
      return std::vector<float>(d.begin(), d.end());  // exact: float32/float16/bfloat16 values
    };
    const std::vector<float> a_scale = scales(1), b_scale = scales(4), y_scale = scales(6);
    const std::vector<int32_t> a_zp = quant::int_values(ctx.input(2)), b_zp = quant::int_values(ctx.input(5)),
                               y_zp = quant::int_values(ctx.input(7));
    Tensor& y = output_for(ctx, 0, out_dtype_, d.out);
    const int64_t mats = static_cast<int64_t>(d.a_index.size());
    std::vector<int32_t> acc(static_cast<size_t>(mats * M * N));
    quant::int_matmul(d, a, a_zp, b, b_zp, acc.data(), ctx.threadpool());
    auto pick = [](const auto& v, int64_t i) { return v[v.size() == 1 ? 0 : i]; };
    visit_dtype<quant::kQuant8DTypes>(out_dtype_, [&](auto tag) {
      using Q = typename decltype(tag)::type;
      Q* out = y.data<Q>();
      for (int64_t mat = 0; mat < mats; ++mat)
        for (int64_t r = 0; r < M; ++r)
          for (int64_t c = 0; c < N; ++c) {
            const float multiplier = pick(a_scale, r) * pick(b_scale, c) / pick(y_scale, r);
            const int64_t i = (mat * M + r) * N + c;
            const float v = std::nearbyint(static_cast<float>(acc[i]) * multiplier);
            out[i] = quant::saturate_round<Q>(static_cast<double>(v) + pick(y_zp, r));
          }
    });
  }

 private:
  DType out_dtype_ = DType::UInt8;
};

ONNXI_REGISTER_KERNEL("", "QLinearMatMul", 10, 21, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new QLinearMatMulKernel(ctx));
});

}  // namespace
}  // namespace onnxi
