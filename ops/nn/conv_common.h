// Pieces shared by Conv (NCHW) and the layout pass's NhwcConv, on all three providers (ref,
// xnnpack, onednn): attribute and shape validation, the residual add, and the XNNPACK 2-D
// convolution wrapper the xnnpack kernels build on.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "ops/nn/scratch.h"
#include "ops/nn/window.h"
#include "ops/xnnpack/xnn_operator_holder.h"
#include "runtime/kernel.h"

namespace onnxi::nn {

struct ConvConfig {
  RawWindowAttrs raw;
  int64_t group = 1;
  bool nhwc = false;  // X and Y are [N, H, W, C]; W stays [M, C/group, kH, kW]
  // Fused clamp (NhwcConv only).
  float act_min = -std::numeric_limits<float>::infinity();
  float act_max = std::numeric_limits<float>::infinity();
  bool has_bias = false;
  // NhwcConv only: input 3, Z, is added to the convolution (after the bias, before the
  // clamp): the residual Add of ResNet-style blocks, fused by the fuse_conv_add pass.
  bool has_residual = false;
  DType dtype = DType::Undefined;

  bool has_activation() const { return !std::isinf(act_min) || !std::isinf(act_max); }
};

// Reads and validates a Conv / NhwcConv node (attributes, input count, dtypes, and the
// ranks and shapes known so far). Throws Error(Stage::Build).
ConvConfig read_conv_config(const BuildContext& ctx, bool nhwc);

// True when the reference kernels handle `t`.
bool conv_ref_supports(DType t);

struct ConvShapes {
  WindowAttrs win;
  WindowGeometry geom;
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  Shape output;
};

// Checks X, W and (optionally) B against each other and the attributes; computes the
// output shape. Throws Error(stage).
ConvShapes conv_shapes(const ConvConfig& cfg, const Shape& x, const Shape& w, const Shape* b, Stage stage);

// Output dtype and shape (dtype only while X's or W's shape is unknown).
void infer_conv(const ConvConfig& cfg, InferContext& ctx);

// Kernel::flops of Conv / NhwcConv: per output element, one multiply-add per weight of its
// output channel (W is [M, C/group, k...] or its NHWC-packed equivalent of the same size).
double conv_flops(const std::vector<ValueType>& in, const std::vector<ValueType>& out);

// What every convolution kernel keeps per execution context: the geometry of the current
// input shapes, validated and computed by reshape_conv() in the kernel's reshape step.
struct ConvState : KernelState {
  ConvShapes shapes;
};
void reshape_conv(const ConvConfig& cfg, const RunContext& ctx, ConvState& st);

// The output shape of a convolution with a residual input Z: the convolution's own shape,
// or (rarely) both broadcast together. Throws Error(stage) when they do not broadcast.
Shape residual_output_shape(const Shape& conv, const Shape& z, Stage stage);

// y = clamp(conv + z, lo, hi), with z broadcast to y's shape (conv has `conv_shape`, which
// broadcasts to y's shape too). `conv` may be y's own data when the shapes are equal.
template <class T>
void add_residual_clamp(const T* conv, const Shape& conv_shape, const Tensor& z, Tensor& y, double lo, double hi,
                        pthreadpool_t pool);

// Where an NhwcConv (any provider) writes the convolution itself: straight into Y, or into
// `scratch` when a residual input makes Y's shape differ from the convolution's (Z is then
// added broadcast by add_residual_clamp, which also works in place on Y).
template <class T>
T* conv_destination(const ConvConfig& cfg, const ConvShapes& s, Tensor& y, Scratch& scratch) {
  if (!cfg.has_residual || s.output == y.shape()) return y.data<T>();
  return scratch.ensure<T>(static_cast<size_t>(shape_numel(s.output)));
}

// Spatial kernel shape of W ([M, C/group, k...]).
inline std::vector<int64_t> conv_kernel_of(const Shape& w) {
  return w.size() > 2 ? std::vector<int64_t>(w.begin() + 2, w.end()) : std::vector<int64_t>{};
}

// XNNPACK 2-D float convolution on NHWC data, given constant weights in ONNX layout.
// prepare() permutes the weights into XNNPACK's layout once (the ONNX copy is then
// released); each execution context has an Instance, whose operator XNNPACK packs from
// that copy on the context's first run (and again if the size-dependent padding changes,
// for SAME auto_pad with strides > 1).
class XnnConv2d {
 public:
  XnnConv2d(const WindowAttrs& win, int64_t group, int64_t in_channels, int64_t out_channels, const Tensor& w,
            const Tensor* b, float act_min, float act_max);
  void prepare();
  // One execution context's operator, bound to its buffers by setup().
  struct Instance {
    XnnOperatorHolder op;
    std::array<int64_t, 4> pads{};
  };
  // Creates the instance's operator if needed for this geometry, then binds the buffers.
  void setup(Instance& inst, int64_t batch, const WindowGeometry& geom, const float* in, float* out,
             pthreadpool_t pool) const;
  void run(Instance& inst, pthreadpool_t pool) const;
  // True once prepare() has made the kernel's own copy of the weights.
  bool weights_released() const { return !weights_.defined(); }

  // Whether XNNPACK can take this configuration (value ranges, clamp bounds).
  static bool supports(const WindowAttrs& win, int64_t group, int64_t in_channels, int64_t out_channels,
                       float act_min, float act_max);

 private:
  void create(Instance& inst, const std::array<int64_t, 4>& pads) const;  // top, right, bottom, left

  WindowAttrs win_;
  int64_t group_, in_channels_, out_channels_;
  float act_min_, act_max_;
  // The constant W and B (aliases, not copies) until prepare() permutes them.
  Tensor weights_, bias_;
  std::vector<float> xnn_weights_, xnn_bias_;  // [M][kH][kW][C/g], [M]
};

// What the XNNPACK convolution factories (NCHW Conv and NhwcConv) need; nullopt when
// XNNPACK cannot take the node (non-float, weights not constant, not 2-D, channel counts
// or clamp it does not accept), so the reference kernel is used (and reports errors).
struct XnnConvPlan {
  ConvConfig cfg;
  WindowAttrs win;
  int64_t in_channels = 0, out_channels = 0;
  const Tensor* w = nullptr;
  const Tensor* b = nullptr;
};
std::optional<XnnConvPlan> plan_xnn_conv(const BuildContext& ctx, bool nhwc);

}  // namespace onnxi::nn
