// BitwiseAnd / BitwiseOr / BitwiseXor / BitwiseNot (opset 18): every integer dtype, numpy
// broadcasting, and the rejection of non-integer inputs. Expected values are worked out by
// hand (two's complement for the signed types).
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

NodeRun bitwise_node(const std::string& op, std::vector<Tensor> inputs) {
  NodeRun r;
  r.op_type = op;
  r.opset = 18;
  r.inputs = std::move(inputs);
  return r;
}

const DType kIntTypes[] = {DType::Int8,  DType::Int16,  DType::Int32,  DType::Int64,
                           DType::UInt8, DType::UInt16, DType::UInt32, DType::UInt64};

bool is_signed(DType t) {
  return t == DType::Int8 || t == DType::Int16 || t == DType::Int32 || t == DType::Int64;
}

}  // namespace

TEST_CASE("BitwiseAnd/Or/Xor on every integer dtype", "[elementwise][bitwise]") {
  for (DType t : kIntTypes) {
    INFO(dtype_name(t));
    // 12 = 0b1100, 10 = 0b1010, 7 = 0b0111, 0.
    Tensor a = make_tensor(t, {4}, {12, 12, 7, 0});
    Tensor b = make_tensor(t, {4}, {10, 3, 7, 5});
    check_all(bitwise_node("BitwiseAnd", {a, b}), {8, 0, 7, 0});
    check_all(bitwise_node("BitwiseOr", {a, b}), {14, 15, 7, 5});
    check_all(bitwise_node("BitwiseXor", {a, b}), {6, 15, 0, 5});
  }
}

TEST_CASE("Bitwise ops on negative values and the full width", "[elementwise][bitwise]") {
  // -1 has every bit set; -8 = ...11111000.
  Tensor a = Tensor::from_vector<int32_t>({-1, -8, -8, INT32_MIN}, {4});
  Tensor b = Tensor::from_vector<int32_t>({5, 3, -1, -1}, {4});
  check_all(bitwise_node("BitwiseAnd", {a, b}), {5, 0, -8, static_cast<double>(INT32_MIN)});
  check_all(bitwise_node("BitwiseOr", {a, b}), {-1, -5, -1, -1});
  check_all(bitwise_node("BitwiseXor", {a, b}), {-6, -5, 7, INT32_MAX});
  Tensor u = Tensor::from_vector<uint64_t>({~uint64_t{0}, uint64_t{1} << 63}, {2});
  Tensor v = Tensor::from_vector<uint64_t>({uint64_t{1} << 63, uint64_t{1} << 63}, {2});
  Tensor x = run_all(bitwise_node("BitwiseXor", {u, v}));
  CHECK(x.data<uint64_t>()[0] == (~uint64_t{0} >> 1));
  CHECK(x.data<uint64_t>()[1] == 0);
}

TEST_CASE("Bitwise binary ops broadcast numpy-style", "[elementwise][bitwise]") {
  Tensor a = Tensor::from_vector<uint8_t>({1, 2, 4, 8, 16, 32}, {2, 3});
  Tensor b = Tensor::from_vector<uint8_t>({255, 6}, {2, 1});
  Tensor y = check_all(bitwise_node("BitwiseAnd", {a, b}), {1, 2, 4, 0, 0, 0});
  CHECK(y.shape() == Shape{2, 3});
  Tensor s = Tensor::from_vector<uint8_t>({3}, {});
  check_all(bitwise_node("BitwiseOr", {a, s}), {3, 3, 7, 11, 19, 35});
  Tensor empty = make_tensor(DType::Int16, {0, 3}, {});
  CHECK(run_all(bitwise_node("BitwiseXor", {empty, make_tensor(DType::Int16, {3}, {1, 2, 3})})).shape() ==
        Shape{0, 3});
}

TEST_CASE("BitwiseNot on every integer dtype", "[elementwise][bitwise]") {
  for (DType t : kIntTypes) {
    INFO(dtype_name(t));
    Tensor a = make_tensor(t, {2, 2}, {0, 1, 5, 100});
    Tensor y = run_all(bitwise_node("BitwiseNot", {a}));
    REQUIRE(y.dtype() == t);
    CHECK(y.shape() == Shape{2, 2});
    if (is_signed(t)) {
      require_values(y, {-1, -2, -6, -101});
    } else {
      const double m = t == DType::UInt8 ? 255 : t == DType::UInt16 ? 65535 : t == DType::UInt32 ? 4294967295.0 : 0;
      if (t != DType::UInt64) require_values(y, {m, m - 1, m - 5, m - 100});
    }
  }
  Tensor u = Tensor::from_vector<uint64_t>({0, 5}, {2});
  Tensor y = run_all(bitwise_node("BitwiseNot", {u}));
  CHECK(y.data<uint64_t>()[0] == ~uint64_t{0});
  CHECK(y.data<uint64_t>()[1] == ~uint64_t{5});
}

TEST_CASE("Bitwise ops reject non-integer inputs and mismatched dtypes", "[elementwise][bitwise]") {
  Tensor f = Tensor::from_vector<float>({1, 2}, {2});
  Tensor i = Tensor::from_vector<int32_t>({1, 2}, {2});
  Tensor l = Tensor::from_vector<int64_t>({1, 2}, {2});
  Tensor b = Tensor::from_vector<bool>({true, false}, {2});
  expect_error_all(bitwise_node("BitwiseAnd", {f, f}), "does not support float");
  expect_error_all(bitwise_node("BitwiseOr", {b, b}), "does not support bool");
  expect_error_all(bitwise_node("BitwiseXor", {i, l}), "dtype int64");
  expect_error_all(bitwise_node("BitwiseNot", {f}), "float");
  expect_error_all(bitwise_node("BitwiseAnd", {i, Tensor::from_vector<int32_t>({1, 2, 3}, {3})}));
}
