// Gelu (20), Swish (24) and SwiGLU (28) against ONNX's reference evaluator
// (activation_cases.inc, from gen/gen_activation_cases.py), and their error cases.
#include <catch2/catch.hpp>

#include "tests/harness/generated_case.h"

#include "tests/ops/math/activation_cases.inc"

using namespace onnxi;
using namespace onnxi::test;

TEST_CASE("Gelu, Swish, SwiGLU: reference evaluator cases", "[activation]") {
  for (const GeneratedCase& c : activation_cases()) {
    INFO(c.name);
    // The evaluator's function bodies use float32 constants (sqrt(2/pi), 0.044715) even for
    // double; the kernel uses double ones.
    const bool dbl = c.outputs[0].dtype() == DType::Double;
    OpTester t = generated_tester(c);
    if (dbl) t.tolerance(1e-6, 1e-12);
    t.run();
    OpTester tc = generated_tester(c, true);
    if (dbl) tc.tolerance(1e-6, 1e-12);
    tc.dynamic_shapes().run();
  }
}

TEST_CASE("Gelu, Swish, SwiGLU: bfloat16, threads, invalid nodes", "[activation]") {
  Tensor x = random_float({3, 4000}, 7, -5, 5);
  Tensor y = OpTester("Gelu", 20).input(x).threads(3).run().ref();
  OpTester("Gelu", 20)
      .input(make_tensor(DType::BFloat16, x.shape(), values_of(x)))
      .expect(make_tensor(DType::BFloat16, y.shape(), values_of(y)))
      .tolerance(1e-2, 1e-2)
      .run();
  const Tensor xd = make_tensor(DType::Double, {5}, {-7.5, -5.90625, -0.25, 1e-3, 3.0});
  std::vector<double> want;
  for (double v : values_of(xd)) want.push_back(0.5 * v * std::erfc(-v / std::sqrt(2.0)));
  OpTester("Gelu", 20).input(xd).expect_values(want).tolerance(1e-9, 1e-300).run();
  OpTester("Gelu", 20).input(x).attr(attr_string("approximate", "fast")).expect_error("approximate");
  OpTester("Swish", 24).input(ints({1}, {1})).expect_error("float");
  OpTester("SwiGLU", 28).input(x).input(random_float({3, 1}, 2)).expect_error("one shape");
  OpTester("SwiGLU", 28).input(x).expect_error("2 inputs");
  OpTester("SwiGLU", 28).input(x).input(make_tensor(DType::Double, {3, 4000}, values_of(x))).expect_error("dtype");
}
