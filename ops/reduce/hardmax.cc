// Hardmax: 1 at the first largest element of each slice, 0 elsewhere. Before opset 13 the
// input is coerced to 2-D at `axis` (default 1) and each row of the flattened trailing dims
// is a slice; from 13 the slices run along the single `axis` (default -1). NaN counts as the
// largest value.
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class HardmaxKernel : public Kernel {
 public:
  explicit HardmaxKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0)) throw Error(Stage::Build, "Hardmax expects a data input");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build, "Hardmax does not support " + std::string(dtype_name(dtype_)));
    coerce_2d_ = ctx.opset < 13;
    axis_ = ctx.attrs.get_int("axis", coerce_2d_ ? 1 : -1);
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0)) {
      blocks(*s, Stage::Plan);
      ctx.set_output(0, dtype_, *s);
    } else {
      ctx.set_output_dtype(0, dtype_);
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, dtype_, x.shape());
    const Blocks b = blocks(x.shape(), Stage::Run);
    if (x.numel() == 0) return;
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      compute<T>(b, x.data<T>(), y.data<T>(), ctx.threadpool());
    });
  }

 private:
  struct Blocks {
    int64_t outer, n, inner;
  };

  Blocks blocks(const Shape& s, Stage stage) const {
    const int64_t r = static_cast<int64_t>(s.size());
    // Coerced to 2-D, axis may equal the rank (every dim goes to the rows).
    const int64_t hi = coerce_2d_ ? r : r - 1;
    if (axis_ < -r || axis_ > hi)
      throw Error(stage, "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const size_t axis = static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
    if (coerce_2d_) return {dims_product(s, 0, axis), dims_product(s, axis, s.size()), 1};
    return {dims_product(s, 0, axis), s[axis], dims_product(s, axis + 1, s.size())};
  }

  template <class T>
  void compute(const Blocks& b, const T* x, T* y, pthreadpool_t pool) const {
    const T zero = store_elem<T>(0.0f), one = store_elem<T>(1.0f);
    const int64_t n = b.n, inner = b.inner;
    parallel_chunks(pool, b.outer, n * inner, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const T* xo = x + o * n * inner;
        T* yo = y + o * n * inner;
        for (int64_t i = 0; i < n * inner; ++i) yo[i] = zero;
        for (int64_t j = 0; j < inner; ++j) {
          auto best = load_elem(xo[j]);
          int64_t bi = 0;
          for (int64_t k = 1; k < n && !std::isnan(best); ++k) {
            auto v = load_elem(xo[k * inner + j]);
            if (v > best || std::isnan(v)) {
              best = v;
              bi = k;
            }
          }
          yo[bi * inner + j] = one;
        }
      }
    });
  }

  DType dtype_ = DType::Undefined;
  bool coerce_2d_ = false;
  int64_t axis_ = -1;
};

ONNXI_REGISTER_KERNEL("", "Hardmax", 1, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new HardmaxKernel(ctx));
});

}  // namespace
}  // namespace onnxi
