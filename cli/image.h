// Image files (decoded by the library's JPEG/PNG decoder, onnxi/image.h) and torchvision's
// ImageNet preprocessing, for `onnxi classify`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "onnxi/image.h"
#include "onnxi/tensor.h"

namespace onnxi::cli {

// 8-bit RGB, rows top to bottom, pixels interleaved (R, G, B); decoded by the library.
using RgbImage = onnxi::RgbImage;

// What decoding says in a build without libjpeg/libpng (ONNXI_WITH_IMAGES=OFF).
inline constexpr const char* kNoImageSupport =
    "this onnxi was built without image support (ONNXI_WITH_IMAGES=OFF): it cannot decode JPEG or PNG; "
    "rebuild with -DONNXI_WITH_IMAGES=ON (needs libjpeg and libpng)";

// Decodes a JPEG or PNG file (chosen by its signature, not its name) to 8-bit RGB:
// grayscale is expanded, alpha is dropped, 16-bit PNG is reduced to 8 bits. Throws
// Error(Stage::Io) naming the file for anything unreadable.
RgbImage decode_image(const std::string& path);

// Resizes with Pillow's BILINEAR filter (a triangle filter widened by the downscale
// factor, i.e. antialiased), in the same fixed-point arithmetic, horizontal pass first.
RgbImage resize_bilinear(const RgbImage& in, int width, int height);

// torchvision's ImageNet evaluation transform: Resize(resize) on the shorter side,
// CenterCrop(crop), ToTensor (scale to [0,1]), Normalize(mean, std). Writes the [3,crop,crop]
// CHW float result at `out`.
void imagenet_preprocess(const RgbImage& img, int resize, int crop, float* out);

}  // namespace onnxi::cli
