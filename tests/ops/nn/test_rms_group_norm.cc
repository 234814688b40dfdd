// RMSNormalization (23) and GroupNormalization (18, 21) against ONNX's reference
// evaluator (norm_cases.inc, from gen/gen_norm_cases.py), and their error cases.
#include <catch2/catch.hpp>

#include "tests/harness/generated_case.h"

#include "tests/ops/nn/norm_cases.inc"

using namespace onnxi;
using namespace onnxi::test;

TEST_CASE("RMSNormalization and GroupNormalization: reference evaluator cases", "[norm]") {
  for (const GeneratedCase& c : norm_cases()) {
    INFO(c.name);
    generated_tester(c).threads(2).run();
    generated_tester(c, true).dynamic_shapes().run();
  }
}

TEST_CASE("RMSNormalization: Y takes scale's dtype; invalid nodes are errors", "[norm]") {
  Tensor x = random_float({2, 3}, 1);
  std::vector<double> w = {0.5, -1, 2};
  Tensor y = OpTester("RMSNormalization", 23)
                 .input(make_tensor(DType::Float16, {2, 3}, values_of(x)))
                 .input(make_tensor(DType::Float, {3}, w))
                 .run()
                 .ref();
  REQUIRE(y.dtype() == DType::Float);
  OpTester("RMSNormalization", 23).input(x).input(random_float({2}, 2)).expect_error("broadcast");
  OpTester("RMSNormalization", 23).input(x).input(random_float({3}, 2)).attr(attr_int("axis", 2)).expect_error("axis");
  OpTester("RMSNormalization", 23).input(x).input(random_float({3}, 2)).attr(attr_float("epsilon", -1.0f))
      .expect_error("epsilon");
  OpTester("RMSNormalization", 23).input(x).input(random_float({3}, 2)).attr(attr_int("stash_type", 7))
      .expect_error("stash_type");
  OpTester("RMSNormalization", 23).input(ints({1, 2}, {2})).input(random_float({2}, 2)).expect_error("float");
  OpTester("RMSNormalization", 23).input(x).expect_error("inputs");
}

TEST_CASE("GroupNormalization: invalid nodes are errors", "[norm]") {
  const Tensor x = random_float({1, 4, 3}, 1), p2 = random_float({2}, 2), p4 = random_float({4}, 3);
  auto gn = [&](int64_t opset, const Tensor& scale, int64_t groups) {
    OpTester t("GroupNormalization", opset);
    t.input(x).input(scale).input(scale).attr(attr_int("num_groups", groups));
    return t;
  };
  gn(21, p2, 2).expect_error("[channels]");
  gn(18, p4, 2).expect_error("[num_groups]");
  gn(21, p4, 3).expect_error("divide");
  gn(21, p4, 0).expect_error("positive");
  gn(21, p4, 2).attr(attr_int("stash_type", 3)).expect_error("stash_type");
  OpTester("GroupNormalization", 21).input(random_float({4}, 1)).input(p4).input(p4).attr(attr_int("num_groups", 1))
      .expect_error("rank");
  OpTester("GroupNormalization", 21).input(x).input(p4).input(p4).expect_error("num_groups");
}
