// CausalConvWithState (ai.onnx 27): a depthwise causal 1-D convolution of input
// [B, C, L] with weight [C, 1, k] over the sequence [past_state (k - 1 values, or zeros) |
// input], plus an optional per-channel bias and fused SiLU; present_state is the last
// k - 1 values of that sequence. Computed in float.
#include <cmath>
#include <vector>

#include "ops/common/broadcast.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi::nn {
namespace {

constexpr size_t kInput = 0, kWeight = 1, kBias = 2, kPast = 3;

class CausalConvKernel final : public Kernel {
 public:
  CausalConvKernel(DType t, bool silu, bool has_bias, bool has_past)
      : t_(t), silu_(silu), has_bias_(has_bias), has_past_(has_past) {}

  void infer(InferContext& ctx) override {
    const Shape *x = ctx.input_shape(kInput), *w = ctx.input_shape(kWeight);
    if (!x || !w) {
      for (size_t i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_dtype(i, t_);
      return;
    }
    const int64_t k = check(*x, *w, has_bias_ ? ctx.input_shape(kBias) : nullptr,
                            has_past_ ? ctx.input_shape(kPast) : nullptr, Stage::Plan);
    ctx.set_output(0, t_, *x);
    if (ctx.num_outputs() > 1) ctx.set_output(1, t_, {(*x)[0], (*x)[1], k - 1});
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(kInput);
    const Tensor& w = ctx.input(kWeight);
    const int64_t k = check(x.shape(), w.shape(), has_bias_ ? &ctx.input(kBias).shape() : nullptr,
                            has_past_ ? &ctx.input(kPast).shape() : nullptr, Stage::Run);
    const int64_t channels = x.dim(1), len = x.dim(2), pad = k - 1;
    Tensor* present = ctx.has_output(1) ? &ctx.output(1) : nullptr;
    visit_dtype<kFloatDTypes>(t_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      const T* wd = w.data<T>();
      const T* bd = has_bias_ ? ctx.input(kBias).data<T>() : nullptr;
      const T* pd = has_past_ ? ctx.input(kPast).data<T>() : nullptr;
      T* yd = ctx.output(0).data<T>();
      T* sd = present ? present->data<T>() : nullptr;
      parallel_chunks(ctx.threadpool(), x.dim(0) * channels, (len + pad) * k, [&](int64_t r0, int64_t r1) {
        std::vector<float> seq(static_cast<size_t>(pad + len));  // [past | input] of one channel
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t c = r % channels;
          for (int64_t i = 0; i < pad; ++i)
            seq[static_cast<size_t>(i)] = pd ? static_cast<float>(load_elem(pd[r * pad + i])) : 0.0f;
          for (int64_t i = 0; i < len; ++i)
            seq[static_cast<size_t>(pad + i)] = static_cast<float>(load_elem(xd[r * len + i]));
          const float bias = bd ? static_cast<float>(load_elem(bd[c])) : 0.0f;
          for (int64_t t = 0; t < len; ++t) {
            float acc = bias;
            for (int64_t j = 0; j < k; ++j)
              acc += static_cast<float>(load_elem(wd[c * k + j])) * seq[static_cast<size_t>(t + j)];
            // The convolution's result is rounded to T before the activation, as the spec's graph does.
            float y = static_cast<float>(load_elem(store_elem<T>(static_cast<compute_t<T>>(acc))));
            if (silu_) y = y / (1.0f + std::exp(-y));
            yd[r * len + t] = store_elem<T>(static_cast<compute_t<T>>(y));
          }
          if (sd)
            for (int64_t i = 0; i < pad; ++i)
              sd[r * pad + i] = store_elem<T>(static_cast<compute_t<T>>(seq[static_cast<size_t>(len + i)]));
        }
      });
    });
  }

  // Validates the shapes; returns the kernel size k.
  int64_t check(const Shape& x, const Shape& w, const Shape* bias, const Shape* past, Stage stage) const {
    if (x.size() != 3) throw Error(stage, "CausalConvWithState input " + shape_to_string(x) + " must be [B, C, L]");
    if (w.size() != 3 || w[0] != x[1] || w[1] != 1 || w[2] < 1)
      throw Error(stage, "CausalConvWithState weight " + shape_to_string(w) + " must be [channels, 1, k >= 1] with " +
                             std::to_string(x[1]) + " channels");
    const int64_t k = w[2];
    if (bias && *bias != Shape{x[1]})
      throw Error(stage, "CausalConvWithState bias " + shape_to_string(*bias) + " must be [channels]");
    if (past && *past != Shape{x[0], x[1], k - 1})
      throw Error(stage, "CausalConvWithState past_state " + shape_to_string(*past) + " must be " +
                             shape_to_string({x[0], x[1], k - 1}));
    return k;
  }

 private:
  DType t_;
  bool silu_, has_bias_, has_past_;
};

std::unique_ptr<Kernel> make_causal_conv(const BuildContext& ctx) {
  const std::string op = "CausalConvWithState";
  if (ctx.node.inputs.size() < 2 || ctx.node.inputs.size() > 4 || !ctx.has_input(kInput) || !ctx.has_input(kWeight))
    throw Error(Stage::Build, op + " takes input, weight and optional bias, past_state");
  if (ctx.num_outputs() < 1 || ctx.num_outputs() > 2) throw Error(Stage::Build, op + " has outputs output and present_state");
  constexpr DTypeSet kAllowed = dtype_bit(DType::Float) | dtype_bit(DType::Float16) | dtype_bit(DType::BFloat16);
  const DType t = ctx.input_dtype(kInput);
  if (!dtype_in(t, kAllowed)) throw Error(Stage::Build, op + " needs float, float16 or bfloat16 inputs");
  for (size_t i : {kWeight, kBias, kPast})
    if (ctx.has_input(i) && ctx.input_dtype(i) != t) throw Error(Stage::Build, op + " inputs must share one dtype");
  const std::string act = ctx.attrs.get_string("activation", "none");
  if (act != "none" && act != "silu" && act != "swish")
    throw Error(Stage::Build, op + " activation must be none, silu or swish, got '" + act + "'");
  return std::make_unique<CausalConvKernel>(t, act != "none", ctx.has_input(kBias), ctx.has_input(kPast));
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "CausalConvWithState", 27, 27, kRef, make_causal_conv);

}  // namespace onnxi::nn
