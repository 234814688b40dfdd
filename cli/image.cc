#include "cli/image.h"

#if ONNXI_WITH_IMAGES
#include <png.h>
#include <setjmp.h>
#endif

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

// jpeglib.h needs FILE and size_t declared first.
#if ONNXI_WITH_IMAGES
#include <jerror.h>
#include <jpeglib.h>
#endif

#include "onnxi/error.h"

namespace onnxi::cli {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& msg) {
  ErrorContext ctx;
  ctx.file = path;
  throw Error(Stage::Io, msg, ctx);
}

#if ONNXI_WITH_IMAGES
struct JpegErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  longjmp(err->jump, 1);
}

// Warnings are ignored except for data ending early: libjpeg would fill the rest of the
// image with grey, and a wrong answer is worse than an error (Pillow refuses these too).
void jpeg_emit_message(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
    auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
    std::snprintf(err->message, sizeof err->message, "premature end of JPEG data (truncated file?)");
    longjmp(err->jump, 1);
  }
}

// Returns an empty string on success, else libjpeg's message. Keeps no C++ objects with
// destructors alive across setjmp: `pixels` is sized before decoding starts.
std::string decode_jpeg(const std::vector<uint8_t>& data, RgbImage& img) {
  jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  std::memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = jpeg_error_exit;
  err.pub.emit_message = jpeg_emit_message;
  err.message[0] = 0;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return err.message[0] ? err.message : "corrupt JPEG data";
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data.data(), static_cast<unsigned long>(data.size()));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&cinfo);
    return "CMYK JPEG images are not supported";
  }
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_components != 3) {
    jpeg_destroy_decompress(&cinfo);
    return "unexpected JPEG colour layout";
  }
  uint8_t* base = img.pixels.data();
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = base + size_t(cinfo.output_scanline) * size_t(cinfo.output_width) * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return "";
}

// Reads only the header, for the size to allocate.
std::string jpeg_size(const std::vector<uint8_t>& data, int& w, int& h) {
  jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  std::memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = jpeg_error_exit;
  err.pub.emit_message = jpeg_emit_message;
  err.message[0] = 0;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return err.message[0] ? err.message : "corrupt JPEG header";
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data.data(), static_cast<unsigned long>(data.size()));
  jpeg_read_header(&cinfo, TRUE);
  jpeg_calc_output_dimensions(&cinfo);
  w = static_cast<int>(cinfo.output_width);
  h = static_cast<int>(cinfo.output_height);
  jpeg_destroy_decompress(&cinfo);
  return "";
}

constexpr int kMaxSide = 1 << 15;  // refuse absurd sizes instead of allocating gigabytes

RgbImage decode_png(const std::vector<uint8_t>& data, const std::string& path) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, data.data(), data.size()))
    fail(path, std::string("cannot decode PNG: ") + image.message);
  if (image.width == 0 || image.height == 0 || image.width > kMaxSide || image.height > kMaxSide) {
    png_image_free(&image);
    fail(path, "PNG size " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                   " is not supported");
  }
  // Alpha is dropped without compositing, as PIL's convert('RGB') does: read RGBA
  // (colour channels not premultiplied) and keep R, G, B.
  const bool has_alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
  image.format = has_alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
  RgbImage img;
  img.width = static_cast<int>(image.width);
  img.height = static_cast<int>(image.height);
  img.pixels.resize(size_t(img.width) * size_t(img.height) * 3);
  std::vector<uint8_t> rgba(has_alpha ? size_t(img.width) * size_t(img.height) * 4 : 0);
  void* target = has_alpha ? static_cast<void*>(rgba.data()) : static_cast<void*>(img.pixels.data());
  if (!png_image_finish_read(&image, nullptr, target, 0, nullptr)) {
    std::string msg = image.message;
    png_image_free(&image);
    fail(path, "cannot decode PNG: " + msg);
  }
  if (has_alpha)
    for (size_t i = 0, n = size_t(img.width) * size_t(img.height); i < n; ++i)
      std::memcpy(&img.pixels[i * 3], &rgba[i * 4], 3);
  return img;
}
#endif  // ONNXI_WITH_IMAGES

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
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (data.size() >= 8 && std::memcmp(data.data(), kPng, 8) == 0) return decode_png(data, path);
  if (data.size() >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) {
    int w = 0, h = 0;
    std::string msg = jpeg_size(data, w, h);
    if (!msg.empty()) fail(path, "cannot decode JPEG: " + msg);
    if (w <= 0 || h <= 0 || w > kMaxSide || h > kMaxSide)
      fail(path, "JPEG size " + std::to_string(w) + "x" + std::to_string(h) + " is not supported");
    RgbImage img;
    img.width = w;
    img.height = h;
    img.pixels.assign(size_t(w) * size_t(h) * 3, 0);
    msg = decode_jpeg(data, img);
    if (!msg.empty()) fail(path, "cannot decode JPEG: " + msg);
    return img;
  }
  fail(path, "not a JPEG or PNG image (unrecognized file signature)");
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
