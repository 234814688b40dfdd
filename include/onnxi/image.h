// Decoding JPEG and PNG images to 8-bit RGB, with Debian's libjpeg-turbo and libpng, in
// builds with ONNXI_WITH_IMAGES (the default). Used by the ImageDecoder op and by
// `onnxi classify`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace onnxi {

// 8-bit RGB, rows top to bottom, pixels interleaved (R, G, B).
struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

enum class ImageDecodeStatus {
  Ok,
  NotBuilt,       // this build has no image support (ONNXI_WITH_IMAGES=OFF)
  UnknownFormat,  // not JPEG or PNG (see image_format_name)
  Unsupported,    // a JPEG or PNG this decoder does not handle (CMYK JPEG, absurd sizes)
  Corrupt,        // the data is not a valid (or is a truncated) JPEG or PNG
};

struct ImageDecodeResult {
  ImageDecodeStatus status = ImageDecodeStatus::Ok;
  std::string message;  // why, when status is not Ok
  RgbImage image;
};

// The image format the data's signature names: "JPEG", "PNG", or one this decoder does not
// read ("BMP", "TIFF", "WebP", "JPEG 2000", "PNM", "GIF"); "" when unrecognized.
const char* image_format_name(const uint8_t* data, size_t size);

// Decodes a JPEG or PNG (chosen by its signature) to 8-bit RGB: grayscale is expanded,
// alpha is dropped without compositing (as Pillow's convert("RGB")), 16-bit PNG is reduced
// to 8 bits, JPEG chroma uses libjpeg-turbo's default ("fancy") upsampling.
ImageDecodeResult decode_image_bytes(const uint8_t* data, size_t size);

}  // namespace onnxi
