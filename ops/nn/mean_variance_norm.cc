// MeanVarianceNormalization (ai.onnx 9, 13+), reference provider:
//   Y = (X - mean) / (sqrt(variance) + 1e-9)
// with mean and (population) variance taken over `axes` (default [0, 2, 3]), as the
// op's function body defines it. Computed in double, two passes.
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/nn/norm_util.h"

namespace onnxi::nn {

namespace {

constexpr double kEpsilon = 1e-9;

class MvnKernel final : public Kernel {
 public:
  MvnKernel(DType dtype, std::vector<int64_t> axes) : dtype_(dtype), axes_(std::move(axes)) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, dtype_);
    reduced_mask(*x, Stage::Plan);
    ctx.set_output(0, dtype_, *x);
  }

  void run(RunContext& ctx) const override {
    std::vector<int64_t> group_of;
    std::vector<double> mean, scale;
    const Tensor& x = ctx.input(0);
    const std::vector<bool> reduced = reduced_mask(x.shape(), Stage::Run);
    if (x.numel() == 0) return;
    const Shape& s = x.shape();
    const size_t r = s.size();
    // Group index of an element: its coordinates along the kept dims, row-major.
    std::vector<int64_t> group_stride(r, 0);
    int64_t groups = 1;
    for (size_t d = r; d-- > 0;)
      if (!reduced[d]) {
        group_stride[d] = groups;
        groups *= s[d];
      }
    const int64_t count = x.numel() / groups;
    group_of.resize(static_cast<size_t>(x.numel()));
    {
      std::vector<int64_t> coord(r, 0);
      int64_t g = 0;
      for (int64_t i = 0; i < x.numel(); ++i) {
        group_of[static_cast<size_t>(i)] = g;
        for (size_t d = r; d-- > 0;) {
          g += group_stride[d];
          if (++coord[d] < s[d]) break;
          g -= group_stride[d] * s[d];
          coord[d] = 0;
        }
      }
    }
    mean.assign(static_cast<size_t>(groups), 0.0);
    scale.assign(static_cast<size_t>(groups), 0.0);
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      T* yd = ctx.output(0).data<T>();
      const int64_t n = x.numel();
      for (int64_t i = 0; i < n; ++i)
        mean[static_cast<size_t>(group_of[static_cast<size_t>(i)])] +=
            static_cast<double>(load_elem(xd[i]));
      for (double& m : mean) m /= static_cast<double>(count);
      for (int64_t i = 0; i < n; ++i) {
        const size_t g = static_cast<size_t>(group_of[static_cast<size_t>(i)]);
        const double d = static_cast<double>(load_elem(xd[i])) - mean[g];
        scale[g] += d * d;
      }
      for (double& v : scale) v = 1.0 / (std::sqrt(v / static_cast<double>(count)) + kEpsilon);
      for (int64_t i = 0; i < n; ++i) {
        const size_t g = static_cast<size_t>(group_of[static_cast<size_t>(i)]);
        yd[i] = store_elem<T>(
            static_cast<compute_t<T>>((static_cast<double>(load_elem(xd[i])) - mean[g]) * scale[g]));
      }
    });
  }

  std::vector<bool> reduced_mask(const Shape& x, Stage stage) const {
    const int64_t r = static_cast<int64_t>(x.size());
    std::vector<bool> mask(x.size(), false);
    for (int64_t a : axes_) {
      if (a < -r || a >= r)
        throw Error(stage, "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(r));
      const size_t d = static_cast<size_t>(a < 0 ? a + r : a);
      if (mask[d]) throw Error(stage, "axes must not repeat an axis");
      mask[d] = true;
    }
    return mask;
  }

 private:
  DType dtype_;
  std::vector<int64_t> axes_;
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  if (ctx.num_inputs() != 1 || !ctx.has_input(0) || ctx.num_outputs() != 1)
    throw Error(Stage::Build, "MeanVarianceNormalization takes one input and one output");
  std::vector<int64_t> axes = ctx.attrs.get_ints("axes", {0, 2, 3});
  const DType t = ctx.input_dtype(0);
  if (!dtype_in(t, kFloatDTypes)) return nullptr;
  auto k = std::make_unique<MvnKernel>(t, std::move(axes));
  if (ctx.inputs[0].shape_known) k->reduced_mask(ctx.inputs[0].shape, Stage::Build);
  return k;
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "MeanVarianceNormalization", 9, 13, kRef, make_ref);

}  // namespace onnxi::nn
