// Slice: numpy-style data[start:end:step] on the listed axes (all leading axes when `axes`
// is omitted). Opset 1 takes starts/ends/axes as attributes; from opset 10 they are inputs
// (int32/int64) with optional `steps` (negative steps slice backwards). Negative starts and
// ends count from the end and out-of-range values are clamped, as in numpy. When the
// arguments are not constants the output shape is only known at run time.
#include <optional>

#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

struct SliceArgs {
  std::vector<int64_t> starts, ends, axes, steps;
};

// Per data dim: first element, step and element count of the slice.
struct SlicePlan {
  std::vector<int64_t> start, step;
  Shape out;
};

class SliceKernel : public Kernel {
 public:
  explicit SliceKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.empty() || !ctx.has_input(0)) throw Error(Stage::Build, "Slice expects a data input");
    dtype_ = ctx.input_dtype(0);
    if (ctx.opset < 10) {
      SliceArgs a;
      a.starts = ctx.attrs.get_ints("starts");
      a.ends = ctx.attrs.get_ints("ends");
      if (!ctx.attrs.has("starts") || !ctx.attrs.has("ends"))
        throw Error(Stage::Build, "Slice (opset < 10) needs 'starts' and 'ends' attributes");
      if (ctx.attrs.has("axes")) a.axes = ctx.attrs.get_ints("axes");
      attr_args_ = std::move(a);
    } else {
      if (ctx.node.inputs.size() < 3 || !ctx.has_input(1) || !ctx.has_input(2))
        throw Error(Stage::Build, "Slice expects 'starts' and 'ends' inputs");
      for (size_t i = 1; i < ctx.node.inputs.size() && i < 5; ++i)
        if (ctx.has_input(i)) dispatch_index(ctx.input_dtype(i), Stage::Build, "Slice argument", [](auto) {});
    }
  }

  void infer(InferContext& ctx) override {
    const Shape* data = ctx.input_shape(0);
    std::optional<SliceArgs> args = arguments([&](size_t i) -> const Tensor* { return ctx.input_value(i); },
                                              [&](size_t i) { return ctx.has_input(i); }, Stage::Plan);
    if (data && args)
      ctx.set_output(0, dtype_, plan(*data, *args, Stage::Plan).out);
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::optional<SliceArgs> args =
        arguments([&](size_t i) -> const Tensor* { return ctx.has_input(i) ? &ctx.input(i) : nullptr; },
                  [&](size_t i) { return ctx.has_input(i); }, Stage::Run);
    if (!args) throw Error(Stage::Run, "Slice arguments are missing");
    const SlicePlan p = plan(x.shape(), *args, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, p.out);
    if (y.numel() == 0) return;
    const std::vector<int64_t> xs = strides_of(x.shape());
    std::array<std::vector<int64_t>, 1> st{xs};
    int64_t base = 0;
    for (size_t d = 0; d < xs.size(); ++d) {
      base += p.start[d] * xs[d];
      // With two or more elements |step| < dim, so the product fits; otherwise it is unused.
      st[0][d] = p.out[d] > 1 ? p.step[d] * xs[d] : 0;
    }
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* src = elements<S>(x) + base;
      S* dst = elements<S>(y);
      for_each_row<1>(
          p.out, st, 0, row_count(p.out),
          [&](const std::array<int64_t, 1>& off, int64_t o, int64_t len, const std::array<int64_t, 1>& in) {
            const S* s = src + off[0];
            if (in[0] == 1) {
              std::copy(s, s + len, dst + o);
            } else {
              for (int64_t i = 0; i < len; ++i) dst[o + i] = s[i * in[0]];
            }
          });
    });
  }

 private:
  // The arguments from the attributes or inputs 1-4; nullopt while an input value is unknown.
  template <class GetValue, class HasInput>
  std::optional<SliceArgs> arguments(GetValue value, HasInput has, Stage stage) const {
    if (attr_args_) return attr_args_;
    SliceArgs a;
    std::vector<int64_t>* dst[4] = {&a.starts, &a.ends, &a.axes, &a.steps};
    const char* names[4] = {"Slice starts", "Slice ends", "Slice axes", "Slice steps"};
    for (size_t i = 1; i <= 4; ++i) {
      if (!has(i)) continue;
      const Tensor* t = value(i);
      if (!t) return std::nullopt;
      *dst[i - 1] = read_int_values(*t, names[i - 1], stage);
    }
    return a;
  }

  static SlicePlan plan(const Shape& data, const SliceArgs& a, Stage stage) {
    const int64_t r = static_cast<int64_t>(data.size());
    const size_t n = a.starts.size();
    if (a.ends.size() != n || (!a.axes.empty() && a.axes.size() != n) ||
        (!a.steps.empty() && a.steps.size() != n))
      throw Error(stage, "Slice starts, ends, axes and steps differ in length");
    SlicePlan p;
    p.start.assign(data.size(), 0);
    p.step.assign(data.size(), 1);
    p.out = data;
    std::vector<bool> seen(data.size(), false);
    for (size_t i = 0; i < n; ++i) {
      int64_t axis = a.axes.empty() ? static_cast<int64_t>(i) : a.axes[i];
      if (axis < -r || axis >= r)
        throw Error(stage,
                    "Slice axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r));
      if (axis < 0) axis += r;
      if (seen[axis]) throw Error(stage, "Slice axes repeat axis " + std::to_string(axis));
      seen[axis] = true;
      const int64_t dim = data[axis];
      const int64_t step = a.steps.empty() ? 1 : a.steps[i];
      if (step == 0) throw Error(stage, "Slice step must not be 0");
      int64_t start = a.starts[i], end = a.ends[i];
      // Values near INT64_MIN/MAX stand for "from the very start / to the very end".
      if (start < 0) start = start < -dim ? -1 : start + dim;
      if (end < 0) end = end < -dim ? -1 : end + dim;
      int64_t count;
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        count = end > start ? (end - start - 1) / step + 1 : 0;
      } else {
        start = std::clamp<int64_t>(start, -1, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        // |step| as unsigned: -(step + 1) + 1 avoids negating INT64_MIN.
        const uint64_t mag = static_cast<uint64_t>(-(step + 1)) + 1;
        count = start > end ? static_cast<int64_t>(static_cast<uint64_t>(start - end - 1) / mag) + 1 : 0;
      }
      p.start[axis] = count > 0 ? start : 0;
      p.step[axis] = step;
      p.out[axis] = count;
    }
    return p;
  }

  DType dtype_ = DType::Undefined;
  std::optional<SliceArgs> attr_args_;
};

ONNXI_REGISTER_KERNEL("", "Slice", 1, 13, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new SliceKernel(ctx)); });

}  // namespace
}  // namespace onnxi
