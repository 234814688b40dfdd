// Element access for printing and comparing tensors of any numeric dtype.
#pragma once
#include <string>

#include "onnxi/tensor.h"

namespace onnxi::cli {

float half_to_float(uint16_t h);
float bfloat16_to_float(uint16_t h);
// Element i as a double (NaN for strings and complex types).
double element_as_double(const Tensor& t, int64_t i);
bool is_integer_dtype(DType t);
// "[i,j,k]" multi-index of flat index i.
std::string index_string(const Shape& shape, int64_t i);

struct CompareResult {
  bool ok = true;
  std::string detail;  // first problem, when !ok
  double max_abs_diff = 0;
};
// ONNX backend-test comparison: same dtype and shape; |got-want| <= atol + rtol*|want|
// for floating types (NaN equals NaN, infinities must match), exact otherwise.
// Sequences compare element by element (same length); empty optionals equal each other.
CompareResult compare_tensors(const Tensor& got, const Tensor& want, double rtol, double atol);

}  // namespace onnxi::cli
