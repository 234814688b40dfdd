// DFT (opset 17): the discrete Fourier transform along `axis` of a real ([..., 1]) or
// complex ([..., 2]) signal, optionally zero-padded or truncated to dft_length (input 1),
// inverse (scaled by 1/dft_length), or onesided (only the first floor(n/2)+1 bins).
// Computed in double. Opset 20 (axis as an input) is not handled.
#include <complex>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/signal/fft.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class DftKernel : public Kernel {
 public:
  explicit DftKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || ctx.node.inputs.size() > 2)
      throw Error(Stage::Build, "DFT expects input and an optional dft_length");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build, "DFT does not support " + std::string(dtype_name(dtype_)));
    if (ctx.has_input(1) && ctx.input_dtype(1) != DType::Int32 && ctx.input_dtype(1) != DType::Int64)
      throw Error(Stage::Build, "dft_length must be int32 or int64");
    axis_ = ctx.attrs.get_int("axis", 1);
    inverse_ = ctx.attrs.get_int("inverse", 0) != 0;
    onesided_ = ctx.attrs.get_int("onesided", 0) != 0;
    if (inverse_ && onesided_)
      throw Error(Stage::Build, "DFT with both inverse and onesided is not supported");
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* len = ctx.input_value(1);
    if (!x || (ctx.has_input(1) && !len)) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    ctx.set_output(0, dtype_, geometry(*x, len, Stage::Plan).out);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Geometry g = geometry(x.shape(), ctx.has_input(1) ? &ctx.input(1) : nullptr, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, g.out);
    if (y.numel() == 0) return;
    const int64_t in_len = x.dim(g.axis), out_len = g.out[g.axis];
    const int64_t outer = dims_product(x.shape(), 0, g.axis);
    const int64_t inner_in = dims_product(x.shape(), g.axis + 1, x.rank());  // includes the complex dim
    const int64_t comps = x.shape().back();
    const int64_t lines = inner_in / comps;
    signal::FftPlan plan(g.n, inverse_);
    std::vector<std::complex<double>> buf(static_cast<size_t>(g.n));
    const double scale = inverse_ ? 1.0 / static_cast<double>(g.n) : 1.0;
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t l = 0; l < lines; ++l) {
          std::fill(buf.begin(), buf.end(), std::complex<double>(0, 0));
          for (int64_t k = 0; k < std::min(in_len, g.n); ++k) {
            const T* p = in + (o * in_len + k) * inner_in + l * comps;
            buf[k] = {static_cast<double>(load_elem(p[0])),
                      comps == 2 ? static_cast<double>(load_elem(p[1])) : 0.0};
          }
          plan.transform(buf.data());
          for (int64_t k = 0; k < out_len; ++k) {
            T* q = out + (o * out_len + k) * lines * 2 + l * 2;
            q[0] = store_elem<T>(static_cast<compute_t<T>>(buf[k].real() * scale));
            q[1] = store_elem<T>(static_cast<compute_t<T>>(buf[k].imag() * scale));
          }
        }
    });
  }

 private:
  struct Geometry {
    size_t axis = 1;
    int64_t n = 0;  // transform length
    Shape out;
  };

  Geometry geometry(const Shape& x, const Tensor* len, Stage stage) const {
    const int64_t r = static_cast<int64_t>(x.size());
    if (r < 2 || (x.back() != 1 && x.back() != 2))
      throw Error(stage, "DFT input must be [batch, ..., 1 or 2], got " + shape_to_string(x));
    if (axis_ < -r || axis_ > r - 2 || axis_ == -1)
      throw Error(stage,
                  "DFT axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    Geometry g;
    g.axis = static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
    g.n = x[g.axis];
    if (len) {
      std::vector<int64_t> v = read_int_values(*len, "dft_length", stage);
      if (v.size() != 1) throw Error(stage, "dft_length must be a scalar");
      g.n = v[0];
    }
    if (g.n <= 0) throw Error(stage, "dft_length must be positive, got " + std::to_string(g.n));
    if (onesided_ && x.back() == 2) throw Error(stage, "onesided DFT needs a real input");
    g.out = x;
    g.out[g.axis] = onesided_ ? g.n / 2 + 1 : g.n;
    g.out.back() = 2;
    return g;
  }

  DType dtype_ = DType::Float;
  int64_t axis_ = 1;
  bool inverse_ = false, onesided_ = false;
};

// Not yet: 20 (axis becomes an input).
ONNXI_REGISTER_KERNEL("", "DFT", 17, 17, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new DftKernel(ctx)); });

}  // namespace
}  // namespace onnxi
