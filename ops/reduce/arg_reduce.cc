// ArgMax and ArgMin: int64 index of the largest (smallest) element along one axis, the
// first one on ties, or the last with select_last_index (opset 12). NaN counts as larger
// (for ArgMax) or smaller (for ArgMin) than any number, like numpy. An empty axis has no
// answer and is an error unless the output is empty too.
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class ArgReduceKernel : public Kernel {
 public:
  ArgReduceKernel(const BuildContext& ctx, bool is_max) : is_max_(is_max) {
    if (!ctx.has_input(0)) throw Error(Stage::Build, ctx.node.op_type + " expects a data input");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kNumericDTypes))
      throw Error(Stage::Build, ctx.node.op_type + " does not support " + std::string(dtype_name(dtype_)));
    axis_ = ctx.attrs.get_int("axis", 0);
    keepdims_ = ctx.attrs.get_int("keepdims", 1) != 0;
    select_last_ = ctx.opset >= 12 && ctx.attrs.get_int("select_last_index", 0) != 0;
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, DType::Int64, out_shape(*s, nullptr, Stage::Plan));
    else
      ctx.set_output_dtype(0, DType::Int64);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    size_t axis = 0;
    Tensor& y = output_for(ctx, 0, DType::Int64, out_shape(x.shape(), &axis, Stage::Run));
    const int64_t outer = dims_product(x.shape(), 0, axis);
    const int64_t n = x.shape()[axis];
    const int64_t inner = dims_product(x.shape(), axis + 1, x.rank());
    if (y.numel() == 0) return;
    if (n == 0) throw Error(Stage::Run, "cannot take the index of an extreme over an empty axis");
    visit_dtype<kNumericDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if (is_max_)
        compute<T, true>(x.data<T>(), y.data<int64_t>(), outer, n, inner, ctx.threadpool());
      else
        compute<T, false>(x.data<T>(), y.data<int64_t>(), outer, n, inner, ctx.threadpool());
    });
  }

 private:
  Shape out_shape(const Shape& in, size_t* axis_out, Stage stage) const {
    const int64_t r = static_cast<int64_t>(in.size());
    if (axis_ < -r || axis_ >= r)
      throw Error(stage, "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const size_t axis = static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
    Shape out = in;
    if (keepdims_)
      out[axis] = 1;
    else
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(axis));
    if (axis_out) *axis_out = axis;
    return out;
  }

  // Whether `v` replaces `best` (NaN is the most extreme value, equal to other NaNs).
  template <bool Max, class C>
  bool replaces(C v, C best) const {
    if constexpr (std::is_floating_point_v<C>) {
      const bool vn = std::isnan(v), bn = std::isnan(best);
      if (vn || bn) return vn && (!bn || select_last_);
    }
    if (select_last_) return Max ? v >= best : v <= best;
    return Max ? v > best : v < best;
  }

  template <class T, bool Max>
  void compute(const T* x, int64_t* y, int64_t outer, int64_t n, int64_t inner, pthreadpool_t pool) const {
    parallel_chunks(pool, outer, n * inner, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const T* xo = x + o * n * inner;
        for (int64_t j = 0; j < inner; ++j) {
          auto best = load_elem(xo[j]);
          int64_t bi = 0;
          for (int64_t k = 1; k < n; ++k) {
            auto v = load_elem(xo[k * inner + j]);
            if (replaces<Max>(v, best)) {
              best = v;
              bi = k;
            }
          }
          y[o * inner + j] = bi;
        }
      }
    });
  }

  bool is_max_;
  DType dtype_ = DType::Undefined;
  int64_t axis_ = 0;
  bool keepdims_ = true, select_last_ = false;
};

ONNXI_REGISTER_KERNEL("", "ArgMax", 1, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new ArgReduceKernel(ctx, true));
});
ONNXI_REGISTER_KERNEL("", "ArgMin", 1, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new ArgReduceKernel(ctx, false));
});

}  // namespace
}  // namespace onnxi
