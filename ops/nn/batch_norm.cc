// BatchNormalization (ai.onnx), inference only, reference provider (the graph optimizer
// folds it into a preceding Conv; what remains is cheap). Y = (X - mean) / sqrt(var + eps)
// * scale + B with channels on dim 1 of X (rank >= 2).
// Opset differences resolved here:
//   1-5  consumed_inputs (legacy, ignored), is_test, spatial
//   6    is_test, spatial;  7-8 spatial;  9-13 none;  14 training_mode;  15 mixed dtypes
// spatial = 0 (opsets < 9) makes the parameters per activation ([C, D1, ..., Dn]).
// Training mode (opset 14-15, training_mode = 1) normalizes with the batch's own
// statistics (mean and population variance over every dim but 1) and outputs, when asked,
//   running_mean = mean * momentum + batch_mean * (1 - momentum)   (same for var).
// Older opsets' training outputs (mean, var, saved_mean, saved_var) are rejected when built.
// is_test = 0 with only Y requested is run with the given statistics, as every exporter
// means it.
#include <pthreadpool.h>

#include <cmath>

#include "ops/nn/norm_util.h"
#include "ops/nn/window.h"
#include "runtime/kernel.h"

namespace onnxi::nn {

namespace {

const char* const kParamNames[4] = {"scale", "B", "mean", "var"};

double param_at(const Tensor& t, int64_t i) {
  return t.dtype() == DType::Float ? static_cast<double>(t.data<float>()[i]) : t.data<double>()[i];
}

template <class T>
struct BnArgs {
  const T* x;
  T* y;
  const T* a;  // per parameter slot: multiplier
  const T* b;  // per parameter slot: offset
  int64_t channels, inner;
  bool per_activation;
};

template <class T>
void bn_plane(void* ctx, size_t plane) {
  const auto& a = *static_cast<const BnArgs<T>*>(ctx);
  const int64_t p = static_cast<int64_t>(plane);
  const T* x = a.x + p * a.inner;
  T* y = a.y + p * a.inner;
  if (a.per_activation) {
    const int64_t base = (p % a.channels) * a.inner;
    for (int64_t i = 0; i < a.inner; ++i) y[i] = x[i] * a.a[base + i] + a.b[base + i];
  } else {
    const T m = a.a[p % a.channels], o = a.b[p % a.channels];
    for (int64_t i = 0; i < a.inner; ++i) y[i] = x[i] * m + o;
  }
}

class BatchNormKernel final : public Kernel {
 public:
  BatchNormKernel(DType dtype, float epsilon, bool spatial, bool constant_params)
      : dtype_(dtype), epsilon_(epsilon), spatial_(spatial), constant_params_(constant_params) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, dtype_);
    std::vector<const Shape*> params;
    for (size_t i = 1; i <= 4; ++i) params.push_back(ctx.input_shape(i));
    check_shapes(*x, params, Stage::Plan);
    ctx.set_output(0, dtype_, *x);
  }

  // Per context: the coefficients (a, b) of y = a x + b, kept across runs when the
  // parameters are constant.
  struct State : KernelState {
    bool have_coefficients = false;
    std::vector<float> coef_f;
    std::vector<double> coef_d;
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }

  void reshape(RunContext& ctx) const override {
    std::vector<const Shape*> params;
    for (size_t i = 1; i <= 4; ++i) params.push_back(&ctx.input(i).shape());
    check_shapes(ctx.input(0).shape(), params, Stage::Run);
    ctx.state<State>().have_coefficients = false;
  }

  void run(RunContext& ctx) const override {
    State& st = ctx.state<State>();
    if (dtype_ == DType::Float)
      compute<float>(ctx, st, st.coef_f);
    else
      compute<double>(ctx, st, st.coef_d);
  }

  // X rank >= 2; every parameter holds C values (spatial) or C * D1 * ... * Dn.
  void check_shapes(const Shape& x, const std::vector<const Shape*>& params, Stage stage) const {
    if (x.size() < 2) throw Error(stage, "X must have rank >= 2, got " + shape_to_string(x));
    int64_t want = x[1];
    if (!spatial_)
      for (size_t i = 2; i < x.size(); ++i) want *= x[i];
    for (size_t i = 0; i < params.size(); ++i) {
      if (!params[i]) continue;
      const bool ok =
          spatial_ ? (params[i]->size() == 1 && (*params[i])[0] == want) : shape_numel(*params[i]) == want;
      if (!ok)
        throw Error(stage, std::string(kParamNames[i]) + " " + shape_to_string(*params[i]) +
                               " does not match " + std::to_string(want) +
                               (spatial_ ? " channels" : " activations") + " of X " + shape_to_string(x));
    }
  }

 private:
  template <class T>
  void compute(RunContext& ctx, State& st, std::vector<T>& coef) const {
    const Tensor& x = ctx.input(0);
    if (x.numel() == 0) return;
    const int64_t channels = x.dim(1);
    const int64_t slots = ctx.input(1).numel();
    const int64_t inner = channels == 0 ? 0 : x.numel() / (x.dim(0) * channels);
    if (!st.have_coefficients) {
      coef.resize(static_cast<size_t>(2 * slots));
      const Tensor &scale = ctx.input(1), &bias = ctx.input(2), &mean = ctx.input(3), &var = ctx.input(4);
      for (int64_t i = 0; i < slots; ++i) {
        const double a = param_at(scale, i) / std::sqrt(param_at(var, i) + static_cast<double>(epsilon_));
        coef[static_cast<size_t>(i)] = static_cast<T>(a);
        coef[static_cast<size_t>(slots + i)] = static_cast<T>(param_at(bias, i) - param_at(mean, i) * a);
      }
      // Constant parameters give the same coefficients on every run.
      st.have_coefficients = constant_params_;
    }
    BnArgs<T> args{x.data<T>(), ctx.output(0).data<T>(), coef.data(), coef.data() + slots, channels, inner,
                   !spatial_};
    pthreadpool_parallelize_1d(ctx.threadpool(), &bn_plane<T>, &args,
                               static_cast<size_t>(x.dim(0) * channels), 0);
  }

  DType dtype_;
  float epsilon_;
  bool spatial_;
  bool constant_params_;
};

// Training mode: statistics from the batch, running statistics as optional outputs.
class BatchNormTrainingKernel final : public Kernel {
 public:
  BatchNormTrainingKernel(DType dtype, DType stat_dtype, float epsilon, float momentum)
      : dtype_(dtype), stat_dtype_(stat_dtype), epsilon_(epsilon), momentum_(momentum) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) {
      ctx.set_output_dtype(0, dtype_);
      ctx.set_output_dtype(1, stat_dtype_);
      ctx.set_output_dtype(2, stat_dtype_);
      return;
    }
    std::vector<const Shape*> params;
    for (size_t i = 1; i <= 4; ++i) params.push_back(ctx.input_shape(i));
    check_shapes(*x, params, Stage::Plan);
    ctx.set_output(0, dtype_, *x);
    ctx.set_output(1, stat_dtype_, {(*x)[1]});
    ctx.set_output(2, stat_dtype_, {(*x)[1]});
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<const Shape*> params;
    for (size_t i = 1; i <= 4; ++i) params.push_back(&ctx.input(i).shape());
    check_shapes(x.shape(), params, Stage::Run);
    if (dtype_ == DType::Float)
      compute<float>(ctx);
    else
      compute<double>(ctx);
  }

  static void check_shapes(const Shape& x, const std::vector<const Shape*>& params, Stage stage) {
    if (x.size() < 2) throw Error(stage, "X must have rank >= 2, got " + shape_to_string(x));
    for (size_t i = 0; i < params.size(); ++i)
      if (params[i] && (params[i]->size() != 1 || (*params[i])[0] != x[1]))
        throw Error(stage, std::string(kParamNames[i]) + " " + shape_to_string(*params[i]) +
                               " does not match " + std::to_string(x[1]) + " channels of X " +
                               shape_to_string(x));
  }

 private:
  template <class T>
  void compute(RunContext& ctx) const {
    const Tensor& x = ctx.input(0);
    const int64_t batch = x.dim(0), channels = x.dim(1);
    const int64_t inner = channels == 0 || batch == 0 ? 0 : x.numel() / (batch * channels);
    const Tensor &scale = ctx.input(1), &bias = ctx.input(2), &mean_in = ctx.input(3), &var_in = ctx.input(4);
    const T* xd = x.data<T>();
    T* yd = ctx.output(0).data<T>();
    Tensor* mean_out = ctx.has_output(1) ? &ctx.output(1) : nullptr;
    Tensor* var_out = ctx.has_output(2) ? &ctx.output(2) : nullptr;
    for (int64_t c = 0; c < channels; ++c) {
      // NaN for an empty batch, as the spec's ReduceMean.
      const auto [mean, var] = mean_variance(xd + c * inner, batch, inner, channels * inner);
      const double a = param_at(scale, c) / std::sqrt(var + static_cast<double>(epsilon_));
      const double b = param_at(bias, c) - mean * a;
      for (int64_t n = 0; n < batch; ++n) {
        const T* p = xd + (n * channels + c) * inner;
        T* q = yd + (n * channels + c) * inner;
        for (int64_t i = 0; i < inner; ++i) q[i] = static_cast<T>(static_cast<double>(p[i]) * a + b);
      }
      const double m = static_cast<double>(momentum_);
      if (mean_out) store(*mean_out, c, param_at(mean_in, c) * m + mean * (1 - m));
      if (var_out) store(*var_out, c, param_at(var_in, c) * m + var * (1 - m));
    }
  }

  static void store(Tensor& t, int64_t i, double v) {
    if (t.dtype() == DType::Float)
      t.data<float>()[i] = static_cast<float>(v);
    else
      t.data<double>()[i] = v;
  }

  DType dtype_, stat_dtype_;
  float epsilon_, momentum_;
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  const AttributeReader& a = ctx.attrs;
  if (ctx.num_inputs() != 5)
    throw Error(Stage::Build, "BatchNormalization takes 5 inputs (X, scale, B, mean, var), got " +
                                  std::to_string(ctx.num_inputs()));
  for (size_t i = 0; i < 5; ++i)
    if (!ctx.has_input(i))
      throw Error(Stage::Build, "BatchNormalization input " + std::to_string(i) + " is missing");
  const int64_t training_mode = ctx.opset >= 14 ? a.get_int("training_mode", 0) : 0;
  if (training_mode != 0 && training_mode != 1) throw Error(Stage::Build, "training_mode must be 0 or 1");
  const bool training = training_mode == 1;
  for (size_t i = training ? 3 : 1; i < ctx.num_outputs(); ++i)
    if (ctx.has_output(i))
      throw Error(Stage::Build,
                  training
                      ? "training mode BatchNormalization has at most 3 outputs"
                      : "BatchNormalization outputs other than Y need training mode (training_mode = 1)");
  if (ctx.opset < 6) a.get_ints("consumed_inputs");  // legacy; only its type is checked
  bool spatial = true;
  if (ctx.opset < 9) {
    const int64_t s = a.get_int("spatial", 1);
    if (s != 0 && s != 1) throw Error(Stage::Build, "spatial must be 0 or 1");
    spatial = s == 1;
  }
  if (ctx.opset < 7) {
    const int64_t t = a.get_int("is_test", 0);
    if (t != 0 && t != 1) throw Error(Stage::Build, "is_test must be 0 or 1");
  }
  const float epsilon = a.get_float("epsilon", 1e-5f);
  if (!(epsilon >= 0) || std::isinf(epsilon))
    throw Error(Stage::Build, "epsilon must be a non-negative number");

  const DType t = ctx.input_dtype(0);
  for (size_t i = 1; i < 5; ++i) {
    const DType p = ctx.input_dtype(i);
    // Before opset 15 every input has X's type; from 15 the parameters may differ.
    if (ctx.opset < 15 ? p != t
                       : !dtype_in(p, {DType::Float, DType::Double, DType::Float16, DType::BFloat16}))
      throw Error(Stage::Build, std::string(kParamNames[i - 1]) + " has dtype " + std::string(dtype_name(p)) +
                                    ", X has " + std::string(dtype_name(t)));
  }
  if (!dtype_in(t, {DType::Float, DType::Double})) return nullptr;
  for (size_t i = 1; i < 5; ++i)
    if (!dtype_in(ctx.input_dtype(i), {DType::Float, DType::Double})) return nullptr;

  if (training) {
    const float momentum = a.get_float("momentum", 0.9f);
    if (!std::isfinite(momentum)) throw Error(Stage::Build, "momentum must be finite");
    if (ctx.input_dtype(3) != ctx.input_dtype(4))
      throw Error(Stage::Build, "mean and var must share one dtype");
    if (ctx.inputs[0].shape_known) {
      std::vector<const Shape*> params;
      for (size_t i = 1; i < 5; ++i)
        params.push_back(ctx.inputs[i].shape_known ? &ctx.inputs[i].shape : nullptr);
      BatchNormTrainingKernel::check_shapes(ctx.inputs[0].shape, params, Stage::Build);
    }
    return std::make_unique<BatchNormTrainingKernel>(t, ctx.input_dtype(3), epsilon, momentum);
  }
  bool constant = true;
  for (size_t i = 1; i < 5; ++i) constant = constant && ctx.constant_input(i) != nullptr;
  auto k = std::make_unique<BatchNormKernel>(t, epsilon, spatial, constant);
  if (ctx.inputs[0].shape_known) {
    std::vector<const Shape*> params;
    for (size_t i = 1; i < 5; ++i)
      params.push_back(ctx.inputs[i].shape_known ? &ctx.inputs[i].shape : nullptr);
    k->check_shapes(ctx.inputs[0].shape, params, Stage::Build);
  }
  return k;
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "BatchNormalization", 1, 15, kRef, make_ref);

}  // namespace onnxi::nn
