#include "ops/quant/int_conv.h"

#include "ops/common/dtype_dispatch.h"
#include "ops/math/gemm_core.h"
#include "ops/quant/quant_common.h"

namespace onnxi::quant {

IntConvConfig read_int_conv_config(const AttributeReader& attrs) {
  IntConvConfig c;
  c.group = attrs.get_int("group", 1);
  if (c.group < 1) throw Error(Stage::Build, "group must be positive");
  c.raw = nn::read_window_attrs(attrs, {/*dilations=*/true, /*ceil_mode=*/false});
  return c;
}

IntConvShapes int_conv_shapes(const IntConvConfig& cfg, const Shape& x, const Shape& w, Stage stage) {
  if (x.size() < 3) throw Error(stage, "X must have rank >= 3, got " + shape_to_string(x));
  if (w.size() != x.size())
    throw Error(stage, "W " + shape_to_string(w) + " must have the rank of X " + shape_to_string(x));
  if (x.size() - 2 > nn::kMaxSpatialRank)
    throw Error(stage,
                "more than " + std::to_string(nn::kMaxSpatialRank) + " spatial dims are not supported");
  IntConvShapes s;
  s.batch = x[0];
  s.in_channels = x[1];
  s.out_channels = w[0];
  if (w[1] * cfg.group != s.in_channels)
    throw Error(stage, "X has " + std::to_string(s.in_channels) + " channels but W " + shape_to_string(w) +
                           " with group " + std::to_string(cfg.group) + " expects " +
                           std::to_string(w[1] * cfg.group));
  if (s.out_channels % cfg.group != 0)
    throw Error(stage, "W's output channels are not divisible by group " + std::to_string(cfg.group));
  s.win = nn::resolve_window(cfg.raw, std::vector<int64_t>(w.begin() + 2, w.end()), stage);
  s.geom = nn::compute_window_geometry(s.win, std::vector<int64_t>(x.begin() + 2, x.end()), stage);
  s.out = {s.batch, s.out_channels};
  s.out.insert(s.out.end(), s.geom.out.begin(), s.geom.out.end());
  return s;
}

void int_conv(const IntConvConfig& cfg, const IntConvShapes& s, const Tensor& x, int32_t x_zp,
              const Tensor& w, const std::vector<int32_t>& w_zp, int32_t* out, pthreadpool_t pool) {
  const int64_t G = cfg.group, Cg = s.in_channels / G, Mg = s.out_channels / G;
  if (w_zp.size() != 1 && static_cast<int64_t>(w_zp.size()) != s.out_channels)
    throw Error(Stage::Run, "w_zero_point must have 1 or " + std::to_string(s.out_channels) + " values");
  const nn::Window3 l = nn::lift_to_3d(s.win, s.geom);
  const int64_t in_size = l.in_size(), out_size = l.out_size(), ksize = l.kernel_size();
  const int64_t rows = Cg * ksize;  // depth of the GEMM
  if (shape_numel(s.out) == 0) return;
  // W - w_zp as [M, Cg * ksize] (the layout W already has).
  std::vector<int32_t> wm(static_cast<size_t>(s.out_channels * rows));
  visit_dtype<kQuant8DTypes>(w.dtype(), [&](auto tag) {
    using Q = typename decltype(tag)::type;
    const Q* p = w.data<Q>();
    for (int64_t m = 0; m < s.out_channels; ++m)
      for (int64_t j = 0; j < rows; ++j)
        wm[m * rows + j] = static_cast<int32_t>(p[m * rows + j]) - w_zp[w_zp.size() == 1 ? 0 : m];
  });
  std::vector<int32_t> col(static_cast<size_t>(rows * out_size));
  visit_dtype<kQuant8DTypes>(x.dtype(), [&](auto tag) {
    using Q = typename decltype(tag)::type;
    const Q* xp = x.data<Q>();
    for (int64_t n = 0; n < s.batch; ++n)
      for (int64_t g = 0; g < G; ++g) {
        // im2col: col[(c, kd, kh, kw), (od, oh, ow)] = X - x_zp, 0 in the padding.
        for (int64_t c = 0; c < Cg; ++c) {
          const Q* xc = xp + (n * s.in_channels + g * Cg + c) * in_size;
          for (int64_t k0 = 0; k0 < l.kernel[0]; ++k0)
            for (int64_t k1 = 0; k1 < l.kernel[1]; ++k1)
              for (int64_t k2 = 0; k2 < l.kernel[2]; ++k2) {
                const int64_t r = ((c * l.kernel[0] + k0) * l.kernel[1] + k1) * l.kernel[2] + k2;
                int32_t* dst = col.data() + r * out_size;
                for (int64_t o0 = 0; o0 < l.out[0]; ++o0) {
                  const int64_t i0 = o0 * l.stride[0] + k0 * l.dilation[0] - l.pad_begin[0];
                  for (int64_t o1 = 0; o1 < l.out[1]; ++o1) {
                    const int64_t i1 = o1 * l.stride[1] + k1 * l.dilation[1] - l.pad_begin[1];
                    int32_t* d = dst + (o0 * l.out[1] + o1) * l.out[2];
                    const bool row_ok = i0 >= 0 && i0 < l.in[0] && i1 >= 0 && i1 < l.in[1];
                    for (int64_t o2 = 0; o2 < l.out[2]; ++o2) {
                      const int64_t i2 = o2 * l.stride[2] + k2 * l.dilation[2] - l.pad_begin[2];
                      d[o2] = row_ok && i2 >= 0 && i2 < l.in[2]
                                  ? static_cast<int32_t>(xc[(i0 * l.in[1] + i1) * l.in[2] + i2]) - x_zp
                                  : 0;
                    }
                  }
                }
              }
        }
        int32_t* y = out + (n * s.out_channels + g * Mg) * out_size;
        gemm<int32_t>(false, false, Mg, out_size, rows, wm.data() + g * Mg * rows, col.data(), y, pool);
      }
  });
}

}  // namespace onnxi::quant
