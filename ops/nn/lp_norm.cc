// LpNormalization (ai.onnx 1+), reference provider: X divided by its L1 or L2 norm along
// `axis` (default -1). A zero vector stays zero (rather than 0/0 = NaN).
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/norm_util.h"

namespace onnxi::nn {

namespace {

class LpNormKernel final : public Kernel {
 public:
  LpNormKernel(DType dtype, int64_t axis, int64_t p) : dtype_(dtype), axis_(axis), p_(p) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, dtype_);
    resolve_axis(*x, Stage::Plan);
    ctx.set_output(0, dtype_, *x);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const size_t axis = resolve_axis(x.shape(), Stage::Run);
    if (x.numel() == 0) return;
    const int64_t n = x.dim(axis), inner = dims_product(x.shape(), axis + 1, x.rank());
    const int64_t outer = x.numel() / (n * inner);
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      T* yd = ctx.output(0).data<T>();
      parallel_chunks(ctx.threadpool(), outer * inner, n * 2, [&](int64_t begin, int64_t end) {
        for (int64_t line = begin; line < end; ++line) {
          const int64_t o = line / inner, i = line % inner;
          const T* xl = xd + o * n * inner + i;
          T* yl = yd + o * n * inner + i;
          double norm = 0;
          for (int64_t k = 0; k < n; ++k) {
            const double v = static_cast<double>(load_elem(xl[k * inner]));
            norm += p_ == 1 ? std::fabs(v) : v * v;
          }
          if (p_ == 2) norm = std::sqrt(norm);
          const double inv = norm == 0 ? 0.0 : 1.0 / norm;
          for (int64_t k = 0; k < n; ++k)
            yl[k * inner] =
                store_elem<T>(static_cast<compute_t<T>>(static_cast<double>(load_elem(xl[k * inner])) * inv));
        }
      });
    });
  }

  size_t resolve_axis(const Shape& x, Stage stage) const {
    const int64_t r = static_cast<int64_t>(x.size());
    if (r == 0 || axis_ < -r || axis_ >= r)
      throw Error(stage, "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    return static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
  }

 private:
  DType dtype_;
  int64_t axis_, p_;
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  if (ctx.num_inputs() != 1 || !ctx.has_input(0) || ctx.num_outputs() != 1)
    throw Error(Stage::Build, "LpNormalization takes one input and one output");
  const int64_t p = ctx.attrs.get_int("p", 2);
  if (p != 1 && p != 2) throw Error(Stage::Build, "p must be 1 or 2");
  const int64_t axis = ctx.attrs.get_int("axis", -1);
  const DType t = ctx.input_dtype(0);
  if (!dtype_in(t, kFloatDTypes)) return nullptr;
  auto k = std::make_unique<LpNormKernel>(t, axis, p);
  if (ctx.inputs[0].shape_known) k->resolve_axis(ctx.inputs[0].shape, Stage::Build);
  return k;
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "LpNormalization", 1, 22, kRef, make_ref);

}  // namespace onnxi::nn
