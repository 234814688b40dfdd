// Size: the input's element count as an int64 scalar. Only the input's shape is read, so the
// planner may evaluate it as soon as the shape is known (needs_input_data).
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class SizeKernel : public Kernel {
 public:
  explicit SizeKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0)) throw Error(Stage::Build, "Size expects 1 input");
  }
  void infer(InferContext& ctx) override { ctx.set_output(0, DType::Int64, {}); }
  void run(RunContext& ctx) const override {
    Tensor& y = output_for(ctx, 0, DType::Int64, {});
    y.data<int64_t>()[0] = ctx.input(0).numel();
  }
  bool needs_input_data(size_t) const override { return false; }
  bool handles_packed_dtypes() const override { return true; }
};

ONNXI_REGISTER_KERNEL("", "Size", 1, 25, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new SizeKernel(ctx)); });

}  // namespace
}  // namespace onnxi
