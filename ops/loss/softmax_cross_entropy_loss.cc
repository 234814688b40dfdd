// SoftmaxCrossEntropyLoss (opset 12, 13): log_prob = LogSoftmax(scores) over the class
// axis 1, then the NegativeLogLikelihoodLoss of log_prob (same weights, ignore_index and
// reductions). The optional second output is log_prob itself.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/loss/nll_common.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

using loss::NllConfig;

class SoftmaxCrossEntropyLossKernel : public Kernel {
 public:
  explicit SoftmaxCrossEntropyLossKernel(const BuildContext& ctx) : cfg_(loss::read_nll_config(ctx)) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.node.inputs.size() > 3)
      throw Error(Stage::Build, "SoftmaxCrossEntropyLoss expects scores, labels and optional weights");
    if (ctx.num_outputs() < 1 || ctx.num_outputs() > 2)
      throw Error(Stage::Build, "SoftmaxCrossEntropyLoss has one or two outputs");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build,
                  "SoftmaxCrossEntropyLoss does not support " + std::string(dtype_name(dtype_)));
    if (!loss::nll_target_dtype_ok(ctx.input_dtype(1)))
      throw Error(Stage::Build, "labels must be int32 or int64");
    has_weight_ = ctx.has_input(2);
    if (has_weight_ && ctx.input_dtype(2) != dtype_)
      throw Error(Stage::Build, "weights must have the scores' dtype");
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Shape* t = ctx.input_shape(1);
    const Shape* w = has_weight_ ? ctx.input_shape(2) : nullptr;
    if (!x || !t || (has_weight_ && !w)) {
      for (size_t i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_dtype(i, dtype_);
      return;
    }
    ctx.set_output(0, dtype_, loss::nll_output_shape(cfg_, *x, *t, w, Stage::Plan));
    if (ctx.num_outputs() > 1) ctx.set_output(1, dtype_, *x);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& t = ctx.input(1);
    const Tensor* w = has_weight_ ? &ctx.input(2) : nullptr;
    Shape out_shape =
        loss::nll_output_shape(cfg_, x.shape(), t.shape(), w ? &w->shape() : nullptr, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out_shape);
    // log_prob goes to the second output when wanted, else to a scratch tensor.
    Tensor scratch;
    Tensor* logp = nullptr;
    if (ctx.has_output(1)) {
      logp = &output_for(ctx, 1, dtype_, x.shape());
    } else {
      scratch = Tensor(dtype_, x.shape());
      logp = &scratch;
    }
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      log_softmax_axis1<T>(x.shape(), x.data<T>(), logp->data<T>());
      loss::nll_compute<T>(cfg_, logp->data<T>(), x.shape(), t, w ? w->data<T>() : nullptr, y.data<T>());
    });
  }

 private:
  // x laid out [N, C, D]: normalizes along C.
  template <class T>
  static void log_softmax_axis1(const Shape& s, const T* x, T* y) {
    const int64_t N = s[0], C = s[1], D = dims_product(s, 2, s.size());
    std::vector<double> mx(static_cast<size_t>(D)), sum(static_cast<size_t>(D));
    for (int64_t n = 0; n < N; ++n) {
      const T* xn = x + n * C * D;
      T* yn = y + n * C * D;
      std::fill(mx.begin(), mx.end(), -std::numeric_limits<double>::infinity());
      std::fill(sum.begin(), sum.end(), 0.0);
      for (int64_t c = 0; c < C; ++c)
        for (int64_t d = 0; d < D; ++d)
          mx[d] = std::max(mx[d], static_cast<double>(load_elem(xn[c * D + d])));
      for (int64_t c = 0; c < C; ++c)
        for (int64_t d = 0; d < D; ++d)
          sum[d] += std::exp(static_cast<double>(load_elem(xn[c * D + d])) - mx[d]);
      for (int64_t d = 0; d < D; ++d) sum[d] = std::log(sum[d]);
      for (int64_t c = 0; c < C; ++c)
        for (int64_t d = 0; d < D; ++d)
          yn[c * D + d] = store_elem<T>(
              static_cast<compute_t<T>>(static_cast<double>(load_elem(xn[c * D + d])) - mx[d] - sum[d]));
    }
  }

  NllConfig cfg_;
  DType dtype_ = DType::Undefined;
  bool has_weight_ = false;
};

ONNXI_REGISTER_KERNEL("", "SoftmaxCrossEntropyLoss", 12, INT64_MAX, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new SoftmaxCrossEntropyLossKernel(ctx));
});

}  // namespace
}  // namespace onnxi
