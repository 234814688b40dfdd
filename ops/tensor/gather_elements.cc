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
        const std::vector<int64_t> ds = strides_of(data.shape());
        // Operand 0 walks data with the axis stride zeroed (the index supplies it).
        std::array<std::vector<int64_t>, 1> st{ds};
        st[0][axis] = 0;
        const int64_t axis_stride = ds[axis];
        for_each_row<1>(
            idx.shape(), st, 0, row_count(idx.shape()),
            [&](const std::array<int64_t, 1>& off, int64_t o, int64_t len, const std::array<int64_t, 1>& in) {
              for (int64_t i = 0; i < len; ++i) {
                int64_t k = static_cast<int64_t>(ind[o + i]);
                if (k < 0) k += n;
                dst[o + i] = src[off[0] + i * in[0] + k * axis_stride];
              }
            });
      });
    });
  }

 private:
  int64_t resolve_axis(const Shape& data, const Shape& idx, Stage stage) const {
    const int64_t r = static_cast<int64_t>(data.size());
    if (r < 1) throw Error(stage, "GatherElements data must have rank >= 1");
    if (idx.size() != data.size())
      throw Error(stage, "GatherElements indices " + shape_to_string(idx) + " and data " +
                             shape_to_string(data) + " differ in rank");
    if (axis_ < -r || axis_ >= r)
      throw Error(stage, "GatherElements axis " + std::to_string(axis_) + " is out of range for rank " +
                             std::to_string(r));
    const int64_t axis = axis_ < 0 ? axis_ + r : axis_;
    for (int64_t d = 0; d < r; ++d)
      if (d != axis && idx[d] > data[d])
        throw Error(stage, "GatherElements indices " + shape_to_string(idx) + " exceed data " +
                               shape_to_string(data) + " outside the axis");
    return axis;
  }

  DType dtype_ = DType::Undefined;
  int64_t axis_ = 0;
};

ONNXI_REGISTER_KERNEL("", "GatherElements", 11, INT64_MAX, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new GatherElementsKernel(ctx));
});

}  // namespace
}  // namespace onnxi
