// Random generators: RandomUniform, RandomNormal (opset 1; shape from the attribute),
// RandomUniformLike, RandomNormalLike (opset 1; shape of the input), Bernoulli (opset 15;
// 1 with the input's probability), Multinomial (opset 7; class indices drawn from
// unnormalized log-probabilities). Never folded at load time; with a `seed`, every session
// draws the same sequence, and successive runs continue it.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/common/convert.h"
#include "ops/common/kernel_util.h"
#include "ops/math/random_engine.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

enum class Distribution { Uniform, Normal };

// The float `seed` attribute as ONNX's reference takes it (numpy's RandomState(int(seed))):
// truncated to an integer in [0, 2^32); NaN means no seed.
std::optional<uint64_t> read_seed(const BuildContext& ctx) {
  if (!ctx.attrs.has("seed")) return std::nullopt;
  const double s = ctx.attrs.get_float("seed");
  if (std::isnan(s)) return std::nullopt;
  if (!(s > -1.0 && s < 4294967296.0))
    throw Error(Stage::Build, ctx.node.op_type + " seed must be in [0, 2^32), got " + std::to_string(s));
  return static_cast<uint64_t>(s);
}

// Reads the `dtype` attribute (a float type); `fallback` when absent.
DType read_float_dtype(const BuildContext& ctx, DType fallback) {
  DType t = fallback;
  if (ctx.attrs.has("dtype")) {
    std::optional<DType> d = dtype_from_onnx(static_cast<int32_t>(ctx.attrs.get_int("dtype")));
    if (!d) throw Error(Stage::Build, "unknown dtype " + std::to_string(ctx.attrs.get_int("dtype")));
    t = *d;
  }
  if (!dtype_in(t, kFloatDTypes))
    throw Error(Stage::Build,
                ctx.node.op_type + " output must be a float type, got " + std::string(dtype_name(t)));
  return t;
}

// Each execution context draws from a generator of its own, seeded alike: a seeded node
// gives every caller the same reproducible sequence, advancing from run to run.
class RandomKernelBase : public Kernel {
 public:
  explicit RandomKernelBase(const BuildContext& ctx) : seed_(read_seed(ctx)) {}
  bool foldable() const override { return false; }
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<RandomState>(seed_); }

 protected:
  static RandomEngine& engine(RunContext& ctx) { return ctx.state<RandomState>().engine; }
  std::optional<uint64_t> seed_;
};

// RandomUniform / RandomNormal and their *Like forms.
class RandomDistributionKernel : public RandomKernelBase {
 public:
  RandomDistributionKernel(const BuildContext& ctx, Distribution dist, bool like)
      : RandomKernelBase(ctx), dist_(dist), like_(like) {
    if (like) {
      if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
        throw Error(Stage::Build, ctx.node.op_type + " expects 1 input");
      dtype_ = read_float_dtype(ctx, ctx.input_dtype(0));
    } else {
      if (!ctx.node.inputs.empty()) throw Error(Stage::Build, ctx.node.op_type + " takes no inputs");
      dtype_ = read_float_dtype(ctx, DType::Float);
      shape_ = ctx.attrs.get_ints("shape", {});
      if (!ctx.attrs.has("shape")) throw Error(Stage::Build, ctx.node.op_type + " needs a shape attribute");
      shape_numel(shape_);  // rejects negative dims and overflow
    }
    if (dist == Distribution::Uniform) {
      a_ = ctx.attrs.get_float("low", 0.0f);
      b_ = ctx.attrs.get_float("high", 1.0f);
      if (!(a_ <= b_)) throw Error(Stage::Build, "low must not exceed high");
    } else {
      a_ = ctx.attrs.get_float("mean", 0.0f);
      b_ = ctx.attrs.get_float("scale", 1.0f);
    }
  }

  void infer(InferContext& ctx) override {
    if (!like_)
      ctx.set_output(0, dtype_, shape_);
    else if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, dtype_, *s);
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    Tensor& y = output_for(ctx, 0, dtype_, like_ ? ctx.input(0).shape() : shape_);
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y.data<T>();
      for (int64_t i = 0; i < y.numel(); ++i) {
        const double v =
            dist_ == Distribution::Uniform ? a_ + (b_ - a_) * engine(ctx).uniform() : a_ + b_ * engine(ctx).normal();
        out[i] = convert_value<T>(v);
      }
    });
  }

 private:
  Distribution dist_;
  bool like_;
  DType dtype_ = DType::Float;
  Shape shape_;
  double a_ = 0, b_ = 1;
};

class BernoulliKernel : public RandomKernelBase {
 public:
  explicit BernoulliKernel(const BuildContext& ctx) : RandomKernelBase(ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "Bernoulli expects 1 input");
    in_dtype_ = ctx.input_dtype(0);
    if (!dtype_in(in_dtype_, kFloatDTypes))
      throw Error(Stage::Build,
                  "Bernoulli input must be a float type, got " + std::string(dtype_name(in_dtype_)));
    out_dtype_ = in_dtype_;
    if (ctx.attrs.has("dtype")) {
      std::optional<DType> d = dtype_from_onnx(static_cast<int32_t>(ctx.attrs.get_int("dtype")));
      if (!d || !dtype_in(*d, kNumericDTypes | kBoolDTypes)) throw Error(Stage::Build, "unsupported dtype");
      out_dtype_ = *d;
    }
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, out_dtype_, *s);
    else
      ctx.set_output_dtype(0, out_dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, out_dtype_, x.shape());
    std::vector<double> p(static_cast<size_t>(x.numel()));
    visit_dtype<kFloatDTypes>(in_dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      for (size_t i = 0; i < p.size(); ++i) {
        p[i] = static_cast<double>(load_elem(in[i]));
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
          throw Error(Stage::Run, "Bernoulli probabilities must be in [0, 1], got " + std::to_string(p[i]));
      }
    });
    visit_dtype<kNumericDTypes | kBoolDTypes>(out_dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y.data<T>();
      for (size_t i = 0; i < p.size(); ++i) out[i] = convert_value<T>(engine(ctx).bernoulli(p[i]) ? 1.0 : 0.0);
    });
  }

 private:
  DType in_dtype_ = DType::Float, out_dtype_ = DType::Float;
};

class MultinomialKernel : public RandomKernelBase {
 public:
  explicit MultinomialKernel(const BuildContext& ctx) : RandomKernelBase(ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "Multinomial expects 1 input");
    in_dtype_ = ctx.input_dtype(0);
    if (!dtype_in(in_dtype_, kFloatDTypes))
      throw Error(Stage::Build,
                  "Multinomial input must be a float type, got " + std::string(dtype_name(in_dtype_)));
    const int64_t d = ctx.attrs.get_int("dtype", 6);
    if (d != 6 && d != 7) throw Error(Stage::Build, "Multinomial dtype must be int32 or int64");
    out_dtype_ = d == 6 ? DType::Int32 : DType::Int64;
    samples_ = ctx.attrs.get_int("sample_size", 1);
    if (samples_ < 0) throw Error(Stage::Build, "sample_size must not be negative");
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, out_dtype_, out_shape(*s, Stage::Plan));
    else
      ctx.set_output_dtype(0, out_dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, out_dtype_, out_shape(x.shape(), Stage::Run));
    const int64_t batch = x.dim(0), classes = x.dim(1);
    std::vector<double> cdf(static_cast<size_t>(classes));
    visit_dtype<kFloatDTypes>(in_dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      for (int64_t b = 0; b < batch; ++b) {
        double mx = -std::numeric_limits<double>::infinity();
        for (int64_t c = 0; c < classes; ++c)
          mx = std::max(mx, static_cast<double>(load_elem(in[b * classes + c])));
        double total = 0;
        for (int64_t c = 0; c < classes; ++c) {
          total += std::exp(static_cast<double>(load_elem(in[b * classes + c])) - mx);
          cdf[c] = total;
        }
        if (classes == 0 || !(total > 0) || !std::isfinite(total))
          throw Error(Stage::Run, "Multinomial needs finite log-probabilities with a non-zero total");
        for (int64_t s = 0; s < samples_; ++s) {
          const double u = engine(ctx).uniform() * total;
          int64_t c = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
          if (c >= classes) c = classes - 1;
          if (out_dtype_ == DType::Int32)
            y.data<int32_t>()[b * samples_ + s] = static_cast<int32_t>(c);
          else
            y.data<int64_t>()[b * samples_ + s] = c;
        }
      }
    });
  }

 private:
  Shape out_shape(const Shape& s, Stage stage) const {
    if (s.size() != 2) throw Error(stage, "Multinomial expects [batch, classes], got " + shape_to_string(s));
    return {s[0], samples_};
  }

  DType in_dtype_ = DType::Float, out_dtype_ = DType::Int32;
  int64_t samples_ = 1;
};

ONNXI_REGISTER_KERNEL("", "RandomUniform", 1, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new RandomDistributionKernel(ctx, Distribution::Uniform, false));
});
ONNXI_REGISTER_KERNEL("", "RandomNormal", 1, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new RandomDistributionKernel(ctx, Distribution::Normal, false));
});
ONNXI_REGISTER_KERNEL("", "RandomUniformLike", 1, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new RandomDistributionKernel(ctx, Distribution::Uniform, true));
});
ONNXI_REGISTER_KERNEL("", "RandomNormalLike", 1, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new RandomDistributionKernel(ctx, Distribution::Normal, true));
});
ONNXI_REGISTER_KERNEL("", "Bernoulli", 15, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new BernoulliKernel(ctx));
});
ONNXI_REGISTER_KERNEL("", "Multinomial", 7, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new MultinomialKernel(ctx));
});

}  // namespace
}  // namespace onnxi
