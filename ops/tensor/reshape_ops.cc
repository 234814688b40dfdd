// Ops that only change a tensor's shape: Reshape, Flatten, Squeeze, Unsqueeze. The data is
// copied unchanged (the graph passes can drop these nodes or alias their buffers).
//
// Reshape's `shape` and Squeeze/Unsqueeze's `axes` are inputs from opsets 5 and 13; when they
// are not constants the output shape is only known at run time.
#include <algorithm>
#include <optional>

#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

// Shared shape-only kernel: subclasses compute the output shape from the input shape and
// (optionally) the value of input 1.
class ShapeOnlyKernel : public Kernel {
 public:
  explicit ShapeOnlyKernel(const BuildContext& ctx) : dtype_(ctx.input_dtype(0)) {
    if (!ctx.has_input(0)) throw Error(Stage::Build, ctx.node.op_type + " expects a data input");
  }

  void infer(InferContext& ctx) override {
    std::optional<Shape> s = output_shape(ctx.input_shape(0), ctx.input_value(1), Stage::Plan);
    if (s)
      ctx.set_output(0, dtype_, std::move(*s));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor* arg = ctx.has_input(1) ? &ctx.input(1) : nullptr;
    std::optional<Shape> s = output_shape(&x.shape(), arg, Stage::Run);
    if (!s) throw Error(Stage::Run, "output shape could not be determined");
    if (shape_numel(*s) != x.numel())
      throw Error(Stage::Run, "cannot reshape " + shape_to_string(x.shape()) + " to " + shape_to_string(*s));
    Tensor& y = output_for(ctx, 0, dtype_, *s);
    copy_elements(x, y);
  }
  // Moves whole storage (copy_elements copies nbytes), so packed 4/2-bit tensors are fine.
  bool handles_packed_dtypes() const override { return true; }

 protected:
  // nullopt when the shape cannot be known yet (input shape or argument value unknown).
  virtual std::optional<Shape> output_shape(const Shape* in, const Tensor* arg, Stage stage) const = 0;
  DType dtype_;
};

// ---- Reshape ----

class ReshapeKernel : public ShapeOnlyKernel {
 public:
  explicit ReshapeKernel(const BuildContext& ctx) : ShapeOnlyKernel(ctx) {
    if (ctx.opset < 5) {
      attr_shape_ = ctx.attrs.get_ints("shape");
      if (!ctx.attrs.has("shape")) throw Error(Stage::Build, "Reshape (opset < 5) needs a 'shape' attribute");
    } else if (!ctx.has_input(1)) {
      throw Error(Stage::Build, "Reshape expects a 'shape' input");
    } else if (ctx.input_dtype(1) != DType::Int64) {
      throw Error(Stage::Build,
                  "Reshape shape must be int64, got " + std::string(dtype_name(ctx.input_dtype(1))));
    }
    allow_zero_ = ctx.opset >= 14 && ctx.attrs.get_int("allowzero", 0) != 0;
    if (const Tensor* s = ctx.constant_input(1))
      validate(read_int_values(*s, "Reshape shape", Stage::Build), Stage::Build);
    if (attr_shape_) validate(*attr_shape_, Stage::Build);
  }

 protected:
  std::optional<Shape> output_shape(const Shape* in, const Tensor* arg, Stage stage) const override {
    std::vector<int64_t> req;
    if (attr_shape_)
      req = *attr_shape_;
    else if (arg)
      req = read_int_values(*arg, "Reshape shape", stage);
    else
      return std::nullopt;
    validate(req, stage);
    Shape out(req.size());
    int64_t infer_at = -1, known = 1;
    for (size_t i = 0; i < req.size(); ++i) {
      if (req[i] == -1) {
        infer_at = static_cast<int64_t>(i);
        continue;
      }
      if (req[i] == 0 && !allow_zero_) {
        if (!in) return std::nullopt;
        if (i >= in->size())
          throw Error(stage, "Reshape shape copies dim " + std::to_string(i) + " of a rank-" +
                                 std::to_string(in->size()) + " input");
        out[i] = (*in)[i];
      } else {
        out[i] = req[i];
      }
      if (__builtin_mul_overflow(known, out[i], &known))
        throw Error(stage, "Reshape shape " + request_string(req) + ": element count overflows int64");
    }
    if (!in) return infer_at < 0 ? std::optional<Shape>(out) : std::nullopt;
    const int64_t total = shape_numel(*in);
    if (infer_at >= 0) {
      if (known == 0 || total % known != 0)
        throw Error(stage, "cannot reshape " + shape_to_string(*in) + " to " + request_string(req));
      out[infer_at] = total / known;
    } else if (shape_numel(out) != total) {
      throw Error(stage, "cannot reshape " + shape_to_string(*in) + " to " + request_string(req));
    }
    return out;
  }

 private:
  void validate(const std::vector<int64_t>& req, Stage stage) const {
    int minus_ones = 0;
    bool zero = false;
    for (int64_t v : req) {
      if (v < -1) throw Error(stage, "Reshape shape has invalid value " + std::to_string(v));
      minus_ones += v == -1;
      zero |= v == 0;
    }
    if (minus_ones > 1) throw Error(stage, "Reshape shape has more than one -1");
    if (allow_zero_ && zero && minus_ones)
      throw Error(stage, "Reshape shape has both 0 and -1 with allowzero=1");
  }
  static std::string request_string(const std::vector<int64_t>& req) { return shape_to_string(Shape(req)); }

  std::optional<std::vector<int64_t>> attr_shape_;
  bool allow_zero_ = false;
};

// ---- Flatten ----

class FlattenKernel : public ShapeOnlyKernel {
 public:
  explicit FlattenKernel(const BuildContext& ctx) : ShapeOnlyKernel(ctx) {
    axis_ = ctx.attrs.get_int("axis", 1);
    if (axis_ < 0 && ctx.opset < 11) throw Error(Stage::Build, "Flatten axis must be >= 0 before opset 11");
  }

 protected:
  std::optional<Shape> output_shape(const Shape* in, const Tensor*, Stage stage) const override {
    if (!in) return std::nullopt;
    const int64_t r = static_cast<int64_t>(in->size());
    int64_t axis = axis_ < 0 ? axis_ + r : axis_;
    if (axis < 0 || axis > r)
      throw Error(stage,
                  "Flatten axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    return Shape{dims_product(*in, 0, static_cast<size_t>(axis)),
                 dims_product(*in, static_cast<size_t>(axis), in->size())};
  }

 private:
  int64_t axis_ = 1;
};

// ---- Squeeze / Unsqueeze ----

// Axes from the attribute (opset < 13) or the input value; nullopt when not known yet.
std::optional<std::vector<int64_t>> axes_of(const std::optional<std::vector<int64_t>>& attr,
                                            const Tensor* arg, Stage stage) {
  if (attr) return attr;
  if (!arg) return std::nullopt;
  return read_int_values(*arg, "axes", stage);
}

// Normalizes axes against `rank`, rejecting out-of-range and repeated axes.
std::vector<int64_t> normalize_axes(std::vector<int64_t> axes, int64_t rank, bool allow_negative,
                                    Stage stage) {
  for (int64_t& a : axes) {
    if (a < 0 && !allow_negative)
      throw Error(stage, "negative axis " + std::to_string(a) + " before opset 11");
    if (a < -rank || a >= rank)
      throw Error(stage, "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
    if (a < 0) a += rank;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    throw Error(stage, "axes contain a repeated axis");
  return axes;
}

class AxesKernel : public ShapeOnlyKernel {
 public:
  AxesKernel(const BuildContext& ctx, bool required) : ShapeOnlyKernel(ctx), opset_(ctx.opset) {
    if (ctx.opset < 13) {
      if (ctx.attrs.has("axes"))
        attr_axes_ = ctx.attrs.get_ints("axes");
      else if (required)
        throw Error(Stage::Build, ctx.node.op_type + " needs an 'axes' attribute");
    } else if (ctx.has_input(1)) {
      DType t = ctx.input_dtype(1);
      if (t != DType::Int64)
        throw Error(Stage::Build, "axes must be int64, got " + std::string(dtype_name(t)));
    } else if (required) {
      throw Error(Stage::Build, ctx.node.op_type + " expects an 'axes' input");
    }
    has_axes_ = attr_axes_.has_value() || (ctx.opset >= 13 && ctx.has_input(1));
  }

 protected:
  std::optional<std::vector<int64_t>> attr_axes_;
  bool has_axes_ = false;
  int64_t opset_;
};

class SqueezeKernel : public AxesKernel {
 public:
  explicit SqueezeKernel(const BuildContext& ctx) : AxesKernel(ctx, false) {}

 protected:
  std::optional<Shape> output_shape(const Shape* in, const Tensor* arg, Stage stage) const override {
    if (!in) return std::nullopt;
    Shape out;
    if (!has_axes_) {
      for (int64_t d : *in)
        if (d != 1) out.push_back(d);
      return out;
    }
    auto axes = axes_of(attr_axes_, arg, stage);
    if (!axes) return std::nullopt;
    std::vector<int64_t> ax = normalize_axes(*axes, static_cast<int64_t>(in->size()), opset_ >= 11, stage);
    for (int64_t a : ax)
      if ((*in)[a] != 1)
        throw Error(stage, "cannot squeeze axis " + std::to_string(a) + " of size " +
                               std::to_string((*in)[a]) + " in " + shape_to_string(*in));
    for (size_t i = 0; i < in->size(); ++i)
      if (!std::binary_search(ax.begin(), ax.end(), static_cast<int64_t>(i))) out.push_back((*in)[i]);
    return out;
  }
};

class UnsqueezeKernel : public AxesKernel {
 public:
  explicit UnsqueezeKernel(const BuildContext& ctx) : AxesKernel(ctx, true) {}

 protected:
  std::optional<Shape> output_shape(const Shape* in, const Tensor* arg, Stage stage) const override {
    if (!in) return std::nullopt;
    auto axes = axes_of(attr_axes_, arg, stage);
    if (!axes) return std::nullopt;
    const int64_t out_rank = static_cast<int64_t>(in->size() + axes->size());
    std::vector<int64_t> ax = normalize_axes(*axes, out_rank, opset_ >= 11, stage);
    Shape out;
    size_t next = 0;
    for (int64_t i = 0; i < out_rank; ++i) {
      if (std::binary_search(ax.begin(), ax.end(), i))
        out.push_back(1);
      else
        out.push_back((*in)[next++]);
    }
    return out;
  }
};

template <class K>
KernelFactory shape_only_factory() {
  return [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new K(ctx)); };
}

ONNXI_REGISTER_KERNEL("", "Reshape", 1, 25, kRef, shape_only_factory<ReshapeKernel>());
ONNXI_REGISTER_KERNEL("", "Flatten", 1, 25, kRef, shape_only_factory<FlattenKernel>());
ONNXI_REGISTER_KERNEL("", "Squeeze", 1, 25, kRef, shape_only_factory<SqueezeKernel>());
ONNXI_REGISTER_KERNEL("", "Unsqueeze", 1, 25, kRef, shape_only_factory<UnsqueezeKernel>());

}  // namespace
}  // namespace onnxi
