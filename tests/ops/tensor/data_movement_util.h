// Helpers for the data-movement kernel tests (Gather/Scatter, Slice/Pad/Tile, ...): node
// builders and coordinate arithmetic for the reference loops written in the tests.
#pragma once
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/harness/tensor_values.h"

namespace onnxi::test::dm {

inline NodeRun node(const std::string& op, std::vector<Tensor> inputs, std::vector<Attribute> attrs = {},
                    int64_t opset = 13, std::vector<bool> constant = {}) {
  NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.inputs = std::move(inputs);
  r.attributes = std::move(attrs);
  r.constant = std::move(constant);
  r.provider = "ref";
  return r;
}

inline Tensor i64(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<int64_t>(v, {n});
}
inline Tensor i64(std::vector<int64_t> v, Shape s) { return Tensor::from_vector<int64_t>(v, std::move(s)); }
inline Tensor i32(std::vector<int32_t> v, Shape s) { return Tensor::from_vector<int32_t>(v, std::move(s)); }
inline Tensor f32(std::vector<float> v, Shape s) { return Tensor::from_vector<float>(v, std::move(s)); }

// 0, 1, 2, ... as `t` in `shape`.
inline Tensor iota(DType t, Shape shape) {
  Tensor x(t, std::move(shape));
  for (int64_t i = 0; i < x.numel(); ++i) set_value(x, i, static_cast<double>(i % 100));
  return x;
}

// "s0", "s1", ... strings in `shape`.
inline Tensor strings(Shape shape) {
  Tensor x(DType::String, std::move(shape));
  for (int64_t i = 0; i < x.numel(); ++i) {
    // (not "s" + std::to_string(i): a GCC 12 -Wrestrict false positive at -O3)
    char buf[32];
    std::snprintf(buf, sizeof buf, "s%lld", static_cast<long long>(i));
    x.strings()[i] = std::string(buf);
  }
  return x;
}

inline std::vector<int64_t> unravel(int64_t flat, const Shape& shape) {
  std::vector<int64_t> c(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    c[d] = flat % shape[d];
    flat /= shape[d];
  }
  return c;
}

inline int64_t ravel(const std::vector<int64_t>& c, const Shape& shape) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d) flat = flat * shape[d] + c[d];
  return flat;
}

// Runs `r` with its inputs 1.. visible as constants and not, which must agree (plan-time and
// run-time shape inference paths).
inline Tensor run_both(NodeRun r) {
  r.constant.assign(r.inputs.size(), false);
  Tensor dynamic = run_node(r).outputs.at(0);
  for (size_t i = 1; i < r.constant.size(); ++i) r.constant[i] = true;
  Tensor constant = run_node(r).outputs.at(0);
  REQUIRE(dynamic.shape() == constant.shape());
  REQUIRE(dynamic.dtype() == constant.dtype());
  if (dynamic.dtype() == DType::String)
    REQUIRE(dynamic.strings() == constant.strings());
  else
    require_same(dynamic, constant);
  return constant;
}

}  // namespace onnxi::test::dm
