// LinearAttention (27) against ONNX's reference evaluator (linear_attention_cases.inc,
// from gen/gen_attention.py), and its error cases.
#include <catch2/catch.hpp>

#include "tests/harness/generated_case.h"

#include "tests/ops/attention/linear_attention_cases.inc"

using namespace onnxi;
using namespace onnxi::test;

TEST_CASE("LinearAttention: reference evaluator cases", "[linear_attention]") {
  for (const GeneratedCase& c : linear_attention_cases()) {
    INFO(c.name);
    generated_tester(c).threads(2).run();
    generated_tester(c, true).dynamic_shapes().run();
  }
}

TEST_CASE("LinearAttention: invalid nodes are errors", "[linear_attention]") {
  const Tensor q = random_float({1, 2, 4}, 1), k = random_float({1, 2, 4}, 2), v = random_float({1, 2, 2}, 3);
  auto la = [&](const std::string& rule) {
    OpTester t("LinearAttention", 27);
    t.attr(attr_int("q_num_heads", 2)).attr(attr_int("kv_num_heads", 2)).attr(attr_string("update_rule", rule));
    t.input(q).input(k).input(v);
    return t;
  };
  la("gated").expect_error("needs decay");
  la("linear").absent().input(random_float({1, 2, 2}, 4)).expect_error("takes no decay");
  la("delta").expect_error("needs beta");
  la("fast").expect_error("update_rule");
  la("linear").input(random_float({1, 2, 2, 2}, 4)).expect_error("past_state");
  la("gated").absent().input(random_float({1, 2, 3}, 4)).expect_error("decay");
  la("delta").absent().absent().input(random_float({1, 2, 3}, 4)).expect_error("beta");
  OpTester("LinearAttention", 27).attr(attr_string("update_rule", "linear")).input(q).input(k).input(v)
      .expect_error("q_num_heads");
  OpTester("LinearAttention", 27).attr(attr_string("update_rule", "linear")).attr(attr_int("q_num_heads", 3)).attr(attr_int("kv_num_heads", 2))
      .input(q).input(k).input(v).expect_error("multiple");
  OpTester("LinearAttention", 27).attr(attr_int("q_num_heads", 2)).attr(attr_int("kv_num_heads", 2))
      .attr(attr_string("update_rule", "linear")).input(q).input(random_float({1, 3, 4}, 2)).input(v)
      .expect_error("disagree");
}
