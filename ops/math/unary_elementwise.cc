// Unary elementwise ops: activations (Relu LeakyRelu Sigmoid Tanh Elu Selu Celu
// HardSigmoid HardSwish Softplus Softsign ThresholdedRelu), math (Abs Neg Exp Log Sqrt
// Reciprocal Floor Ceil Round Sign Erf Shrink, trigonometric and hyperbolic), Not, BitwiseNot,
// IsNaN, IsInf,
// and Clip.
//
// One table (kUnaryOps) maps each op to its dtypes, attribute defaults, reference function
// and, where XNNPACK has the op, an f32 create function; every XNNPACK unary operator
// shares the same setup signature. Tensors are treated as flat: XNNPACK gets channels=1
// and batch=numel, which it runs as one contiguous vector.
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <type_traits>

#include "ops/common/broadcast.h"
#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/common/wrap_arith.h"
#include "ops/xnnpack/provider.h"
#include "ops/xnnpack/xnn_operator_holder.h"
#include "ops/xnnpack/xnn_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

struct UnaryParams {
  float alpha = 0, beta = 0, gamma = 0;
  bool detect_positive = true, detect_negative = true;  // IsInf
  float lambd = 0.5f, bias = 0.0f;                      // Shrink
};

// ---- scalar functions (C is the compute type) ----

struct ReluOp {
  static constexpr DTypeSet kTypes = kSignedDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    return x < C(0) ? C(0) : x;
  }
};
struct LeakyReluOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams& p) {
    return x < C(0) ? x * C(p.alpha) : x;
  }
};
struct SigmoidOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    if (x >= C(0)) return C(1) / (C(1) + std::exp(-x));
    C e = std::exp(x);
    return e / (C(1) + e);
  }
};
struct TanhOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    return std::tanh(x);
  }
};
struct EluOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams& p) {
    return x < C(0) ? C(p.alpha) * std::expm1(x) : x;
  }
};
struct SeluOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams& p) {
    return C(p.gamma) * (x <= C(0) ? C(p.alpha) * std::expm1(x) : x);
  }
};
struct CeluOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams& p) {
    return x < C(0) ? C(p.alpha) * std::expm1(x / C(p.alpha)) : x;
  }
};
struct HardSigmoidOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams& p) {
    C v = C(p.alpha) * x + C(p.beta);
    return v < C(0) ? C(0) : (v > C(1) ? C(1) : v);
  }
};
struct HardSwishOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    C v = x / C(6) + C(0.5);
    return x * (v < C(0) ? C(0) : (v > C(1) ? C(1) : v));
  }
};
struct SoftplusOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    // log(1 + e^x) without overflow for large x.
    return x > C(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
};
struct SoftsignOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    return x / (C(1) + std::fabs(x));
  }
};
struct ThresholdedReluOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams& p) {
    return x > C(p.alpha) ? x : C(0);
  }
};
struct AbsOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    if constexpr (std::is_floating_point_v<C>)
      return std::fabs(x);
    else if constexpr (std::is_signed_v<C>)
      return x < 0 ? wrap_sub(C(0), x) : x;
    else
      return x;
  }
};
struct NegOp {
  static constexpr DTypeSet kTypes = kSignedDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    if constexpr (std::is_floating_point_v<C>)
      return -x;
    else
      return wrap_sub(C(0), x);
  }
};
struct SignOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    if constexpr (std::is_unsigned_v<C>)
      return x > 0 ? C(1) : C(0);
    else
      return x > C(0) ? C(1) : (x < C(0) ? C(-1) : x);  // keeps 0 and NaN
  }
};
struct ReciprocalOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    return C(1) / x;
  }
};
struct ErfOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    if constexpr (std::is_floating_point_v<C>)
      return std::erf(x);
    else
      return convert_value<C>(std::erf(static_cast<double>(x)));
  }
};
struct RoundOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    return std::nearbyint(x);  // the default rounding mode rounds halves to even
  }
};
struct ShrinkOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C x, const UnaryParams& p) {
    // Compared and shifted in double so integer inputs see the float lambd/bias exactly.
    const double v = static_cast<double>(x);
    if (v < -p.lambd) return convert_value<C>(v + p.bias);
    if (v > p.lambd) return convert_value<C>(v - p.bias);
    return C(0);
  }
};
struct NotOp {
  static constexpr DTypeSet kTypes = kBoolDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    return !x;
  }
};
struct BitwiseNotOp {
  static constexpr DTypeSet kTypes = kIntDTypes;
  template <class C>
  static C apply(C x, const UnaryParams&) {
    return static_cast<C>(~x);
  }
};
struct IsNaNOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static bool apply(C x, const UnaryParams&) {
    return std::isnan(x);
  }
};
struct IsInfOp {
  static constexpr DTypeSet kTypes = kFloatDTypes;
  template <class C>
  static bool apply(C x, const UnaryParams& p) {
    return std::isinf(x) && (x > C(0) ? p.detect_positive : p.detect_negative);
  }
};

// Float-only ops that are one <cmath> call.
#define ONNXI_CMATH_OP(Name, fn)                     \
  struct Name {                                      \
    static constexpr DTypeSet kTypes = kFloatDTypes; \
    template <class C>                               \
    static C apply(C x, const UnaryParams&) {        \
      return std::fn(x);                             \
    }                                                \
  };
ONNXI_CMATH_OP(ExpOp, exp)
ONNXI_CMATH_OP(LogOp, log)
ONNXI_CMATH_OP(SqrtOp, sqrt)
ONNXI_CMATH_OP(FloorOp, floor)
ONNXI_CMATH_OP(CeilOp, ceil)
ONNXI_CMATH_OP(SinOp, sin)
ONNXI_CMATH_OP(CosOp, cos)
ONNXI_CMATH_OP(TanOp, tan)
ONNXI_CMATH_OP(AsinOp, asin)
ONNXI_CMATH_OP(AcosOp, acos)
ONNXI_CMATH_OP(AtanOp, atan)
ONNXI_CMATH_OP(SinhOp, sinh)
ONNXI_CMATH_OP(CoshOp, cosh)
ONNXI_CMATH_OP(AsinhOp, asinh)
ONNXI_CMATH_OP(AcoshOp, acosh)
ONNXI_CMATH_OP(AtanhOp, atanh)
#undef ONNXI_CMATH_OP

// ---- reference loop ----

using UnaryRefFn = void (*)(DType, const void*, void*, int64_t, const UnaryParams&, pthreadpool_t);

template <class Op>
void ref_unary(DType t, const void* in, void* out, int64_t n, const UnaryParams& prm, pthreadpool_t pool) {
  bool ok = visit_dtype<Op::kTypes>(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = compute_t<T>;
    using R = decltype(Op::template apply<C>(std::declval<C>(), prm));
    using O = std::conditional_t<std::is_same_v<R, bool>, bool, T>;
    const T* x = static_cast<const T*>(in);
    O* y = static_cast<O*>(out);
    parallel_chunks(pool, n, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        if constexpr (std::is_same_v<O, bool>)
          y[i] = Op::template apply<C>(load_elem(x[i]), prm);
        else
          y[i] = store_elem<T>(Op::template apply<C>(load_elem(x[i]), prm));
      }
    });
  });
  if (!ok) throw Error(Stage::Run, "unsupported dtype " + std::string(dtype_name(t)));
}

// ---- the table ----

struct XnnUnaryFns {
  xnn_status (*create)(const UnaryParams&, xnn_operator_t*);  // nullptr: no XNNPACK op
  xnn_status (*setup)(xnn_operator_t, size_t, const float*, float*, pthreadpool_t);
  bool (*accepts)(const UnaryParams&);  // nullptr: any parameters
};

struct UnaryOpSpec {
  const char* name;
  DTypeSet dtypes;
  bool bool_out;
  UnaryParams defaults;  // alpha/beta/gamma attribute defaults
  UnaryRefFn ref;
  XnnUnaryFns xnn;
};

template <class Op>
constexpr bool returns_bool = std::is_same_v<decltype(Op::template apply<float>(0.f, UnaryParams{})), bool>;

// clang-format off
#define ONNXI_UNARY(Name, defaults, ...) \
  { #Name, Name##Op::kTypes, returns_bool<Name##Op>, defaults, &ref_unary<Name##Op>, __VA_ARGS__ }
// XNNPACK unary operators without parameters.
#define ONNXI_XNN_PLAIN(create_fn, setup_fn) \
  { [](const UnaryParams&, xnn_operator_t* op) { return create_fn(1, 1, 1, 0, op); }, &setup_fn, nullptr }
// clang-format on

constexpr UnaryParams kNoParams{};

const UnaryOpSpec kUnaryOps[] = {
    // No XNNPACK Relu: its clamp gives 0 for a NaN (see Clip below).
    ONNXI_UNARY(Relu, kNoParams, {}),
    ONNXI_UNARY(LeakyRelu, (UnaryParams{0.01f}),
                {[](const UnaryParams& p, xnn_operator_t* op) {
                   return xnn_create_leaky_relu_nc_f32(1, 1, 1, p.alpha, 0, op);
                 },
                 &xnn_setup_leaky_relu_nc_f32, [](const UnaryParams& p) { return std::isfinite(p.alpha); }}),
    ONNXI_UNARY(Sigmoid, kNoParams, ONNXI_XNN_PLAIN(xnn_create_sigmoid_nc_f32, xnn_setup_sigmoid_nc_f32)),
    ONNXI_UNARY(Tanh, kNoParams, {}),
    ONNXI_UNARY(Elu, (UnaryParams{1.0f}),
                {[](const UnaryParams& p, xnn_operator_t* op) {
                   return xnn_create_elu_nc_f32(1, 1, 1, p.alpha, 0, op);
                 },
                 &xnn_setup_elu_nc_f32,
                 [](const UnaryParams& p) { return p.alpha > 0.0f && std::isnormal(p.alpha); }}),
    ONNXI_UNARY(Selu, (UnaryParams{1.67326319217681884765625f, 0, 1.05070102214813232421875f}), {}),
    ONNXI_UNARY(Celu, (UnaryParams{1.0f}), {}),
    ONNXI_UNARY(HardSigmoid, (UnaryParams{0.2f, 0.5f}), {}),
    ONNXI_UNARY(HardSwish, kNoParams,
                ONNXI_XNN_PLAIN(xnn_create_hardswish_nc_f32, xnn_setup_hardswish_nc_f32)),
    ONNXI_UNARY(Softplus, kNoParams, {}),
    ONNXI_UNARY(Softsign, kNoParams, {}),
    ONNXI_UNARY(ThresholdedRelu, (UnaryParams{1.0f}), {}),
    ONNXI_UNARY(Abs, kNoParams, ONNXI_XNN_PLAIN(xnn_create_abs_nc_f32, xnn_setup_abs_nc_f32)),
    ONNXI_UNARY(Neg, kNoParams, ONNXI_XNN_PLAIN(xnn_create_negate_nc_f32, xnn_setup_negate_nc_f32)),
    ONNXI_UNARY(Sign, kNoParams, {}),
    ONNXI_UNARY(Exp, kNoParams, {}),
    ONNXI_UNARY(Log, kNoParams, {}),
    ONNXI_UNARY(Sqrt, kNoParams,
                ONNXI_XNN_PLAIN(xnn_create_square_root_nc_f32, xnn_setup_square_root_nc_f32)),
    ONNXI_UNARY(Reciprocal, kNoParams, {}),
    ONNXI_UNARY(Floor, kNoParams, ONNXI_XNN_PLAIN(xnn_create_floor_nc_f32, xnn_setup_floor_nc_f32)),
    ONNXI_UNARY(Ceil, kNoParams, ONNXI_XNN_PLAIN(xnn_create_ceiling_nc_f32, xnn_setup_ceiling_nc_f32)),
    ONNXI_UNARY(Round, kNoParams,
                ONNXI_XNN_PLAIN(xnn_create_bankers_rounding_nc_f32, xnn_setup_bankers_rounding_nc_f32)),
    ONNXI_UNARY(Erf, kNoParams, {}),
    ONNXI_UNARY(Sin, kNoParams, {}),
    ONNXI_UNARY(Cos, kNoParams, {}),
    ONNXI_UNARY(Tan, kNoParams, {}),
    ONNXI_UNARY(Asin, kNoParams, {}),
    ONNXI_UNARY(Acos, kNoParams, {}),
    ONNXI_UNARY(Atan, kNoParams, {}),
    ONNXI_UNARY(Sinh, kNoParams, {}),
    ONNXI_UNARY(Cosh, kNoParams, {}),
    ONNXI_UNARY(Asinh, kNoParams, {}),
    ONNXI_UNARY(Acosh, kNoParams, {}),
    ONNXI_UNARY(Atanh, kNoParams, {}),
    ONNXI_UNARY(Shrink, kNoParams, {}),
    ONNXI_UNARY(Not, kNoParams, {}),
    ONNXI_UNARY(BitwiseNot, kNoParams, {}),
    ONNXI_UNARY(IsNaN, kNoParams, {}),
    ONNXI_UNARY(IsInf, kNoParams, {}),
};
#undef ONNXI_UNARY
#undef ONNXI_XNN_PLAIN

const UnaryOpSpec& find_unary(const std::string& name) {
  for (const auto& s : kUnaryOps)
    if (name == s.name) return s;
  throw Error(Stage::Build, "no unary op spec for " + name);
}

// ---- kernels ----

class UnaryRefKernel : public Kernel {
 public:
  UnaryRefKernel(const UnaryOpSpec& spec, const BuildContext& ctx) : spec_(spec) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, std::string(spec.name) + " expects 1 input");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, spec.dtypes))
      throw Error(Stage::Build, std::string(spec.name) + " does not support " +
                                    std::string(dtype_name(dtype_)) +
                                    " (supported: " + dtype_set_names(spec.dtypes) + ")");
    params_ = spec.defaults;
    params_.alpha = ctx.attrs.get_float("alpha", params_.alpha);
    params_.beta = ctx.attrs.get_float("beta", params_.beta);
    params_.gamma = ctx.attrs.get_float("gamma", params_.gamma);
    params_.detect_positive = ctx.attrs.get_int("detect_positive", 1) != 0;
    params_.detect_negative = ctx.attrs.get_int("detect_negative", 1) != 0;
    params_.lambd = ctx.attrs.get_float("lambd", params_.lambd);
    params_.bias = ctx.attrs.get_float("bias", params_.bias);
    if (std::string(spec.name) == "Celu" && params_.alpha == 0.0f)
      throw Error(Stage::Build, "Celu alpha must be non-zero");
  }

  void infer(InferContext& ctx) override {
    DType out = spec_.bool_out ? DType::Bool : dtype_;
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, out, *s);
    else
      ctx.set_output_dtype(0, out);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, spec_.bool_out ? DType::Bool : dtype_, x.shape());
    spec_.ref(dtype_, x.raw_data(), y.raw_data(), x.numel(), params_, ctx.threadpool());
  }

  const UnaryParams& params() const { return params_; }

 protected:
  const UnaryOpSpec& spec_;
  DType dtype_ = DType::Undefined;
  UnaryParams params_;
};

// f32 through an XNNPACK unary operator: the calling context's (made by `create_fn` on
// its first run), set up per run for the flat element count.
template <class CreateFn>
void run_xnn_unary(XnnOperatorHolder& op, const CreateFn& create_fn,
                   xnn_status (*setup)(xnn_operator_t, size_t, const float*, float*, pthreadpool_t),
                   const Tensor& x, Tensor& y, pthreadpool_t pool, const char* what) {
  if (!op) check_xnn(create_fn(op.out()), what);
  if (x.numel() == 0) return;
  check_xnn(setup(op.get(), static_cast<size_t>(x.numel()), x.data<float>(), y.data<float>(), pool), what);
  check_xnn(xnn_run_operator(op.get(), pool), what);
}

class UnaryXnnKernel : public UnaryRefKernel {
 public:
  using UnaryRefKernel::UnaryRefKernel;
  void prepare(PrepareContext&) override { ensure_xnnpack_initialized(); }
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<XnnOpState>(); }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, DType::Float, x.shape());
    run_xnn_unary(
        ctx.state<XnnOpState>().op, [this](xnn_operator_t* op) { return spec_.xnn.create(params_, op); },
        spec_.xnn.setup, x, y, ctx.threadpool(), spec_.name);
  }
};

KernelFactory unary_factory(const char* name, bool xnnpack) {
  return [name, xnnpack](const BuildContext& ctx) -> std::unique_ptr<Kernel> {
    const UnaryOpSpec& spec = find_unary(name);
    if (!xnnpack) return std::make_unique<UnaryRefKernel>(spec, ctx);
    if (!spec.xnn.create || ctx.input_dtype(0) != DType::Float) return nullptr;
    auto k = std::make_unique<UnaryXnnKernel>(spec, ctx);
    if (spec.xnn.accepts && !spec.xnn.accepts(k->params())) return nullptr;
    return k;
  };
}

#define ONNXI_REGISTER_UNARY_REF(op, since, until) \
  ONNXI_REGISTER_KERNEL("", op, since, until, kRef, unary_factory(op, false))
#define ONNXI_REGISTER_UNARY_XNN(op, since, until) \
  ONNXI_REGISTER_KERNEL("", op, since, until, kXnnpack, unary_factory(op, true))

ONNXI_REGISTER_UNARY_XNN("LeakyRelu", 1, 16);
ONNXI_REGISTER_UNARY_XNN("Sigmoid", 1, 13);
ONNXI_REGISTER_UNARY_XNN("Elu", 1, 22);
ONNXI_REGISTER_UNARY_XNN("HardSwish", 14, 22);
ONNXI_REGISTER_UNARY_XNN("Abs", 1, 13);
ONNXI_REGISTER_UNARY_XNN("Neg", 1, 13);
ONNXI_REGISTER_UNARY_XNN("Sqrt", 1, 13);
ONNXI_REGISTER_UNARY_XNN("Floor", 1, 13);
ONNXI_REGISTER_UNARY_XNN("Ceil", 1, 13);
ONNXI_REGISTER_UNARY_XNN("Round", 11, 22);

ONNXI_REGISTER_UNARY_REF("Relu", 1, 14);
ONNXI_REGISTER_UNARY_REF("LeakyRelu", 1, 16);
ONNXI_REGISTER_UNARY_REF("Sigmoid", 1, 13);
ONNXI_REGISTER_UNARY_REF("Tanh", 1, 13);
ONNXI_REGISTER_UNARY_REF("Elu", 1, 22);
ONNXI_REGISTER_UNARY_REF("Selu", 6, 22);  // not 1: its alpha/gamma defaults differ (1.6732, 1.0507)
ONNXI_REGISTER_UNARY_REF("Celu", 12, 28);
ONNXI_REGISTER_UNARY_REF("HardSigmoid", 1, 22);
ONNXI_REGISTER_UNARY_REF("HardSwish", 14, 22);
ONNXI_REGISTER_UNARY_REF("Softplus", 1, 22);
ONNXI_REGISTER_UNARY_REF("Softsign", 1, 22);
ONNXI_REGISTER_UNARY_REF("ThresholdedRelu", 10, 22);
ONNXI_REGISTER_UNARY_REF("Abs", 1, 13);
ONNXI_REGISTER_UNARY_REF("Neg", 1, 13);
ONNXI_REGISTER_UNARY_REF("Sign", 9, 13);
ONNXI_REGISTER_UNARY_REF("Exp", 1, 13);
ONNXI_REGISTER_UNARY_REF("Log", 1, 13);
ONNXI_REGISTER_UNARY_REF("Sqrt", 1, 13);
ONNXI_REGISTER_UNARY_REF("Reciprocal", 1, 13);
ONNXI_REGISTER_UNARY_REF("Floor", 1, 13);
ONNXI_REGISTER_UNARY_REF("Ceil", 1, 13);
ONNXI_REGISTER_UNARY_REF("Round", 11, 22);
ONNXI_REGISTER_UNARY_REF("Erf", 9, 13);
ONNXI_REGISTER_UNARY_REF("Sin", 7, 22);
ONNXI_REGISTER_UNARY_REF("Cos", 7, 22);
ONNXI_REGISTER_UNARY_REF("Tan", 7, 22);
ONNXI_REGISTER_UNARY_REF("Asin", 7, 22);
ONNXI_REGISTER_UNARY_REF("Acos", 7, 22);
ONNXI_REGISTER_UNARY_REF("Atan", 7, 22);
ONNXI_REGISTER_UNARY_REF("Sinh", 9, 22);
ONNXI_REGISTER_UNARY_REF("Cosh", 9, 22);
ONNXI_REGISTER_UNARY_REF("Asinh", 9, 22);
ONNXI_REGISTER_UNARY_REF("Acosh", 9, 22);
ONNXI_REGISTER_UNARY_REF("Atanh", 9, 22);
ONNXI_REGISTER_UNARY_REF("Shrink", 9, 9);
ONNXI_REGISTER_UNARY_REF("Not", 1, 1);
ONNXI_REGISTER_UNARY_REF("IsNaN", 9, 20);
ONNXI_REGISTER_UNARY_REF("IsInf", 10, 20);
ONNXI_REGISTER_KERNEL("", "BitwiseNot", 18, 18, kRef, unary_factory("BitwiseNot", false));

// ---- Clip ----
// Opset < 11: `min`/`max` attributes. From 11: optional `min`/`max` scalar inputs, which
// may only be known at run time. XNNPACK's clamp needs f32 bounds known at build time
// with min < max.

class ClipRefKernel : public Kernel {
 public:
  explicit ClipRefKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0)) throw Error(Stage::Build, "Clip expects an input");
    dtype_ = ctx.input_dtype(0);
    DTypeSet allowed = ctx.opset < 12 ? kFloatDTypes : kNumericDTypes;
    if (!dtype_in(dtype_, allowed))
      throw Error(Stage::Build, "Clip does not support " + std::string(dtype_name(dtype_)) + " at opset " +
                                    std::to_string(ctx.opset));
    if (ctx.opset < 11) {
      attr_form_ = true;
      if (ctx.attrs.has("min")) lo_ = ctx.attrs.get_float("min");
      if (ctx.attrs.has("max")) hi_ = ctx.attrs.get_float("max");
      return;
    }
    if (ctx.node.inputs.size() > 3) throw Error(Stage::Build, "Clip expects at most 3 inputs");
    for (size_t i = 1; i < 3; ++i) {
      if (!ctx.has_input(i)) continue;
      if (ctx.input_dtype(i) != dtype_)
        throw Error(Stage::Build, "Clip bound " + std::to_string(i) + " has dtype " +
                                      std::string(dtype_name(ctx.input_dtype(i))) + ", expected " +
                                      std::string(dtype_name(dtype_)));
      if (const Tensor* t = ctx.constant_input(i))
        (i == 1 ? lo_ : hi_) = bound_value(*t, Stage::Build);
      else
        bounds_known_ = false;
    }
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, dtype_, *s);
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, dtype_, x.shape());
    visit_dtype<kNumericDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_t<T>;
      C lo = std::numeric_limits<C>::lowest(), hi = std::numeric_limits<C>::max();
      if (attr_form_) {
        if (lo_) lo = static_cast<C>(*lo_);
        if (hi_) hi = static_cast<C>(*hi_);
      } else {
        if (ctx.has_input(1)) lo = load_elem(scalar_of<T>(ctx.input(1)));
        if (ctx.has_input(2)) hi = load_elem(scalar_of<T>(ctx.input(2)));
      }
      const T* px = x.data<T>();
      T* py = y.data<T>();
      parallel_chunks(ctx.threadpool(), x.numel(), 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          C v = load_elem(px[i]);
          v = v < lo ? lo : v;  // NaN passes through both
          v = v > hi ? hi : v;
          py[i] = store_elem<T>(v);
        }
      });
    });
  }

 protected:
  template <class T>
  static T scalar_of(const Tensor& t) {
    if (t.numel() != 1)
      throw Error(Stage::Run, "Clip bounds must be scalars, got " + shape_to_string(t.shape()));
    return t.data<T>()[0];
  }
  static double bound_value(const Tensor& t, Stage stage) {
    if (t.numel() != 1) throw Error(stage, "Clip bounds must be scalars, got " + shape_to_string(t.shape()));
    return convert_tensor(t, DType::Double).data<double>()[0];
  }

  DType dtype_ = DType::Undefined;
  bool attr_form_ = false;    // opset < 11
  bool bounds_known_ = true;  // every bound is absent, an attribute or a constant
  std::optional<double> lo_, hi_;
};

// No XNNPACK Clip (nor Relu, registered above): XNNPACK's clamp returns the bound for a NaN,
// where ONNX keeps the NaN, and the reference loop is as fast on this memory-bound op.
ONNXI_REGISTER_KERNEL("", "Clip", 1, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new ClipRefKernel(ctx));
});

}  // namespace
}  // namespace onnxi
