// Expand: broadcasts the input numpy-style against `shape` (int64); the output shape is the
// broadcast of both, so it may be larger than `shape`. Any dtype. When `shape` is not a
// constant the output shape is only known at run time; its size is checked before
// allocating.
#include "ops/common/broadcast.h"
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class ExpandKernel : public Kernel {
 public:
  explicit ExpandKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 2 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "Expand expects 2 inputs");
    dtype_ = ctx.input_dtype(0);
    dispatch_index(ctx.input_dtype(1), Stage::Build, "Expand shape", [](auto) {});
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* shape = ctx.input_value(1);
    if (x && shape)
      ctx.set_output(0, dtype_, output_shape(*x, *shape, Stage::Plan));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape out = output_shape(x.shape(), ctx.input(1), Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    if (y.numel() == 0) return;
    const std::array<std::vector<int64_t>, 1> st{broadcast_strides(x.shape(), out)};
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* src = elements<S>(x);
      S* dst = elements<S>(y);
      auto rows = [&](int64_t begin, int64_t end) {
        for_each_row<1>(
            out, st, begin, end,
            [&](const std::array<int64_t, 1>& off, int64_t o, int64_t len, const std::array<int64_t, 1>& in) {
              const S* s = src + off[0];
              if (in[0] == 1)
                std::copy(s, s + len, dst + o);
              else
                std::fill(dst + o, dst + o + len, *s);
            });
      };
      const int64_t n_rows = row_count(out);
      if constexpr (std::is_same_v<S, std::string>)
        rows(0, n_rows);
      else
        parallel_chunks(ctx.threadpool(), n_rows, out.empty() ? 1 : out.back(), rows);
    });
  }

 private:
  Shape output_shape(const Shape& x, const Tensor& shape_t, Stage stage) const {
    const std::vector<int64_t> shape = read_int_values(shape_t, "Expand shape", stage);
    for (int64_t d : shape)
      if (d < 0) throw Error(stage, "Expand shape has a negative dim " + std::to_string(d));
    Shape out = broadcast_shapes(x, Shape(shape));
    checked_output_numel(out, dtype_, stage);
    return out;
  }

  DType dtype_ = DType::Undefined;
};

ONNXI_REGISTER_KERNEL("", "Expand", 8, 13, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new ExpandKernel(ctx)); });

}  // namespace
}  // namespace onnxi
