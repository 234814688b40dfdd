// Reduce* kernels against a reference written here: every input element is sent to its
// output element with plain index arithmetic, and the reduction is done in double.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

NodeRun node(const std::string& op, std::vector<Tensor> inputs, std::vector<Attribute> attrs = {},
             int64_t opset = 13) {
  NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.inputs = std::move(inputs);
  r.attributes = std::move(attrs);
  return r;
}

Tensor ints(std::vector<int64_t> v) {
  int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<int64_t>(v, {n});
}

// Reference: output shape and values of `op` over `axes` (empty = all).
std::vector<double> ref_reduce(const std::string& op, const Tensor& x, std::vector<int64_t> axes,
                               bool keepdims, Shape* out_shape) {
  const Shape& in = x.shape();
  const int64_t r = static_cast<int64_t>(in.size());
  std::vector<bool> red(in.size(), axes.empty());
  for (int64_t a : axes) red[a < 0 ? a + r : a] = true;
  out_shape->clear();
  for (size_t d = 0; d < in.size(); ++d) {
    if (!red[d])
      out_shape->push_back(in[d]);
    else if (keepdims)
      out_shape->push_back(1);
  }
  Shape kept;  // output shape without the reduced dims
  for (size_t d = 0; d < in.size(); ++d)
    if (!red[d]) kept.push_back(in[d]);
  int64_t out_n = 1;
  for (int64_t d : kept) out_n *= d;
  std::vector<std::vector<double>> groups(static_cast<size_t>(out_n));
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t rem = i, o = 0, mul = 1;
    for (size_t d = in.size(); d-- > 0;) {
      int64_t c = rem % in[d];
      rem /= in[d];
      if (!red[d]) {
        o += c * mul;
        mul *= in[d];
      }
    }
    groups[o].push_back(get_value(x, i));
  }
  const bool is_int = x.dtype() != DType::Float && x.dtype() != DType::Double &&
                      x.dtype() != DType::Float16 && x.dtype() != DType::BFloat16;
  std::vector<double> out;
  for (const auto& g : groups) {
    double v = 0;
    if (op == "ReduceSum") {
      for (double e : g) v += e;
    } else if (op == "ReduceMean") {
      for (double e : g) v += e;
      v /= static_cast<double>(g.size());
    } else if (op == "ReduceMax") {
      v = -INFINITY;
      for (double e : g) v = std::max(v, e);
    } else if (op == "ReduceMin") {
      v = INFINITY;
      for (double e : g) v = std::min(v, e);
    } else if (op == "ReduceProd") {
      v = 1;
      for (double e : g) v *= e;
    } else if (op == "ReduceL1") {
      for (double e : g) v += std::fabs(e);
    } else if (op == "ReduceL2") {
      for (double e : g) v += e * e;
      v = std::sqrt(v);
    } else if (op == "ReduceLogSum") {
      for (double e : g) v += e;
      v = std::log(v);
    } else if (op == "ReduceLogSumExp") {
      for (double e : g) v += std::exp(e);
      v = std::log(v);
    } else if (op == "ReduceSumSquare") {
      for (double e : g) v += e * e;
    }
    out.push_back(is_int ? std::trunc(v) : v);
  }
  return out;
}

const std::vector<std::string> kAllReduceOps = {
    "ReduceSum", "ReduceMean", "ReduceMax",    "ReduceMin",       "ReduceProd",
    "ReduceL1",  "ReduceL2",   "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"};

// Runs `op` with axes in its opset's form (attribute before 13/18, input after).
Tensor run_reduce(const std::string& op, const Tensor& x, const std::vector<int64_t>* axes, bool keepdims,
                  int64_t opset, bool axes_constant = true) {
  const bool as_input = opset >= 18 || (op == "ReduceSum" && opset >= 13);
  NodeRun r = node(op, {x}, {attr_int("keepdims", keepdims)}, opset);
  if (axes) {
    if (as_input) {
      r.inputs.push_back(ints(*axes));
      r.constant = {false, axes_constant};
    } else {
      r.attributes.push_back(attr_ints("axes", *axes));
    }
  }
  return run_all(r);
}

}  // namespace

TEST_CASE("Reduce ops over axes, negative axes and keepdims (float)", "[reduce]") {
  Tensor pos = random_float({2, 3, 4}, 7, 0.25, 2.0);  // positive: LogSum is defined
  Tensor mixed = random_float({2, 3, 4}, 8, -2.0, 2.0);
  const std::vector<std::vector<int64_t>> axes_cases = {{},     {0},     {1},       {2},   {-1},
                                                        {0, 2}, {1, -1}, {0, 1, 2}, {2, 0}};
  for (const auto& op : kAllReduceOps) {
    const Tensor& x = op == "ReduceLogSum" ? pos : mixed;
    for (int64_t opset : {11, 13, 18}) {
      for (const auto& axes : axes_cases) {
        for (bool keep : {true, false}) {
          INFO(op << " opset " << opset << " axes " << shape_to_string(Shape(axes)) << " keepdims " << keep);
          Shape want_shape;
          std::vector<double> want = ref_reduce(op, x, axes, keep, &want_shape);
          Tensor y = run_reduce(op, x, &axes, keep, opset);
          REQUIRE(y.dtype() == DType::Float);
          REQUIRE(y.shape() == want_shape);
          require_values(y, want, 1e-5, 1e-6);
        }
      }
    }
  }
}

TEST_CASE("Reduce ops: omitted axes reduce everything", "[reduce]") {
  Tensor x = random_float({3, 1, 5}, 9, 0.5, 1.5);
  for (const auto& op : kAllReduceOps) {
    for (int64_t opset : {1, 13, 18}) {
      INFO(op << " opset " << opset);
      Shape want_shape;
      std::vector<double> want = ref_reduce(op, x, {}, true, &want_shape);
      Tensor y = run_reduce(op, x, nullptr, true, opset);
      REQUIRE(y.shape() == Shape{1, 1, 1});
      require_values(y, want, 1e-5, 1e-6);
      Tensor flat = run_reduce(op, x, nullptr, false, opset);
      REQUIRE(flat.shape() == Shape{});
    }
  }
}

TEST_CASE("Reduce ops over integer and 16-bit float dtypes", "[reduce]") {
  const std::vector<std::string> int_ops = {"ReduceSum",  "ReduceMean", "ReduceMax",       "ReduceMin",
                                            "ReduceProd", "ReduceL1",   "ReduceSumSquare", "ReduceL2"};
  for (DType t : {DType::Int32, DType::Int64, DType::UInt32, DType::UInt64, DType::Int8, DType::UInt8,
                  DType::Double, DType::Float16, DType::BFloat16}) {
    Tensor x = random_tensor(t, {3, 2, 4}, 11, -3, 3);
    for (const auto& op : int_ops) {
      // Products overflow 8-bit types and are inexact in 16-bit floats; squares overflow uint8.
      const bool narrow =
          t == DType::Int8 || t == DType::UInt8 || t == DType::Float16 || t == DType::BFloat16;
      if (op == "ReduceProd" && narrow) continue;
      if (op == "ReduceSumSquare" && t == DType::UInt8) continue;
      for (const std::vector<int64_t>& axes : {std::vector<int64_t>{1}, {0, 2}, {-2}}) {
        INFO(dtype_name(t) << " " << op << " axes " << shape_to_string(Shape(axes)));
        Shape want_shape;
        std::vector<double> want = ref_reduce(op, x, axes, true, &want_shape);
        Tensor y = run_reduce(op, x, &axes, true, 13);
        REQUIRE(y.dtype() == t);
        REQUIRE(y.shape() == want_shape);
        const bool half = t == DType::Float16 || t == DType::BFloat16;
        require_values(y, want, half ? 1e-2 : 1e-12);
      }
    }
  }
}

TEST_CASE("Reduce integer sums wrap and means truncate", "[reduce]") {
  Tensor x = Tensor::from_vector<int8_t>({100, 100, -7, 2}, {2, 2});
  std::vector<int64_t> ax1 = {1};
  // 200 wraps to -56 in int8; the mean is computed exactly: 100, then -5/2 -> -2.
  REQUIRE(values_of(run_reduce("ReduceSum", x, &ax1, false, 11)) == std::vector<double>{-56, -5});
  REQUIRE(values_of(run_reduce("ReduceMean", x, &ax1, false, 11)) == std::vector<double>{100, -2});
  Tensor big(DType::Int32, {300});
  for (int64_t i = 0; i < 300; ++i) set_value(big, i, 5);
  REQUIRE(values_of(run_reduce("ReduceMean", big, nullptr, false, 11)) == std::vector<double>{5});
}

TEST_CASE("ReduceSum axes input: constant or not, empty, noop_with_empty_axes", "[reduce]") {
  Tensor x = random_float({2, 3, 4}, 3);
  for (bool constant : {true, false}) {
    INFO("constant axes " << constant);
    std::vector<int64_t> axes = {-1, 0};
    Shape want_shape;
    std::vector<double> want = ref_reduce("ReduceSum", x, axes, false, &want_shape);
    Tensor y = run_reduce("ReduceSum", x, &axes, false, 13, constant);
    REQUIRE(y.shape() == want_shape);
    require_values(y, want, 1e-5);
    // Empty axes input: reduce all, or nothing with noop_with_empty_axes.
    std::vector<int64_t> none;
    Tensor all = run_reduce("ReduceSum", x, &none, true, 13, constant);
    REQUIRE(all.shape() == Shape{1, 1, 1});
    require_values(all, ref_reduce("ReduceSum", x, {}, true, &want_shape), 1e-5);
    NodeRun r = node("ReduceSum", {x, ints({})}, {attr_int("noop_with_empty_axes", 1)}, 13);
    r.constant = {false, constant};
    require_same(run_all(r), x);
    NodeRun omitted = node("ReduceSum", {x, Tensor()}, {attr_int("noop_with_empty_axes", 1)}, 13);
    require_same(run_all(omitted), x);
  }
  // Reducing no axes keeps the elementwise part of the reduction (opset 18 axes input).
  NodeRun sq = node("ReduceSumSquare", {x, Tensor()}, {attr_int("noop_with_empty_axes", 1)}, 18);
  Tensor ysq = run_all(sq);
  REQUIRE(ysq.shape() == x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) REQUIRE(get_value(ysq, i) == Approx(std::pow(get_value(x, i), 2)));
  NodeRun l1 = node("ReduceL1", {x, ints({})}, {attr_int("noop_with_empty_axes", 1)}, 18);
  Tensor yl1 = run_all(l1);
  for (int64_t i = 0; i < x.numel(); ++i) REQUIRE(get_value(yl1, i) == std::fabs(get_value(x, i)));
  // int32 axes are accepted too.
  NodeRun r32 = node("ReduceSum", {x, Tensor::from_vector<int32_t>({1}, {1})}, {attr_int("keepdims", 0)}, 13);
  REQUIRE(run_all(r32).shape() == Shape{2, 4});
}

TEST_CASE("Reduce ops over empty inputs give the identity of the reduction", "[reduce]") {
  Tensor x(DType::Float, {2, 0, 3});
  std::vector<int64_t> ax1 = {1};
  const std::map<std::string, double> want = {{"ReduceSum", 0},
                                              {"ReduceMax", -INFINITY},
                                              {"ReduceMin", INFINITY},
                                              {"ReduceProd", 1},
                                              {"ReduceL1", 0},
                                              {"ReduceL2", 0},
                                              {"ReduceLogSum", -INFINITY},
                                              {"ReduceSumSquare", 0},
                                              {"ReduceMean", NAN},
                                              {"ReduceLogSumExp", -INFINITY}};
  for (const auto& [op, v] : want) {
    INFO(op);
    Tensor y = run_reduce(op, x, &ax1, true, 13);
    REQUIRE(y.shape() == Shape{2, 1, 3});
    require_values(y, std::vector<double>(6, v));
    // Reducing a non-empty axis of an empty tensor gives an empty output.
    std::vector<int64_t> ax2 = {2};
    REQUIRE(run_reduce(op, x, &ax2, false, 13).shape() == Shape{2, 0});
  }
  Tensor xi(DType::Int32, {0, 2});
  std::vector<int64_t> ax0 = {0};
  REQUIRE(values_of(run_reduce("ReduceMax", xi, &ax0, false, 13)) ==
          std::vector<double>(2, std::numeric_limits<int32_t>::lowest()));
  REQUIRE(values_of(run_reduce("ReduceMin", xi, &ax0, false, 13)) ==
          std::vector<double>(2, std::numeric_limits<int32_t>::max()));
  REQUIRE(values_of(run_reduce("ReduceMean", xi, &ax0, false, 13)) == std::vector<double>(2, 0));
}

TEST_CASE("Reduce ops: scalars, NaN, large values, size-1 dims", "[reduce]") {
  Tensor s = Tensor::scalar<float>(2.5f);
  for (const auto& op : {"ReduceSum", "ReduceMax", "ReduceProd"}) {
    Tensor y = run_reduce(op, s, nullptr, true, 13);
    REQUIRE(y.shape() == Shape{});
    require_values(y, {2.5});
  }
  Tensor n = Tensor::from_vector<float>({1, NAN, 3, -1}, {2, 2});
  std::vector<int64_t> ax1 = {1};
  require_values(run_reduce("ReduceMax", n, &ax1, false, 13), {NAN, 3});
  require_values(run_reduce("ReduceMin", n, &ax1, false, 13), {NAN, -1});
  // NaN in any of the partial reductions of a long row wins.
  for (int64_t pos = 0; pos < 9; ++pos) {
    Tensor row = random_float({9}, 20);
    row.data<float>()[pos] = NAN;
    require_values(run_reduce("ReduceMax", row, nullptr, false, 13), {NAN});
    require_values(run_reduce("ReduceMin", row, nullptr, false, 13), {NAN});
    require_values(run_reduce("ReduceLogSumExp", row, nullptr, false, 13), {NAN});
  }
  Tensor lse = Tensor::from_vector<float>({1000, 0, 999, -5, 1000.5f, -INFINITY, 998, 1}, {8});
  double lse_want = 0;
  for (double v : {1000.0, 0.0, 999.0, -5.0, 1000.5, 998.0, 1.0}) lse_want += std::exp(v - 1000.5);
  require_values(run_reduce("ReduceLogSumExp", lse, nullptr, false, 13), {1000.5 + std::log(lse_want)}, 1e-6);
  // LogSumExp stays finite where exp overflows.
  Tensor big = Tensor::from_vector<float>({1000, 1000}, {2});
  require_values(run_reduce("ReduceLogSumExp", big, nullptr, false, 13), {1000 + std::log(2.0)}, 1e-6);
  // Size-1 dims mixed with reduced ones; a large inner kept dim (threaded path).
  Tensor x = random_float({1, 3, 1, 70, 1}, 5);
  for (const std::vector<int64_t>& axes : {std::vector<int64_t>{1}, {3}, {0, 2, 4}, {1, 3}}) {
    Shape want_shape;
    std::vector<double> want = ref_reduce("ReduceSum", x, axes, true, &want_shape);
    REQUIRE(run_reduce("ReduceSum", x, &axes, true, 11).shape() == want_shape);
    require_values(run_reduce("ReduceSum", x, &axes, true, 11), want, 1e-5, 1e-6);
  }
  Tensor wide = random_float({64, 300, 8}, 6);
  NodeRun r = node("ReduceMean", {wide}, {attr_ints("axes", {1})}, 13);
  Shape want_shape;
  Tensor y = run_threaded_same(r, "ref");
  require_values(y, ref_reduce("ReduceMean", wide, {1}, true, &want_shape), 1e-5, 1e-6);
  NodeRun r2 = node("ReduceMax", {wide}, {attr_ints("axes", {0, 2})}, 13);
  require_values(run_threaded_same(r2, "ref"), ref_reduce("ReduceMax", wide, {0, 2}, true, &want_shape));
}

TEST_CASE("Reduce ops reject bad axes and dtypes", "[reduce]") {
  Tensor x = random_float({2, 3}, 1);
  std::vector<int64_t> out_of_range = {2}, negative = {-3}, repeated = {1, -1};
  for (const auto* axes : {&out_of_range, &negative, &repeated}) {
    REQUIRE_THROWS_AS(run_reduce("ReduceSum", x, axes, true, 11), Error);
    REQUIRE_THROWS_AS(run_reduce("ReduceSum", x, axes, true, 13), Error);
    REQUIRE_THROWS_AS(run_reduce("ReduceSum", x, axes, true, 13, false), Error);
    REQUIRE_THROWS_AS(run_reduce("ReduceMax", x, axes, true, 18), Error);
  }
  Tensor s = Tensor::from_vector<std::string>({"a"}, {1});
  REQUIRE_THROWS_AS(run_reduce("ReduceSum", s, nullptr, true, 13), Error);
  Tensor b = Tensor::from_vector<bool>({true, false}, {2});
  REQUIRE_THROWS_AS(run_reduce("ReduceSum", b, nullptr, true, 13), Error);
  REQUIRE(values_of(run_reduce("ReduceMax", b, nullptr, false, 13)) == std::vector<double>{1});
  REQUIRE(values_of(run_reduce("ReduceMin", b, nullptr, false, 13)) == std::vector<double>{0});
  NodeRun fa = node("ReduceSum", {x, Tensor::from_vector<float>({0}, {1})}, {}, 13);
  expect_error_all(fa);
  NodeRun two_d = node("ReduceSum", {x, Tensor::from_vector<int64_t>({0}, {1, 1})}, {}, 13);
  expect_error_all(two_d);
}
