// NegativeLogLikelihoodLoss (opset 12, 13): loss[n, d] = -input[n, target[n, d], d] *
// weight[target[n, d]], zero where target == ignore_index; reduced by none / sum / mean
// (mean divides by the summed weights of the targets not ignored).
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/loss/nll_common.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

using loss::NllConfig;

class NllLossKernel : public Kernel {
 public:
  explicit NllLossKernel(const BuildContext& ctx) : cfg_(loss::read_nll_config(ctx)) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.node.inputs.size() > 3)
      throw Error(Stage::Build, "NegativeLogLikelihoodLoss expects input, target and an optional weight");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build,
                  "NegativeLogLikelihoodLoss does not support " + std::string(dtype_name(dtype_)));
    if (!loss::nll_target_dtype_ok(ctx.input_dtype(1)))
      throw Error(Stage::Build, "target must be int32 or int64");
    has_weight_ = ctx.has_input(2);
    if (has_weight_ && ctx.input_dtype(2) != dtype_)
      throw Error(Stage::Build, "weight must have the input's dtype");
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Shape* t = ctx.input_shape(1);
    const Shape* w = has_weight_ ? ctx.input_shape(2) : nullptr;
    if (!x || !t || (has_weight_ && !w)) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    ctx.set_output(0, dtype_, loss::nll_output_shape(cfg_, *x, *t, w, Stage::Plan));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& t = ctx.input(1);
    const Tensor* w = has_weight_ ? &ctx.input(2) : nullptr;
    Shape out_shape =
        loss::nll_output_shape(cfg_, x.shape(), t.shape(), w ? &w->shape() : nullptr, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out_shape);
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      loss::nll_compute<T>(cfg_, x.data<T>(), x.shape(), t, w ? w->data<T>() : nullptr, y.data<T>());
    });
  }

 private:
  NllConfig cfg_;
  DType dtype_ = DType::Undefined;
  bool has_weight_ = false;
};

ONNXI_REGISTER_KERNEL("", "NegativeLogLikelihoodLoss", 12, INT64_MAX, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new NllLossKernel(ctx));
});

}  // namespace
}  // namespace onnxi
