// Det against a cofactor-expansion reference; the random generators (shape, dtype, range,
// moments, seeding, never folded); training-mode Dropout.
#include <cmath>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

double cofactor_det(const std::vector<double>& a, int64_t n) {
  if (n == 0) return 1;
  if (n == 1) return a[0];
  double det = 0;
  for (int64_t c = 0; c < n; ++c) {
    std::vector<double> minor;
    for (int64_t i = 1; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        if (j != c) minor.push_back(a[i * n + j]);
    det += (c % 2 ? -1 : 1) * a[c] * cofactor_det(minor, n - 1);
  }
  return det;
}

NodeRun node(const std::string& op, std::vector<Tensor> inputs, std::vector<Attribute> attrs = {},
             int64_t opset = 17) {
  NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.inputs = std::move(inputs);
  r.attributes = std::move(attrs);
  r.provider = "ref";
  return r;
}

}  // namespace

TEST_CASE("Det: batches of matrices, singular matrices, dtypes", "[math][det]") {
  uint64_t seed = 1;
  for (const Shape& s :
       std::vector<Shape>{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {2, 3, 3}, {2, 1, 5, 5}, {3, 0, 0}})
    for (DType dt : {DType::Float, DType::Double}) {
      INFO(shape_to_string(s));
      Tensor x = random_tensor(dt, s, seed++, -3, 3);
      const int64_t n = s.back(), mats = n ? x.numel() / (n * n) : x.numel() == 0 ? s[0] : 0;
      Tensor y = run_all(node("Det", {x}, {}, 11));
      REQUIRE(y.shape() == Shape(s.begin(), s.end() - 2));
      std::vector<double> want;
      const std::vector<double> v = values_of(x);
      for (int64_t m = 0; m < mats; ++m)
        want.push_back(
            cofactor_det(std::vector<double>(v.begin() + m * n * n, v.begin() + (m + 1) * n * n), n));
      require_values(y, want, 1e-5, 1e-4);
    }
  Tensor singular = Tensor::from_vector<float>({1, 2, 2, 4}, {2, 2});
  check_all(node("Det", {singular}, {}, 11), {0});
  expect_error_all(node("Det", {random_float({2, 3}, 1)}, {}, 11));
  expect_error_all(node("Det", {random_float({3}, 1)}, {}, 11));
}

TEST_CASE("RandomUniform / RandomNormal: shape, dtype, range, moments, seed", "[math][random]") {
  NodeRun u = node(
      "RandomUniform", {},
      {attr_ints("shape", {20, 50}), attr_float("low", -2), attr_float("high", 3), attr_float("seed", 5)});
  Tensor a = run_all(u);
  REQUIRE(a.dtype() == DType::Float);
  REQUIRE(a.shape() == Shape{20, 50});
  double mean = 0;
  for (double v : values_of(a)) {
    REQUIRE(v >= -2);
    REQUIRE(v < 3);
    mean += v / 1000;
  }
  REQUIRE(std::fabs(mean - 0.5) < 0.25);
  require_same(run_all(u), a);  // same seed, same values
  u.attributes.back() = attr_float("seed", 6);
  REQUIRE(values_of(run_all(u)) != values_of(a));

  NodeRun n = node("RandomNormal", {},
                   {attr_ints("shape", {4000}), attr_float("mean", 1), attr_float("scale", 2),
                    attr_int("dtype", 11), attr_float("seed", 2)});
  Tensor b = run_all(n);
  REQUIRE(b.dtype() == DType::Double);
  double m = 0, var = 0;
  for (double v : values_of(b)) m += v / 4000;
  for (double v : values_of(b)) var += (v - m) * (v - m) / 4000;
  REQUIRE(std::fabs(m - 1) < 0.15);
  REQUIRE(std::fabs(std::sqrt(var) - 2) < 0.15);

  Tensor like = Tensor(DType::Int32, {3, 2});
  Tensor c = run_all(node("RandomUniformLike", {like}, {attr_int("dtype", 10)}));
  REQUIRE(c.dtype() == DType::Float16);
  REQUIRE(c.shape() == Shape{3, 2});
  Tensor d = run_all(node("RandomNormalLike", {random_float({5}, 1)}));
  REQUIRE(d.dtype() == DType::Float);
  REQUIRE(d.shape() == Shape{5});
  expect_error_all(node("RandomUniformLike", {like}));  // int32 output
  expect_error_all(node("RandomUniform", {}));          // no shape
  expect_error_all(node("RandomUniform", {}, {attr_ints("shape", {2, -1})}));
}

TEST_CASE("Random kernels are never folded", "[math][random]") {
  for (const char* op : {"RandomUniform", "RandomNormal", "RandomUniformLike", "RandomNormalLike",
                         "Bernoulli", "Multinomial"}) {
    Node nd;
    nd.op_type = op;
    nd.outputs = {"y"};
    std::vector<ValueType> in;
    if (std::string(op).find("Like") != std::string::npos || std::string(op) == "Bernoulli" ||
        std::string(op) == "Multinomial") {
      nd.inputs = {"x"};
      in.resize(1);
      in[0].dtype = DType::Float;
    } else {
      Attribute a = attr_ints("shape", {2});
      nd.attributes["shape"] = a;
    }
    BuildContext ctx{nd, 17, in};
    auto k = build_kernel(ctx, "");
    REQUIRE(k);
    REQUIRE_FALSE(k->foldable());
  }
}

TEST_CASE("Bernoulli and Multinomial", "[math][random]") {
  Tensor p = Tensor::from_vector<double>({0, 1, 0, 1, 0.5, 0.5}, {2, 3});
  Tensor y = run_all(node("Bernoulli", {p}, {attr_float("seed", 1)}));
  REQUIRE(y.dtype() == DType::Double);
  std::vector<double> v = values_of(y);
  REQUIRE(v[0] == 0);
  REQUIRE(v[1] == 1);
  REQUIRE(v[2] == 0);
  REQUIRE(v[3] == 1);
  for (double e : v) REQUIRE((e == 0 || e == 1));
  Tensor yb = run_all(node("Bernoulli", {random_float({1000}, 3, 0.3, 0.3)}, {attr_int("dtype", 9), attr_float("seed", 3)}));
  REQUIRE(yb.dtype() == DType::Bool);
  double ones = 0;
  for (double e : values_of(yb)) ones += e;
  REQUIRE(std::fabs(ones / 1000 - 0.3) < 0.06);

  // Class 1 has essentially all the mass in row 0; row 1 is uniform over 3 classes.
  Tensor logits = Tensor::from_vector<float>({-50, 10, -50, 0, 0, 0}, {2, 3});
  Tensor s = run_all(node("Multinomial", {logits},
                       {attr_int("sample_size", 600), attr_int("dtype", 7), attr_float("seed", 4)}));
  REQUIRE(s.dtype() == DType::Int64);
  REQUIRE(s.shape() == Shape{2, 600});
  std::vector<double> sv = values_of(s);
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 600; ++i) {
    REQUIRE(sv[i] == 1);
    counts[static_cast<int>(sv[600 + i])]++;
  }
  for (int c : counts) REQUIRE(std::abs(c - 200) < 60);
  REQUIRE(run_all(node("Multinomial", {logits})).dtype() == DType::Int32);
  expect_error_all(node("Multinomial", {random_float({3}, 1)}));
}

TEST_CASE("Dropout in training mode", "[tensor][dropout]") {
  Tensor x = random_float({2000}, 4, 1, 2);
  Tensor ratio = Tensor::scalar<float>(0.25f);
  Tensor train = Tensor::scalar<bool>(true);
  NodeRun r = node("Dropout", {x, ratio, train}, {attr_int("seed", 3)}, 13);
  r.num_outputs = 2;
  NodeResult res = run_node(r);
  const Tensor& y = res.outputs[0];
  const Tensor& mask = res.outputs[1];
  REQUIRE(mask.dtype() == DType::Bool);
  int kept = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (get_value(mask, i)) {
      ++kept;
      REQUIRE(std::fabs(get_value(y, i) - get_value(x, i) / 0.75) < 1e-5);
    } else {
      REQUIRE(get_value(y, i) == 0);
    }
  }
  REQUIRE(std::abs(kept - 1500) < 100);
  // Not folded while training; ratio 0 and training off pass the input through.
  {
    Node nd;
    nd.op_type = "Dropout";
    nd.inputs = {"x", "r", "t"};
    nd.outputs = {"y"};
    std::vector<ValueType> in(3);
    in[0].dtype = DType::Float;
    in[1].dtype = DType::Float;
    in[2].dtype = DType::Bool;
    BuildContext ctx{nd, 13, in};
    REQUIRE_FALSE(build_kernel(ctx, "")->foldable());
    Tensor off = Tensor::scalar<bool>(false);
    in[2].constant = &off;
    BuildContext ctx2{nd, 13, in};
    REQUIRE(build_kernel(ctx2, "")->foldable());
  }
  require_same(run_all(node("Dropout", {x, Tensor::scalar<float>(0.0f), train}, {}, 13)), x);
  require_same(run_all(node("Dropout", {x, ratio, Tensor::scalar<bool>(false)}, {}, 13)), x);
  expect_error_all(node("Dropout", {x, Tensor::scalar<float>(1.5f), train}, {}, 13));
}

TEST_CASE("Seeded random ops give ONNX's reference values (numpy's RandomState)", "[math][random]") {
  // Values from gen/random_reference.py (ONNX's reference evaluator).
  check_all(node("RandomUniform", {},
                 {attr_ints("shape", {6}), attr_float("low", -2), attr_float("high", 3), attr_float("seed", 5),
                  attr_int("dtype", 11)}),
            {-0.89003414455130248, 2.3536615308868818, -0.96640422330286802, 2.5930545396896081, 0.44205594397414583,
             1.0587193145132288},
            1e-12, 1e-12);
  check_all(node("RandomNormal", {},
                 {attr_ints("shape", {5}), attr_float("mean", 1), attr_float("scale", 2), attr_float("seed", 2),
                  attr_int("dtype", 11)}),
            {0.16648430518905877, 0.88746634554734105, -3.2723921913369081, 4.2805416168099768, -2.5868711703897262},
            1e-12, 1e-12);
  Tensor p = Tensor::from_vector<double>({0.0, 1.0, 0.3, 0.7, 0.5, 0.9, 0.1, 0.45}, {8});
  check_all(node("Bernoulli", {p}, {attr_float("seed", 1)}, 15), {0, 1, 0, 1, 0, 1, 0, 0});
  Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6, 7, 8}, {8});
  NodeRun d = node("Dropout", {x, Tensor::scalar<float>(0.4f), Tensor::scalar<bool>(true)}, {attr_int("seed", 3)}, 13);
  d.num_outputs = 2;
  check_all(d, {1.6666666269302368, 3.3333332538604736, 0, 6.6666665077209473, 8.3333330154418945, 10, 0, 0}, 1e-6);
  check_all(d, {1, 1, 0, 1, 1, 1, 0, 0}, 0, 0, 1);
  // Seeds numpy rejects, and probabilities outside [0, 1].
  expect_error_all(node("RandomUniform", {}, {attr_ints("shape", {2}), attr_float("seed", -3)}), "seed");
  expect_error_all(node("Bernoulli", {Tensor::from_vector<double>({1.5}, {1})}, {}, 15), "[0, 1]");
  d.attributes = {attr_int("seed", -1)};
  expect_error_all(d, "seed");
}
