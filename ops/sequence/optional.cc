// Optional, OptionalHasElement, OptionalGetElement (opset 15+). An optional with a value
// is the value itself (a tensor or sequence); an empty one is Tensor::none.
// - Optional(input?): the input, or (without one) an empty optional of the `type`
//   attribute's type.
// - OptionalHasElement(input): bool scalar (from opset 18 the input may be omitted: false).
// - OptionalGetElement(input): the value; an error for an empty optional (from opset 18 a
//   plain tensor or sequence input is returned as is, which is what happens anyway).
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

// The element type and kind of a TypeProto attribute as the loader describes it:
// "tensor(float32)" or "seq(tensor(float32))" (sparse tensors as tensors).
std::pair<DType, Tensor::Kind> parse_type(const std::string& type) {
  std::string s = type;
  Tensor::Kind kind = Tensor::Kind::Tensor;
  auto strip = [&](const std::string& prefix) {
    if (s.rfind(prefix, 0) != 0 || s.empty() || s.back() != ')') return false;
    s = s.substr(prefix.size(), s.size() - prefix.size() - 1);
    return true;
  };
  if (strip("seq(")) kind = Tensor::Kind::Sequence;
  if (!strip("tensor(") && !strip("sparse_tensor("))
    throw Error(Stage::Build, "Optional type '" + type + "' is not a tensor or sequence of tensors type");
  auto dt = dtype_from_name(s);
  if (!dt || *dt == DType::Undefined)
    throw Error(Stage::Build, "Optional type '" + type + "' has an unknown element type");
  return {*dt, kind};
}

// The value an optional holds, as an output: tensors are copied (the input may be an
// arena view or a constant the caller must not alias); sequences are shared.
Tensor detached_value(const Tensor& t) { return t.is_tensor() ? t.clone() : t; }

class OptionalKernel : public Kernel {
 public:
  explicit OptionalKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() > 1) throw Error(Stage::Build, "Optional takes at most 1 input");
    has_input_ = ctx.has_input(0);
    const Attribute* type = ctx.node.find_attribute("type");
    if (type && type->kind != Attribute::Kind::TypeProto)
      throw Error(Stage::Build, "Optional attribute 'type' must be a type");
    if (has_input_) {
      dtype_ = ctx.input_dtype(0);
      if (type) {
        DType declared = parse_type(type->s).first;
        if (declared != dtype_)
          throw Error(Stage::Build,
                      "Optional input is " + std::string(dtype_name(dtype_)) + " but 'type' says " + type->s);
      }
    } else {
      if (!type) throw Error(Stage::Build, "Optional without an input needs the 'type' attribute");
      std::tie(dtype_, kind_) = parse_type(type->s);
    }
  }
  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, dtype_); }
  void run(RunContext& ctx) const override {
    ctx.set_output(0, has_input_ ? detached_value(ctx.input(0)) : Tensor::none(dtype_, kind_));
  }

 private:
  bool has_input_ = false;
  DType dtype_ = DType::Undefined;
  Tensor::Kind kind_ = Tensor::Kind::Tensor;
};

class OptionalHasElementKernel : public Kernel {
 public:
  explicit OptionalHasElementKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() > 1 || (ctx.opset < 18 && !ctx.has_input(0)))
      throw Error(Stage::Build, "OptionalHasElement expects 1 input");
  }
  void infer(InferContext& ctx) override { ctx.set_output(0, DType::Bool, {}); }
  void run(RunContext& ctx) const override {
    bool has = ctx.has_input(0) && !ctx.input(0).is_none();
    output_for(ctx, 0, DType::Bool, {}).data<bool>()[0] = has;
  }
};

class OptionalGetElementKernel : public Kernel {
 public:
  explicit OptionalGetElementKernel(const BuildContext& ctx) : dtype_(ctx.input_dtype(0)) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "OptionalGetElement expects 1 input");
    if (dtype_ == DType::Undefined)
      throw Error(Stage::Build, "OptionalGetElement: the input's element type is unknown");
  }
  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, dtype_); }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.is_none()) throw Error(Stage::Run, "OptionalGetElement: the optional is empty");
    ctx.set_output(0, detached_value(x));
  }

 private:
  DType dtype_;
};

ONNXI_REGISTER_KERNEL("", "Optional", 15, 28, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new OptionalKernel(ctx));
});
ONNXI_REGISTER_KERNEL("", "OptionalHasElement", 15, 28, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new OptionalHasElementKernel(ctx));
});
ONNXI_REGISTER_KERNEL("", "OptionalGetElement", 15, 28, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new OptionalGetElementKernel(ctx));
});

}  // namespace
}  // namespace onnxi
