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

class SoftmaxCrossEntropyLossKernel : public loss::NllKernelBase {
 public:
  explicit SoftmaxCrossEntropyLossKernel(const BuildContext& ctx)
      : NllKernelBase(ctx, {"SoftmaxCrossEntropyLoss",
                            "SoftmaxCrossEntropyLoss expects scores, labels and optional weights", "labels",
                            "weights must have the scores' dtype"}) {
    if (ctx.num_outputs() < 1 || ctx.num_outputs() > 2)
      throw Error(Stage::Build, "SoftmaxCrossEntropyLoss has one or two outputs");
  }

  void infer(InferContext& ctx) override {
    const Shape* x = infer_loss(ctx);
    if (x && ctx.num_outputs() > 1) ctx.set_output(1, dtype_, *x);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = loss_output(ctx);
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
      compute_loss<T>(ctx, logp->data<T>(), y);
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
};

ONNXI_REGISTER_KERNEL("", "SoftmaxCrossEntropyLoss", 12, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new SoftmaxCrossEntropyLossKernel(ctx));
});

}  // namespace
}  // namespace onnxi
