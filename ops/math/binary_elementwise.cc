// Binary (and variadic Max/Min/Sum/Mean) elementwise ops with numpy broadcasting:
// Add Sub Mul Div Pow Mod Max Min Sum Mean PRelu, Equal Less Greater LessOrEqual GreaterOrEqual,
// And Or Xor, BitShift, BitwiseAnd BitwiseOr BitwiseXor, StringConcat.
//
// One table (kBinaryOps) maps each op to its dtypes, output kind and reference function
// (no XNNPACK kernels: see the table). Opsets < 7 of the arithmetic,
// comparison and logical ops had `broadcast`/`axis` attributes instead of numpy
// broadcasting; they are turned into an equivalent numpy shape for B at build time.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/common/broadcast.h"
#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/common/wrap_arith.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

struct BinaryParams {
  bool fmod = false;        // Mod
  bool shift_left = false;  // BitShift
};

// ---- scalar functions (C is the compute type) ----

struct AddOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams&) {
    return wrap_add(a, b);
  }
};
struct SubOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams&) {
    return wrap_sub(a, b);
  }
};
struct MulOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams&) {
    return wrap_mul(a, b);
  }
};
// Integer divisors are checked for zero before the loop (see check_divisors).
struct DivOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams&) {
    if constexpr (std::is_integral_v<C> && std::is_signed_v<C>) {
      if (b == -1) return wrap_sub(C(0), a);  // INT_MIN / -1 would trap
    }
    return a / b;
  }
};
struct ModOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams& p) {
    if constexpr (std::is_floating_point_v<C>) {
      return std::fmod(a, b);  // fmod=0 is rejected for floats at build time
    } else if constexpr (std::is_signed_v<C>) {
      if (b == -1) return 0;
      C r = static_cast<C>(a % b);
      if (!p.fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<C>(r + b);
      return r;
    } else {
      return static_cast<C>(a % b);
    }
  }
};
struct MaxOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams&) {
    if constexpr (std::is_floating_point_v<C>)
      return (a > b || a != a) ? a : b;  // propagates NaN from either side
    else
      return a > b ? a : b;
  }
};
struct MinOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams&) {
    if constexpr (std::is_floating_point_v<C>)
      return (a < b || a != a) ? a : b;
    else
      return a < b ? a : b;
  }
};
struct PReluOp {
  static constexpr DTypeSet kTypes = kSignedDTypes | kUnsignedIntDTypes;
  template <class C>
  static C apply(C x, C slope, const BinaryParams&) {
    if constexpr (std::is_unsigned_v<C>) {
      (void)slope;
      return x;
    } else {
      return x < C(0) ? wrap_mul(x, slope) : x;
    }
  }
};
struct EqualOp {
  static constexpr DTypeSet kTypes = kNumericDTypes | kBoolDTypes | kStringDTypes;
  template <class C>
  static bool apply(const C& a, const C& b, const BinaryParams&) {
    return a == b;
  }
};
struct LessOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static bool apply(C a, C b, const BinaryParams&) {
    return a < b;
  }
};
struct GreaterOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static bool apply(C a, C b, const BinaryParams&) {
    return a > b;
  }
};
struct LessOrEqualOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static bool apply(C a, C b, const BinaryParams&) {
    return a <= b;
  }
};
struct GreaterOrEqualOp {
  static constexpr DTypeSet kTypes = kNumericDTypes;
  template <class C>
  static bool apply(C a, C b, const BinaryParams&) {
    return a >= b;
  }
};
struct AndOp {
  static constexpr DTypeSet kTypes = kBoolDTypes;
  template <class C>
  static bool apply(C a, C b, const BinaryParams&) {
    return a && b;
  }
};
struct OrOp {
  static constexpr DTypeSet kTypes = kBoolDTypes;
  template <class C>
  static bool apply(C a, C b, const BinaryParams&) {
    return a || b;
  }
};
struct XorOp {
  static constexpr DTypeSet kTypes = kBoolDTypes;
  template <class C>
  static bool apply(C a, C b, const BinaryParams&) {
    return a != b;
  }
};
struct BitShiftOp {
  static constexpr DTypeSet kTypes = kUnsignedIntDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams& p) {
    if (b >= C(sizeof(C) * 8)) return 0;
    return static_cast<C>(p.shift_left ? a << b : a >> b);
  }
};

struct BitwiseAndOp {
  static constexpr DTypeSet kTypes = kIntDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams&) {
    return static_cast<C>(a & b);
  }
};
struct BitwiseOrOp {
  static constexpr DTypeSet kTypes = kIntDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams&) {
    return static_cast<C>(a | b);
  }
};
struct BitwiseXorOp {
  static constexpr DTypeSet kTypes = kIntDTypes;
  template <class C>
  static C apply(C a, C b, const BinaryParams&) {
    return static_cast<C>(a ^ b);
  }
};

struct StringConcatOp {
  static constexpr DTypeSet kTypes = kStringDTypes;
  template <class C>
  static C apply(const C& a, const C& b, const BinaryParams&) {
    return a + b;
  }
};

// Pow: the exponent is converted beforehand to the base's type (float bases) or to int64 /
// double (integer bases), so only those pairs are instantiated.
template <class C, class E>
inline C pow_value(C base, E e) {
  if constexpr (std::is_floating_point_v<C>) {
    return static_cast<C>(std::pow(base, static_cast<C>(e)));
  } else if constexpr (std::is_floating_point_v<E>) {
    return convert_value<C>(std::pow(static_cast<double>(base), e));
  } else {
    if (e < 0) {
      if (base == 1) return 1;
      if constexpr (std::is_signed_v<C>)
        if (base == -1) return (e & 1) ? C(-1) : C(1);
      return 0;
    }
    wrap_t<C> result = 1, b = static_cast<wrap_t<C>>(base);
    for (uint64_t k = static_cast<uint64_t>(e); k; k >>= 1) {
      if (k & 1) result *= b;
      b *= b;
    }
    return static_cast<C>(result);
  }
}

// ---- reference loops ----

using BinaryRefFn = void (*)(DType, const BroadcastPlan&, const void*, const void*, void*,
                             const BinaryParams&, pthreadpool_t);

// ---- float Add/Sub/Mul/Div rows, also compiled for AVX2 ----
// These rows are most of the elementwise arithmetic of CNNs (residual adds, the
// squeeze-and-excitation Muls). The generic loop is compiled for the x86-64 baseline
// (SSE2); these are also compiled for AVX2 and picked when the CPU has it (checked once;
// no ifunc, which the sanitizers' runtimes do not survive). NaN propagates as IEEE
// arithmetic does.
using F32Row = void (*)(const float*, const float*, float*, int64_t, int64_t, int64_t);

template <class F>
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
inline void f32_row(const float* a, const float* b, float* o, int64_t n, int64_t sa, int64_t sb) {
  const F f;
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
  } else if (sa == 1) {
    const float vb = b[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], vb);
  } else if (sb == 1) {
    const float va = a[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(va, b[i]);
  } else {
    std::fill(o, o + n, f(a[0], b[0]));
  }
}
template <class F>
void f32_row_baseline(const float* a, const float* b, float* o, int64_t n, int64_t sa, int64_t sb) {
  f32_row<F>(a, b, o, n, sa, sb);
}
#if defined(__x86_64__) && defined(__GNUC__)
template <class F>
__attribute__((target("avx2"))) void f32_row_avx2(const float* a, const float* b, float* o, int64_t n, int64_t sa,
                                                  int64_t sb) {
  f32_row<F>(a, b, o, n, sa, sb);
}
bool cpu_has_avx2() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
}
template <class F>
F32Row f32_row_fn() {
  return cpu_has_avx2() ? &f32_row_avx2<F> : &f32_row_baseline<F>;
}
#else
template <class F>
F32Row f32_row_fn() {
  return &f32_row_baseline<F>;
}
#endif

struct F32Add {
  float operator()(float x, float y) const { return x + y; }
};
struct F32Sub {
  float operator()(float x, float y) const { return x - y; }
};
struct F32Mul {
  float operator()(float x, float y) const { return x * y; }
};
struct F32Div {
  float operator()(float x, float y) const { return x / y; }
};
// The float row function of Op, or nullptr when Op takes the generic loop.
template <class Op>
F32Row f32_row_of() {
  if constexpr (std::is_same_v<Op, AddOp>) return f32_row_fn<F32Add>();
  if constexpr (std::is_same_v<Op, SubOp>) return f32_row_fn<F32Sub>();
  if constexpr (std::is_same_v<Op, MulOp>) return f32_row_fn<F32Mul>();
  if constexpr (std::is_same_v<Op, DivOp>) return f32_row_fn<F32Div>();
  return nullptr;
}

template <class Op>
void ref_binary(DType t, const BroadcastPlan& p, const void* a, const void* b, void* out,
                const BinaryParams& prm, pthreadpool_t pool) {
  if (t == DType::Float) {
    if (F32Row row = f32_row_of<Op>()) {
      const float* fa = static_cast<const float*>(a);
      const float* fb = static_cast<const float*>(b);
      float* fo = static_cast<float*>(out);
      broadcast_rows(p, pool, [&](int64_t oa, int64_t ob, int64_t oo, int64_t n, int64_t sa, int64_t sb) {
        row(fa + oa, fb + ob, fo + oo, n, sa, sb);
      });
      return;
    }
  }
  bool ok = visit_dtype<Op::kTypes>(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = compute_t<T>;
    using R = decltype(Op::template apply<C>(std::declval<C>(), std::declval<C>(), prm));
    using O = std::conditional_t<std::is_same_v<R, bool>, bool, T>;
    auto f = [&prm](const T& x, const T& y) -> O {
      if constexpr (std::is_same_v<T, std::string>)
        return Op::template apply<C>(x, y, prm);
      else if constexpr (std::is_same_v<R, bool>)
        return Op::template apply<C>(load_elem(x), load_elem(y), prm);
      else
        return store_elem<T>(Op::template apply<C>(load_elem(x), load_elem(y), prm));
    };
    // Strings are not worth threading (and their copies allocate).
    broadcast_apply(p, static_cast<const T*>(a), static_cast<const T*>(b), static_cast<O*>(out), f,
                    std::is_same_v<T, std::string> ? nullptr : pool);
  });
  if (!ok) throw Error(Stage::Run, "unsupported dtype " + std::string(dtype_name(t)));
}

void ref_pow(DType t, const BroadcastPlan& p, const void* a, DType et, const void* e, void* out,
             pthreadpool_t pool) {
  bool ok = visit_dtype<kNumericDTypes>(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = compute_t<T>;
    auto run = [&](auto etag) {
      using E = typename decltype(etag)::type;
      broadcast_apply(
          p, static_cast<const T*>(a), static_cast<const E*>(e), static_cast<T*>(out),
          [](T x, E y) { return store_elem<T>(pow_value<C>(load_elem(x), load_elem(y))); }, pool);
    };
    if constexpr (is_floating_v<T>)
      run(TypeTag<T>{});
    else if (et == DType::Int64)
      run(TypeTag<int64_t>{});
    else
      run(TypeTag<double>{});
  });
  if (!ok) throw Error(Stage::Run, "unsupported dtype " + std::string(dtype_name(t)));
}

// Throws when an integer divisor tensor holds a zero (the division would trap).
void check_divisors(const Tensor& b) {
  visit_dtype<kIntDTypes>(b.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = b.data<T>();
    for (int64_t i = 0; i < b.numel(); ++i)
      if (p[i] == 0) throw Error(Stage::Run, "integer division by zero");
  });
}

// ---- the table ----

enum class BinaryKind { Plain, Variadic, PRelu, Pow };


struct BinaryOpSpec {
  const char* name;
  DTypeSet dtypes;
  bool bool_out;
  BinaryKind kind;
  bool legacy_broadcast;  // opset < 7 uses broadcast/axis attributes
  bool checks_divisor;    // integer division: reject zero divisors
  BinaryRefFn ref;
};

// clang-format off
// Columns: name, dtypes, bool output, kind, legacy broadcast attrs (< 7), checks divisor,
// reference function. No XNNPACK kernels: XNNPACK's f32 binary operators clamp their result
// with max/min instructions that turn a NaN into the bound (-inf for Add/Sub/Mul/Div with
// bounds of -inf and +inf), and its maximum/minimum return the other operand for a NaN,
// where ONNX (like numpy and ONNX Runtime) keeps the NaN. Checking XNNPACK's output for
// that cost more than it saved: these loops are as fast at 2 threads (EfficientNet-B0's
// Muls: 3.17 vs 3.08 ms, `onnxi profile`), 25 % slower at 1 thread.
const BinaryOpSpec kBinaryOps[] = {
    {"Add", AddOp::kTypes, false, BinaryKind::Plain, true, false, &ref_binary<AddOp>},
    {"Sub", SubOp::kTypes, false, BinaryKind::Plain, true, false, &ref_binary<SubOp>},
    {"Mul", MulOp::kTypes, false, BinaryKind::Plain, true, false, &ref_binary<MulOp>},
    {"Div", DivOp::kTypes, false, BinaryKind::Plain, true, true, &ref_binary<DivOp>},
    {"Max", MaxOp::kTypes, false, BinaryKind::Variadic, false, false, &ref_binary<MaxOp>},
    {"Min", MinOp::kTypes, false, BinaryKind::Variadic, false, false, &ref_binary<MinOp>},
    {"Sum", AddOp::kTypes, false, BinaryKind::Variadic, false, false, &ref_binary<AddOp>},
    {"Mean", kFloatDTypes, false, BinaryKind::Variadic, false, false, &ref_binary<AddOp>},
    {"Pow", kNumericDTypes, false, BinaryKind::Pow, true, false, nullptr},
    {"Mod", ModOp::kTypes, false, BinaryKind::Plain, false, true, &ref_binary<ModOp>},
    {"PRelu", PReluOp::kTypes, false, BinaryKind::PRelu, false, false, &ref_binary<PReluOp>},
    {"Equal", EqualOp::kTypes, true, BinaryKind::Plain, true, false, &ref_binary<EqualOp>},
    {"Less", LessOp::kTypes, true, BinaryKind::Plain, true, false, &ref_binary<LessOp>},
    {"Greater", GreaterOp::kTypes, true, BinaryKind::Plain, true, false, &ref_binary<GreaterOp>},
    {"LessOrEqual", LessOrEqualOp::kTypes, true, BinaryKind::Plain, false, false, &ref_binary<LessOrEqualOp>},
    {"GreaterOrEqual", GreaterOrEqualOp::kTypes, true, BinaryKind::Plain, false, false,
     &ref_binary<GreaterOrEqualOp>},
    {"And", AndOp::kTypes, true, BinaryKind::Plain, true, false, &ref_binary<AndOp>},
    {"Or", OrOp::kTypes, true, BinaryKind::Plain, true, false, &ref_binary<OrOp>},
    {"Xor", XorOp::kTypes, true, BinaryKind::Plain, true, false, &ref_binary<XorOp>},
    {"BitShift", BitShiftOp::kTypes, false, BinaryKind::Plain, false, false, &ref_binary<BitShiftOp>},
    {"BitwiseAnd", BitwiseAndOp::kTypes, false, BinaryKind::Plain, false, false, &ref_binary<BitwiseAndOp>},
    {"BitwiseOr", BitwiseOrOp::kTypes, false, BinaryKind::Plain, false, false, &ref_binary<BitwiseOrOp>},
    {"BitwiseXor", BitwiseXorOp::kTypes, false, BinaryKind::Plain, false, false, &ref_binary<BitwiseXorOp>},
    {"StringConcat", StringConcatOp::kTypes, false, BinaryKind::Plain, false, false, &ref_binary<StringConcatOp>},
};
// clang-format on

const BinaryOpSpec& find_spec(const std::string& name) {
  for (const auto& s : kBinaryOps)
    if (name == s.name) return s;
  throw Error(Stage::Build, "no binary op spec for " + name);
}

// ---- kernels ----

class BinaryRefKernel : public Kernel {
 public:
  BinaryRefKernel(const BinaryOpSpec& spec, const BuildContext& ctx) : spec_(spec) {
    const size_t n = ctx.node.inputs.size();
    if (spec.kind == BinaryKind::Variadic ? n < 1 : n != 2)
      throw Error(Stage::Build, std::string(spec.name) + " expects " +
                                    (spec.kind == BinaryKind::Variadic ? "at least 1 input" : "2 inputs") +
                                    ", got " + std::to_string(n));
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, spec.dtypes))
      throw Error(Stage::Build, std::string(spec.name) + " does not support " +
                                    std::string(dtype_name(dtype_)) +
                                    " (supported: " + dtype_set_names(spec.dtypes) + ")");
    for (size_t i = 1; i < n; ++i) {
      if (!ctx.has_input(i)) throw Error(Stage::Build, "input " + std::to_string(i) + " is missing");
      DType t = ctx.input_dtype(i);
      if (spec.kind == BinaryKind::Pow ? !dtype_in(t, kNumericDTypes) : t != dtype_)
        throw Error(Stage::Build, "input " + std::to_string(i) + " has dtype " + std::string(dtype_name(t)) +
                                      ", expected " + std::string(dtype_name(dtype_)));
    }
    if (spec.legacy_broadcast && ctx.opset < 7) {
      legacy_ = true;
      legacy_broadcast_ = ctx.attrs.get_int("broadcast", 0) != 0;
      legacy_axis_ = ctx.attrs.get_int("axis", INT64_MIN);
    }
    if (spec.kind == BinaryKind::PRelu && ctx.opset < 7) legacy_prelu_ = true;
    std::string name = spec.name;
    mean_ = name == "Mean";
    if (name == "Mod") {
      params_.fmod = ctx.attrs.get_int("fmod", 0) != 0;
      if (!params_.fmod && dtype_in(dtype_, kFloatDTypes))
        throw Error(Stage::Build, "Mod of floating-point inputs requires fmod=1");
    }
    if (name == "BitShift") {
      std::string dir = ctx.attrs.get_string("direction");
      if (dir != "LEFT" && dir != "RIGHT")
        throw Error(Stage::Build, "BitShift direction must be LEFT or RIGHT, got '" + dir + "'");
      params_.shift_left = dir == "LEFT";
    }
  }

  void infer(InferContext& ctx) override {
    DType out = spec_.bool_out ? DType::Bool : dtype_;
    std::vector<Shape> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Shape* s = ctx.input_shape(i);
      if (!s) {
        ctx.set_output_dtype(0, out);
        return;
      }
      shapes.push_back(*s);
    }
    Shape b;
    ctx.set_output(0, out, output_shape(shapes, &b));
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    if (spec_.kind == BinaryKind::Variadic) {
      run_variadic(ctx);
      return;
    }
    const Tensor& b = ctx.input(1);
    Shape b_shape;
    Shape out_shape = output_shape({a.shape(), b.shape()}, &b_shape);
    Tensor& out = output_for(ctx, 0, spec_.bool_out ? DType::Bool : dtype_, out_shape);
    if (out.numel() == 0) return;
    if (spec_.checks_divisor) check_divisors(b);
    BroadcastPlan plan = plan_broadcast(a.shape(), b_shape, out_shape);
    if (spec_.kind == BinaryKind::Pow) {
      run_pow(plan, a, b, out, ctx.threadpool());
      return;
    }
    spec_.ref(dtype_, plan, data_of(a), data_of(b), data_of(out), params_, ctx.threadpool());
  }

 protected:
  // Output shape of the node; *b_shape receives the shape B is broadcast as (differs from
  // B's own shape only for the legacy broadcast/axis form and old PRelu).
  Shape output_shape(const std::vector<Shape>& in, Shape* b_shape) const {
    if (in.size() > 1) *b_shape = in[1];
    if (spec_.kind == BinaryKind::Variadic) {
      Shape s = in[0];
      for (size_t i = 1; i < in.size(); ++i) s = broadcast_shapes(s, in[i]);
      return s;
    }
    const Shape& a = in[0];
    const Shape& b = in[1];
    *b_shape = b;
    if (legacy_) {
      if (!legacy_broadcast_) {
        if (a != b)
          throw Error(Stage::Run, "shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                                      " differ and broadcast=0 (opset < 7)");
        return a;
      }
      *b_shape = legacy_b_shape(a, b);
      return a;
    }
    if (legacy_prelu_ && a.size() >= 2 && b.size() == 1 && b[0] == a[1] && b[0] != 1) {
      // PRelu < 7: a 1-D slope is per channel (axis 1).
      Shape s(a.size(), 1);
      s[1] = b[0];
      *b_shape = s;
      return a;
    }
    Shape out = broadcast_shapes(a, b);
    if (spec_.kind == BinaryKind::PRelu && out != a)
      throw Error(Stage::Run,
                  "slope " + shape_to_string(b) + " cannot be broadcast to X " + shape_to_string(a));
    return out;
  }

  // Legacy broadcast=1: B's shape matches a contiguous run of A's dims starting at `axis`
  // (default: A's trailing dims). Returns B's shape padded with 1s to A's rank.
  Shape legacy_b_shape(const Shape& a, const Shape& b) const {
    const int64_t ra = static_cast<int64_t>(a.size()), rb = static_cast<int64_t>(b.size());
    if (shape_numel(b) == 1 && rb <= 1) return Shape(a.size(), 1);
    int64_t axis = legacy_axis_ == INT64_MIN ? ra - rb : legacy_axis_;
    if (axis < 0) axis += ra;
    if (axis < 0 || axis + rb > ra)
      throw Error(Stage::Run, "legacy broadcast: B " + shape_to_string(b) + " does not fit A " +
                                  shape_to_string(a) + " at axis " + std::to_string(axis));
    Shape s(a.size(), 1);
    for (int64_t i = 0; i < rb; ++i) {
      if (b[i] != a[axis + i] && b[i] != 1)
        throw Error(Stage::Run, "legacy broadcast: B " + shape_to_string(b) + " does not match A " +
                                    shape_to_string(a) + " at axis " + std::to_string(axis));
      s[axis + i] = b[i];
    }
    return s;
  }

  static const void* data_of(const Tensor& t) {
    return t.dtype() == DType::String ? static_cast<const void*>(t.strings().data()) : t.raw_data();
  }
  static void* data_of(Tensor& t) {
    return t.dtype() == DType::String ? static_cast<void*>(t.strings().data()) : t.raw_data();
  }

  void run_variadic(RunContext& ctx) const {
    std::vector<Shape> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(ctx.input(i).shape());
    Shape b;
    Shape out_shape = output_shape(shapes, &b);
    Tensor& out = output_for(ctx, 0, dtype_, out_shape);
    if (out.numel() == 0) return;
    const Tensor& first = ctx.input(0);
    if (shapes.size() == 1) {
      copy_elements(first, out);
      return;
    }
    // out = op(in0, in1); then out = op(out, in_k), in place.
    for (size_t i = 1; i < shapes.size(); ++i) {
      const Tensor& x = i == 1 ? first : out;
      const Tensor& y = ctx.input(i);
      BroadcastPlan plan = plan_broadcast(x.shape(), y.shape(), out_shape);
      spec_.ref(dtype_, plan, x.raw_data(), y.raw_data(), out.raw_data(), params_, ctx.threadpool());
    }
    if (mean_) {  // Mean = Sum / n
      visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        using C = compute_t<T>;
        T* p = out.data<T>();
        const C n = static_cast<C>(shapes.size());
        for (int64_t i = 0; i < out.numel(); ++i) p[i] = store_elem<T>(load_elem(p[i]) / n);
      });
    }
  }

  void run_pow(const BroadcastPlan& plan, const Tensor& a, const Tensor& e, Tensor& out, pthreadpool_t pool) const {
    DType want = dtype_in(dtype_, kFloatDTypes)    ? dtype_
                 : dtype_in(e.dtype(), kIntDTypes) ? DType::Int64
                                                   : DType::Double;
    if (e.dtype() == want) {
      ref_pow(dtype_, plan, a.raw_data(), want, e.raw_data(), out.raw_data(), pool);
    } else {
      Tensor converted = convert_tensor(e, want);
      ref_pow(dtype_, plan, a.raw_data(), want, converted.raw_data(), out.raw_data(), pool);
    }
  }

  const BinaryOpSpec& spec_;
  DType dtype_ = DType::Undefined;
  BinaryParams params_;
  bool legacy_ = false, legacy_broadcast_ = false, legacy_prelu_ = false, mean_ = false;
  int64_t legacy_axis_ = INT64_MIN;
};

KernelFactory binary_factory(const char* name) {
  return [name](const BuildContext& ctx) -> std::unique_ptr<Kernel> {
    return std::make_unique<BinaryRefKernel>(find_spec(name), ctx);
  };
}

#define ONNXI_REGISTER_BINARY_REF(op, since, until) \
  ONNXI_REGISTER_KERNEL("", op, since, until, kRef, binary_factory(op))

ONNXI_REGISTER_BINARY_REF("Add", 1, 14);
ONNXI_REGISTER_BINARY_REF("Sub", 1, 14);
ONNXI_REGISTER_BINARY_REF("Mul", 1, 14);
ONNXI_REGISTER_BINARY_REF("Div", 1, 14);
ONNXI_REGISTER_BINARY_REF("Max", 1, 13);
ONNXI_REGISTER_BINARY_REF("Min", 1, 13);
ONNXI_REGISTER_BINARY_REF("Sum", 1, 13);
ONNXI_REGISTER_BINARY_REF("Mean", 1, 13);
ONNXI_REGISTER_BINARY_REF("Pow", 1, 15);
// Mod 28 defines fmod=0 for floating-point inputs (floor); the kernel rejects that at build time.
ONNXI_REGISTER_BINARY_REF("Mod", 10, 28);
ONNXI_REGISTER_BINARY_REF("PRelu", 1, 16);
ONNXI_REGISTER_BINARY_REF("Equal", 1, 19);
ONNXI_REGISTER_BINARY_REF("Less", 1, 13);
ONNXI_REGISTER_BINARY_REF("Greater", 1, 13);
ONNXI_REGISTER_BINARY_REF("LessOrEqual", 12, 16);
ONNXI_REGISTER_BINARY_REF("GreaterOrEqual", 12, 16);
ONNXI_REGISTER_BINARY_REF("And", 1, 7);
ONNXI_REGISTER_BINARY_REF("Or", 1, 7);
ONNXI_REGISTER_BINARY_REF("Xor", 1, 7);
ONNXI_REGISTER_BINARY_REF("BitShift", 11, 28);  // 28 adds signed integers: rejected at build time
// Bitwise ops exist only as version 18.
ONNXI_REGISTER_KERNEL("", "BitwiseAnd", 18, 18, kRef, binary_factory("BitwiseAnd"));
ONNXI_REGISTER_KERNEL("", "BitwiseOr", 18, 18, kRef, binary_factory("BitwiseOr"));
ONNXI_REGISTER_KERNEL("", "BitwiseXor", 18, 18, kRef, binary_factory("BitwiseXor"));
ONNXI_REGISTER_KERNEL("", "StringConcat", 20, 20, kRef, binary_factory("StringConcat"));

}  // namespace
}  // namespace onnxi
