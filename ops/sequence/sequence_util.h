// Helpers shared by the sequence and optional kernels.
#pragma once
#include <string>

#include "runtime/kernel.h"

namespace onnxi {

// Input `i` of `op`, which must be a sequence.
inline const Tensor& sequence_input(const RunContext& ctx, size_t i, const char* op) {
  const Tensor& t = ctx.input(i);
  if (!t.is_sequence())
    throw Error(Stage::Run, std::string(op) + " input " + std::to_string(i) + " must be a sequence, got " +
                                (t.is_none() ? "an empty optional" : "a tensor"));
  return t;
}

// Input `i` of `op`, which must be a tensor.
inline const Tensor& tensor_input(const RunContext& ctx, size_t i, const char* op) {
  const Tensor& t = ctx.input(i);
  if (!t.is_tensor())
    throw Error(Stage::Run, std::string(op) + " input " + std::to_string(i) + " must be a tensor, got " +
                                (t.is_none() ? "an empty optional" : "a sequence"));
  return t;
}

// A position input: an int32 or int64 tensor holding one value.
inline int64_t read_position(const Tensor& t, const char* op) {
  if (!t.is_tensor() || t.numel() != 1 || (t.dtype() != DType::Int64 && t.dtype() != DType::Int32))
    throw Error(Stage::Run, std::string(op) + " position must be an int32 or int64 scalar");
  return t.dtype() == DType::Int64 ? t.data<int64_t>()[0] : t.data<int32_t>()[0];
}

}  // namespace onnxi
