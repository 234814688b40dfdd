// Attention (23, 24, 25) against ONNX's reference evaluator (attention_cases.inc, from
// gen/gen_attention.py), plus bfloat16, threading, larger shapes and error cases.
#include <catch2/catch.hpp>

#include "tests/harness/generated_case.h"

#include "tests/ops/attention/attention_cases.inc"

using namespace onnxi;
using namespace onnxi::test;

TEST_CASE("Attention: reference evaluator cases", "[attention]") {
  for (const GeneratedCase& c : attention_cases()) {
    INFO(c.name);
    generated_tester(c).run();
    generated_tester(c, true).dynamic_shapes().run();
  }
}

TEST_CASE("Attention: bfloat16 computes in float", "[attention]") {
  const GeneratedCase c = attention_cases().at(0);
  OpTester t("Attention", 23);
  auto bf16 = [](const Tensor& x) { return make_tensor(DType::BFloat16, x.shape(), values_of(x)); };
  for (const Tensor& x : c.inputs) t.input(bf16(x));
  t.expect(bf16(c.outputs[0])).tolerance(2e-2, 2e-2).run();
}

TEST_CASE("Attention: larger heads, threads and the blocked products agree", "[attention]") {
  // 70 query rows span two row blocks; GQA with a past cache, causal.
  Tensor q = random_float({2, 4, 70, 16}, 1), k = random_float({2, 2, 70, 16}, 2), v = random_float({2, 2, 70, 8}, 3);
  Tensor pk = random_float({2, 2, 5, 16}, 4), pv = random_float({2, 2, 5, 8}, 5);
  OpTester t("Attention", 23);
  t.attr(attr_int("is_causal", 1)).input(q).input(k).input(v).absent().input(pk).input(pv).outputs(4).threads(3);
  auto res = t.run();
  // Row 0 of head 0, batch 0 attends the 5 past keys and the first new key only.
  const Tensor& y = res.ref(0);
  std::vector<double> s(6), w(8, 0.0);
  double mx = -1e30, sum = 0;
  for (int j = 0; j < 6; ++j) {
    double dot = 0;
    for (int e = 0; e < 16; ++e)
      dot += get_value(q, e) * (j < 5 ? get_value(pk, j * 16 + e) : get_value(k, e));
    s[j] = dot / 4.0;
    mx = std::max(mx, s[j]);
  }
  for (double& x : s) sum += x = std::exp(x - mx);
  for (int j = 0; j < 6; ++j)
    for (int e = 0; e < 8; ++e) w[e] += s[j] / sum * (j < 5 ? get_value(pv, j * 8 + e) : get_value(v, e));
  for (int e = 0; e < 8; ++e) CHECK(get_value(y, e) == Approx(w[e]).epsilon(1e-5).margin(1e-6));
  REQUIRE(res.ref(1).shape() == Shape{2, 2, 75, 16});
  REQUIRE(res.ref(3).shape() == Shape{2, 4, 70, 75});
}

TEST_CASE("Attention: empty dims", "[attention]") {
  // No head elements: every score is 0, so each row averages V.
  Tensor v = random_float({1, 1, 3, 2}, 3);
  std::vector<double> want;
  for (int r = 0; r < 2; ++r)
    for (int e = 0; e < 2; ++e) want.push_back((get_value(v, e) + get_value(v, 2 + e) + get_value(v, 4 + e)) / 3);
  OpTester("Attention", 23).input(Tensor(DType::Float, {1, 1, 2, 0})).input(Tensor(DType::Float, {1, 1, 3, 0}))
      .input(v).expect_values(want).run();
  OpTester("Attention", 23).input(Tensor(DType::Float, {1, 1, 0, 4})).input(random_float({1, 1, 3, 4}, 1))
      .input(v).outputs(4).run();
}

TEST_CASE("Attention: invalid nodes are errors", "[attention]") {
  Tensor q = random_float({1, 2, 3, 4}, 1), k = random_float({1, 2, 5, 4}, 2), v = random_float({1, 2, 5, 3}, 3);
  auto base = [&](int64_t opset = 23) {
    OpTester t("Attention", opset);
    t.input(q).input(k).input(v);
    return t;
  };
  base().attr(attr_int("qk_matmul_output_mode", 4)).expect_error("qk_matmul_output_mode");
  base().attr(attr_int("softmax_precision", 7)).expect_error("softmax_precision");
  base().attr(attr_float("softcap", -1.0f)).expect_error("softcap");
  base().attr(attr_int("is_causal", 2)).expect_error("is_causal");
  base(25).attr(attr_int("q_num_heads", 2)).expect_error("4-D");
  base(25).attr(attr_int("left_window_size", -2)).expect_error("window");
  OpTester("Attention", 23).input(q).input(random_float({1, 2, 5, 3}, 4)).input(v).expect_error("head sizes");
  OpTester("Attention", 23).input(q).input(random_float({1, 3, 5, 4}, 4)).input(random_float({1, 3, 5, 3}, 4))
      .expect_error("multiple");
  OpTester("Attention", 23).input(random_float({1, 3, 8}, 1)).input(random_float({1, 5, 8}, 1))
      .input(random_float({1, 5, 6}, 1)).expect_error("q_num_heads");
  OpTester("Attention", 23).input(random_float({1, 3, 8}, 1)).input(random_float({1, 5, 8}, 1))
      .input(random_float({1, 5, 6}, 1)).attr(attr_int("q_num_heads", 3)).attr(attr_int("kv_num_heads", 2))
      .expect_error("multiples");
  base().input(random_float({2, 2, 3, 5}, 5)).expect_error("broadcast");
  base().input(random_float({3, 6}, 5)).expect_error("longer");
  base().absent().input(random_float({1, 2, 1, 4}, 5)).expect_error("together");
  base().absent().input(random_float({1, 2, 1, 3}, 5)).input(random_float({1, 2, 1, 3}, 5)).expect_error("past_key");
  base(24).absent().absent().absent().input(ints({6}, {1})).expect_error("nonpad_kv_seqlen");
  base(24).absent().absent().absent().input(ints({1, 2}, {2})).expect_error("[batch]");
  base().absent().input(ints(std::vector<int64_t>(8, 1), {1, 2, 1, 4})).input(random_float({1, 2, 1, 3}, 5))
      .expect_error("dtypes");
  OpTester("Attention", 23).input(ints({1}, {1, 1, 1, 1})).input(k).input(v).expect_error("float");
  OpTester("Attention", 23).input(q).input(k).expect_error("needs inputs");
  base(23).absent().absent().absent().input(ints({1}, {1})).expect_error("at most 6");
}
