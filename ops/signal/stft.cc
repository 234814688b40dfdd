// STFT (opset 17): short-time Fourier transform of signal [batch, length, 1 or 2] in frames
// of frame_length samples every frame_step samples, each multiplied by the optional window
// before its DFT. frame_length comes from input 3 or the window's length. Output
// [batch, frames, bins, 2] with frames = (length - frame_length) / frame_step + 1 and bins
// = frame_length / 2 + 1 when onesided (the default; real signals only), else frame_length.
#include <complex>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/signal/fft.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class StftKernel : public Kernel {
 public:
  explicit StftKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.node.inputs.size() > 4)
      throw Error(Stage::Build, "STFT expects signal, frame_step and optional window and frame_length");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build, "STFT does not support " + std::string(dtype_name(dtype_)));
    for (size_t i : {1, 3})
      if (ctx.has_input(i) && ctx.input_dtype(i) != DType::Int32 && ctx.input_dtype(i) != DType::Int64)
        throw Error(Stage::Build,
                    std::string(i == 1 ? "frame_step" : "frame_length") + " must be int32 or int64");
    if (ctx.has_input(2) && ctx.input_dtype(2) != dtype_)
      throw Error(Stage::Build, "window must have the signal's dtype");
    onesided_ = ctx.attrs.get_int("onesided", 1) != 0;
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* step = ctx.input_value(1);
    const Shape* window = ctx.has_input(2) ? ctx.input_shape(2) : nullptr;
    const Tensor* len = ctx.has_input(3) ? ctx.input_value(3) : nullptr;
    if (!x || !step || (ctx.has_input(2) && !window) || (ctx.has_input(3) && !len)) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    ctx.set_output(0, dtype_, geometry(*x, *step, window, len, Stage::Plan).out);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor* window = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    Geometry g = geometry(x.shape(), ctx.input(1), window ? &window->shape() : nullptr,
                          ctx.has_input(3) ? &ctx.input(3) : nullptr, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, g.out);
    if (y.numel() == 0) return;
    const int64_t batch = x.dim(0), length = x.dim(1), comps = x.dim(2);
    const int64_t frames = g.out[1], bins = g.out[2], n = g.frame_length;
    signal::FftPlan plan(n, false);
    std::vector<std::complex<double>> buf(static_cast<size_t>(n));
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      const T* win = window ? window->data<T>() : nullptr;
      T* out = y.data<T>();
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t f = 0; f < frames; ++f) {
          const T* frame = in + (b * length + f * g.step) * comps;
          for (int64_t k = 0; k < n; ++k) {
            const double w = win ? static_cast<double>(load_elem(win[k])) : 1.0;
            buf[k] = {static_cast<double>(load_elem(frame[k * comps])) * w,
                      comps == 2 ? static_cast<double>(load_elem(frame[k * comps + 1])) * w : 0.0};
          }
          plan.transform(buf.data());
          T* o = out + (b * frames + f) * bins * 2;
          for (int64_t k = 0; k < bins; ++k) {
            o[2 * k] = store_elem<T>(static_cast<compute_t<T>>(buf[k].real()));
            o[2 * k + 1] = store_elem<T>(static_cast<compute_t<T>>(buf[k].imag()));
          }
        }
    });
  }

 private:
  struct Geometry {
    int64_t step = 1, frame_length = 0;
    Shape out;
  };

  static int64_t scalar_int(const Tensor& t, const char* what, Stage stage) {
    std::vector<int64_t> v = read_int_values(t, what, stage);
    if (v.size() != 1) throw Error(stage, std::string(what) + " must be a scalar");
    return v[0];
  }

  Geometry geometry(const Shape& x, const Tensor& step, const Shape* window, const Tensor* len,
                    Stage stage) const {
    if (x.size() != 3 || (x[2] != 1 && x[2] != 2))
      throw Error(stage, "STFT signal must be [batch, length, 1 or 2], got " + shape_to_string(x));
    Geometry g;
    g.step = scalar_int(step, "frame_step", stage);
    if (g.step <= 0) throw Error(stage, "frame_step must be positive");
    if (window && window->size() != 1)
      throw Error(stage, "window must be 1-D, got " + shape_to_string(*window));
    if (len) {
      g.frame_length = scalar_int(*len, "frame_length", stage);
      if (window && (*window)[0] != g.frame_length)
        throw Error(stage, "window length " + std::to_string((*window)[0]) + " differs from frame_length " +
                               std::to_string(g.frame_length));
    } else if (window) {
      g.frame_length = (*window)[0];
    } else {
      throw Error(stage, "STFT needs a window or a frame_length");
    }
    if (g.frame_length <= 0 || g.frame_length > x[1])
      throw Error(stage, "frame_length " + std::to_string(g.frame_length) + " must be in [1, signal length " +
                             std::to_string(x[1]) + "]");
    if (onesided_ && x[2] == 2) throw Error(stage, "onesided STFT needs a real signal");
    const int64_t frames = (x[1] - g.frame_length) / g.step + 1;
    g.out = {x[0], frames, onesided_ ? g.frame_length / 2 + 1 : g.frame_length, 2};
    return g;
  }

  DType dtype_ = DType::Float;
  bool onesided_ = true;
};

ONNXI_REGISTER_KERNEL("", "STFT", 17, 17, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new StftKernel(ctx)); });

}  // namespace
}  // namespace onnxi
