// CumProd (opset 26): running products along an axis, with exclusive/reverse, over every
// dtype the schema allows; expected values worked out by hand.
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

NodeRun cumprod(const Tensor& x, const Tensor& axis, bool exclusive = false, bool reverse = false) {
  NodeRun r;
  r.op_type = "CumProd";
  r.opset = 26;
  r.inputs = {x, axis};
  r.attributes = {attr_int("exclusive", exclusive), attr_int("reverse", reverse)};
  return r;
}

}  // namespace

TEST_CASE("CumProd 1-D: exclusive and reverse", "[reduce][cumprod]") {
  const DType types[] = {DType::Float, DType::Double, DType::Float16, DType::BFloat16,
                         DType::Int32, DType::Int64,  DType::UInt32,  DType::UInt64};
  for (DType t : types) {
    INFO(dtype_name(t));
    Tensor x = make_tensor(t, {5}, {1, 2, 3, 4, 5});
    Tensor ax = Tensor::scalar<int64_t>(0);
    check_all(cumprod(x, ax), {1, 2, 6, 24, 120});
    check_all(cumprod(x, ax, true), {1, 1, 2, 6, 24});
    check_all(cumprod(x, ax, false, true), {120, 120, 60, 20, 5});
    check_all(cumprod(x, ax, true, true), {120, 60, 20, 5, 1});
  }
}

TEST_CASE("CumProd 2-D along each axis, int32 and int64 axis input", "[reduce][cumprod]") {
  // [[1 2 3] [4 5 6]]
  Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  check_all(cumprod(x, Tensor::scalar<int32_t>(0)), {1, 2, 3, 4, 10, 18});
  check_all(cumprod(x, Tensor::from_vector<int64_t>({1}, {1})), {1, 2, 6, 4, 20, 120});
  check_all(cumprod(x, Tensor::scalar<int64_t>(-1), false, true), {6, 6, 3, 120, 30, 6});
  NodeRun r = cumprod(x, Tensor::scalar<int64_t>(1), true);
  r.constant = {false, true};
  check_all(r, {1, 1, 2, 1, 4, 20});
}

TEST_CASE("CumProd integers wrap, floats keep NaN and zero", "[reduce][cumprod]") {
  Tensor x = Tensor::from_vector<int32_t>({65536, 65536, 3}, {3});
  check_all(cumprod(x, Tensor::scalar<int64_t>(0)), {65536, 0, 0});  // 2^32 wraps to 0
  Tensor f = Tensor::from_vector<float>({2, 0, 5, NAN, 1}, {5});
  Tensor y = run_all(cumprod(f, Tensor::scalar<int64_t>(0)));
  CHECK(y.data<float>()[0] == 2);
  CHECK(y.data<float>()[1] == 0);
  CHECK(y.data<float>()[2] == 0);
  CHECK(std::isnan(y.data<float>()[3]));
  CHECK(std::isnan(y.data<float>()[4]));
  Tensor empty = make_tensor(DType::Float, {2, 0}, {});
  CHECK(run_all(cumprod(empty, Tensor::scalar<int64_t>(1))).shape() == Shape{2, 0});
}

TEST_CASE("CumProd rejects bad axes and dtypes", "[reduce][cumprod]") {
  Tensor x = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  expect_error_all(cumprod(x, Tensor::scalar<int64_t>(2)), "out of range");
  expect_error_all(cumprod(x, Tensor::scalar<int64_t>(-3)), "out of range");
  expect_error_all(cumprod(x, Tensor::from_vector<int64_t>({0, 1}, {2})), "scalar");
  expect_error_all(cumprod(x, Tensor::scalar<float>(0)), "int32 or int64");
  expect_error_all(cumprod(Tensor::from_vector<bool>({true}, {1}), Tensor::scalar<int64_t>(0)), "bool");
}
