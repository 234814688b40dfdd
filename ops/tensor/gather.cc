// Gather: takes the slices of `data` along `axis` that `indices` (int32/int64, negative
// values counting from the end) name; output shape data[:axis] + indices + data[axis+1:].
// Any dtype, including strings. Every index is checked before anything is copied.
#include "ops/common/broadcast.h"
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class GatherKernel : public Kernel {
 public:
  explicit GatherKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 2 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "Gather expects 2 inputs");
    dtype_ = ctx.input_dtype(0);
    dispatch_index(ctx.input_dtype(1), Stage::Build, "Gather indices", [](auto) {});
    axis_ = ctx.attrs.get_int("axis", 0);
  }

  void infer(InferContext& ctx) override {
    const Shape* data = ctx.input_shape(0);
    const Shape* idx = ctx.input_shape(1);
    if (data && idx)
      ctx.set_output(0, dtype_, output_shape(*data, *idx, nullptr, Stage::Plan));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    int64_t axis = 0;
    Shape out_shape = output_shape(data.shape(), idx.shape(), &axis, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out_shape);
    const int64_t outer = dims_product(data.shape(), 0, static_cast<size_t>(axis));
    const int64_t n = data.shape()[axis];
    const int64_t inner = dims_product(data.shape(), static_cast<size_t>(axis) + 1, data.rank());
    const int64_t count = idx.numel();
    dispatch_index(idx.dtype(), Stage::Run, "Gather indices", [&](auto itag) {
      using I = typename decltype(itag)::type;
      const I* ind = static_cast<const I*>(idx.raw_data());
      check_indices(ind, count, n);
      if (y.numel() == 0) return;
      dispatch_storage(dtype_, Stage::Run, [&](auto stag) {
        using S = typename decltype(stag)::type;
        const S* src = elements<S>(data);
        S* dst = elements<S>(y);
        // One task per (outer, index) pair, each copying `inner` elements.
        auto copy = [&](int64_t begin, int64_t end) {
          for (int64_t t = begin; t < end; ++t) {
            const int64_t o = t / count, j = t % count;
            int64_t k = static_cast<int64_t>(ind[j]);
            if (k < 0) k += n;
            const S* s = src + (o * n + k) * inner;
            S* d = dst + t * inner;
            if (inner == 1)
              *d = *s;
            else
              std::copy(s, s + inner, d);
          }
        };
        if constexpr (std::is_same_v<S, std::string>)
          copy(0, outer * count);
        else
          parallel_chunks(ctx.threadpool(), outer * count, inner, copy);
      });
    });
  }

 private:
  Shape output_shape(const Shape& data, const Shape& idx, int64_t* axis_out, Stage stage) const {
    const int64_t r = static_cast<int64_t>(data.size());
    if (r < 1) throw Error(stage, "Gather data must have rank >= 1");
    if (axis_ < -r || axis_ >= r)
      throw Error(stage,
                  "Gather axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const int64_t axis = axis_ < 0 ? axis_ + r : axis_;
    Shape out(data.begin(), data.begin() + axis);
    out.insert(out.end(), idx.begin(), idx.end());
    out.insert(out.end(), data.begin() + axis + 1, data.end());
    if (axis_out) *axis_out = axis;
    return out;
  }

  DType dtype_ = DType::Undefined;
  int64_t axis_ = 0;
};

ONNXI_REGISTER_KERNEL("", "Gather", 1, 13, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new GatherKernel(ctx)); });

}  // namespace
}  // namespace onnxi
