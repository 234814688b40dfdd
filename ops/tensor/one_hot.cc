// OneHot: inserts a dim of size `depth` at `axis` (default -1, innermost); the output holds
// values[1] (on) where the position along it equals the index and values[0] (off)
// elsewhere. Indices and depth may be any numeric type (cast to int64, truncating);
// negative indices count from depth, and indices outside [-depth, depth-1] give an all-off
// row. Values may be any dtype. The output shape depends on depth's value.
#include "ops/common/convert.h"
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

// Element i of a numeric tensor as int64 (floats truncate toward zero, saturating).
int64_t int_value(const Tensor& t, int64_t i, const std::string& what, Stage stage) {
  int64_t v = 0;
  if (!visit_dtype<kNumericDTypes>(t.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        v = convert_value<int64_t>(static_cast<const T*>(t.raw_data())[i]);
      }))
    throw Error(stage, what + " must be numeric, got " + dtype_str(t.dtype()));
  return v;
}

class OneHotKernel : public Kernel {
 public:
  explicit OneHotKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 3 || !ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2))
      throw Error(Stage::Build, "OneHot expects 3 inputs");
    for (size_t i = 0; i < 2; ++i)
      if (!dtype_in(ctx.input_dtype(i), kNumericDTypes))
        throw Error(Stage::Build, std::string(i ? "OneHot depth" : "OneHot indices") +
                                      " must be numeric, got " + dtype_str(ctx.input_dtype(i)));
    dtype_ = ctx.input_dtype(2);
    axis_ = ctx.attrs.get_int("axis", -1);
  }

  void infer(InferContext& ctx) override {
    const Shape* idx = ctx.input_shape(0);
    const Tensor* depth = ctx.input_value(1);
    if (idx && depth)
      ctx.set_output(0, dtype_, output_shape(*idx, depth_of(*depth, Stage::Plan), nullptr, Stage::Plan));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& idx = ctx.input(0);
    const Tensor& values = ctx.input(2);
    const int64_t depth = depth_of(ctx.input(1), Stage::Run);
    if (values.numel() != 2)
      throw Error(Stage::Run, "OneHot values must hold 2 elements, got " + std::to_string(values.numel()));
    size_t axis = 0;
    const Shape out = output_shape(idx.shape(), depth, &axis, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    if (y.numel() == 0) return;
    const int64_t outer = dims_product(idx.shape(), 0, axis);
    const int64_t inner = dims_product(idx.shape(), axis, idx.rank());
    const Tensor idx64 = idx.dtype() == DType::Int64 ? idx : convert_tensor(idx, DType::Int64);
    const int64_t* iv = idx64.data<int64_t>();
    std::vector<int64_t> pos(static_cast<size_t>(idx.numel()));
    for (int64_t i = 0; i < idx.numel(); ++i) {
      int64_t v = iv[i];
      if (v < 0 && v >= -depth) v += depth;
      pos[i] = v >= 0 && v < depth ? v : -1;
    }
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* vals = elements<S>(values);
      S* dst = elements<S>(y);
      std::fill(dst, dst + y.numel(), vals[0]);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t p = pos[o * inner + i];
          if (p >= 0) dst[(o * depth + p) * inner + i] = vals[1];
        }
    });
  }

 private:
  static int64_t depth_of(const Tensor& t, Stage stage) {
    if (t.numel() != 1)
      throw Error(stage, "OneHot depth must be a scalar, got shape " + shape_to_string(t.shape()));
    const int64_t d = int_value(t, 0, "OneHot depth", stage);
    if (d < 1) throw Error(stage, "OneHot depth must be >= 1, got " + std::to_string(d));
    return d;
  }

  Shape output_shape(const Shape& idx, int64_t depth, size_t* axis_out, Stage stage) const {
    const int64_t r = static_cast<int64_t>(idx.size()) + 1;
    if (axis_ < -r || axis_ >= r)
      throw Error(stage, "OneHot axis " + std::to_string(axis_) + " is out of range for output rank " +
                             std::to_string(r));
    const int64_t axis = axis_ < 0 ? axis_ + r : axis_;
    Shape out = idx;
    out.insert(out.begin() + axis, depth);
    checked_output_numel(out, dtype_, stage);
    if (axis_out) *axis_out = static_cast<size_t>(axis);
    return out;
  }

  DType dtype_ = DType::Undefined;
  int64_t axis_ = -1;
};

ONNXI_REGISTER_KERNEL("", "OneHot", 9, 28, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new OneHotKernel(ctx)); });

}  // namespace
}  // namespace onnxi
