// RMSNormalization (ai.onnx 23): every row X[i0..i(axis-1), :] is divided by the root of
// the mean of its squares over the trailing dims [axis, rank) plus epsilon, then
// multiplied by Scale (broadcast over those dims). Y has Scale's dtype. Statistics are
// computed in double whatever stash_type names (it only asks for at least that precision).
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/nn/norm_util.h"

namespace onnxi::nn {
namespace {

class RmsNormKernel final : public Kernel {
 public:
  RmsNormKernel(DType x, DType scale, int64_t axis, double epsilon)
      : x_(x), scale_(scale), axis_(axis), epsilon_(epsilon) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, scale_);
    normalized_axis(*x, ctx.input_shape(1), Stage::Plan);
    ctx.set_output(0, scale_, *x);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const size_t axis = normalized_axis(x.shape(), &scale.shape(), Stage::Run);
    const Shape block(x.shape().begin() + static_cast<ptrdiff_t>(axis), x.shape().end());
    if (x.numel() == 0) return;
    std::vector<double> w;
    broadcast_param(scale, block, &w);
    const int64_t n = static_cast<int64_t>(w.size());
    visit_dtype<kFloatDTypes>(x_, [&](auto xtag) {
      using TX = typename decltype(xtag)::type;
      visit_dtype<kFloatDTypes>(scale_, [&](auto ytag) {
        using TY = typename decltype(ytag)::type;
        const TX* xd = x.data<TX>();
        TY* yd = ctx.output(0).data<TY>();
        parallel_chunks(ctx.threadpool(), x.numel() / n, n * 3, [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            const TX* xr = xd + r * n;
            double sq = 0;
            for (int64_t i = 0; i < n; ++i) {
              const double v = static_cast<double>(load_elem(xr[i]));
              sq += v * v;
            }
            const double inv = 1.0 / std::sqrt(sq / static_cast<double>(n) + epsilon_);
            for (int64_t i = 0; i < n; ++i)
              yd[r * n + i] = store_elem<TY>(
                  static_cast<compute_t<TY>>(static_cast<double>(load_elem(xr[i])) * inv * w[static_cast<size_t>(i)]));
          }
        });
      });
    });
  }

  size_t normalized_axis(const Shape& x, const Shape* scale, Stage stage) const {
    const int64_t r = static_cast<int64_t>(x.size());
    if (r == 0) throw Error(stage, "RMSNormalization needs an input of rank >= 1");
    if (axis_ < -r || axis_ >= r)
      throw Error(stage, "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const size_t axis = static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
    const Shape block(x.begin() + static_cast<ptrdiff_t>(axis), x.end());
    if (scale && !broadcasts_to(*scale, block))
      throw Error(stage, "scale " + shape_to_string(*scale) + " does not broadcast to the normalized shape " +
                             shape_to_string(block));
    return axis;
  }

 private:
  DType x_, scale_;
  int64_t axis_;
  double epsilon_;
};

std::unique_ptr<Kernel> make_rms_norm(const BuildContext& ctx) {
  if (ctx.node.inputs.size() != 2 || !ctx.has_input(0) || !ctx.has_input(1))
    throw Error(Stage::Build, "RMSNormalization takes inputs X and scale");
  if (ctx.num_outputs() != 1) throw Error(Stage::Build, "RMSNormalization has one output");
  const DType x = ctx.input_dtype(0), scale = ctx.input_dtype(1);
  if (!dtype_in(x, kFloatDTypes) || !dtype_in(scale, kFloatDTypes))
    throw Error(Stage::Build, "RMSNormalization needs float, double, float16 or bfloat16 X and scale");
  const float eps = ctx.attrs.get_float("epsilon", 1e-5f);
  if (!(eps >= 0) || std::isinf(eps)) throw Error(Stage::Build, "epsilon must be a non-negative number");
  const int64_t stash = ctx.attrs.get_int("stash_type", 1);
  if (stash != 1 && stash != 10 && stash != 11 && stash != 16)
    throw Error(Stage::Build, "stash_type must name a float type (1, 10, 11 or 16)");
  auto k = std::make_unique<RmsNormKernel>(x, scale, ctx.attrs.get_int("axis", -1), static_cast<double>(eps));
  if (ctx.inputs[0].shape_known)
    k->normalized_axis(ctx.inputs[0].shape, ctx.inputs[1].shape_known ? &ctx.inputs[1].shape : nullptr,
                       Stage::Build);
  return k;
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "RMSNormalization", 23, 23, kRef, make_rms_norm);

}  // namespace onnxi::nn
