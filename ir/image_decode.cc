// JPEG and PNG decoding (include/onnxi/image.h) with libjpeg-turbo and libpng.
#include "onnxi/image.h"

#if ONNXI_WITH_IMAGES
#include <png.h>
#include <setjmp.h>
#endif

#include <cstdio>
#include <cstring>

// jpeglib.h needs FILE and size_t declared first.
#if ONNXI_WITH_IMAGES
#include <jerror.h>
#include <jpeglib.h>
#endif

namespace onnxi {

namespace {

ImageDecodeResult failed(ImageDecodeStatus status, std::string message) {
  ImageDecodeResult r;
  r.status = status;
  r.message = std::move(message);
  return r;
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

constexpr int kMaxSide = 1 << 15;  // refuse absurd sizes instead of allocating gigabytes

// Decodes a JPEG, reading its header once: the size is checked before the pixels are
// allocated. Returns an empty string on success, else the whole message, with `unsupported` set
// when the image is valid but not decoded here (CMYK, absurd size). No C++ object with a
// destructor lives in this frame across setjmp (the pixels belong to the caller's `img`).
std::string decode_jpeg(const uint8_t* data, size_t size, RgbImage& img, bool& unsupported) {
  jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  std::memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = jpeg_error_exit;
  err.pub.emit_message = jpeg_emit_message;
  err.message[0] = 0;
  unsupported = false;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return std::string("cannot decode JPEG: ") + (err.message[0] ? err.message : "corrupt JPEG data");
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  jpeg_calc_output_dimensions(&cinfo);
  const unsigned w = cinfo.output_width, h = cinfo.output_height;
  if (w == 0 || h == 0 || w > unsigned(kMaxSide) || h > unsigned(kMaxSide)) {
    jpeg_destroy_decompress(&cinfo);
    unsupported = true;
    return "JPEG size " + std::to_string(w) + "x" + std::to_string(h) + " is not supported";
  }
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&cinfo);
    unsupported = true;
    return "cannot decode JPEG: CMYK JPEG images are not supported";
  }
  cinfo.out_color_space = JCS_RGB;
  img.width = static_cast<int>(w);
  img.height = static_cast<int>(h);
  img.pixels.assign(size_t(w) * size_t(h) * 3, 0);
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_components != 3) {
    jpeg_destroy_decompress(&cinfo);
    return "cannot decode JPEG: unexpected JPEG colour layout";
  }
  uint8_t* base = img.pixels.data();
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = base + size_t(cinfo.output_scanline) * size_t(w) * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return "";
}

ImageDecodeResult decode_png(const uint8_t* data, size_t size) {
  ImageDecodeResult r;
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, data, size))
    return failed(ImageDecodeStatus::Corrupt, std::string("cannot decode PNG: ") + image.message);
  if (image.width == 0 || image.height == 0 || image.width > kMaxSide || image.height > kMaxSide) {
    png_image_free(&image);
    return failed(ImageDecodeStatus::Unsupported, "PNG size " + std::to_string(image.width) + "x" +
                                                      std::to_string(image.height) + " is not supported");
  }
  // Alpha is dropped without compositing, as PIL's convert('RGB') does: read RGBA
  // (colour channels not premultiplied) and keep R, G, B.
  const bool has_alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
  image.format = has_alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
  RgbImage& img = r.image;
  img.width = static_cast<int>(image.width);
  img.height = static_cast<int>(image.height);
  img.pixels.resize(size_t(img.width) * size_t(img.height) * 3);
  std::vector<uint8_t> rgba(has_alpha ? size_t(img.width) * size_t(img.height) * 4 : 0);
  void* target = has_alpha ? static_cast<void*>(rgba.data()) : static_cast<void*>(img.pixels.data());
  if (!png_image_finish_read(&image, nullptr, target, 0, nullptr)) {
    std::string msg = image.message;
    png_image_free(&image);
    return failed(ImageDecodeStatus::Corrupt, "cannot decode PNG: " + msg);
  }
  if (has_alpha)
    for (size_t i = 0, n = size_t(img.width) * size_t(img.height); i < n; ++i)
      std::memcpy(&img.pixels[i * 3], &rgba[i * 4], 3);
  return r;
}
#endif  // ONNXI_WITH_IMAGES

bool starts_with(const uint8_t* data, size_t size, const char* sig, size_t n, size_t at = 0) {
  return size >= at + n && std::memcmp(data + at, sig, n) == 0;
}

}  // namespace

const char* image_format_name(const uint8_t* data, size_t size) {
  if (starts_with(data, size, "\x89PNG\r\n\x1a\n", 8)) return "PNG";
  if (starts_with(data, size, "\xff\xd8\xff", 3)) return "JPEG";
  if (starts_with(data, size, "BM", 2)) return "BMP";
  if (starts_with(data, size, "II*\0", 4) || starts_with(data, size, "MM\0*", 4)) return "TIFF";
  if (starts_with(data, size, "RIFF", 4) && starts_with(data, size, "WEBP", 4, 8)) return "WebP";
  if (starts_with(data, size, "\0\0\0\x0cjP  ", 8) || starts_with(data, size, "\xff\x4f\xff\x51", 4))
    return "JPEG 2000";
  if (starts_with(data, size, "GIF8", 4)) return "GIF";
  if (size >= 2 && data[0] == 'P' && data[1] >= '1' && data[1] <= '7') return "PNM";
  return "";
}

ImageDecodeResult decode_image_bytes(const uint8_t* data, size_t size) {
#if !ONNXI_WITH_IMAGES
  (void)data;
  (void)size;
  return failed(ImageDecodeStatus::NotBuilt,
                "this onnxi was built without image support (ONNXI_WITH_IMAGES=OFF): it cannot decode JPEG or PNG");
#else
  const std::string format = image_format_name(data, size);
  if (format == "PNG") return decode_png(data, size);
  if (format == "JPEG") {
    ImageDecodeResult r;
    bool unsupported = false;
    const std::string msg = decode_jpeg(data, size, r.image, unsupported);
    if (!msg.empty())
      return failed(unsupported ? ImageDecodeStatus::Unsupported : ImageDecodeStatus::Corrupt, msg);
    return r;
  }
  if (format.empty()) return failed(ImageDecodeStatus::UnknownFormat, "not a JPEG or PNG image (unrecognized signature)");
  return failed(ImageDecodeStatus::UnknownFormat, format + " images are not supported (only JPEG and PNG)");
#endif
}

}  // namespace onnxi
