// CenterCropPad (opset 18): crops or zero-pads the dims named by `axes` (all dims when
// absent; negative axes count from the end, no repeats) to the lengths of the `shape` input
// (int32/int64, one per axis), keeping the content centred. A crop window starts at
// floor((dim - n) / 2); padding puts floor((n - dim) / 2) before and the rest after. Any
// dtype with storage.
#include "ops/common/kernel_util.h"
#include "ops/tensor/dim_map_copy.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class CenterCropPadKernel : public Kernel {
 public:
  explicit CenterCropPadKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "CenterCropPad expects input_data and shape inputs");
    dtype_ = ctx.input_dtype(0);
    dispatch_storage(dtype_, Stage::Build, [](auto) {});
    dispatch_index(ctx.input_dtype(1), Stage::Build, "CenterCropPad shape", [](auto) {});
    if (ctx.attrs.has("axes")) axes_ = ctx.attrs.get_ints("axes");
    has_axes_ = ctx.attrs.has("axes");
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* sh = ctx.input_value(1);
    if (x && sh)
      ctx.set_output(0, dtype_, output_shape(*x, *sh, Stage::Plan));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape out = output_shape(x.shape(), ctx.input(1), Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    std::vector<std::vector<int64_t>> map(out.size());
    for (size_t d = 0; d < out.size(); ++d) {
      const int64_t dim = x.shape()[d], n = out[d];
      // Source index of output 0: the crop start, or minus the padding before.
      const int64_t start = dim >= n ? (dim - n) / 2 : -((n - dim) / 2);
      map[d].resize(static_cast<size_t>(n));
      for (int64_t c = 0; c < n; ++c) {
        const int64_t s = c + start;
        map[d][c] = s >= 0 && s < dim ? s : -1;
      }
    }
    copy_through_dim_maps(x, y, map, nullptr);
  }

 private:
  Shape output_shape(const Shape& x, const Tensor& shape_t, Stage stage) const {
    const int64_t r = static_cast<int64_t>(x.size());
    const std::vector<int64_t> lens = read_int_values(shape_t, "CenterCropPad shape", stage);
    std::vector<int64_t> axes = axes_;
    if (!has_axes_)
      for (int64_t d = 0; d < r; ++d) axes.push_back(d);
    if (lens.size() != axes.size())
      throw Error(stage, "CenterCropPad shape has " + std::to_string(lens.size()) + " values for " +
                             std::to_string(axes.size()) + " axes");
    Shape out = x;
    std::vector<bool> seen(x.size(), false);
    for (size_t i = 0; i < axes.size(); ++i) {
      if (axes[i] < -r || axes[i] >= r)
        throw Error(stage, "CenterCropPad axis " + std::to_string(axes[i]) + " is out of range for rank " +
                               std::to_string(r));
      const size_t a = static_cast<size_t>(axes[i] < 0 ? axes[i] + r : axes[i]);
      if (seen[a]) throw Error(stage, "CenterCropPad axes name dim " + std::to_string(a) + " twice");
      seen[a] = true;
      if (lens[i] < 0) throw Error(stage, "CenterCropPad shape values must be >= 0, got " + std::to_string(lens[i]));
      out[a] = lens[i];
    }
    checked_output_numel(out, dtype_, stage);
    return out;
  }

  DType dtype_ = DType::Undefined;
  bool has_axes_ = false;
  std::vector<int64_t> axes_;
};

ONNXI_REGISTER_KERNEL("", "CenterCropPad", 18, 18, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new CenterCropPadKernel(ctx));
});

}  // namespace
}  // namespace onnxi
