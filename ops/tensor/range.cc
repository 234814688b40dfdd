// Range: start, start + delta, ... up to `limit` (exclusive), max(ceil((limit - start) /
// delta), 0) elements, for scalar inputs of one type (float, double, int16, int32, int64;
// from opset 27 also float16 and bfloat16, computed in float, or in double with
// stash_type = 11, and rounded once per element). The element count depends on the values;
// it is checked before allocating, and a zero delta is an error.
#include <cmath>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

constexpr DTypeSet kHalfDTypes = dtype_bit(DType::Float16) | dtype_bit(DType::BFloat16);
constexpr DTypeSet kRangeDTypes = dtype_bit(DType::Float) | dtype_bit(DType::Double) | dtype_bit(DType::Int16) |
                                  dtype_bit(DType::Int32) | dtype_bit(DType::Int64) | kHalfDTypes;

class RangeKernel : public Kernel {
 public:
  explicit RangeKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 3) throw Error(Stage::Build, "Range expects 3 inputs");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kRangeDTypes))
      throw Error(Stage::Build, "Range does not support " + dtype_str(dtype_) +
                                    " (supported: " + dtype_set_names(kRangeDTypes) + ")");
    if (dtype_in(dtype_, kHalfDTypes) && ctx.opset < 27)
      throw Error(Stage::Build, "Range of " + dtype_str(dtype_) + " needs opset 27 or later");
    for (size_t i = 0; i < 3; ++i)
      if (!ctx.has_input(i) || ctx.input_dtype(i) != dtype_)
        throw Error(Stage::Build, "Range inputs must all be " + dtype_str(dtype_));
    if (ctx.opset >= 27) {
      const int64_t stash = ctx.attrs.get_int("stash_type", 1);
      if (stash != 1 && stash != 11)
        throw Error(Stage::Build, "Range stash_type must be 1 (float) or 11 (double), got " + std::to_string(stash));
      stash_double_ = stash == 11;
    }
  }

  void infer(InferContext& ctx) override {
    const Tensor* a = ctx.input_value(0);
    const Tensor* b = ctx.input_value(1);
    const Tensor* c = ctx.input_value(2);
    if (a && b && c)
      ctx.set_output(0, dtype_, {count(*a, *b, *c, Stage::Plan)});
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor& c = ctx.input(2);
    const int64_t n = count(a, b, c, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, {n});
    visit_dtype<kRangeDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T start = scalar<T>(a), delta = scalar<T>(c);
      T* out = y.data<T>();
      for (int64_t i = 0; i < n; ++i) {
        if constexpr (is_half_v<T>) {
          const double s = load_elem(start), d = load_elem(delta);
          const double v = stash_double_ ? s + static_cast<double>(i) * d
                                         : static_cast<double>(static_cast<float>(s) +
                                                               static_cast<float>(i) * static_cast<float>(d));
          out[i] = store_elem<T>(static_cast<float>(v));
        } else if constexpr (std::is_floating_point_v<T>)
          out[i] = static_cast<T>(start + static_cast<T>(i) * delta);
        else  // wrapping arithmetic: the result lies between start and limit, but i * delta may not fit
          out[i] = static_cast<T>(static_cast<int64_t>(
              static_cast<uint64_t>(start) + static_cast<uint64_t>(i) * static_cast<uint64_t>(delta)));
      }
    });
  }

 private:
  template <class T>
  static T scalar(const Tensor& t) {
    return static_cast<const T*>(t.raw_data())[0];
  }

  int64_t count(const Tensor& a, const Tensor& b, const Tensor& c, Stage stage) const {
    for (const Tensor* t : {&a, &b, &c})
      if (t->numel() != 1)
        throw Error(stage, "Range inputs must be scalars, got shape " + shape_to_string(t->shape()));
    int64_t n = 0;
    visit_dtype<kRangeDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T start = scalar<T>(a), limit = scalar<T>(b), delta = scalar<T>(c);
      if (static_cast<double>(load_elem(delta)) == 0) throw Error(stage, "Range delta must not be 0");
      if constexpr (is_floating_v<T>) {
        const double q = std::ceil((static_cast<double>(load_elem(limit)) - static_cast<double>(load_elem(start))) /
                                   static_cast<double>(load_elem(delta)));
        if (std::isnan(q)) throw Error(stage, "Range of non-finite values");
        if (q > static_cast<double>(kMaxGeneratedBytes)) throw Error(stage, "Range output is too large");
        n = q > 0 ? static_cast<int64_t>(q) : 0;
      } else {
        // Exact in 128 bits: int64 differences can overflow.
        const __int128 span = static_cast<__int128>(limit) - static_cast<__int128>(start);
        const __int128 d = delta;
        __int128 q = span / d;
        if (q * d != span && ((span > 0) == (d > 0))) ++q;  // ceil for a positive quotient
        if (q > kMaxGeneratedBytes) throw Error(stage, "Range output is too large");
        n = q > 0 ? static_cast<int64_t>(q) : 0;
      }
    });
    checked_output_numel({n}, dtype_, stage);
    return n;
  }

  DType dtype_ = DType::Undefined;
  bool stash_double_ = false;  // float16/bfloat16 computed in double (stash_type 11)
};

// Schema versions 11 and 27.
ONNXI_REGISTER_KERNEL("", "Range", 11, 27, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new RangeKernel(ctx)); });

}  // namespace
}  // namespace onnxi
