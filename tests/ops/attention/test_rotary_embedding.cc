// RotaryEmbedding (23) against ONNX's reference evaluator (rotary_cases.inc, from
// gen/gen_attention.py), and its error cases.
#include <catch2/catch.hpp>

#include "tests/harness/generated_case.h"

#include "tests/ops/attention/rotary_cases.inc"

using namespace onnxi;
using namespace onnxi::test;

TEST_CASE("RotaryEmbedding: reference evaluator cases", "[rotary]") {
  for (const GeneratedCase& c : rotary_cases()) {
    INFO(c.name);
    generated_tester(c).threads(2).run();
    generated_tester(c, true).dynamic_shapes().run();
  }
}

TEST_CASE("RotaryEmbedding: invalid nodes are errors", "[rotary]") {
  const Tensor x = random_float({1, 2, 3, 4}, 1), cache = random_float({5, 2}, 2);
  auto rope = [&](const Tensor& in, const Tensor& c, const Tensor& pos) {
    OpTester t("RotaryEmbedding", 23);
    t.input(in).input(c).input(c).input(pos);
    return t;
  };
  rope(x, cache, ints({0, 1, 5}, {1, 3})).expect_error("position id 5");
  rope(x, cache, ints({0, 1}, {1, 2})).expect_error("position_ids");
  rope(x, random_float({5, 3}, 2), ints({0, 1, 2}, {1, 3})).expect_error("cos_cache");
  rope(random_float({1, 3, 8}, 1), cache, ints({0, 1, 2}, {1, 3})).expect_error("num_heads");
  rope(x, cache, ints({0, 1, 2}, {1, 3})).attr(attr_int("rotary_embedding_dim", 3)).expect_error("even");
  rope(x, cache, ints({0, 1, 2}, {1, 3})).attr(attr_int("interleaved", 2)).expect_error("interleaved");
  OpTester("RotaryEmbedding", 23).input(x).input(cache).input(random_float({5, 1}, 3)).expect_error("differ");
  OpTester("RotaryEmbedding", 23).input(make_tensor(DType::Double, {1, 1, 1, 2}, {1, 2})).input(cache).input(cache)
      .expect_error("float");
}
