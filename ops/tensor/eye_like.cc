// EyeLike: a 2-D tensor of the input's shape with ones on diagonal k (out[i][i + k] = 1) and
// zeros elsewhere, of the `dtype` attribute's type (default: the input's). Only the input's
// shape is read (needs_input_data), so the planner can fold it once the shape is known.
#include <optional>

#include "ops/common/convert.h"
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class EyeLikeKernel : public Kernel {
 public:
  explicit EyeLikeKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "EyeLike expects 1 input");
    dtype_ = ctx.input_dtype(0);
    if (ctx.attrs.has("dtype")) {
      std::optional<DType> t = dtype_from_onnx(static_cast<int32_t>(ctx.attrs.get_int("dtype")));
      if (!t)
        throw Error(Stage::Build,
                    "EyeLike dtype " + std::to_string(ctx.attrs.get_int("dtype")) + " is unknown");
      dtype_ = *t;
    }
    if (!dtype_in(dtype_, kFixedSizeDTypes))
      throw Error(Stage::Build, "EyeLike does not support " + dtype_str(dtype_));
    k_ = ctx.attrs.get_int("k", 0);
  }

  void infer(InferContext& ctx) override {
    if (const Shape* x = ctx.input_shape(0)) {
      check_rank(*x, Stage::Plan);
      ctx.set_output(0, dtype_, *x);
    } else {
      ctx.set_output_dtype(0, dtype_);
    }
  }

  void run(RunContext& ctx) const override {
    const Shape& s = ctx.input(0).shape();
    check_rank(s, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, s);
    const int64_t rows = s[0], cols = s[1];
    visit_dtype<kFixedSizeDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = static_cast<T*>(y.raw_data());
      std::fill(out, out + y.numel(), convert_value<T>(0.0));
      const T one = convert_value<T>(1.0);
      // Row i holds its one at column i + k when that is in [0, cols).
      const int64_t first = std::max<int64_t>(0, k_ < 0 ? (k_ < -rows ? rows : -k_) : 0);
      for (int64_t i = first; i < rows; ++i) {
        if (k_ >= cols - i) break;
        out[i * cols + i + k_] = one;
      }
    });
  }

  bool needs_input_data(size_t) const override { return false; }

 private:
  static void check_rank(const Shape& s, Stage stage) {
    if (s.size() != 2) throw Error(stage, "EyeLike input must be 2-D, got " + shape_to_string(s));
  }

  DType dtype_ = DType::Undefined;
  int64_t k_ = 0;
};

ONNXI_REGISTER_KERNEL("", "EyeLike", 9, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new EyeLikeKernel(ctx));
});

}  // namespace
}  // namespace onnxi
