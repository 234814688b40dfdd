// FlexAttention (ai.onnx.preview 1) against ONNX's reference evaluator
// (flex_attention_cases.inc, from gen/gen_attention.py), run as one-node models since
// its score_mod / prob_mod graph attributes need the model's opset imports; and its
// error cases.
#include <catch2/catch.hpp>

#include "runtime/session_internal.h"
#include "tests/harness/generated_case.h"

namespace {

// The graph y = op(x, x) on tensors of `t` (the case generator builds the same).
onnxi::Graph self_op_graph(const std::string& op, onnxi::DType t) {
  using namespace onnxi::test;
  return make_graph({make_node(op, {"x", "x"}, {"y"})}, {unshaped("x", t)}, {unshaped("y", t)});
}

}  // namespace

#include "tests/ops/attention/flex_attention_cases.inc"

using namespace onnxi;
using namespace onnxi::test;

namespace {

// Runs a FlexAttention node with `attrs` on Q, K, V in a model importing ai.onnx 23 and
// ai.onnx.preview 1.
std::vector<Tensor> run_flex(const std::vector<Attribute>& attrs, const std::vector<Tensor>& qkv,
                             const std::string& provider = "ref") {
  Graph g = make_graph({make_node("FlexAttention", {"q", "k", "v"}, {"y"}, attrs)},
                       {unshaped("q", qkv[0].dtype()), unshaped("k", qkv[1].dtype()), unshaped("v", qkv[2].dtype())},
                       {unshaped("y", qkv[0].dtype())});
  g.nodes[0].domain = "ai.onnx.preview";
  Model m = make_model(std::move(g), 23);
  m.opsets["ai.onnx.preview"] = 1;
  SessionOptions o;
  o.threads = 2;
  o.force_provider = provider;
  return make_session(std::move(m), o)->run({{"q", qkv[0]}, {"k", qkv[1]}, {"v", qkv[2]}});
}

}  // namespace

TEST_CASE("FlexAttention: reference evaluator cases", "[flex_attention]") {
  for (const GeneratedCase& c : flex_attention_cases()) {
    INFO(c.name);
    for (const std::string& p : test_providers()) {
      const std::vector<Tensor> y = run_flex(c.attrs, c.inputs, p);
      // The evaluator rounds the scale to float32 even for double inputs.
      const bool dbl = c.outputs[0].dtype() == DType::Double;
      require_close(y.at(0), c.outputs[0], dbl ? Tolerance{1e-6, 1e-9} : default_tolerance(c.outputs[0].dtype()),
                    c.name + " on " + p);
    }
  }
}

TEST_CASE("FlexAttention: invalid nodes are errors", "[flex_attention]") {
  const Tensor q = random_float({1, 2, 3, 4}, 1), k = random_float({1, 2, 5, 4}, 2), v = random_float({1, 2, 5, 3}, 3);
  auto fails = [&](std::vector<Attribute> attrs, std::vector<Tensor> in, const std::string& what) {
    try {
      run_flex(attrs, in);
      FAIL("no error, expected " << what);
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(what) != std::string::npos);
    }
  };
  fails({}, {q, random_float({1, 2, 5, 3}, 2), v}, "head sizes");
  fails({}, {q, random_float({1, 3, 5, 4}, 2), random_float({1, 3, 5, 3}, 2)}, "multiple");
  fails({}, {random_float({2, 3, 4}, 1), k, v}, "4-D");
  fails({attr_int("softmax_precision", 3)}, {q, k, v}, "softmax_precision");
  fails({attr_graph("score_mod", self_op_graph("Add", DType::Double))}, {q, k, v}, "score_mod");
}
