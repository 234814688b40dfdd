#include "cli/image.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "onnxi/error.h"
#include "onnxi/image.h"

namespace onnxi::cli {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& msg) {
  ErrorContext ctx;
  ctx.file = path;
  throw Error(Stage::Io, msg, ctx);
}

// Pillow's resampling coefficients for one axis (bilinear = triangle filter), as 22-bit
// fixed point: out[i] = sum_k in[bounds[i].first + k] * coeffs[i * ksize + k].
constexpr int kPrecisionBits = 32 - 8 - 2;

struct Coeffs {
  int ksize = 0;
  std::vector<std::pair<int, int>> bounds;  // (first input index, count)
  std::vector<int32_t> k;
};

Coeffs bilinear_coeffs(int in_size, int out_size) {
  const double scale = double(in_size) / double(out_size);
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;
  Coeffs c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.bounds.resize(size_t(out_size));
  c.k.assign(size_t(out_size) * size_t(c.ksize), 0);
  std::vector<double> w(size_t(c.ksize));
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0;
    for (int x = 0; x < xmax; ++x) {
      double t = std::fabs((x + xmin - center + 0.5) * ss);
      w[size_t(x)] = t < 1.0 ? 1.0 - t : 0.0;
      ww += w[size_t(x)];
    }
    for (int x = 0; x < xmax; ++x) {
      double v = ww != 0.0 ? w[size_t(x)] / ww : w[size_t(x)];
      c.k[size_t(i) * size_t(c.ksize) + size_t(x)] =
          static_cast<int32_t>(v < 0 ? -0.5 + v * (1 << kPrecisionBits) : 0.5 + v * (1 << kPrecisionBits));
    }
    c.bounds[size_t(i)] = {xmin, xmax};
  }
  return c;
}

uint8_t clip8(int32_t v) {
  if (v >= (255 << kPrecisionBits)) return 255;
  if (v <= 0) return 0;
  return static_cast<uint8_t>(v >> kPrecisionBits);
}

}  // namespace

RgbImage decode_image(const std::string& path) {
#if !ONNXI_WITH_IMAGES
  fail(path, kNoImageSupport);
#else
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open image file");
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (data.empty()) fail(path, "image file is empty");
  ImageDecodeResult r = decode_image_bytes(data.data(), data.size());
  if (r.status != ImageDecodeStatus::Ok) {
    if (r.status == ImageDecodeStatus::UnknownFormat && image_format_name(data.data(), data.size())[0] == 0)
      fail(path, "not a JPEG or PNG image (unrecognized file signature)");
    fail(path, r.message);
  }
  return std::move(r.image);
#endif
}

RgbImage resize_bilinear(const RgbImage& in, int width, int height) {
  RgbImage cur = in;
  if (width != in.width) {
    Coeffs c = bilinear_coeffs(in.width, width);
    RgbImage out;
    out.width = width;
    out.height = in.height;
    out.pixels.resize(size_t(width) * size_t(in.height) * 3);
    for (int y = 0; y < in.height; ++y)
      for (int x = 0; x < width; ++x) {
        auto [first, count] = c.bounds[size_t(x)];
        const int32_t* k = &c.k[size_t(x) * size_t(c.ksize)];
        for (int ch = 0; ch < 3; ++ch) {
          int32_t ss = 1 << (kPrecisionBits - 1);
          for (int i = 0; i < count; ++i)
            ss += int32_t(cur.pixels[(size_t(y) * size_t(in.width) + size_t(first + i)) * 3 + size_t(ch)]) *
                  k[i];
          out.pixels[(size_t(y) * size_t(width) + size_t(x)) * 3 + size_t(ch)] = clip8(ss);
        }
      }
    cur = std::move(out);
  }
  if (height != cur.height) {
    Coeffs c = bilinear_coeffs(cur.height, height);
    RgbImage out;
    out.width = cur.width;
    out.height = height;
    out.pixels.resize(size_t(cur.width) * size_t(height) * 3);
    const size_t row = size_t(cur.width) * 3;
    for (int y = 0; y < height; ++y) {
      auto [first, count] = c.bounds[size_t(y)];
      const int32_t* k = &c.k[size_t(y) * size_t(c.ksize)];
      for (size_t xc = 0; xc < row; ++xc) {
        int32_t ss = 1 << (kPrecisionBits - 1);
        for (int i = 0; i < count; ++i) ss += int32_t(cur.pixels[size_t(first + i) * row + xc]) * k[i];
        out.pixels[size_t(y) * row + xc] = clip8(ss);
      }
    }
    cur = std::move(out);
  }
  return cur;
}

void imagenet_preprocess(const RgbImage& img, int resize, int crop, float* out) {
  // torchvision Resize(int): the shorter side becomes `resize`, the longer one is scaled and
  // truncated to an int.
  int w = img.width, h = img.height;
  int nw, nh;
  if (w <= h) {
    nw = resize;
    nh = static_cast<int>(double(resize) * h / w);
  } else {
    nh = resize;
    nw = static_cast<int>(double(resize) * w / h);
  }
  RgbImage r = (nw == w && nh == h) ? img : resize_bilinear(img, nw, nh);
  if (r.width < crop || r.height < crop)
    throw Error(Stage::Usage, "crop size " + std::to_string(crop) + " is larger than the resized image (" +
                                  std::to_string(r.width) + "x" + std::to_string(r.height) + ")");
  // CenterCrop: offsets rounded half to even, as Python's round() does.
  auto offset = [](int size, int c) { return static_cast<int>(std::nearbyint((size - c) / 2.0)); };
  int top = offset(r.height, crop), left = offset(r.width, crop);
  static const float kMean[3] = {0.485f, 0.456f, 0.406f};
  static const float kStd[3] = {0.229f, 0.224f, 0.225f};
  for (int ch = 0; ch < 3; ++ch)
    for (int y = 0; y < crop; ++y)
      for (int x = 0; x < crop; ++x) {
        float v = r.pixels[(size_t(top + y) * size_t(r.width) + size_t(left + x)) * 3 + size_t(ch)] / 255.0f;
        out[(size_t(ch) * size_t(crop) + size_t(y)) * size_t(crop) + size_t(x)] = (v - kMean[ch]) / kStd[ch];
      }
}

}  // namespace onnxi::cli
