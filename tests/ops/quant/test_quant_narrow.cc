// QuantizeLinear / DequantizeLinear at schema versions 19-25 (float8 with saturate, int4/uint4
// and blocked quantization, float4e2m1, output_dtype, float8e8m0 scales, int2/uint2) and
// QLinearMatMul 21's float16 scales. Expected values: the ONNX reference evaluator, via
// tests/ops/quant/gen/quant_narrow.py, and hand checks.
#include <cmath>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

NodeRun qnode(const std::string& op, int64_t opset, std::vector<Tensor> inputs, std::vector<Attribute> attrs = {}) {
  NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.inputs = std::move(inputs);
  r.attributes = std::move(attrs);
  return r;
}

const Tensor kX = Tensor::from_vector<float>({-7.5f, -3.0f, -0.6f, 0.5f, 1.5f, 2.5f, 10.0f, 4.4f, -4.4f, 0.26f, -100.0f, 6.0f},
                                             {2, 6});
const Tensor kBlockScale = Tensor::from_vector<float>({1.0f, 0.5f, 2.0f, 0.25f}, {2, 2});

Tensor packed2d(DType t, const std::vector<int64_t>& v, Shape s, bool codes = false) {
  return packed_tensor(t, v, codes).reshaped(std::move(s));
}

const std::vector<float> kF8X = {0.0f, 1.0f, -3.3f, 300.0f, 1000.0f, -1e5f, 0.01f};

}  // namespace

TEST_CASE("QuantizeLinear 21: blocked int4, per-axis uint4", "[quant][narrow]") {
  Tensor zp = packed2d(DType::Int4, {1, -2, 0, 3}, {2, 2});
  OpTester(qnode("QuantizeLinear", 21, {kX, kBlockScale, zp}, {attr_int("axis", 1), attr_int("block_size", 3)}))
      .expect(packed2d(DType::Int4, {9, 14, 0, 15, 1, 3, 5, 2, 14, 4, 8, 7}, {2, 6}, true))
      .run();
  OpTester(qnode("QuantizeLinear", 21,
                 {kX, Tensor::from_vector<float>({1.0f, 2.0f}, {2}), packed_tensor(DType::UInt4, {8, 0})},
                 {attr_int("axis", 0)}))
      .expect(packed2d(DType::UInt4, {0, 5, 7, 8, 10, 10, 5, 2, 0, 0, 0, 3}, {2, 6}))
      .run();
  // Block scale of the wrong shape, block_size with a 1-D scale, blocking before opset 21.
  expect_error_all(qnode("QuantizeLinear", 21, {kX, Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}), zp},
                         {attr_int("axis", 1), attr_int("block_size", 3)}));
  expect_error_all(qnode("QuantizeLinear", 21, {kX, Tensor::from_vector<float>({1, 2}, {2})},
                         {attr_int("axis", 1), attr_int("block_size", 3)}));
  expect_error_all(qnode("QuantizeLinear", 19, {kX, kBlockScale}));
  expect_error_all(qnode("QuantizeLinear", 19, {kX, kBlockScale, zp}));  // int4 before 21
}

TEST_CASE("QuantizeLinear 25: int2/uint2, output_dtype", "[quant][narrow]") {
  OpTester(qnode("QuantizeLinear", 25, {kX, Tensor::scalar<float>(2.0f)},
                 {attr_int("output_dtype", static_cast<int64_t>(DType::Int2))}))
      .expect(packed2d(DType::Int2, {2, 2, 0, 0, 1, 1, 1, 1, 2, 0, 2, 1}, {2, 6}, true))
      .run();
  OpTester(qnode("QuantizeLinear", 25, {kX, Tensor::scalar<float>(2.0f), packed_tensor(DType::UInt2, {1}).reshaped({})}))
      .expect(packed2d(DType::UInt2, {0, 0, 1, 1, 2, 2, 3, 3, 0, 1, 0, 3}, {2, 6}))
      .run();
  // output_dtype disagreeing with the zero point.
  expect_error_all(qnode("QuantizeLinear", 25, {kX, Tensor::scalar<float>(2.0f), make_tensor(DType::Int8, {}, {0})},
                         {attr_int("output_dtype", static_cast<int64_t>(DType::UInt8))}));
  expect_error_all(qnode("QuantizeLinear", 24, {kX, Tensor::scalar<float>(2.0f)},
                         {attr_int("output_dtype", static_cast<int64_t>(DType::Int2))}));
}

TEST_CASE("QuantizeLinear 19/23: float8 with saturate, float4e2m1, float16 x", "[quant][narrow]") {
  Tensor x = Tensor::from_vector<float>(kF8X, {7});
  Tensor zp = narrow_from_bits(DType::Float8E4M3FN, {0}).reshaped({});
  OpTester(qnode("QuantizeLinear", 19, {x, Tensor::scalar<float>(2.0f), zp}))
      .expect(narrow_from_bits(DType::Float8E4M3FN, {0, 48, 189, 113, 126, 254, 3}))
      .run();
  OpTester(qnode("QuantizeLinear", 19, {x, Tensor::scalar<float>(2.0f), zp}, {attr_int("saturate", 0)}))
      .expect(narrow_from_bits(DType::Float8E4M3FN, {0, 48, 189, 113, 127, 255, 3}))
      .run();
  // E5M2 without saturation overflows to -inf (0xfc).
  Tensor y = OpTester(qnode("QuantizeLinear", 19, {x, Tensor::scalar<float>(0.5f), narrow_from_bits(DType::Float8E5M2, {0}).reshaped({})},
                            {attr_int("saturate", 0)}))
                 .run()
                 .ref();
  CHECK(values_of(y) == std::vector<double>{0.0, 2.0, -7.0, 640.0, 2048.0, -INFINITY, 0.01953125});
  OpTester(qnode("QuantizeLinear", 23, {x, Tensor::scalar<float>(0.5f)},
                 {attr_int("output_dtype", static_cast<int64_t>(DType::Float4E2M1))}))
      .expect(packed_tensor(DType::Float4E2M1, {0, 4, 15, 7, 7, 15, 0}, true))
      .run();
  // float16 x and scale: the division is rounded to float16.
  Tensor xh = make_tensor(DType::Float16, {4}, {1, 2, 3, -1000});
  check_all(qnode("QuantizeLinear", 19, {xh, make_tensor(DType::Float16, {}, {0.2998046875}), make_tensor(DType::Int8, {}, {1})}),
            {4, 8, 11, -128});
  // float8 output needs opset 19; float4 needs 23.
  expect_error_all(qnode("QuantizeLinear", 13, {x, Tensor::scalar<float>(2.0f), zp}));
  expect_error_all(qnode("QuantizeLinear", 21, {x, Tensor::scalar<float>(0.5f)},
                         {attr_int("output_dtype", static_cast<int64_t>(DType::Float4E2M1))}));
}

TEST_CASE("DequantizeLinear 19-25: narrow inputs, blocked, output_dtype, e8m0 scale", "[quant][narrow]") {
  Tensor xi4 = packed2d(DType::Int4, {-8, -1, 0, 7, 3, 2, 1, 2, 3, 4, 5, 6}, {2, 6});
  check_all(qnode("DequantizeLinear", 21, {xi4, kBlockScale, packed2d(DType::Int4, {1, -2, 0, 3}, {2, 2})},
                  {attr_int("axis", 1), attr_int("block_size", 3)}),
            {-9.0, -2.0, -1.0, 4.5, 2.5, 2.0, 2.0, 4.0, 6.0, 0.25, 0.5, 0.75});
  check_all(qnode("DequantizeLinear", 19,
                  {narrow_from_bits(DType::Float8E4M3FN, {0x38, 0xbe, 0x7e, 0x01, 0x7f}),
                   make_tensor(DType::Float16, {}, {0.5})}),
            {0.5, -0.875, 224.0, 0.0009765625, NAN});
  Tensor f4 = packed_tensor(DType::Float4E2M1, {0x1, 0xf, 0x5}, true);  // 0.5, -6, 3
  Tensor y = OpTester(qnode("DequantizeLinear", 23, {f4, Tensor::scalar<float>(3.0f)},
                            {attr_int("output_dtype", static_cast<int64_t>(DType::Float16))}))
                 .expect_values({1.5, -18.0, 9.0})
                 .run()
                 .ref();
  CHECK(y.dtype() == DType::Float16);
  Tensor e8m0 = narrow_from_bits(DType::Float8E8M0, {130}).reshaped({});  // 2^3
  check_all(qnode("DequantizeLinear", 24, {make_tensor(DType::Int8, {3}, {1, -2, 3}), e8m0},
                  {attr_int("output_dtype", static_cast<int64_t>(DType::Float))}),
            {8, -16, 24});
  // An e8m0 scale is not an output type: output_dtype is required.
  expect_error_all(qnode("DequantizeLinear", 24, {make_tensor(DType::Int8, {3}, {1, -2, 3}), e8m0}));
  check_all(qnode("DequantizeLinear", 25,
                  {packed_tensor(DType::UInt2, {0, 1, 2, 3, 3}), Tensor::scalar<float>(1.5f),
                   packed_tensor(DType::UInt2, {1}).reshaped({})}),
            {-1.5, 0.0, 1.5, 3.0, 3.0});
  expect_error_all(qnode("DequantizeLinear", 24, {packed_tensor(DType::UInt2, {0, 1}), Tensor::scalar<float>(1.5f)}));
  expect_error_all(qnode("DequantizeLinear", 13, {narrow_from_bits(DType::Float8E5M2, {1}), Tensor::scalar<float>(1.5f)}));
}

TEST_CASE("QLinearMatMul 21: float16 scales; float8 operands are an error", "[quant][narrow]") {
  auto h = [](double v) { return make_tensor(DType::Float16, {}, {v}); };
  Tensor a = make_tensor(DType::Int8, {2, 2}, {1, 2, 3, 4});
  Tensor b = make_tensor(DType::Int8, {2, 2}, {1, 0, 0, 1});
  Tensor z = make_tensor(DType::Int8, {}, {0});
  // y = a x b * (0.5 * 2 / 0.25) = 4 a.
  check_all(qnode("QLinearMatMul", 21, {a, h(0.5), z, b, h(2.0), z, h(0.25), z}), {4, 8, 12, 16});
  expect_error_all(qnode("QLinearMatMul", 10, {a, h(0.5), z, b, h(2.0), z, h(0.25), z}));
  Tensor f8 = narrow_from_bits(DType::Float8E4M3FN, {0x38, 0x38, 0x38, 0x38}).reshaped({2, 2});
  Tensor zf8 = narrow_from_bits(DType::Float8E4M3FN, {0}).reshaped({});
  expect_error_all(qnode("QLinearMatMul", 21, {f8, h(0.5), zf8, f8, h(2.0), zf8, h(0.25), zf8}));
}
