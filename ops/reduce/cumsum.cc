// CumSum and CumProd: running sums (products) along the axis given by the second input (a
// scalar or 1-element int32/int64 tensor). `exclusive` leaves each element out of its own
// sum (product), `reverse` runs from the end. Floats accumulate in double, integers wrap.
#include <type_traits>

#include "ops/common/broadcast.h"
#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/common/wrap_arith.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class CumulativeKernel : public Kernel {
 public:
  CumulativeKernel(const BuildContext& ctx, bool product) : product_(product) {
    const std::string op = product ? "CumProd" : "CumSum";
    if (!ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, op + " expects data and axis inputs");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kNumericDTypes))
      throw Error(Stage::Build, op + " does not support " + std::string(dtype_name(dtype_)));
    DType at = ctx.input_dtype(1);
    if (at != DType::Int32 && at != DType::Int64)
      throw Error(Stage::Build, op + " axis must be int32 or int64, got " + std::string(dtype_name(at)));
    exclusive_ = ctx.attrs.get_int("exclusive", 0) != 0;
    reverse_ = ctx.attrs.get_int("reverse", 0) != 0;
  }

  void infer(InferContext& ctx) override {
    const Shape* s = ctx.input_shape(0);
    if (!s) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    if (const Tensor* a = ctx.input_value(1)) axis_of(*a, static_cast<int64_t>(s->size()), Stage::Plan);
    ctx.set_output(0, dtype_, *s);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const size_t axis = axis_of(ctx.input(1), static_cast<int64_t>(x.rank()), Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, x.shape());
    if (x.numel() == 0) return;
    const int64_t outer = dims_product(x.shape(), 0, axis);
    const int64_t n = x.shape()[axis];
    const int64_t inner = dims_product(x.shape(), axis + 1, x.rank());
    visit_dtype<kNumericDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      compute<T>(x.data<T>(), y.data<T>(), outer, n, inner, ctx.threadpool());
    });
  }

 private:
  static size_t axis_of(const Tensor& t, int64_t rank, Stage stage) {
    if (t.numel() != 1 || t.rank() > 1)
      throw Error(stage, "axis must be a scalar, got shape " + shape_to_string(t.shape()));
    const int64_t a = read_int_values(t.reshaped({1}), "axis", stage)[0];
    if (a < -rank || a >= rank)
      throw Error(stage, "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
    return static_cast<size_t>(a < 0 ? a + rank : a);
  }

  template <class T>
  void compute(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, pthreadpool_t pool) const {
    using V = std::conditional_t<is_floating_v<T>, double, T>;
    parallel_chunks(pool, outer, n * inner, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        for (int64_t j = 0; j < inner; ++j) {
          const T* xo = x + o * n * inner + j;
          T* yo = y + o * n * inner + j;
          V acc = product_ ? V(1) : V(0);
          for (int64_t s = 0; s < n; ++s) {
            const int64_t k = (reverse_ ? n - 1 - s : s) * inner;
            const V v = static_cast<V>(load_elem(xo[k]));
            if (!exclusive_) acc = product_ ? wrap_mul(acc, v) : wrap_add(acc, v);
            yo[k] = convert_value<T>(acc);
            if (exclusive_) acc = product_ ? wrap_mul(acc, v) : wrap_add(acc, v);
          }
        }
      }
    });
  }

  bool product_ = false;
  DType dtype_ = DType::Undefined;
  bool exclusive_ = false, reverse_ = false;
};

ONNXI_REGISTER_KERNEL("", "CumSum", 11, 14, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new CumulativeKernel(ctx, false));
});
ONNXI_REGISTER_KERNEL("", "CumProd", 26, 26, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new CumulativeKernel(ctx, true));
});

}  // namespace
}  // namespace onnxi
