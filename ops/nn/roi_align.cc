// RoiAlign (ai.onnx 10, 16+), reference provider. Each region of interest (x1, y1, x2, y2
// in input coordinates times spatial_scale) of image batch_indices[r] is divided into
// output_height x output_width bins; each bin averages (or, in max mode, takes the
// largest weighted corner of) a grid of bilinear samples, sampling_ratio per side or
// ceil(roi size / bins) when 0. Opset 16's coordinate_transformation_mode "half_pixel"
// (its default) shifts the roi by -0.5 pixel; "output_half_pixel" (opset 10's only
// behaviour) does not and makes rois at least 1x1. Samples follow ONNX Runtime's
// reference: outside [-1, size] they are zero; otherwise clamped into the image.
#include <cmath>

#include "ops/common/broadcast.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/norm_util.h"

namespace onnxi::nn {

namespace {

// Upper bound on samples per roi (bins * grid), so a huge roi cannot hang a run.
constexpr double kMaxSamplesPerRoi = double(int64_t(1) << 28);

struct RoiAlignConfig {
  bool max_mode = false;
  bool half_pixel = true;
  int64_t out_h = 1, out_w = 1, sampling_ratio = 0;
  double spatial_scale = 1;
  DType dtype = DType::Undefined;
};

struct Sample {
  int64_t pos[4];  // flat offsets in the plane
  double w[4];
};

class RoiAlignKernel final : public Kernel {
 public:
  explicit RoiAlignKernel(RoiAlignConfig cfg) : cfg_(cfg) {}

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Shape* rois = ctx.input_shape(1);
    const Shape* idx = ctx.input_shape(2);
    if (!x || !rois || !idx) return ctx.set_output_dtype(0, cfg_.dtype);
    ctx.set_output(0, cfg_.dtype, output_shape(*x, *rois, *idx, Stage::Plan));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const Tensor& batch = ctx.input(2);
    output_shape(x.shape(), rois.shape(), batch.shape(), Stage::Run);
    Tensor& y = ctx.output(0);
    const int64_t num_rois = rois.dim(0), channels = x.dim(1), h = x.dim(2), w = x.dim(3);
    const std::vector<int64_t> batch_index = read_int_values(batch, "batch_indices");
    for (int64_t b : batch_index)
      if (b < 0 || b >= x.dim(0))
        throw Error(Stage::Run, "batch_indices value " + std::to_string(b) + " is out of range");
    for (int64_t i = 0; i < rois.numel(); ++i)
      if (!std::isfinite(float_value_at(rois, i))) throw Error(Stage::Run, "rois must be finite");
    if (y.numel() == 0) return;
    if (h == 0 || w == 0) {  // nothing to sample: every sample is outside
      visit_dtype<kFloatDTypes>(cfg_.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        std::fill(y.data<T>(), y.data<T>() + y.numel(), store_elem<T>(0));
      });
      return;
    }
    const int64_t bins = cfg_.out_h * cfg_.out_w;
    std::vector<Sample> samples;  // of the current roi (see precompute)
    visit_dtype<kFloatDTypes>(cfg_.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      T* yd = y.data<T>();
      for (int64_t r = 0; r < num_rois; ++r) {
        int64_t grid_h = 0, grid_w = 0;
        precompute(rois, r, h, w, &grid_h, &grid_w, samples);
        const int64_t per_bin = grid_h * grid_w;
        const double count = static_cast<double>(std::max<int64_t>(per_bin, 1));
        const T* xb = xd + batch_index[static_cast<size_t>(r)] * channels * h * w;
        parallel_chunks(ctx.threadpool(), channels, bins * per_bin * 4, [&](int64_t begin, int64_t end) {
          for (int64_t c = begin; c < end; ++c) {
            const T* plane = xb + c * h * w;
            T* out = yd + (r * channels + c) * bins;
            for (int64_t bin = 0; bin < bins; ++bin) {
              double acc = 0;
              bool have = false;
              for (int64_t s = 0; s < per_bin; ++s) {
                const Sample& sm = samples[static_cast<size_t>(bin * per_bin + s)];
                double v[4];
                for (int k = 0; k < 4; ++k) v[k] = sm.w[k] * static_cast<double>(load_elem(plane[sm.pos[k]]));
                if (cfg_.max_mode) {
                  const double m = std::max(std::max(v[0], v[1]), std::max(v[2], v[3]));
                  acc = have ? std::max(acc, m) : m;
                  have = true;
                } else {
                  acc += v[0] + v[1] + v[2] + v[3];
                }
              }
              out[bin] = store_elem<T>(static_cast<compute_t<T>>(cfg_.max_mode ? acc : acc / count));
            }
          }
        });
      }
    });
  }

  static Shape output_shape(const Shape& x, const Shape& rois, const Shape& idx, Stage stage,
                            const RoiAlignConfig* cfg);
  Shape output_shape(const Shape& x, const Shape& rois, const Shape& idx, Stage stage) const {
    return output_shape(x, rois, idx, stage, &cfg_);
  }

 private:
  // Bilinear sample positions and weights of every bin of roi r, in samples_.
  void precompute(const Tensor& rois, int64_t r, int64_t h, int64_t w, int64_t* grid_h, int64_t* grid_w,
                  std::vector<Sample>& samples_) const {
    const double offset = cfg_.half_pixel ? 0.5 : 0.0;
    const double x1 = float_value_at(rois, r * 4) * cfg_.spatial_scale - offset;
    const double y1 = float_value_at(rois, r * 4 + 1) * cfg_.spatial_scale - offset;
    const double x2 = float_value_at(rois, r * 4 + 2) * cfg_.spatial_scale - offset;
    const double y2 = float_value_at(rois, r * 4 + 3) * cfg_.spatial_scale - offset;
    double roi_w = x2 - x1, roi_h = y2 - y1;
    if (!cfg_.half_pixel) {
      roi_w = std::max(roi_w, 1.0);
      roi_h = std::max(roi_h, 1.0);
    }
    const double bin_h = roi_h / static_cast<double>(cfg_.out_h),
                 bin_w = roi_w / static_cast<double>(cfg_.out_w);
    const double gh = cfg_.sampling_ratio > 0 ? static_cast<double>(cfg_.sampling_ratio) : std::ceil(bin_h);
    const double gw = cfg_.sampling_ratio > 0 ? static_cast<double>(cfg_.sampling_ratio) : std::ceil(bin_w);
    if (!(gh * gw * static_cast<double>(cfg_.out_h * cfg_.out_w) <= kMaxSamplesPerRoi))
      throw Error(Stage::Run, "roi " + std::to_string(r) + " needs too many samples");
    *grid_h = std::max<int64_t>(static_cast<int64_t>(gh), 0);
    *grid_w = std::max<int64_t>(static_cast<int64_t>(gw), 0);
    samples_.resize(static_cast<size_t>(cfg_.out_h * cfg_.out_w * *grid_h * *grid_w));
    size_t k = 0;
    const double hd = static_cast<double>(h), wd = static_cast<double>(w);
    for (int64_t ph = 0; ph < cfg_.out_h; ++ph)
      for (int64_t pw = 0; pw < cfg_.out_w; ++pw)
        for (int64_t iy = 0; iy < *grid_h; ++iy) {
          const double yy = y1 + static_cast<double>(ph) * bin_h +
                            (static_cast<double>(iy) + 0.5) * bin_h / static_cast<double>(*grid_h);
          for (int64_t ix = 0; ix < *grid_w; ++ix) {
            const double xx = x1 + static_cast<double>(pw) * bin_w +
                              (static_cast<double>(ix) + 0.5) * bin_w / static_cast<double>(*grid_w);
            Sample& s = samples_[k++];
            if (!(yy >= -1.0 && yy <= hd && xx >= -1.0 && xx <= wd) || h == 0 || w == 0) {
              s = Sample{{0, 0, 0, 0}, {0, 0, 0, 0}};
              continue;
            }
            double y = std::max(yy, 0.0), x = std::max(xx, 0.0);
            int64_t y_lo = static_cast<int64_t>(y), x_lo = static_cast<int64_t>(x), y_hi, x_hi;
            if (y_lo >= h - 1) {
              y_hi = y_lo = h - 1;
              y = static_cast<double>(y_lo);
            } else {
              y_hi = y_lo + 1;
            }
            if (x_lo >= w - 1) {
              x_hi = x_lo = w - 1;
              x = static_cast<double>(x_lo);
            } else {
              x_hi = x_lo + 1;
            }
            const double ly = y - static_cast<double>(y_lo), lx = x - static_cast<double>(x_lo);
            const double hy = 1 - ly, hx = 1 - lx;
            s = Sample{{y_lo * w + x_lo, y_lo * w + x_hi, y_hi * w + x_lo, y_hi * w + x_hi},
                       {hy * hx, hy * lx, ly * hx, ly * lx}};
          }
        }
  }

  RoiAlignConfig cfg_;
};

Shape RoiAlignKernel::output_shape(const Shape& x, const Shape& rois, const Shape& idx, Stage stage,
                                   const RoiAlignConfig* cfg) {
  if (x.size() != 4) throw Error(stage, "RoiAlign expects X of rank 4, got " + shape_to_string(x));
  if (rois.size() != 2 || rois[1] != 4)
    throw Error(stage, "rois " + shape_to_string(rois) + " must be [num_rois, 4]");
  if (idx.size() != 1 || idx[0] != rois[0])
    throw Error(stage,
                "batch_indices " + shape_to_string(idx) + " must be [" + std::to_string(rois[0]) + "]");
  return {rois[0], x[1], cfg->out_h, cfg->out_w};
}

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  if (ctx.num_inputs() != 3 || !ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2) ||
      ctx.num_outputs() != 1)
    throw Error(Stage::Build, "RoiAlign takes inputs X, rois and batch_indices and one output");
  const AttributeReader& a = ctx.attrs;
  RoiAlignConfig cfg;
  const std::string mode = a.get_string("mode", "avg");
  if (mode != "avg" && mode != "max") throw Error(Stage::Build, "unknown mode '" + mode + "'");
  cfg.max_mode = mode == "max";
  if (ctx.opset >= 16) {
    const std::string ct = a.get_string("coordinate_transformation_mode", "half_pixel");
    if (ct != "half_pixel" && ct != "output_half_pixel")
      throw Error(Stage::Build, "unknown coordinate_transformation_mode '" + ct + "'");
    cfg.half_pixel = ct == "half_pixel";
  } else {
    cfg.half_pixel = false;
  }
  cfg.out_h = a.get_int("output_height", 1);
  cfg.out_w = a.get_int("output_width", 1);
  cfg.sampling_ratio = a.get_int("sampling_ratio", 0);
  cfg.spatial_scale = a.get_float("spatial_scale", 1.0f);
  if (cfg.out_h < 1 || cfg.out_w < 1 || cfg.out_h > (int64_t(1) << 20) || cfg.out_w > (int64_t(1) << 20))
    throw Error(Stage::Build, "output_height and output_width must be positive");
  if (cfg.sampling_ratio < 0 || cfg.sampling_ratio > (int64_t(1) << 20))
    throw Error(Stage::Build, "sampling_ratio must be non-negative");
  if (!std::isfinite(cfg.spatial_scale)) throw Error(Stage::Build, "spatial_scale must be finite");
  cfg.dtype = ctx.input_dtype(0);
  if (ctx.input_dtype(1) != cfg.dtype) throw Error(Stage::Build, "rois must have X's dtype");
  if (ctx.input_dtype(2) != DType::Int64) throw Error(Stage::Build, "batch_indices must be int64");
  if (!dtype_in(cfg.dtype, kFloatDTypes)) return nullptr;
  if (ctx.inputs[0].shape_known && ctx.inputs[1].shape_known && ctx.inputs[2].shape_known)
    RoiAlignKernel::output_shape(ctx.inputs[0].shape, ctx.inputs[1].shape, ctx.inputs[2].shape, Stage::Build,
                                 &cfg);
  return std::make_unique<RoiAlignKernel>(cfg);
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "RoiAlign", 10, 22, kRef, make_ref);

}  // namespace onnxi::nn
