// MatMul with numpy semantics: batch dims broadcast, a 1-D A is a row vector and a 1-D B a
// column vector (their unit dim is dropped from the output).
//
// XNNPACK (fully connected) handles f32 with a constant 2-D B: A's leading dims fold into
// the batch.

#include "ops/common/broadcast.h"
#include "ops/common/convert.h"
#include "ops/common/kernel_util.h"
#include "ops/math/gemm_core.h"
#include "ops/xnnpack/fully_connected.h"
#include "ops/xnnpack/provider.h"
#include "ops/xnnpack/xnn_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

struct MatMulDims {
  int64_t m = 1, n = 1, k = 1;
  Shape batch_a, batch_b, batch_out;
  Shape out;
};

MatMulDims matmul_dims(const Shape& a, const Shape& b, Stage stage) {
  if (a.empty() || b.empty())
    throw Error(
        stage, "MatMul inputs must have rank >= 1, got " + shape_to_string(a) + " and " + shape_to_string(b));
  MatMulDims d;
  d.m = a.size() == 1 ? 1 : a[a.size() - 2];
  d.k = a.back();
  int64_t kb = b.size() == 1 ? b[0] : b[b.size() - 2];
  d.n = b.size() == 1 ? 1 : b.back();
  if (kb != d.k)
    throw Error(stage, "MatMul inner dimensions differ: " + shape_to_string(a) + " x " + shape_to_string(b));
  if (a.size() > 2) d.batch_a.assign(a.begin(), a.end() - 2);
  if (b.size() > 2) d.batch_b.assign(b.begin(), b.end() - 2);
  d.batch_out = broadcast_shapes(d.batch_a, d.batch_b);
  d.out = d.batch_out;
  if (a.size() > 1) d.out.push_back(d.m);
  if (b.size() > 1) d.out.push_back(d.n);
  return d;
}

class MatMulRefKernel : public Kernel {
 public:
  explicit MatMulRefKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 2 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "MatMul expects 2 inputs");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kGemmDTypes))
      throw Error(Stage::Build, "MatMul does not support " + std::string(dtype_name(dtype_)));
    if (ctx.input_dtype(1) != dtype_)
      throw Error(Stage::Build, "MatMul input dtypes differ: " + std::string(dtype_name(dtype_)) + " and " +
                                    std::string(dtype_name(ctx.input_dtype(1))));
  }

  void infer(InferContext& ctx) override {
    const Shape* a = ctx.input_shape(0);
    const Shape* b = ctx.input_shape(1);
    if (!a || !b) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    ctx.set_output(0, dtype_, matmul_dims(*a, *b, Stage::Plan).out);
  }

  double flops(const std::vector<ValueType>& in, const std::vector<ValueType>& out) const override {
    return multiply_add_flops(out[0].shape, double(in[0].shape.back()));
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    MatMulDims d = matmul_dims(a.shape(), b.shape(), Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, d.out);
    if (y.numel() == 0) return;
    if (dtype_in(dtype_, kGemmNativeDTypes)) {
      visit_dtype<kGemmNativeDTypes>(dtype_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        compute<T>(d, a.data<T>(), b.data<T>(), y.data<T>(), ctx.threadpool());
      });
      return;
    }
    Tensor af = convert_tensor(a, DType::Float), bf = convert_tensor(b, DType::Float);
    Tensor yf(DType::Float, y.shape());
    compute<float>(d, af.data<float>(), bf.data<float>(), yf.data<float>(), ctx.threadpool());
    convert_elements(yf, y);
  }

 private:
  template <class T>
  static void compute(const MatMulDims& d, const T* a, const T* b, T* y, pthreadpool_t pool) {
    if (shape_numel(d.batch_b) == 1 && shape_numel(d.batch_a) == shape_numel(d.batch_out)) {
      // One B for every batch: stack A's matrices into a single tall one.
      gemm<T>(false, false, shape_numel(d.batch_a) * d.m, d.n, d.k, a, b, y, pool);
      return;
    }
    const int64_t sa = d.m * d.k, sb = d.k * d.n, sy = d.m * d.n;
    BroadcastPlan plan = plan_broadcast(d.batch_a, d.batch_b, d.batch_out);
    for_broadcast_rows(plan, 0, plan.numel / plan.dims.back(),
                       [&](int64_t oa, int64_t ob, int64_t oy, int64_t len, int64_t ia, int64_t ib) {
                         for (int64_t t = 0; t < len; ++t)
                           gemm<T>(false, false, d.m, d.n, d.k, a + (oa + t * ia) * sa,
                                   b + (ob + t * ib) * sb, y + (oy + t) * sy, pool);
                       });
  }

  DType dtype_ = DType::Undefined;
};

class MatMulXnnKernel : public MatMulRefKernel {
 public:
  MatMulXnnKernel(const BuildContext& ctx, const Tensor& b) : MatMulRefKernel(ctx), b_(b) {}

  static bool fits(const BuildContext& ctx) {
    const Tensor* b = ctx.constant_input(1);
    return ctx.input_dtype(0) == DType::Float && b && b->dtype() == DType::Float && b->rank() == 2;
  }

  // B stays unpacked in the kernel (it aliases the model's constant): each execution
  // context's XNNPACK operator packs its own copy from it on its first run.
  void prepare(PrepareContext&) override {
    ensure_xnnpack_initialized();
    k_ = b_.dim(0);
    n_ = b_.dim(1);
  }
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<XnnOpState>(); }

  void run(RunContext& ctx) const override {
    if (k_ == 0 || n_ == 0) {  // degenerate: the reference path fills the output
      MatMulRefKernel::run(ctx);
      return;
    }
    const Tensor& a = ctx.input(0);
    if (a.rank() == 0 || a.shape().back() != k_)
      throw Error(Stage::Run,
                  "MatMul A " + shape_to_string(a.shape()) + " does not match B's K=" + std::to_string(k_));
    Shape out = a.shape();
    out.back() = n_;
    Tensor& y = output_for(ctx, 0, DType::Float, out);
    if (y.numel() == 0) return;
    run_xnn_fully_connected(ctx.state<XnnOpState>().op, k_, n_, b_.data<float>(), /*w_is_nk=*/false,
                            nullptr, a.numel() / k_, a.data<float>(), y.data<float>(), ctx.threadpool(),
                            "MatMul");
  }

 private:
  Tensor b_;
  int64_t k_ = 0, n_ = 0;
};

ONNXI_REGISTER_KERNEL("", "MatMul", 1, 13, kXnnpack,
                      [](const BuildContext& ctx) -> std::unique_ptr<Kernel> {
                        if (!MatMulXnnKernel::fits(ctx)) return nullptr;
                        return std::make_unique<MatMulXnnKernel>(ctx, *ctx.constant_input(1));
                      });
ONNXI_REGISTER_KERNEL("", "MatMul", 1, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new MatMulRefKernel(ctx));
});

}  // namespace
}  // namespace onnxi
