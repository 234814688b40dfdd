// Col2Im (opset 18): the inverse of im2col for N-D images. Input [N, C * prod(block_shape),
// L], where L is the number of block positions over the padded image; output
// [N, C, *image_shape], each element the sum of the column entries that land on it (entries
// that land in the padding are dropped). image_shape and block_shape are int64 inputs of one
// value per spatial dim (at least 1); strides, dilations (default 1) and pads (default 0,
// [begins..., ends...]) are attributes. Numeric dtypes (floats sum in double, integers wrap).
#include <type_traits>

#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/common/wrap_arith.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

struct Col2ImGeometry {
  std::vector<int64_t> image, block, blocks;  // per spatial dim; blocks = positions per dim
  std::vector<int64_t> strides, dilations, pads;
  int64_t channels = 0;
};

class Col2ImKernel : public Kernel {
 public:
  explicit Col2ImKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2))
      throw Error(Stage::Build, "Col2Im expects input, image_shape and block_shape");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kNumericDTypes))
      throw Error(Stage::Build, "Col2Im does not support " + std::string(dtype_name(dtype_)) +
                                    " (it sums elements; supported: " + dtype_set_names(kNumericDTypes) + ")");
    for (size_t i : {size_t{1}, size_t{2}})
      if (ctx.input_dtype(i) != DType::Int64)
        throw Error(Stage::Build, std::string(i == 1 ? "image_shape" : "block_shape") + " must be int64, got " +
                                      std::string(dtype_name(ctx.input_dtype(i))));
    strides_ = ctx.attrs.get_ints("strides");
    dilations_ = ctx.attrs.get_ints("dilations");
    pads_ = ctx.attrs.get_ints("pads");
  }

  void infer(InferContext& ctx) override {
    const Shape* x = ctx.input_shape(0);
    const Tensor* img = ctx.input_value(1);
    const Tensor* blk = ctx.input_value(2);
    if (!x || !img || !blk) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    ctx.set_output(0, dtype_, output_shape(*x, geometry(*x, *img, *blk, Stage::Plan)));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Col2ImGeometry g = geometry(x.shape(), ctx.input(1), ctx.input(2), Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, output_shape(x.shape(), g));
    if (y.numel() == 0) return;
    visit_dtype<kNumericDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      compute<T>(x.data<T>(), y.data<T>(), x.shape()[0], g);
    });
  }

 private:
  static Shape output_shape(const Shape& x, const Col2ImGeometry& g) {
    Shape s = {x[0], g.channels};
    s.insert(s.end(), g.image.begin(), g.image.end());
    return s;
  }

  std::vector<int64_t> attr_or(const std::vector<int64_t>& v, size_t n, int64_t def, const char* name,
                               Stage stage) const {
    if (v.empty()) return std::vector<int64_t>(n, def);
    if (v.size() != n)
      throw Error(stage, std::string("Col2Im ") + name + " has " + std::to_string(v.size()) + " values, expected " +
                             std::to_string(n));
    return v;
  }

  Col2ImGeometry geometry(const Shape& x, const Tensor& img, const Tensor& blk, Stage stage) const {
    if (x.size() != 3) throw Error(stage, "Col2Im input must be 3-D [N, C*prod(block), L], got " + shape_to_string(x));
    if (img.rank() != 1 || blk.rank() != 1)
      throw Error(stage, "Col2Im image_shape and block_shape must be 1-D");
    Col2ImGeometry g;
    g.image = read_int_values(img, "image_shape", stage);
    g.block = read_int_values(blk, "block_shape", stage);
    const size_t n = g.image.size();
    if (n < 1 || g.block.size() != n)
      throw Error(stage, "Col2Im image_shape (" + std::to_string(n) + " values) and block_shape (" +
                             std::to_string(g.block.size()) + ") must have the same length >= 1");
    g.strides = attr_or(strides_, n, 1, "strides", stage);
    g.dilations = attr_or(dilations_, n, 1, "dilations", stage);
    g.pads = attr_or(pads_, 2 * n, 0, "pads", stage);
    const std::vector<int64_t>&st = g.strides, &dil = g.dilations, &pd = g.pads;
    int64_t block_size = 1, positions = 1;
    constexpr int64_t kLimit = int64_t{1} << 31;
    for (size_t d = 0; d < n; ++d) {
      if (g.image[d] < 1 || g.block[d] < 1 || st[d] < 1 || dil[d] < 1 || pd[d] < 0 || pd[d + n] < 0 ||
          g.image[d] > kLimit || g.block[d] > kLimit || st[d] > kLimit || dil[d] > kLimit || pd[d] > kLimit ||
          pd[d + n] > kLimit)
        throw Error(stage, "Col2Im needs image and block dims, strides and dilations >= 1 and pads >= 0 (dim " +
                               std::to_string(d) + ")");
      const int64_t span = dil[d] * (g.block[d] - 1) + 1;
      const int64_t padded = g.image[d] + pd[d] + pd[d + n];
      if (span > padded)
        throw Error(stage, "Col2Im block of " + std::to_string(span) + " (dilated) does not fit the padded image dim " +
                               std::to_string(d) + " of " + std::to_string(padded));
      g.blocks.push_back((padded - span) / st[d] + 1);
      block_size *= g.block[d];
      positions *= g.blocks.back();
      if (block_size > kLimit || positions > kLimit) throw Error(stage, "Col2Im geometry is too large");
    }
    if (x[1] % block_size != 0)
      throw Error(stage, "Col2Im input dim 1 (" + std::to_string(x[1]) + ") is not a multiple of prod(block_shape) = " +
                             std::to_string(block_size));
    if (x[2] != positions)
      throw Error(stage, "Col2Im input dim 2 is " + std::to_string(x[2]) + " but the image has " +
                             std::to_string(positions) + " block positions");
    g.channels = x[1] / block_size;
    return g;
  }

  template <class T>
  void compute(const T* x, T* y, int64_t batch, const Col2ImGeometry& g) const {
    using V = std::conditional_t<is_floating_v<T>, double, T>;
    const size_t n = g.image.size();
    const std::vector<int64_t>&st = g.strides, &dil = g.dilations, &pd = g.pads;
    const int64_t image_size = dims_product(g.image, 0, n);
    const int64_t block_size = dims_product(g.block, 0, n);
    const int64_t positions = dims_product(g.blocks, 0, n);
    std::vector<V> acc(static_cast<size_t>(image_size));
    std::vector<int64_t> k(n), p(n);
    for (int64_t plane = 0; plane < batch * g.channels; ++plane) {
      std::fill(acc.begin(), acc.end(), V(0));
      const T* col = x + plane * block_size * positions;
      std::fill(k.begin(), k.end(), 0);
      for (int64_t kb = 0; kb < block_size; ++kb) {
        std::fill(p.begin(), p.end(), 0);
        for (int64_t pos = 0; pos < positions; ++pos) {
          int64_t off = 0;
          bool inside = true;
          for (size_t d = 0; d < n && inside; ++d) {
            const int64_t i = p[d] * st[d] - pd[d] + k[d] * dil[d];
            inside = i >= 0 && i < g.image[d];
            off = off * g.image[d] + i;
          }
          if (inside) acc[off] = wrap_add(acc[off], static_cast<V>(load_elem(col[kb * positions + pos])));
          for (size_t d = n; d-- > 0;) {
            if (++p[d] < g.blocks[d]) break;
            p[d] = 0;
          }
        }
        for (size_t d = n; d-- > 0;) {
          if (++k[d] < g.block[d]) break;
          k[d] = 0;
        }
      }
      T* out = y + plane * image_size;
      for (int64_t i = 0; i < image_size; ++i) out[i] = convert_value<T>(acc[i]);
    }
  }

  DType dtype_ = DType::Undefined;
  std::vector<int64_t> strides_, dilations_, pads_;
};

ONNXI_REGISTER_KERNEL("", "Col2Im", 18, 18, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new Col2ImKernel(ctx)); });

}  // namespace
}  // namespace onnxi
