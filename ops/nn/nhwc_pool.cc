// onnxi::NhwcMaxPool, onnxi::NhwcAveragePool and onnxi::NhwcGlobalAveragePool: the layout
// pass's NHWC variants ([N, H, W, C] in and out, 2-D), with the attributes of the ONNX ops
// (at their latest opset; NhwcMaxPool has no Indices output).
//   ref:     float and double.
//   xnnpack: float, XNNPACK's NHWC pooling directly (see XnnPool2d::supports).
#include <pthreadpool.h>

#include <algorithm>
#include <limits>

#include "ops/nn/pool_common.h"
#include "ops/xnnpack/provider.h"
#include "ops/xnnpack/xnn_util.h"

namespace onnxi::nn {

namespace {

PoolConfig read_nhwc_pool(const BuildContext& ctx, PoolKind kind) {
  PoolOpsetFeatures f;
  f.dilations = f.ceil_mode = true;
  f.count_include_pad = kind == PoolKind::Average;
  return read_pool_config(ctx, kind, /*nhwc=*/true, f);
}

std::unique_ptr<Kernel> make_pool_ref(const BuildContext& ctx, PoolKind kind) {
  PoolConfig cfg = read_nhwc_pool(ctx, kind);
  if (!dtype_in(cfg.dtype, {DType::Float, DType::Double})) return nullptr;
  return make_pool_ref_kernel(std::move(cfg));
}

std::unique_ptr<Kernel> make_pool_xnnpack(const BuildContext& ctx, PoolKind kind) {
  return make_pool_xnnpack_kernel(read_nhwc_pool(ctx, kind));
}

// ---- NhwcGlobalAveragePool: [N, H, W, C] -> [N, 1, 1, C] ----

Shape global_output_shape(const Shape& x, Stage stage) {
  if (x.size() != 4)
    throw Error(stage, "NhwcGlobalAveragePool expects a 4-D NHWC input, got " + shape_to_string(x));
  return {x[0], 1, 1, x[3]};
}

template <class T>
struct GlobalNhwcArgs {
  const T* x;
  T* y;
  int64_t pixels, channels;
};

template <class T>
void global_nhwc_image(void* ctx, size_t n) {
  const auto& a = *static_cast<const GlobalNhwcArgs<T>*>(ctx);
  const T* x = a.x + static_cast<int64_t>(n) * a.pixels * a.channels;
  T* y = a.y + static_cast<int64_t>(n) * a.channels;
  std::fill(y, y + a.channels, T(0));
  for (int64_t p = 0; p < a.pixels; ++p)
    for (int64_t c = 0; c < a.channels; ++c) y[c] += x[p * a.channels + c];
  const T scale = T(1) / static_cast<T>(a.pixels);  // inf for no pixels: 0 * inf = NaN
  for (int64_t c = 0; c < a.channels; ++c) y[c] *= scale;
}

template <class T>
void global_nhwc_ref(const Tensor& x, Tensor& y, pthreadpool_t pool) {
  GlobalNhwcArgs<T> args{x.data<T>(), y.data<T>(), x.dim(1) * x.dim(2), x.dim(3)};
  pthreadpool_parallelize_1d(pool, &global_nhwc_image<T>, &args, static_cast<size_t>(x.dim(0)), 0);
}

class GlobalNhwcKernelBase : public Kernel {
 public:
  explicit GlobalNhwcKernelBase(DType dtype) : dtype_(dtype) {}
  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) return ctx.set_output_dtype(0, dtype_);
    ctx.set_output(0, dtype_, global_output_shape(*x, Stage::Plan));
  }

 protected:
  DType dtype_;
};

class GlobalNhwcRefKernel final : public GlobalNhwcKernelBase {
 public:
  using GlobalNhwcKernelBase::GlobalNhwcKernelBase;
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    global_output_shape(x.shape(), Stage::Run);
    if (dtype_ == DType::Float)
      global_nhwc_ref<float>(x, ctx.output(0), ctx.threadpool());
    else
      global_nhwc_ref<double>(x, ctx.output(0), ctx.threadpool());
  }
};

class GlobalNhwcXnnKernel final : public GlobalNhwcKernelBase {
 public:
  GlobalNhwcXnnKernel() : GlobalNhwcKernelBase(DType::Float) {}
  void prepare(PrepareContext&) override { ensure_xnnpack_initialized(); }
  struct State : KernelState {
    XnnOperatorHolder op;
    int64_t op_channels = -1;
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }
  void run(RunContext& ctx) const override {
    State& st = ctx.state<State>();
    const Tensor& x = ctx.input(0);
    global_output_shape(x.shape(), Stage::Run);
    const int64_t n = x.dim(0), pixels = x.dim(1) * x.dim(2), c = x.dim(3);
    if (n == 0 || c == 0) return;
    if (pixels == 0) return global_nhwc_ref<float>(x, ctx.output(0), ctx.threadpool());
    if (!st.op || st.op_channels != c) {
      check_xnn(xnn_create_global_average_pooling_nwc_f32(
                    static_cast<size_t>(c), static_cast<size_t>(c), static_cast<size_t>(c),
                    -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(), 0, st.op.out()),
                "xnn_create_global_average_pooling_nwc_f32");
      st.op_channels = c;
    }
    check_xnn(xnn_setup_global_average_pooling_nwc_f32(st.op.get(), static_cast<size_t>(n),
                                                       static_cast<size_t>(pixels), x.data<float>(),
                                                       ctx.output(0).data<float>(), ctx.threadpool()),
              "xnn_setup_global_average_pooling_nwc_f32");
    check_xnn(xnn_run_operator(st.op.get(), ctx.threadpool()), "xnn_run_operator");
  }
};

DType check_global_node(const BuildContext& ctx) {
  if (!ctx.has_input(0) || ctx.num_inputs() != 1 || ctx.num_outputs() != 1)
    throw Error(Stage::Build, "NhwcGlobalAveragePool expects one input and one output");
  if (ctx.inputs[0].shape_known) global_output_shape(ctx.inputs[0].shape, Stage::Build);
  return ctx.input_dtype(0);
}

std::unique_ptr<Kernel> make_global_ref(const BuildContext& ctx) {
  const DType t = check_global_node(ctx);
  if (!dtype_in(t, {DType::Float, DType::Double})) return nullptr;
  return std::make_unique<GlobalNhwcRefKernel>(t);
}

std::unique_ptr<Kernel> make_global_xnnpack(const BuildContext& ctx) {
  if (check_global_node(ctx) != DType::Float) return nullptr;
  try {
    ensure_xnnpack_initialized();
  } catch (const Error&) {
    return nullptr;
  }
  return std::make_unique<GlobalNhwcXnnKernel>();
}

}  // namespace

ONNXI_REGISTER_KERNEL("onnxi", "NhwcMaxPool", 1, 1, kXnnpack,
                      [](const BuildContext& ctx) { return make_pool_xnnpack(ctx, PoolKind::Max); });
ONNXI_REGISTER_KERNEL("onnxi", "NhwcMaxPool", 1, 1, kRef,
                      [](const BuildContext& ctx) { return make_pool_ref(ctx, PoolKind::Max); });
ONNXI_REGISTER_KERNEL("onnxi", "NhwcAveragePool", 1, 1, kXnnpack,
                      [](const BuildContext& ctx) { return make_pool_xnnpack(ctx, PoolKind::Average); });
ONNXI_REGISTER_KERNEL("onnxi", "NhwcAveragePool", 1, 1, kRef,
                      [](const BuildContext& ctx) { return make_pool_ref(ctx, PoolKind::Average); });
ONNXI_REGISTER_KERNEL("onnxi", "NhwcGlobalAveragePool", 1, 1, kXnnpack, make_global_xnnpack);
ONNXI_REGISTER_KERNEL("onnxi", "NhwcGlobalAveragePool", 1, 1, kRef, make_global_ref);

}  // namespace onnxi::nn
