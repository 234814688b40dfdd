// GlobalAveragePool and GlobalMaxPool (ai.onnx, every opset), reference only: a mean or
// max over the contiguous spatial block of each (n, c), float and double.
#include <pthreadpool.h>

#include <algorithm>
#include <limits>

#include "ops/nn/window.h"
#include "runtime/kernel.h"

namespace onnxi::nn {

namespace {

template <class T>
struct GlobalArgs {
  const T* x;
  T* y;
  int64_t size;
  bool is_max;
};

template <class T>
void global_plane(void* ctx, size_t plane) {
  const auto& a = *static_cast<const GlobalArgs<T>*>(ctx);
  const T* x = a.x + static_cast<int64_t>(plane) * a.size;
  if (a.is_max) {
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t i = 0; i < a.size; ++i) m = x[i] > m ? x[i] : m;
    a.y[plane] = m;
  } else {
    double s = 0;
    for (int64_t i = 0; i < a.size; ++i) s += x[i];
    a.y[plane] = static_cast<T>(s / static_cast<double>(a.size));  // NaN for an empty plane
  }
}

class GlobalPoolKernel final : public Kernel {
 public:
  GlobalPoolKernel(bool is_max, DType dtype) : is_max_(is_max), dtype_(dtype) {}
  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, dtype_);
    ctx.set_output(0, dtype_, output_shape(*x, Stage::Plan));
  }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) throw Error(Stage::Run, "X must have rank >= 2");
    const int64_t planes = x.dim(0) * x.dim(1);
    const int64_t size = planes == 0 ? 0 : x.numel() / planes;
    if (dtype_ == DType::Float)
      compute<float>(x, ctx.output(0), planes, size, ctx.threadpool());
    else
      compute<double>(x, ctx.output(0), planes, size, ctx.threadpool());
  }

  static Shape output_shape(const Shape& x, Stage stage) {
    if (x.size() < 2) throw Error(stage, "X must have rank >= 2, got " + shape_to_string(x));
    Shape y(x.size(), 1);
    y[0] = x[0];
    y[1] = x[1];
    return y;
  }

 private:
  template <class T>
  void compute(const Tensor& x, Tensor& y, int64_t planes, int64_t size, pthreadpool_t pool) const {
    GlobalArgs<T> args{x.data<T>(), y.data<T>(), size, is_max_};
    pthreadpool_parallelize_1d(pool, &global_plane<T>, &args, static_cast<size_t>(planes), 0);
  }
  bool is_max_;
  DType dtype_;
};

std::unique_ptr<Kernel> make_global(const BuildContext& ctx, bool is_max) {
  if (!ctx.has_input(0) || ctx.num_inputs() != 1 || ctx.num_outputs() != 1)
    throw Error(Stage::Build, "expects one input and one output");
  if (ctx.inputs[0].shape_known) GlobalPoolKernel::output_shape(ctx.inputs[0].shape, Stage::Build);
  const DType t = ctx.input_dtype(0);
  if (!dtype_in(t, {DType::Float, DType::Double})) return nullptr;
  return std::make_unique<GlobalPoolKernel>(is_max, t);
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "GlobalAveragePool", 1, 22, kRef,
                      [](const BuildContext& ctx) { return make_global(ctx, false); });
ONNXI_REGISTER_KERNEL("", "GlobalMaxPool", 1, 22, kRef,
                      [](const BuildContext& ctx) { return make_global(ctx, true); });

}  // namespace onnxi::nn
