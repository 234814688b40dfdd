// Compress: keeps the slices along `axis` (or the elements of the flattened input when there
// is no axis) whose entry in the 1-D bool `condition` is true, like numpy.compress. The
// condition may be shorter than the dim (missing entries count as false); a true entry past
// the end is an error. The output shape depends on the condition's values.
#include <optional>

#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class CompressKernel : public Kernel {
 public:
  explicit CompressKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 2 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "Compress expects 2 inputs");
    dtype_ = ctx.input_dtype(0);
    if (ctx.input_dtype(1) != DType::Bool)
      throw Error(Stage::Build, "Compress condition must be bool, got " + dtype_str(ctx.input_dtype(1)));
    if (ctx.attrs.has("axis")) {
      axis_ = ctx.attrs.get_int("axis");
      if (*axis_ < 0 && ctx.opset < 11)
        throw Error(Stage::Build, "Compress axis must be >= 0 before opset 11");
    }
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* cond = ctx.input_value(1);
    if (x && cond)
      ctx.set_output(0, dtype_, plan(*x, *cond, nullptr, Stage::Plan));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& cond = ctx.input(1);
    std::vector<int64_t> keep;
    const Shape out = plan(x.shape(), cond, &keep, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    if (y.numel() == 0) return;
    int64_t outer = 1, n = x.numel(), inner = 1;
    if (axis_) {
      const size_t axis = static_cast<size_t>(*axis_ < 0 ? *axis_ + static_cast<int64_t>(x.rank()) : *axis_);
      outer = dims_product(x.shape(), 0, axis);
      n = x.shape()[axis];
      inner = dims_product(x.shape(), axis + 1, x.rank());
    }
    const int64_t kept = static_cast<int64_t>(keep.size());
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* src = elements<S>(x);
      S* dst = elements<S>(y);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < kept; ++j) {
          const S* s = src + (o * n + keep[j]) * inner;
          std::copy(s, s + inner, dst + (o * kept + j) * inner);
        }
    });
  }

 private:
  // Output shape; *keep (when given) receives the kept positions along the axis.
  Shape plan(const Shape& x, const Tensor& cond, std::vector<int64_t>* keep, Stage stage) const {
    if (cond.rank() != 1)
      throw Error(stage, "Compress condition must be 1-D, got " + shape_to_string(cond.shape()));
    const int64_t r = static_cast<int64_t>(x.size());
    int64_t n = shape_numel(x);
    int64_t axis = -1;
    if (axis_) {
      if (*axis_ < -r || *axis_ >= r)
        throw Error(stage, "Compress axis " + std::to_string(*axis_) + " is out of range for rank " +
                               std::to_string(r));
      axis = *axis_ < 0 ? *axis_ + r : *axis_;
      n = x[axis];
    }
    const bool* c = static_cast<const bool*>(cond.raw_data());
    int64_t count = 0;
    for (int64_t i = 0; i < cond.numel(); ++i) {
      if (!c[i]) continue;
      if (i >= n)
        throw Error(stage, "Compress condition selects index " + std::to_string(i) + " of a dim of size " +
                               std::to_string(n));
      ++count;
      if (keep) keep->push_back(i);
    }
    if (axis < 0) return Shape{count};
    Shape out = x;
    out[axis] = count;
    return out;
  }

  DType dtype_ = DType::Undefined;
  std::optional<int64_t> axis_;
};

ONNXI_REGISTER_KERNEL("", "Compress", 9, 28, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new CompressKernel(ctx));
});

}  // namespace
}  // namespace onnxi
