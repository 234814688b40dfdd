// CenterCropPad (opset 18): centred crops and zero pads with odd and even differences, axes
// subsets, negative axes, strings; expected values worked out by hand.
#include "tests/ops/tensor/data_movement_util.h"

using namespace onnxi;
using namespace onnxi::test;
using namespace onnxi::test::dm;

namespace {

NodeRun ccp(std::vector<Tensor> in, std::vector<Attribute> attrs = {}) {
  return node("CenterCropPad", std::move(in), std::move(attrs), 18);
}

}  // namespace

TEST_CASE("CenterCropPad crops and pads 1-D, odd and even differences", "[tensor][center_crop_pad]") {
  Tensor x = f32({0, 1, 2, 3, 4}, {5});
  check_all(ccp({x, i64({3})}), {1, 2, 3});      // even: drop 1 each side
  check_all(ccp({x, i64({2})}), {1, 2});         // odd 3: start at 1
  check_all(ccp({x, i64({5})}), {0, 1, 2, 3, 4});
  check_all(ccp({x, i64({7})}), {0, 0, 1, 2, 3, 4, 0});    // pad 1 + 1
  check_all(ccp({x, i64({8})}), {0, 0, 1, 2, 3, 4, 0, 0});  // pad 3: 1 before, 2 after
  CHECK(run_all(ccp({x, i64({0})})).shape() == Shape{0});
}

TEST_CASE("CenterCropPad 2-D: crop one dim, pad the other; axes subsets", "[tensor][center_crop_pad]") {
  // [[0 1 2] [3 4 5] [6 7 8] [9 10 11]] -> 2 rows (rows 1, 2), 5 cols (1 before, 1 after).
  Tensor x = iota(DType::Int32, {4, 3});
  for (bool constant : {false, true}) {
    NodeRun r = ccp({x, i32({2, 5}, {2})});
    r.constant = {false, constant};
    Tensor y = check_all(r, {0, 3, 4, 5, 0, 0, 6, 7, 8, 0});
    CHECK(y.shape() == Shape{2, 5});
  }
  // Only the last axis, named negatively: the rows are kept.
  Tensor y = check_all(ccp({x, i64({1})}, {attr_ints("axes", {-1})}), {1, 4, 7, 10});
  CHECK(y.shape() == Shape{4, 1});
  // Axes in a different order than the dims.
  check_all(ccp({x, i64({1, 2})}, {attr_ints("axes", {1, 0})}), {4, 7});
  Tensor s = Tensor::from_vector<std::string>({"a", "b"}, {2});
  CHECK(run_all(ccp({s, i64({4})})).strings() == std::vector<std::string>{"", "a", "b", ""});
}

TEST_CASE("CenterCropPad errors", "[tensor][center_crop_pad]") {
  Tensor x = iota(DType::Float, {2, 3});
  expect_error_all(ccp({x, i64({2})}), "1 values for 2 axes");
  expect_error_all(ccp({x, i64({2})}, {attr_ints("axes", {2})}), "out of range");
  expect_error_all(ccp({x, i64({2, 2})}, {attr_ints("axes", {1, -1})}), "twice");
  expect_error_all(ccp({x, i64({2, -1})}), ">= 0");
  expect_error_all(ccp({x, f32({2, 2}, {2})}), "int32 or int64");
  expect_error_all(ccp({x, i64({2, int64_t{1} << 40})}), "too large");
}
