// Identity and Dropout. Inference Dropout (the default) forwards the input, with an
// all-true mask; with training_mode=true (opset 12+) it zeroes each element with
// probability `ratio` and scales the rest by 1 / (1 - ratio), drawing from a generator
// seeded by the `seed` attribute when given (numpy's legacy generator, as ONNX's reference:
// a seeded mask is the reference's mask; see ops/math/random_engine.h). Both copy, so the planner is free to give the output its own buffer; the graph
// passes drop these nodes where they can.
// Identity also passes sequences and optionals through (opsets 14, 16) as they are.
#include <cstring>
#include <optional>

#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/math/random_engine.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class IdentityKernel : public Kernel {
 public:
  explicit IdentityKernel(const BuildContext& ctx) : dtype_(ctx.input_dtype(0)) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "Identity expects 1 input");
  }
  void infer(InferContext& ctx) override {
    const Tensor* v = ctx.input_value(0);
    const Shape* s = ctx.input_shape(0);
    if (s && !(v && !v->is_tensor()))
      ctx.set_output(0, dtype_, *s);
    else
      ctx.set_output_dtype(0, dtype_);
  }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!x.is_tensor()) {
      ctx.set_output(0, x);  // sequences and empty optionals pass through (never modified in place)
      return;
    }
    copy_elements(x, output_for(ctx, 0, dtype_, x.shape()));
  }
  // copy_elements copies whole storage, so packed 4/2-bit tensors are fine.
  bool handles_packed_dtypes() const override { return true; }

 private:
  DType dtype_;
};

class DropoutKernel : public Kernel {
 public:
  explicit DropoutKernel(const BuildContext& ctx)
      : dtype_(ctx.input_dtype(0)),
        opset_(ctx.opset),
        seed_(ctx.attrs.has("seed") ? std::optional<uint64_t>(ctx.attrs.get_int("seed")) : std::nullopt) {
    if (!ctx.has_input(0)) throw Error(Stage::Build, "Dropout expects a data input");
    if (seed_ && *seed_ > 0xffffffffu)
      throw Error(Stage::Build, "Dropout seed must be in [0, 2^32), got " + std::to_string(ctx.attrs.get_int("seed")));
    mask_dtype_ = ctx.opset >= 10 ? DType::Bool : dtype_;
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build, "Dropout does not support " + std::string(dtype_name(dtype_)));
    // Opset < 7 had is_test; this runtime only does inference then, so it is always "test".
    if (ctx.opset >= 12 && ctx.has_input(2)) {
      const Tensor* t = ctx.constant_input(2);
      // A training_mode that is not a constant false makes the output random.
      random_ = !t || training_of(*t, Stage::Build);
    }
  }
  bool foldable() const override { return !random_; }
  void infer(InferContext& ctx) override {
    const Shape* s = ctx.input_shape(0);
    for (size_t i = 0; i < ctx.num_outputs() && i < 2; ++i) {
      DType t = i == 0 ? dtype_ : mask_dtype_;
      if (s)
        ctx.set_output(i, t, *s);
      else
        ctx.set_output_dtype(i, t);
    }
  }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (opset_ >= 12 && ctx.has_input(2) && training_of(ctx.input(2), Stage::Run)) {
      const double ratio = ratio_of(ctx.has_input(1) ? &ctx.input(1) : nullptr);
      if (ratio != 0.0) {
        run_training(ctx, x, ratio);
        return;
      }
    }
    copy_elements(x, output_for(ctx, 0, dtype_, x.shape()));
    if (ctx.has_output(1)) {
      Tensor& mask = output_for(ctx, 1, mask_dtype_, x.shape());
      fill_ones(mask);
    }
  }

 private:
  // The ratio, or 0.5 (the default) when absent or unreadable.
  static double ratio_of(const Tensor* r) {
    if (!r || r->numel() != 1) return 0.5;
    if (r->dtype() == DType::Float) return r->data<float>()[0];
    if (r->dtype() == DType::Double) return r->data<double>()[0];
    return 0.5;
  }
  static bool training_of(const Tensor& mode, Stage stage) {
    if (mode.dtype() != DType::Bool || mode.numel() != 1)
      throw Error(stage, "Dropout training_mode must be a bool scalar");
    return mode.data<bool>()[0];
  }
  // Training mode draws from a generator per execution context (seeded alike).
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<RandomState>(seed_); }
  void run_training(RunContext& ctx, const Tensor& x, double ratio) const {
    RandomEngine& engine = ctx.state<RandomState>().engine;
    if (!(ratio >= 0.0 && ratio <= 1.0)) throw Error(Stage::Run, "Dropout ratio must be in [0, 1]");
    Tensor& y = output_for(ctx, 0, dtype_, x.shape());
    Tensor* mask = ctx.has_output(1) ? &output_for(ctx, 1, mask_dtype_, x.shape()) : nullptr;
    const double scale = ratio < 1.0 ? 1.0 / (1.0 - ratio) : 0.0;
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const bool keep = engine.uniform() >= ratio;
        out[i] = keep
                     ? store_elem<T>(static_cast<compute_t<T>>(static_cast<double>(load_elem(in[i])) * scale))
                     : store_elem<T>(compute_t<T>(0));
        if (mask) mask->data<bool>()[i] = keep;
      }
    });
  }
  static void fill_ones(Tensor& t) {
    Tensor one = convert_tensor(Tensor::scalar<double>(1.0), t.dtype());
    const size_t es = dtype_size(t.dtype());
    uint8_t* p = static_cast<uint8_t*>(t.raw_data());
    for (int64_t i = 0; i < t.numel(); ++i) std::memcpy(p + i * es, one.raw_data(), es);
  }

  DType dtype_, mask_dtype_ = DType::Bool;
  int64_t opset_;
  std::optional<uint64_t> seed_;
  bool random_ = false;
};

ONNXI_REGISTER_KERNEL("", "Identity", 1, 25, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new IdentityKernel(ctx));
});
ONNXI_REGISTER_KERNEL("", "Dropout", 1, 22, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new DropoutKernel(ctx));
});

}  // namespace
}  // namespace onnxi
