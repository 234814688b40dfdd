// Softmax and LogSoftmax. Before opset 13 the input is coerced to 2-D at `axis` (default 1)
// and normalized over each row of the flattened trailing dims; from 13 over the single
// `axis` (default -1). Both reduce to (outer, n, inner) blocks normalized along n.
//
// XNNPACK's softmax_nc_f32 handles Softmax when inner == 1 (normalizing the last dims);
// its operator depends on n, so it is (re)created when n changes.
#include <cmath>
#include <limits>
#include <vector>

#include "ops/common/broadcast.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/xnnpack/provider.h"
#include "ops/xnnpack/xnn_operator_holder.h"
#include "ops/xnnpack/xnn_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

struct SoftmaxBlocks {
  int64_t outer, n, inner;
};

class SoftmaxRefKernel : public Kernel {
 public:
  SoftmaxRefKernel(const BuildContext& ctx, bool log) : log_(log) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, ctx.node.op_type + " expects 1 input");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build, ctx.node.op_type + " does not support " + std::string(dtype_name(dtype_)));
    coerce_2d_ = ctx.opset < 13;
    axis_ = ctx.attrs.get_int("axis", coerce_2d_ ? 1 : -1);
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0)) {
      blocks(*s, Stage::Plan);  // validates the axis
      ctx.set_output(0, dtype_, *s);
    } else {
      ctx.set_output_dtype(0, dtype_);
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, dtype_, x.shape());
    SoftmaxBlocks b = blocks(x.shape(), Stage::Run);
    if (x.numel() == 0) return;
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      compute<T>(b, x.data<T>(), y.data<T>(), ctx.threadpool());
    });
  }

  // Whether the normalized dims are the innermost (true for every opset < 13 node).
  bool normalizes_last_dims(const ValueType& in) const {
    if (coerce_2d_ || axis_ == -1) return true;
    return in.shape_known && axis_ == static_cast<int64_t>(in.shape.size()) - 1;
  }

 protected:
  SoftmaxBlocks blocks(const Shape& s, Stage stage) const {
    const int64_t r = static_cast<int64_t>(s.size());
    if (axis_ < -r || axis_ >= std::max<int64_t>(r, 1) || (r == 0 && !coerce_2d_))
      throw Error(stage, "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const size_t axis = static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
    if (coerce_2d_) return {dims_product(s, 0, axis), dims_product(s, axis, s.size()), 1};
    return {dims_product(s, 0, axis), s[axis], dims_product(s, axis + 1, s.size())};
  }

  template <class T>
  void compute(const SoftmaxBlocks& b, const T* x, T* y, pthreadpool_t pool) const {
    using C = compute_t<T>;
    const int64_t n = b.n, inner = b.inner;
    parallel_chunks(pool, b.outer, n * inner * 8, [&](int64_t o0, int64_t o1) {
      std::vector<C> mx(static_cast<size_t>(inner));
      std::vector<double> sum(static_cast<size_t>(inner));
      for (int64_t o = o0; o < o1; ++o) {
        const T* xo = x + o * n * inner;
        T* yo = y + o * n * inner;
        std::fill(mx.begin(), mx.end(), -std::numeric_limits<C>::infinity());
        std::fill(sum.begin(), sum.end(), 0.0);
        for (int64_t k = 0; k < n; ++k)
          for (int64_t j = 0; j < inner; ++j) mx[j] = std::max(mx[j], load_elem(xo[k * inner + j]));
        for (int64_t k = 0; k < n; ++k)
          for (int64_t j = 0; j < inner; ++j) {
            C e = std::exp(load_elem(xo[k * inner + j]) - mx[j]);
            sum[j] += e;
            if (!log_) yo[k * inner + j] = store_elem<T>(e);
          }
        for (int64_t j = 0; j < inner; ++j) {
          if (log_) {
            // (x - max) - log(sum): x - max is exact for nearby values, unlike x - (max + log(sum)).
            const C log_sum = static_cast<C>(std::log(sum[j]));
            for (int64_t k = 0; k < n; ++k)
              yo[k * inner + j] = store_elem<T>((load_elem(xo[k * inner + j]) - mx[j]) - log_sum);
          } else {
            const C scale = static_cast<C>(1.0 / sum[j]);
            for (int64_t k = 0; k < n; ++k)
              yo[k * inner + j] = store_elem<T>(load_elem(yo[k * inner + j]) * scale);
          }
        }
      }
    });
  }

  DType dtype_ = DType::Undefined;
  bool log_ = false, coerce_2d_ = false;
  int64_t axis_ = -1;
};

class SoftmaxXnnKernel : public SoftmaxRefKernel {
 public:
  explicit SoftmaxXnnKernel(const BuildContext& ctx) : SoftmaxRefKernel(ctx, false) {}

  void prepare(PrepareContext&) override { ensure_xnnpack_initialized(); }

  struct State : KernelState {
    XnnOperatorHolder op;
    int64_t channels = 0;
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }

  // The operator is made for the size of the normalized axis.
  void reshape(RunContext& ctx) const override {
    State& st = ctx.state<State>();
    SoftmaxBlocks b = blocks(ctx.input(0).shape(), Stage::Run);
    if (b.inner != 1 || ctx.input(0).numel() == 0 || (st.op && st.channels == b.n)) return;
    const size_t c = static_cast<size_t>(b.n);
    check_xnn(xnn_create_softmax_nc_f32(c, c, c, 0, st.op.out()), "Softmax");
    st.channels = b.n;
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, DType::Float, x.shape());
    SoftmaxBlocks b = blocks(x.shape(), Stage::Run);
    if (b.inner != 1) {  // the axis is not the last dim after all (rank changed)
      SoftmaxRefKernel::run(ctx);
      return;
    }
    if (x.numel() == 0) return;
    State& st = ctx.state<State>();
    check_xnn(xnn_setup_softmax_nc_f32(st.op.get(), static_cast<size_t>(b.outer), x.data<float>(),
                                       y.data<float>(), ctx.threadpool()),
              "Softmax");
    check_xnn(xnn_run_operator(st.op.get(), ctx.threadpool()), "Softmax");
  }
};

ONNXI_REGISTER_KERNEL("", "Softmax", 1, 13, kXnnpack,
                      [](const BuildContext& ctx) -> std::unique_ptr<Kernel> {
                        if (ctx.input_dtype(0) != DType::Float) return nullptr;
                        auto k = std::make_unique<SoftmaxXnnKernel>(ctx);
                        if (!k->normalizes_last_dims(ctx.inputs.at(0))) return nullptr;
                        return k;
                      });
ONNXI_REGISTER_KERNEL("", "Softmax", 1, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new SoftmaxRefKernel(ctx, false));
});
ONNXI_REGISTER_KERNEL("", "LogSoftmax", 1, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new SoftmaxRefKernel(ctx, true));
});

}  // namespace
}  // namespace onnxi
