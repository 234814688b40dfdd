// Trilu: keeps the upper (upper=1, default: j - i >= k) or lower (j - i <= k) triangle of
// each matrix in the last two dims and zeroes the rest ("" for strings, false for bool).
// `k` is an optional int64 scalar input (default 0). Any dtype.
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class TriluKernel : public Kernel {
 public:
  explicit TriluKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.empty() || ctx.node.inputs.size() > 2 || !ctx.has_input(0))
      throw Error(Stage::Build, "Trilu expects 1 or 2 inputs");
    dtype_ = ctx.input_dtype(0);
    if (ctx.has_input(1)) dispatch_index(ctx.input_dtype(1), Stage::Build, "Trilu k", [](auto) {});
    upper_ = ctx.attrs.get_int("upper", 1) != 0;
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    check_rank(*x, Stage::Plan);
    ctx.set_output(0, dtype_, *x);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check_rank(x.shape(), Stage::Run);
    int64_t k = 0;
    if (ctx.has_input(1)) {
      std::vector<int64_t> kv = read_int_values(ctx.input(1), "Trilu k", Stage::Run);
      if (kv.size() != 1) throw Error(Stage::Run, "Trilu k must be a scalar");
      k = kv[0];
    }
    Tensor& y = output_for(ctx, 0, dtype_, x.shape());
    if (y.numel() == 0) return;
    const int64_t rows = x.shape()[x.rank() - 2], cols = x.shape()[x.rank() - 1];
    const int64_t mats = x.numel() / (rows * cols);
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* src = elements<S>(x);
      S* dst = elements<S>(y);
      const S zero = zero_element<S>();
      for (int64_t m = 0; m < mats; ++m)
        for (int64_t i = 0; i < rows; ++i) {
          const int64_t o = (m * rows + i) * cols;
          // Kept columns: j >= i + k (upper) or j <= i + k (lower), clamped to [0, cols].
          const int64_t edge = k > cols ? cols : (k < -rows ? -rows : k);
          const int64_t split = std::clamp<int64_t>(upper_ ? i + edge : i + edge + 1, 0, cols);
          for (int64_t j = 0; j < cols; ++j) dst[o + j] = (j < split) != upper_ ? src[o + j] : zero;
        }
    });
  }

 private:
  static void check_rank(const Shape& x, Stage stage) {
    if (x.size() < 2) throw Error(stage, "Trilu input must have rank >= 2, got " + shape_to_string(x));
  }

  DType dtype_ = DType::Undefined;
  bool upper_ = true;
};

ONNXI_REGISTER_KERNEL("", "Trilu", 14, 14, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new TriluKernel(ctx)); });

}  // namespace
}  // namespace onnxi
