// Constant: the node's single value attribute as a tensor. `value` (all opsets), and from
// opset 12 value_float(s), value_int(s) (int64) and value_string(s). sparse_value is not
// supported and says so.
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

Tensor constant_value(const BuildContext& ctx) {
  static const char* const kForms[] = {"value",      "value_float",  "value_floats",  "value_int",
                                       "value_ints", "value_string", "value_strings", "sparse_value"};
  const char* form = nullptr;
  for (const char* f : kForms) {
    if (!ctx.attrs.has(f)) continue;
    if (form) throw Error(Stage::Build, std::string("Constant has both '") + form + "' and '" + f + "'");
    form = f;
  }
  if (!form) throw Error(Stage::Build, "Constant has no value attribute");
  const std::string f = form;
  if (f == "sparse_value") throw Error(Stage::Build, "Constant with sparse_value is not supported");
  if (f != "value" && ctx.opset < 12)
    throw Error(Stage::Build,
                "Constant attribute '" + f + "' needs opset 12, model has " + std::to_string(ctx.opset));
  const auto& a = ctx.attrs;
  if (f == "value") {
    const Tensor* t = a.get_tensor("value");
    if (!t || !t->defined()) throw Error(Stage::Build, "Constant 'value' is empty");
    return *t;
  }
  if (f == "value_float") return Tensor::scalar<float>(a.get_float(f));
  if (f == "value_int") return Tensor::scalar<int64_t>(a.get_int(f));
  if (f == "value_string") return Tensor::scalar<std::string>(a.get_string(f));
  if (f == "value_floats") {
    auto v = a.get_floats(f);
    return Tensor::from_vector<float>(v, {static_cast<int64_t>(v.size())});
  }
  if (f == "value_ints") {
    auto v = a.get_ints(f);
    return Tensor::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())});
  }
  auto v = a.get_strings(f);
  return Tensor::from_vector<std::string>(v, {static_cast<int64_t>(v.size())});
}

class ConstantKernel : public Kernel {
 public:
  explicit ConstantKernel(const BuildContext& ctx) : value_(constant_value(ctx)) {
    if (!ctx.node.inputs.empty()) throw Error(Stage::Build, "Constant takes no inputs");
  }
  void infer(InferContext& ctx) override { ctx.set_output(0, value_.dtype(), value_.shape()); }
  void run(RunContext& ctx) const override {
    copy_elements(value_, output_for(ctx, 0, value_.dtype(), value_.shape()));
  }
  // Moves whole storage (copy_elements copies nbytes), so packed 4/2-bit tensors are fine.
  bool handles_packed_dtypes() const override { return true; }

 private:
  Tensor value_;
};

ONNXI_REGISTER_KERNEL("", "Constant", 1, 25, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new ConstantKernel(ctx));
});

}  // namespace
}  // namespace onnxi
