// Upsample (opsets 7-9; deprecated from 10 in favour of Resize): output dim d is
// floor(in[d] * scales[d]), with scales an attribute (7-8) or a float input (9). Output
// position i maps to input coordinate i / scale (asymmetric). "nearest" takes the element
// at floor of it (any dtype); "linear" interpolates between the two neighbours along every
// scaled dim (float dtypes), clamping at the last element.
#include <cmath>
#include <optional>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class UpsampleKernel : public Kernel {
 public:
  explicit UpsampleKernel(const BuildContext& ctx) {
    const size_t want = ctx.opset >= 9 ? 2 : 1;
    if (ctx.node.inputs.size() != want || !ctx.has_input(0))
      throw Error(Stage::Build, "Upsample expects " + std::to_string(want) + " input(s)");
    dtype_ = ctx.input_dtype(0);
    const std::string mode = ctx.attrs.get_string("mode", "nearest");
    if (mode == "linear" || mode == "bilinear")
      linear_ = true;
    else if (mode != "nearest")
      throw Error(Stage::Build, "Upsample mode '" + mode + "' is not supported");
    if (linear_ && !dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build, "Upsample linear mode does not support " + dtype_str(dtype_));
    if (ctx.opset < 9) {
      if (!ctx.attrs.has("scales")) throw Error(Stage::Build, "Upsample needs a 'scales' attribute");
      attr_scales_ = ctx.attrs.get_floats("scales");
    } else {
      if (!ctx.has_input(1) || ctx.input_dtype(1) != DType::Float)
        throw Error(Stage::Build, "Upsample scales must be a float input");
    }
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* s = attr_scales_ ? nullptr : ctx.input_value(1);
    if (x && (attr_scales_ || s))
      ctx.set_output(0, dtype_, output_shape(*x, scales(s, Stage::Plan), Stage::Plan));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) override {
    const Tensor& x = ctx.input(0);
    const std::vector<float> sc = scales(attr_scales_ ? nullptr : &ctx.input(1), Stage::Run);
    const Shape out = output_shape(x.shape(), sc, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    if (y.numel() == 0) return;
    if (out.empty()) {
      copy_elements(x, y);
      return;
    }
    if (linear_)
      run_linear(x, y, sc);
    else
      run_nearest(x, y, sc);
  }

 private:
  std::vector<float> scales(const Tensor* t, Stage stage) const {
    if (attr_scales_) return *attr_scales_;
    if (t->rank() > 1) throw Error(stage, "Upsample scales must be 1-D");
    const float* p = t->data<float>();
    return std::vector<float>(p, p + t->numel());
  }

  Shape output_shape(const Shape& x, const std::vector<float>& sc, Stage stage) const {
    if (sc.size() != x.size())
      throw Error(stage, "Upsample has " + std::to_string(sc.size()) + " scales for rank " +
                             std::to_string(x.size()));
    Shape out(x.size());
    for (size_t d = 0; d < x.size(); ++d) {
      if (!(sc[d] > 0) || !std::isfinite(sc[d])) throw Error(stage, "Upsample scales must be positive");
      const double v = std::floor(static_cast<double>(x[d]) * static_cast<double>(sc[d]));
      if (v > static_cast<double>(kMaxGeneratedBytes)) throw Error(stage, "Upsample output is too large");
      out[d] = static_cast<int64_t>(v);
    }
    checked_output_numel(out, dtype_, stage);
    return out;
  }

  // Input coordinate of output position i along a dim (asymmetric mapping).
  static double source_coord(int64_t i, float scale) {
    return static_cast<double>(i) / static_cast<double>(scale);
  }

  void run_nearest(const Tensor& x, Tensor& y, const std::vector<float>& sc) const {
    const Shape& out = y.shape();
    const size_t r = out.size();
    std::vector<std::vector<int64_t>> map(r);
    for (size_t d = 0; d < r; ++d) {
      map[d].resize(static_cast<size_t>(out[d]));
      for (int64_t i = 0; i < out[d]; ++i)
        map[d][i] = std::min<int64_t>(static_cast<int64_t>(source_coord(i, sc[d])), x.shape()[d] - 1);
    }
    const std::vector<int64_t> xs = strides_of(x.shape());
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* src = elements<S>(x);
      S* dst = elements<S>(y);
      const std::vector<int64_t>& last = map[r - 1];
      std::vector<int64_t> idx(r - 1, 0);
      const int64_t rows = row_count(out), width = out[r - 1];
      for (int64_t rw = 0; rw < rows; ++rw) {
        int64_t off = 0;
        for (size_t d = 0; d + 1 < r; ++d) off += map[d][idx[d]] * xs[d];
        S* o = dst + rw * width;
        for (int64_t j = 0; j < width; ++j) o[j] = src[off + last[j]];
        for (size_t d = r - 1; d-- > 0;) {
          if (++idx[d] < out[d]) break;
          idx[d] = 0;
        }
      }
    });
  }

  // Separable: one 1-D interpolation pass per scaled dim, in double.
  void run_linear(const Tensor& x, Tensor& y, const std::vector<float>& sc) const {
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(x.raw_data());
      std::vector<double> cur(static_cast<size_t>(x.numel()));
      for (size_t i = 0; i < cur.size(); ++i) cur[i] = static_cast<double>(load_elem(src[i]));
      Shape shape = x.shape();
      for (size_t d = 0; d < shape.size(); ++d) {
        const int64_t n_out = y.shape()[d], n_in = shape[d];
        if (sc[d] == 1.0f && n_out == n_in) continue;
        const int64_t outer = dims_product(shape, 0, d), inner = dims_product(shape, d + 1, shape.size());
        std::vector<double> next(static_cast<size_t>(outer * n_out * inner));
        for (int64_t i = 0; i < n_out; ++i) {
          const double c = std::min(source_coord(i, sc[d]), static_cast<double>(n_in - 1));
          const int64_t i0 = static_cast<int64_t>(c);
          const int64_t i1 = std::min(i0 + 1, n_in - 1);
          const double w1 = c - static_cast<double>(i0), w0 = 1.0 - w1;
          for (int64_t o = 0; o < outer; ++o) {
            const double* a = cur.data() + (o * n_in + i0) * inner;
            const double* b = cur.data() + (o * n_in + i1) * inner;
            double* dst = next.data() + (o * n_out + i) * inner;
            for (int64_t k = 0; k < inner; ++k) dst[k] = w0 * a[k] + w1 * b[k];
          }
        }
        cur.swap(next);
        shape[d] = n_out;
      }
      T* out = static_cast<T*>(y.raw_data());
      for (size_t i = 0; i < cur.size(); ++i) out[i] = store_elem<T>(static_cast<compute_t<T>>(cur[i]));
    });
  }

  DType dtype_ = DType::Undefined;
  bool linear_ = false;
  std::optional<std::vector<float>> attr_scales_;
};

ONNXI_REGISTER_KERNEL("", "Upsample", 7, 9, "ref", 0, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new UpsampleKernel(ctx));
});

}  // namespace
}  // namespace onnxi
