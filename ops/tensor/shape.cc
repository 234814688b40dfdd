// Shape: the input's dims as a 1-D int64 tensor; opset 15 adds start/end (negative values
// count from the end; both are clamped to [0, rank]).
#include <algorithm>
#include <optional>

#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class ShapeKernel : public Kernel {
 public:
  explicit ShapeKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0)) throw Error(Stage::Build, "Shape expects 1 input");
    if (ctx.opset >= 15) {
      start_ = ctx.attrs.get_int("start", 0);
      if (ctx.attrs.has("end")) end_ = ctx.attrs.get_int("end");
    }
  }
  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0)) {
      auto [b, e] = range(s->size());
      ctx.set_output(0, DType::Int64, {e - b});
    } else {
      ctx.set_output_dtype(0, DType::Int64);
    }
  }
  void run(RunContext& ctx) const override {
    const Shape& s = ctx.input(0).shape();
    auto [b, e] = range(s.size());
    Tensor& y = output_for(ctx, 0, DType::Int64, {e - b});
    int64_t* out = y.data<int64_t>();
    for (int64_t i = b; i < e; ++i) out[i - b] = s[i];
  }
  // Only the input's shape is read: the planner may evaluate Shape once the shape is known.
  bool needs_input_data(size_t) const override { return false; }
  bool handles_packed_dtypes() const override { return true; }

 private:
  std::pair<int64_t, int64_t> range(size_t rank) const {
    const int64_t r = static_cast<int64_t>(rank);
    auto clamp = [r](int64_t v) { return std::clamp(v < 0 ? v + r : v, int64_t{0}, r); };
    int64_t b = clamp(start_), e = end_ ? clamp(*end_) : r;
    return {b, std::max(b, e)};
  }
  int64_t start_ = 0;
  std::optional<int64_t> end_;
};

ONNXI_REGISTER_KERNEL("", "Shape", 1, 25, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new ShapeKernel(ctx)); });

}  // namespace
}  // namespace onnxi
