// MaxUnpool: the partial inverse of MaxPool. The output (zeros) receives X[i] at flat
// position I[i], where I holds MaxPool's flat (row-major, whole-tensor) argmax indices. Its
// shape is the optional `output_shape` input, or [N, C, (in - 1) * stride + kernel -
// pad_begin - pad_end ...]. Every index is checked against the output size.
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class MaxUnpoolKernel : public Kernel {
 public:
  explicit MaxUnpoolKernel(const BuildContext& ctx) {
    const size_t n = ctx.node.inputs.size();
    if (n < 2 || n > 3 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "MaxUnpool expects 2 or 3 inputs");
    dtype_ = ctx.input_dtype(0);
    if (dtype_size(dtype_) == 0) throw Error(Stage::Build, "MaxUnpool does not support " + dtype_str(dtype_));
    dispatch_index(ctx.input_dtype(1), Stage::Build, "MaxUnpool indices", [](auto) {});
    has_shape_ = ctx.has_input(2);
    if (has_shape_) dispatch_index(ctx.input_dtype(2), Stage::Build, "MaxUnpool output_shape", [](auto) {});
    kernel_ = ctx.attrs.get_ints("kernel_shape");
    if (!ctx.attrs.has("kernel_shape") || kernel_.empty())
      throw Error(Stage::Build, "MaxUnpool needs a 'kernel_shape' attribute");
    const size_t k = kernel_.size();
    strides_ = ctx.attrs.get_ints("strides", std::vector<int64_t>(k, 1));
    pads_ = ctx.attrs.get_ints("pads", std::vector<int64_t>(2 * k, 0));
    if (strides_.size() != k || pads_.size() != 2 * k)
      throw Error(Stage::Build, "MaxUnpool strides and pads do not match kernel_shape");
    const int64_t lim = int64_t(1) << 31;
    for (size_t i = 0; i < k; ++i) {
      if (kernel_[i] < 1 || kernel_[i] > lim || strides_[i] < 1 || strides_[i] > lim)
        throw Error(Stage::Build, "MaxUnpool kernel_shape and strides must be positive");
      if (pads_[i] < 0 || pads_[i] > lim || pads_[i + k] < 0 || pads_[i + k] > lim)
        throw Error(Stage::Build, "MaxUnpool pads must be non-negative");
    }
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* s = has_shape_ ? ctx.input_value(2) : nullptr;
    if (x && (!has_shape_ || s))
      ctx.set_output(0, dtype_, output_shape(*x, s, Stage::Plan));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    if (ind.shape() != x.shape())
      throw Error(Stage::Run, "MaxUnpool indices " + shape_to_string(ind.shape()) + " do not match X " +
                                  shape_to_string(x.shape()));
    const Shape out = output_shape(x.shape(), has_shape_ ? &ctx.input(2) : nullptr, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    const int64_t total = y.numel();
    dispatch_index(ind.dtype(), Stage::Run, "MaxUnpool indices", [&](auto itag) {
      using I = typename decltype(itag)::type;
      const I* ip = static_cast<const I*>(ind.raw_data());
      for (int64_t i = 0; i < ind.numel(); ++i)
        if (ip[i] < 0 || static_cast<int64_t>(ip[i]) >= total)
          throw Error(Stage::Run, "MaxUnpool index " + std::to_string(ip[i]) + " is outside the output's " +
                                      std::to_string(total) + " elements");
      dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
        using S = typename decltype(tag)::type;
        const S* src = elements<S>(x);
        S* dst = elements<S>(y);
        std::fill(dst, dst + total, S{});
        for (int64_t i = 0; i < x.numel(); ++i) dst[ip[i]] = src[i];
      });
    });
  }

 private:
  Shape output_shape(const Shape& x, const Tensor* s, Stage stage) const {
    const size_t k = kernel_.size();
    if (x.size() != k + 2)
      throw Error(stage, "MaxUnpool X " + shape_to_string(x) + " must have rank " + std::to_string(k + 2));
    Shape out;
    if (s) {
      out = read_int_values(*s, "MaxUnpool output_shape", stage);
      if (out.size() != x.size() || out[0] != x[0] || out[1] != x[1])
        throw Error(stage, "MaxUnpool output_shape " + shape_to_string(out) + " does not fit X " +
                               shape_to_string(x));
    } else {
      out = {x[0], x[1]};
      for (size_t i = 0; i < k; ++i) {
        if (x[i + 2] > (int64_t(1) << 31)) throw Error(stage, "MaxUnpool input is too large");
        const int64_t d = (x[i + 2] - 1) * strides_[i] + kernel_[i] - pads_[i] - pads_[i + k];
        if (d < 0) throw Error(stage, "MaxUnpool output dim is negative");
        out.push_back(d);
      }
    }
    checked_output_numel(out, dtype_, stage);
    return out;
  }

  DType dtype_ = DType::Undefined;
  bool has_shape_ = false;
  std::vector<int64_t> kernel_, strides_, pads_;
};

ONNXI_REGISTER_KERNEL("", "MaxUnpool", 9, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new MaxUnpoolKernel(ctx));
});

}  // namespace
}  // namespace onnxi
