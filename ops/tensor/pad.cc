// Pad: adds pads[d] elements before and pads[d + rank] after each dim d (negative pads
// remove elements first; the other modes then pad what is left). Modes: constant (the fill
// value; default 0, "" or false), edge (repeat the border element), reflect (mirror about
// the border element, as numpy's "reflect") and, from opset 19, wrap (as if the dim were a
// ring, numpy's "wrap").
// Opset 1 has a `paddings` attribute, opsets 2-10 `pads` and a float `value`; from 11 the
// pads (int64) and the optional constant_value are inputs, so the output shape may only be
// known at run time. Its size is checked before allocating. From 18 an optional `axes`
// input (int32/int64, negative counting from the end, no repeats) names the dims the pads
// are for; the others are not padded. Versions 21-25 only add element types.
#include <optional>

#include "ops/common/convert.h"
#include "ops/common/kernel_util.h"
#include "ops/tensor/dim_map_copy.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

enum class PadMode { Constant, Edge, Reflect, Wrap };

class PadKernel : public Kernel {
 public:
  explicit PadKernel(const BuildContext& ctx) : opset_(ctx.opset) {
    if (ctx.node.inputs.empty() || !ctx.has_input(0)) throw Error(Stage::Build, "Pad expects a data input");
    dtype_ = ctx.input_dtype(0);
    const std::string mode = ctx.attrs.get_string("mode", "constant");
    if (mode == "constant")
      mode_ = PadMode::Constant;
    else if (mode == "edge")
      mode_ = PadMode::Edge;
    else if (mode == "reflect")
      mode_ = PadMode::Reflect;
    else if (mode == "wrap" && ctx.opset >= 19)
      mode_ = PadMode::Wrap;
    else if (mode == "wrap")
      throw Error(Stage::Build, "Pad mode 'wrap' needs opset 19 or later");
    else
      throw Error(Stage::Build, "Pad mode '" + mode + "' is not supported");
    value_ = Tensor(dtype_, {});
    if (ctx.opset < 11) {
      const char* name = ctx.opset < 2 ? "paddings" : "pads";
      if (!ctx.attrs.has(name))
        throw Error(Stage::Build, std::string("Pad needs a '") + name + "' attribute");
      attr_pads_ = ctx.attrs.get_ints(name);
      const float v = ctx.attrs.get_float("value", 0.0f);
      visit_dtype<kNumericDTypes | kBoolDTypes>(dtype_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        *static_cast<T*>(value_.raw_data()) = convert_value<T>(v);
      });
    } else {
      if (ctx.node.inputs.size() < 2 || !ctx.has_input(1))
        throw Error(Stage::Build, "Pad expects a 'pads' input");
      dispatch_index(ctx.input_dtype(1), Stage::Build, "Pad pads", [](auto) {});
      if (ctx.has_input(2) && ctx.input_dtype(2) != dtype_)
        throw Error(Stage::Build, "Pad constant_value has dtype " + dtype_str(ctx.input_dtype(2)) +
                                      ", data " + dtype_str(dtype_));
      if (ctx.has_input(3)) {
        if (ctx.opset < 18) throw Error(Stage::Build, "Pad's axes input needs opset 18 or later");
        dispatch_index(ctx.input_dtype(3), Stage::Build, "Pad axes", [](auto) {});
        has_axes_ = true;
      }
    }
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* pads_t = attr_pads_ ? nullptr : ctx.input_value(1);
    const Tensor* axes_t = has_axes_ ? ctx.input_value(3) : nullptr;
    if (x && (attr_pads_ || pads_t) && (!has_axes_ || axes_t))
      ctx.set_output(0, dtype_, output_shape(*x, pads(pads_t, axes_t, x->size(), Stage::Plan), Stage::Plan));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<int64_t> p = pads(attr_pads_ ? nullptr : &ctx.input(1), has_axes_ ? &ctx.input(3) : nullptr,
                                        x.rank(), Stage::Run);
    const Shape out = output_shape(x.shape(), p, Stage::Run);
    const Tensor& value = constant_value(ctx);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    const size_t r = out.size();
    // Per dim: the source index of every output index, or -1 for the constant.
    std::vector<std::vector<int64_t>> map(r);
    for (size_t d = 0; d < r; ++d) {
      // Negative pads crop the dim to [first, first + n); positive ones pad that range.
      const int64_t first = std::max<int64_t>(0, -p[d]);
      const int64_t n = x.shape()[d] - first - std::max<int64_t>(0, -p[d + r]);
      const int64_t before = std::max<int64_t>(0, p[d]);
      map[d].resize(static_cast<size_t>(out[d]));
      for (int64_t c = 0; c < out[d]; ++c) {
        const int64_t i = source_index(c - before, n);
        map[d][c] = i < 0 ? -1 : first + i;
      }
    }
    copy_through_dim_maps(x, y, map, &value);
  }

 private:
  // The pads of every dim (begin values, then end values), from the attribute or the pads
  // input, spread over the dims the axes input names when there is one.
  std::vector<int64_t> pads(const Tensor* t, const Tensor* axes_t, size_t rank, Stage stage) const {
    if (attr_pads_) return *attr_pads_;
    std::vector<int64_t> given = read_int_values(*t, "Pad pads", stage);
    if (!axes_t) return given;
    const std::vector<int64_t> axes = read_int_values(*axes_t, "Pad axes", stage);
    if (given.size() != 2 * axes.size())
      throw Error(stage, "Pad has " + std::to_string(given.size()) + " pads for " + std::to_string(axes.size()) +
                             " axes (needs 2 per axis)");
    std::vector<int64_t> full(2 * rank, 0);
    std::vector<bool> seen(rank, false);
    const int64_t r = static_cast<int64_t>(rank);
    for (size_t i = 0; i < axes.size(); ++i) {
      if (axes[i] < -r || axes[i] >= r)
        throw Error(stage, "Pad axis " + std::to_string(axes[i]) + " is out of range for rank " + std::to_string(r));
      const size_t a = static_cast<size_t>(axes[i] < 0 ? axes[i] + r : axes[i]);
      if (seen[a]) throw Error(stage, "Pad axes name dim " + std::to_string(a) + " twice");
      seen[a] = true;
      full[a] = given[i];
      full[a + rank] = given[i + axes.size()];
    }
    return full;
  }

  const Tensor& constant_value(RunContext& ctx) const {
    if (opset_ < 11 || !ctx.has_input(2) || mode_ != PadMode::Constant) return value_;
    const Tensor& v = ctx.input(2);
    if (v.dtype() != dtype_ || v.numel() != 1)
      throw Error(Stage::Run, "Pad constant_value must be one " + dtype_str(dtype_) + " element");
    return v;
  }

  Shape output_shape(const Shape& x, const std::vector<int64_t>& p, Stage stage) const {
    const size_t r = x.size();
    if (p.size() != 2 * r)
      throw Error(stage, "Pad has " + std::to_string(p.size()) + " pads for rank " + std::to_string(r));
    Shape out(r);
    for (size_t d = 0; d < r; ++d) {
      const int64_t b = p[d], e = p[d + r];
      const int64_t lim = kMaxGeneratedBytes;
      if (b > lim || e > lim || b < -lim || e < -lim) throw Error(stage, "Pad pads are too large");
      out[d] = x[d] + b + e;
      if (out[d] < 0)
        throw Error(stage, "Pad removes more than the " + std::to_string(x[d]) + " elements of dim " +
                               std::to_string(d));
      const int64_t kept = x[d] - std::max<int64_t>(0, -b) - std::max<int64_t>(0, -e);
      if (mode_ != PadMode::Constant && kept <= 0 && out[d] > 0)
        throw Error(stage, "Pad cannot edge-, reflect- or wrap-pad an empty dim");
    }
    checked_output_numel(out, dtype_, stage);
    return out;
  }

  // Source index for position i (relative to the input's start) of a dim of size n.
  int64_t source_index(int64_t i, int64_t n) const {
    if (i >= 0 && i < n) return i;
    switch (mode_) {
      case PadMode::Constant:
        return -1;
      case PadMode::Edge:
        return i < 0 ? 0 : n - 1;
      case PadMode::Reflect: {
        if (n == 1) return 0;
        const int64_t period = 2 * (n - 1);
        int64_t m = i % period;
        if (m < 0) m += period;
        return m < n ? m : period - m;
      }
      case PadMode::Wrap: {
        const int64_t m = i % n;
        return m < 0 ? m + n : m;
      }
    }
    return -1;
  }

  DType dtype_ = DType::Undefined;
  int64_t opset_;
  PadMode mode_ = PadMode::Constant;
  bool has_axes_ = false;
  std::optional<std::vector<int64_t>> attr_pads_;
  Tensor value_;  // fill value for opsets < 11 and the default
};

// Schema versions 1, 2, 11, 13, 18, 19, 21, 23, 24, 25.
ONNXI_REGISTER_KERNEL("", "Pad", 1, 25, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new PadKernel(ctx)); });

}  // namespace
}  // namespace onnxi
