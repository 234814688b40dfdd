// MelWeightMatrix (opset 17): [dft_length / 2 + 1, num_mel_bins] triangular filters with
// peak 1 that map a onesided linear spectrum onto the mel scale, mel(f) = 2595 log10(1 +
// f / 700). num_mel_bins + 2 points evenly spaced in mel from lower_edge_hertz (spaced by
// (mel(upper) - mel(lower)) / (num_mel_bins + 2), as the ONNX reference does) are mapped to
// spectrogram bins floor((dft_length + 1) * f / sample_rate); filter i rises from point i
// to point i + 1 and falls to point i + 2.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/common/convert.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class MelWeightMatrixKernel : public Kernel {
 public:
  explicit MelWeightMatrixKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 5) throw Error(Stage::Build, "MelWeightMatrix expects 5 inputs");
    for (size_t i = 0; i < 5; ++i)
      if (!ctx.has_input(i))
        throw Error(Stage::Build, "MelWeightMatrix input " + std::to_string(i) + " is missing");
    for (size_t i = 0; i < 3; ++i)
      if (ctx.input_dtype(i) != DType::Int32 && ctx.input_dtype(i) != DType::Int64)
        throw Error(Stage::Build, "MelWeightMatrix input " + std::to_string(i) + " must be int32 or int64");
    for (size_t i = 3; i < 5; ++i)
      if (!dtype_in(ctx.input_dtype(i), kFloatDTypes))
        throw Error(Stage::Build, "MelWeightMatrix input " + std::to_string(i) + " must be a float type");
    const std::optional<DType> t =
        dtype_from_onnx(static_cast<int32_t>(ctx.attrs.get_int("output_datatype", 1)));
    if (!t || !dtype_in(*t, kNumericDTypes)) throw Error(Stage::Build, "unsupported output_datatype");
    out_dtype_ = *t;
  }

  void infer(InferContext& ctx) override {
    const Tensor* bins = ctx.input_value(0);
    const Tensor* dft = ctx.input_value(1);
    if (bins && dft)
      ctx.set_output(0, out_dtype_,
                     {int_scalar(*dft, "dft_length", Stage::Plan) / 2 + 1,
                      int_scalar(*bins, "num_mel_bins", Stage::Plan)});
    else
      ctx.set_output_dtype(0, out_dtype_);
  }

  void run(RunContext& ctx) const override {
    const int64_t mel_bins = int_scalar(ctx.input(0), "num_mel_bins", Stage::Run);
    const int64_t dft_length = int_scalar(ctx.input(1), "dft_length", Stage::Run);
    const int64_t sample_rate = int_scalar(ctx.input(2), "sample_rate", Stage::Run);
    const double lower = float_scalar(ctx.input(3), "lower_edge_hertz");
    const double upper = float_scalar(ctx.input(4), "upper_edge_hertz");
    if (mel_bins <= 0 || dft_length <= 0 || sample_rate <= 0)
      throw Error(Stage::Run, "num_mel_bins, dft_length and sample_rate must be positive");
    if (!(lower >= 0 && lower <= upper && upper <= static_cast<double>(sample_rate) / 2))
      throw Error(Stage::Run,
                  "the edges must satisfy 0 <= lower_edge_hertz <= upper_edge_hertz <= sample_rate / 2");
    const int64_t spec_bins = dft_length / 2 + 1;
    auto mel = [](double f) { return 2595.0 * std::log10(1.0 + f / 700.0); };
    const double low_mel = mel(lower), step = (mel(upper) - low_mel) / static_cast<double>(mel_bins + 2);
    std::vector<int64_t> points(static_cast<size_t>(mel_bins + 2));
    for (int64_t i = 0; i < mel_bins + 2; ++i) {
      const double hz = 700.0 * (std::pow(10.0, (static_cast<double>(i) * step + low_mel) / 2595.0) - 1.0);
      points[i] = static_cast<int64_t>(
          std::floor(static_cast<double>(dft_length + 1) * hz / static_cast<double>(sample_rate)));
      points[i] = std::clamp<int64_t>(points[i], 0, spec_bins - 1);
    }
    std::vector<double> w(static_cast<size_t>(spec_bins * mel_bins), 0.0);
    for (int64_t i = 0; i < mel_bins; ++i) {
      const int64_t lo = points[i], center = points[i + 1], hi = points[i + 2];
      if (center == lo) {
        w[center * mel_bins + i] = 1.0;
      } else {
        for (int64_t j = lo; j <= center; ++j)
          w[j * mel_bins + i] = static_cast<double>(j - lo) / static_cast<double>(center - lo);
      }
      for (int64_t j = center; j < hi; ++j)
        w[j * mel_bins + i] = static_cast<double>(hi - j) / static_cast<double>(hi - center);
    }
    Tensor& y = output_for(ctx, 0, out_dtype_, {spec_bins, mel_bins});
    visit_dtype<kNumericDTypes>(out_dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y.data<T>();
      for (size_t i = 0; i < w.size(); ++i) out[i] = convert_value<T>(w[i]);
    });
  }

 private:
  static int64_t int_scalar(const Tensor& t, const char* what, Stage stage) {
    std::vector<int64_t> v = read_int_values(t, what, stage);
    if (v.size() != 1) throw Error(stage, std::string(what) + " must be a scalar");
    if (v[0] < 0) throw Error(stage, std::string(what) + " must not be negative");
    return v[0];
  }
  static double float_scalar(const Tensor& t, const char* what) {
    if (t.numel() != 1) throw Error(Stage::Run, std::string(what) + " must be a scalar");
    Tensor d = convert_tensor(t, DType::Double);
    return d.data<double>()[0];
  }

  DType out_dtype_ = DType::Float;
};

ONNXI_REGISTER_KERNEL("", "MelWeightMatrix", 17, 17, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new MelWeightMatrixKernel(ctx));
});

}  // namespace
}  // namespace onnxi
