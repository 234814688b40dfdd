// Quantization granularity shared by QuantizeLinear and DequantizeLinear: which scale (and
// zero point) element applies to each element of x. Per tensor (a scalar or 1-element
// scale), per axis (from opset 13: a 1-D scale of x.dim(axis) values) or blocked (from
// opset 21: scale has x's shape but ceil(D/block_size) along the axis).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "onnxi/tensor.h"
#include "runtime/kernel.h"

namespace onnxi::quant {

inline std::string type_str(DType t) { return std::string(dtype_name(t)); }

struct QuantLayout {
  // x viewed as [outer, dim, inner] around the axis; the scale index of element
  // (o, c, i) is o * outer_stride + (c / block) * dim_stride + i * inner_stride.
  int64_t outer = 1, dim = 1, inner = 1, block = 1;
  int64_t outer_stride = 0, dim_stride = 0, inner_stride = 0;
  int64_t scale_index(int64_t o, int64_t c, int64_t i) const {
    return o * outer_stride + (c / block) * dim_stride + i * inner_stride;
  }
};

// Checks `scale` against x's shape; throws Error naming `what` when the shapes do not make
// one of the granularities `opset` allows.
QuantLayout quant_layout(const Shape& x, const Shape& scale, int64_t axis, int64_t block_size, int64_t opset,
                         const std::string& what);

// A tensor's elements as doubles (any numeric or narrow dtype).
std::vector<double> values_as_double(const Tensor& t);

// The attributes and dtype rules of both ops at a schema version.
struct QuantAttrs {
  int64_t axis = 1, block_size = 0;
};
QuantAttrs read_quant_attrs(const BuildContext& ctx);

}  // namespace onnxi::quant
