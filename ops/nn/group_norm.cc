// GroupNormalization (ai.onnx 18 and 21): the channels of X [N, C, D1, ...] are split into
// num_groups groups; each (instance, group) block is normalized with its own mean and
// variance, then scaled and shifted. The versions differ in the parameters' shape: at 18
// scale and bias hold one value per group, from 21 one per channel (18 is deprecated).
// Statistics are computed in double whatever stash_type names.
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/nn/norm_util.h"

namespace onnxi::nn {
namespace {

class GroupNormKernel final : public Kernel {
 public:
  GroupNormKernel(DType t, int64_t groups, double epsilon, bool per_channel)
      : t_(t), groups_(groups), epsilon_(epsilon), per_channel_(per_channel) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, t_);
    check(*x, ctx.input_shape(1), ctx.input_shape(2), Stage::Plan);
    ctx.set_output(0, t_, *x);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor& bias = ctx.input(2);
    check(x.shape(), &scale.shape(), &bias.shape(), Stage::Run);
    if (x.numel() == 0) return;
    const int64_t channels = x.dim(1), per_group = channels / groups_;
    const int64_t spatial = x.numel() / (x.dim(0) * channels);
    std::vector<double> w(static_cast<size_t>(channels)), b(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t p = per_channel_ ? c : c / per_group;
      w[static_cast<size_t>(c)] = float_value_at(scale, p);
      b[static_cast<size_t>(c)] = float_value_at(bias, p);
    }
    visit_dtype<kFloatDTypes>(t_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      T* yd = ctx.output(0).data<T>();
      const int64_t block = per_group * spatial;
      parallel_chunks(ctx.threadpool(), x.dim(0) * groups_, block * 4, [&](int64_t g0, int64_t g1) {
        for (int64_t g = g0; g < g1; ++g) {
          const T* xg = xd + g * block;
          T* yg = yd + g * block;
          const MeanVar st = mean_variance(xg, 1, block, block);
          const double inv = 1.0 / std::sqrt(st.var + epsilon_);
          for (int64_t c = 0; c < per_group; ++c) {
            const size_t ch = static_cast<size_t>(g % groups_ * per_group + c);
            const double a = inv * w[ch], s = b[ch] - st.mean * a;
            for (int64_t i = c * spatial; i < (c + 1) * spatial; ++i)
              yg[i] = store_elem<T>(static_cast<compute_t<T>>(static_cast<double>(load_elem(xg[i])) * a + s));
          }
        }
      });
    });
  }

  void check(const Shape& x, const Shape* scale, const Shape* bias, Stage stage) const {
    if (x.size() < 2) throw Error(stage, "GroupNormalization needs X of rank >= 2, got " + shape_to_string(x));
    if (x[1] % groups_)
      throw Error(stage, "num_groups " + std::to_string(groups_) + " does not divide the " + std::to_string(x[1]) +
                             " channels");
    const int64_t want = per_channel_ ? x[1] : groups_;
    for (const Shape* p : {scale, bias})
      if (p && *p != Shape{want})
        throw Error(stage, std::string("GroupNormalization scale and bias must be [") +
                               (per_channel_ ? "channels" : "num_groups") + "] = [" + std::to_string(want) +
                               "], got " + shape_to_string(*p));
  }

 private:
  DType t_;
  int64_t groups_;
  double epsilon_;
  bool per_channel_;
};

std::unique_ptr<Kernel> make_group_norm(const BuildContext& ctx) {
  if (ctx.node.inputs.size() != 3 || !ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2))
    throw Error(Stage::Build, "GroupNormalization takes inputs X, scale and bias");
  const DType t = ctx.input_dtype(0);
  if (!dtype_in(t, kFloatDTypes)) throw Error(Stage::Build, "GroupNormalization needs a float-typed X");
  if (ctx.input_dtype(1) != t || ctx.input_dtype(2) != t)
    throw Error(Stage::Build, "GroupNormalization scale and bias must have X's dtype");
  const int64_t groups = ctx.attrs.get_int("num_groups");
  if (groups <= 0) throw Error(Stage::Build, "num_groups must be positive");
  const float eps = ctx.attrs.get_float("epsilon", 1e-5f);
  if (!(eps >= 0) || std::isinf(eps)) throw Error(Stage::Build, "epsilon must be a non-negative number");
  if (ctx.opset >= 21) {
    const int64_t stash = ctx.attrs.get_int("stash_type", 1);
    if (stash != 1 && stash != 10 && stash != 11 && stash != 16)
      throw Error(Stage::Build, "stash_type must name a float type (1, 10, 11 or 16)");
  }
  auto k = std::make_unique<GroupNormKernel>(t, groups, static_cast<double>(eps), ctx.opset >= 21);
  if (ctx.inputs[0].shape_known)
    k->check(ctx.inputs[0].shape, ctx.inputs[1].shape_known ? &ctx.inputs[1].shape : nullptr,
             ctx.inputs[2].shape_known ? &ctx.inputs[2].shape : nullptr, Stage::Build);
  return k;
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "GroupNormalization", 18, 18, kRef, make_group_norm);
ONNXI_REGISTER_KERNEL("", "GroupNormalization", 21, 21, kRef, make_group_norm);

}  // namespace onnxi::nn
