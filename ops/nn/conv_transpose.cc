// ConvTranspose (ai.onnx, every opset: versions 1 and 11 differ only in documentation) on
// NCHW tensors with 1 to 3 spatial dims.
//   ref:     float/double: GEMM of the transposed weights with a tile of input positions,
//            then col2im scatters the columns into the output (bias first).
//   xnnpack: 1-D (as 2-D with height 1) and 2-D float with constant weights (and bias):
//            NCHW <-> NHWC copies around XNNPACK's NHWC deconvolution; geometries XNNPACK cannot express
//            (negative padding from a large output_shape, output padding >= stride) run the reference loops
//            inside the same kernel.
//
// Output size per spatial dim i (spec):
//   natural = stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1
//   out     = natural - pad_begin - pad_end            (explicit pads / VALID)
//   with output_shape (or SAME_*: out = in * stride), total = natural - out is split as
//   SAME_UPPER: begin = floor(total / 2), else begin = total - floor(total / 2).
// total may be negative (an output larger than the natural one): the extra positions get
// only the bias, so begin may be negative; floor division keeps the split as specified.
#include <pthreadpool.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "ops/common/kernel_util.h"
#include "ops/math/gemm_core.h"
#include "ops/nn/layout.h"
#include "ops/nn/scratch.h"
#include "ops/nn/window.h"
#include "ops/xnnpack/provider.h"
#include "ops/xnnpack/xnn_operator_holder.h"
#include "ops/xnnpack/xnn_util.h"

namespace onnxi::nn {

namespace {

// Bounds keep sizes far from int64 overflow and inside XNNPACK's uint32 parameters.
constexpr int64_t kMaxValue = int64_t(1) << 31;
constexpr int64_t kMaxOutputElements = int64_t(1) << 31;

int64_t floor_div2(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

struct ConvTransposeConfig {
  RawWindowAttrs raw;
  std::vector<int64_t> output_padding, output_shape;  // empty = absent
  int64_t group = 1;
  bool has_bias = false;
  DType dtype = DType::Undefined;
};

// Geometry for one pair of X and W shapes, lifted to three spatial dims (leading unit dims).
struct CtShapes {
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1}, dilation{1, 1, 1},
      pad_begin{0, 0, 0}, pad_end{0, 0, 0};
  size_t rank = 0;  // spatial
  Shape output;
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
};

void check_values(const std::vector<int64_t>& v, const char* name, int64_t lo) {
  for (int64_t x : v)
    if (x < lo || x >= kMaxValue)
      throw Error(Stage::Build, std::string(name) + " " + shape_to_string(v) + " has an out-of-range value");
}

CtShapes ct_shapes(const ConvTransposeConfig& cfg, const Shape& x, const Shape& w, const Shape* b,
                   Stage stage) {
  const size_t rank = x.size();
  if (rank < 3) throw Error(stage, "ConvTranspose expects X of rank >= 3, got " + shape_to_string(x));
  if (w.size() != rank)
    throw Error(stage, "W " + shape_to_string(w) + " must have the rank of X " + shape_to_string(x));
  if (rank - 2 > kMaxSpatialRank)
    throw Error(stage, "ConvTranspose with more than 3 spatial dims is not supported");
  CtShapes s;
  s.rank = rank - 2;
  s.batch = x[0];
  s.in_channels = x[1];
  if (w[0] != s.in_channels)
    throw Error(stage, "X has " + std::to_string(x[1]) + " channels but W " + shape_to_string(w) +
                           " expects " + std::to_string(w[0]));
  if (s.in_channels % cfg.group != 0)
    throw Error(stage, "X's channels are not divisible by group " + std::to_string(cfg.group));
  if (w[1] >= kMaxValue) throw Error(stage, "W has too many output channels");
  s.out_channels = w[1] * cfg.group;
  if (s.out_channels >= kMaxValue) throw Error(stage, "too many output channels");
  if (b && (b->size() != 1 || (*b)[0] != s.out_channels))
    throw Error(stage, "B " + shape_to_string(*b) + " must be [" + std::to_string(s.out_channels) + "]");

  const std::vector<int64_t> kernel(w.begin() + 2, w.end());
  const WindowAttrs win = resolve_window(cfg.raw, kernel, stage);
  const size_t r = s.rank;
  std::vector<int64_t> out_pad = cfg.output_padding.empty() ? std::vector<int64_t>(r, 0) : cfg.output_padding;
  if (out_pad.size() != r)
    throw Error(stage,
                "output_padding " + shape_to_string(out_pad) + " must have " + std::to_string(r) + " values");
  std::vector<int64_t> out_shape;
  if (!cfg.output_shape.empty()) {
    if (cfg.output_shape.size() == r)
      out_shape = cfg.output_shape;
    else if (cfg.output_shape.size() == r + 2)
      out_shape.assign(cfg.output_shape.begin() + 2, cfg.output_shape.end());
    else
      throw Error(stage, "output_shape " + shape_to_string(cfg.output_shape) + " must have " +
                             std::to_string(r) + " values");
  }
  s.output = {s.batch, s.out_channels};
  const size_t off = kMaxSpatialRank - r;
  for (size_t i = 0; i < r; ++i) {
    const int64_t in = x[i + 2];
    if (in < 1 || in >= kMaxValue)
      throw Error(stage, "X " + shape_to_string(x) + " has an empty or too large spatial dim");
    const int64_t k = win.kernel[i], st = win.strides[i], d = win.dilations[i];
    const int64_t natural = st * (in - 1) + out_pad[i] + (k - 1) * d + 1;
    int64_t out = 0, pb = 0;
    const bool same = win.auto_pad == AutoPad::SameUpper || win.auto_pad == AutoPad::SameLower;
    if (!out_shape.empty() || same) {
      out = !out_shape.empty() ? out_shape[i] : in * st;
      const int64_t total = natural - out;
      pb = win.auto_pad == AutoPad::SameUpper ? floor_div2(total) : total - floor_div2(total);
    } else if (win.auto_pad == AutoPad::Valid) {
      out = natural;
    } else {
      pb = win.pads[i];
      out = natural - win.pads[i] - win.pads[i + r];
    }
    if (out < 0)
      throw Error(stage,
                  "ConvTranspose output would have a negative size in spatial dim " + std::to_string(i));
    if (out >= kMaxValue) throw Error(stage, "ConvTranspose output is too large");
    s.in[off + i] = in;
    s.out[off + i] = out;
    s.kernel[off + i] = k;
    s.stride[off + i] = st;
    s.dilation[off + i] = d;
    s.pad_begin[off + i] = pb;
    s.pad_end[off + i] = natural - out - pb;
    s.output.push_back(out);
  }
  shape_numel(s.output, kMaxOutputElements);
  return s;
}

ConvTransposeConfig read_config(const BuildContext& ctx) {
  ConvTransposeConfig cfg;
  if (!ctx.has_input(0) || !ctx.has_input(1)) throw Error(Stage::Build, "ConvTranspose needs inputs X and W");
  if (ctx.num_inputs() > 3) throw Error(Stage::Build, "ConvTranspose takes at most 3 inputs");
  if (ctx.num_outputs() != 1) throw Error(Stage::Build, "ConvTranspose has exactly one output");
  cfg.has_bias = ctx.has_input(2);
  cfg.dtype = ctx.input_dtype(0);
  if (ctx.input_dtype(1) != cfg.dtype || (cfg.has_bias && ctx.input_dtype(2) != cfg.dtype))
    throw Error(Stage::Build, "ConvTranspose inputs must share one dtype");
  cfg.group = ctx.attrs.get_int("group", 1);
  if (cfg.group < 1 || cfg.group >= kMaxValue) throw Error(Stage::Build, "group must be positive");
  cfg.raw = read_window_attrs(ctx.attrs, {/*dilations=*/true, /*ceil_mode=*/false});
  cfg.output_padding = ctx.attrs.get_ints("output_padding");
  check_values(cfg.output_padding, "output_padding", 0);
  cfg.output_shape = ctx.attrs.get_ints("output_shape");
  check_values(cfg.output_shape, "output_shape", 0);
  const ValueType& x = ctx.inputs[0];
  const ValueType& w = ctx.inputs[1];
  if (x.shape_known && w.shape_known) {
    const Shape* b = cfg.has_bias && ctx.inputs[2].shape_known ? &ctx.inputs[2].shape : nullptr;
    ct_shapes(cfg, x.shape, w.shape, b, Stage::Build);
  } else if (w.shape_known) {
    if (w.shape.size() < 3) throw Error(Stage::Build, "W must have rank >= 3");
    resolve_window(cfg.raw, std::vector<int64_t>(w.shape.begin() + 2, w.shape.end()), Stage::Build);
  }
  return cfg;
}

bool ref_supports(DType t) { return t == DType::Float || t == DType::Double; }

// ---- reference ----

template <class T>
struct Col2imArgs {
  const T* col;  // [Mg * K][tile] for flat input positions [first, first + tile)
  T* y;          // first output channel of the group, [Mg][out_size]
  const CtShapes* s;
  int64_t first, tile;
};

// Adds the columns of one output channel to its plane.
template <class T>
void col2im_channel(void* ctx, size_t m_index) {
  const auto& a = *static_cast<const Col2imArgs<T>*>(ctx);
  const CtShapes& s = *a.s;
  const int64_t m = static_cast<int64_t>(m_index);
  const int64_t ksize = s.kernel_size(), in_w = s.in[2];
  const int64_t row_first = a.first / in_w, row_last = (a.first + a.tile - 1) / in_w;
  T* plane = a.y + m * s.out_size();
  for (int64_t kk = 0; kk < ksize; ++kk) {
    const int64_t kw = kk % s.kernel[2], kh = (kk / s.kernel[2]) % s.kernel[1],
                  kd = kk / (s.kernel[2] * s.kernel[1]);
    const T* col = a.col + (m * ksize + kk) * a.tile;
    const int64_t off_w = kw * s.dilation[2] - s.pad_begin[2];
    // ow = iw * stride + off_w must lie in [0, out_w).
    const int64_t iw_lo = off_w >= 0 ? 0 : (-off_w + s.stride[2] - 1) / s.stride[2];
    const int64_t iw_hi =
        std::min(in_w, s.out[2] - off_w <= 0 ? 0 : (s.out[2] - off_w + s.stride[2] - 1) / s.stride[2]);
    if (iw_lo >= iw_hi) continue;
    for (int64_t row = row_first; row <= row_last; ++row) {
      const int64_t ih = row % s.in[1], id = row / s.in[1];
      const int64_t od = id * s.stride[0] + kd * s.dilation[0] - s.pad_begin[0];
      const int64_t oh = ih * s.stride[1] + kh * s.dilation[1] - s.pad_begin[1];
      if (od < 0 || od >= s.out[0] || oh < 0 || oh >= s.out[1]) continue;
      // The part of this row inside the tile, intersected with the valid range.
      const int64_t row_start = row * in_w;
      const int64_t lo = std::max(iw_lo, a.first - row_start);
      const int64_t hi = std::min(iw_hi, a.first + a.tile - row_start);
      T* dst = plane + (od * s.out[1] + oh) * s.out[2] + off_w;
      const T* src = col + (row_start - a.first);
      if (s.stride[2] == 1) {
        for (int64_t iw = lo; iw < hi; ++iw) dst[iw] += src[iw];
      } else {
        for (int64_t iw = lo; iw < hi; ++iw) dst[iw * s.stride[2]] += src[iw];
      }
    }
  }
}

// The reference computation, shared by both kernels (the XNNPACK one falls back to it).
class ConvTransposeRef {
 public:
  explicit ConvTransposeRef(bool constant_weights) : constant_weights_(constant_weights) {}

  template <class T>
  void run(const CtShapes& s, int64_t group, const Tensor& x, const Tensor& w, const Tensor* b, Tensor& y,
           pthreadpool_t pool) {
    if (y.numel() == 0) return;
    const int64_t cg = s.in_channels / group, mg = s.out_channels / group;
    const int64_t ksize = s.kernel_size(), in_size = s.in_size(), out_size = s.out_size();
    // [group][Mg * K][Cg]: the transposed weights, the GEMM's left operand.
    const int64_t wsize = group * mg * ksize * cg;
    T* wt = wt_.ensure<T>(static_cast<size_t>(wsize));
    if (!have_wt_ || wt_shape_ != w.shape()) {
      const T* src = w.data<T>();  // [C][Mg][K]
      for (int64_t g = 0; g < group; ++g)
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t mk = 0; mk < mg * ksize; ++mk)
            wt[(g * mg * ksize + mk) * cg + c] = src[(g * cg + c) * mg * ksize + mk];
      have_wt_ = constant_weights_;
      wt_shape_ = w.shape();
    }
    // Column tiles of input positions, about kColBudget elements each.
    constexpr int64_t kColBudget = int64_t(1) << 20;
    const int64_t tile_max = std::clamp<int64_t>(kColBudget / std::max<int64_t>(1, mg * ksize), 1, in_size);
    T* col = col_.ensure<T>(static_cast<size_t>(mg * ksize * tile_max));
    const T* xd = x.data<T>();
    const T* bd = b ? b->data<T>() : nullptr;
    T* yd = y.data<T>();
    for (int64_t n = 0; n < s.batch; ++n) {
      for (int64_t g = 0; g < group; ++g) {
        const T* xg = xd + (n * s.in_channels + g * cg) * in_size;
        T* yg = yd + (n * s.out_channels + g * mg) * out_size;
        for (int64_t m = 0; m < mg; ++m)
          std::fill(yg + m * out_size, yg + (m + 1) * out_size, bd ? bd[g * mg + m] : T(0));
        for (int64_t first = 0; first < in_size; first += tile_max) {
          const int64_t tile = std::min(tile_max, in_size - first);
          std::fill(col, col + mg * ksize * tile, T(0));
          gemm_accumulate<T>(mg * ksize, tile, cg, wt + g * mg * ksize * cg, cg, xg + first, in_size, col,
                             tile, pool);
          Col2imArgs<T> args{col, yg, &s, first, tile};
          pthreadpool_parallelize_1d(pool, &col2im_channel<T>, &args, static_cast<size_t>(mg), 0);
        }
      }
    }
  }

 private:
  bool constant_weights_;
  bool have_wt_ = false;
  Shape wt_shape_;
  Scratch wt_, col_;
};

// Per execution context: the geometry of the current input shapes (made by the reshape
// step) and the reference computation's buffers.
struct CtState : KernelState {
  CtShapes shapes;
  ConvTransposeRef ref;
  explicit CtState(bool constant_weights) : ref(constant_weights) {}
};

void reshape_ct(const ConvTransposeConfig& cfg, const RunContext& ctx, CtState& st) {
  const Shape* b = ctx.has_input(2) ? &ctx.input(2).shape() : nullptr;
  st.shapes = ct_shapes(cfg, ctx.input(0).shape(), ctx.input(1).shape(), b, Stage::Run);
}

void infer_ct(const ConvTransposeConfig& cfg, InferContext& ctx) {
  const Shape* x = ctx.input_shape(0);
  const Shape* w = ctx.input_shape(1);
  if (!x || !w) return ctx.set_output_dtype(0, cfg.dtype);
  const Shape* b = cfg.has_bias ? ctx.input_shape(2) : nullptr;
  ctx.set_output(0, cfg.dtype, ct_shapes(cfg, *x, *w, b, Stage::Plan).output);
}

// Kernel::flops: every input element meets every weight of its group's output channels
// (W is [C, M/group, k...]).
double ct_flops(const std::vector<ValueType>& in) {
  return multiply_add_flops(in[0].shape, double(dims_product(in[1].shape, 1, in[1].shape.size())));
}

class ConvTransposeRefKernel final : public Kernel {
 public:
  ConvTransposeRefKernel(ConvTransposeConfig cfg, bool constant_weights)
      : cfg_(std::move(cfg)), constant_weights_(constant_weights) {}
  void infer(InferContext& ctx) override { infer_ct(cfg_, ctx); }
  double flops(const std::vector<ValueType>& in, const std::vector<ValueType>&) const override {
    return ct_flops(in);
  }
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<CtState>(constant_weights_); }
  void reshape(RunContext& ctx) const override { reshape_ct(cfg_, ctx, ctx.state<CtState>()); }
  void run(RunContext& ctx) const override {
    CtState& st = ctx.state<CtState>();
    const Tensor* b = cfg_.has_bias ? &ctx.input(2) : nullptr;
    if (cfg_.dtype == DType::Float)
      st.ref.run<float>(st.shapes, cfg_.group, ctx.input(0), ctx.input(1), b, ctx.output(0), ctx.threadpool());
    else
      st.ref.run<double>(st.shapes, cfg_.group, ctx.input(0), ctx.input(1), b, ctx.output(0), ctx.threadpool());
  }

 private:
  ConvTransposeConfig cfg_;
  bool constant_weights_;
};

// ---- XNNPACK ----

// XNNPACK's view of one geometry: non-negative paddings {top, right, bottom, left} and the
// output adjustment (extra trailing rows/columns, < stride).
struct XnnDeconvGeometry {
  std::array<int64_t, 4> pads{};
  int64_t adj_h = 0, adj_w = 0;
};

// False when XNNPACK cannot express the geometry.
bool xnn_geometry(const CtShapes& s, XnnDeconvGeometry* g) {
  int64_t pad_end[2], adj[2];
  for (size_t i = 0; i < 2; ++i) {
    const size_t d = i + 1;
    if (s.pad_begin[d] < 0) return false;
    // XNNPACK's strided (subconvolution) path can crash when the output is shorter than the
    // stride (seen with stride >= 3 in the 2022 snapshot); such outputs are tiny anyway.
    if (s.out[d] < s.stride[d]) return false;
    // XNNPACK's output: stride * (in - 1) + adj + extent - pad_begin - pad_end.
    const int64_t base = s.stride[d] * (s.in[d] - 1) + (s.kernel[d] - 1) * s.dilation[d] + 1 - s.pad_begin[d];
    const int64_t delta = s.out[d] - base;
    adj[i] = std::max<int64_t>(delta, 0);
    pad_end[i] = std::max<int64_t>(-delta, 0);
    if (adj[i] >= s.stride[d] || pad_end[i] >= kMaxValue || s.pad_begin[d] >= kMaxValue) return false;
  }
  g->pads = {s.pad_begin[1], pad_end[1], pad_end[0], s.pad_begin[2]};
  g->adj_h = adj[0];
  g->adj_w = adj[1];
  return true;
}

class ConvTransposeXnnKernel final : public Kernel {
 public:
  ConvTransposeXnnKernel(ConvTransposeConfig cfg, const Tensor& w, const Tensor* b)
      : cfg_(std::move(cfg)), weights_(w), bias_(b ? *b : Tensor()) {}
  void infer(InferContext& ctx) override { infer_ct(cfg_, ctx); }
  double flops(const std::vector<ValueType>& in, const std::vector<ValueType>&) const override {
    return ct_flops(in);
  }
  void prepare(PrepareContext&) override { ensure_xnnpack_initialized(); }
  struct State : CtState {
    XnnOperatorHolder op;
    std::array<int64_t, 4> op_pads{};
    NhwcBridge bridge;
    State() : CtState(/*constant_weights=*/true) {}
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }
  void reshape(RunContext& ctx) const override { reshape_ct(cfg_, ctx, ctx.state<State>()); }
  void run(RunContext& ctx) const override {
    State& st = ctx.state<State>();
    const CtShapes& s = st.shapes;
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    pthreadpool_t pool = ctx.threadpool();
    XnnDeconvGeometry g;
    if (!xnn_geometry(s, &g)) {
      st.ref.run<float>(s, cfg_.group, ctx.input(0), weights_, bias_.defined() ? &bias_ : nullptr, y, pool);
      return;
    }
    if (!st.op || g.pads != st.op_pads) create(st, s, g.pads);
    const int64_t in_pixels = s.in[1] * s.in[2], out_pixels = s.out[1] * s.out[2];
    st.bridge.run(ctx.input(0).data<float>(), y.data<float>(), s.batch, s.in_channels, in_pixels, s.out_channels,
                  out_pixels, pool, [&](const float* in, float* out) {
                    check_xnn(xnn_setup_deconvolution2d_nhwc_f32(
                                  st.op.get(), static_cast<size_t>(s.batch), static_cast<size_t>(s.in[1]),
                                  static_cast<size_t>(s.in[2]), static_cast<uint32_t>(g.adj_h),
                                  static_cast<uint32_t>(g.adj_w), in, out, pool),
                              "xnn_setup_deconvolution2d_nhwc_f32");
                    check_xnn(xnn_run_operator(st.op.get(), pool), "xnn_run_operator");
                  });
  }

 private:
  void create(State& st, const CtShapes& s, const std::array<int64_t, 4>& pads) const {
    ensure_xnnpack_initialized();
    // ONNX [C][Mg][kH][kW] (C = group * Cg) -> XNNPACK [group][Mg][kH][kW][Cg].
    const int64_t group = cfg_.group, cg = s.in_channels / group, mg = s.out_channels / group;
    const int64_t kh = s.kernel[1], kw = s.kernel[2];
    const float* src = weights_.data<float>();
    std::vector<float> packed(static_cast<size_t>(group * mg * kh * kw * cg));
    for (int64_t g = 0; g < group; ++g)
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t m = 0; m < mg; ++m)
          for (int64_t k = 0; k < kh * kw; ++k)
            packed[static_cast<size_t>(((g * mg + m) * kh * kw + k) * cg + c)] =
                src[((g * cg + c) * mg + m) * kh * kw + k];
    check_xnn(
        xnn_create_deconvolution2d_nhwc_f32(
            static_cast<uint32_t>(pads[0]), static_cast<uint32_t>(pads[1]), static_cast<uint32_t>(pads[2]),
            static_cast<uint32_t>(pads[3]), static_cast<uint32_t>(kh), static_cast<uint32_t>(kw),
            static_cast<uint32_t>(s.stride[1]), static_cast<uint32_t>(s.stride[2]),
            static_cast<uint32_t>(s.dilation[1]), static_cast<uint32_t>(s.dilation[2]),
            static_cast<uint32_t>(group), static_cast<size_t>(cg), static_cast<size_t>(mg),
            static_cast<size_t>(s.in_channels), static_cast<size_t>(s.out_channels), packed.data(),
            bias_.defined() ? bias_.data<float>() : nullptr, -std::numeric_limits<float>::infinity(),
            std::numeric_limits<float>::infinity(), 0, st.op.out()),
        "xnn_create_deconvolution2d_nhwc_f32");
    st.op_pads = pads;
  }

  ConvTransposeConfig cfg_;
  Tensor weights_, bias_;  // the constant W and B (aliases)
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  ConvTransposeConfig cfg = read_config(ctx);
  if (!ref_supports(cfg.dtype)) return nullptr;
  const bool constant_weights = ctx.constant_input(1) != nullptr;
  return std::make_unique<ConvTransposeRefKernel>(std::move(cfg), constant_weights);
}

std::unique_ptr<Kernel> make_xnnpack(const BuildContext& ctx) {
  ConvTransposeConfig cfg = read_config(ctx);
  if (cfg.dtype != DType::Float) return nullptr;
  const Tensor* w = ctx.constant_input(1);
  const Tensor* b = cfg.has_bias ? ctx.constant_input(2) : nullptr;
  if (!w || (cfg.has_bias && !b) || (w->rank() != 3 && w->rank() != 4)) return nullptr;
  if (w->dim(0) % cfg.group != 0 || w->dim(0) == 0 || w->dim(1) == 0) return nullptr;  // ref reports errors
  if (b && (b->rank() != 1 || b->dim(0) != w->dim(1) * cfg.group)) return nullptr;
  try {
    ensure_xnnpack_initialized();
  } catch (const Error&) {
    return nullptr;
  }
  return std::make_unique<ConvTransposeXnnKernel>(std::move(cfg), *w, b);
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "ConvTranspose", 1, 22, kXnnpack, make_xnnpack);
ONNXI_REGISTER_KERNEL("", "ConvTranspose", 1, 22, kRef, make_ref);

}  // namespace onnxi::nn
