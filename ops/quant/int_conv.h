// Integer convolution with zero points, shared by ConvInteger and QLinearConv: N-D (up to
// 3 spatial dims) grouped convolution of int8/uint8 X and W into int32 accumulators,
// with Conv's window attributes. Padding contributes zero (it stands for the zero point).
#pragma once
#include <cstdint>
#include <vector>

#include "ops/nn/window.h"
#include "runtime/kernel.h"

namespace onnxi::quant {

struct IntConvConfig {
  nn::RawWindowAttrs raw;
  int64_t group = 1;
};

// Reads group and the window attributes; throws Error(Stage::Build).
IntConvConfig read_int_conv_config(const AttributeReader& attrs);

struct IntConvShapes {
  nn::WindowAttrs win;
  nn::WindowGeometry geom;
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  Shape out;
};

// Checks X [N, C, d...] against W [M, C/group, k...]; throws Error(stage).
IntConvShapes int_conv_shapes(const IntConvConfig& cfg, const Shape& x, const Shape& w, Stage stage);

// out[N, M, o...] = sum over the window of (X - x_zp) * (W - w_zp[m]); w_zp has 1 or M values.
void int_conv(const IntConvConfig& cfg, const IntConvShapes& s, const Tensor& x, int32_t x_zp,
              const Tensor& w, const std::vector<int32_t>& w_zp, int32_t* out, pthreadpool_t pool);

}  // namespace onnxi::quant
