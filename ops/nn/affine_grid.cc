// AffineGrid (opset 20): the sampling grid of a batch of affine matrices, for GridSample.
// theta is [N, 2, 3] with size = [N, C, H, W] (grid [N, H, W, 2], last dim x then y) or
// [N, 3, 4] with size = [N, C, D, H, W] (grid [N, D, H, W, 3], x y z). The base positions
// span [-1, 1] per dim: the pixel centres with align_corners=0 (-1 + (2i + 1) / n), the
// corner pixels' centres with 1 (-1 + 2i / (n - 1); -1 for n = 1). Float dtypes, computed
// in double.
#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class AffineGridKernel : public Kernel {
 public:
  explicit AffineGridKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || !ctx.has_input(1)) throw Error(Stage::Build, "AffineGrid expects theta and size");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kFloatDTypes))
      throw Error(Stage::Build, "AffineGrid does not support " + std::string(dtype_name(dtype_)) +
                                    " (supported: " + dtype_set_names(kFloatDTypes) + ")");
    if (ctx.input_dtype(1) != DType::Int64)
      throw Error(Stage::Build, "AffineGrid size must be int64, got " + std::string(dtype_name(ctx.input_dtype(1))));
    const int64_t ac = ctx.attrs.get_int("align_corners", 0);
    if (ac != 0 && ac != 1) throw Error(Stage::Build, "AffineGrid align_corners must be 0 or 1");
    align_corners_ = ac == 1;
  }

  void infer(InferContext& ctx) override {
    const Shape* theta = ctx.input_shape(0);
    const Tensor* size = ctx.input_value(1);
    if (theta && size)
      ctx.set_output(0, dtype_, output_shape(*theta, *size, Stage::Plan));
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& theta = ctx.input(0);
    const Shape out = output_shape(theta.shape(), ctx.input(1), Stage::Run);
    Tensor& grid = output_for(ctx, 0, dtype_, out);
    if (grid.numel() == 0) return;
    const size_t dims = out.size() - 2;  // 2 or 3 spatial dims
    // Base positions per spatial dim, outermost (D or H) first.
    std::vector<std::vector<double>> base(dims);
    for (size_t d = 0; d < dims; ++d) {
      const int64_t n = out[1 + d];
      for (int64_t i = 0; i < n; ++i)
        base[d].push_back(align_corners_ ? (n == 1 ? -1.0 : -1.0 + 2.0 * static_cast<double>(i) / static_cast<double>(n - 1))
                                         : -1.0 + (2.0 * static_cast<double>(i) + 1.0) / static_cast<double>(n));
    }
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* th = theta.data<T>();
      T* g = grid.data<T>();
      const int64_t points = dims_product(out, 1, out.size() - 1);
      const size_t cols = dims + 1;
      std::vector<int64_t> idx(dims, 0);
      std::vector<double> h(cols, 1.0);  // homogeneous position: x, y[, z], 1
      for (int64_t b = 0; b < out[0]; ++b) {
        const T* m = th + b * static_cast<int64_t>(dims * cols);
        std::fill(idx.begin(), idx.end(), 0);
        for (int64_t pt = 0; pt < points; ++pt) {
          // idx is (h, w) or (d, h, w); the homogeneous vector is (x=w, y=h[, z=d]).
          for (size_t d = 0; d < dims; ++d) h[d] = base[dims - 1 - d][idx[dims - 1 - d]];
          for (size_t r = 0; r < dims; ++r) {
            double v = 0;
            for (size_t c = 0; c < cols; ++c) v += static_cast<double>(load_elem(m[r * cols + c])) * h[c];
            *g++ = convert_value<T>(v);
          }
          for (size_t d = dims; d-- > 0;) {
            if (++idx[d] < out[1 + d]) break;
            idx[d] = 0;
          }
        }
      }
    });
  }

 private:
  Shape output_shape(const Shape& theta, const Tensor& size_t_, Stage stage) const {
    const std::vector<int64_t> size = read_int_values(size_t_, "AffineGrid size", stage);
    if (size.size() != 4 && size.size() != 5)
      throw Error(stage, "AffineGrid size must have 4 values (N, C, H, W) or 5 (N, C, D, H, W), got " +
                             std::to_string(size.size()));
    const int64_t dims = static_cast<int64_t>(size.size()) - 2;
    if (theta.size() != 3 || theta[1] != dims || theta[2] != dims + 1)
      throw Error(stage, "AffineGrid theta must be [N, " + std::to_string(dims) + ", " + std::to_string(dims + 1) +
                             "] for a " + std::to_string(dims) + "-D size, got " + shape_to_string(theta));
    if (size[0] != theta[0])
      throw Error(stage, "AffineGrid size has N = " + std::to_string(size[0]) + " but theta has " +
                             std::to_string(theta[0]) + " matrices");
    Shape out = {size[0]};
    for (int64_t d = 0; d < dims; ++d) out.push_back(size[2 + d]);
    out.push_back(dims);
    checked_output_numel(out, dtype_, stage);
    return out;
  }

  DType dtype_ = DType::Undefined;
  bool align_corners_ = false;
};

ONNXI_REGISTER_KERNEL("", "AffineGrid", 20, 20, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new AffineGridKernel(ctx)); });

}  // namespace
}  // namespace onnxi
