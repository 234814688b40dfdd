// LayerNormalization (ai.onnx 17), reference provider: every row X[i0..i(axis-1), :] is
// normalized over the trailing dims [axis, rank) with its own mean and variance, then
// scaled and shifted by Scale and B (broadcast over those trailing dims). Optional outputs
// Mean and InvStdDev have X's shape with the normalized dims set to 1 and the dtype given
// by stash_type. Statistics are computed in double whatever the types.
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/nn/norm_util.h"

namespace onnxi::nn {

namespace {

class LayerNormKernel final : public Kernel {
 public:
  LayerNormKernel(DType dtype, DType stash, int64_t axis, double epsilon, bool has_bias)
      : dtype_(dtype), stash_(stash), axis_(axis), epsilon_(epsilon), has_bias_(has_bias) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) {
      ctx.set_output_dtype(0, dtype_);
      ctx.set_output_dtype(1, stash_);
      ctx.set_output_dtype(2, stash_);
      return;
    }
    const size_t axis = check(*x, ctx.input_shape(1), has_bias_ ? ctx.input_shape(2) : nullptr, Stage::Plan);
    ctx.set_output(0, dtype_, *x);
    Shape stat = *x;
    for (size_t d = axis; d < stat.size(); ++d) stat[d] = 1;
    ctx.set_output(1, stash_, stat);
    ctx.set_output(2, stash_, stat);
  }

  void run(RunContext& ctx) const override {
    std::vector<double> scale_l, bias_l;  // Scale and B broadcast to the normalized block
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* bias = has_bias_ ? &ctx.input(2) : nullptr;
    const size_t axis = check(x.shape(), &scale.shape(), bias ? &bias->shape() : nullptr, Stage::Run);
    const Shape block(x.shape().begin() + static_cast<ptrdiff_t>(axis), x.shape().end());
    broadcast_param(scale, block, &scale_l);
    if (bias)
      broadcast_param(*bias, block, &bias_l);
    else
      bias_l.assign(scale_l.size(), 0.0);
    const int64_t n = static_cast<int64_t>(scale_l.size());
    const int64_t rows = n == 0 ? 0 : x.numel() / n;
    Shape stat = x.shape();
    for (size_t d = axis; d < stat.size(); ++d) stat[d] = 1;
    Tensor* mean = ctx.has_output(1) ? &ctx.output(1) : nullptr;
    Tensor* inv = ctx.has_output(2) ? &ctx.output(2) : nullptr;
    if (x.numel() == 0) return;
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      T* yd = ctx.output(0).data<T>();
      parallel_chunks(ctx.threadpool(), rows, n * 4, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
          const T* xr = xd + r * n;
          T* yr = yd + r * n;
          const MeanVar st = mean_variance(xr, 1, n, n);
          const double m = st.mean;
          const double is = 1.0 / std::sqrt(st.var + epsilon_);
          for (int64_t i = 0; i < n; ++i)
            yr[i] = store_elem<T>(static_cast<compute_t<T>>((static_cast<double>(load_elem(xr[i])) - m) * is *
                                                                scale_l[static_cast<size_t>(i)] +
                                                            bias_l[static_cast<size_t>(i)]));
          if (mean) store_stat(*mean, r, m);
          if (inv) store_stat(*inv, r, is);
        }
      });
    });
  }

  // Validates shapes; returns the normalized axis.
  size_t check(const Shape& x, const Shape* scale, const Shape* bias, Stage stage) const {
    const int64_t r = static_cast<int64_t>(x.size());
    if (r == 0) throw Error(stage, "LayerNormalization needs an input of rank >= 1");
    if (axis_ < -r || axis_ >= r)
      throw Error(stage, "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const size_t axis = static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
    const Shape block(x.begin() + static_cast<ptrdiff_t>(axis), x.end());
    if (scale && !broadcasts_to(*scale, block))
      throw Error(stage, "Scale " + shape_to_string(*scale) + " does not broadcast to the normalized shape " +
                             shape_to_string(block));
    if (bias && !broadcasts_to(*bias, block))
      throw Error(stage, "B " + shape_to_string(*bias) + " does not broadcast to the normalized shape " +
                             shape_to_string(block));
    return axis;
  }

 private:
  static void store_stat(Tensor& t, int64_t i, double v) {
    visit_dtype<kFloatDTypes>(t.dtype(), [&](auto tag) {
      using U = typename decltype(tag)::type;
      t.data<U>()[i] = store_elem<U>(static_cast<compute_t<U>>(v));
    });
  }

  DType dtype_, stash_;
  int64_t axis_;
  double epsilon_;
  bool has_bias_;
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1))
    throw Error(Stage::Build, "LayerNormalization needs inputs X and Scale");
  if (ctx.num_inputs() > 3) throw Error(Stage::Build, "LayerNormalization takes at most 3 inputs");
  if (ctx.num_outputs() < 1 || ctx.num_outputs() > 3 || !ctx.has_output(0))
    throw Error(Stage::Build, "LayerNormalization has outputs Y, Mean and InvStdDev");
  const DType t = ctx.input_dtype(0);
  const bool has_bias = ctx.has_input(2);
  if (ctx.input_dtype(1) != t || (has_bias && ctx.input_dtype(2) != t))
    throw Error(Stage::Build, "X, Scale and B must share one dtype");
  const int64_t axis = ctx.attrs.get_int("axis", -1);
  const float eps = ctx.attrs.get_float("epsilon", 1e-5f);
  if (!(eps >= 0) || std::isinf(eps)) throw Error(Stage::Build, "epsilon must be a non-negative number");
  const int64_t stash_code = ctx.attrs.get_int("stash_type", 1);
  DType stash = DType::Undefined;
  if (stash_code >= 0 && stash_code <= 16)
    stash = dtype_from_onnx(static_cast<int32_t>(stash_code)).value_or(DType::Undefined);
  if (!dtype_in(stash, kFloatDTypes)) throw Error(Stage::Build, "stash_type must name a float type");
  if (!dtype_in(t, kFloatDTypes)) return nullptr;
  auto k = std::make_unique<LayerNormKernel>(t, stash, axis, static_cast<double>(eps), has_bias);
  if (ctx.inputs[0].shape_known)
    k->check(ctx.inputs[0].shape, ctx.inputs[1].shape_known ? &ctx.inputs[1].shape : nullptr,
             has_bias && ctx.inputs[2].shape_known ? &ctx.inputs[2].shape : nullptr, Stage::Build);
  return k;
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "LayerNormalization", 17, 17, kRef, make_ref);

}  // namespace onnxi::nn
