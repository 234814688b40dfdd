// ImageDecoder (opset 20): decodes a 1-D uint8 stream holding a JPEG or PNG image into a
// [H, W, C] uint8 tensor, C = 3 for pixel_format "RGB" or "BGR" and 1 for "Grayscale"
// (Pillow's convert("L"): (19595 R + 38470 G + 7471 B + 2^15) >> 16). A stream that is not
// a valid image (corrupt or truncated JPEG/PNG, or no known format) gives an empty
// [0, 0, C] tensor, as the spec says; the other formats the spec lists (BMP, TIFF, WebP,
// JPEG 2000, PNM) and JPEG/PNG variants the decoder lacks (CMYK) are an error naming them.
#include "onnxi/image.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

enum class PixelFormat { Rgb, Bgr, Grayscale };

class ImageDecoderKernel : public Kernel {
 public:
  explicit ImageDecoderKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || ctx.input_dtype(0) != DType::UInt8)
      throw Error(Stage::Build, "ImageDecoder expects a uint8 encoded_stream, got " +
                                    std::string(dtype_name(ctx.input_dtype(0))));
    const std::string f = ctx.attrs.get_string("pixel_format", "RGB");
    if (f == "RGB")
      format_ = PixelFormat::Rgb;
    else if (f == "BGR")
      format_ = PixelFormat::Bgr;
    else if (f == "Grayscale")
      format_ = PixelFormat::Grayscale;
    else
      throw Error(Stage::Build, "ImageDecoder pixel_format must be RGB, BGR or Grayscale, got '" + f + "'");
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      if (s->size() != 1)
        throw Error(Stage::Plan, "ImageDecoder encoded_stream must be 1-D, got " + shape_to_string(*s));
    ctx.set_output_dtype(0, DType::UInt8);
  }

  void run(RunContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    if (in.rank() != 1)
      throw Error(Stage::Run, "ImageDecoder encoded_stream must be 1-D, got " + shape_to_string(in.shape()));
    const int64_t channels = format_ == PixelFormat::Grayscale ? 1 : 3;
    const ImageDecodeResult r = decode_image_bytes(in.data<uint8_t>(), static_cast<size_t>(in.numel()));
    const bool unknown = r.status == ImageDecodeStatus::UnknownFormat &&
                         image_format_name(in.data<uint8_t>(), static_cast<size_t>(in.numel()))[0] == 0;
    if (r.status == ImageDecodeStatus::Corrupt || unknown) {
      ctx.set_output(0, Tensor(DType::UInt8, {0, 0, channels}));
      return;
    }
    if (r.status != ImageDecodeStatus::Ok) throw Error(Stage::Run, "ImageDecoder: " + r.message);
    const RgbImage& img = r.image;
    Tensor y(DType::UInt8, {img.height, img.width, channels});
    uint8_t* out = y.data<uint8_t>();
    const uint8_t* px = img.pixels.data();
    const size_t n = static_cast<size_t>(img.width) * static_cast<size_t>(img.height);
    for (size_t i = 0; i < n; ++i, px += 3) {
      switch (format_) {
        case PixelFormat::Rgb:
          out[3 * i] = px[0], out[3 * i + 1] = px[1], out[3 * i + 2] = px[2];
          break;
        case PixelFormat::Bgr:
          out[3 * i] = px[2], out[3 * i + 1] = px[1], out[3 * i + 2] = px[0];
          break;
        case PixelFormat::Grayscale:
          out[i] = static_cast<uint8_t>((px[0] * 19595u + px[1] * 38470u + px[2] * 7471u + 0x8000u) >> 16);
          break;
      }
    }
    ctx.set_output(0, std::move(y));
  }

 private:
  PixelFormat format_ = PixelFormat::Rgb;
};

ONNXI_REGISTER_KERNEL("", "ImageDecoder", 20, 20, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new ImageDecoderKernel(ctx)); });

}  // namespace
}  // namespace onnxi
