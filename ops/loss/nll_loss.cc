// NegativeLogLikelihoodLoss (opset 12, 13): loss[n, d] = -input[n, target[n, d], d] *
// weight[target[n, d]], zero where target == ignore_index; reduced by none / sum / mean
// (mean divides by the summed weights of the targets not ignored).
#include "ops/common/dtype_dispatch.h"
#include "ops/loss/nll_common.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class NllLossKernel : public loss::NllKernelBase {
 public:
  explicit NllLossKernel(const BuildContext& ctx)
      : NllKernelBase(ctx, {"NegativeLogLikelihoodLoss",
                            "NegativeLogLikelihoodLoss expects input, target and an optional weight",
                            "target", "weight must have the input's dtype"}) {}

  void infer(InferContext& ctx) override { infer_loss(ctx); }

  void run(RunContext& ctx) const override {
    Tensor& y = loss_output(ctx);
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      compute_loss<T>(ctx, ctx.input(0).data<T>(), y);
    });
  }
};

ONNXI_REGISTER_KERNEL("", "NegativeLogLikelihoodLoss", 12, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new NllLossKernel(ctx));
});

}  // namespace
}  // namespace onnxi
