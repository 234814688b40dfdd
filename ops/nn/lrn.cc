// LRN (ai.onnx 1, 13+), reference provider: local response normalization across channels,
//   Y[n, c, ...] = X[n, c, ...] / (bias + alpha / size * sum of X[n, i, ...]^2)^beta
// over i in [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] within [0, C).
#include <algorithm>
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/nn/norm_util.h"

namespace onnxi::nn {

namespace {

class LrnKernel final : public Kernel {
 public:
  LrnKernel(DType dtype, double alpha, double beta, double bias, int64_t size)
      : dtype_(dtype), alpha_(alpha), beta_(beta), bias_(bias), size_(size) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, dtype_);
    check(*x, Stage::Plan);
    ctx.set_output(0, dtype_, *x);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check(x.shape(), Stage::Run);
    if (x.numel() == 0) return;
    const int64_t channels = x.dim(1), planes = x.dim(0) * channels, inner = x.numel() / planes;
    const int64_t before = (size_ - 1) / 2, after = size_ - 1 - before;
    const double coef = alpha_ / static_cast<double>(size_);
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      T* yd = ctx.output(0).data<T>();
      parallel_chunks(
          ctx.threadpool(), planes, inner * std::min(size_, channels), [&](int64_t begin, int64_t end) {
            std::vector<double> sum(static_cast<size_t>(inner));
            for (int64_t p = begin; p < end; ++p) {
              const int64_t n = p / channels, c = p % channels;
              std::fill(sum.begin(), sum.end(), 0.0);
              const int64_t lo = std::max<int64_t>(0, c - before), hi = std::min(channels - 1, c + after);
              for (int64_t i = lo; i <= hi; ++i) {
                const T* xi = xd + (n * channels + i) * inner;
                for (int64_t j = 0; j < inner; ++j) {
                  const double v = static_cast<double>(load_elem(xi[j]));
                  sum[static_cast<size_t>(j)] += v * v;
                }
              }
              const T* xp = xd + p * inner;
              T* yp = yd + p * inner;
              for (int64_t j = 0; j < inner; ++j)
                yp[j] = store_elem<T>(
                    static_cast<compute_t<T>>(static_cast<double>(load_elem(xp[j])) /
                                              std::pow(bias_ + coef * sum[static_cast<size_t>(j)], beta_)));
            }
          });
    });
  }

  static void check(const Shape& x, Stage stage) {
    if (x.size() < 2) throw Error(stage, "LRN expects X of rank >= 2, got " + shape_to_string(x));
  }

 private:
  DType dtype_;
  double alpha_, beta_, bias_;
  int64_t size_;
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  if (ctx.num_inputs() != 1 || !ctx.has_input(0) || ctx.num_outputs() != 1)
    throw Error(Stage::Build, "LRN takes one input and one output");
  const AttributeReader& a = ctx.attrs;
  const int64_t size = a.get_int("size");
  if (size < 1 || size > (int64_t(1) << 31)) throw Error(Stage::Build, "size must be positive");
  const float alpha = a.get_float("alpha", 1e-4f), beta = a.get_float("beta", 0.75f),
              bias = a.get_float("bias", 1.0f);
  if (!std::isfinite(alpha) || !std::isfinite(beta) || !std::isfinite(bias))
    throw Error(Stage::Build, "alpha, beta and bias must be finite");
  const DType t = ctx.input_dtype(0);
  if (!dtype_in(t, kFloatDTypes)) return nullptr;
  if (ctx.inputs[0].shape_known) LrnKernel::check(ctx.inputs[0].shape, Stage::Build);
  return std::make_unique<LrnKernel>(t, alpha, beta, bias, size);
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "LRN", 1, 13, kRef, make_ref);

}  // namespace onnxi::nn
