// Session behaviour on hand-built graphs: rewrites keep results, dynamic shapes re-plan,
// inputs are validated, errors carry node context.
#include <catch2/catch.hpp>
#include <cmath>

#include "runtime/session_internal.h"
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

// conv -> relu -> conv(+bias) -> add(residual) -> mul(per-channel) -> relu -> maxpool -> GAP -> flatten -> gemm
Graph small_cnn() {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {-1, 3, 9, 9})};
  g.outputs = {value_info("y", DType::Float, {-1, 5})};
  g.initializers["w1"] = random_tensor({4, 3, 3, 3}, 1);
  g.initializers["w2"] = random_tensor({4, 4, 3, 3}, 2);
  g.initializers["b2"] = random_tensor({4}, 3);
  g.initializers["scale"] = random_tensor({4, 1, 1}, 4, 0.5f, 1.5f);
  g.initializers["gamma"] = random_tensor({4}, 5, 0.5f, 1.5f);
  g.initializers["beta"] = random_tensor({4}, 6);
  g.initializers["mean"] = random_tensor({4}, 7);
  g.initializers["var"] = random_tensor({4}, 8, 0.5f, 2.f);
  g.initializers["fc"] = random_tensor({5, 4}, 9);
  g.initializers["fcb"] = random_tensor({5}, 10);
  auto pads = attr_ints("pads", {1, 1, 1, 1});
  g.nodes = {make_node("Conv", {"x", "w1"}, {"c1"}, {pads}),
             make_node("BatchNormalization", {"c1", "gamma", "beta", "mean", "var"}, {"bn1"}),
             make_node("Relu", {"bn1"}, {"r1"}),
             make_node("Conv", {"r1", "w2", "b2"}, {"c2"}, {pads}),
             make_node("Add", {"c2", "r1"}, {"s"}),
             make_node("Mul", {"s", "scale"}, {"m"}),
             make_node("Relu", {"m"}, {"r2"}),
             make_node("MaxPool", {"r2"}, {"p"}, {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2})}),
             make_node("GlobalAveragePool", {"p"}, {"g"}),
             make_node("Flatten", {"g"}, {"f"}),
             make_node("Gemm", {"f", "fc", "fcb"}, {"y"}, {attr_int("transB", 1)})};
  return g;
}

double max_rel_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  double d = 0, m = 1e-12;
  for (int64_t i = 0; i < a.numel(); ++i) {
    d = std::max(d, std::fabs(double(a.data<float>()[i]) - b.data<float>()[i]));
    m = std::max(m, std::fabs(double(b.data<float>()[i])));
  }
  return d / m;
}

Tensor run1(const Graph& g, const SessionOptions& o, const Tensor& x) {
  auto s = make_session(make_model(g), o);
  return s->run({{"x", x}}).at(0);
}

}  // namespace

TEST_CASE("session: optimized, unoptimized and reference runs agree") {
  Graph g = small_cnn();
  for (int64_t batch : {1, 3}) {
    Tensor x = random_tensor({batch, 3, 9, 9}, 100 + static_cast<uint32_t>(batch));
    SessionOptions opt, noopt, ref;
    noopt.optimize = false;
    ref.optimize = false;
    ref.force_provider = "ref";
    Tensor a = run1(g, opt, x), b = run1(g, noopt, x), c = run1(g, ref, x);
    CHECK(max_rel_diff(a, c) < 1e-5);
    CHECK(max_rel_diff(b, c) < 1e-5);
  }
}

TEST_CASE("session: one session re-plans when the batch changes") {
  auto s = make_session(make_model(small_cnn()), {});
  Tensor x3 = random_tensor({3, 3, 9, 9}, 1);
  Tensor y3 = s->run({{"x", x3}}).at(0);
  for (int64_t b = 0; b < 3; ++b) {
    Tensor x1(DType::Float, {1, 3, 9, 9});
    std::copy(x3.data<float>() + b * 243, x3.data<float>() + (b + 1) * 243, x1.data<float>());
    Tensor y1 = s->run({{"x", x1}}).at(0);
    for (int64_t j = 0; j < 5; ++j) CHECK(y1.data<float>()[j] == Approx(y3.data<float>()[b * 5 + j]).epsilon(1e-5));
  }
  CHECK(max_rel_diff(s->run({{"x", x3}}).at(0), y3) == 0.0);
}

TEST_CASE("session: the optimized plan runs convs in NHWC and frees packed weights") {
  SessionOptions o;
  o.profile = true;
  auto s = make_session(make_model(small_cnn()), o);
  s->run({{"x", random_tensor({2, 3, 9, 9}, 1)}});
  size_t transposes = 0, bn = 0;
  for (const auto& p : s->profile()) {
    transposes += p.op_type == "Transpose";
    bn += p.op_type == "BatchNormalization";
    CHECK(p.times_ms.size() == 1);
  }
  CHECK(transposes == 2);
  CHECK(bn == 0);
  PlanStats st = s->plan_stats();
  CHECK(st.rewrites["fold_batchnorm_into_conv"] == 1);
  CHECK(st.rewrites["fuse_conv_activation"] == 1);
  CHECK(st.arena_bytes > 0);
  // Conv weights live packed in the kernels; the FC's (fc, fcb: 25 floats) stay unpacked,
  // since every execution context packs its own XNNPACK operator from them.
  CHECK(st.weights_bytes >= 25 * sizeof(float));
  CHECK(st.weights_bytes < 25 * sizeof(float) + 64);
}

TEST_CASE("session: input validation and error context") {
  Graph g;
  g.inputs = {value_info("a", DType::Float, {2, -1}), value_info("b", DType::Float, {-1})};
  g.outputs = {value_info("y", DType::Float, {})};
  g.nodes = {make_node("Add", {"a", "b"}, {"y"}, {}, "the_add")};
  auto s = make_session(make_model(g), {});
  CHECK(s->run({{"a", random_tensor({2, 4}, 1)}, {"b", random_tensor({4}, 2)}}).at(0).shape() == Shape{2, 4});
  CHECK_THROWS_WITH(s->run({{"a", random_tensor({2, 4}, 1)}}), Catch::Contains("missing input 'b'"));
  CHECK_THROWS_WITH(s->run({{"a", random_tensor({3, 4}, 1)}, {"b", random_tensor({4}, 2)}}),
                    Catch::Contains("has shape [3,4], the model expects [2,N]"));
  // Broadcast failure at run time names the node and op.
  CHECK_THROWS_WITH(s->run({{"a", random_tensor({2, 4}, 1)}, {"b", random_tensor({3}, 2)}}),
                    Catch::Contains("node 'the_add' (ai.onnx::Add, opset 13)"));
  // The output requested by name, and an unknown one.
  CHECK(s->run({{"a", random_tensor({2, 1}, 1)}, {"b", random_tensor({1}, 2)}}, {"y"}).size() == 1);
  CHECK_THROWS_WITH(s->run({{"a", random_tensor({2, 1}, 1)}, {"b", random_tensor({1}, 2)}}, {"z"}),
                    Catch::Contains("unknown output 'z'"));
}

TEST_CASE("session: every unsupported op is listed at once") {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {1})};
  g.outputs = {value_info("z", DType::Float, {})};
  g.nodes = {make_node("FancyOp", {"x"}, {"y"}), make_node("OtherOp", {"y"}, {"z"})};
  g.nodes[1].domain = "com.example";
  Model m = make_model(g);
  m.opsets["com.example"] = 2;
  CHECK_THROWS_WITH(make_session(m, {}),
                    Catch::Contains("ai.onnx::FancyOp at opset 13 (onnxi does not implement it); "
                                    "com.example::OtherOp at opset 2 (onnxi does not implement it)"));
}

TEST_CASE("free_variables lists what nested subgraphs capture") {
  auto inner = std::make_shared<Graph>();
  inner->nodes = {make_node("Add", {"outer_a", "local"}, {"o"})};
  inner->inputs = {value_info("local", DType::Float, {1})};
  auto mid = std::make_shared<Graph>();
  mid->nodes = {make_node("Relu", {"outer_b"}, {"local2"}), make_node("If", {"cond"}, {"r"})};
  Attribute ga;
  ga.name = "then_branch";
  ga.kind = Attribute::Kind::Graph;
  ga.g = inner;
  mid->nodes[1].attributes["then_branch"] = ga;
  CHECK(free_variables(*mid) == std::vector<std::string>{"cond", "outer_a", "outer_b"});
}

TEST_CASE("session: a residual Add fused into the conv agrees with the unfused graph on every provider") {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {-1, 8, 10, 10})};
  g.outputs = {value_info("y", DType::Float, {-1, 16, 10, 10})};
  g.initializers["w1"] = random_tensor({16, 8, 3, 3}, 1);
  g.initializers["b1"] = random_tensor({16}, 2);
  g.initializers["w2"] = random_tensor({16, 16, 1, 1}, 3);
  g.initializers["b2"] = random_tensor({16}, 4);
  g.initializers["w3"] = random_tensor({16, 8, 1, 1}, 5);
  auto pads = attr_ints("pads", {1, 1, 1, 1});
  g.nodes = {make_node("Conv", {"x", "w1", "b1"}, {"c1"}, {pads}), make_node("Relu", {"c1"}, {"r1"}),
             make_node("Conv", {"r1", "w2", "b2"}, {"c2"}), make_node("Conv", {"x", "w3"}, {"c3"}),
             make_node("Add", {"c2", "c3"}, {"s"}), make_node("Relu", {"s"}, {"y"})};
  for (int64_t batch : {1, 2}) {
    Tensor x = random_tensor({batch, 8, 10, 10}, 50 + static_cast<uint32_t>(batch));
    SessionOptions ref;
    ref.optimize = false;
    ref.force_provider = "ref";
    Tensor want = run1(g, ref, x);
    std::vector<std::string> providers{""};
    for (const ProviderInfo& p : available_providers())
      if (p.selectable) providers.push_back(p.name);
    for (const std::string& provider : providers) {
      INFO("provider '" << provider << "' batch " << batch);
      SessionOptions o;
      o.force_provider = provider;
      o.profile = true;
      auto s = make_session(make_model(g), o);
      Tensor got = s->run({{"x", x}}).at(0);
      CHECK(max_rel_diff(got, want) < 1e-5);
      CHECK(s->plan_stats().rewrites["fuse_conv_add"] == 1);
      for (const auto& p : s->profile()) CHECK(p.op_type != "Add");
    }
  }
}
