// Graph structure checks and the graph rewrite passes, on hand-built graphs.
#include <catch2/catch.hpp>
#include <cmath>

#include "runtime/passes/pass.h"
#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

TEST_CASE("topological_order sorts, and rejects cycles, undefined inputs and double producers") {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {1})};
  g.outputs = {value_info("z", DType::Float, {1})};
  g.nodes = {make_node("Relu", {"y"}, {"z"}), make_node("Relu", {"x"}, {"y"})};
  auto order = topological_order(g);
  REQUIRE(order == std::vector<size_t>{1, 0});

  Graph cyc = g;
  cyc.nodes = {make_node("Relu", {"b"}, {"a"}), make_node("Relu", {"a"}, {"b"}), make_node("Relu", {"x"}, {"z"})};
  CHECK_THROWS_WITH(topological_order(cyc), Catch::Contains("cycle"));

  Graph undef = g;
  undef.nodes = {make_node("Relu", {"nope"}, {"z"})};
  CHECK_THROWS_WITH(topological_order(undef), Catch::Contains("undefined value 'nope'"));

  Graph twice = g;
  twice.nodes = {make_node("Relu", {"x"}, {"z"}), make_node("Relu", {"x"}, {"z"}, {}, "second")};
  CHECK_THROWS_WITH(topological_order(twice), Catch::Contains("produced by both"));

  Graph no_out = g;
  no_out.nodes = {make_node("Relu", {"x"}, {"y"})};
  CHECK_THROWS_WITH(topological_order(no_out), Catch::Contains("never produced"));
}

TEST_CASE("fold_batchnorm_into_conv scales weights and shifts the bias") {
  const int64_t m = 3, c = 2;
  Graph g;
  g.inputs = {value_info("x", DType::Float, {1, c, 5, 5})};
  g.outputs = {value_info("y", DType::Float, {1, m, 5, 5})};
  g.initializers["w"] = random_tensor({m, c, 3, 3}, 1);
  g.initializers["b"] = random_tensor({m}, 2);
  g.initializers["gamma"] = random_tensor({m}, 3, 0.5f, 1.5f);
  g.initializers["beta"] = random_tensor({m}, 4);
  g.initializers["mean"] = random_tensor({m}, 5);
  g.initializers["var"] = random_tensor({m}, 6, 0.5f, 2.f);
  g.nodes = {make_node("Conv", {"x", "w", "b"}, {"c"}, {attr_ints("pads", {1, 1, 1, 1})}),
             make_node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"},
                       {attr_float("epsilon", 1e-3f)})};
  Graph orig = g;
  PassStats st;
  REQUIRE(fold_batchnorm_into_conv(g, st));
  REQUIRE(g.nodes.size() == 1);
  const Node& conv = g.nodes[0];
  CHECK(conv.op_type == "Conv");
  CHECK(conv.outputs[0] == "y");
  const Tensor& w2 = g.initializers.at(conv.inputs[1]);
  const Tensor& b2 = g.initializers.at(conv.inputs[2]);
  for (int64_t o = 0; o < m; ++o) {
    double s = orig.initializers["gamma"].data<float>()[o] /
               std::sqrt(double(orig.initializers["var"].data<float>()[o]) + 1e-3);
    for (int64_t k = 0; k < c * 9; ++k)
      CHECK(w2.data<float>()[o * c * 9 + k] == Approx(orig.initializers["w"].data<float>()[o * c * 9 + k] * s));
    double want_b = (orig.initializers["b"].data<float>()[o] - orig.initializers["mean"].data<float>()[o]) * s +
                    orig.initializers["beta"].data<float>()[o];
    CHECK(b2.data<float>()[o] == Approx(want_b));
  }
  CHECK_FALSE(fold_batchnorm_into_conv(g, st));
}

TEST_CASE("fold_batchnorm_into_conv leaves shared conv outputs alone") {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {1, 1, 4, 4})};
  g.outputs = {value_info("y", DType::Float, {}), value_info("c", DType::Float, {})};
  g.initializers["w"] = random_tensor({1, 1, 1, 1}, 1);
  for (auto n : {"gamma", "beta", "mean", "var"}) g.initializers[n] = random_tensor({1}, 2, 0.5f, 1.f);
  g.nodes = {make_node("Conv", {"x", "w"}, {"c"}),
             make_node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"})};
  PassStats st;
  CHECK_FALSE(fold_batchnorm_into_conv(g, st));  // c is a graph output too
}

// conv -> relu -> conv -> add(residual) -> relu -> GAP -> flatten
static Graph residual_block() {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {-1, 4, 8, 8})};
  g.outputs = {value_info("y", DType::Float, {-1, 4})};
  g.initializers["w1"] = random_tensor({4, 4, 3, 3}, 1);
  g.initializers["w2"] = random_tensor({4, 4, 3, 3}, 2);
  g.initializers["b2"] = random_tensor({4}, 3);
  g.initializers["scale"] = random_tensor({4, 1, 1}, 4);
  auto pads = attr_ints("pads", {1, 1, 1, 1});
  g.nodes = {make_node("Conv", {"x", "w1"}, {"c1"}, {pads}),
             make_node("Relu", {"c1"}, {"r1"}),
             make_node("Conv", {"r1", "w2", "b2"}, {"c2"}, {pads}),
             make_node("Add", {"c2", "r1"}, {"s"}),
             make_node("Mul", {"s", "scale"}, {"m"}),
             make_node("Relu", {"m"}, {"r2"}),
             make_node("MaxPool", {"r2"}, {"p"}, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})}),
             make_node("GlobalAveragePool", {"p"}, {"g"}),
             make_node("Flatten", {"g"}, {"y"})};
  return g;
}

TEST_CASE("optimize_graph runs a conv chain in NHWC with one transpose per boundary") {
  Graph g = residual_block();
  PassStats st = optimize_graph(g);
  CHECK(count_ops(g, "NhwcConv") == 2);
  CHECK(count_ops(g, "NhwcMaxPool") == 1);
  CHECK(count_ops(g, "NhwcGlobalAveragePool") == 1);
  CHECK(count_ops(g, "Transpose") == 2);  // x -> NHWC at the input, GAP output -> NCHW
  CHECK(count_ops(g, "Relu") == 1);       // the first one is fused into the conv
  CHECK(st.transposes_inserted > st.transposes_removed);
  // The per-channel constant was permuted to NHWC broadcasting.
  bool permuted = false;
  for (const auto& n : g.nodes)
    if (n.op_type == "Mul")
      for (const auto& in : n.inputs)
        if (g.initializers.count(in) && g.initializers.at(in).shape() == Shape{1, 1, 1, 4}) permuted = true;
  CHECK(permuted);
  CHECK_NOTHROW(topological_order(g));
}

TEST_CASE("cancel_transposes removes inverse pairs and merges others") {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {1, 2, 3, 4})};
  g.outputs = {value_info("y", DType::Float, {}), value_info("z", DType::Float, {})};
  g.nodes = {make_transpose("t1", "x", "a", {0, 2, 3, 1}), make_transpose("t2", "a", "b", {0, 3, 1, 2}),
             make_node("Relu", {"b"}, {"y"}), make_transpose("t3", "a", "z", {1, 0, 2, 3})};
  PassStats st;
  while (cancel_transposes(g, st)) {
  }
  eliminate_dead_nodes(g, st);
  // Relu reads x directly; z = transpose(x) with the composed permutation.
  for (const auto& n : g.nodes) {
    if (n.op_type == "Relu") CHECK(n.inputs[0] == "x");
    if (n.outputs[0] == "z") {
      CHECK(n.inputs[0] == "x");
      CHECK(n.attributes.at("perm").ints == std::vector<int64_t>{2, 0, 3, 1});
    }
  }
}

TEST_CASE("cancel_transposes leaves invalid perms to the Transpose kernel") {
  // Found by fuzz_run: perm {0, 7, 1, 2} composed with another indexed past the end of p1.
  for (const std::vector<int64_t>& bad :
       {std::vector<int64_t>{0, 7, 1, 2}, std::vector<int64_t>{0, 0, 1, 2}, std::vector<int64_t>{-1, 0, 1, 2}}) {
    Graph g;
    g.inputs = {value_info("x", DType::Float, {1, 2, 3, 4})};
    g.outputs = {value_info("y", DType::Float, {})};
    g.nodes = {make_transpose("t1", "x", "a", {0, 2, 3, 1}), make_transpose("t2", "a", "y", bad)};
    PassStats st;
    CHECK_FALSE(cancel_transposes(g, st));
    g.nodes = {make_transpose("t1", "x", "a", bad), make_transpose("t2", "a", "y", {0, 2, 3, 1})};
    CHECK_FALSE(cancel_transposes(g, st));
    std::vector<int64_t> perm;
    CHECK_FALSE(transpose_perm(g.nodes[0], &perm));
  }
  // Found by fuzz_run: a Transpose without inputs (or outputs) reached the passes, which read
  // inputs[0]; such nodes are left to the kernel, which reports them.
  Graph g;
  g.inputs = {value_info("x", DType::Float, {1, 2, 3, 4})};
  g.outputs = {value_info("y", DType::Float, {})};
  g.nodes = {make_transpose("t1", "x", "a", {0, 2, 3, 1}), make_transpose("t2", "a", "y", {0, 3, 1, 2})};
  g.nodes[1].inputs.clear();
  PassStats st;
  CHECK_FALSE(cancel_transposes(g, st));
  std::vector<int64_t> perm;
  CHECK_FALSE(transpose_perm(g.nodes[1], &perm));
  g.nodes[1].inputs = {"a"};
  g.nodes[1].outputs.clear();
  CHECK_FALSE(cancel_transposes(g, st));
  CHECK_NOTHROW(optimize_graph(g));
}

TEST_CASE("convert_to_nhwc leaves a Conv without outputs to the kernel") {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {1, 4, 8, 8})};
  g.initializers["w"] = random_tensor({4, 4, 3, 3}, 1);
  g.nodes = {make_node("Conv", {"x", "w"}, {}, {}, "conv")};
  PassStats st;
  CHECK_FALSE(convert_to_nhwc(g, st));
}

TEST_CASE("transpose_constant permutes any fixed-size dtype") {
  Tensor t = Tensor::from_vector<int64_t>({0, 1, 2, 3, 4, 5}, {2, 3});
  Tensor u = transpose_constant(t, {1, 0});
  REQUIRE(u.shape() == Shape{3, 2});
  CHECK(std::vector<int64_t>(u.data<int64_t>(), u.data<int64_t>() + 6) == std::vector<int64_t>{0, 3, 1, 4, 2, 5});
}

// conv -> relu -> conv -> add(residual) -> relu: the ResNet block's tail.
static Graph add_relu_block() {
  Graph g;
  g.inputs = {value_info("x", DType::Float, {-1, 4, 8, 8})};
  g.outputs = {value_info("y", DType::Float, {-1, 4, 8, 8})};
  g.initializers["w1"] = random_tensor({4, 4, 3, 3}, 1);
  g.initializers["w2"] = random_tensor({4, 4, 3, 3}, 2);
  auto pads = attr_ints("pads", {1, 1, 1, 1});
  g.nodes = {make_node("Conv", {"x", "w1"}, {"c1"}, {pads}), make_node("Relu", {"c1"}, {"r1"}),
             make_node("Conv", {"r1", "w2"}, {"c2"}, {pads}), make_node("Add", {"r1", "c2"}, {"s"}),
             make_node("Relu", {"s"}, {"y"})};
  return g;
}

TEST_CASE("fuse_conv_add folds the residual Add and its Relu into the convolution") {
  Graph g = add_relu_block();
  PassStats st = optimize_graph(g);
  CHECK(count_ops(g, "NhwcConv") == 2);
  CHECK(count_ops(g, "Add") == 0);
  CHECK(count_ops(g, "Relu") == 0);
  CHECK(st.rewrites["fuse_conv_add"] == 1);
  CHECK(st.rewrites["fuse_conv_activation"] == 2);
  size_t with_z = 0;
  for (const auto& n : g.nodes)
    if (n.op_type == "NhwcConv" && n.inputs.size() == 4) {
      ++with_z;
      CHECK(n.inputs[2].empty());  // no bias
      REQUIRE(n.find_attribute("activation_min"));
      CHECK(n.find_attribute("activation_min")->f == 0.0f);
    }
  CHECK(with_z == 1);
  CHECK_NOTHROW(topological_order(g));
}

TEST_CASE("fuse_conv_add leaves an Add of a graph input, and a conv with other consumers, alone") {
  Graph g = add_relu_block();
  g.nodes[3].inputs = {"x", "c2"};  // x is NCHW, not an NHWC value
  optimize_graph(g);
  CHECK(count_ops(g, "Add") == 1);

  Graph h = add_relu_block();
  h.outputs.push_back(value_info("c2", DType::Float, {-1, 4, 8, 8}));  // c2 must stay
  optimize_graph(h);
  CHECK(count_ops(h, "Add") == 1);
}
