// Reduce* ops: ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2
// ReduceLogSum ReduceLogSumExp ReduceSumSquare.
//
// Axes come from the `axes` attribute, or from the optional second input for ReduceSum from
// opset 13 and the others from opset 18; both forms become one list when it is known. No
// axes (or an empty list) reduces every axis, unless noop_with_empty_axes (input form only)
// asks to reduce none: each element is then its own one-element reduction, so the shape is
// kept and the elementwise part still applies (ReduceSumSquare squares, ReduceL1 takes the
// absolute value), as in the ONNX reference implementation.
//
// A reduction over no elements gives the reducer's identity: 0 for sums, 1 for products,
// -inf/+inf (lowest/highest integer) for max/min, NaN for the float mean (0 for integers),
// and log(0) = -inf for the log reductions.
//
// Floats (and float16/bfloat16) accumulate in double; integers in int64/uint64 with
// wrapping arithmetic. The loop collapses the input to alternating runs of kept and reduced
// dims; the innermost run is either reduced (each output sums contiguous rows) or kept (each
// output row accumulates whole input rows), so both read memory in order.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <type_traits>

#include "ops/common/broadcast.h"
#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/common/wrap_arith.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

enum class ReduceKind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

constexpr DTypeSet reduce_dtypes(ReduceKind k) {
  return (k == ReduceKind::Max || k == ReduceKind::Min) ? (kNumericDTypes | kBoolDTypes) : kNumericDTypes;
}

// Running log-sum-exp: sum = s * exp(m), rescaled whenever a larger value arrives.
struct LogSumExpAcc {
  double m = -std::numeric_limits<double>::infinity();
  double s = 0;
  void add(double v) {
    if (std::isnan(m)) return;
    if (std::isnan(v)) {
      m = v;
      return;
    }
    if (v == -std::numeric_limits<double>::infinity()) return;  // contributes exp(-inf) = 0
    if (v == m) {
      s += 1;
    } else if (v > m) {
      s = s * std::exp(m - v) + 1;
      m = v;
    } else {
      s += std::exp(v - m);
    }
  }
  // Adds the elements summed into `o`.
  void merge(const LogSumExpAcc& o) {
    if (std::isnan(m)) return;
    if (std::isnan(o.m)) {
      m = o.m;
      return;
    }
    if (o.s == 0) return;
    if (o.m == m) {
      s += o.s;
    } else if (o.m > m) {
      s = s * std::exp(m - o.m) + o.s;
      m = o.m;
    } else {
      s += o.s * std::exp(o.m - m);
    }
  }
  double value() const {
    if (std::isnan(m) || std::isinf(m)) return m;
    return m + std::log(s);
  }
};

template <ReduceKind K, class T>
struct Reducer {
  // Arithmetic type: double for every float format, int64/uint64 for integers (sums and
  // products wrap the same way modulo the narrower width; means and norms stay exact).
  using V =
      std::conditional_t<is_floating_v<T>, double,
                         std::conditional_t<std::is_same_v<T, bool>, bool,
                                            std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>>;
  using Acc = std::conditional_t<K == ReduceKind::LogSumExp, LogSumExpAcc, V>;

  static V load(T x) {
    if constexpr (is_half_v<T>)
      return static_cast<double>(load_elem(x));
    else
      return static_cast<V>(x);
  }

  static Acc init() {
    if constexpr (K == ReduceKind::LogSumExp) {
      return LogSumExpAcc{};
    } else if constexpr (K == ReduceKind::Max) {
      if constexpr (std::is_floating_point_v<V>)
        return -std::numeric_limits<V>::infinity();
      else
        return static_cast<V>(std::numeric_limits<T>::lowest());
    } else if constexpr (K == ReduceKind::Min) {
      if constexpr (std::is_floating_point_v<V>)
        return std::numeric_limits<V>::infinity();
      else
        return static_cast<V>(std::numeric_limits<T>::max());
    } else if constexpr (K == ReduceKind::Prod) {
      return V(1);
    } else {
      return V(0);
    }
  }

  static void add(Acc& a, T x) {
    const V v = load(x);
    if constexpr (K == ReduceKind::Sum || K == ReduceKind::Mean || K == ReduceKind::LogSum) {
      a = wrap_add(a, v);
    } else if constexpr (K == ReduceKind::SumSquare || K == ReduceKind::L2) {
      a = wrap_add(a, wrap_mul(v, v));
    } else if constexpr (K == ReduceKind::L1) {
      if constexpr (std::is_floating_point_v<V>)
        a += std::fabs(v);
      else if constexpr (std::is_signed_v<V>)
        a = wrap_add(a, v < 0 ? wrap_sub(V(0), v) : v);
      else
        a = wrap_add(a, v);
    } else if constexpr (K == ReduceKind::Prod) {
      a = wrap_mul(a, v);
    } else if constexpr (K == ReduceKind::Max) {
      if constexpr (std::is_floating_point_v<V>) {
        if (v > a || std::isnan(v)) a = v;
      } else if (v > a) {
        a = v;
      }
    } else if constexpr (K == ReduceKind::Min) {
      if constexpr (std::is_floating_point_v<V>) {
        if (v < a || std::isnan(v)) a = v;
      } else if (v < a) {
        a = v;
      }
    } else if constexpr (K == ReduceKind::LogSumExp) {
      a.add(static_cast<double>(v));
    }
  }

  // Folds the partial reduction `b` into `a`.
  static void combine(Acc& a, const Acc& b) {
    if constexpr (K == ReduceKind::LogSumExp) {
      a.merge(b);
    } else if constexpr (K == ReduceKind::Prod) {
      a = wrap_mul(a, b);
    } else if constexpr (K == ReduceKind::Max) {
      if constexpr (std::is_floating_point_v<V>) {
        if (std::isnan(a)) return;
        if (b > a || std::isnan(b)) a = b;
      } else if (b > a) {
        a = b;
      }
    } else if constexpr (K == ReduceKind::Min) {
      if constexpr (std::is_floating_point_v<V>) {
        if (std::isnan(a)) return;
        if (b < a || std::isnan(b)) a = b;
      } else if (b < a) {
        a = b;
      }
    } else {
      a = wrap_add(a, b);
    }
  }

  // `n` is the number of elements reduced into `a`.
  static T finish(const Acc& a, int64_t n) {
    if constexpr (K == ReduceKind::LogSumExp) {
      return convert_value<T>(a.value());
    } else if constexpr (K == ReduceKind::L2) {
      return convert_value<T>(std::sqrt(static_cast<double>(a)));
    } else if constexpr (K == ReduceKind::LogSum) {
      return convert_value<T>(std::log(static_cast<double>(a)));
    } else if constexpr (K == ReduceKind::Mean) {
      if constexpr (std::is_floating_point_v<V>)
        return convert_value<T>(a / static_cast<double>(n));
      else
        return n == 0 ? T(0) : static_cast<T>(a / static_cast<V>(n));  // n > 0 fits V
    } else {
      return convert_value<T>(a);
    }
  }
};

// The collapsed iteration of one reduction (see the file comment).
struct ReducePlan {
  int64_t inner = 1;              // size of the innermost collapsed run
  bool inner_reduced = false;     // whether that run is reduced
  std::vector<int64_t> kept_off;  // input offsets of each combination of outer kept dims
  std::vector<int64_t> red_off;   // input offsets of each combination of outer reduced dims
  int64_t count = 0;              // elements reduced into each output
  bool empty_input = false;       // some input dim is 0
};

// Offsets of every index combination of `dims` (with input strides), row-major.
std::vector<int64_t> enumerate_offsets(const std::vector<std::pair<int64_t, int64_t>>& dims) {
  std::vector<int64_t> offs{0};
  for (const auto& [size, stride] : dims) {
    std::vector<int64_t> next;
    next.reserve(offs.size() * static_cast<size_t>(size));
    for (int64_t o : offs)
      for (int64_t i = 0; i < size; ++i) next.push_back(o + i * stride);
    offs = std::move(next);
  }
  return offs;
}

ReducePlan make_plan(const Shape& in, const std::vector<bool>& reduced) {
  ReducePlan p;
  int64_t count = 1;
  for (size_t d = 0; d < in.size(); ++d) {
    if (in[d] == 0) p.empty_input = true;
    if (reduced[d]) count *= in[d];
  }
  p.count = count;
  if (p.empty_input) return p;
  // Runs of (size, reduced), skipping size-1 dims, merging neighbours of the same kind.
  std::vector<std::pair<int64_t, bool>> runs;
  for (size_t d = 0; d < in.size(); ++d) {
    if (in[d] == 1) continue;
    if (!runs.empty() && runs.back().second == reduced[d])
      runs.back().first *= in[d];
    else
      runs.push_back({in[d], reduced[d]});
  }
  if (runs.empty()) runs.push_back({1, false});
  p.inner = runs.back().first;
  p.inner_reduced = runs.back().second;
  std::vector<std::pair<int64_t, int64_t>> kept, red;  // (size, stride), innermost first
  int64_t stride = p.inner;
  for (size_t r = runs.size() - 1; r-- > 0;) {
    (runs[r].second ? red : kept).push_back({runs[r].first, stride});
    stride *= runs[r].first;
  }
  std::reverse(kept.begin(), kept.end());
  std::reverse(red.begin(), red.end());
  p.kept_off = enumerate_offsets(kept);
  p.red_off = enumerate_offsets(red);
  return p;
}

template <ReduceKind K, class T>
void reduce_loop(const ReducePlan& p, const T* x, T* y, int64_t out_numel, pthreadpool_t pool) {
  using R = Reducer<K, T>;
  using Acc = typename R::Acc;
  if (p.empty_input) {
    const T v = R::finish(R::init(), 0);
    for (int64_t i = 0; i < out_numel; ++i) y[i] = v;
    return;
  }
  const int64_t rows = static_cast<int64_t>(p.kept_off.size());
  const int64_t n = p.inner;
  const int64_t per_row = static_cast<int64_t>(p.red_off.size()) * n;
  if (p.inner_reduced) {
    parallel_chunks(pool, rows, per_row, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        // Four independent partial reductions, so the adds are not one dependency chain.
        Acc a0 = R::init(), a1 = R::init(), a2 = R::init(), a3 = R::init();
        for (int64_t ro : p.red_off) {
          const T* src = x + p.kept_off[k] + ro;
          int64_t i = 0;
          for (; i + 4 <= n; i += 4) {
            R::add(a0, src[i]);
            R::add(a1, src[i + 1]);
            R::add(a2, src[i + 2]);
            R::add(a3, src[i + 3]);
          }
          for (; i < n; ++i) R::add(a0, src[i]);
        }
        R::combine(a0, a1);
        R::combine(a2, a3);
        R::combine(a0, a2);
        y[k] = R::finish(a0, p.count);
      }
    });
  } else {
    parallel_chunks(pool, rows, per_row, [&](int64_t b, int64_t e) {
      std::unique_ptr<Acc[]> acc(new Acc[static_cast<size_t>(n)]);  // not vector: Acc may be bool
      for (int64_t k = b; k < e; ++k) {
        std::fill(acc.get(), acc.get() + n, R::init());
        for (int64_t ro : p.red_off) {
          const T* src = x + p.kept_off[k] + ro;
          for (int64_t i = 0; i < n; ++i) R::add(acc[i], src[i]);
        }
        T* dst = y + k * n;
        for (int64_t i = 0; i < n; ++i) dst[i] = R::finish(acc[i], p.count);
      }
    });
  }
}

struct ReduceOpSpec {
  const char* name;
  ReduceKind kind;
  int64_t axes_input_since;  // first opset where axes is an input
};

const ReduceOpSpec kReduceOps[] = {
    {"ReduceSum", ReduceKind::Sum, 13},
    {"ReduceMean", ReduceKind::Mean, 18},
    {"ReduceMax", ReduceKind::Max, 18},
    {"ReduceMin", ReduceKind::Min, 18},
    {"ReduceProd", ReduceKind::Prod, 18},
    {"ReduceL1", ReduceKind::L1, 18},
    {"ReduceL2", ReduceKind::L2, 18},
    {"ReduceLogSum", ReduceKind::LogSum, 18},
    {"ReduceLogSumExp", ReduceKind::LogSumExp, 18},
    {"ReduceSumSquare", ReduceKind::SumSquare, 18},
};

template <class F>
bool visit_kind(ReduceKind k, F&& f) {
  switch (k) {
#define ONNXI_REDUCE_CASE(K)                                \
  case ReduceKind::K:                                       \
    f(std::integral_constant<ReduceKind, ReduceKind::K>{}); \
    return true;
    ONNXI_REDUCE_CASE(Sum)
    ONNXI_REDUCE_CASE(Mean)
    ONNXI_REDUCE_CASE(Max)
    ONNXI_REDUCE_CASE(Min)
    ONNXI_REDUCE_CASE(Prod)
    ONNXI_REDUCE_CASE(L1)
    ONNXI_REDUCE_CASE(L2)
    ONNXI_REDUCE_CASE(LogSum)
    ONNXI_REDUCE_CASE(LogSumExp)
    ONNXI_REDUCE_CASE(SumSquare)
#undef ONNXI_REDUCE_CASE
  }
  return false;
}

class ReduceKernel : public Kernel {
 public:
  ReduceKernel(const BuildContext& ctx, const ReduceOpSpec& spec) : kind_(spec.kind) {
    if (!ctx.has_input(0)) throw Error(Stage::Build, std::string(spec.name) + " expects a data input");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, reduce_dtypes(kind_)))
      throw Error(Stage::Build,
                  std::string(spec.name) + " does not support " + std::string(dtype_name(dtype_)));
    keepdims_ = ctx.attrs.get_int("keepdims", 1) != 0;
    axes_input_ = ctx.opset >= spec.axes_input_since;
    if (axes_input_) {
      noop_empty_ = ctx.attrs.get_int("noop_with_empty_axes", 0) != 0;
      if (ctx.has_input(1)) {
        DType t = ctx.input_dtype(1);
        if (t != DType::Int64 && t != DType::Int32)
          throw Error(Stage::Build, "axes must be int64, got " + std::string(dtype_name(t)));
        has_axes_input_ = true;
        if (const Tensor* a = ctx.constant_input(1)) read_int_values(*a, "axes", Stage::Build);
      }
    } else {
      attr_axes_ = ctx.attrs.get_ints("axes");
    }
  }

  void infer(InferContext& ctx) override {
    const Shape* s = ctx.input_shape(0);
    std::optional<std::vector<int64_t>> axes = axes_from(ctx.input_value(1), Stage::Plan);
    if (!s || !axes) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    ctx.set_output(0, dtype_, out_shape(*s, *axes, nullptr, Stage::Plan));
  }

  // Per execution context: the loop plan of the last shape and axes.
  struct State : KernelState {
    std::optional<ReducePlan> plan;
    Shape shape;
    std::vector<bool> reduced;
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }

  void run(RunContext& ctx) const override {
    State& st = ctx.state<State>();
    const Tensor& x = ctx.input(0);
    std::optional<std::vector<int64_t>> axes =
        axes_from(ctx.has_input(1) ? &ctx.input(1) : nullptr, Stage::Run);
    if (!axes) throw Error(Stage::Run, "axes are not known");
    std::vector<bool> reduced;
    Shape out = out_shape(x.shape(), *axes, &reduced, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    if (!st.plan || st.shape != x.shape() || st.reduced != reduced) {
      st.plan = make_plan(x.shape(), reduced);
      st.shape = x.shape();
      st.reduced = reduced;
    }
    bool ok = visit_kind(kind_, [&](auto kc) {
      constexpr ReduceKind K = decltype(kc)::value;
      visit_dtype<reduce_dtypes(K)>(dtype_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        reduce_loop<K, T>(*st.plan, x.data<T>(), y.data<T>(), y.numel(), ctx.threadpool());
      });
    });
    if (!ok) throw Error(Stage::Run, "unsupported reduction");
  }

 private:
  // The axes list, or nullopt when it comes from an input whose value is not known yet.
  std::optional<std::vector<int64_t>> axes_from(const Tensor* value, Stage stage) const {
    if (!axes_input_) return attr_axes_;
    if (!has_axes_input_) return std::vector<int64_t>{};
    if (!value) return std::nullopt;
    return read_int_values(*value, "axes", stage);
  }

  bool noop(const std::vector<int64_t>& axes) const { return axes.empty() && noop_empty_; }

  Shape out_shape(const Shape& in, const std::vector<int64_t>& axes, std::vector<bool>* reduced_out,
                  Stage stage) const {
    const int64_t r = static_cast<int64_t>(in.size());
    std::vector<bool> reduced(in.size(), axes.empty() && !noop(axes));
    for (int64_t a : axes) {
      if (a < -r || a >= r)
        throw Error(stage, "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(r));
      size_t d = static_cast<size_t>(a < 0 ? a + r : a);
      if (reduced[d]) throw Error(stage, "axes contain axis " + std::to_string(d) + " twice");
      reduced[d] = true;
    }
    Shape out;
    for (size_t d = 0; d < in.size(); ++d) {
      if (!reduced[d])
        out.push_back(in[d]);
      else if (keepdims_)
        out.push_back(1);
    }
    if (reduced_out) *reduced_out = std::move(reduced);
    return out;
  }

  ReduceKind kind_;
  DType dtype_ = DType::Undefined;
  bool keepdims_ = true;
  bool axes_input_ = false, has_axes_input_ = false, noop_empty_ = false;
  std::vector<int64_t> attr_axes_;
  // The loop plan of the last input shape and axes.
};

// Schema versions 1 through `until` (the latest: axes from the attribute, then the input).
#define ONNXI_REGISTER_REDUCE(index, until)                                                           \
  ONNXI_REGISTER_KERNEL("", kReduceOps[index].name, 1, until, kRef, [](const BuildContext& ctx) { \
    return std::unique_ptr<Kernel>(new ReduceKernel(ctx, kReduceOps[index]));                             \
  })
ONNXI_REGISTER_REDUCE(0, 13);
ONNXI_REGISTER_REDUCE(1, 18);
ONNXI_REGISTER_REDUCE(2, 20);
ONNXI_REGISTER_REDUCE(3, 20);
ONNXI_REGISTER_REDUCE(4, 18);
ONNXI_REGISTER_REDUCE(5, 18);
ONNXI_REGISTER_REDUCE(6, 18);
ONNXI_REGISTER_REDUCE(7, 28);
ONNXI_REGISTER_REDUCE(8, 28);
ONNXI_REGISTER_REDUCE(9, 18);
#undef ONNXI_REGISTER_REDUCE

}  // namespace
}  // namespace onnxi
