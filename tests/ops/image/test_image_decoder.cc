// ImageDecoder (opset 20): a PNG and a JPEG made by gen/images.py (Pillow), decoded in
// every pixel format and compared with ONNX's reference evaluator (Pillow) or, for the
// PNG's RGB/BGR, with the pixels it encodes; corrupt streams give an empty image,
// unsupported formats an error.
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

// 3x2 RGB PNG of the pixels below.
const std::vector<uint8_t> kPng = {
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0,
    0, 18, 22, 241, 77, 0, 0, 0, 28, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 192, 240, 159, 129,
    129, 225, 63, 35, 151, 136, 220, 190, 0, 145, 29, 50, 126, 0, 55, 191, 5, 127, 194, 193, 128, 128,
    0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130};
const std::vector<double> kPngRgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 100, 50, 128, 128, 128};
const std::vector<double> kPngGray = {
    76, 150, 29, 18, 124, 128};

// 8x8 JPEG gradient (quality 90, 4:2:0).
const std::vector<uint8_t> kJpeg = {
    255, 216, 255, 224, 0, 16, 74, 70, 73, 70, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 255, 219, 0, 67, 0, 3, 2,
    2, 3, 2, 2, 3, 3, 3, 3, 4, 3, 3, 4, 5, 8, 5, 5, 4, 4, 5, 10, 7, 7, 6, 8, 12, 10, 12, 12, 11, 10,
    11, 11, 13, 14, 18, 16, 13, 14, 17, 14, 11, 11, 16, 22, 16, 17, 19, 20, 21, 21, 21, 12, 15, 23, 24,
    22, 20, 24, 18, 20, 21, 20, 255, 219, 0, 67, 1, 3, 4, 4, 5, 4, 5, 9, 5, 5, 9, 20, 13, 11, 13, 20,
    20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20,
    20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20,
    255, 192, 0, 17, 8, 0, 8, 0, 8, 3, 1, 34, 0, 2, 17, 1, 3, 17, 1, 255, 196, 0, 31, 0, 0, 1, 5, 1, 1,
    1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255, 196, 0, 181, 16, 0, 2,
    1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 125, 1, 2, 3, 0, 4, 17, 5, 18, 33, 49, 65, 6, 19, 81, 97, 7,
    34, 113, 20, 50, 129, 145, 161, 8, 35, 66, 177, 193, 21, 82, 209, 240, 36, 51, 98, 114, 130, 9, 10,
    22, 23, 24, 25, 26, 37, 38, 39, 40, 41, 42, 52, 53, 54, 55, 56, 57, 58, 67, 68, 69, 70, 71, 72, 73,
    74, 83, 84, 85, 86, 87, 88, 89, 90, 99, 100, 101, 102, 103, 104, 105, 106, 115, 116, 117, 118, 119,
    120, 121, 122, 131, 132, 133, 134, 135, 136, 137, 138, 146, 147, 148, 149, 150, 151, 152, 153, 154,
    162, 163, 164, 165, 166, 167, 168, 169, 170, 178, 179, 180, 181, 182, 183, 184, 185, 186, 194, 195,
    196, 197, 198, 199, 200, 201, 202, 210, 211, 212, 213, 214, 215, 216, 217, 218, 225, 226, 227, 228,
    229, 230, 231, 232, 233, 234, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 255, 196, 0, 31, 1,
    0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255, 196, 0,
    181, 17, 0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 119, 0, 1, 2, 3, 17, 4, 5, 33, 49, 6, 18, 65,
    81, 7, 97, 113, 19, 34, 50, 129, 8, 20, 66, 145, 161, 177, 193, 9, 35, 51, 82, 240, 21, 98, 114,
    209, 10, 22, 36, 52, 225, 37, 241, 23, 24, 25, 26, 38, 39, 40, 41, 42, 53, 54, 55, 56, 57, 58, 67,
    68, 69, 70, 71, 72, 73, 74, 83, 84, 85, 86, 87, 88, 89, 90, 99, 100, 101, 102, 103, 104, 105, 106,
    115, 116, 117, 118, 119, 120, 121, 122, 130, 131, 132, 133, 134, 135, 136, 137, 138, 146, 147, 148,
    149, 150, 151, 152, 153, 154, 162, 163, 164, 165, 166, 167, 168, 169, 170, 178, 179, 180, 181, 182,
    183, 184, 185, 186, 194, 195, 196, 197, 198, 199, 200, 201, 202, 210, 211, 212, 213, 214, 215, 216,
    217, 218, 226, 227, 228, 229, 230, 231, 232, 233, 234, 242, 243, 244, 245, 246, 247, 248, 249, 250,
    255, 218, 0, 12, 3, 1, 0, 2, 17, 3, 17, 0, 63, 0, 229, 62, 11, 254, 200, 127, 234, 63, 208, 189,
    63, 134, 138, 40, 170, 194, 98, 106, 251, 37, 169, 213, 192, 124, 107, 157, 127, 98, 211, 253, 239,
    245, 247, 159, 255, 217};
const std::vector<double> kJpegRgb = {
    1, 0, 0, 22, 7, 12, 51, 7, 30, 82, 8, 45, 119, 5, 64, 150, 6, 78, 180, 6, 95, 201, 13, 108, 12, 25,
    16, 31, 31, 29, 61, 33, 47, 91, 32, 62, 128, 32, 80, 160, 31, 96, 189, 32, 113, 211, 38, 127, 12,
    58, 32, 32, 65, 48, 61, 65, 64, 93, 65, 80, 130, 65, 99, 161, 63, 112, 191, 65, 129, 211, 71, 142,
    12, 88, 49, 32, 96, 62, 62, 96, 79, 92, 96, 95, 130, 96, 113, 161, 94, 129, 190, 97, 144, 210, 103,
    157, 13, 122, 65, 32, 129, 78, 62, 130, 93, 94, 129, 109, 130, 128, 129, 162, 128, 145, 190, 129,
    160, 210, 136, 173, 12, 152, 79, 33, 160, 93, 62, 160, 109, 93, 160, 125, 129, 160, 144, 160, 158,
    159, 191, 160, 175, 210, 167, 187, 13, 186, 97, 34, 193, 111, 63, 194, 128, 95, 193, 144, 131, 192,
    161, 161, 192, 177, 192, 194, 193, 211, 200, 206, 23, 211, 116, 43, 217, 128, 73, 219, 146, 103,
    218, 161, 141, 217, 179, 172, 217, 196, 201, 218, 210, 221, 225, 224};
const std::vector<double> kJpegGray = {
    0, 12, 23, 34, 46, 57, 68, 80, 20, 31, 43, 53, 66, 77, 88, 100, 41, 53, 64, 75, 88, 98, 110, 121,
    61, 73, 84, 95, 108, 118, 130, 141, 83, 94, 105, 116, 129, 140, 151, 162, 102, 114, 125, 136, 149,
    159, 171, 182, 124, 136, 147, 158, 170, 181, 193, 204, 144, 155, 167, 177, 190, 201, 212, 224};

NodeRun decoder(const std::vector<uint8_t>& bytes, const std::string& format = "") {
  NodeRun r;
  r.op_type = "ImageDecoder";
  r.opset = 20;
  r.inputs = {Tensor::from_vector<uint8_t>(bytes, {static_cast<int64_t>(bytes.size())})};
  if (!format.empty()) r.attributes = {attr_string("pixel_format", format)};
  return r;
}

std::vector<double> to_bgr(std::vector<double> v) {
  for (size_t i = 0; i + 2 < v.size(); i += 3) std::swap(v[i], v[i + 2]);
  return v;
}

}  // namespace

TEST_CASE("ImageDecoder PNG: RGB (default), BGR, Grayscale", "[image][image_decoder]") {
  Tensor y = check_all(decoder(kPng), kPngRgb);
  CHECK(y.shape() == Shape{2, 3, 3});
  CHECK(y.dtype() == DType::UInt8);
  check_all(decoder(kPng, "BGR"), to_bgr(kPngRgb));
  CHECK(check_all(decoder(kPng, "Grayscale"), kPngGray).shape() == Shape{2, 3, 1});
}

TEST_CASE("ImageDecoder JPEG matches Pillow in every pixel format", "[image][image_decoder]") {
  CHECK(check_all(decoder(kJpeg, "RGB"), kJpegRgb).shape() == Shape{8, 8, 3});
  check_all(decoder(kJpeg, "BGR"), to_bgr(kJpegRgb));
  CHECK(check_all(decoder(kJpeg, "Grayscale"), kJpegGray).shape() == Shape{8, 8, 1});
}

TEST_CASE("ImageDecoder: corrupt streams are empty, other formats an error", "[image][image_decoder]") {
  // Truncated JPEG and PNG, and bytes of no known format: an empty [0, 0, C] image.
  std::vector<uint8_t> cut(kJpeg.begin(), kJpeg.begin() + 300);
  CHECK(run_all(decoder(cut)).shape() == Shape{0, 0, 3});
  std::vector<uint8_t> png_cut(kPng.begin(), kPng.begin() + 40);
  CHECK(run_all(decoder(png_cut, "Grayscale")).shape() == Shape{0, 0, 1});
  CHECK(run_all(decoder({1, 2, 3, 4, 5})).shape() == Shape{0, 0, 3});
  CHECK(run_all(decoder({})).shape() == Shape{0, 0, 3});
  // Formats the spec lists that this decoder does not read.
  const std::vector<uint8_t> webp = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' '};
  expect_error_all(decoder(webp), "WebP images are not supported");
  expect_error_all(decoder({'B', 'M', 0, 0, 0, 0}), "BMP");
  expect_error_all(decoder(kPng, "HSV"), "pixel_format");
  NodeRun f = decoder(kPng);
  f.inputs[0] = Tensor::from_vector<float>({1}, {1});
  expect_error_all(f, "uint8");
  NodeRun r2 = decoder(kPng);
  r2.inputs[0] = Tensor::from_vector<uint8_t>(kPng, {1, static_cast<int64_t>(kPng.size())});
  expect_error_all(r2, "1-D");
}
