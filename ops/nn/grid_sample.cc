// GridSample (ai.onnx 16-19), reference provider: samples X [N, C, H, W] at the normalized
// positions of grid [N, Ho, Wo, 2] ((x, y) in [-1, 1]) into Y [N, C, Ho, Wo], with
// bilinear / nearest / bicubic interpolation, zeros / border / reflection padding and
// align_corners, as PyTorch's grid_sample defines them (the ONNX tests come from it):
//  - the position is unnormalized, then for border clamped and for reflection reflected
//    into range and clamped; nearest rounds half to even; bilinear reads 4 pixels and
//    treats the ones outside as zero;
//  - bicubic (A = -0.75) applies the padding to each of its 16 taps instead.
// Opset 20 renames the modes and goes N-D: not registered.
#include <algorithm>
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/nn/norm_util.h"

namespace onnxi::nn {

namespace {

enum class GsMode { Bilinear, Nearest, Bicubic };
enum class GsPadding { Zeros, Border, Reflection };

struct GridSampleConfig {
  GsMode mode = GsMode::Bilinear;
  GsPadding padding = GsPadding::Zeros;
  bool align_corners = false;
  DType dtype = DType::Undefined;
};

// Coordinates far outside the image are pulled in to here (keeps int conversions defined;
// every tap is then outside or clamped anyway).
constexpr double kFar = 1e9;

double unnormalize(double g, int64_t size, bool align_corners) {
  const double s = static_cast<double>(size);
  return align_corners ? (g + 1) / 2 * (s - 1) : ((g + 1) * s - 1) / 2;
}

// Reflects x into [lo2 / 2, hi2 / 2] (bounds given doubled, as PyTorch does).
double reflect(double x, double lo2, double hi2) {
  if (lo2 == hi2) return 0;
  const double lo = lo2 / 2, span = (hi2 - lo2) / 2;
  x = std::fabs(x - lo);
  const double extra = std::fmod(x, span);
  const int64_t flips = static_cast<int64_t>(std::floor(x / span));
  return flips % 2 == 0 ? extra + lo : span - extra + lo;
}

double apply_padding(double x, int64_t size, GsPadding pad, bool align_corners) {
  const double hi = static_cast<double>(size - 1);
  if (pad == GsPadding::Border) return std::clamp(x, 0.0, hi);
  if (pad == GsPadding::Reflection) {
    x = align_corners ? reflect(x, 0, 2 * hi) : reflect(x, -1, 2 * static_cast<double>(size) - 1);
    return std::clamp(x, 0.0, hi);
  }
  return x;
}

double cubic_weight_near(double d) { return ((-0.75 + 2) * d - (-0.75 + 3)) * d * d + 1; }
double cubic_weight_far(double d) { return ((-0.75 * d + 3.75) * d - 6) * d + 3; }  // A = -0.75, 1 <= d <= 2

class GridSampleKernel final : public Kernel {
 public:
  explicit GridSampleKernel(GridSampleConfig cfg) : cfg_(cfg) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Shape* g = ctx.input_shape(1);
    if (!x || !g) return ctx.set_output_dtype(0, cfg_.dtype);
    ctx.set_output(0, cfg_.dtype, output_shape(*x, *g, Stage::Plan));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    output_shape(x.shape(), grid.shape(), Stage::Run);
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const int64_t n_batch = x.dim(0), channels = x.dim(1), h = x.dim(2), w = x.dim(3);
    const int64_t ho = grid.dim(1), wo = grid.dim(2), out_pixels = ho * wo;
    visit_dtype<kFloatDTypes>(cfg_.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      T* yd = y.data<T>();
      parallel_chunks(ctx.threadpool(), n_batch * out_pixels, channels * 16, [&](int64_t begin, int64_t end) {
        for (int64_t idx = begin; idx < end; ++idx) {
          const int64_t n = idx / out_pixels, pix = idx % out_pixels;
          double gx = float_value_at(grid, idx * 2), gy = float_value_at(grid, idx * 2 + 1);
          const T* xn = xd + n * channels * h * w;
          T* yn = yd + n * channels * out_pixels + pix;
          sample<T>(xn, yn, channels, h, w, out_pixels, gx, gy);
        }
      });
    });
  }

  static Shape output_shape(const Shape& x, const Shape& g, Stage stage) {
    if (x.size() != 4) throw Error(stage, "GridSample expects X of rank 4, got " + shape_to_string(x));
    if (g.size() != 4 || g[0] != x[0] || g[3] != 2)
      throw Error(stage, "grid " + shape_to_string(g) +
                             " must be [N, H_out, W_out, 2] with N = " + std::to_string(x[0]));
    if ((x[2] == 0 || x[3] == 0) && g[1] * g[2] > 0 && x[0] * x[1] > 0)
      throw Error(stage, "GridSample cannot sample an empty image");
    return {x[0], x[1], g[1], g[2]};
  }

 private:
  template <class T>
  void sample(const T* xn, T* yn, int64_t channels, int64_t h, int64_t w, int64_t out_pixels, double gx,
              double gy) const {
    const int64_t plane = h * w;
    auto pixel = [&](const T* xc, int64_t r, int64_t c) -> double {
      return r >= 0 && r < h && c >= 0 && c < w ? static_cast<double>(load_elem(xc[r * w + c])) : 0.0;
    };
    double ix = unnormalize(gx, w, cfg_.align_corners), iy = unnormalize(gy, h, cfg_.align_corners);
    if (std::isnan(ix)) ix = -kFar;
    if (std::isnan(iy)) iy = -kFar;
    ix = std::clamp(ix, -kFar, kFar);
    iy = std::clamp(iy, -kFar, kFar);
    if (cfg_.mode == GsMode::Bicubic) {
      const double fx = std::floor(ix), fy = std::floor(iy), tx = ix - fx, ty = iy - fy;
      const double wx[4] = {cubic_weight_far(tx + 1), cubic_weight_near(tx), cubic_weight_near(1 - tx),
                            cubic_weight_far(2 - tx)};
      const double wy[4] = {cubic_weight_far(ty + 1), cubic_weight_near(ty), cubic_weight_near(1 - ty),
                            cubic_weight_far(2 - ty)};
      int64_t cols[4], rows[4];
      for (int k = 0; k < 4; ++k) {
        cols[k] = tap(fx - 1 + k, w);
        rows[k] = tap(fy - 1 + k, h);
      }
      for (int64_t c = 0; c < channels; ++c) {
        const T* xc = xn + c * plane;
        double v = 0;
        for (int i = 0; i < 4; ++i) {
          double row = 0;
          for (int j = 0; j < 4; ++j) row += wx[j] * pixel(xc, rows[i], cols[j]);
          v += wy[i] * row;
        }
        yn[c * out_pixels] = store_elem<T>(static_cast<compute_t<T>>(v));
      }
      return;
    }
    ix = apply_padding(ix, w, cfg_.padding, cfg_.align_corners);
    iy = apply_padding(iy, h, cfg_.padding, cfg_.align_corners);
    if (cfg_.mode == GsMode::Nearest) {
      const int64_t c0 = static_cast<int64_t>(std::nearbyint(ix)),
                    r0 = static_cast<int64_t>(std::nearbyint(iy));
      for (int64_t c = 0; c < channels; ++c)
        yn[c * out_pixels] = store_elem<T>(static_cast<compute_t<T>>(pixel(xn + c * plane, r0, c0)));
      return;
    }
    const double fx = std::floor(ix), fy = std::floor(iy), tx = ix - fx, ty = iy - fy;
    const int64_t c0 = static_cast<int64_t>(fx), r0 = static_cast<int64_t>(fy);
    for (int64_t c = 0; c < channels; ++c) {
      const T* xc = xn + c * plane;
      const double v = (1 - ty) * ((1 - tx) * pixel(xc, r0, c0) + tx * pixel(xc, r0, c0 + 1)) +
                       ty * ((1 - tx) * pixel(xc, r0 + 1, c0) + tx * pixel(xc, r0 + 1, c0 + 1));
      yn[c * out_pixels] = store_elem<T>(static_cast<compute_t<T>>(v));
    }
  }

  // Index of a bicubic tap after padding (out-of-range stays out of range for zeros).
  int64_t tap(double x, int64_t size) const {
    if (cfg_.padding == GsPadding::Zeros) return static_cast<int64_t>(x);
    return static_cast<int64_t>(apply_padding(x, size, cfg_.padding, cfg_.align_corners));
  }

  GridSampleConfig cfg_;
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  if (ctx.num_inputs() != 2 || !ctx.has_input(0) || !ctx.has_input(1) || ctx.num_outputs() != 1)
    throw Error(Stage::Build, "GridSample takes inputs X and grid and one output");
  GridSampleConfig cfg;
  const std::string mode = ctx.attrs.get_string("mode", "bilinear");
  if (mode == "bilinear")
    cfg.mode = GsMode::Bilinear;
  else if (mode == "nearest")
    cfg.mode = GsMode::Nearest;
  else if (mode == "bicubic")
    cfg.mode = GsMode::Bicubic;
  else
    throw Error(Stage::Build, "unknown mode '" + mode + "'");
  const std::string pad = ctx.attrs.get_string("padding_mode", "zeros");
  if (pad == "zeros")
    cfg.padding = GsPadding::Zeros;
  else if (pad == "border")
    cfg.padding = GsPadding::Border;
  else if (pad == "reflection")
    cfg.padding = GsPadding::Reflection;
  else
    throw Error(Stage::Build, "unknown padding_mode '" + pad + "'");
  const int64_t ac = ctx.attrs.get_int("align_corners", 0);
  if (ac != 0 && ac != 1) throw Error(Stage::Build, "align_corners must be 0 or 1");
  cfg.align_corners = ac == 1;
  cfg.dtype = ctx.input_dtype(0);
  if (!dtype_in(ctx.input_dtype(1), kFloatDTypes)) throw Error(Stage::Build, "grid must be a float tensor");
  if (!dtype_in(cfg.dtype, kFloatDTypes)) return nullptr;
  if (ctx.inputs[0].shape_known && ctx.inputs[1].shape_known)
    GridSampleKernel::output_shape(ctx.inputs[0].shape, ctx.inputs[1].shape, Stage::Build);
  return std::make_unique<GridSampleKernel>(cfg);
}

}  // namespace

// Not yet: 20 (modes renamed linear/cubic, N-D), 22 (bfloat16).
ONNXI_REGISTER_KERNEL("", "GridSample", 16, 16, kRef, make_ref);

}  // namespace onnxi::nn
