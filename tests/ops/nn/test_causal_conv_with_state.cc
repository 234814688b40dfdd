// CausalConvWithState (27) against ONNX's reference evaluator (causal_conv_cases.inc, from
// gen/gen_norm_cases.py), and its error cases.
#include <catch2/catch.hpp>

#include "tests/harness/generated_case.h"

#include "tests/ops/nn/causal_conv_cases.inc"

using namespace onnxi;
using namespace onnxi::test;

TEST_CASE("CausalConvWithState: reference evaluator cases", "[causal_conv]") {
  for (const GeneratedCase& c : causal_conv_cases()) {
    INFO(c.name);
    generated_tester(c).threads(2).run();
    generated_tester(c, true).dynamic_shapes().run();
  }
}

TEST_CASE("CausalConvWithState: invalid nodes are errors", "[causal_conv]") {
  const Tensor x = random_float({1, 2, 5}, 1), w = random_float({2, 1, 3}, 2);
  OpTester("CausalConvWithState", 27).input(x).input(random_float({3, 1, 3}, 2)).expect_error("weight");
  OpTester("CausalConvWithState", 27).input(x).input(random_float({2, 1, 0}, 2)).expect_error("weight");
  OpTester("CausalConvWithState", 27).input(x).input(w).input(random_float({3}, 3)).expect_error("bias");
  OpTester("CausalConvWithState", 27).input(x).input(w).absent().input(random_float({1, 2, 3}, 3))
      .expect_error("past_state");
  OpTester("CausalConvWithState", 27).input(random_float({2, 5}, 1)).input(w).expect_error("[B, C, L]");
  OpTester("CausalConvWithState", 27).input(x).input(w).attr(attr_string("activation", "relu"))
      .expect_error("activation");
  OpTester("CausalConvWithState", 27).input(make_tensor(DType::Double, {1, 1, 1}, {1})).input(w).expect_error("float");
}
