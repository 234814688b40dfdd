// Gemm and MatMul against triple loops in double precision, on both providers.
#include <cmath>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

// Y = alpha * op(A) op(B) + beta * C (C broadcast to [M,N]), in double.
std::vector<double> ref_gemm(const Tensor& a, const Tensor& b, const Tensor* c, bool ta, bool tb,
                             double alpha, double beta, int64_t* m_out, int64_t* n_out) {
  const int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1), n = tb ? b.dim(0) : b.dim(1);
  std::vector<double> y(static_cast<size_t>(m * n));
  Shape out = {m, n};
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p)
        s += get_value(a, ta ? p * m + i : i * k + p) * get_value(b, tb ? j * k + p : p * n + j);
      double v = alpha * s;
      if (c) v += beta * get_value(*c, broadcast_index(c->shape(), out, i * n + j));
      y[i * n + j] = v;
    }
  *m_out = m;
  *n_out = n;
  return y;
}

NodeRun gemm_node(std::vector<Tensor> inputs, bool ta, bool tb, float alpha, float beta, bool const_b,
                  int64_t opset = 13) {
  NodeRun r;
  r.op_type = "Gemm";
  r.opset = opset;
  r.inputs = std::move(inputs);
  r.constant = {false, const_b, const_b};
  r.attributes = {attr_int("transA", ta), attr_int("transB", tb), attr_float("alpha", alpha),
                  attr_float("beta", beta)};
  return r;
}

}  // namespace

TEST_CASE("Gemm float: transposes, alpha/beta and C shapes (ref)", "[gemm]") {
  const int64_t M = 7, K = 13, N = 9;
  const std::vector<Shape> c_shapes = {{}, {N}, {1, N}, {M, 1}, {M, N}, {1}, {1, 1}};
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (size_t ci = 0; ci <= c_shapes.size(); ++ci) {
        bool has_c = ci < c_shapes.size();
        Tensor a = random_float(ta ? Shape{K, M} : Shape{M, K}, 1);
        Tensor b = random_float(tb ? Shape{N, K} : Shape{K, N}, 2);
        Tensor c = has_c ? random_float(c_shapes[ci], 3) : Tensor();
        for (auto [alpha, beta] : {std::pair{1.0f, 1.0f}, {0.5f, 2.0f}, {1.0f, 0.0f}}) {
          INFO("transA " << ta << " transB " << tb << " C "
                         << (has_c ? shape_to_string(c_shapes[ci]) : "none") << " alpha " << alpha << " beta "
                         << beta);
          std::vector<Tensor> in = {a, b};
          if (has_c) in.push_back(c);
          int64_t m, n;
          std::vector<double> want = ref_gemm(a, b, has_c ? &c : nullptr, ta, tb, alpha, beta, &m, &n);
          Tensor y = run_all(gemm_node(in, ta, tb, alpha, beta, false));
          REQUIRE(y.shape() == Shape{m, n});
          require_values(y, want, 1e-5, 1e-5);
        }
      }
}

TEST_CASE("Gemm float via XNNPACK fully connected matches ref", "[gemm]") {
  // Shapes around the kernels' tile sizes, including ResNet's FC (2048 -> 1000).
  const std::vector<std::array<int64_t, 3>> mkn = {
      {1, 1, 1}, {3, 5, 7}, {4, 64, 65}, {33, 129, 17}, {2, 2048, 1000}};
  for (auto [M, K, N] : mkn)
    for (bool tb : {false, true})
      for (int c_kind = 0; c_kind < 4; ++c_kind) {  // none, [N], [1,N], scalar
        Tensor a = random_float({M, K}, 11), b = random_float(tb ? Shape{N, K} : Shape{K, N}, 12);
        Tensor c = c_kind == 1   ? random_float({N}, 13)
                   : c_kind == 2 ? random_float({1, N}, 13)
                                 : random_float({}, 13);
        std::vector<Tensor> in = {a, b};
        if (c_kind) in.push_back(c);
        float beta = c_kind == 3 ? 0.5f : 1.0f;
        INFO("M " << M << " K " << K << " N " << N << " transB " << tb << " C kind " << c_kind);
        NodeRun r = gemm_node(in, false, tb, 1.0f, beta, true);
        int64_t m, n;
        std::vector<double> want = ref_gemm(a, b, c_kind ? &c : nullptr, false, tb, 1.0, beta, &m, &n);
        double tol = 1e-5 * std::sqrt(static_cast<double>(K));
        Tensor y = OpTester(r).require("xnnpack").expect_values(want).tolerance(tol, tol).run().ref();
        REQUIRE(y.shape() == Shape{M, N});
      }
}

TEST_CASE("Gemm XNNPACK declines what it cannot do", "[gemm]") {
  Tensor a = random_float({3, 4}, 1), b = random_float({4, 5}, 2), c = random_float({3, 5}, 3);
  auto provider_of = [](NodeRun r) {
    r.provider = "";
    return run_node(r).provider;
  };
  CHECK(provider_of(gemm_node({a, b}, false, false, 1, 1, true)) == "xnnpack");
  CHECK(provider_of(gemm_node({a, b}, false, false, 1, 1, false)) == "ref");    // B not constant
  CHECK(provider_of(gemm_node({a, b}, false, false, 2, 1, true)) == "ref");     // alpha != 1
  CHECK(provider_of(gemm_node({a, b, c}, false, false, 1, 1, true)) == "ref");  // C varies along M
  Tensor at = random_float({4, 3}, 1);
  CHECK(provider_of(gemm_node({at, b}, true, false, 1, 1, true)) == "ref");  // transA
}

TEST_CASE("Gemm on double, integer and 16-bit float dtypes", "[gemm]") {
  for (DType t : {DType::Double, DType::Int32, DType::Int64, DType::UInt32, DType::UInt64, DType::Float16,
                  DType::BFloat16}) {
    Tensor a = random_tensor(t, {5, 6}, 1, -3, 3), b = random_tensor(t, {7, 6}, 2, -3, 3);
    Tensor c = random_tensor(t, {7}, 3, -3, 3);
    int64_t m, n;
    std::vector<double> want = ref_gemm(a, b, &c, false, true, 1, 1, &m, &n);
    INFO(dtype_name(t));
    Tensor y = run_all(gemm_node({a, b, c}, false, true, 1, 1, false));
    REQUIRE(y.dtype() == t);
    if (t == DType::UInt32 || t == DType::UInt64) {
      // Wraps modulo 2^bits; compare as wrapped integers.
      for (int64_t i = 0; i < y.numel(); ++i) {
        int64_t w = static_cast<int64_t>(want[i]);
        if (t == DType::UInt32)
          CHECK(y.data<uint32_t>()[i] == static_cast<uint32_t>(w));
        else
          CHECK(y.data<uint64_t>()[i] == static_cast<uint64_t>(w));
      }
      continue;
    }
    double tol = t == DType::Float16 ? 2e-2 : t == DType::BFloat16 ? 0.25 : 1e-9;
    require_values(y, want, tol, tol);
  }
}

TEST_CASE("Gemm opsets: C optional from 11, legacy broadcast attribute", "[gemm]") {
  Tensor a = random_float({2, 3}, 1), b = random_float({3, 4}, 2), c = random_float({4}, 3);
  int64_t m, n;
  // Opset 6 with broadcast=0 needs C of exactly [M,N].
  NodeRun r = gemm_node({a, b, c}, false, false, 1, 1, false, 6);
  expect_error_all(r);
  r.attributes.push_back(attr_int("broadcast", 1));
  check_all(r, ref_gemm(a, b, &c, false, false, 1, 1, &m, &n), 1e-5, 1e-6);
  // Opset 11 without C.
  NodeRun r11 = gemm_node({a, b}, false, false, 1, 1, false, 11);
  check_all(r11, ref_gemm(a, b, nullptr, false, false, 1, 1, &m, &n), 1e-5, 1e-6);
}

TEST_CASE("Gemm errors: inner dims, ranks, C shape; zero-size dims", "[gemm]") {
  Tensor a = random_float({2, 3}, 1), b = random_float({4, 5}, 2);
  expect_error_all(gemm_node({a, b}, false, false, 1, 1, true));
  Tensor b3 = random_float({3, 5}, 2), bad_c = random_float({3, 5}, 3);
  expect_error_all(gemm_node({a, b3, bad_c}, false, false, 1, 1, false));
  Tensor v = random_float({3}, 4);
  expect_error_all(gemm_node({v, b3}, false, false, 1, 1, false));
  // M = 0 and K = 0.
  Tensor a0 = Tensor(DType::Float, {0, 3});
  REQUIRE(OpTester(gemm_node({a0, b3}, false, false, 1, 1, true)).require("xnnpack").run().ref().shape() ==
          Shape{0, 5});
  Tensor ak = Tensor(DType::Float, {2, 0}), bk = Tensor(DType::Float, {0, 5});
  Tensor c = random_float({5}, 5);
  std::vector<double> want;
  for (int64_t i = 0; i < 10; ++i) want.push_back(c.data<float>()[i % 5]);
  Tensor y = OpTester(gemm_node({ak, bk, c}, false, false, 1, 1, true))
                 .require("xnnpack")
                 .expect_values(want)
                 .tolerance(0, 0)
                 .run()
                 .ref();
  REQUIRE(y.shape() == Shape{2, 5});
}

// ---------------- MatMul ----------------

namespace {

// numpy matmul in double.
std::vector<double> ref_matmul(const Tensor& a, const Tensor& b, Shape* out_shape) {
  Shape sa = a.shape(), sb = b.shape();
  bool a1 = sa.size() == 1, b1 = sb.size() == 1;
  if (a1) sa.insert(sa.begin(), 1);
  if (b1) sb.push_back(1);
  const int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  Shape ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2), bo;
  REQUIRE(test_broadcast(ba, bb, &bo));
  int64_t batches = 1;
  for (int64_t d : bo) batches *= d;
  std::vector<double> y;
  for (int64_t t = 0; t < batches; ++t) {
    int64_t ia = broadcast_index(ba, bo, t), ib = broadcast_index(bb, bo, t);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p)
          s += get_value(a, ia * m * k + i * k + p) * get_value(b, ib * k * n + p * n + j);
        y.push_back(s);
      }
  }
  *out_shape = bo;
  if (!a1) out_shape->push_back(m);
  if (!b1) out_shape->push_back(n);
  return y;
}

NodeRun matmul_node(const Tensor& a, const Tensor& b, bool const_b) {
  NodeRun r;
  r.op_type = "MatMul";
  r.inputs = {a, b};
  r.constant = {false, const_b};
  return r;
}

}  // namespace

TEST_CASE("MatMul numpy semantics (ref), including 1-D and batch broadcasting", "[matmul]") {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 4}, {4, 5}},
      {{4}, {4, 5}},
      {{3, 4}, {4}},
      {{4}, {4}},
      {{2, 3, 4}, {4, 5}},
      {{2, 3, 4}, {2, 4, 5}},
      {{2, 1, 3, 4}, {5, 4, 2}},
      {{4}, {2, 4, 3}},
      {{2, 3, 4}, {4}},
      {{0, 3, 4}, {4, 5}},
      {{3, 0}, {0, 5}},
      {{1, 2, 3}, {3, 3, 2}},
  };
  for (const auto& [sa, sb] : cases) {
    Tensor a = random_float(sa, 1), b = random_float(sb, 2);
    Shape out;
    std::vector<double> want = ref_matmul(a, b, &out);
    INFO(shape_to_string(sa) << " x " << shape_to_string(sb));
    Tensor y = run_all(matmul_node(a, b, false));
    REQUIRE(y.shape() == out);
    require_values(y, want, 1e-5, 1e-5);
  }
}

TEST_CASE("MatMul via XNNPACK with a constant 2-D B matches ref", "[matmul]") {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 4}, {4, 5}}, {{4}, {4, 5}}, {{2, 3, 16}, {16, 33}}, {{1, 1, 2048}, {2048, 10}}, {{0, 4}, {4, 2}}};
  for (const auto& [sa, sb] : cases) {
    Tensor a = random_float(sa, 3), b = random_float(sb, 4);
    Shape out;
    std::vector<double> want = ref_matmul(a, b, &out);
    INFO(shape_to_string(sa) << " x " << shape_to_string(sb));
    const double tol = 1e-5 * std::sqrt(static_cast<double>(sa.back()));
    Tensor y = OpTester(matmul_node(a, b, true)).require("xnnpack").expect_values(want).tolerance(tol, tol).run().ref();
    REQUIRE(y.shape() == out);
  }
  // Batched or non-constant B stays on ref.
  NodeRun r = matmul_node(random_float({2, 3, 4}, 1), random_float({2, 4, 5}, 2), true);
  CHECK(run_node(r).provider == "ref");
  r = matmul_node(random_float({3, 4}, 1), random_float({4, 5}, 2), false);
  CHECK(run_node(r).provider == "ref");
}

TEST_CASE("MatMul integer and 16-bit float dtypes; errors", "[matmul]") {
  for (DType t : {DType::Int32, DType::Int64, DType::Double, DType::Float16, DType::BFloat16}) {
    Tensor a = random_tensor(t, {2, 3, 4}, 1, -3, 3), b = random_tensor(t, {4, 2}, 2, -3, 3);
    Shape out;
    std::vector<double> want = ref_matmul(a, b, &out);
    INFO(dtype_name(t));
    Tensor y = run_all(matmul_node(a, b, false));
    REQUIRE(y.dtype() == t);
    double tol = t == DType::Float16 ? 2e-2 : t == DType::BFloat16 ? 0.25 : 0;
    require_values(y, want, tol, tol);
  }
  expect_error_all(matmul_node(random_float({3, 4}, 1), random_float({5, 2}, 2), false));
  REQUIRE_THROWS_AS(run1(matmul_node(random_float({3, 4}, 1), random_float({5, 2}, 2), true), "xnnpack"),
                    Error);
  expect_error_all(matmul_node(random_float({2, 3, 4}, 1), random_float({3, 4, 2}, 2), false));
  Tensor s = Tensor::scalar<float>(1);
  expect_error_all(matmul_node(s, s, false));
}

TEST_CASE("Threaded Gemm/MatMul runs match single-threaded ones", "[gemm][threads]") {
  Tensor a = random_float({130, 300}, 1), b = random_float({300, 270}, 2), c = random_float({270}, 3);
  {
    int64_t m, n;
    OpTester(gemm_node({a, b, c}, false, false, 1, 1, true))
        .threads(3)
        .require("xnnpack")
        .expect_values(ref_gemm(a, b, &c, false, false, 1, 1, &m, &n))
        .tolerance(1e-4, 1e-4)
        .run();
  }
  Tensor a3 = random_float({3, 50, 64}, 4), b3 = random_float({3, 64, 300}, 5);
  Tensor y = run_threaded_same(matmul_node(a3, b3, false), "ref");
  Shape out;
  require_values(y, ref_matmul(a3, b3, &out), 1e-4, 1e-4);
}

TEST_CASE("Gemm and MatMul FLOP estimates on every provider", "[gemm][matmul][flops]") {
  // Gemm with transA: A [K=8, M=4], B [8, 5] -> 2*M*N*K.
  OpTester("Gemm", 13)
      .attr(attr_int("transA", 1))
      .input(random_float({8, 4}, 1))
      .constant(random_float({8, 5}, 2))
      .expect_flops(2.0 * 4 * 5 * 8)
      .run();
  // XNNPACK's fully connected form (constant B, no transA) estimates the same.
  OpTester("Gemm", 13)
      .input(random_float({4, 8}, 1))
      .constant(random_float({8, 5}, 2))
      .require("xnnpack")
      .expect_flops(2.0 * 4 * 5 * 8)
      .run();
  // Batched MatMul [2,3,4] x [4,5].
  OpTester("MatMul", 13)
      .input(random_float({2, 3, 4}, 3))
      .constant(random_float({4, 5}, 4))
      .require("xnnpack")
      .expect_flops(2.0 * 2 * 3 * 5 * 4)
      .run();
}
