// Where: out = condition ? X : Y elementwise, the three inputs numpy-broadcast together.
// Condition is bool; X and Y any matching dtype, including strings.
#include "ops/common/broadcast.h"
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class WhereKernel : public Kernel {
 public:
  explicit WhereKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 3 || !ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2))
      throw Error(Stage::Build, "Where expects 3 inputs");
    if (ctx.input_dtype(0) != DType::Bool)
      throw Error(Stage::Build, "Where condition must be bool, got " + dtype_str(ctx.input_dtype(0)));
    dtype_ = ctx.input_dtype(1);
    if (ctx.input_dtype(2) != dtype_)
      throw Error(Stage::Build, "Where X and Y differ in dtype: " + dtype_str(dtype_) + " and " +
                                    dtype_str(ctx.input_dtype(2)));
  }

  void infer(InferContext& ctx) override {
    const Shape* c = ctx.input_shape(0);
    const Shape* x = ctx.input_shape(1);
    const Shape* y = ctx.input_shape(2);
    if (c && x && y)
      ctx.set_output(0, dtype_, broadcast_shapes(broadcast_shapes(*c, *x), *y));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& c = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& yv = ctx.input(2);
    const Shape out = broadcast_shapes(broadcast_shapes(c.shape(), x.shape()), yv.shape());
    Tensor& o = output_for(ctx, 0, dtype_, out);
    if (o.numel() == 0) return;
    const std::array<std::vector<int64_t>, 3> st{broadcast_strides(c.shape(), out),
                                                 broadcast_strides(x.shape(), out),
                                                 broadcast_strides(yv.shape(), out)};
    const bool* cond = static_cast<const bool*>(c.raw_data());
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* a = elements<S>(x);
      const S* b = elements<S>(yv);
      S* dst = elements<S>(o);
      auto rows = [&](int64_t begin, int64_t end) {
        for_each_row<3>(out, st, begin, end,
                        [&](const std::array<int64_t, 3>& off, int64_t oo, int64_t len,
                            const std::array<int64_t, 3>& in) {
                          const bool* pc = cond + off[0];
                          const S* pa = a + off[1];
                          const S* pb = b + off[2];
                          S* pd = dst + oo;
                          if (in[0] == 1 && in[1] == 1 && in[2] == 1) {
                            for (int64_t i = 0; i < len; ++i) pd[i] = pc[i] ? pa[i] : pb[i];
                          } else {
                            for (int64_t i = 0; i < len; ++i)
                              pd[i] = pc[i * in[0]] ? pa[i * in[1]] : pb[i * in[2]];
                          }
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
  DType dtype_ = DType::Undefined;
};

ONNXI_REGISTER_KERNEL("", "Where", 9, 16, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new WhereKernel(ctx)); });

}  // namespace
}  // namespace onnxi
