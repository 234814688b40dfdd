// GatherElements: out[c] = data[c with c[axis] = indices[c]] for every coordinate c of
// `indices` (same rank as data; its dims other than `axis` may not exceed data's). Any
// dtype; int32/int64 indices, negative values counting from the end.
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class GatherElementsKernel : public Kernel {
 public:
  explicit GatherElementsKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 2 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "GatherElements expects 2 inputs");
    dtype_ = ctx.input_dtype(0);
    dispatch_index(ctx.input_dtype(1), Stage::Build, "GatherElements indices", [](auto) {});
    axis_ = ctx.attrs.get_int("axis", 0);
  }

  void infer(InferContext& ctx) override {
    const Shape* data = ctx.input_shape(0);
    const Shape* idx = ctx.input_shape(1);
    if (data && idx) {
      resolve_axis(*data, *idx, Stage::Plan);
      ctx.set_output(0, dtype_, *idx);
    } else {
      ctx.set_output_dtype(0, dtype_);
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    const int64_t axis = resolve_axis(data.shape(), idx.shape(), Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, idx.shape());
    const int64_t n = data.shape()[axis];
    dispatch_index(idx.dtype(), Stage::Run, "GatherElements indices", [&](auto itag) {
      using I = typename decltype(itag)::type;
      const I* ind = static_cast<const I*>(idx.raw_data());
      check_indices(ind, idx.numel(), n);
      if (y.numel() == 0) return;
      dispatch_storage(dtype_, Stage::Run, [&](auto stag) {
        using S = typename decltype(stag)::type;
        const S* src = elements<S>(data);
        S* dst = elements<S>(y);
        for_each_element_index(data.shape(), idx.shape(), axis, ind,
                               [&](int64_t i, int64_t d) { dst[i] = src[d]; });
      });
    });
  }

 private:
  int64_t resolve_axis(const Shape& data, const Shape& idx, Stage stage) const {
    return resolve_elements_axis(axis_, data, idx, stage, "GatherElements ");
  }

  DType dtype_ = DType::Undefined;
  int64_t axis_ = 0;
};

ONNXI_REGISTER_KERNEL("", "GatherElements", 11, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new GatherElementsKernel(ctx));
});

}  // namespace
}  // namespace onnxi
