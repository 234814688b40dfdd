// Tile: repeats the input `repeats[d]` times along each dim d (numpy.tile without
// broadcasting). Opset 1 instead takes scalar `tiles` and `axis` inputs and repeats along
// that one axis. Output sizes are checked before anything is allocated.
#include <optional>

#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class TileKernel : public Kernel {
 public:
  explicit TileKernel(const BuildContext& ctx) : opset_(ctx.opset) {
    const size_t want = ctx.opset < 6 ? 3 : 2;
    if (ctx.node.inputs.size() != want)
      throw Error(Stage::Build, "Tile expects " + std::to_string(want) + " inputs");
    for (size_t i = 0; i < want; ++i)
      if (!ctx.has_input(i)) throw Error(Stage::Build, "Tile input " + std::to_string(i) + " is missing");
    dtype_ = ctx.input_dtype(0);
    for (size_t i = 1; i < want; ++i)
      dispatch_index(ctx.input_dtype(i), Stage::Build, "Tile repeats", [](auto) {});
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* reps = ctx.input_value(1);
    const Tensor* axis = opset_ < 6 ? ctx.input_value(2) : nullptr;
    if (!x || !reps || (opset_ < 6 && !axis)) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    ctx.set_output(0, dtype_, output_shape(*x, repeats(*x, *reps, axis, Stage::Plan), Stage::Plan));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<int64_t> reps =
        repeats(x.shape(), ctx.input(1), opset_ < 6 ? &ctx.input(2) : nullptr, Stage::Run);
    const Shape out = output_shape(x.shape(), reps, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    if (y.numel() == 0) return;
    const size_t r = out.size();
    if (r == 0) {
      copy_elements(x, y);
      return;
    }
    const std::vector<int64_t> xs = strides_of(x.shape());
    const int64_t in_row = x.shape()[r - 1];
    const int64_t rows = row_count(out);
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* src = elements<S>(x);
      S* dst = elements<S>(y);
      std::vector<int64_t> idx(r - 1, 0);
      for (int64_t rw = 0; rw < rows; ++rw) {
        int64_t off = 0;
        for (size_t d = 0; d + 1 < r; ++d) off += (idx[d] % x.shape()[d]) * xs[d];
        S* o = dst + rw * out[r - 1];
        for (int64_t k = 0; k < reps[r - 1]; ++k) std::copy(src + off, src + off + in_row, o + k * in_row);
        for (size_t d = r - 1; d-- > 0;) {
          if (++idx[d] < out[d]) break;
          idx[d] = 0;
        }
      }
    });
  }

 private:
  // Repeats per dim (opset 1: `tiles` along `axis`, 1 elsewhere).
  std::vector<int64_t> repeats(const Shape& x, const Tensor& reps, const Tensor* axis_t, Stage stage) const {
    const int64_t r = static_cast<int64_t>(x.size());
    std::vector<int64_t> v;
    if (opset_ < 6) {
      std::vector<int64_t> tiles = read_int_values(reps, "Tile tiles", stage);
      std::vector<int64_t> axis = read_int_values(*axis_t, "Tile axis", stage);
      if (tiles.size() != 1 || axis.size() != 1) throw Error(stage, "Tile tiles and axis must be scalars");
      if (axis[0] < -r || axis[0] >= r)
        throw Error(
            stage, "Tile axis " + std::to_string(axis[0]) + " is out of range for rank " + std::to_string(r));
      v.assign(x.size(), 1);
      v[axis[0] < 0 ? axis[0] + r : axis[0]] = tiles[0];
    } else {
      v = read_int_values(reps, "Tile repeats", stage);
      if (static_cast<int64_t>(v.size()) != r)
        throw Error(stage, "Tile has " + std::to_string(v.size()) + " repeats for rank " + std::to_string(r));
    }
    for (int64_t k : v)
      if (k < 0) throw Error(stage, "Tile repeats must be >= 0, got " + std::to_string(k));
    return v;
  }

  Shape output_shape(const Shape& x, const std::vector<int64_t>& reps, Stage stage) const {
    Shape out(x.size());
    for (size_t d = 0; d < x.size(); ++d) {
      if (x[d] != 0 && reps[d] > INT64_MAX / x[d]) throw Error(stage, "Tile output is too large");
      out[d] = x[d] * reps[d];
    }
    checked_output_numel(out, dtype_, stage);
    return out;
  }

  DType dtype_ = DType::Undefined;
  int64_t opset_;
};

ONNXI_REGISTER_KERNEL("", "Tile", 1, 13, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new TileKernel(ctx)); });

}  // namespace
}  // namespace onnxi
