// Sliding-window geometry shared by Conv and the pooling ops: reading and validating
// kernel_shape / strides / dilations / pads / auto_pad / ceil_mode, and computing output
// sizes and the padding actually applied for a given input size.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "onnxi/tensor.h"
#include "runtime/kernel.h"

namespace onnxi::nn {

#define ONNXI_AUTO_PADS(X)   \
  X(NotSet, "NOTSET")        \
  X(SameUpper, "SAME_UPPER") \
  X(SameLower, "SAME_LOWER") \
  X(Valid, "VALID")

enum class AutoPad {
#define ONNXI_X(name, str) name,
  ONNXI_AUTO_PADS(ONNXI_X)
#undef ONNXI_X
};

// Throws Error(Stage::Build) for an unknown name. "" means NOTSET.
AutoPad parse_auto_pad(const std::string& s);
const char* auto_pad_name(AutoPad p);

struct WindowAttrs {
  std::vector<int64_t> kernel;     // spatial kernel shape
  std::vector<int64_t> strides;    // one per spatial dim
  std::vector<int64_t> dilations;  // one per spatial dim
  std::vector<int64_t> pads;       // begins then ends (2 per spatial dim); ignored unless NOTSET
  AutoPad auto_pad = AutoPad::NotSet;
  bool ceil_mode = false;

  size_t rank() const { return kernel.size(); }
  bool has_padding() const;   // any explicit pad non-zero (NOTSET only)
  bool has_dilation() const;  // any dilation > 1
  // The padding never depends on the input size (NOTSET, VALID, or SAME with stride 1).
  bool static_padding() const;
};

struct WindowReadOptions {
  bool dilations = true;   // the op has a dilations attribute
  bool ceil_mode = false;  // the op has a ceil_mode attribute
};

// The attributes as written on the node: lists may be absent (empty) until the spatial
// rank is known, e.g. from Conv's weights.
struct RawWindowAttrs {
  std::vector<int64_t> kernel_shape, strides, dilations, pads;  // empty = absent
  AutoPad auto_pad = AutoPad::NotSet;
  bool ceil_mode = false;
};

// Reads the window attributes and validates every value (ranges, names, pads vs auto_pad);
// throws Error(Stage::Build).
RawWindowAttrs read_window_attrs(const AttributeReader& attrs, const WindowReadOptions& opts);

// Fills defaults for the spatial rank and checks list lengths. `kernel` is the spatial
// kernel shape when known from elsewhere (Conv's W); it must then agree with
// kernel_shape, if present. When empty, kernel_shape is required. Throws Error(stage).
WindowAttrs resolve_window(const RawWindowAttrs& raw, const std::vector<int64_t>& kernel, Stage stage);

// Geometry for one input size.
struct WindowGeometry {
  std::vector<int64_t> in, out, pad_begin, pad_end;
  // How far the last window reaches past in + pad_begin + pad_end (ceil_mode only);
  // those positions are treated like padding that pooling ignores.
  std::vector<int64_t> ceil_extra;
};

// Output sizes and the applied padding for `in_spatial`. Throws Error(stage) when the
// window does not fit the (padded) input or the spatial ranks differ.
WindowGeometry compute_window_geometry(const WindowAttrs& w, const std::vector<int64_t>& in_spatial,
                                       Stage stage = Stage::Plan);

// Throws Error(Stage::Run) unless the output size XNNPACK derives from the padded input
// (floor((in + pad_before + pad_after - extent) / stride) + 1 per dim, pads given as
// {top, right, bottom, left}) equals `g.out`: a guard so XNNPACK never writes past the
// output buffer this runtime allocated.
void check_xnn_output_size(const WindowAttrs& w, const WindowGeometry& g, const std::array<int64_t, 4>& pads);

// Geometry lifted to exactly three spatial dims by prepending unit dims, so the reference
// loops are written once for 1-D, 2-D and 3-D.
struct Window3 {
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1}, dilation{1, 1, 1},
      pad_begin{0, 0, 0}, pad_end{0, 0, 0};
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
};
inline constexpr size_t kMaxSpatialRank = 3;
// Requires w.rank() <= kMaxSpatialRank.
Window3 lift_to_3d(const WindowAttrs& w, const WindowGeometry& g);

// True when `t` is one of `allowed`.
bool dtype_in(DType t, std::initializer_list<DType> allowed);

}  // namespace onnxi::nn

namespace onnxi::nn {

// The output indices o in [0, out) whose input position o * stride + offset lies in
// [0, in), as a half-open range [first, second).
inline std::pair<int64_t, int64_t> valid_output_range(int64_t out, int64_t stride, int64_t offset,
                                                      int64_t in) {
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t hi = in - offset <= 0 ? 0 : (in - offset + stride - 1) / stride;
  hi = std::min(hi, out);
  lo = std::min(lo, hi);
  return {lo, hi};
}

}  // namespace onnxi::nn
