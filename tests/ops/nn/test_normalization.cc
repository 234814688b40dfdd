// LayerNormalization, InstanceNormalization, LRN, MeanVarianceNormalization and
// LpNormalization against direct double-precision references.
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

// Mean and population variance of the elements i where group(i) == g, for every g.
struct Stats {
  std::vector<double> mean, var;
};
template <class G>
Stats group_stats(const std::vector<double>& x, int64_t groups, G group) {
  Stats s;
  s.mean.assign(static_cast<size_t>(groups), 0);
  s.var.assign(static_cast<size_t>(groups), 0);
  std::vector<double> count(static_cast<size_t>(groups), 0);
  for (size_t i = 0; i < x.size(); ++i) {
    s.mean[static_cast<size_t>(group(static_cast<int64_t>(i)))] += x[i];
    count[static_cast<size_t>(group(static_cast<int64_t>(i)))] += 1;
  }
  for (size_t g = 0; g < s.mean.size(); ++g) s.mean[g] /= count[g];
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t g = static_cast<size_t>(group(static_cast<int64_t>(i)));
    s.var[g] += (x[i] - s.mean[g]) * (x[i] - s.mean[g]);
  }
  for (size_t g = 0; g < s.var.size(); ++g) s.var[g] /= count[g];
  return s;
}

int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

}  // namespace

TEST_CASE("LayerNormalization over every axis with optional outputs", "[layernorm]") {
  TestThreadPool tp(2);
  uint32_t seed = 1;
  for (Shape s : {Shape{4}, Shape{3, 5}, Shape{2, 3, 4}, Shape{2, 3, 2, 5}}) {
    const int64_t r = static_cast<int64_t>(s.size());
    for (int64_t axis = -r; axis < r; ++axis) {
      for (DType t : {DType::Float, DType::Double}) {
        const size_t a = static_cast<size_t>(axis < 0 ? axis + r : axis);
        const Shape block(s.begin() + static_cast<ptrdiff_t>(a), s.end());
        const int64_t n = numel_of(block);
        INFO(shape_to_string(s) << " axis " << axis << " " << dtype_name(t));
        Tensor x = cast_tensor(random_float(s, seed++, -3, 3), t);
        Tensor scale = cast_tensor(random_float(block, seed++), t);
        Tensor bias = cast_tensor(random_float(block, seed++), t);
        const bool with_bias = seed % 3 != 0;
        NodeRun node{
            "LayerNormalization", "", 17, {attr_int("axis", axis), attr_float("epsilon", 1e-3f)}, {x, scale},
            {false, true},        3,  ""};
        if (with_bias) node.inputs.push_back(bias);
        NodeResult res = run_node(node, seed % 2 ? tp.pool : nullptr);
        CHECK(res.provider == "ref");
        const std::vector<double> xv = values_of(x), sv = values_of(scale), bv = values_of(bias);
        Stats st = group_stats(xv, numel_of(s) / n, [&](int64_t i) { return i / n; });
        std::vector<double> y, m, inv;
        for (size_t i = 0; i < xv.size(); ++i) {
          const size_t g = i / static_cast<size_t>(n), j = i % static_cast<size_t>(n);
          y.push_back((xv[i] - st.mean[g]) / std::sqrt(st.var[g] + static_cast<double>(1e-3f)) * sv[j] +
                      (with_bias ? bv[j] : 0.0));
        }
        for (size_t g = 0; g < st.mean.size(); ++g) {
          m.push_back(st.mean[g]);
          inv.push_back(1 / std::sqrt(st.var[g] + static_cast<double>(1e-3f)));
        }
        Shape stat = s;
        for (size_t d = a; d < stat.size(); ++d) stat[d] = 1;
        const double tol = t == DType::Float ? 1e-5 : 1e-12;
        expect_close(res.outputs[0], s, y, tol);
        CHECK(res.outputs[1].dtype() == DType::Float);
        expect_close(res.outputs[1], stat, m, 1e-5);
        expect_close(res.outputs[2], stat, inv, 1e-5);
      }
    }
  }
}

TEST_CASE("LayerNormalization broadcasts Scale, stash_type double, float16", "[layernorm]") {
  Tensor x = random_float({2, 3, 4}, 5);
  Tensor scale = random_float({1, 4}, 6);  // broadcast over the normalized [3, 4]
  NodeRun node{"LayerNormalization", "", 17, {attr_int("axis", 1), attr_int("stash_type", 11)},
               {x, scale},           {}, 3,  ""};
  NodeResult res = run_node(node);
  CHECK(res.outputs[1].dtype() == DType::Double);
  const std::vector<double> xv = values_of(x), sv = values_of(scale);
  Stats st = group_stats(xv, 2, [](int64_t i) { return i / 12; });
  std::vector<double> want;
  for (size_t i = 0; i < xv.size(); ++i)
    want.push_back((xv[i] - st.mean[i / 12]) / std::sqrt(st.var[i / 12] + 1e-5) * sv[i % 4]);
  expect_close(res.outputs[0], {2, 3, 4}, want, 1e-5);

  Tensor xh = random_tensor(DType::Float16, {2, 8}, 7);
  Tensor sh = random_tensor(DType::Float16, {8}, 8);
  NodeRun half{"LayerNormalization", "", 17, {}, {xh, sh}, {}, 1, ""};
  Tensor yh = run_node(half).outputs[0];
  CHECK(yh.dtype() == DType::Float16);
  const std::vector<double> xhv = values_of(xh), shv = values_of(sh);
  Stats sth = group_stats(xhv, 2, [](int64_t i) { return i / 8; });
  std::vector<double> wanth;
  for (size_t i = 0; i < xhv.size(); ++i)
    wanth.push_back((xhv[i] - sth.mean[i / 8]) / std::sqrt(sth.var[i / 8] + 1e-5) * shv[i % 8]);
  require_values(yh, wanth, 2e-3, 2e-3);
}

TEST_CASE("LayerNormalization rejects invalid nodes with Error", "[layernorm][errors]") {
  Tensor x = random_float({2, 3}, 1);
  auto ln = [&](std::vector<Attribute> attrs, std::vector<Tensor> inputs) {
    return run_node(NodeRun{"LayerNormalization", "", 17, std::move(attrs), std::move(inputs), {}, 1, ""});
  };
  CHECK_THROWS_AS(ln({attr_int("axis", 2)}, {x, random_float({3}, 2)}), Error);
  CHECK_THROWS_AS(ln({}, {x, random_float({4}, 2)}), Error);
  CHECK_THROWS_AS(ln({}, {x, random_float({3}, 2), random_float({2}, 3)}), Error);
  CHECK_THROWS_AS(ln({}, {x, cast_tensor(random_float({3}, 2), DType::Double)}), Error);
  CHECK_THROWS_AS(ln({attr_int("stash_type", 7)}, {x, random_float({3}, 2)}), Error);
  CHECK_THROWS_AS(ln({attr_float("epsilon", -1)}, {x, random_float({3}, 2)}), Error);
  CHECK_THROWS_AS(ln({}, {Tensor::scalar<float>(1), Tensor::scalar<float>(1)}), Error);
  CHECK_THROWS_AS(ln({}, {x}), Error);
}

TEST_CASE("InstanceNormalization matches the reference", "[instancenorm]") {
  TestThreadPool tp(2);
  uint32_t seed = 1;
  for (Shape s : {Shape{1, 3, 4}, Shape{2, 2, 3, 5}, Shape{2, 3, 2, 2, 3}, Shape{0, 2, 3}}) {
    for (DType t : {DType::Float, DType::Double}) {
      for (int64_t opset : {1, 6}) {
        INFO(shape_to_string(s) << " " << dtype_name(t) << " opset " << opset);
        Tensor x = cast_tensor(random_float(s, seed++, -2, 3), t);
        Tensor scale = cast_tensor(random_float({s[1]}, seed++), t);
        Tensor bias = cast_tensor(random_float({s[1]}, seed++), t);
        NodeRun node{"InstanceNormalization", "", opset, {attr_float("epsilon", 1e-2f)},
                     {x, scale, bias},        {}, 1,     ""};
        NodeResult res = run_node(node, seed % 2 ? tp.pool : nullptr);
        const std::vector<double> xv = values_of(x), sv = values_of(scale), bv = values_of(bias);
        const int64_t inner = numel_of(s) / std::max<int64_t>(1, s[0] * s[1]);
        Stats st = group_stats(xv, s[0] * s[1], [&](int64_t i) { return i / inner; });
        std::vector<double> want;
        for (size_t i = 0; i < xv.size(); ++i) {
          const size_t p = i / static_cast<size_t>(inner), c = p % static_cast<size_t>(s[1]);
          want.push_back((xv[i] - st.mean[p]) / std::sqrt(st.var[p] + static_cast<double>(1e-2f)) * sv[c] +
                         bv[c]);
        }
        expect_close(res.outputs[0], s, want, t == DType::Float ? 1e-5 : 1e-12);
      }
    }
  }
  Tensor x = random_float({1, 2, 3}, 1);
  CHECK_THROWS_AS(
      run_node(op_node("InstanceNormalization", 6, {}, {x, random_float({3}, 2), random_float({2}, 3)})),
      Error);
  CHECK_THROWS_AS(run_node(op_node("InstanceNormalization", 6, {},
                                   {random_float({2, 2}, 1), random_float({2}, 2), random_float({2}, 3)})),
                  Error);
}

TEST_CASE("LRN matches the reference", "[lrn]") {
  uint32_t seed = 1;
  for (Shape s : {Shape{1, 5, 3, 3}, Shape{2, 3, 4}, Shape{1, 7}}) {
    for (int64_t size : {1, 2, 3, 5, 8}) {
      INFO(shape_to_string(s) << " size " << size);
      Tensor x = random_float(s, seed++, -3, 3);
      const double alpha = 0.002, beta = 0.6, bias = 1.5;
      NodeRun node{
          "LRN",
          "",
          13,
          {attr_int("size", size), attr_float("alpha", static_cast<float>(alpha)),
           attr_float("beta", static_cast<float>(beta)), attr_float("bias", static_cast<float>(bias))},
          {x},
          {},
          1,
          ""};
      Tensor y = run_node(node).outputs[0];
      const std::vector<double> xv = values_of(x);
      const int64_t c_n = s[1], inner = numel_of(s) / (s[0] * c_n);
      std::vector<double> want(xv.size());
      for (int64_t n = 0; n < s[0]; ++n)
        for (int64_t c = 0; c < c_n; ++c)
          for (int64_t j = 0; j < inner; ++j) {
            double sq = 0;
            for (int64_t i = c - (size - 1) / 2; i <= c + size / 2; ++i)
              if (i >= 0 && i < c_n) sq += std::pow(xv[static_cast<size_t>((n * c_n + i) * inner + j)], 2);
            const size_t e = static_cast<size_t>((n * c_n + c) * inner + j);
            want[e] = xv[e] / std::pow(static_cast<double>(static_cast<float>(bias)) +
                                           static_cast<double>(static_cast<float>(alpha)) / size * sq,
                                       static_cast<double>(static_cast<float>(beta)));
          }
      expect_close(y, s, want, 1e-5);
    }
  }
  CHECK_THROWS_AS(run_node(op_node("LRN", 13, {}, {random_float({1, 2, 2}, 1)})), Error);  // size is required
  CHECK_THROWS_AS(run_node(op_node("LRN", 13, {attr_int("size", 0)}, {random_float({1, 2, 2}, 1)})), Error);
  CHECK_THROWS_AS(run_node(op_node("LRN", 1, {attr_int("size", 3)}, {random_float({2}, 1)})), Error);
}

TEST_CASE("MeanVarianceNormalization over default and given axes", "[mvn]") {
  uint32_t seed = 1;
  for (const auto& c : std::vector<std::pair<Shape, std::vector<int64_t>>>{
           {{2, 3, 4, 5}, {}}, {{2, 3, 4, 5}, {1}}, {{3, 4, 2}, {0, -1}}, {{2, 3, 2, 2}, {0, 1, 2, 3}}}) {
    const Shape& s = c.first;  // named, not a structured binding: clang 14 cannot capture those
    const std::vector<int64_t>& axes = c.second;
    for (int64_t opset : {9, 13}) {
      INFO(shape_to_string(s) << " axes " << shape_to_string(axes) << " opset " << opset);
      Tensor x = random_float(s, seed++, -2, 4);
      NodeRun node{"MeanVarianceNormalization", "", opset, {}, {x}, {}, 1, ""};
      if (!axes.empty()) node.attributes.push_back(attr_ints("axes", axes));
      Tensor y = run_node(node).outputs[0];
      std::vector<int64_t> red = axes.empty() ? std::vector<int64_t>{0, 2, 3} : axes;
      std::vector<bool> reduced(s.size(), false);
      for (int64_t a : red)
        reduced[static_cast<size_t>(a < 0 ? a + static_cast<int64_t>(s.size()) : a)] = true;
      auto group = [&](int64_t i) {
        int64_t g = 0, mult = 1;
        for (size_t d = s.size(); d-- > 0;) {
          const int64_t c = i % s[d];
          i /= s[d];
          if (!reduced[d]) {
            g += c * mult;
            mult *= s[d];
          }
        }
        return g;
      };
      int64_t groups = 1;
      for (size_t d = 0; d < s.size(); ++d)
        if (!reduced[d]) groups *= s[d];
      const std::vector<double> xv = values_of(x);
      Stats st = group_stats(xv, groups, group);
      std::vector<double> want;
      for (size_t i = 0; i < xv.size(); ++i) {
        const size_t g = static_cast<size_t>(group(static_cast<int64_t>(i)));
        want.push_back((xv[i] - st.mean[g]) / (std::sqrt(st.var[g]) + 1e-9));
      }
      expect_close(y, s, want, 1e-5);
    }
  }
  CHECK_THROWS_AS(run_node(op_node("MeanVarianceNormalization", 13, {}, {random_float({2, 3}, 1)})), Error);
  CHECK_THROWS_AS(run_node(op_node("MeanVarianceNormalization", 13, {attr_ints("axes", {1, 1})},
                                   {random_float({2, 3}, 1)})),
                  Error);
}

TEST_CASE("LpNormalization with p 1 and 2 over any axis", "[lpnorm]") {
  uint32_t seed = 1;
  for (Shape s : {Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
    const int64_t r = static_cast<int64_t>(s.size());
    for (int64_t axis = -r; axis < r; ++axis)
      for (int64_t p : {1, 2}) {
        INFO(shape_to_string(s) << " axis " << axis << " p " << p);
        Tensor x = random_float(s, seed++);
        Tensor y = run_node(op_node("LpNormalization", 1, {attr_int("axis", axis), attr_int("p", p)}, {x}))
                       .outputs[0];
        const size_t a = static_cast<size_t>(axis < 0 ? axis + r : axis);
        int64_t inner = 1;
        for (size_t d = a + 1; d < s.size(); ++d) inner *= s[d];
        const std::vector<double> xv = values_of(x);
        std::vector<double> want(xv.size());
        for (size_t i = 0; i < xv.size(); ++i) {
          const int64_t e = static_cast<int64_t>(i);
          const int64_t outer = e / (inner * s[a]), in = e % inner;
          double norm = 0;
          for (int64_t k = 0; k < s[a]; ++k) {
            const double v = xv[static_cast<size_t>((outer * s[a] + k) * inner + in)];
            norm += p == 1 ? std::fabs(v) : v * v;
          }
          want[i] = xv[i] / (p == 1 ? norm : std::sqrt(norm));
        }
        expect_close(y, s, want, 1e-5);
      }
  }
  // A zero vector stays zero.
  Tensor z = Tensor::from_vector<float>({0, 0, 3, 4}, {2, 2});
  require_values(run_node(op_node("LpNormalization", 1, {}, {z})).outputs[0], {0, 0, 0.6, 0.8}, 1e-6);
  CHECK_THROWS_AS(run_node(op_node("LpNormalization", 1, {attr_int("p", 3)}, {z})), Error);
  CHECK_THROWS_AS(run_node(op_node("LpNormalization", 1, {attr_int("axis", 2)}, {z})), Error);
}
