// ReverseSequence: for each batch entry b (along batch_axis), reverses the first
// sequence_lens[b] elements along time_axis and copies the rest; the two axes are 0 and 1
// in either order. Any dtype; every length is checked against the time dim first.
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class ReverseSequenceKernel : public Kernel {
 public:
  explicit ReverseSequenceKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 2 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "ReverseSequence expects 2 inputs");
    dtype_ = ctx.input_dtype(0);
    dispatch_index(ctx.input_dtype(1), Stage::Build, "ReverseSequence sequence_lens", [](auto) {});
    time_axis_ = ctx.attrs.get_int("time_axis", 0);
    batch_axis_ = ctx.attrs.get_int("batch_axis", 1);
    if (!((time_axis_ == 0 && batch_axis_ == 1) || (time_axis_ == 1 && batch_axis_ == 0)))
      throw Error(Stage::Build, "ReverseSequence time_axis and batch_axis must be 0 and 1 in some order");
  }

  void infer(InferContext& ctx) override {
    if (const Shape* x = ctx.input_shape(0)) {
      check(*x, ctx.input_shape(1), Stage::Plan);
      ctx.set_output(0, dtype_, *x);
    } else {
      ctx.set_output_dtype(0, dtype_);
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& lens_t = ctx.input(1);
    check(x.shape(), &lens_t.shape(), Stage::Run);
    const std::vector<int64_t> lens = read_int_values(lens_t, "ReverseSequence sequence_lens", Stage::Run);
    const int64_t batch = x.shape()[batch_axis_], time = x.shape()[time_axis_];
    for (int64_t l : lens)
      if (l < 0 || l > time)
        throw Error(Stage::Run, "ReverseSequence length " + std::to_string(l) + " is outside [0, " +
                                    std::to_string(time) + "]");
    Tensor& y = output_for(ctx, 0, dtype_, x.shape());
    if (y.numel() == 0) return;
    const int64_t inner = dims_product(x.shape(), 2, x.rank());
    // Element strides of the batch and time axes (one of them is the outer axis).
    const int64_t batch_stride = batch_axis_ == 0 ? x.shape()[1] * inner : inner;
    const int64_t time_stride = time_axis_ == 0 ? x.shape()[1] * inner : inner;
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* src = elements<S>(x);
      S* dst = elements<S>(y);
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t t = 0; t < time; ++t) {
          const int64_t from = t < lens[b] ? lens[b] - 1 - t : t;
          const S* s = src + b * batch_stride + from * time_stride;
          std::copy(s, s + inner, dst + b * batch_stride + t * time_stride);
        }
    });
  }

 private:
  void check(const Shape& x, const Shape* lens, Stage stage) const {
    if (x.size() < 2)
      throw Error(stage, "ReverseSequence input must have rank >= 2, got " + shape_to_string(x));
    if (lens && (lens->size() != 1 || (*lens)[0] != x[batch_axis_]))
      throw Error(stage, "ReverseSequence sequence_lens " + shape_to_string(*lens) +
                             " does not match the batch dim " + std::to_string(x[batch_axis_]));
  }

  DType dtype_ = DType::Undefined;
  int64_t time_axis_ = 0, batch_axis_ = 1;
};

ONNXI_REGISTER_KERNEL("", "ReverseSequence", 10, 28, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new ReverseSequenceKernel(ctx));
});

}  // namespace
}  // namespace onnxi
