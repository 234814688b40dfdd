// Small helpers shared by kernels.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace onnxi {

// Returns ctx.output(i) when it already holds `dtype` and `shape` (planned by infer), else
// replaces it with a fresh tensor of that type and shape.
Tensor& output_for(RunContext& ctx, size_t i, DType dtype, const Shape& shape);

// Output 0 gets `dtype` and, when known, input 0's shape (elementwise conversions).
void infer_same_shape(InferContext& ctx, DType dtype);

// Copies the elements of `src` into `dst` (same dtype and element count; shapes may differ).
void copy_elements(const Tensor& src, Tensor& dst);

// Reads a 1-D (or scalar) int32/int64 tensor's values; throws Error(stage) for other dtypes.
std::vector<int64_t> read_int_values(const Tensor& t, const std::string& what, Stage stage = Stage::Run);

// Shape as size_t dims (for XNNPACK).
std::vector<size_t> to_size_dims(const Shape& s);

// Product of dims [begin, end).
int64_t dims_product(const Shape& s, size_t begin, size_t end);

// FLOPs of `per_element` multiply-adds for each element of `shape` (Kernel::flops).
inline double multiply_add_flops(const Shape& shape, double per_element) {
  double n = 2.0 * per_element;
  for (int64_t d : shape) n *= static_cast<double>(d);
  return n;
}

}  // namespace onnxi
