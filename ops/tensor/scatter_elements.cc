// ScatterElements (and the deprecated Scatter, opsets 9-10, which is the same op): a copy of
// `data` where, for every coordinate c of `indices`/`updates`, the element at c with
// c[axis] = indices[c] receives updates[c] (stored, or combined per `reduction` from opset
// 16). Updates are applied in order, so duplicate indices with a reduction accumulate.
// Any dtype; int32/int64 indices, negative values counting from the end, all checked first.
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "ops/tensor/scatter_reduction.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class ScatterElementsKernel : public Kernel {
 public:
  explicit ScatterElementsKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 3 || !ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2))
      throw Error(Stage::Build, ctx.node.op_type + " expects 3 inputs");
    dtype_ = ctx.input_dtype(0);
    if (ctx.input_dtype(2) != dtype_)
      throw Error(Stage::Build,
                  "updates have dtype " + dtype_str(ctx.input_dtype(2)) + ", data " + dtype_str(dtype_));
    dispatch_index(ctx.input_dtype(1), Stage::Build, "indices", [](auto) {});
    axis_ = ctx.attrs.get_int("axis", 0);
    reduction_ = scatter_reduction(ctx, dtype_);
  }

  void infer(InferContext& ctx) override {
    const Shape* data = ctx.input_shape(0);
    const Shape* idx = ctx.input_shape(1);
    const Shape* upd = ctx.input_shape(2);
    if (data && idx && upd) {
      resolve_axis(*data, *idx, *upd, Stage::Plan);
      ctx.set_output(0, dtype_, *data);
    } else {
      ctx.set_output_dtype(0, dtype_);
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    const Tensor& upd = ctx.input(2);
    const int64_t axis = resolve_axis(data.shape(), idx.shape(), upd.shape(), Stage::Run);
    const int64_t n = data.shape()[axis];
    Tensor& y = output_for(ctx, 0, dtype_, data.shape());
    dispatch_index(idx.dtype(), Stage::Run, "indices", [&](auto itag) {
      using I = typename decltype(itag)::type;
      const I* ind = static_cast<const I*>(idx.raw_data());
      check_indices(ind, idx.numel(), n);
      copy_elements(data, y);
      if (idx.numel() == 0) return;
      const std::vector<int64_t> ds = strides_of(data.shape());
      std::array<std::vector<int64_t>, 1> st{ds};
      st[0][axis] = 0;
      const int64_t axis_stride = ds[axis];
      dispatch_scatter(dtype_, reduction_, [&](auto tag, auto combine) {
        using T = typename decltype(tag)::type;
        T* dst = elements<T>(y);
        const T* src = elements<T>(upd);
        for_each_row<1>(
            idx.shape(), st, 0, row_count(idx.shape()),
            [&](const std::array<int64_t, 1>& off, int64_t o, int64_t len, const std::array<int64_t, 1>& in) {
              for (int64_t i = 0; i < len; ++i) {
                int64_t k = static_cast<int64_t>(ind[o + i]);
                if (k < 0) k += n;
                combine(dst[off[0] + i * in[0] + k * axis_stride], src[o + i]);
              }
            });
      });
    });
  }

 private:
  int64_t resolve_axis(const Shape& data, const Shape& idx, const Shape& upd, Stage stage) const {
    const int64_t r = static_cast<int64_t>(data.size());
    if (r < 1) throw Error(stage, "data must have rank >= 1");
    if (idx != upd)
      throw Error(stage, "indices " + shape_to_string(idx) + " and updates " + shape_to_string(upd) +
                             " differ in shape");
    if (idx.size() != data.size())
      throw Error(stage, "indices " + shape_to_string(idx) + " and data " + shape_to_string(data) +
                             " differ in rank");
    if (axis_ < -r || axis_ >= r)
      throw Error(stage, "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const int64_t axis = axis_ < 0 ? axis_ + r : axis_;
    for (int64_t d = 0; d < r; ++d)
      if (d != axis && idx[d] > data[d])
        throw Error(stage, "indices " + shape_to_string(idx) + " exceed data " + shape_to_string(data) +
                               " outside the axis");
    return axis;
  }

  DType dtype_ = DType::Undefined;
  int64_t axis_ = 0;
  ScatterReduction reduction_ = ScatterReduction::None;
};

KernelFactory factory() {
  return [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new ScatterElementsKernel(ctx)); };
}

ONNXI_REGISTER_KERNEL("", "Scatter", 9, 10, kRef, factory());
ONNXI_REGISTER_KERNEL("", "ScatterElements", 11, INT64_MAX, kRef, factory());

}  // namespace
}  // namespace onnxi
