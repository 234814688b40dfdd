#include "ops/nn/pool_common.h"

#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/nn/layout.h"
#include "ops/xnnpack/xnn_util.h"

namespace onnxi::nn {

const char* PoolConfig::op_name() const {
  if (kind == PoolKind::Max) return nhwc ? "NhwcMaxPool" : "MaxPool";
  return nhwc ? "NhwcAveragePool" : "AveragePool";
}

PoolConfig read_pool_config(const BuildContext& ctx, PoolKind kind, bool nhwc,
                            const PoolOpsetFeatures& features) {
  PoolConfig cfg;
  cfg.kind = kind;
  cfg.nhwc = nhwc;
  const std::string op = cfg.op_name();
  if (!ctx.has_input(0) || ctx.num_inputs() != 1) throw Error(Stage::Build, op + " takes exactly one input");
  if (ctx.num_outputs() < 1 || ctx.num_outputs() > static_cast<size_t>(features.max_outputs))
    throw Error(Stage::Build, op + " has at most " + std::to_string(features.max_outputs) + " output(s)");
  cfg.want_indices = ctx.has_output(1);
  cfg.dtype = ctx.input_dtype(0);

  cfg.win = resolve_window(read_window_attrs(ctx.attrs, {features.dilations, features.ceil_mode}), {},
                           Stage::Build);
  if (nhwc && cfg.win.rank() != 2) throw Error(Stage::Build, op + " needs a 2-D kernel_shape");
  if (cfg.win.rank() > kMaxSpatialRank)
    throw Error(Stage::Build,
                op + " with more than " + std::to_string(kMaxSpatialRank) + " spatial dims is not supported");
  if (features.count_include_pad) {
    const int64_t c = ctx.attrs.get_int("count_include_pad", 0);
    if (c != 0 && c != 1) throw Error(Stage::Build, "count_include_pad must be 0 or 1");
    cfg.count_include_pad = c == 1;
  }
  if (features.storage_order) {
    cfg.storage_order = ctx.attrs.get_int("storage_order", 0);
    if (cfg.storage_order != 0 && cfg.storage_order != 1)
      throw Error(Stage::Build, "storage_order must be 0 or 1");
  }
  if (ctx.inputs[0].shape_known) pool_shapes(cfg, ctx.inputs[0].shape, Stage::Build);
  return cfg;
}

PoolShapes pool_shapes(const PoolConfig& cfg, const Shape& x, Stage stage) {
  const size_t r = cfg.win.rank();
  if (x.size() != r + 2)
    throw Error(stage, std::string(cfg.op_name()) + " with a " + std::to_string(r) +
                           "-D kernel expects X of rank " + std::to_string(r + 2) + ", got " +
                           shape_to_string(x));
  PoolShapes s;
  s.batch = x[0];
  std::vector<int64_t> spatial;
  if (cfg.nhwc) {
    s.channels = x[3];
    spatial = {x[1], x[2]};
  } else {
    s.channels = x[1];
    spatial.assign(x.begin() + 2, x.end());
  }
  s.geom = compute_window_geometry(cfg.win, spatial, stage);
  if (cfg.nhwc) {
    s.output = {s.batch, s.geom.out[0], s.geom.out[1], s.channels};
  } else {
    s.output = {s.batch, s.channels};
    s.output.insert(s.output.end(), s.geom.out.begin(), s.geom.out.end());
  }
  return s;
}

// ---- reference ----

namespace {

template <class T>
T lowest_value() {
  if constexpr (std::numeric_limits<T>::has_infinity)
    return -std::numeric_limits<T>::infinity();
  else
    return std::numeric_limits<T>::lowest();
}

// Number of taps k in [0, kernel) whose position o*s - pad + k*d lies in [lo, hi).
inline int64_t taps_within(int64_t start, int64_t kernel, int64_t dilation, int64_t lo, int64_t hi) {
  int64_t n = 0;
  for (int64_t k = 0; k < kernel; ++k) {
    const int64_t p = start + k * dilation;
    n += p >= lo && p < hi;
  }
  return n;
}

template <class T>
struct NchwArgs {
  const PoolConfig* cfg;
  Window3 w;
  std::array<int64_t, 3> pad_end;
  const T* x;
  T* y;
  int64_t* indices;
};

template <class T>
void pool_plane(void* ctx, size_t plane) {
  const auto& a = *static_cast<const NchwArgs<T>*>(ctx);
  const Window3& w = a.w;
  const int64_t p = static_cast<int64_t>(plane);
  const T* xp = a.x + p * w.in_size();
  T* yp = a.y + p * w.out_size();
  int64_t* ip = a.indices ? a.indices + p * w.out_size() : nullptr;
  const bool is_max = a.cfg->kind == PoolKind::Max;
  const bool column_major = a.cfg->storage_order == 1;
  for (int64_t od = 0; od < w.out[0]; ++od) {
    const int64_t sd = od * w.stride[0] - w.pad_begin[0];
    for (int64_t oh = 0; oh < w.out[1]; ++oh) {
      const int64_t sh = oh * w.stride[1] - w.pad_begin[1];
      for (int64_t ow = 0; ow < w.out[2]; ++ow) {
        const int64_t sw = ow * w.stride[2] - w.pad_begin[2];
        T best = lowest_value<T>();
        int64_t best_index = -1;
        double sum = 0;
        int64_t valid = 0;
        for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
          const int64_t id = sd + kd * w.dilation[0];
          if (id < 0 || id >= w.in[0]) continue;
          for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
            const int64_t ih = sh + kh * w.dilation[1];
            if (ih < 0 || ih >= w.in[1]) continue;
            for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
              const int64_t iw = sw + kw * w.dilation[2];
              if (iw < 0 || iw >= w.in[2]) continue;
              const int64_t i = (id * w.in[1] + ih) * w.in[2] + iw;
              const T v = xp[i];
              if (is_max) {
                if (best_index < 0 || v > best) {
                  best = v;
                  best_index = column_major ? (iw * w.in[1] + ih) * w.in[0] + id : i;
                }
              } else {
                sum += static_cast<double>(v);
                ++valid;
              }
            }
          }
        }
        const int64_t o = (od * w.out[1] + oh) * w.out[2] + ow;
        if (is_max) {
          yp[o] = best;
          if (ip) ip[o] = best_index < 0 ? -1 : p * w.in_size() + best_index;
        } else {
          int64_t count = valid;
          if (a.cfg->count_include_pad) {
            // Padding counts, the region ceil_mode adds past it does not.
            count = taps_within(sd, w.kernel[0], w.dilation[0], -w.pad_begin[0], w.in[0] + a.pad_end[0]) *
                    taps_within(sh, w.kernel[1], w.dilation[1], -w.pad_begin[1], w.in[1] + a.pad_end[1]) *
                    taps_within(sw, w.kernel[2], w.dilation[2], -w.pad_begin[2], w.in[2] + a.pad_end[2]);
          }
          yp[o] = static_cast<T>(sum / static_cast<double>(count));
        }
      }
    }
  }
}

template <class T>
struct NhwcArgs {
  const PoolConfig* cfg;
  const PoolShapes* s;
  const T* x;
  T* y;
};

// One output row (n, oh) of an NHWC pool.
template <class T>
void pool_nhwc_row(void* ctx, size_t row) {
  const auto& a = *static_cast<const NhwcArgs<T>*>(ctx);
  const WindowAttrs& win = a.cfg->win;
  const WindowGeometry& g = a.s->geom;
  const int64_t c = a.s->channels;
  const int64_t n = static_cast<int64_t>(row) / g.out[0], oh = static_cast<int64_t>(row) % g.out[0];
  const bool is_max = a.cfg->kind == PoolKind::Max;
  const int64_t sh = oh * win.strides[0] - g.pad_begin[0];
  for (int64_t ow = 0; ow < g.out[1]; ++ow) {
    const int64_t sw = ow * win.strides[1] - g.pad_begin[1];
    T* yv = a.y + ((n * g.out[0] + oh) * g.out[1] + ow) * c;
    std::fill(yv, yv + c, is_max ? lowest_value<T>() : T(0));
    int64_t valid = 0;
    for (int64_t ky = 0; ky < win.kernel[0]; ++ky) {
      const int64_t iy = sh + ky * win.dilations[0];
      if (iy < 0 || iy >= g.in[0]) continue;
      for (int64_t kx = 0; kx < win.kernel[1]; ++kx) {
        const int64_t ix = sw + kx * win.dilations[1];
        if (ix < 0 || ix >= g.in[1]) continue;
        const T* xv = a.x + ((n * g.in[0] + iy) * g.in[1] + ix) * c;
        if (is_max) {
          for (int64_t ch = 0; ch < c; ++ch) yv[ch] = std::max(yv[ch], xv[ch]);
        } else {
          for (int64_t ch = 0; ch < c; ++ch) yv[ch] += xv[ch];
        }
        ++valid;
      }
    }
    if (!is_max) {
      int64_t count = valid;
      if (a.cfg->count_include_pad)
        count = taps_within(sh, win.kernel[0], win.dilations[0], -g.pad_begin[0], g.in[0] + g.pad_end[0]) *
                taps_within(sw, win.kernel[1], win.dilations[1], -g.pad_begin[1], g.in[1] + g.pad_end[1]);
      const T scale = T(1) / static_cast<T>(count);
      for (int64_t ch = 0; ch < c; ++ch) yv[ch] *= scale;
    }
  }
}

}  // namespace

template <class T>
void pool_nchw_ref(const PoolConfig& cfg, const PoolShapes& s, const T* x, T* y, int64_t* indices,
                   pthreadpool_t pool) {
  NchwArgs<T> args{&cfg, lift_to_3d(cfg.win, s.geom), {0, 0, 0}, x, y, indices};
  const size_t off = kMaxSpatialRank - cfg.win.rank();
  for (size_t i = 0; i < cfg.win.rank(); ++i) args.pad_end[off + i] = s.geom.pad_end[i];
  pthreadpool_parallelize_1d(pool, &pool_plane<T>, &args, static_cast<size_t>(s.batch * s.channels), 0);
}

template <class T>
void pool_nhwc_ref(const PoolConfig& cfg, const PoolShapes& s, const T* x, T* y, pthreadpool_t pool) {
  NhwcArgs<T> args{&cfg, &s, x, y};
  pthreadpool_parallelize_1d(pool, &pool_nhwc_row<T>, &args, static_cast<size_t>(s.batch * s.geom.out[0]), 0);
}

#define ONNXI_INSTANTIATE_POOL(T)                                                              \
  template void pool_nchw_ref<T>(const PoolConfig&, const PoolShapes&, const T*, T*, int64_t*, \
                                 pthreadpool_t);                                               \
  template void pool_nhwc_ref<T>(const PoolConfig&, const PoolShapes&, const T*, T*, pthreadpool_t);
ONNXI_INSTANTIATE_POOL(float)
ONNXI_INSTANTIATE_POOL(double)
ONNXI_INSTANTIATE_POOL(int8_t)
ONNXI_INSTANTIATE_POOL(uint8_t)
#undef ONNXI_INSTANTIATE_POOL

// ---- XnnPool2d ----

bool XnnPool2d::supports(const PoolConfig& cfg) {
  const WindowAttrs& w = cfg.win;
  if (cfg.dtype != DType::Float || w.rank() != 2 || cfg.want_indices) return false;
  if (w.kernel[0] * w.kernel[1] == 1) return false;  // XNNPACK rejects 1x1 pooling
  // Every window must hold at least one input element: XNNPACK has no notion of an
  // empty window (explicit pads at least as large as the window extent).
  for (size_t i = 0; i < 2; ++i) {
    const int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
    if (w.pads[i] >= extent || w.pads[i + 2] >= extent) return false;
  }
  if (cfg.kind == PoolKind::Average) {
    if (w.has_dilation()) return false;
    // XNNPACK averages over the input elements only, i.e. count_include_pad = 0; that is
    // also count_include_pad = 1 when no padding is applied (the ceil_mode overhang is
    // excluded from the count either way).
    if (cfg.count_include_pad &&
        (w.has_padding() || w.auto_pad == AutoPad::SameUpper || w.auto_pad == AutoPad::SameLower))
      return false;
  }
  return true;
}

bool XnnPool2d::handles(const PoolShapes& s) {
  return s.channels > 0 && s.geom.in[0] > 0 && s.geom.in[1] > 0;
}

void XnnPool2d::setup(const PoolShapes& s, const float* in, float* out, pthreadpool_t pool) {
  const WindowGeometry& g = s.geom;
  // top, right, bottom, left; ceil_mode's overhang is padding that pooling ignores.
  const std::array<int64_t, 4> pads{g.pad_begin[0], g.pad_end[1] + g.ceil_extra[1],
                                    g.pad_end[0] + g.ceil_extra[0], g.pad_begin[1]};
  check_xnn_output_size(cfg_.win, g, pads);
  if (!op_ || op_channels_ != s.channels || op_pads_ != pads) {
    ensure_xnnpack_initialized();
    const WindowAttrs& w = cfg_.win;
    const auto u32 = [](int64_t v) { return static_cast<uint32_t>(v); };
    const size_t c = static_cast<size_t>(s.channels);
    const float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    if (cfg_.kind == PoolKind::Max) {
      check_xnn(xnn_create_max_pooling2d_nhwc_f32(u32(pads[0]), u32(pads[1]), u32(pads[2]), u32(pads[3]),
                                                  u32(w.kernel[0]), u32(w.kernel[1]), u32(w.strides[0]),
                                                  u32(w.strides[1]), u32(w.dilations[0]), u32(w.dilations[1]),
                                                  c, c, c, lo, hi, 0, op_.out()),
                "xnn_create_max_pooling2d_nhwc_f32");
    } else {
      check_xnn(xnn_create_average_pooling2d_nhwc_f32(u32(pads[0]), u32(pads[1]), u32(pads[2]), u32(pads[3]),
                                                      u32(w.kernel[0]), u32(w.kernel[1]), u32(w.strides[0]),
                                                      u32(w.strides[1]), c, c, c, lo, hi, 0, op_.out()),
                "xnn_create_average_pooling2d_nhwc_f32");
    }
    op_channels_ = s.channels;
    op_pads_ = pads;
  }
  const size_t n = static_cast<size_t>(s.batch), h = static_cast<size_t>(g.in[0]),
               w = static_cast<size_t>(g.in[1]);
  if (cfg_.kind == PoolKind::Max)
    check_xnn(xnn_setup_max_pooling2d_nhwc_f32(op_.get(), n, h, w, in, out, pool),
              "xnn_setup_max_pooling2d_nhwc_f32");
  else
    check_xnn(xnn_setup_average_pooling2d_nhwc_f32(op_.get(), n, h, w, in, out, pool),
              "xnn_setup_average_pooling2d_nhwc_f32");
}

void XnnPool2d::run(pthreadpool_t pool) { check_xnn(xnn_run_operator(op_.get(), pool), "xnn_run_operator"); }

// ---- kernels ----

namespace {

class PoolKernelBase : public Kernel {
 public:
  explicit PoolKernelBase(PoolConfig cfg) : cfg_(std::move(cfg)) {}
  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    if (!x) {
      ctx.set_output_dtype(0, cfg_.dtype);
      if (cfg_.want_indices) ctx.set_output_dtype(1, DType::Int64);
      return;
    }
    const PoolShapes s = pool_shapes(cfg_, *x, Stage::Plan);
    ctx.set_output(0, cfg_.dtype, s.output);
    if (cfg_.want_indices) ctx.set_output(1, DType::Int64, s.output);
  }

  // Per execution context: the geometry of the current input shape (the reshape step's).
  struct State : KernelState {
    PoolShapes shapes;
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }
  void reshape(RunContext& ctx) const override {
    ctx.state<State>().shapes = pool_shapes(cfg_, ctx.input(0).shape(), Stage::Run);
  }

 protected:
  template <class T>
  void run_ref(RunContext& ctx, const PoolShapes& s) const {
    const T* x = ctx.input(0).data<T>();
    T* y = ctx.output(0).data<T>();
    if (cfg_.nhwc) {
      pool_nhwc_ref<T>(cfg_, s, x, y, ctx.threadpool());
    } else {
      int64_t* indices = cfg_.want_indices && ctx.has_output(1) ? ctx.output(1).data<int64_t>() : nullptr;
      pool_nchw_ref<T>(cfg_, s, x, y, indices, ctx.threadpool());
    }
  }

  void run_ref_any(RunContext& ctx, const PoolShapes& s) const {
    switch (cfg_.dtype) {
      case DType::Float:
        return run_ref<float>(ctx, s);
      case DType::Double:
        return run_ref<double>(ctx, s);
      case DType::Int8:
        return run_ref<int8_t>(ctx, s);
      case DType::UInt8:
        return run_ref<uint8_t>(ctx, s);
      default:
        throw Error(Stage::Run, std::string(cfg_.op_name()) + " does not support this dtype");
    }
  }

  PoolConfig cfg_;
};

class PoolRefKernel final : public PoolKernelBase {
 public:
  using PoolKernelBase::PoolKernelBase;
  void run(RunContext& ctx) const override {
    const PoolShapes& s = ctx.state<State>().shapes;
    if (ctx.output(0).numel() == 0) return;
    run_ref_any(ctx, s);
  }
};

class PoolXnnKernel final : public PoolKernelBase {
 public:
  explicit PoolXnnKernel(PoolConfig cfg) : PoolKernelBase(std::move(cfg)) {}
  void prepare(PrepareContext&) override { ensure_xnnpack_initialized(); }
  struct XnnState : State {
    XnnPool2d pool;
    NhwcBridge bridge;
    explicit XnnState(const PoolConfig& cfg) : pool(cfg) {}
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<XnnState>(cfg_); }
  void run(RunContext& ctx) const override {
    XnnState& st = ctx.state<XnnState>();
    const PoolShapes& s = st.shapes;
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    if (!XnnPool2d::handles(s)) return run_ref_any(ctx, s);
    pthreadpool_t tp = ctx.threadpool();
    if (cfg_.nhwc) {
      st.pool.setup(s, ctx.input(0).data<float>(), y.data<float>(), tp);
      st.pool.run(tp);
      return;
    }
    const int64_t in_pixels = s.geom.in[0] * s.geom.in[1], out_pixels = s.geom.out[0] * s.geom.out[1];
    st.bridge.run(ctx.input(0).data<float>(), y.data<float>(), s.batch, s.channels, in_pixels, s.channels,
                  out_pixels, tp, [&](const float* in, float* out) {
                    st.pool.setup(s, in, out, tp);
                    st.pool.run(tp);
                  });
  }

 private:
};

}  // namespace

std::unique_ptr<Kernel> make_pool_ref_kernel(PoolConfig cfg) {
  return std::make_unique<PoolRefKernel>(std::move(cfg));
}

std::unique_ptr<Kernel> make_pool_xnnpack_kernel(PoolConfig cfg) {
  if (!XnnPool2d::supports(cfg)) return nullptr;
  try {
    ensure_xnnpack_initialized();
  } catch (const Error&) {
    return nullptr;
  }
  return std::make_unique<PoolXnnKernel>(std::move(cfg));
}

}  // namespace onnxi::nn
