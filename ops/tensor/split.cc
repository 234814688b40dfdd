// Split: cuts the input along `axis` into the node's outputs, with lengths from `split` (an
// attribute before opset 13, an optional int64 input from 13; opset 1 accepted either) or
// equal parts when it is absent. Before opset 18 the dim must then divide evenly; from 18
// (attribute `num_outputs`, which must match the node's outputs and excludes `split`) the
// parts are ceil(dim / n) long and the last one takes what is left. Any dtype.
#include <optional>

#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class SplitKernel : public Kernel {
 public:
  explicit SplitKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.empty() || !ctx.has_input(0)) throw Error(Stage::Build, "Split expects an input");
    if (ctx.num_outputs() < 1) throw Error(Stage::Build, "Split expects at least 1 output");
    dtype_ = ctx.input_dtype(0);
    axis_ = ctx.attrs.get_int("axis", 0);
    if (ctx.opset < 13 && ctx.attrs.has("split")) attr_split_ = ctx.attrs.get_ints("split");
    if ((ctx.opset == 1 || ctx.opset >= 13) && ctx.has_input(1)) {
      if (attr_split_) throw Error(Stage::Build, "Split has both a 'split' attribute and input");
      dispatch_index(ctx.input_dtype(1), Stage::Build, "Split split", [](auto) {});
      split_input_ = true;
    }
    num_outputs_ = ctx.num_outputs();
    if (ctx.opset >= 18) {
      uneven_ = true;
      if (ctx.attrs.has("num_outputs")) {
        const int64_t n = ctx.attrs.get_int("num_outputs");
        if (split_input_) throw Error(Stage::Build, "Split has both a 'split' input and 'num_outputs'");
        if (n < 1 || static_cast<size_t>(n) != num_outputs_)
          throw Error(Stage::Build, "Split num_outputs is " + std::to_string(n) + " but the node has " +
                                        std::to_string(num_outputs_) + " outputs");
      }
    }
    if (attr_split_) check_split(*attr_split_, Stage::Build);
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* sv = split_input_ ? ctx.input_value(1) : nullptr;
    if (!x || (split_input_ && !sv)) {
      for (size_t i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_dtype(i, dtype_);
      return;
    }
    int64_t axis = 0;
    std::vector<int64_t> lens = lengths(*x, sv, &axis, Stage::Plan);
    for (size_t i = 0; i < ctx.num_outputs(); ++i) {
      Shape s = *x;
      s[axis] = lens[i];
      ctx.set_output(i, dtype_, s);
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor* sv = split_input_ ? &ctx.input(1) : nullptr;
    int64_t axis = 0;
    std::vector<int64_t> lens = lengths(x.shape(), sv, &axis, Stage::Run);
    const int64_t outer = dims_product(x.shape(), 0, static_cast<size_t>(axis));
    const int64_t inner = dims_product(x.shape(), static_cast<size_t>(axis) + 1, x.rank());
    const int64_t row = x.shape()[axis] * inner;
    int64_t offset = 0;  // elements into each input row
    for (size_t i = 0; i < lens.size(); ++i) {
      Shape s = x.shape();
      s[axis] = lens[i];
      const int64_t part = lens[i] * inner;
      if (!ctx.has_output(i)) {
        offset += part;
        continue;
      }
      Tensor& y = output_for(ctx, i, dtype_, s);
      if (y.numel() > 0) {
        dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
          using S = typename decltype(tag)::type;
          const S* src = elements<S>(x);
          S* dst = elements<S>(y);
          for (int64_t o = 0; o < outer; ++o)
            std::copy(src + o * row + offset, src + o * row + offset + part, dst + o * part);
        });
      }
      offset += part;
    }
  }

 private:
  void check_split(const std::vector<int64_t>& split, Stage stage) const {
    if (split.size() != num_outputs_)
      throw Error(stage, "Split has " + std::to_string(split.size()) + " lengths for " +
                             std::to_string(num_outputs_) + " outputs");
    for (int64_t v : split)
      if (v < 0) throw Error(stage, "Split lengths must be >= 0, got " + std::to_string(v));
  }

  std::vector<int64_t> lengths(const Shape& x, const Tensor* sv, int64_t* axis_out, Stage stage) const {
    const int64_t r = static_cast<int64_t>(x.size());
    if (axis_ < -r || axis_ >= r)
      throw Error(stage,
                  "Split axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const int64_t axis = axis_ < 0 ? axis_ + r : axis_;
    *axis_out = axis;
    const int64_t dim = x[axis];
    std::vector<int64_t> lens;
    if (attr_split_) {
      lens = *attr_split_;
    } else if (sv) {
      lens = read_int_values(*sv, "Split split", stage);
      check_split(lens, stage);
    } else {
      const int64_t n = static_cast<int64_t>(num_outputs_);
      if (dim % n != 0 && !uneven_)
        throw Error(stage, "Split cannot divide a dim of " + std::to_string(dim) + " into " +
                               std::to_string(n) + " equal parts (before opset 18)");
      const int64_t chunk = dim / n + (dim % n != 0 ? 1 : 0);
      lens.assign(num_outputs_, chunk);
      lens.back() = dim - chunk * (n - 1);
      if (lens.back() < 0)
        throw Error(stage, "Split cannot cut a dim of " + std::to_string(dim) + " into " + std::to_string(n) +
                               " parts of " + std::to_string(chunk) + " with a smaller last one");
    }
    int64_t total = 0;
    for (int64_t v : lens) {
      if (v > dim - total) {
        total = -1;
        break;
      }
      total += v;
    }
    if (total != dim) throw Error(stage, "Split lengths do not add up to the dim of " + std::to_string(dim));
    return lens;
  }

  DType dtype_ = DType::Undefined;
  int64_t axis_ = 0;
  size_t num_outputs_ = 0;
  std::optional<std::vector<int64_t>> attr_split_;
  bool split_input_ = false;
  bool uneven_ = false;  // opset >= 18: the last part may be smaller
};

// Schema versions 1, 2, 11, 13, 18.
ONNXI_REGISTER_KERNEL("", "Split", 1, 18, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new SplitKernel(ctx)); });

}  // namespace
}  // namespace onnxi
