// ScatterND: a copy of `data` [D...] where each k-tuple of `indices` [M..., k] names the
// slice data[i0..ik-1, ...] that receives the matching slice of `updates` [M..., D[k:]]
// (stored, or combined per `reduction` from opset 16), in order. Any dtype; int64 (or
// int32) indices, negative values counting from the end, all checked before any update.
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "ops/tensor/scatter_reduction.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class ScatterNdKernel : public Kernel {
 public:
  explicit ScatterNdKernel(const BuildContext& ctx) {
    dtype_ = check_scatter_inputs(ctx, "ScatterND indices");
    reduction_ = scatter_reduction(ctx, dtype_);
  }

  void infer(InferContext& ctx) override {
    infer_scatter(ctx, dtype_, [&](const Shape& d, const Shape& i, const Shape& u, Stage st) {
      check_shapes(d, i, u, st);
    });
  }

  void run(RunContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    const Tensor& upd = ctx.input(2);
    check_shapes(data.shape(), idx.shape(), upd.shape(), Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, data.shape());
    const int64_t k = idx.shape().back();
    const int64_t tuples = dims_product(idx.shape(), 0, idx.rank() - 1);
    const int64_t slice = dims_product(data.shape(), static_cast<size_t>(k), data.rank());
    const std::vector<int64_t> ds = strides_of(data.shape());
    std::vector<int64_t> offsets(static_cast<size_t>(tuples));
    dispatch_index(idx.dtype(), Stage::Run, "ScatterND indices", [&](auto itag) {
      using I = typename decltype(itag)::type;
      const I* ind = static_cast<const I*>(idx.raw_data());
      for (int64_t t = 0; t < tuples; ++t) {
        int64_t off = 0;
        for (int64_t j = 0; j < k; ++j)
          off += resolve_index(static_cast<int64_t>(ind[t * k + j]), data.shape()[j]) * ds[j];
        offsets[t] = off;
      }
    });
    copy_elements(data, y);
    if (slice == 0 || tuples == 0) return;
    dispatch_scatter(dtype_, reduction_, [&](auto tag, auto combine) {
      using T = typename decltype(tag)::type;
      T* dst = elements<T>(y);
      const T* src = elements<T>(upd);
      for (int64_t t = 0; t < tuples; ++t)
        for (int64_t i = 0; i < slice; ++i) combine(dst[offsets[t] + i], src[t * slice + i]);
    });
  }

 private:
  static void check_shapes(const Shape& data, const Shape& idx, const Shape& upd, Stage stage) {
    const int64_t r = static_cast<int64_t>(data.size()), q = static_cast<int64_t>(idx.size());
    if (r < 1 || q < 1) throw Error(stage, "ScatterND data and indices must have rank >= 1");
    const int64_t k = idx.back();
    if (k < 1 || k > r)
      throw Error(stage, "ScatterND indices' last dim " + std::to_string(k) + " must be in [1, " +
                             std::to_string(r) + "]");
    Shape want(idx.begin(), idx.end() - 1);
    want.insert(want.end(), data.begin() + k, data.end());
    if (upd != want)
      throw Error(stage, "ScatterND updates have shape " + shape_to_string(upd) + ", expected " +
                             shape_to_string(want));
  }

  DType dtype_ = DType::Undefined;
  ScatterReduction reduction_ = ScatterReduction::None;
};

ONNXI_REGISTER_KERNEL("", "ScatterND", 11, 18, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new ScatterNdKernel(ctx));
});

}  // namespace
}  // namespace onnxi
