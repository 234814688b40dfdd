// The transformer activations: Gelu (ai.onnx 20; exact erf form, or the tanh
// approximation), Swish (24; x * sigmoid(alpha * x)) and SwiGLU (28; Swish_alpha(A) * B
// for A and B of one shape, no broadcasting). Float and the 16-bit formats compute in
// float, double in double.
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

enum class Act { GeluErf, GeluTanh, Swish, SwiGlu };

template <class C>
C sigmoid(C x) {
  if (x >= C(0)) return C(1) / (C(1) + std::exp(-x));
  const C e = std::exp(x);
  return e / (C(1) + e);
}

template <class C>
C activate(Act act, C x, C alpha) {
  switch (act) {
    case Act::GeluErf:
      return C(0.5) * x * std::erfc(-x * static_cast<C>(M_SQRT1_2));  // 1 + erf(z), without its cancellation
    case Act::GeluTanh: {
      const C k = static_cast<C>(0.79788456080286535588);  // sqrt(2 / pi)
      return C(0.5) * x * (C(1) + std::tanh(k * (x + C(0.044715) * x * x * x)));
    }
    case Act::Swish:
    case Act::SwiGlu:
      return x * sigmoid(alpha * x);
  }
  return x;
}

class ActivationKernel final : public Kernel {
 public:
  ActivationKernel(std::string op, Act act, DType t, float alpha) : op_(std::move(op)), act_(act), t_(t), alpha_(alpha) {}

  void infer(InferContext& ctx) override {
    const Shape* a = ctx.input_shape(0);
    const Shape* b = act_ == Act::SwiGlu ? ctx.input_shape(1) : nullptr;
    if (a && b) check_same(*a, *b, Stage::Plan);
    if (a)
      ctx.set_output(0, t_, *a);
    else
      ctx.set_output_dtype(0, t_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor* gate_b = act_ == Act::SwiGlu ? &ctx.input(1) : nullptr;
    if (gate_b) check_same(x.shape(), gate_b->shape(), Stage::Run);
    visit_dtype<kFloatDTypes>(t_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_t<T>;
      const T* xd = x.data<T>();
      const T* bd = gate_b ? gate_b->data<T>() : nullptr;
      T* yd = ctx.output(0).data<T>();
      const C alpha = static_cast<C>(alpha_);
      parallel_chunks(ctx.threadpool(), x.numel(), 16, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
          C y = activate<C>(act_, load_elem(xd[i]), alpha);
          if (bd) y *= load_elem(bd[i]);
          yd[i] = store_elem<T>(y);
        }
      });
    });
  }

 private:
  void check_same(const Shape& a, const Shape& b, Stage stage) const {
    if (a != b)
      throw Error(stage, op_ + " needs A and B of one shape (no broadcasting), got " + shape_to_string(a) + " and " +
                             shape_to_string(b));
  }

  std::string op_;
  Act act_;
  DType t_;
  float alpha_;
};

std::unique_ptr<Kernel> make_activation(const BuildContext& ctx) {
  const std::string& op = ctx.node.op_type;
  const size_t inputs = op == "SwiGLU" ? 2 : 1;
  if (ctx.node.inputs.size() != inputs || !ctx.has_input(0) || (inputs == 2 && !ctx.has_input(1)))
    throw Error(Stage::Build, op + " takes " + std::to_string(inputs) + " input" + (inputs == 2 ? "s" : ""));
  if (ctx.num_outputs() != 1) throw Error(Stage::Build, op + " has one output");
  const DType t = ctx.input_dtype(0);
  if (!dtype_in(t, kFloatDTypes))
    throw Error(Stage::Build, op + " needs float, double, float16 or bfloat16 input, got " +
                                  std::string(dtype_name(t)));
  if (inputs == 2 && ctx.input_dtype(1) != t) throw Error(Stage::Build, op + " needs A and B of one dtype");
  Act act = Act::Swish;
  float alpha = 1.0f;
  if (op == "Gelu") {
    const std::string approx = ctx.attrs.get_string("approximate", "none");
    if (approx != "none" && approx != "tanh")
      throw Error(Stage::Build, "Gelu approximate must be \"none\" or \"tanh\", got \"" + approx + "\"");
    act = approx == "tanh" ? Act::GeluTanh : Act::GeluErf;
  } else {
    alpha = ctx.attrs.get_float("alpha", 1.0f);
    if (!std::isfinite(alpha)) throw Error(Stage::Build, op + " alpha must be finite");
    act = op == "SwiGLU" ? Act::SwiGlu : Act::Swish;
  }
  return std::make_unique<ActivationKernel>(op, act, t, alpha);
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "Gelu", 20, 20, kRef, make_activation);
ONNXI_REGISTER_KERNEL("", "Swish", 24, 24, kRef, make_activation);
ONNXI_REGISTER_KERNEL("", "SwiGLU", 28, 28, kRef, make_activation);

}  // namespace onnxi
