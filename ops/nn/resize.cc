// Resize (ai.onnx 10, 11-12, 13-17) and its deprecated form Upsample (7-8, 9), N-D.
//   ref:     nearest (any fixed-size dtype, a gather) and linear / cubic (numeric dtypes,
//            separable passes in double, one per changed axis, shrinking axes first;
//            axes left unchanged are skipped).
//   xnnpack: 4-D float linear resizing of H and W only, with half_pixel, pytorch_half_pixel,
//            align_corners or asymmetric coordinates, where XNNPACK's bilinear resize
//            computes the same thing; other shapes or scales at run time take the reference
//            path of the same kernel. The NCHW planes are fed as an NHWC tensor with one
//            channel and N * C images, so no layout copies are needed.
//
// Opset differences resolved at build:
//   Upsample 7-8: scales attribute;  Upsample 9 and Resize 10: inputs (X, scales);
//   both use asymmetric coordinates and, for nearest, floor (as ONNX's version converter
//   maps Resize 10 to 11).
//   Resize 11-12: (X, roi, scales[, sizes]);  13-17: roi and scales optional.
// Output sizes from scales are floor(in * scale) computed in float, as ONNX's shape
// inference and ONNX Runtime do (the roi does not enter, whatever the spec's prose says).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ops/common/broadcast.h"
#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/scratch.h"
#include "ops/xnnpack/provider.h"
#include "ops/xnnpack/xnn_operator_holder.h"
#include "ops/xnnpack/xnn_util.h"
#include "runtime/kernel.h"

namespace onnxi::nn {

namespace {

constexpr int64_t kMaxOutputElements = int64_t(1) << 31;
constexpr int64_t kMaxXnnDim = int64_t(1) << 30;

#define ONNXI_RESIZE_MODES(X) \
  X(Nearest, "nearest")       \
  X(Linear, "linear")         \
  X(Cubic, "cubic")

#define ONNXI_RESIZE_COORD_MODES(X)           \
  X(HalfPixel, "half_pixel")                  \
  X(PytorchHalfPixel, "pytorch_half_pixel")   \
  X(AlignCorners, "align_corners")            \
  X(Asymmetric, "asymmetric")                 \
  X(TfHalfPixelForNn, "tf_half_pixel_for_nn") \
  X(TfCropAndResize, "tf_crop_and_resize")

#define ONNXI_RESIZE_NEAREST_MODES(X)       \
  X(RoundPreferFloor, "round_prefer_floor") \
  X(RoundPreferCeil, "round_prefer_ceil")   \
  X(Floor, "floor")                         \
  X(Ceil, "ceil")

enum class Mode {
#define ONNXI_X(name, str) name,
  ONNXI_RESIZE_MODES(ONNXI_X)
#undef ONNXI_X
};
enum class CoordMode {
#define ONNXI_X(name, str) name,
  ONNXI_RESIZE_COORD_MODES(ONNXI_X)
#undef ONNXI_X
};
enum class NearestMode {
#define ONNXI_X(name, str) name,
  ONNXI_RESIZE_NEAREST_MODES(ONNXI_X)
#undef ONNXI_X
};

template <class E>
E parse_name(const std::string& s, const char* attr, std::initializer_list<std::pair<const char*, E>> table) {
  for (const auto& [name, value] : table)
    if (s == name) return value;
  throw Error(Stage::Build, std::string("unknown ") + attr + " '" + s + "'");
}

Mode parse_mode(const std::string& s) {
  return parse_name<Mode>(s, "mode",
                          {
#define ONNXI_X(name, str) {str, Mode::name},
                              ONNXI_RESIZE_MODES(ONNXI_X)
#undef ONNXI_X
                          });
}
CoordMode parse_coord_mode(const std::string& s) {
  return parse_name<CoordMode>(s, "coordinate_transformation_mode",
                               {
#define ONNXI_X(name, str) {str, CoordMode::name},
                                   ONNXI_RESIZE_COORD_MODES(ONNXI_X)
#undef ONNXI_X
                               });
}
NearestMode parse_nearest_mode(const std::string& s) {
  return parse_name<NearestMode>(s, "nearest_mode",
                                 {
#define ONNXI_X(name, str) {str, NearestMode::name},
                                     ONNXI_RESIZE_NEAREST_MODES(ONNXI_X)
#undef ONNXI_X
                                 });
}

struct ResizeConfig {
  Mode mode = Mode::Nearest;
  CoordMode coord = CoordMode::HalfPixel;
  NearestMode nearest = NearestMode::RoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0;
  DType dtype = DType::Undefined;
  int roi = -1, scales = -1, sizes = -1;  // input slots, -1 = the op has none
  bool has_scale_attr = false;            // Upsample 7-8
  std::vector<float> scale_attr;
  bool upsample = false;
  const char* op = "Resize";
};

// What one run resizes to.
struct ResizeParams {
  Shape out;
  std::vector<double> scales;  // per axis, as the coordinate formulas use them
  std::vector<double> roi;     // starts then ends (tf_crop_and_resize only)
  bool from_sizes = false;     // scales are out / in
};

std::vector<double> read_float_values(const Tensor& t, const char* what, Stage stage) {
  if (t.rank() > 1) throw Error(stage, std::string(what) + " must be 1-D, got " + shape_to_string(t.shape()));
  std::vector<double> v(static_cast<size_t>(t.numel()));
  const bool ok = visit_dtype<kFloatDTypes>(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = t.data<T>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(load_elem(p[i]));
  });
  if (!ok) throw Error(stage, std::string(what) + " must be a float tensor");
  return v;
}

ResizeParams resolve_params(const ResizeConfig& cfg, const Shape& x, const Tensor* scales,
                            const Tensor* sizes, const Tensor* roi, Stage stage) {
  const size_t rank = x.size();
  if (rank == 0) throw Error(stage, std::string(cfg.op) + " needs an input of rank >= 1");
  ResizeParams p;
  p.out.resize(rank);
  p.scales.resize(rank);
  const bool have_sizes = sizes && sizes->numel() > 0;
  std::vector<double> sc;
  if (cfg.has_scale_attr)
    sc.assign(cfg.scale_attr.begin(), cfg.scale_attr.end());
  else if (scales && scales->numel() > 0)
    sc = read_float_values(*scales, "scales", stage);
  if (have_sizes && !sc.empty()) throw Error(stage, "only one of scales and sizes may be given");
  if (have_sizes) {
    p.from_sizes = true;
    std::vector<int64_t> sz = read_int_values(*sizes, "sizes", stage);
    if (sz.size() != rank)
      throw Error(stage, "sizes has " + std::to_string(sz.size()) + " values for an input of rank " +
                             std::to_string(rank));
    for (size_t d = 0; d < rank; ++d) {
      if (sz[d] < 0 || sz[d] > kMaxOutputElements)
        throw Error(stage, "sizes " + shape_to_string(sz) + " is out of range");
      if (x[d] == 0 && sz[d] != 0) throw Error(stage, "cannot resize an empty dimension to a non-empty one");
      p.out[d] = sz[d];
      p.scales[d] =
          x[d] == 0 ? 1.0 : static_cast<double>(static_cast<float>(sz[d]) / static_cast<float>(x[d]));
    }
  } else {
    if (sc.empty()) throw Error(stage, std::string(cfg.op) + " needs scales or sizes");
    if (sc.size() != rank)
      throw Error(stage, "scales has " + std::to_string(sc.size()) + " values for an input of rank " +
                             std::to_string(rank));
    for (size_t d = 0; d < rank; ++d) {
      if (!(sc[d] > 0) || !std::isfinite(sc[d])) throw Error(stage, "scales must be positive and finite");
      if (cfg.upsample && sc[d] < 1) throw Error(stage, "Upsample scales must be >= 1");
      // float arithmetic, as shape inference does it; bounded before converting.
      const float prod = static_cast<float>(x[d]) * static_cast<float>(sc[d]);
      if (!(prod <= static_cast<float>(kMaxOutputElements)))
        throw Error(stage, "resized output is too large");
      p.out[d] = static_cast<int64_t>(std::floor(prod));
      p.scales[d] = sc[d];
    }
  }
  shape_numel(p.out, kMaxOutputElements);
  if (cfg.coord == CoordMode::TfCropAndResize) {
    p.roi.assign(2 * rank, 0.0);
    std::fill(p.roi.begin() + static_cast<ptrdiff_t>(rank), p.roi.end(), 1.0);
    if (roi && roi->numel() > 0) {
      std::vector<double> r = read_float_values(*roi, "roi", stage);
      if (r.size() != 2 * rank)
        throw Error(stage,
                    "roi has " + std::to_string(r.size()) + " values, expected " + std::to_string(2 * rank));
      for (double v : r)
        if (!std::isfinite(v)) throw Error(stage, "roi values must be finite");
      p.roi = std::move(r);
    }
  }
  return p;
}

// Position in the input that output index `o` samples along one axis, computed in float
// as ONNX Runtime and PyTorch do (it decides nearest-neighbour ties: 3 / 0.6f is 5 in
// float). The resized length in the formulas is in * scale, not the floored output size,
// as in the spec's reference implementation; they differ only when scales do not give a
// whole output size.
double source_coord(const ResizeConfig& cfg, int64_t o, int64_t in, double scale_d, double start_d,
                    double end_d) {
  const float x = static_cast<float>(o), scale = static_cast<float>(scale_d);
  const float start = static_cast<float>(start_d), end = static_cast<float>(end_d);
  const float len = static_cast<float>(in) * scale, in_m1 = static_cast<float>(in - 1);
  float r = 0;
  switch (cfg.coord) {
    case CoordMode::HalfPixel:
      r = (x + 0.5f) / scale - 0.5f;
      break;
    case CoordMode::PytorchHalfPixel:
      r = len > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
      break;
    case CoordMode::AlignCorners:
      r = len == 1 ? 0.0f : x * in_m1 / (len - 1);
      break;
    case CoordMode::Asymmetric:
      r = x / scale;
      break;
    case CoordMode::TfHalfPixelForNn:
      r = (x + 0.5f) / scale;
      break;
    case CoordMode::TfCropAndResize:
      r = len == 1 ? 0.5f * (start + end) * in_m1 : start * in_m1 + x * (end - start) * in_m1 / (len - 1);
      break;
  }
  return static_cast<double>(r);
}

int64_t nearest_index(double x, NearestMode m) {
  const double f = std::floor(x), r = x - f;
  switch (m) {
    case NearestMode::RoundPreferFloor:
      return static_cast<int64_t>(r > 0.5 ? f + 1 : f);
    case NearestMode::RoundPreferCeil:
      return static_cast<int64_t>(r >= 0.5 ? f + 1 : f);
    case NearestMode::Floor:
      return static_cast<int64_t>(f);
    case NearestMode::Ceil:
      return static_cast<int64_t>(std::ceil(x));
  }
  return 0;
}

// Interpolation taps of one axis: `taps` (index, weight) pairs per output index, and
// whether the output index samples outside the input (tf_crop_and_resize).
struct AxisTable {
  int taps = 1;
  std::vector<int64_t> index;
  std::vector<double> weight;
  std::vector<uint8_t> outside;
  bool any_outside = false;
  bool identity = false;
};

void build_axis_table(const ResizeConfig& cfg, int64_t in, int64_t out, double scale, double start,
                      double end, AxisTable* t) {
  t->taps = cfg.mode == Mode::Nearest ? 1 : cfg.mode == Mode::Linear ? 2 : 4;
  const size_t n = static_cast<size_t>(out) * static_cast<size_t>(t->taps);
  t->index.assign(n, 0);
  t->weight.assign(n, 0.0);
  t->outside.assign(static_cast<size_t>(out), 0);
  t->any_outside = false;
  bool identity = in == out;
  const double hi = static_cast<double>(in - 1);
  for (int64_t o = 0; o < out; ++o) {
    double x = source_coord(cfg, o, in, scale, start, end);
    if (cfg.coord == CoordMode::TfCropAndResize && !(x >= 0 && x <= hi)) {
      t->outside[static_cast<size_t>(o)] = 1;
      t->any_outside = true;
      identity = false;
    }
    // Keep the index arithmetic in range; far outside, every tap is clamped to an edge anyway.
    x = std::clamp(x, -4.0, hi + 4.0);
    int64_t* idx = &t->index[static_cast<size_t>(o) * t->taps];
    double* w = &t->weight[static_cast<size_t>(o) * t->taps];
    if (cfg.mode == Mode::Nearest) {
      idx[0] = nearest_index(x, cfg.nearest);
      w[0] = 1;
    } else if (cfg.mode == Mode::Linear) {
      const double f = std::floor(x), r = x - f;
      idx[0] = static_cast<int64_t>(f);
      idx[1] = idx[0] + 1;
      w[0] = 1 - r;
      w[1] = r;
    } else {
      const double f = std::floor(x), r = x - f, a = cfg.cubic_a;
      auto far = [a](double d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };  // 1 <= d <= 2
      auto near = [a](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };       // 0 <= d <= 1
      for (int k = 0; k < 4; ++k) idx[k] = static_cast<int64_t>(f) - 1 + k;
      w[0] = far(r + 1);
      w[1] = near(r);
      w[2] = near(1 - r);
      w[3] = far(2 - r);
      if (cfg.exclude_outside) {
        double sum = 0;
        for (int k = 0; k < 4; ++k) {
          if (idx[k] < 0 || idx[k] >= in) w[k] = 0;
          sum += w[k];
        }
        if (sum != 0)
          for (int k = 0; k < 4; ++k) w[k] /= sum;
      }
    }
    double self = 0;
    for (int k = 0; k < t->taps; ++k) {
      idx[k] = std::clamp<int64_t>(idx[k], 0, in - 1);
      if (idx[k] == o)
        self += w[k];
      else if (w[k] != 0)
        identity = false;
    }
    if (self != 1) identity = false;
  }
  t->identity = identity;
}

// ---- the reference computation ----

template <class S>
inline double to_double(S v) {
  return static_cast<double>(load_elem(v));
}

// One separable pass along an axis: dst[outer][o][inner] = sum of weighted src rows.
template <class S>
void resize_axis(const S* src, double* dst, int64_t outer, int64_t len_in, int64_t len_out, int64_t inner,
                 const AxisTable& t, double extrapolation, pthreadpool_t pool) {
  parallel_chunks(pool, outer * len_out, inner * t.taps, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t oo = row / len_out, o = row % len_out;
      double* d = dst + row * inner;
      if (t.outside[static_cast<size_t>(o)]) {
        std::fill(d, d + inner, extrapolation);
        continue;
      }
      const S* base = src + oo * len_in * inner;
      const int64_t* idx = &t.index[static_cast<size_t>(o) * t.taps];
      const double* w = &t.weight[static_cast<size_t>(o) * t.taps];
      std::fill(d, d + inner, 0.0);
      for (int k = 0; k < t.taps; ++k) {
        if (w[k] == 0) continue;
        const S* s = base + idx[k] * inner;
        const double wk = w[k];
        for (int64_t i = 0; i < inner; ++i) d[i] += wk * to_double(s[i]);
      }
    }
  });
}

// Calls f(first output offset of the row, row coordinates) per row (all but the last axis).
template <class F>
void for_rows(const Shape& out, int64_t begin, int64_t end, F&& f) {
  const size_t r = out.size();
  std::vector<int64_t> coord(r, 0);
  int64_t rem = begin;
  for (size_t d = r - 1; d-- > 0;) {
    coord[d] = rem % out[d];
    rem /= out[d];
  }
  for (int64_t row = begin; row < end; ++row) {
    f(row * out[r - 1], coord);
    for (size_t d = r - 1; d-- > 0;) {
      if (++coord[d] < out[d]) break;
      coord[d] = 0;
    }
  }
}

class ResizeRef {
 public:
  explicit ResizeRef(const ResizeConfig& cfg) : cfg_(cfg) {}

  void run(const ResizeParams& p, const Tensor& x, Tensor& y, pthreadpool_t pool) {
    if (y.numel() == 0) return;
    const Shape& in = x.shape();
    const size_t rank = in.size();
    tables_.resize(rank);
    for (size_t d = 0; d < rank; ++d)
      build_axis_table(cfg_, in[d], p.out[d], p.scales[d], p.roi.empty() ? 0 : p.roi[d],
                       p.roi.empty() ? 1 : p.roi[d + rank], &tables_[d]);
    if (cfg_.mode == Mode::Nearest)
      gather(x, y, pool);
    else
      interpolate(x, y, pool);
  }

 private:
  // Nearest: a gather of whole elements, any fixed-size dtype.
  void gather(const Tensor& x, Tensor& y, pthreadpool_t pool) {
    const size_t es = dtype_size(x.dtype());
    if (es == 1)
      gather_typed<uint8_t>(x, y, pool);
    else if (es == 2)
      gather_typed<uint16_t>(x, y, pool);
    else if (es == 4)
      gather_typed<uint32_t>(x, y, pool);
    else if (es == 8)
      gather_typed<uint64_t>(x, y, pool);
    else
      throw Error(Stage::Run, "Resize does not support " + std::string(dtype_name(x.dtype())));
  }

  template <class U>
  void gather_typed(const Tensor& x, Tensor& y, pthreadpool_t pool) {
    U extrap{};
    visit_dtype<kFixedSizeDTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (sizeof(T) == sizeof(U)) {
        const T v = convert_value<T>(cfg_.extrapolation);
        std::memcpy(&extrap, &v, sizeof(U));
      }
    });
    const Shape& in = x.shape();
    const Shape& out = y.shape();
    const size_t r = in.size();
    std::vector<int64_t> stride(r, 1);
    for (size_t d = r - 1; d-- > 0;) stride[d] = stride[d + 1] * in[d + 1];
    const U* src = static_cast<const U*>(x.raw_data());
    U* dst = static_cast<U*>(y.raw_data());
    const AxisTable& last = tables_[r - 1];
    const int64_t width = out[r - 1];
    const int64_t rows = width == 0 ? 0 : y.numel() / width;
    parallel_chunks(pool, rows, width, [&](int64_t begin, int64_t end) {
      for_rows(out, begin, end, [&](int64_t offset, const std::vector<int64_t>& coord) {
        int64_t base = 0;
        bool outside = false;
        for (size_t d = 0; d + 1 < r; ++d) {
          const size_t o = static_cast<size_t>(coord[d]);
          outside = outside || tables_[d].outside[o];
          base += tables_[d].index[o] * stride[d];
        }
        U* row = dst + offset;
        if (outside) {
          std::fill(row, row + width, extrap);
          return;
        }
        const U* s = src + base;
        for (int64_t o = 0; o < width; ++o)
          row[o] = last.outside[static_cast<size_t>(o)] ? extrap : s[last.index[static_cast<size_t>(o)]];
      });
    });
  }

  // Linear and cubic: separable passes in double, one per changed axis. Shrinking axes go
  // first (most shrinking first), so no intermediate is larger than both input and
  // output; among equals, innermost first.
  void interpolate(const Tensor& x, Tensor& y, pthreadpool_t pool) {
    const bool ok = visit_dtype<kNumericDTypes>(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      interpolate_typed<T>(x.data<T>(), y.data<T>(), x.shape(), y.shape(), pool);
    });
    if (!ok)
      throw Error(Stage::Run, "Resize " + std::string(cfg_.mode == Mode::Linear ? "linear" : "cubic") +
                                  " does not support " + std::string(dtype_name(x.dtype())));
  }

  template <class T>
  void interpolate_typed(const T* src, T* dst, const Shape& in, const Shape& out, pthreadpool_t pool) {
    const size_t r = in.size();
    Shape cur = in;
    double* cur_data = nullptr;  // null: still the input
    int which = 0;
    order_.clear();
    for (size_t d = r; d-- > 0;)
      if (!tables_[d].identity) order_.push_back(d);
    std::stable_sort(order_.begin(), order_.end(), [&](size_t a, size_t b) {
      return static_cast<double>(out[a]) * static_cast<double>(in[b]) <
             static_cast<double>(out[b]) * static_cast<double>(in[a]);
    });
    for (size_t d : order_) {
      const int64_t outer = dims_product(cur, 0, d), inner = dims_product(cur, d + 1, r);
      Shape next = cur;
      next[d] = out[d];
      double* buf = buffers_[which].ensure<double>(static_cast<size_t>(shape_numel(next)));
      if (cur_data)
        resize_axis<double>(cur_data, buf, outer, cur[d], out[d], inner, tables_[d], cfg_.extrapolation,
                            pool);
      else
        resize_axis<T>(src, buf, outer, cur[d], out[d], inner, tables_[d], cfg_.extrapolation, pool);
      cur = next;
      cur_data = buf;
      which ^= 1;
    }
    const int64_t n = shape_numel(out);
    if (!cur_data) {  // every axis unchanged
      std::copy(src, src + n, dst);
      return;
    }
    // Where any axis samples outside the roi, the output is exactly the extrapolation value.
    bool any_outside = false;
    for (const auto& t : tables_) any_outside = any_outside || t.any_outside;
    if (any_outside && r > 0) {
      const int64_t width = out[r - 1];
      for_rows(out, 0, width == 0 ? 0 : n / width, [&](int64_t offset, const std::vector<int64_t>& coord) {
        bool outside = false;
        for (size_t d = 0; d + 1 < r; ++d)
          outside = outside || tables_[d].outside[static_cast<size_t>(coord[d])];
        for (int64_t o = 0; o < width; ++o)
          if (outside || tables_[r - 1].outside[static_cast<size_t>(o)])
            cur_data[offset + o] = cfg_.extrapolation;
      });
    }
    for (int64_t i = 0; i < n; ++i) dst[i] = convert_value<T>(cur_data[i]);
  }

  ResizeConfig cfg_;
  std::vector<AxisTable> tables_;
  std::vector<size_t> order_;
  Scratch buffers_[2];
};

// ---- kernels ----

class ResizeKernel : public Kernel {
 public:
  explicit ResizeKernel(ResizeConfig cfg) : cfg_(std::move(cfg)) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* scales = cfg_.scales >= 0 ? ctx.input_value(static_cast<size_t>(cfg_.scales)) : nullptr;
    const Tensor* sizes = cfg_.sizes >= 0 ? ctx.input_value(static_cast<size_t>(cfg_.sizes)) : nullptr;
    const bool scales_pending =
        cfg_.scales >= 0 && ctx.has_input(static_cast<size_t>(cfg_.scales)) && !scales;
    const bool sizes_pending = cfg_.sizes >= 0 && ctx.has_input(static_cast<size_t>(cfg_.sizes)) && !sizes;
    if (!x || scales_pending || sizes_pending) return ctx.set_output_dtype(0, cfg_.dtype);
    ctx.set_output(0, cfg_.dtype, resolve_params(cfg_, *x, scales, sizes, nullptr, Stage::Plan).out);
  }

  // Per execution context: the reference computation's axis tables, and XNNPACK's
  // operator when that provider runs the node.
  struct State : KernelState {
    ResizeRef ref;
    XnnOperatorHolder op;
    explicit State(const ResizeConfig& cfg) : ref(cfg) {}
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(cfg_); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const ResizeParams p = params(ctx);
    Tensor& y = output_for(ctx, 0, cfg_.dtype, p.out);
    compute(ctx.state<State>(), p, x, y, ctx.threadpool());
  }

 protected:
  ResizeParams params(const RunContext& ctx) const {
    auto opt = [&](int i) -> const Tensor* {
      return i >= 0 && ctx.has_input(static_cast<size_t>(i)) ? &ctx.input(static_cast<size_t>(i)) : nullptr;
    };
    return resolve_params(cfg_, ctx.input(0).shape(), opt(cfg_.scales), opt(cfg_.sizes), opt(cfg_.roi),
                          Stage::Run);
  }
  virtual void compute(State& st, const ResizeParams& p, const Tensor& x, Tensor& y, pthreadpool_t pool) const {
    st.ref.run(p, x, y, pool);
  }

  ResizeConfig cfg_;
};

class ResizeXnnKernel final : public ResizeKernel {
 public:
  explicit ResizeXnnKernel(ResizeConfig cfg) : ResizeKernel(std::move(cfg)) {}
  void prepare(PrepareContext&) override { ensure_xnnpack_initialized(); }

  // Whether XNNPACK's bilinear resize computes the ONNX result for these sizes.
  bool handles(const ResizeParams& p, const Shape& x) const {
    if (x.size() != 4 || p.out[0] != x[0] || p.out[1] != x[1] ||
        (!p.from_sizes && (p.scales[0] != 1 || p.scales[1] != 1)))
      return false;
    for (size_t d = 2; d < 4; ++d) {
      if (x[d] < 1 || p.out[d] < 1 || x[d] >= kMaxXnnDim || p.out[d] >= kMaxXnnDim) return false;
      // XNNPACK maps with in / out; the spec with the given scale: they must agree exactly.
      if (!p.from_sizes && static_cast<double>(x[d]) * p.scales[d] != static_cast<double>(p.out[d]))
        return false;
      if ((cfg_.coord == CoordMode::AlignCorners || cfg_.coord == CoordMode::PytorchHalfPixel) &&
          p.out[d] < 2)
        return false;
    }
    return true;
  }

 private:
  void create(XnnOperatorHolder& op_) const {
    if (op_) return;
    uint32_t flags = 0;
    if (cfg_.coord == CoordMode::AlignCorners) flags = XNN_FLAG_ALIGN_CORNERS;
    if (cfg_.coord == CoordMode::Asymmetric) flags = XNN_FLAG_TENSORFLOW_LEGACY_MODE;
    check_xnn(xnn_create_resize_bilinear2d_nhwc_f32(1, 1, 1, flags, op_.out()),
              "xnn_create_resize_bilinear2d_nhwc_f32");
  }

  void compute(State& st, const ResizeParams& p, const Tensor& x, Tensor& y, pthreadpool_t pool) const override {
    if (!handles(p, x.shape())) return ResizeKernel::compute(st, p, x, y, pool);
    if (y.numel() == 0) return;
    create(st.op);
    const Shape& s = x.shape();
    check_xnn(xnn_setup_resize_bilinear2d_nhwc_f32(
                  st.op.get(), static_cast<size_t>(s[0] * s[1]), static_cast<size_t>(s[2]),
                  static_cast<size_t>(s[3]), static_cast<size_t>(p.out[2]), static_cast<size_t>(p.out[3]),
                  x.data<float>(), y.data<float>(), pool),
              "xnn_setup_resize_bilinear2d_nhwc_f32");
    check_xnn(xnn_run_operator(st.op.get(), pool), "xnn_run_operator");
  }
};

// ---- building ----

void check_float_input(const BuildContext& ctx, int i, const char* what) {
  if (i < 0 || !ctx.has_input(static_cast<size_t>(i))) return;
  if (!dtype_in(ctx.input_dtype(static_cast<size_t>(i)), kFloatDTypes))
    throw Error(Stage::Build, std::string(what) + " must be a float tensor");
}

ResizeConfig read_resize(const BuildContext& ctx, bool upsample) {
  ResizeConfig cfg;
  cfg.upsample = upsample;
  cfg.op = upsample ? "Upsample" : "Resize";
  const AttributeReader& a = ctx.attrs;
  const int64_t opset = ctx.opset;
  size_t max_inputs = 2;
  if (upsample && opset < 9) {
    max_inputs = 1;
    cfg.has_scale_attr = true;
    cfg.scale_attr = a.get_floats("scales");
    if (!a.has("scales")) throw Error(Stage::Build, "required attribute 'scales' is missing");
  } else if (upsample || opset < 11) {
    cfg.scales = 1;
  } else {
    cfg.roi = 1;
    cfg.scales = 2;
    cfg.sizes = 3;
    max_inputs = 4;
  }
  if (!ctx.has_input(0)) throw Error(Stage::Build, std::string(cfg.op) + " needs input X");
  if (ctx.num_inputs() > max_inputs)
    throw Error(Stage::Build,
                std::string(cfg.op) + " takes at most " + std::to_string(max_inputs) + " inputs");
  if (ctx.num_outputs() != 1) throw Error(Stage::Build, std::string(cfg.op) + " has exactly one output");
  if (cfg.scales >= 0 && (upsample || opset < 11) && !ctx.has_input(1))
    throw Error(Stage::Build, std::string(cfg.op) + " needs input scales");
  if (cfg.sizes >= 0 && !ctx.has_input(2) && !ctx.has_input(3))
    throw Error(Stage::Build, "Resize needs scales or sizes");
  check_float_input(ctx, cfg.scales, "scales");
  check_float_input(ctx, cfg.roi, "roi");
  if (cfg.sizes >= 0 && ctx.has_input(3) && ctx.input_dtype(3) != DType::Int64)
    throw Error(Stage::Build, "sizes must be int64");

  cfg.mode = parse_mode(a.get_string("mode", "nearest"));
  if ((upsample || opset < 11) && cfg.mode == Mode::Cubic)
    throw Error(Stage::Build, std::string(cfg.op) + " mode 'cubic' needs opset 11");
  if (upsample || opset < 11) {
    cfg.coord = CoordMode::Asymmetric;
    cfg.nearest = NearestMode::Floor;
  } else {
    cfg.coord = parse_coord_mode(a.get_string("coordinate_transformation_mode", "half_pixel"));
    cfg.nearest = parse_nearest_mode(a.get_string("nearest_mode", "round_prefer_floor"));
    cfg.cubic_a = a.get_float("cubic_coeff_a", -0.75f);
    const int64_t ex = a.get_int("exclude_outside", 0);
    if (ex != 0 && ex != 1) throw Error(Stage::Build, "exclude_outside must be 0 or 1");
    cfg.exclude_outside = ex == 1;
    cfg.extrapolation = a.get_float("extrapolation_value", 0.0f);
    if (!std::isfinite(cfg.cubic_a)) throw Error(Stage::Build, "cubic_coeff_a must be finite");
  }
  cfg.dtype = ctx.input_dtype(0);
  // Static checks of what is known already.
  if (ctx.inputs[0].shape_known) {
    auto value = [&](int i) { return i >= 0 ? ctx.constant_input(static_cast<size_t>(i)) : nullptr; };
    const bool pending =
        (cfg.scales >= 0 && ctx.has_input(static_cast<size_t>(cfg.scales)) && !value(cfg.scales)) ||
        (cfg.sizes >= 0 && ctx.has_input(static_cast<size_t>(cfg.sizes)) && !value(cfg.sizes));
    if (!pending) {
      ResizeParams p = resolve_params(cfg, ctx.inputs[0].shape, value(cfg.scales), value(cfg.sizes), nullptr,
                                      Stage::Build);
      (void)p;
    }
  }
  return cfg;
}

bool ref_supports(const ResizeConfig& cfg) {
  return dtype_in(cfg.dtype, cfg.mode == Mode::Nearest ? kFixedSizeDTypes : kNumericDTypes);
}

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx, bool upsample) {
  ResizeConfig cfg = read_resize(ctx, upsample);
  if (!ref_supports(cfg)) return nullptr;
  return std::make_unique<ResizeKernel>(std::move(cfg));
}

std::unique_ptr<Kernel> make_xnnpack(const BuildContext& ctx, bool upsample) {
  ResizeConfig cfg = read_resize(ctx, upsample);
  if (cfg.dtype != DType::Float || cfg.mode != Mode::Linear) return nullptr;
  if (cfg.coord != CoordMode::HalfPixel && cfg.coord != CoordMode::PytorchHalfPixel &&
      cfg.coord != CoordMode::AlignCorners && cfg.coord != CoordMode::Asymmetric)
    return nullptr;
  if (ctx.inputs[0].shape_known && ctx.inputs[0].shape.size() != 4) return nullptr;
  try {
    ensure_xnnpack_initialized();
  } catch (const Error&) {
    return nullptr;
  }
  return std::make_unique<ResizeXnnKernel>(std::move(cfg));
}

auto resize_ref = [](const BuildContext& ctx) { return make_ref(ctx, false); };
auto resize_xnn = [](const BuildContext& ctx) { return make_xnnpack(ctx, false); };
auto upsample_ref = [](const BuildContext& ctx) { return make_ref(ctx, true); };
auto upsample_xnn = [](const BuildContext& ctx) { return make_xnnpack(ctx, true); };

}  // namespace

// Schema versions: Resize 10, 11, 13 (not yet: 18 antialias, axes, keep_aspect_ratio_policy;
// 19 half_pixel_symmetric); Upsample 7, 9 (1 had height/width_scale; 10 is deprecated).
ONNXI_REGISTER_KERNEL("", "Resize", 10, 10, kXnnpack, resize_xnn);
ONNXI_REGISTER_KERNEL("", "Resize", 10, 10, kRef, resize_ref);
ONNXI_REGISTER_KERNEL("", "Resize", 11, 11, kXnnpack, resize_xnn);
ONNXI_REGISTER_KERNEL("", "Resize", 11, 11, kRef, resize_ref);
ONNXI_REGISTER_KERNEL("", "Resize", 13, 13, kXnnpack, resize_xnn);
ONNXI_REGISTER_KERNEL("", "Resize", 13, 13, kRef, resize_ref);
ONNXI_REGISTER_KERNEL("", "Upsample", 7, 7, kXnnpack, upsample_xnn);
ONNXI_REGISTER_KERNEL("", "Upsample", 7, 7, kRef, upsample_ref);
ONNXI_REGISTER_KERNEL("", "Upsample", 9, 9, kXnnpack, upsample_xnn);
ONNXI_REGISTER_KERNEL("", "Upsample", 9, 9, kRef, upsample_ref);

}  // namespace onnxi::nn
