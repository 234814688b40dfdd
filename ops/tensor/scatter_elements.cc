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
    dtype_ = check_scatter_inputs(ctx, "indices");
    axis_ = ctx.attrs.get_int("axis", 0);
    reduction_ = scatter_reduction(ctx, dtype_);
  }

  void infer(InferContext& ctx) override {
    infer_scatter(ctx, dtype_, [&](const Shape& d, const Shape& i, const Shape& u, Stage st) {
      resolve_axis(d, i, u, st);
    });
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
      dispatch_scatter(dtype_, reduction_, [&](auto tag, auto combine) {
        using T = typename decltype(tag)::type;
        T* dst = elements<T>(y);
        const T* src = elements<T>(upd);
        for_each_element_index(data.shape(), idx.shape(), axis, ind,
                               [&](int64_t i, int64_t d) { combine(dst[d], src[i]); });
      });
    });
  }

 private:
  int64_t resolve_axis(const Shape& data, const Shape& idx, const Shape& upd, Stage stage) const {
    if (data.empty()) throw Error(stage, "data must have rank >= 1");
    if (idx != upd)
      throw Error(stage, "indices " + shape_to_string(idx) + " and updates " + shape_to_string(upd) +
                             " differ in shape");
    return resolve_elements_axis(axis_, data, idx, stage, "");
  }

  DType dtype_ = DType::Undefined;
  int64_t axis_ = 0;
  ScatterReduction reduction_ = ScatterReduction::None;
};

KernelFactory factory() {
  return [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new ScatterElementsKernel(ctx)); };
}

// Scatter 11 is ONNX's deprecated schema (use ScatterElements): not registered.
ONNXI_REGISTER_KERNEL("", "Scatter", 9, 9, kRef, factory());
ONNXI_REGISTER_KERNEL("", "ScatterElements", 11, 18, kRef, factory());

}  // namespace
}  // namespace onnxi
