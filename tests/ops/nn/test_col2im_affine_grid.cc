// Col2Im (18) and AffineGrid (20). Expected values: hand checks, and ONNX's reference
// evaluator via gen/col2im_affine_grid.py (values pasted below).
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

Tensor iota_f(Shape s) {
  Tensor t(DType::Float, std::move(s));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}
Tensor i64v(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<int64_t>(v, {n});
}

NodeRun col2im(Tensor x, std::vector<int64_t> image, std::vector<int64_t> block, std::vector<Attribute> attrs = {}) {
  NodeRun r;
  r.op_type = "Col2Im";
  r.opset = 18;
  r.inputs = {std::move(x), i64v(std::move(image)), i64v(std::move(block))};
  r.attributes = std::move(attrs);
  return r;
}

NodeRun affine(Tensor theta, std::vector<int64_t> size, int64_t align_corners) {
  NodeRun r;
  r.op_type = "AffineGrid";
  r.opset = 20;
  r.inputs = {std::move(theta), i64v(std::move(size))};
  r.attributes = {attr_int("align_corners", align_corners)};
  return r;
}

const std::vector<float> kTheta2 = {1.0f, 0.5f, 0.25f, -0.3f, 0.9f, -0.1f, 0.0f, -1.0f, 0.2f, 1.5f, 0.0f, 0.3f};
const std::vector<float> kTheta3 = {1.0f, 0.1f, -0.2f, 0.3f, 0.2f, 0.8f, 0.1f, -0.4f, -0.5f, 0.3f, 1.2f, 0.05f};

}  // namespace

TEST_CASE("Col2Im 2-D: overlapping blocks sum", "[nn][col2im]") {
  // Channel 0, pixel (0,1): block offset (0,0) at position (0,1) = 1, offset (0,1) at (0,0) = 4.
  Tensor y = check_all(col2im(iota_f({1, 8, 4}), {3, 3}, {2, 2}),
                       {0, 5, 5, 10, 30, 20, 10, 25, 15, 16, 37, 21, 42, 94, 52, 26, 57, 31});
  CHECK(y.shape() == Shape{1, 2, 3, 3});
}

TEST_CASE("Col2Im strides, pads and dilations; 3-D; integer and half dtypes", "[nn][col2im]") {
  NodeRun r = col2im(iota_f({2, 4, 12}), {4, 5}, {2, 2},
                     {attr_ints("strides", {2, 1}), attr_ints("pads", {1, 0, 1, 1}), attr_ints("dilations", {1, 2})});
  const std::vector<double> want = {24, 25, 62, 64, 38, 4,  5,  22, 24, 18, 28, 29, 70, 72, 42, 8,  9,  30, 32, 22,
                                    72, 73, 158, 160, 86, 52, 53, 118, 120, 66, 76, 77, 166, 168, 90, 56, 57, 126, 128, 70};
  CHECK(check_all(r, want).shape() == Shape{2, 1, 4, 5});
  for (DType t : {DType::Int32, DType::Double, DType::Float16, DType::UInt16}) {
    INFO(dtype_name(t));
    NodeRun rt = r;
    rt.inputs[0] = make_tensor(t, r.inputs[0].shape(), values_of(r.inputs[0]));
    check_all(rt, want);
  }
  Tensor y3 = check_all(col2im(iota_f({1, 4, 4}), {2, 3, 2}, {1, 2, 2}), {0, 4, 9, 17, 9, 13, 2, 6, 13, 21, 11, 15});
  CHECK(y3.shape() == Shape{1, 1, 2, 3, 2});
  // Constant image/block shapes give the output shape at plan time.
  NodeRun rc = col2im(iota_f({1, 8, 4}), {3, 3}, {2, 2});
  rc.constant = {false, true, true};
  CHECK(run_all(rc).shape() == Shape{1, 2, 3, 3});
}

TEST_CASE("Col2Im errors", "[nn][col2im]") {
  expect_error_all(col2im(iota_f({1, 8, 5}), {3, 3}, {2, 2}), "block positions");
  expect_error_all(col2im(iota_f({1, 7, 4}), {3, 3}, {2, 2}), "multiple of prod");
  expect_error_all(col2im(iota_f({8, 4}), {3, 3}, {2, 2}), "3-D");
  expect_error_all(col2im(iota_f({1, 8, 4}), {3, 3}, {2}), "same length");
  expect_error_all(col2im(iota_f({1, 8, 4}), {3, 3}, {2, 0}), ">= 1");
  expect_error_all(col2im(iota_f({1, 8, 4}), {3, 3}, {2, 2}, {attr_ints("strides", {1})}), "strides has 1");
  expect_error_all(col2im(iota_f({1, 8, 4}), {3, 3}, {2, 2}, {attr_ints("pads", {0, 0, -1, 0})}), "pads >= 0");
  expect_error_all(col2im(iota_f({1, 8, 4}), {1, 3}, {2, 2}), "does not fit");
  NodeRun s = col2im(Tensor::from_vector<std::string>({"a"}, {1, 1, 1}), {1}, {1});
  expect_error_all(s, "does not support string");
}

TEST_CASE("AffineGrid 2-D and 3-D, both align_corners", "[nn][affine_grid]") {
  Tensor t2 = Tensor::from_vector<float>(kTheta2, {2, 2, 3});
  Tensor t3 = Tensor::from_vector<float>(kTheta3, {1, 3, 4});
  const std::vector<double> want2_0 = {
      -0.833333313, -0.474999964, -0.333333343, -0.625,      0.166666672, -0.774999976, 0.666666687, -0.925000012,
      -0.5,         0.125,        0,            -0.0249999985, 0.5,       -0.175000012, 1,           -0.325000018,
      -0.166666672, 0.724999964,  0.333333343,  0.574999988, 0.833333313, 0.424999982,  1.33333337,  0.274999976,
      0.866666675,  -0.824999988, 0.866666675,  -0.0749999881, 0.866666675, 0.675000012, 0.866666675, 1.42499995,
      0.200000003,  -0.824999988, 0.200000003,  -0.0749999881, 0.200000003, 0.675000012, 0.200000003, 1.42499995,
      -0.466666669, -0.824999988, -0.466666669, -0.0749999881, -0.466666669, 0.675000012, -0.466666669, 1.42499995};
  const std::vector<double> want2_1 = {
      -1.25, -0.699999988, -0.583333313, -0.899999976, 0.0833333358, -1.10000002, 0.75, -1.29999995,
      -0.75, 0.200000018,  -0.0833333358, 0,           0.583333313,  -0.200000003, 1.25, -0.400000006,
      -0.25, 1.10000002,   0.416666657,  0.899999976,  1.08333337,   0.699999988,  1.75, 0.49999997,
      1.20000005, -1.20000005, 1.20000005, -0.199999988, 1.20000005, 0.800000012, 1.20000005, 1.79999995,
      0.200000003, -1.20000005, 0.200000003, -0.199999988, 0.200000003, 0.800000012, 0.200000003, 1.79999995,
      -0.800000012, -1.20000005, -0.800000012, -0.199999988, -0.800000012, 0.800000012, -0.800000012, 1.79999995};
  const std::vector<double> want3_0 = {
      -0.316666663, -0.983333349, -0.366666704, 0.350000024,  -0.850000024, -0.700000048, 1.01666665,  -0.716666698,
      -1.03333342,  -0.216666654, -0.183333337, -0.066666685, 0.450000018,  -0.0500000007, -0.400000006, 1.11666667,
      0.0833333358, -0.733333349, -0.516666651, -0.883333325, 0.833333373,  0.150000006,  -0.75,       0.5,
      0.816666663,  -0.616666675, 0.166666687,  -0.416666657, -0.0833333358, 1.13333333,  0.25,        0.0500000007,
      0.800000012,  0.916666687,  0.183333337,  0.466666698};
  const std::vector<double> want3_1 = {
      -0.599999964, -1.5,  -0.950000048, 0.400000006, -1.30000007, -1.45000005, 1.39999998,  -1.10000002, -1.95000005,
      -0.399999976, 0.100000001, -0.350000024, 0.600000024, 0.300000012, -0.850000024, 1.60000002, 0.5, -1.35000002,
      -1,           -1.30000007, 1.45000005,   0,           -1.10000002, 0.950000048,  1,          -0.900000036,
      0.450000048,  -0.800000012, 0.300000012, 2.04999995,  0.200000018, 0.5,          1.55000007, 1.20000005,
      0.699999988,  1.05000007};
  CHECK(check_all(affine(t2, {2, 1, 3, 4}, 0), want2_0, 1e-6, 1e-6).shape() == Shape{2, 3, 4, 2});
  check_all(affine(t2, {2, 1, 3, 4}, 1), want2_1, 1e-6, 1e-6);
  CHECK(check_all(affine(t3, {1, 1, 2, 2, 3}, 0), want3_0, 1e-6, 1e-6).shape() == Shape{1, 2, 2, 3, 3});
  check_all(affine(t3, {1, 1, 2, 2, 3}, 1), want3_1, 1e-6, 1e-6);
  // Identity theta, by hand: align_corners=1 with W=1 puts x at -1.
  Tensor id = Tensor::from_vector<double>({1, 0, 0, 0, 1, 0}, {1, 2, 3});
  check_all(affine(id, {1, 3, 2, 1}, 1), {-1, -1, -1, 1});
  check_all(affine(make_tensor(DType::Float16, id.shape(), values_of(id)), {1, 3, 2, 1}, 0), {0, -0.5, 0, 0.5});
}

TEST_CASE("AffineGrid errors", "[nn][affine_grid]") {
  Tensor t2 = Tensor::from_vector<float>(kTheta2, {2, 2, 3});
  expect_error_all(affine(t2, {1, 1, 3, 4}, 0), "N = 1");
  expect_error_all(affine(t2, {2, 1, 2, 3, 4}, 0), "theta must be [N, 3, 4]");
  expect_error_all(affine(t2, {2, 1, 3}, 0), "4 values");
  expect_error_all(affine(t2, {2, 1, 3, 4}, 2), "align_corners");
  expect_error_all(affine(make_tensor(DType::Int32, t2.shape(), values_of(t2)), {2, 1, 3, 4}, 0), "does not support int32");
  expect_error_all(affine(t2, {2, 1, -3, 4}, 0), "negative");
}
