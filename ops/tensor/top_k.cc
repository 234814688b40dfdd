// TopK: the k largest (or, from opset 11, smallest) elements along an axis, with their int64
// indices. k is an attribute before opset 10 and a 1-element int64 input after. Results are
// always sorted (also for sorted=0, where any order is allowed); equal values keep the lower
// index first, and NaN counts as larger than every number.
#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "ops/common/broadcast.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class TopKKernel : public Kernel {
 public:
  explicit TopKKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0)) throw Error(Stage::Build, "TopK expects a data input");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kNumericDTypes))
      throw Error(Stage::Build, "TopK does not support " + std::string(dtype_name(dtype_)));
    axis_ = ctx.attrs.get_int("axis", -1);
    if (ctx.opset < 10) {
      attr_k_ = ctx.attrs.get_int("k");
      if (*attr_k_ < 0) throw Error(Stage::Build, "k must be >= 0, got " + std::to_string(*attr_k_));
    } else {
      if (!ctx.has_input(1)) throw Error(Stage::Build, "TopK expects a 'K' input");
      if (ctx.input_dtype(1) != DType::Int64)
        throw Error(Stage::Build, "K must be int64, got " + std::string(dtype_name(ctx.input_dtype(1))));
    }
    // `sorted` (opset 11) needs no reading: any order is valid for sorted=0, and ours is sorted.
    if (ctx.opset >= 11) largest_ = ctx.attrs.get_int("largest", 1) != 0;
  }

  void infer(InferContext& ctx) override {
    const Shape* s = ctx.input_shape(0);
    std::optional<int64_t> k = k_of(ctx.input_value(1), Stage::Plan);
    if (!s || !k) {
      ctx.set_output_dtype(0, dtype_);
      ctx.set_output_dtype(1, DType::Int64);
      return;
    }
    Shape out = out_shape(*s, *k, nullptr, Stage::Plan);
    ctx.set_output(0, dtype_, out);
    ctx.set_output(1, DType::Int64, out);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::optional<int64_t> k = k_of(ctx.has_input(1) ? &ctx.input(1) : nullptr, Stage::Run);
    if (!k) throw Error(Stage::Run, "K is not known");
    size_t axis = 0;
    const Shape out = out_shape(x.shape(), *k, &axis, Stage::Run);
    Tensor* values = ctx.has_output(0) ? &output_for(ctx, 0, dtype_, out) : nullptr;
    Tensor* indices = ctx.has_output(1) ? &output_for(ctx, 1, DType::Int64, out) : nullptr;
    if (shape_numel(out) == 0) return;
    const int64_t outer = dims_product(x.shape(), 0, axis);
    const int64_t n = x.shape()[axis];
    const int64_t inner = dims_product(x.shape(), axis + 1, x.rank());
    visit_dtype<kNumericDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      compute<T>(x.data<T>(), values ? values->data<T>() : nullptr,
                 indices ? indices->data<int64_t>() : nullptr, outer, n, inner, *k, ctx.threadpool());
    });
  }

 private:
  std::optional<int64_t> k_of(const Tensor* value, Stage stage) const {
    if (attr_k_) return attr_k_;
    if (!value) return std::nullopt;
    if (value->numel() != 1 || value->rank() > 1)
      throw Error(stage, "K must hold one value, got shape " + shape_to_string(value->shape()));
    const int64_t k = read_int_values(value->reshaped({1}), "K", stage)[0];
    if (k < 0) throw Error(stage, "K must be >= 0, got " + std::to_string(k));
    return k;
  }

  Shape out_shape(const Shape& in, int64_t k, size_t* axis_out, Stage stage) const {
    const int64_t r = static_cast<int64_t>(in.size());
    if (axis_ < -r || axis_ >= r)
      throw Error(stage, "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const size_t axis = static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
    if (k > in[axis])
      throw Error(stage,
                  "K " + std::to_string(k) + " is larger than the axis size " + std::to_string(in[axis]));
    Shape out = in;
    out[axis] = k;
    if (axis_out) *axis_out = axis;
    return out;
  }

  template <class T>
  void compute(const T* x, T* values, int64_t* indices, int64_t outer, int64_t n, int64_t inner, int64_t k,
               pthreadpool_t pool) const {
    using C = compute_t<T>;
    struct Item {
      C v;
      int64_t i;
    };
    // Total order on values: NaN above every number, NaNs equal.
    auto value_less = [](C a, C b) {
      if constexpr (std::is_floating_point_v<C>)
        return !std::isnan(a) && (std::isnan(b) || a < b);
      else
        return a < b;
    };
    const bool largest = largest_;
    auto before = [&](const Item& a, const Item& b) {
      if (largest ? value_less(b.v, a.v) : value_less(a.v, b.v)) return true;
      if (largest ? value_less(a.v, b.v) : value_less(b.v, a.v)) return false;
      return a.i < b.i;
    };
    parallel_chunks(pool, outer * inner, n * 4, [&](int64_t r0, int64_t r1) {
      std::vector<Item> items(static_cast<size_t>(n));
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t o = r / inner, j = r % inner;
        const T* xo = x + o * n * inner + j;
        for (int64_t i = 0; i < n; ++i) items[i] = {load_elem(xo[i * inner]), i};
        std::partial_sort(items.begin(), items.begin() + k, items.end(), before);
        for (int64_t i = 0; i < k; ++i) {
          const int64_t at = o * k * inner + i * inner + j;
          if (values) values[at] = xo[items[i].i * inner];
          if (indices) indices[at] = items[i].i;
        }
      }
    });
  }

  DType dtype_ = DType::Undefined;
  int64_t axis_ = -1;
  std::optional<int64_t> attr_k_;
  bool largest_ = true;
};

ONNXI_REGISTER_KERNEL("", "TopK", 1, 24, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new TopKKernel(ctx)); });

}  // namespace
}  // namespace onnxi
