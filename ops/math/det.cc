// Det (opset 11): determinants of the trailing [M, M] matrices of X [*, M, M], by LU
// decomposition with partial pivoting in double precision. An empty (0 x 0) matrix has
// determinant 1.
#include <cmath>
#include <utility>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class DetKernel : public Kernel {
 public:
  explicit DetKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0)) throw Error(Stage::Build, "Det expects 1 input");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build, "Det does not support " + std::string(dtype_name(dtype_)));
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, dtype_, out_shape(*s, Stage::Plan));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, dtype_, out_shape(x.shape(), Stage::Run));
    const int64_t m = x.rank() ? x.shape().back() : 0;
    std::vector<double> a(static_cast<size_t>(m * m));
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0; i < y.numel(); ++i) {
        for (int64_t k = 0; k < m * m; ++k) a[k] = static_cast<double>(load_elem(in[i * m * m + k]));
        out[i] = store_elem<T>(static_cast<compute_t<T>>(determinant(a.data(), m)));
      }
    });
  }

 private:
  static Shape out_shape(const Shape& s, Stage stage) {
    if (s.size() < 2 || s[s.size() - 1] != s[s.size() - 2])
      throw Error(stage, "Det expects [*, M, M], got " + shape_to_string(s));
    return Shape(s.begin(), s.end() - 2);
  }

  // Overwrites `a` (row-major m x m) with its LU factors.
  static double determinant(double* a, int64_t m) {
    double det = 1.0;
    for (int64_t c = 0; c < m; ++c) {
      int64_t p = c;
      for (int64_t r = c + 1; r < m; ++r)
        if (std::fabs(a[r * m + c]) > std::fabs(a[p * m + c])) p = r;
      if (a[p * m + c] == 0.0) return 0.0;
      if (p != c) {
        for (int64_t k = 0; k < m; ++k) std::swap(a[p * m + k], a[c * m + k]);
        det = -det;
      }
      const double pivot = a[c * m + c];
      det *= pivot;
      for (int64_t r = c + 1; r < m; ++r) {
        const double f = a[r * m + c] / pivot;
        if (f == 0.0) continue;
        for (int64_t k = c + 1; k < m; ++k) a[r * m + k] -= f * a[c * m + k];
      }
    }
    return det;
  }

  DType dtype_ = DType::Float;
};

ONNXI_REGISTER_KERNEL("", "Det", 11, 22, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new DetKernel(ctx)); });

}  // namespace
}  // namespace onnxi
