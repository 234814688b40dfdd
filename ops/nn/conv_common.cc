#include "ops/nn/conv_common.h"

#include <pthreadpool.h>

#include <algorithm>
#include <limits>
#include <string>

#include "ops/common/broadcast.h"
#include "ops/common/kernel_util.h"
#include "ops/xnnpack/xnn_util.h"

namespace onnxi::nn {

namespace {

constexpr int64_t kMaxXnnValue = int64_t(1) << 31;

const char* op_name(bool nhwc) { return nhwc ? "NhwcConv" : "Conv"; }

}  // namespace

double conv_flops(const std::vector<ValueType>& in, const std::vector<ValueType>& out) {
  return multiply_add_flops(out[0].shape, double(dims_product(in[1].shape, 1, in[1].shape.size())));
}

bool conv_ref_supports(DType t) { return t == DType::Float || t == DType::Double; }

ConvConfig read_conv_config(const BuildContext& ctx, bool nhwc) {
  ConvConfig cfg;
  cfg.nhwc = nhwc;
  const std::string op = op_name(nhwc);
  if (!ctx.has_input(0) || !ctx.has_input(1)) throw Error(Stage::Build, op + " needs inputs X and W");
  if (ctx.num_inputs() > (nhwc ? 4u : 3u))
    throw Error(Stage::Build, op + " takes at most " + (nhwc ? "4" : "3") + " inputs");
  if (ctx.num_outputs() != 1) throw Error(Stage::Build, op + " has exactly one output");
  cfg.has_bias = ctx.has_input(2);
  cfg.has_residual = nhwc && ctx.has_input(3);

  cfg.dtype = ctx.input_dtype(0);
  if (ctx.input_dtype(1) != cfg.dtype || (cfg.has_bias && ctx.input_dtype(2) != cfg.dtype) ||
      (cfg.has_residual && ctx.input_dtype(3) != cfg.dtype))
    throw Error(Stage::Build, op + " inputs must share one dtype");

  cfg.group = ctx.attrs.get_int("group", 1);
  if (cfg.group < 1 || cfg.group >= kMaxXnnValue) throw Error(Stage::Build, "group must be positive");
  cfg.raw = read_window_attrs(ctx.attrs, {/*dilations=*/true, /*ceil_mode=*/false});

  if (nhwc) {
    cfg.act_min = ctx.attrs.get_float("activation_min", cfg.act_min);
    cfg.act_max = ctx.attrs.get_float("activation_max", cfg.act_max);
    if (std::isnan(cfg.act_min) || std::isnan(cfg.act_max) || cfg.act_min > cfg.act_max)
      throw Error(Stage::Build, "activation_min must not exceed activation_max");
  }

  // Check what is known already; the rest is checked by infer().
  const ValueType& x = ctx.inputs[0];
  const ValueType& w = ctx.inputs[1];
  if (x.shape_known && w.shape_known) {
    const Shape* b = cfg.has_bias && ctx.inputs[2].shape_known ? &ctx.inputs[2].shape : nullptr;
    conv_shapes(cfg, x.shape, w.shape, b, Stage::Build);
  } else if (w.shape_known) {
    if (w.shape.size() < 3) throw Error(Stage::Build, "W must have rank >= 3");
    if (w.shape[0] % cfg.group != 0)
      throw Error(Stage::Build, "W's output channels are not divisible by group");
    resolve_window(cfg.raw, conv_kernel_of(w.shape), Stage::Build);
  } else if (x.shape_known) {
    if (nhwc ? x.shape.size() != 4 : x.shape.size() < 3)
      throw Error(Stage::Build, op + (nhwc ? " expects a 4-D NHWC input" : " expects X of rank >= 3"));
  }
  return cfg;
}

ConvShapes conv_shapes(const ConvConfig& cfg, const Shape& x, const Shape& w, const Shape* b, Stage stage) {
  const std::string op = op_name(cfg.nhwc);
  const size_t rank = x.size();
  if (cfg.nhwc ? rank != 4 : rank < 3)
    throw Error(stage, op + (cfg.nhwc ? " expects a 4-D NHWC input, got " : " expects X of rank >= 3, got ") +
                           shape_to_string(x));
  if (w.size() != rank)
    throw Error(stage, "W " + shape_to_string(w) + " must have the rank of X " + shape_to_string(x));
  if (rank - 2 > kMaxSpatialRank)
    throw Error(stage,
                op + " with more than " + std::to_string(kMaxSpatialRank) + " spatial dims is not supported");

  ConvShapes s;
  s.batch = x[0];
  s.in_channels = cfg.nhwc ? x[3] : x[1];
  s.out_channels = w[0];
  if (w[1] * cfg.group != s.in_channels)
    throw Error(stage, "X has " + std::to_string(s.in_channels) + " channels but W " + shape_to_string(w) +
                           " with group " + std::to_string(cfg.group) + " expects " +
                           std::to_string(w[1] * cfg.group));
  if (s.out_channels % cfg.group != 0)
    throw Error(stage, "W's " + std::to_string(s.out_channels) +
                           " output channels are not divisible by group " + std::to_string(cfg.group));
  if (b && (b->size() != 1 || (*b)[0] != s.out_channels))
    throw Error(stage, "B " + shape_to_string(*b) + " must be [" + std::to_string(s.out_channels) + "]");

  s.win = resolve_window(cfg.raw, conv_kernel_of(w), stage);
  std::vector<int64_t> in_spatial =
      cfg.nhwc ? std::vector<int64_t>{x[1], x[2]} : std::vector<int64_t>(x.begin() + 2, x.end());
  s.geom = compute_window_geometry(s.win, in_spatial, stage);
  if (cfg.nhwc) {
    s.output = {s.batch, s.geom.out[0], s.geom.out[1], s.out_channels};
  } else {
    s.output = {s.batch, s.out_channels};
    s.output.insert(s.output.end(), s.geom.out.begin(), s.geom.out.end());
  }
  return s;
}

void infer_conv(const ConvConfig& cfg, InferContext& ctx) {
  const Shape* x = ctx.input_shape(0);
  const Shape* w = ctx.input_shape(1);
  if (!x || !w) {
    ctx.set_output_dtype(0, cfg.dtype);
    return;
  }
  const Shape* b = cfg.has_bias ? ctx.input_shape(2) : nullptr;
  Shape out = conv_shapes(cfg, *x, *w, b, Stage::Plan).output;
  if (cfg.has_residual) {
    const Shape* z = ctx.input_shape(3);
    if (!z) {
      ctx.set_output_dtype(0, cfg.dtype);
      return;
    }
    out = residual_output_shape(out, *z, Stage::Plan);
  }
  ctx.set_output(0, cfg.dtype, out);
}

Shape residual_output_shape(const Shape& conv, const Shape& z, Stage stage) {
  if (z == conv) return conv;
  try {
    return broadcast_shapes(conv, z);
  } catch (const Error&) {
    throw Error(stage, "NhwcConv's residual input " + shape_to_string(z) + " does not broadcast with its output " +
                           shape_to_string(conv));
  }
}

namespace {
// One chunk of y = clamp(conv + z) over same-shaped buffers.
template <class T>
struct ResidualArgs {
  const T* conv;
  const T* z;
  T* y;
  T lo, hi;
  int64_t chunk;
};

template <class T>
void residual_chunk(void* ctx, size_t index) {
  const auto& a = *static_cast<const ResidualArgs<T>*>(ctx);
  const int64_t begin = static_cast<int64_t>(index) * a.chunk;
  for (int64_t i = begin; i < begin + a.chunk; ++i) a.y[i] = std::min(std::max(a.conv[i] + a.z[i], a.lo), a.hi);
}
}  // namespace

template <class T>
void add_residual_clamp(const T* conv, const Shape& conv_shape, const Tensor& z, Tensor& y, double lo, double hi,
                        pthreadpool_t pool) {
  const T* zd = z.data<T>();
  T* yd = y.data<T>();
  const T tlo = static_cast<T>(lo), thi = static_cast<T>(hi);
  const int64_t n = y.numel();
  if (conv_shape == y.shape() && z.shape() == y.shape()) {
    constexpr int64_t kChunk = 16384;
    const int64_t chunks = n / kChunk;
    ResidualArgs<T> args{conv, zd, yd, tlo, thi, kChunk};
    if (chunks > 0) pthreadpool_parallelize_1d(pool, &residual_chunk<T>, &args, static_cast<size_t>(chunks), 0);
    for (int64_t i = chunks * kChunk; i < n; ++i) yd[i] = std::min(std::max(conv[i] + zd[i], tlo), thi);
    return;
  }
  BroadcastPlan plan = plan_broadcast(conv_shape, z.shape(), y.shape());
  if (plan.numel == 0) return;
  const int64_t rows = plan.numel / plan.dims.back();
  for_broadcast_rows(plan, 0, rows, [&](int64_t oa, int64_t ob, int64_t oo, int64_t len, int64_t sa, int64_t sb) {
    for (int64_t i = 0; i < len; ++i)
      yd[oo + i] = std::min(std::max(conv[oa + i * sa] + zd[ob + i * sb], tlo), thi);
  });
}

template void add_residual_clamp<float>(const float*, const Shape&, const Tensor&, Tensor&, double, double,
                                        pthreadpool_t);
template void add_residual_clamp<double>(const double*, const Shape&, const Tensor&, Tensor&, double, double,
                                         pthreadpool_t);

void reshape_conv(const ConvConfig& cfg, const RunContext& ctx, ConvState& st) {
  const Shape* b = ctx.has_input(2) ? &ctx.input(2).shape() : nullptr;
  st.shapes = conv_shapes(cfg, ctx.input(0).shape(), ctx.input(1).shape(), b, Stage::Run);
}

// ---- XnnConv2d ----

bool XnnConv2d::supports(const WindowAttrs& win, int64_t group, int64_t in_channels, int64_t out_channels,
                         float act_min, float act_max) {
  if (win.rank() != 2) return false;
  if (!(act_min < act_max)) return false;  // XNNPACK needs a non-empty output range
  return group < kMaxXnnValue && in_channels < kMaxXnnValue && out_channels < kMaxXnnValue &&
         in_channels > 0 && out_channels > 0;
}

XnnConv2d::XnnConv2d(const WindowAttrs& win, int64_t group, int64_t in_channels, int64_t out_channels,
                     const Tensor& w, const Tensor* b, float act_min, float act_max)
    : win_(win),
      group_(group),
      in_channels_(in_channels),
      out_channels_(out_channels),
      act_min_(act_min),
      act_max_(act_max),
      weights_(w),
      bias_(b ? *b : Tensor()) {}

void XnnConv2d::prepare() {
  ensure_xnnpack_initialized();
  // ONNX [M][C/g][kH][kW] -> XNNPACK [M][kH][kW][C/g] (groups are the leading blocks of M).
  const int64_t cg = in_channels_ / group_;
  const int64_t kh = win_.kernel[0], kw = win_.kernel[1];
  const float* src = weights_.data<float>();
  xnn_weights_.resize(static_cast<size_t>(out_channels_ * kh * kw * cg));
  for (int64_t m = 0; m < out_channels_; ++m)
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          xnn_weights_[static_cast<size_t>(((m * kh + y) * kw + x) * cg + c)] =
              src[((m * cg + c) * kh + y) * kw + x];
  if (bias_.defined()) xnn_bias_.assign(bias_.data<float>(), bias_.data<float>() + out_channels_);
  weights_ = Tensor();
  bias_ = Tensor();
}

void XnnConv2d::create(Instance& inst, const std::array<int64_t, 4>& pads) const {
  if (xnn_weights_.empty()) throw Error(Stage::Run, "XNNPACK convolution run before prepare() (runtime bug)");
  const int64_t cg = in_channels_ / group_, mg = out_channels_ / group_;
  check_xnn(
      xnn_create_convolution2d_nhwc_f32(
          static_cast<uint32_t>(pads[0]), static_cast<uint32_t>(pads[1]), static_cast<uint32_t>(pads[2]),
          static_cast<uint32_t>(pads[3]), static_cast<uint32_t>(win_.kernel[0]),
          static_cast<uint32_t>(win_.kernel[1]), static_cast<uint32_t>(win_.strides[0]),
          static_cast<uint32_t>(win_.strides[1]), static_cast<uint32_t>(win_.dilations[0]),
          static_cast<uint32_t>(win_.dilations[1]), static_cast<uint32_t>(group_), static_cast<size_t>(cg),
          static_cast<size_t>(mg), static_cast<size_t>(in_channels_), static_cast<size_t>(out_channels_),
          xnn_weights_.data(), xnn_bias_.empty() ? nullptr : xnn_bias_.data(), act_min_, act_max_, 0, inst.op.out()),
      "xnn_create_convolution2d_nhwc_f32");
  inst.pads = pads;
}

void XnnConv2d::setup(Instance& inst, int64_t batch, const WindowGeometry& geom, const float* in, float* out,
                      pthreadpool_t pool) const {
  const std::array<int64_t, 4> pads{geom.pad_begin[0], geom.pad_end[1], geom.pad_end[0], geom.pad_begin[1]};
  check_xnn_output_size(win_, geom, pads);
  if (!inst.op || pads != inst.pads) create(inst, pads);
  check_xnn(
      xnn_setup_convolution2d_nhwc_f32(inst.op.get(), static_cast<size_t>(batch), static_cast<size_t>(geom.in[0]),
                                       static_cast<size_t>(geom.in[1]), in, out, pool),
      "xnn_setup_convolution2d_nhwc_f32");
}

void XnnConv2d::run(Instance& inst, pthreadpool_t pool) const {
  check_xnn(xnn_run_operator(inst.op.get(), pool), "xnn_run_operator");
}

std::optional<XnnConvPlan> plan_xnn_conv(const BuildContext& ctx, bool nhwc) {
  XnnConvPlan p;
  p.cfg = read_conv_config(ctx, nhwc);
  if (p.cfg.dtype != DType::Float) return std::nullopt;
  p.w = ctx.constant_input(1);
  p.b = p.cfg.has_bias ? ctx.constant_input(2) : nullptr;
  if (!p.w || (p.cfg.has_bias && !p.b)) return std::nullopt;
  if (p.w->rank() != 4) return std::nullopt;
  p.win = resolve_window(p.cfg.raw, conv_kernel_of(p.w->shape()), Stage::Build);
  p.in_channels = p.w->dim(1) * p.cfg.group;
  p.out_channels = p.w->dim(0);
  if (p.out_channels % p.cfg.group != 0 || (p.b && (p.b->rank() != 1 || p.b->dim(0) != p.out_channels)))
    return std::nullopt;  // the reference kernel reports the error
  // With a residual input the clamp comes after the addition, outside XNNPACK's convolution.
  const float inf = std::numeric_limits<float>::infinity();
  if (!XnnConv2d::supports(p.win, p.cfg.group, p.in_channels, p.out_channels,
                           p.cfg.has_residual ? -inf : p.cfg.act_min, p.cfg.has_residual ? inf : p.cfg.act_max))
    return std::nullopt;
  try {
    ensure_xnnpack_initialized();
  } catch (const Error&) {
    return std::nullopt;
  }
  return p;
}

}  // namespace onnxi::nn
