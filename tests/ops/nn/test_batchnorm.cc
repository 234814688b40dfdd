// BatchNormalization (inference and training mode) against direct double-precision references.
#include <catch2/catch.hpp>

#include "tests/harness/tensor_values.h"
#include "runtime/passes/pass.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

struct BnInputs {
  Tensor x, scale, bias, mean, var;
};

// Parameters hold `slots` values: C, or C * D1 * ... * Dn when not spatial.
BnInputs bn_inputs(const Shape& x, const Shape& param_shape, DType xt, DType pt, uint32_t seed) {
  BnInputs in;
  in.x = cast_tensor(random_tensor<double>(x, seed, -3, 3), xt);
  in.scale = cast_tensor(random_tensor<double>(param_shape, seed + 1, 0.5, 2), pt);
  in.bias = cast_tensor(random_tensor<double>(param_shape, seed + 2), pt);
  in.mean = cast_tensor(random_tensor<double>(param_shape, seed + 3), pt);
  in.var = cast_tensor(random_tensor<double>(param_shape, seed + 4, 0.1, 3), pt);
  return in;
}

std::vector<double> reference_bn(const BnInputs& in, double eps, bool spatial) {
  std::vector<double> x = to_doubles(in.x), s = to_doubles(in.scale), b = to_doubles(in.bias),
                      m = to_doubles(in.mean), v = to_doubles(in.var), y;
  const Shape& sh = in.x.shape();
  int64_t inner = 1;
  for (size_t i = 2; i < sh.size(); ++i) inner *= sh[i];
  for (int64_t n = 0; n < sh[0]; ++n)
    for (int64_t c = 0; c < sh[1]; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        const size_t p = static_cast<size_t>(spatial ? c : c * inner + i);
        const double xv = x[static_cast<size_t>((n * sh[1] + c) * inner + i)];
        y.push_back((xv - m[p]) / std::sqrt(v[p] + eps) * s[p] + b[p]);
      }
  return y;
}

NodeRun bn_node(const BnInputs& in, int64_t opset, std::vector<Attribute> attrs = {}, bool constant = true) {
  return NodeRun{"BatchNormalization",
                 "",
                 opset,
                 std::move(attrs),
                 {in.x, in.scale, in.bias, in.mean, in.var},
                 {false, constant, constant, constant, constant},
                 1,
                 ""};
}

}  // namespace

TEST_CASE("BatchNormalization matches the reference over ranks, dtypes and opsets", "[batchnorm]") {
  TestThreadPool tp(2);
  uint32_t seed = 10;
  for (Shape s : {Shape{1, 3, 4, 4}, Shape{3, 5, 2, 3}, Shape{2, 4}, Shape{2, 3, 7}, Shape{1, 2, 2, 3, 2},
                  Shape{0, 3, 2, 2}}) {
    for (DType t : {DType::Float, DType::Double}) {
      for (int64_t opset : {1, 6, 7, 9, 14, 15}) {
        for (bool constant : {true, false}) {
          INFO(shape_to_string(s) << " " << dtype_name(t) << " opset " << opset << " constant " << constant);
          BnInputs in = bn_inputs(s, {s[1]}, t, t, seed++);
          std::vector<Attribute> attrs{attr_float("epsilon", 1e-3f)};
          if (opset < 6) attrs.push_back(attr_ints("consumed_inputs", {0, 0, 0, 1, 1}));
          if (opset < 7) attrs.push_back(attr_int("is_test", 1));
          NodeResult res = run_node(bn_node(in, opset, attrs, constant), seed % 2 ? tp.pool : nullptr);
          CHECK(res.provider == "ref");
          expect_close(res.outputs[0], s, reference_bn(in, static_cast<double>(1e-3f), true),
                       t == DType::Float ? 1e-5 : 1e-12);
        }
      }
    }
  }
}

TEST_CASE("BatchNormalization default epsilon and mixed parameter dtypes (opset 15)", "[batchnorm]") {
  for (auto [xt, pt] : {std::pair{DType::Float, DType::Double}, std::pair{DType::Double, DType::Float}}) {
    BnInputs in = bn_inputs({2, 3, 5, 5}, {3}, xt, pt, 3);
    NodeResult res = run_node(bn_node(in, 15));
    CHECK(res.outputs[0].dtype() == xt);
    expect_close(res.outputs[0], {2, 3, 5, 5}, reference_bn(in, static_cast<double>(1e-5f), true),
                 xt == DType::Float ? 1e-5 : 1e-6);
  }
}

TEST_CASE("BatchNormalization spatial = 0 (opsets before 9)", "[batchnorm]") {
  for (int64_t opset : {6, 7}) {
    BnInputs in = bn_inputs({3, 2, 3, 4}, {2, 3, 4}, DType::Float, DType::Float, 21);
    std::vector<Attribute> attrs{attr_int("spatial", 0)};
    expect_close(run_node(bn_node(in, opset, attrs)).outputs[0], {3, 2, 3, 4},
                 reference_bn(in, static_cast<double>(1e-5f), false), 1e-5);
    // At opset 9 the attribute no longer exists: parameters must be per channel.
    CHECK_THROWS_AS(run_node(bn_node(in, 9, attrs)), Error);
  }
}

TEST_CASE("BatchNormalization runs again with new shapes", "[batchnorm]") {
  for (bool constant : {true, false}) {
    INFO("constant parameters " << constant);
    BnInputs in = bn_inputs({1, 4, 3, 3}, {4}, DType::Float, DType::Float, 31);
    OpTester t(bn_node(in, 14, {}, constant));
    uint32_t seed = 40;
    bool first = true;
    for (Shape s : {Shape{1, 4, 3, 3}, Shape{5, 4, 2, 7}, Shape{2, 4}}) {
      BnInputs step = in;
      if (!first) {
        step.x = random_tensor<float>(s, seed++);
        if (!constant) step.var = random_tensor<float>({4}, seed++, 0.1, 2);
        t.then({step.x, step.scale, step.bias, step.mean, step.var});
      }
      first = false;
      t.expect(make_tensor(DType::Float, s, reference_bn(step, static_cast<double>(1e-5f), true)));
    }
    t.tolerance(1e-5, 1e-5).dynamic_shapes().threads(2).run();
  }
}

TEST_CASE("BatchNormalization training mode (opset 14, 15)", "[batchnorm]") {
  TestThreadPool tp(2);
  uint32_t seed = 60;
  for (Shape s : {Shape{2, 3, 4, 5}, Shape{4, 2}, Shape{1, 3, 2, 2, 3}}) {
    for (auto [xt, pt] : {std::pair{DType::Float, DType::Float}, std::pair{DType::Double, DType::Double},
                          std::pair{DType::Float, DType::Double}}) {
      for (int64_t opset : {14, 15}) {
        if (opset == 14 && xt != pt) continue;
        for (size_t outputs : {1, 3}) {
          INFO(shape_to_string(s) << " " << dtype_name(xt) << "/" << dtype_name(pt) << " opset " << opset
                                  << " outputs " << outputs);
          BnInputs in = bn_inputs(s, {s[1]}, xt, pt, seed++);
          NodeRun r = bn_node(
              in, opset,
              {attr_int("training_mode", 1), attr_float("momentum", 0.7f), attr_float("epsilon", 1e-2f)});
          r.num_outputs = outputs;
          NodeResult res = run_node(r, seed % 2 ? tp.pool : nullptr);
          // Batch statistics per channel, then the usual formula with them.
          const std::vector<double> x = to_doubles(in.x);
          const int64_t c_n = s[1], inner = in.x.numel() / (s[0] * c_n);
          std::vector<double> mean(static_cast<size_t>(c_n), 0), var(static_cast<size_t>(c_n), 0);
          const double count = static_cast<double>(s[0] * inner);
          for (size_t i = 0; i < x.size(); ++i)
            mean[(i / static_cast<size_t>(inner)) % static_cast<size_t>(c_n)] += x[i] / count;
          for (size_t i = 0; i < x.size(); ++i) {
            const size_t c = (i / static_cast<size_t>(inner)) % static_cast<size_t>(c_n);
            var[c] += (x[i] - mean[c]) * (x[i] - mean[c]) / count;
          }
          BnInputs batch = in;
          batch.mean = Tensor::from_vector<double>(mean, {c_n});
          batch.var = Tensor::from_vector<double>(var, {c_n});
          const double tol = xt == DType::Float ? 1e-5 : 1e-11;
          expect_close(res.outputs[0], s, reference_bn(batch, static_cast<double>(1e-2f), true), tol);
          if (outputs == 3) {
            const std::vector<double> m0 = to_doubles(in.mean), v0 = to_doubles(in.var);
            std::vector<double> rm, rv;
            const double mom = static_cast<double>(0.7f);
            for (size_t c = 0; c < mean.size(); ++c) {
              rm.push_back(m0[c] * mom + mean[c] * (1 - mom));
              rv.push_back(v0[c] * mom + var[c] * (1 - mom));
            }
            CHECK(res.outputs[1].dtype() == pt);
            expect_close(res.outputs[1], {c_n}, rm, pt == DType::Float ? 1e-6 : 1e-12);
            expect_close(res.outputs[2], {c_n}, rv, pt == DType::Float ? 1e-6 : 1e-12);
          }
        }
      }
    }
  }
}

TEST_CASE("BatchNormalization rejects training outputs and invalid nodes with Error", "[batchnorm][errors]") {
  BnInputs in = bn_inputs({2, 3, 4, 4}, {3}, DType::Float, DType::Float, 1);
  SECTION("running statistics requested without training_mode") {
    for (int64_t opset : {7, 9, 14, 15}) {
      NodeRun r = bn_node(in, opset);
      r.num_outputs = 3;
      CHECK_THROWS_WITH(run_node(r), Catch::Contains("training mode"));
    }
  }
  SECTION("saved statistics requested (opset 6)") {
    NodeRun r = bn_node(in, 6, {attr_int("is_test", 0)});
    r.num_outputs = 5;
    CHECK_THROWS_WITH(run_node(r), Catch::Contains("training mode"));
  }
  SECTION("bad training_mode, too many outputs, parameters of the wrong size") {
    CHECK_THROWS_AS(run_node(bn_node(in, 14, {attr_int("training_mode", 2)})), Error);
    NodeRun five = bn_node(in, 15, {attr_int("training_mode", 1)});
    five.num_outputs = 5;
    CHECK_THROWS_AS(run_node(five), Error);
    BnInputs bad = in;
    bad.var = random_tensor<float>({4}, 2);
    CHECK_THROWS_AS(run_node(bn_node(bad, 14, {attr_int("training_mode", 1)})), Error);
    CHECK_THROWS_AS(run_node(bn_node(bad, 14, {attr_int("training_mode", 1)}, false)), Error);
  }
  SECTION("parameter of the wrong size") {
    BnInputs bad = in;
    bad.mean = random_tensor<float>({4}, 2);
    CHECK_THROWS_AS(run_node(bn_node(bad, 14)), Error);
    CHECK_THROWS_AS(run_node(bn_node(bad, 14, {}, false)), Error);
  }
  SECTION("X of rank 1") {
    BnInputs bad = in;
    bad.x = random_tensor<float>({3}, 2);
    CHECK_THROWS_AS(run_node(bn_node(bad, 14)), Error);
  }
  SECTION("missing input") {
    NodeRun r = bn_node(in, 14);
    r.inputs.pop_back();
    CHECK_THROWS_AS(run_node(r), Error);
  }
  SECTION("parameter dtype differs before opset 15") {
    BnInputs bad = in;
    bad.scale = cast_tensor(in.scale, DType::Double);
    CHECK_THROWS_AS(run_node(bn_node(bad, 14)), Error);
  }
  SECTION("bad spatial / is_test / epsilon") {
    CHECK_THROWS_AS(run_node(bn_node(in, 7, {attr_int("spatial", 2)})), Error);
    CHECK_THROWS_AS(run_node(bn_node(in, 6, {attr_int("is_test", 5)})), Error);
    CHECK_THROWS_AS(run_node(bn_node(in, 14, {attr_float("epsilon", -1.f)})), Error);
    CHECK_THROWS_AS(run_node(bn_node(in, 14, {attr_int("epsilon", 1)})), Error);
  }
}

TEST_CASE("Conv + training-mode BatchNormalization is not folded", "[batchnorm]") {
  Graph g;
  g.initializers["w"] = random_tensor<float>({3, 2, 3, 3}, 1);
  for (const char* p : {"gamma", "beta", "mean", "var"})
    g.initializers[p] = random_tensor<float>({3}, 2, 0.5, 1.5);
  Node conv;
  conv.op_type = "Conv";
  conv.inputs = {"x", "w"};
  conv.outputs = {"c"};
  Node bn;
  bn.op_type = "BatchNormalization";
  bn.inputs = {"c", "gamma", "beta", "mean", "var"};
  bn.outputs = {"y"};
  bn.attributes["training_mode"] = attr_int("training_mode", 1);
  g.nodes = {conv, bn};
  ValueInfo x, y;
  x.name = "x";
  y.name = "y";
  g.inputs = {x};
  g.outputs = {y};
  PassStats st;
  CHECK_FALSE(fold_batchnorm_into_conv(g, st));
  g.nodes[1].attributes["training_mode"] = attr_int("training_mode", 0);
  CHECK(fold_batchnorm_into_conv(g, st));
}
