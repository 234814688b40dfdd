// The ai.onnx.preview.training optimizers (version 1): Adagrad, Adam and Momentum, one
// update step of n tensors. Inputs are R (learning rate, float/double scalar), T (update
// count, int64 scalar), then the n tensors X, their gradients G, and the optimizer's state
// (Adagrad: H; Adam: V then H; Momentum: V), each group of n in order. Outputs are the new
// X (n), then the new state in the same order. Every G/V/H must have its X's shape, all of
// one float/double dtype; arithmetic is done in double.
//   Adagrad:  r = R / (1 + T * decay_factor); g = norm_coefficient * X + G;
//             H' = H + g^2; X' = X - r * g / (sqrt(H') + epsilon)
//   Adam:     g = norm_coefficient * X + G; V' = alpha V + (1 - alpha) g;
//             H' = beta H + (1 - beta) g^2; r = T > 0 ? R sqrt(1 - beta^T) / (1 - alpha^T) : R;
//             X' = (1 - norm_coefficient_post) * (X - r V' / (sqrt(H') + epsilon))
//   Momentum: g = norm_coefficient * X + G; V' = alpha V + (T > 0 ? beta : 1) g;
//             X' = X - R V' ("standard") or X - R (g + alpha V') ("nesterov")
#include <cmath>

#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

enum class Optimizer { Adagrad, Adam, Momentum };

// Attributes and the step's scalars.
struct OptimizerParams {
  double norm_coefficient = 0, norm_coefficient_post = 0, epsilon = 1e-6, decay_factor = 0;
  double alpha = 0, beta = 0;
  bool nesterov = false;
};

constexpr DTypeSet kOptimizerDTypes = dtype_bit(DType::Float) | dtype_bit(DType::Double);

class OptimizerKernel : public Kernel {
 public:
  OptimizerKernel(const BuildContext& ctx, Optimizer kind) : kind_(kind) {
    name_ = kind == Optimizer::Adagrad ? "Adagrad" : kind == Optimizer::Adam ? "Adam" : "Momentum";
    state_count_ = kind == Optimizer::Adam ? 2 : 1;
    const size_t groups = 2 + state_count_;  // X, G, states
    const size_t in = ctx.node.inputs.size();
    if (in < 2 + groups || (in - 2) % groups != 0)
      throw Error(Stage::Build, name_ + " expects R, T and " + std::to_string(groups) +
                                    " inputs per optimized tensor, got " + std::to_string(in) + " inputs");
    n_ = (in - 2) / groups;
    if (ctx.num_outputs() != n_ * (1 + state_count_))
      throw Error(Stage::Build, name_ + " with " + std::to_string(n_) + " tensors needs " +
                                    std::to_string(n_ * (1 + state_count_)) + " outputs, got " +
                                    std::to_string(ctx.num_outputs()));
    for (size_t i = 0; i < in; ++i)
      if (!ctx.has_input(i)) throw Error(Stage::Build, name_ + " input " + std::to_string(i) + " is missing");
    if (!dtype_in(ctx.input_dtype(0), kOptimizerDTypes))
      throw Error(Stage::Build, name_ + " R must be float or double, got " + std::string(dtype_name(ctx.input_dtype(0))));
    if (ctx.input_dtype(1) != DType::Int64)
      throw Error(Stage::Build, name_ + " T must be int64, got " + std::string(dtype_name(ctx.input_dtype(1))));
    dtype_ = ctx.input_dtype(2);
    if (!dtype_in(dtype_, kOptimizerDTypes))
      throw Error(Stage::Build, name_ + " tensors must be float or double, got " + std::string(dtype_name(dtype_)));
    for (size_t i = 3; i < in; ++i)
      if (ctx.input_dtype(i) != dtype_)
        throw Error(Stage::Build, name_ + " input " + std::to_string(i) + " has dtype " +
                                      std::string(dtype_name(ctx.input_dtype(i))) + ", expected " +
                                      std::string(dtype_name(dtype_)));
    const auto& a = ctx.attrs;
    switch (kind) {
      case Optimizer::Adagrad:
        p_.norm_coefficient = a.get_float("norm_coefficient", 0.0f);
        p_.epsilon = a.get_float("epsilon", 1e-6f);
        p_.decay_factor = a.get_float("decay_factor", 0.0f);
        break;
      case Optimizer::Adam:
        p_.norm_coefficient = a.get_float("norm_coefficient", 0.0f);
        p_.norm_coefficient_post = a.get_float("norm_coefficient_post", 0.0f);
        p_.epsilon = a.get_float("epsilon", 1e-6f);
        p_.alpha = a.get_float("alpha", 0.9f);
        p_.beta = a.get_float("beta", 0.999f);
        break;
      case Optimizer::Momentum: {
        // All four are required.
        p_.norm_coefficient = a.get_float("norm_coefficient");
        p_.alpha = a.get_float("alpha");
        p_.beta = a.get_float("beta");
        const std::string mode = a.get_string("mode");
        if (mode != "standard" && mode != "nesterov")
          throw Error(Stage::Build, "Momentum mode must be 'standard' or 'nesterov', got '" + mode + "'");
        p_.nesterov = mode == "nesterov";
        break;
      }
    }
  }

  void infer(InferContext& ctx) override {
    for (size_t out = 0; out < ctx.num_outputs(); ++out) {
      const size_t x = 2 + out % n_;
      if (const Shape* s = ctx.input_shape(x))
        ctx.set_output(out, dtype_, *s);
      else
        ctx.set_output_dtype(out, dtype_);
    }
  }

  void run(RunContext& ctx) const override {
    const double r = scalar_of(ctx.input(0), "R");
    const Tensor& tt = ctx.input(1);
    if (tt.numel() != 1) throw Error(Stage::Run, name_ + " T must be a scalar, got " + shape_to_string(tt.shape()));
    const int64_t t = tt.data<int64_t>()[0];
    for (size_t i = 0; i < n_; ++i) {
      const Tensor& x = ctx.input(2 + i);
      const Tensor& g = ctx.input(2 + n_ + i);
      const Tensor& s0 = ctx.input(2 + 2 * n_ + i);
      const Tensor* s1 = state_count_ > 1 ? &ctx.input(2 + 3 * n_ + i) : nullptr;
      for (const Tensor* o : {&g, &s0, s1})
        if (o && o->shape() != x.shape())
          throw Error(Stage::Run, name_ + ": tensor " + std::to_string(i) + " has shape " + shape_to_string(x.shape()) +
                                      " but its gradient or state has " + shape_to_string(o->shape()));
      Tensor& x_new = output_for(ctx, i, dtype_, x.shape());
      Tensor& s0_new = output_for(ctx, n_ + i, dtype_, x.shape());
      Tensor* s1_new = s1 ? &output_for(ctx, 2 * n_ + i, dtype_, x.shape()) : nullptr;
      visit_dtype<kOptimizerDTypes>(dtype_, [&](auto tag) {
        using F = typename decltype(tag)::type;
        step<F>(r, t, x, g, s0, s1, x_new, s0_new, s1_new);
      });
    }
  }

 private:
  double scalar_of(const Tensor& v, const char* what) const {
    if (v.numel() != 1)
      throw Error(Stage::Run, name_ + " " + what + " must be a scalar, got " + shape_to_string(v.shape()));
    return v.dtype() == DType::Double ? v.data<double>()[0] : static_cast<double>(v.data<float>()[0]);
  }

  template <class F>
  void step(double r, int64_t t, const Tensor& x, const Tensor& g, const Tensor& s0, const Tensor* s1,
            Tensor& x_new, Tensor& s0_new, Tensor* s1_new) const {
    const F* xp = x.data<F>();
    const F* gp = g.data<F>();
    const F* ap = s0.data<F>();
    F* xo = x_new.data<F>();
    F* ao = s0_new.data<F>();
    const int64_t n = x.numel();
    switch (kind_) {
      case Optimizer::Adagrad: {
        const double lr = r / (1.0 + static_cast<double>(t) * p_.decay_factor);
        for (int64_t i = 0; i < n; ++i) {
          const double gr = p_.norm_coefficient * xp[i] + gp[i];
          const double h = ap[i] + gr * gr;
          ao[i] = static_cast<F>(h);
          xo[i] = static_cast<F>(xp[i] - lr * gr / (std::sqrt(h) + p_.epsilon));
        }
        break;
      }
      case Optimizer::Adam: {
        const F* hp = s1->data<F>();
        F* ho = s1_new->data<F>();
        const double td = static_cast<double>(t);
        const double lr =
            t > 0 ? r * std::sqrt(1.0 - std::pow(p_.beta, td)) / (1.0 - std::pow(p_.alpha, td)) : r;
        for (int64_t i = 0; i < n; ++i) {
          const double gr = p_.norm_coefficient * xp[i] + gp[i];
          const double v = p_.alpha * ap[i] + (1.0 - p_.alpha) * gr;
          const double h = p_.beta * hp[i] + (1.0 - p_.beta) * gr * gr;
          ao[i] = static_cast<F>(v);
          ho[i] = static_cast<F>(h);
          xo[i] = static_cast<F>((1.0 - p_.norm_coefficient_post) * (xp[i] - lr * v / (std::sqrt(h) + p_.epsilon)));
        }
        break;
      }
      case Optimizer::Momentum: {
        const double beta = t > 0 ? p_.beta : 1.0;
        for (int64_t i = 0; i < n; ++i) {
          const double gr = p_.norm_coefficient * xp[i] + gp[i];
          const double v = p_.alpha * ap[i] + beta * gr;
          ao[i] = static_cast<F>(v);
          xo[i] = static_cast<F>(p_.nesterov ? xp[i] - r * (gr + p_.alpha * v) : xp[i] - r * v);
        }
        break;
      }
    }
  }

  Optimizer kind_;
  std::string name_;
  size_t state_count_ = 1, n_ = 0;
  DType dtype_ = DType::Undefined;
  OptimizerParams p_;
};

KernelFactory optimizer_factory(Optimizer kind) {
  return [kind](const BuildContext& ctx) -> std::unique_ptr<Kernel> {
    return std::make_unique<OptimizerKernel>(ctx, kind);
  };
}

ONNXI_REGISTER_KERNEL("ai.onnx.preview.training", "Adagrad", 1, 1, kRef, optimizer_factory(Optimizer::Adagrad));
ONNXI_REGISTER_KERNEL("ai.onnx.preview.training", "Adam", 1, 1, kRef, optimizer_factory(Optimizer::Adam));
ONNXI_REGISTER_KERNEL("ai.onnx.preview.training", "Momentum", 1, 1, kRef, optimizer_factory(Optimizer::Momentum));

}  // namespace
}  // namespace onnxi
