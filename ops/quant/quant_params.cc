#include "ops/quant/quant_params.h"

#include "ops/common/convert.h"
#include "ops/common/kernel_util.h"
#include "ops/quant/quant_common.h"

namespace onnxi::quant {

QuantLayout quant_layout(const Shape& x, const Shape& scale, int64_t axis, int64_t block_size, int64_t opset,
                         const std::string& what) {
  QuantLayout l;
  if (shape_numel(scale) == 1 && scale.size() <= std::max<size_t>(1, x.size())) {
    l.inner = shape_numel(x);
    return l;  // per tensor: every stride 0
  }
  const int64_t rank = static_cast<int64_t>(x.size());
  if (opset < 13) throw Error(Stage::Run, what + " must be a scalar before opset 13");
  if (rank == 0) throw Error(Stage::Run, what + " must be a scalar for a scalar input");
  const auto a = static_cast<size_t>(normalize_axis(axis, rank));
  l.dim = x[a];
  l.outer = dims_product(x, 0, a);
  l.inner = dims_product(x, a + 1, x.size());
  if (block_size <= 0) {
    if (scale.size() != 1 || scale[0] != l.dim)
      throw Error(Stage::Run, what + " has shape " + shape_to_string(scale) + ", expected a scalar or [" +
                                  std::to_string(l.dim) + "]" + (opset >= 21 ? " (or blocked with block_size)" : ""));
    l.dim_stride = 1;
    return l;
  }
  if (opset < 21) throw Error(Stage::Run, "blocked quantization needs opset 21");
  Shape want = x;
  want[a] = (x[a] + block_size - 1) / block_size;
  if (scale != want)
    throw Error(Stage::Run, what + " has shape " + shape_to_string(scale) + ", expected " + shape_to_string(want) +
                                " for blocks of " + std::to_string(block_size) + " along axis " + std::to_string(a));
  l.block = block_size;
  l.inner_stride = 1;
  l.dim_stride = l.inner;
  l.outer_stride = want[a] * l.inner;
  return l;
}

std::vector<double> values_as_double(const Tensor& t) {
  Tensor d = convert_tensor(t, DType::Double);
  const double* p = d.data<double>();
  return std::vector<double>(p, p + d.numel());
}

QuantAttrs read_quant_attrs(const BuildContext& ctx) {
  QuantAttrs a;
  if (ctx.opset >= 13) a.axis = ctx.attrs.get_int("axis", 1);
  if (ctx.opset >= 21) a.block_size = ctx.attrs.get_int("block_size", 0);
  if (a.block_size < 0) throw Error(Stage::Build, "block_size must be >= 0");
  return a;
}

}  // namespace onnxi::quant
