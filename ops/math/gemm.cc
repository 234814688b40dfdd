// Gemm: Y = alpha * op(A) * op(B) + beta * C, C unidirectionally broadcast to [M,N].
// Opset < 7 used a `broadcast` attribute for C (0: C must be [M,N]); from 11 C is optional.
//
// XNNPACK (fully connected) handles the inference-typical form: f32, constant B, transA=0,
// alpha=1, and C absent or a constant that varies only along N (its beta*C is the bias).
#include <cmath>

#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/common/wrap_arith.h"
#include "ops/math/gemm_core.h"
#include "ops/xnnpack/fully_connected.h"
#include "ops/xnnpack/provider.h"
#include "ops/xnnpack/xnn_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class GemmRefKernel : public Kernel {
 public:
  explicit GemmRefKernel(const BuildContext& ctx) {
    const size_t n = ctx.node.inputs.size();
    if (n < 2 || n > 3 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "Gemm expects inputs A, B and optionally C");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kGemmDTypes))
      throw Error(Stage::Build, "Gemm does not support " + std::string(dtype_name(dtype_)));
    has_c_ = ctx.has_input(2);
    for (size_t i = 1; i < n; ++i)
      if (ctx.has_input(i) && ctx.input_dtype(i) != dtype_)
        throw Error(Stage::Build, "Gemm input " + std::to_string(i) + " has dtype " +
                                      std::string(dtype_name(ctx.input_dtype(i))) + ", expected " +
                                      std::string(dtype_name(dtype_)));
    trans_a_ = ctx.attrs.get_int("transA", 0) != 0;
    trans_b_ = ctx.attrs.get_int("transB", 0) != 0;
    alpha_ = ctx.attrs.get_float("alpha", 1.0f);
    beta_ = ctx.attrs.get_float("beta", 1.0f);
    exact_c_ = ctx.opset < 7 && ctx.attrs.get_int("broadcast", 0) == 0;
  }

  void infer(InferContext& ctx) override {
    const Shape* a = ctx.input_shape(0);
    const Shape* b = ctx.input_shape(1);
    const Shape* c = has_c_ ? ctx.input_shape(2) : nullptr;
    if (!a || !b || (has_c_ && !c)) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    Dims d = dims(*a, *b, c, Stage::Plan);
    ctx.set_output(0, dtype_, {d.m, d.n});
  }

  double flops(const std::vector<ValueType>& in, const std::vector<ValueType>& out) const override {
    const Shape& a = in[0].shape;  // 2-D, checked by infer
    return multiply_add_flops(out[0].shape, double(trans_a_ ? a[0] : a[1]));
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor* c = has_c_ && ctx.has_input(2) ? &ctx.input(2) : nullptr;
    Dims d = dims(a.shape(), b.shape(), c ? &c->shape() : nullptr, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, {d.m, d.n});
    if (y.numel() == 0) return;
    if (dtype_in(dtype_, kGemmNativeDTypes)) {
      visit_dtype<kGemmNativeDTypes>(dtype_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        compute<T>(d, a.data<T>(), b.data<T>(), c ? c->data<T>() : nullptr, y.data<T>(), ctx.threadpool());
      });
      return;
    }
    // float16 / bfloat16: compute in float.
    Tensor af = convert_tensor(a, DType::Float), bf = convert_tensor(b, DType::Float);
    Tensor cf = c ? convert_tensor(*c, DType::Float) : Tensor();
    Tensor yf(DType::Float, y.shape());
    compute<float>(d, af.data<float>(), bf.data<float>(), c ? cf.data<float>() : nullptr, yf.data<float>(),
                   ctx.threadpool());
    convert_elements(yf, y);
  }

 protected:
  struct Dims {
    int64_t m, n, k;
    int64_t c_row_stride = 0, c_col_stride = 0;  // C element strides along M and N (0 = broadcast)
  };

  Dims dims(const Shape& a, const Shape& b, const Shape* c, Stage stage) const {
    if (a.size() != 2 || b.size() != 2)
      throw Error(stage, "Gemm needs 2-D A and B, got " + shape_to_string(a) + " and " + shape_to_string(b));
    Dims d{trans_a_ ? a[1] : a[0], trans_b_ ? b[0] : b[1], trans_a_ ? a[0] : a[1]};
    int64_t kb = trans_b_ ? b[1] : b[0];
    if (kb != d.k)
      throw Error(stage, "Gemm inner dimensions differ: A " + shape_to_string(a) + ", B " +
                             shape_to_string(b) + (trans_a_ ? " (transA)" : "") +
                             (trans_b_ ? " (transB)" : ""));
    if (c) {
      if (c->size() > 2) throw Error(stage, "Gemm C must have rank <= 2, got " + shape_to_string(*c));
      int64_t cm = c->size() == 2 ? (*c)[0] : 1;
      int64_t cn = c->empty() ? 1 : c->back();
      bool ok = (cm == d.m || cm == 1) && (cn == d.n || cn == 1);
      if (exact_c_ && !(c->size() == 2 && cm == d.m && cn == d.n)) ok = false;
      if (!ok)
        throw Error(stage, "Gemm C " + shape_to_string(*c) + " cannot be broadcast to [" +
                               std::to_string(d.m) + "," + std::to_string(d.n) + "]");
      d.c_row_stride = cm == 1 ? 0 : cn;
      d.c_col_stride = cn == 1 ? 0 : 1;
    }
    return d;
  }

  template <class T>
  void compute(const Dims& d, const T* a, const T* b, const T* c, T* y, pthreadpool_t pool) const {
    gemm<T>(trans_a_, trans_b_, d.m, d.n, d.k, a, b, y, pool);
    const bool use_c = c && beta_ != 0.0f;
    if (alpha_ == 1.0f && !use_c) return;
    const int64_t total = d.m * d.n;
    if constexpr (std::is_integral_v<T>) {
      if (alpha_ == 1.0f && beta_ == 1.0f) {
        for (int64_t i = 0; i < d.m; ++i)
          for (int64_t j = 0; j < d.n; ++j)
            y[i * d.n + j] = wrap_add(y[i * d.n + j], c[i * d.c_row_stride + j * d.c_col_stride]);
        return;
      }
      for (int64_t i = 0; i < d.m; ++i)
        for (int64_t j = 0; j < d.n; ++j) {
          double v = double(alpha_) * double(y[i * d.n + j]);
          if (use_c) v += double(beta_) * double(c[i * d.c_row_stride + j * d.c_col_stride]);
          y[i * d.n + j] = convert_value<T>(v);
        }
    } else {
      const T alpha = static_cast<T>(alpha_), beta = static_cast<T>(beta_);
      if (!use_c) {
        for (int64_t i = 0; i < total; ++i) y[i] *= alpha;
        return;
      }
      for (int64_t i = 0; i < d.m; ++i) {
        T* row = y + i * d.n;
        const T* crow = c + i * d.c_row_stride;
        if (d.c_col_stride == 1)
          for (int64_t j = 0; j < d.n; ++j) row[j] = alpha * row[j] + beta * crow[j];
        else
          for (int64_t j = 0; j < d.n; ++j) row[j] = alpha * row[j] + beta * crow[0];
      }
    }
  }

  DType dtype_ = DType::Undefined;
  bool has_c_ = false, trans_a_ = false, trans_b_ = false, exact_c_ = false;
  float alpha_ = 1, beta_ = 1;
};

// f32 through XNNPACK's fully connected operator; B (and C) are packed at prepare.
class GemmXnnKernel : public GemmRefKernel {
 public:
  GemmXnnKernel(const BuildContext& ctx, const Tensor& b, const Tensor* c) : GemmRefKernel(ctx), b_(b) {
    if (c) c_ = *c;
  }

  // Whether this configuration fits a fully connected operator.
  static bool fits(const BuildContext& ctx) {
    const Tensor* b = ctx.constant_input(1);
    if (ctx.input_dtype(0) != DType::Float || !b || b->dtype() != DType::Float || b->rank() != 2)
      return false;
    if (ctx.attrs.get_int("transA", 0) != 0 || ctx.attrs.get_float("alpha", 1.0f) != 1.0f) return false;
    if (!ctx.has_input(2)) return true;
    const Tensor* c = ctx.constant_input(2);
    if (!c || c->dtype() != DType::Float || c->rank() > 2) return false;
    if (ctx.opset < 7 && ctx.attrs.get_int("broadcast", 0) == 0) return false;
    const int64_t n = ctx.attrs.get_int("transB", 0) != 0 ? b->dim(0) : b->dim(1);
    // C must not vary along M: [], [1], [N], [1,1] or [1,N].
    if (c->rank() == 2 && c->dim(0) != 1) return false;
    return c->numel() == 1 || c->numel() == n;
  }

  // Weights stay unpacked in the kernel (B and C alias the model's constants): each
  // execution context's XNNPACK operator packs its own copy from them on its first run.
  void prepare(PrepareContext&) override {
    ensure_xnnpack_initialized();
    k_ = trans_b_ ? b_.dim(1) : b_.dim(0);
    n_ = trans_b_ ? b_.dim(0) : b_.dim(1);
    if (c_.defined() && beta_ != 0.0f) {
      bias_.resize(static_cast<size_t>(n_));
      const float* c = c_.data<float>();
      for (int64_t j = 0; j < n_; ++j) bias_[j] = beta_ * c[c_.numel() == 1 ? 0 : j];
    }
  }
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<XnnOpState>(); }

  void run(RunContext& ctx) const override {
    if (k_ == 0 || n_ == 0) {  // degenerate K or N: nothing to pack
      GemmRefKernel::run(ctx);
      return;
    }
    const Tensor& a = ctx.input(0);
    if (a.rank() != 2 || a.dim(1) != k_)
      throw Error(Stage::Run,
                  "Gemm A " + shape_to_string(a.shape()) + " does not match B's K=" + std::to_string(k_));
    Tensor& y = output_for(ctx, 0, DType::Float, {a.dim(0), n_});
    if (y.numel() == 0) return;
    run_xnn_fully_connected(ctx.state<XnnOpState>().op, k_, n_, b_.data<float>(), trans_b_,
                            bias_.empty() ? nullptr : bias_.data(), a.dim(0), a.data<float>(),
                            y.data<float>(), ctx.threadpool(), "Gemm");
  }

 private:
  Tensor b_, c_;
  std::vector<float> bias_;  // beta * C, broadcast along N
  int64_t k_ = 0, n_ = 0;
};

ONNXI_REGISTER_KERNEL("", "Gemm", 1, 13, kXnnpack,
                      [](const BuildContext& ctx) -> std::unique_ptr<Kernel> {
                        if (!GemmXnnKernel::fits(ctx)) return nullptr;
                        return std::make_unique<GemmXnnKernel>(ctx, *ctx.constant_input(1),
                                                               ctx.constant_input(2));
                      });
ONNXI_REGISTER_KERNEL("", "Gemm", 1, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new GemmRefKernel(ctx));
});

}  // namespace
}  // namespace onnxi
