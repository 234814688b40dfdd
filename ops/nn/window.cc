#include "ops/nn/window.h"

#include <algorithm>

namespace onnxi::nn {

namespace {

// Bounds keep every size computation far from int64 overflow and within XNNPACK's uint32.
constexpr int64_t kMaxWindowValue = int64_t(1) << 31;

void check_length(Stage stage, const char* name, const std::vector<int64_t>& v, size_t want) {
  if (v.size() != want)
    throw Error(stage, std::string(name) + " " + shape_to_string(v) + " must have " + std::to_string(want) +
                           " values");
}

void check_range(Stage stage, const char* name, const std::vector<int64_t>& v, int64_t lo) {
  for (int64_t x : v)
    if (x < lo || x >= kMaxWindowValue)
      throw Error(stage, std::string(name) + " " + shape_to_string(v) + " has an out-of-range value");
}

}  // namespace

AutoPad parse_auto_pad(const std::string& s) {
  if (s.empty()) return AutoPad::NotSet;
#define ONNXI_X(name, str) \
  if (s == str) return AutoPad::name;
  ONNXI_AUTO_PADS(ONNXI_X)
#undef ONNXI_X
  throw Error(Stage::Build, "unknown auto_pad '" + s + "'");
}

const char* auto_pad_name(AutoPad p) {
  switch (p) {
#define ONNXI_X(name, str) \
  case AutoPad::name:      \
    return str;
    ONNXI_AUTO_PADS(ONNXI_X)
#undef ONNXI_X
  }
  return "?";
}

bool WindowAttrs::has_padding() const {
  if (auto_pad != AutoPad::NotSet) return false;
  return std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; });
}

bool WindowAttrs::has_dilation() const {
  return std::any_of(dilations.begin(), dilations.end(), [](int64_t d) { return d != 1; });
}

bool WindowAttrs::static_padding() const {
  if (auto_pad == AutoPad::NotSet || auto_pad == AutoPad::Valid) return true;
  return std::all_of(strides.begin(), strides.end(), [](int64_t s) { return s == 1; });
}

RawWindowAttrs read_window_attrs(const AttributeReader& attrs, const WindowReadOptions& opts) {
  RawWindowAttrs w;
  w.kernel_shape = attrs.get_ints("kernel_shape");
  if (attrs.has("kernel_shape") && w.kernel_shape.empty())
    throw Error(Stage::Build, "kernel_shape must not be empty");
  check_range(Stage::Build, "kernel_shape", w.kernel_shape, 1);
  w.strides = attrs.get_ints("strides");
  check_range(Stage::Build, "strides", w.strides, 1);
  if (opts.dilations) {
    w.dilations = attrs.get_ints("dilations");
    check_range(Stage::Build, "dilations", w.dilations, 1);
  }
  w.pads = attrs.get_ints("pads");
  check_range(Stage::Build, "pads", w.pads, 0);
  w.auto_pad = parse_auto_pad(attrs.get_string("auto_pad", "NOTSET"));
  if (w.auto_pad != AutoPad::NotSet &&
      std::any_of(w.pads.begin(), w.pads.end(), [](int64_t p) { return p != 0; }))
    throw Error(Stage::Build,
                std::string("pads cannot be combined with auto_pad ") + auto_pad_name(w.auto_pad));
  if (opts.ceil_mode) {
    const int64_t c = attrs.get_int("ceil_mode", 0);
    if (c != 0 && c != 1) throw Error(Stage::Build, "ceil_mode must be 0 or 1");
    w.ceil_mode = c == 1;
  }
  return w;
}

WindowAttrs resolve_window(const RawWindowAttrs& raw, const std::vector<int64_t>& kernel, Stage stage) {
  WindowAttrs w;
  if (kernel.empty()) {
    if (raw.kernel_shape.empty()) throw Error(stage, "required attribute 'kernel_shape' is missing");
    w.kernel = raw.kernel_shape;
  } else {
    if (!raw.kernel_shape.empty() && raw.kernel_shape != kernel)
      throw Error(stage, "kernel_shape " + shape_to_string(raw.kernel_shape) +
                             " does not match the weights' " + shape_to_string(kernel));
    w.kernel = kernel;
    check_range(stage, "kernel", w.kernel, 1);
  }
  const size_t r = w.kernel.size();
  w.strides = raw.strides.empty() ? std::vector<int64_t>(r, 1) : raw.strides;
  check_length(stage, "strides", w.strides, r);
  w.dilations = raw.dilations.empty() ? std::vector<int64_t>(r, 1) : raw.dilations;
  check_length(stage, "dilations", w.dilations, r);
  w.pads = raw.pads.empty() ? std::vector<int64_t>(2 * r, 0) : raw.pads;
  check_length(stage, "pads", w.pads, 2 * r);
  w.auto_pad = raw.auto_pad;
  w.ceil_mode = raw.ceil_mode;
  return w;
}

WindowGeometry compute_window_geometry(const WindowAttrs& w, const std::vector<int64_t>& in_spatial,
                                       Stage stage) {
  const size_t r = w.rank();
  if (in_spatial.size() != r)
    throw Error(stage, "input has " + std::to_string(in_spatial.size()) + " spatial dims, kernel has " +
                           std::to_string(r));
  WindowGeometry g;
  g.in = in_spatial;
  g.out.resize(r);
  g.pad_begin.resize(r);
  g.pad_end.resize(r);
  g.ceil_extra.assign(r, 0);
  for (size_t i = 0; i < r; ++i) {
    const int64_t in = in_spatial[i], k = w.kernel[i], s = w.strides[i], d = w.dilations[i];
    const int64_t k_eff = (k - 1) * d + 1;
    int64_t out = 0, pb = 0, pe = 0;
    switch (w.auto_pad) {
      case AutoPad::NotSet: {
        pb = w.pads[i];
        pe = w.pads[i + r];
        const int64_t span = in + pb + pe - k_eff;
        if (span < 0)
          throw Error(stage, "kernel (extent " + std::to_string(k_eff) +
                                 ") is larger than the padded input (" + std::to_string(in + pb + pe) +
                                 ") in spatial dim " + std::to_string(i));
        if (w.ceil_mode) {
          out = (span + s - 1) / s + 1;
          // A window must start inside the input or the leading padding (as PyTorch and
          // newer ONNX specify); one starting in the trailing region is dropped.
          if ((out - 1) * s >= in + pb) --out;
        } else {
          out = span / s + 1;
        }
        break;
      }
      case AutoPad::Valid: {
        const int64_t span = in - k_eff;
        if (span < 0)
          throw Error(stage, "kernel (extent " + std::to_string(k_eff) + ") is larger than the input (" +
                                 std::to_string(in) + ") in spatial dim " + std::to_string(i));
        out = span / s + 1;
        break;
      }
      case AutoPad::SameUpper:
      case AutoPad::SameLower: {
        out = (in + s - 1) / s;
        const int64_t total = std::max<int64_t>(0, (out - 1) * s + k_eff - in);
        const int64_t small = total / 2, large = total - small;
        pb = w.auto_pad == AutoPad::SameUpper ? small : large;
        pe = total - pb;
        break;
      }
    }
    g.out[i] = std::max<int64_t>(out, 0);
    g.pad_begin[i] = pb;
    g.pad_end[i] = pe;
    if (out > 0) g.ceil_extra[i] = std::max<int64_t>(0, (out - 1) * s + k_eff - (in + pb + pe));
  }
  return g;
}

void check_xnn_output_size(const WindowAttrs& w, const WindowGeometry& g,
                           const std::array<int64_t, 4>& pads) {
  const int64_t before[2] = {pads[0], pads[3]}, after[2] = {pads[2], pads[1]};
  for (size_t i = 0; i < 2; ++i) {
    const int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const int64_t span = g.in[i] + before[i] + after[i] - extent;
    if (span < 0 || span / w.strides[i] + 1 != g.out[i])
      throw Error(Stage::Run, "internal error: XNNPACK output size differs from the inferred one");
  }
}

Window3 lift_to_3d(const WindowAttrs& w, const WindowGeometry& g) {
  Window3 l;
  const size_t r = w.rank();
  const size_t off = kMaxSpatialRank - r;
  for (size_t i = 0; i < r; ++i) {
    l.in[off + i] = g.in[i];
    l.out[off + i] = g.out[i];
    l.kernel[off + i] = w.kernel[i];
    l.stride[off + i] = w.strides[i];
    l.dilation[off + i] = w.dilations[i];
    l.pad_begin[off + i] = g.pad_begin[i];
    l.pad_end[off + i] = g.pad_end[i];
  }
  return l;
}

bool dtype_in(DType t, std::initializer_list<DType> allowed) {
  return std::find(allowed.begin(), allowed.end(), t) != allowed.end();
}

}  // namespace onnxi::nn
