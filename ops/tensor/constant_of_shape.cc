// ConstantOfShape: a tensor of the shape given by the 1-D int64 input (empty: a scalar),
// filled with the one-element `value` attribute (default float32 0). The output shape
// depends on the input's value; its size is checked before allocating.
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class ConstantOfShapeKernel : public Kernel {
 public:
  explicit ConstantOfShapeKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "ConstantOfShape expects 1 input");
    dispatch_index(ctx.input_dtype(0), Stage::Build, "ConstantOfShape input", [](auto) {});
    if (const Tensor* v = ctx.attrs.get_tensor("value")) {
      if (!v->is_tensor() || v->numel() != 1)
        throw Error(Stage::Build, "ConstantOfShape value must hold one element");
      if (v->dtype() != DType::String && dtype_size(v->dtype()) == 0)
        throw Error(Stage::Build, "ConstantOfShape does not support " + dtype_str(v->dtype()));
      value_ = *v;
    } else {
      value_ = Tensor::scalar<float>(0.0f);
    }
  }

  void infer(InferContext& ctx) override {
    if (const Tensor* s = ctx.input_value(0))
      ctx.set_output(0, value_.dtype(), output_shape(*s, Stage::Plan));
    else
      ctx.set_output_dtype(0, value_.dtype());
  }

  void run(RunContext& ctx) const override {
    Tensor& y = output_for(ctx, 0, value_.dtype(), output_shape(ctx.input(0), Stage::Run));
    dispatch_storage(value_.dtype(), Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      S* dst = elements<S>(y);
      std::fill(dst, dst + y.numel(), elements<S>(value_)[0]);
    });
  }

 private:
  Shape output_shape(const Tensor& s, Stage stage) const {
    Shape out = read_int_values(s, "ConstantOfShape input", stage);
    checked_output_numel(out, value_.dtype(), stage);
    return out;
  }

  Tensor value_;
};

ONNXI_REGISTER_KERNEL("", "ConstantOfShape", 9, 25, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new ConstantOfShapeKernel(ctx));
});

}  // namespace
}  // namespace onnxi
