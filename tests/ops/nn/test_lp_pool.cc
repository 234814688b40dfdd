// LpPool and GlobalLpPool against a direct double-precision reference.
#include <catch2/catch.hpp>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

// A node with the given attributes and inputs (none constant), default provider.
inline onnxi::test::NodeRun op_node(const std::string& op, int64_t opset, std::vector<onnxi::Attribute> attrs,
                                    std::vector<onnxi::Tensor> inputs) {
  onnxi::test::NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.attributes = std::move(attrs);
  r.inputs = std::move(inputs);
  return r;
}

namespace {

// Window sums of |x|^p over 1-3 spatial dims with explicit begin padding, given the
// output size.
std::vector<double> ref_lp_pool(const Tensor& x, const std::vector<int64_t>& kernel,
                                const std::vector<int64_t>& strides, const std::vector<int64_t>& pad_begin,
                                const std::vector<int64_t>& out, double p) {
  const Shape& s = x.shape();
  const size_t r = kernel.size();
  std::array<int64_t, 3> in3{1, 1, 1}, k3{1, 1, 1}, s3{1, 1, 1}, p3{0, 0, 0}, o3{1, 1, 1};
  for (size_t i = 0; i < r; ++i) {
    const size_t j = 3 - r + i;
    in3[j] = s[i + 2];
    k3[j] = kernel[i];
    s3[j] = strides[i];
    p3[j] = pad_begin[i];
    o3[j] = out[i];
  }
  const std::vector<double> xv = values_of(x);
  std::vector<double> y;
  const int64_t in_size = in3[0] * in3[1] * in3[2];
  for (int64_t plane = 0; plane < s[0] * s[1]; ++plane)
    for (int64_t a = 0; a < o3[0]; ++a)
      for (int64_t b = 0; b < o3[1]; ++b)
        for (int64_t c = 0; c < o3[2]; ++c) {
          double sum = 0;
          for (int64_t i = 0; i < k3[0]; ++i)
            for (int64_t j = 0; j < k3[1]; ++j)
              for (int64_t k = 0; k < k3[2]; ++k) {
                const int64_t d0 = a * s3[0] - p3[0] + i, d1 = b * s3[1] - p3[1] + j,
                              d2 = c * s3[2] - p3[2] + k;
                if (d0 < 0 || d0 >= in3[0] || d1 < 0 || d1 >= in3[1] || d2 < 0 || d2 >= in3[2]) continue;
                sum += std::pow(
                    std::fabs(xv[static_cast<size_t>(plane * in_size + (d0 * in3[1] + d1) * in3[2] + d2)]),
                    p);
              }
          y.push_back(std::pow(sum, 1 / p));
        }
  return y;
}

}  // namespace

TEST_CASE("LpPool matches the reference (1-D to 3-D, p, pads, strides, opsets)", "[lppool]") {
  TestThreadPool tp(2);
  Tensor x2 = random_float({2, 3, 5, 6}, 1);
  struct Case {
    Tensor x;
    std::vector<int64_t> kernel, strides, pads;
    std::vector<int64_t> pad_begin, out;
    std::string auto_pad;
  };
  std::vector<Case> cases{
      {x2, {2, 2}, {1, 1}, {}, {0, 0}, {4, 5}, ""},
      {x2, {3, 2}, {2, 2}, {1, 0, 1, 1}, {1, 0}, {3, 3}, ""},
      {x2, {3, 3}, {2, 1}, {}, {1, 1}, {3, 6}, "SAME_UPPER"},
      {x2, {2, 3}, {1, 1}, {}, {1, 1}, {5, 6}, "SAME_LOWER"},
      {random_float({1, 2, 7}, 2), {3}, {2}, {1, 1}, {1}, {4}, ""},
      {random_float({1, 1, 3, 4, 3}, 3), {2, 2, 2}, {1, 2, 1}, {}, {0, 0, 0}, {2, 2, 2}, "VALID"},
  };
  uint32_t n = 0;
  for (const Case& c : cases)
    for (double p : {1.0, 2.0, 3.0}) {
      for (int64_t opset : {1, 2, 11}) {
        INFO("case " << n << " p " << p << " opset " << opset);
        NodeRun node = op_node("LpPool", opset,
                               {attr_ints("kernel_shape", c.kernel), attr_ints("strides", c.strides)}, {c.x});
        if (opset == 1)
          node.attributes.push_back(attr_float("p", static_cast<float>(p)));
        else
          node.attributes.push_back(attr_int("p", static_cast<int64_t>(p)));
        if (!c.pads.empty()) node.attributes.push_back(attr_ints("pads", c.pads));
        if (!c.auto_pad.empty()) node.attributes.push_back(attr_string("auto_pad", c.auto_pad));
        Tensor y = run_node(node, n % 2 ? tp.pool : nullptr).outputs[0];
        Shape want_shape{c.x.dim(0), c.x.dim(1)};
        want_shape.insert(want_shape.end(), c.out.begin(), c.out.end());
        expect_close(y, want_shape, ref_lp_pool(c.x, c.kernel, c.strides, c.pad_begin, c.out, p), 1e-5);
      }
      ++n;
    }
  // Default p is 2.
  NodeRun d = op_node("LpPool", 11, {attr_ints("kernel_shape", {2, 2})}, {x2});
  expect_close(run_node(d).outputs[0], {2, 3, 4, 5}, ref_lp_pool(x2, {2, 2}, {1, 1}, {0, 0}, {4, 5}, 2),
               1e-5);
}

TEST_CASE("GlobalLpPool matches the reference", "[lppool]") {
  for (Shape s : {Shape{2, 3, 4, 5}, Shape{1, 2, 7}, Shape{2, 2}}) {
    for (int64_t p : {1, 2, 3}) {
      Tensor x = random_float(s, static_cast<uint64_t>(p));
      for (int64_t opset : {1, 2}) {
        NodeRun node = op_node("GlobalLpPool", opset, {}, {x});
        node.attributes.push_back(opset == 1 ? attr_float("p", static_cast<float>(p)) : attr_int("p", p));
        Tensor y = run_node(node).outputs[0];
        Shape ys(s.size(), 1);
        ys[0] = s[0];
        ys[1] = s[1];
        const std::vector<double> xv = values_of(x);
        const size_t inner = xv.size() / static_cast<size_t>(s[0] * s[1]);
        std::vector<double> want;
        for (size_t plane = 0; plane < xv.size() / inner; ++plane) {
          double sum = 0;
          for (size_t i = 0; i < inner; ++i)
            sum += std::pow(std::fabs(xv[plane * inner + i]), static_cast<double>(p));
          want.push_back(std::pow(sum, 1.0 / static_cast<double>(p)));
        }
        expect_close(y, ys, want, 1e-5);
      }
    }
  }
}

TEST_CASE("LpPool and GlobalLpPool reject invalid nodes with Error", "[lppool][errors]") {
  Tensor x = random_float({1, 1, 4, 4}, 1);
  CHECK_THROWS_AS(run_node(op_node("LpPool", 11, {}, {x})), Error);  // kernel_shape required
  CHECK_THROWS_AS(run_node(op_node("LpPool", 11, {attr_ints("kernel_shape", {5, 5})}, {x})), Error);
  CHECK_THROWS_AS(run_node(op_node("LpPool", 11, {attr_ints("kernel_shape", {2})}, {x})), Error);
  CHECK_THROWS_AS(run_node(op_node("LpPool", 11, {attr_ints("kernel_shape", {2, 2}), attr_int("p", 0)}, {x})),
                  Error);
  CHECK_THROWS_AS(
      run_node(op_node("LpPool", 11, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {0, 1})}, {x})),
      Error);
  CHECK_THROWS_AS(run_node(op_node("LpPool", 1, {attr_ints("kernel_shape", {2, 2}), attr_int("p", 2)}, {x})),
                  Error);
  CHECK_THROWS_AS(run_node(op_node("GlobalLpPool", 2, {}, {random_float({3}, 1)})), Error);
  CHECK_THROWS_AS(run_node(op_node("GlobalLpPool", 2, {attr_int("p", -1)}, {x})), Error);
}
