// Binary and unary elementwise kernels against plain reference loops written here, on both
// providers where XNNPACK has the op.
#include <cmath>
#include <functional>
#include <limits>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

const std::vector<std::pair<Shape, Shape>> kBroadcastCases = {
    {{2, 3, 4}, {2, 3, 4}},                 // same shape
    {{2, 3}, {}},                           // scalar right
    {{}, {5}},                              // scalar left
    {{2, 3, 4, 5}, {3, 1, 1}},              // per-channel [C,1,1] vs NCHW
    {{1, 3, 1, 1}, {2, 3, 4, 5}},           // per-channel on the left
    {{3, 1}, {1, 4}},                       // both sides broadcast
    {{2, 1, 4}, {3, 1}},                    // both sides, different ranks
    {{4}, {2, 3, 4}},                       // trailing vector
    {{0, 3}, {3}},                          // zero-size
    {{2, 0, 3}, {1, 1, 3}},                 // zero-size in the middle
    {{1}, {1}},                             // single element
    {{2, 1, 3, 1, 2, 1, 2}, {3, 2, 2, 1}},  // rank 7: beyond XNNPACK's 6 dims
    {{17, 33}, {33}},                       // odd sizes
};

using BinFn = std::function<double(double, double)>;

// Test-side reference: out[i] = f(a[bcast], b[bcast]).
std::vector<double> ref_binary(const Tensor& a, const Tensor& b, const BinFn& f, Shape* out_shape) {
  REQUIRE(test_broadcast(a.shape(), b.shape(), out_shape));
  int64_t n = 1;
  for (int64_t d : *out_shape) n *= d;
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    out[i] = f(get_value(a, broadcast_index(a.shape(), *out_shape, i)),
               get_value(b, broadcast_index(b.shape(), *out_shape, i)));
  return out;
}

NodeRun binary_node(const std::string& op, const Tensor& a, const Tensor& b, int64_t opset = 13) {
  NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.inputs = {a, b};
  return r;
}

struct ArithCase {
  const char* op;
  BinFn f;
};
const ArithCase kArith[] = {
    {"Add", [](double x, double y) { return x + y; }},
    {"Sub", [](double x, double y) { return x - y; }},
    {"Mul", [](double x, double y) { return x * y; }},
    {"Div", [](double x, double y) { return x / y; }},
    {"Max", [](double x, double y) { return std::max(x, y); }},
    {"Min", [](double x, double y) { return std::min(x, y); }},
};

}  // namespace

TEST_CASE("Add/Sub/Mul/Div/Max/Min float: both providers over broadcast shapes", "[elementwise][binary]") {
  for (const auto& op : kArith) {
    for (size_t c = 0; c < kBroadcastCases.size(); ++c) {
      const auto& [sa, sb] = kBroadcastCases[c];
      Tensor a = random_float(sa, 10 + c), b = random_float(sb, 100 + c, 0.5, 3);
      Shape out_shape;
      std::vector<double> want = ref_binary(a, b, op.f, &out_shape);
      INFO(op.op << " " << shape_to_string(sa) << " x " << shape_to_string(sb));
      OpTester t(binary_node(op.op, a, b));
      t.expect_values(want).tolerance(1e-6, 1e-6);
      Tensor y = t.run().ref();
      REQUIRE(y.dtype() == DType::Float);
      REQUIRE(y.shape() == out_shape);
    }
  }
}

TEST_CASE("Add on a large per-channel tensor", "[elementwise][binary]") {
  Tensor a = random_float({2, 64, 28, 28}, 1), b = random_float({64, 1, 1}, 2);
  Tensor r = OpTester(binary_node("Add", a, b)).threads(2).tolerance(0, 0).run().ref();
  Shape s;
  require_values(r,
                 ref_binary(
                     a, b, [](double p, double q) { return p + q; }, &s),
                 1e-6);
}

TEST_CASE("Binary arithmetic over every numeric dtype (ref)", "[elementwise][binary]") {
  const DType dtypes[] = {DType::Double, DType::Float16, DType::BFloat16, DType::Int8,
                          DType::Int16,  DType::Int32,   DType::Int64,    DType::UInt8,
                          DType::UInt16, DType::UInt32,  DType::UInt64};
  for (DType t : dtypes) {
    const bool is_int = t != DType::Double && t != DType::Float16 && t != DType::BFloat16;
    const bool is_unsigned =
        t == DType::UInt8 || t == DType::UInt16 || t == DType::UInt32 || t == DType::UInt64;
    for (const auto& op : kArith) {
      std::string name = op.op;
      // Unsigned Sub would wrap; keep the minuend larger.
      Tensor a = random_tensor(t, {2, 3, 4}, 7, is_unsigned ? 8 : -8, is_unsigned ? 15 : 8);
      Tensor b = random_tensor(t, {3, 1}, 8, 1, 4);
      BinFn f = op.f;
      if (name == "Div" && is_int) f = [](double x, double y) { return std::trunc(x / y); };
      Shape s;
      std::vector<double> want = ref_binary(a, b, f, &s);
      if (t == DType::Float16 || t == DType::BFloat16)
        for (double& w : want) w = static_cast<double>(static_cast<float>(w));
      INFO(name << " " << dtype_name(t));
      Tensor y = run_all(binary_node(name, a, b));
      REQUIRE(y.dtype() == t);
      double tol = t == DType::Float16 ? 1e-3 : t == DType::BFloat16 ? 8e-3 : 0;
      require_values(y, want, tol, tol);
    }
  }
}

TEST_CASE("Integer division truncates, wraps INT_MIN/-1 and rejects zero", "[elementwise][binary]") {
  Tensor a = Tensor::from_vector<int32_t>({7, -7, 7, -7, INT32_MIN}, {5});
  Tensor b = Tensor::from_vector<int32_t>({2, 2, -2, -2, -1}, {5});
  Tensor y = run_all(binary_node("Div", a, b));
  std::vector<int32_t> want = {3, -3, -3, 3, INT32_MIN};
  for (int i = 0; i < 5; ++i) CHECK(y.data<int32_t>()[i] == want[i]);
  Tensor zero = Tensor::from_vector<int32_t>({1, 0, 1, 1, 1}, {5});
  expect_error_all(binary_node("Div", a, zero));
  expect_error_all(binary_node("Mod", a, zero));
}

TEST_CASE("Integer overflow wraps instead of trapping", "[elementwise][binary]") {
  Tensor a = Tensor::from_vector<int64_t>({INT64_MAX, INT64_MIN}, {2});
  Tensor b = Tensor::from_vector<int64_t>({1, 1}, {2});
  Tensor y = run_all(binary_node("Add", a, b));
  CHECK(y.data<int64_t>()[0] == INT64_MIN);
  Tensor u = Tensor::from_vector<uint16_t>({65535}, {1});
  Tensor p = run_all(binary_node("Mul", u, u));
  CHECK(p.data<uint16_t>()[0] == 1);
}

TEST_CASE("Variadic Max/Min: one, two and three inputs with broadcasting", "[elementwise][binary]") {
  Tensor a = random_float({2, 1, 4}, 1), b = random_float({3, 1}, 2), c = random_float({4}, 3);
  for (const char* op : {"Max", "Min"}) {
    bool is_max = std::string(op) == "Max";
    auto f = [is_max](double x, double y) { return is_max ? std::max(x, y) : std::min(x, y); };
    NodeRun r;
    r.op_type = op;
    r.opset = 13;
    r.inputs = {a};
    require_same(run_all(r), a);
    r.inputs = {a, b, c};
    Shape s1, s2;
    std::vector<double> ab = ref_binary(a, b, f, &s1);
    Tensor abt = make_tensor(DType::Float, s1, ab);
    std::vector<double> want = ref_binary(abt, c, f, &s2);
    Tensor y = run_all(r);
    REQUIRE(y.shape() == Shape{2, 3, 4});
    require_values(y, want);
    // XNNPACK takes exactly two inputs; with three it declines to ref.
    r.provider = "";
    REQUIRE(run_node(r).provider == "ref");
  }
}

TEST_CASE("NaN propagates through every provider's arithmetic, Max/Min and activations", "[elementwise][nan]") {
  // ONNX, numpy and ONNX Runtime all give NaN here. XNNPACK's maximum/minimum return the
  // other operand instead, and its clamp the bound, so the binary ops, Relu and Clip have no
  // XNNPACK kernel (this test failed when they had: Max on xnnpack gave 0 for max(NaN, 0),
  // Add/Sub/Mul/Div -inf, Relu 0).
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor a = Tensor::from_vector<float>({nan, 1, 2, nan}, {4});
  Tensor b = Tensor::from_vector<float>({0, nan, 1, nan}, {4});
  for (const auto& [op, third] : std::vector<std::pair<const char*, double>>{
           {"Max", 2}, {"Min", 1}, {"Add", 3}, {"Sub", 1}, {"Mul", 2}, {"Div", 2}}) {
    INFO(op);
    check_all(binary_node(op, a, b), {NAN, NAN, third, NAN});
    NodeRun r = binary_node(op, a, b);
    r.provider = "";
    Tensor y = run_node(r).outputs[0];  // the best provider, as a session picks it
    CHECK(std::isnan(y.data<float>()[0]));
    CHECK(std::isnan(y.data<float>()[1]));
  }
  for (const char* op : {"Relu", "LeakyRelu", "Elu", "HardSwish", "Sigmoid", "Abs", "Neg", "Sqrt", "Floor", "Ceil",
                         "Round", "Tanh", "Exp"}) {
    INFO(op);
    NodeRun r;
    r.op_type = op;
    r.opset = 14;  // HardSwish
    r.inputs = {Tensor::from_vector<float>({nan, -nan}, {2})};
    check_all(r, {NAN, NAN});
  }
  NodeRun clip;
  clip.op_type = "Clip";
  clip.inputs = {Tensor::from_vector<float>({nan, 3}, {2}), Tensor::scalar<float>(-1), Tensor::scalar<float>(1)};
  clip.constant = {false, true, true};
  check_all(clip, {NAN, 1});
}

TEST_CASE("Incompatible broadcast is an Error", "[elementwise][binary]") {
  Tensor a = random_float({2, 3}, 1), b = random_float({4}, 2);
  expect_error_all(binary_node("Add", a, b));
  expect_error_all(binary_node("Equal", a, b));
}

TEST_CASE("Mismatched input dtypes are a build Error", "[elementwise][binary]") {
  Tensor a = random_float({2}, 1);
  Tensor b = Tensor::from_vector<double>({1, 2}, {2});
  expect_error_all(binary_node("Add", a, b));
  Tensor s = Tensor::from_vector<std::string>({"a", "b"}, {2});
  expect_error_all(binary_node("Add", s, s));
}

TEST_CASE("Legacy broadcast/axis attributes (opset < 7)", "[elementwise][binary]") {
  Tensor a = random_float({2, 3, 4, 5}, 1);
  Tensor b = random_float({3, 4}, 2);
  NodeRun r = binary_node("Add", a, b, 6);
  r.attributes = {attr_int("broadcast", 1), attr_int("axis", 1)};
  Tensor b4 = b.reshaped({3, 4, 1});
  Shape s;
  std::vector<double> want = ref_binary(
      a, b4, [](double x, double y) { return x + y; }, &s);
  Tensor y = OpTester(r).expect_values(want).tolerance(1e-6, 0).run().ref();
  REQUIRE(y.shape() == a.shape());
  // Default axis: B matches A's trailing dims.
  Tensor c = random_float({4, 5}, 3);
  NodeRun r2 = binary_node("Mul", a, c, 6);
  r2.attributes = {attr_int("broadcast", 1)};
  want = ref_binary(
      a, c, [](double x, double y) { return x * y; }, &s);
  check_all(r2, want, 1e-6);
  // Scalar B.
  Tensor one = Tensor::from_vector<float>({2}, {1});
  r2.inputs = {a, one};
  want = ref_binary(
      a, one, [](double x, double y) { return x * y; }, &s);
  check_all(r2, want, 1e-6);
  // broadcast=0 with different shapes, and a B that does not fit at the axis.
  NodeRun bad = binary_node("Add", a, b, 6);
  expect_error_all(bad);
  bad.attributes = {attr_int("broadcast", 1), attr_int("axis", 2)};
  expect_error_all(bad);
}

TEST_CASE("Pow: float, integer and mixed exponent types", "[elementwise][binary]") {
  Tensor a = random_float({2, 3}, 1, 0.5, 2), b = random_float({3}, 2, -2, 2);
  Shape s;
  check_all(binary_node("Pow", a, b), ref_binary(
                     a, b, [](double x, double y) { return std::pow(x, y); }, &s), 1e-5);
  Tensor ia = Tensor::from_vector<int64_t>({2, -3, 5, 1, -1, 0}, {6});
  Tensor ib = Tensor::from_vector<int64_t>({10, 3, 0, -2, -3, 4}, {6});
  Tensor y = run_all(binary_node("Pow", ia, ib));
  std::vector<int64_t> want = {1024, -27, 1, 1, -1, 0};
  for (int i = 0; i < 6; ++i) CHECK(y.data<int64_t>()[i] == want[i]);
  // int32 base with a float exponent; float base with an int exponent.
  Tensor i32 = Tensor::from_vector<int32_t>({4, 9, 2}, {3});
  Tensor half = Tensor::from_vector<float>({0.5f, 0.5f, 3.0f}, {3});
  Tensor yi = run_all(binary_node("Pow", i32, half));
  REQUIRE(yi.dtype() == DType::Int32);
  CHECK(yi.data<int32_t>()[0] == 2);
  CHECK(yi.data<int32_t>()[1] == 3);
  CHECK(yi.data<int32_t>()[2] == 8);
  Tensor fb = Tensor::from_vector<float>({1.5f, 2.0f}, {2});
  Tensor ie = Tensor::from_vector<int64_t>({2, -1}, {2});
  Tensor yf = run_all(binary_node("Pow", fb, ie));
  CHECK(yf.data<float>()[0] == 2.25f);
  CHECK(yf.data<float>()[1] == 0.5f);
}

TEST_CASE("Mod: sign of divisor (fmod=0) and C fmod (fmod=1)", "[elementwise][binary]") {
  Tensor a = Tensor::from_vector<int32_t>({7, -7, 7, -7, 6}, {5});
  Tensor b = Tensor::from_vector<int32_t>({3, 3, -3, -3, -1}, {5});
  NodeRun r = binary_node("Mod", a, b);
  Tensor y = run_all(r);
  std::vector<int32_t> py = {1, 2, -2, -1, 0};
  for (int i = 0; i < 5; ++i) CHECK(y.data<int32_t>()[i] == py[i]);
  r.attributes = {attr_int("fmod", 1)};
  y = run_all(r);
  std::vector<int32_t> c = {1, -1, 1, -1, 0};
  for (int i = 0; i < 5; ++i) CHECK(y.data<int32_t>()[i] == c[i]);
  Tensor fa = Tensor::from_vector<float>({5.5f, -5.5f}, {2}), fb = Tensor::from_vector<float>({2, 2}, {2});
  NodeRun fr = binary_node("Mod", fa, fb);
  expect_error_all(fr);  // floats need fmod=1
  fr.attributes = {attr_int("fmod", 1)};
  check_all(fr, {1.5, -1.5});
  Tensor ua = Tensor::from_vector<uint8_t>({200, 7}, {2}), ub = Tensor::from_vector<uint8_t>({7, 200}, {2});
  check_all(binary_node("Mod", ua, ub), {4, 7});
}

TEST_CASE("PRelu: scalar, per-channel and legacy 1-D slopes", "[elementwise][binary]") {
  Tensor x = random_float({2, 3, 4, 4}, 1);
  auto f = [](double v, double s) { return v < 0 ? v * s : v; };
  Shape s;
  Tensor scalar = Tensor::from_vector<float>({0.25f}, {1});
  check_all(binary_node("PRelu", x, scalar), ref_binary(x, scalar, f, &s), 1e-6);
  Tensor per_c = random_float({3, 1, 1}, 2);
  check_all(binary_node("PRelu", x, per_c), ref_binary(x, per_c, f, &s), 1e-6);
  // opset 6: a 1-D slope of size C applies along axis 1.
  Tensor c1 = random_float({3}, 3);
  check_all(binary_node("PRelu", x, c1, 6), ref_binary(x, c1.reshaped({3, 1, 1}), f, &s), 1e-6);
  // The slope must broadcast to X, not the other way round.
  Tensor big = random_float({5, 2, 3, 4, 4}, 4);
  expect_error_all(binary_node("PRelu", x, big));
  Tensor xi = Tensor::from_vector<int32_t>({-4, 4}, {2}), si = Tensor::from_vector<int32_t>({3}, {1});
  check_all(binary_node("PRelu", xi, si, 16), {-12, 4});
}

TEST_CASE("Comparisons give bool over numeric dtypes; Equal on bool and strings", "[elementwise][binary]") {
  struct Cmp {
    const char* op;
    BinFn f;
  };
  const Cmp cmps[] = {{"Equal", [](double x, double y) { return double(x == y); }},
                      {"Less", [](double x, double y) { return double(x < y); }},
                      {"Greater", [](double x, double y) { return double(x > y); }},
                      {"LessOrEqual", [](double x, double y) { return double(x <= y); }},
                      {"GreaterOrEqual", [](double x, double y) { return double(x >= y); }}};
  for (DType t :
       {DType::Float, DType::Double, DType::Int32, DType::Int64, DType::UInt8, DType::Float16, DType::Int8}) {
    Tensor a = random_tensor(t, {3, 4}, 1, 0, 3), b = random_tensor(t, {4}, 2, 0, 3);
    for (const auto& c : cmps) {
      INFO(c.op << " " << dtype_name(t));
      Shape s;
      Tensor y = run_all(binary_node(c.op, a, b));
      REQUIRE(y.dtype() == DType::Bool);
      require_values(y, ref_binary(a, b, c.f, &s));
    }
  }
  Tensor ba = Tensor::from_vector<bool>({true, false, true}, {3}),
         bb = Tensor::from_vector<bool>({true}, {1});
  check_all(binary_node("Equal", ba, bb), {1, 0, 1});
  Tensor sa = Tensor::from_vector<std::string>({"x", "yy", "z"}, {3}),
         sb = Tensor::from_vector<std::string>({"yy"}, {});
  check_all(binary_node("Equal", sa, sb, 19), {0, 1, 0});
}

TEST_CASE("And/Or/Xor on bool with broadcasting", "[elementwise][binary]") {
  Tensor a = Tensor::from_vector<bool>({true, false, true, false}, {2, 2});
  Tensor b = Tensor::from_vector<bool>({true, false}, {2, 1});
  check_all(binary_node("And", a, b), {1, 0, 0, 0});
  check_all(binary_node("Or", a, b), {1, 1, 1, 0});
  check_all(binary_node("Xor", a, b), {0, 1, 1, 0});
  Tensor f = random_float({2}, 1);
  expect_error_all(binary_node("And", f, f));
}

TEST_CASE("BitShift left and right on unsigned types", "[elementwise][binary]") {
  Tensor a = Tensor::from_vector<uint8_t>({16, 4, 1, 255}, {4});
  Tensor b = Tensor::from_vector<uint8_t>({1, 2, 8, 4}, {4});
  NodeRun r = binary_node("BitShift", a, b, 11);
  r.attributes = {attr_string("direction", "RIGHT")};
  check_all(r, {8, 1, 0, 15});
  r.attributes = {attr_string("direction", "LEFT")};
  check_all(r, {32, 16, 0, 240});
  Tensor a64 = Tensor::from_vector<uint64_t>({1}, {1}), b64 = Tensor::from_vector<uint64_t>({63}, {1});
  NodeRun r64 = binary_node("BitShift", a64, b64, 11);
  r64.attributes = {attr_string("direction", "LEFT")};
  CHECK(run_all(r64).data<uint64_t>()[0] == (uint64_t{1} << 63));
  r.attributes = {attr_string("direction", "UP")};
  expect_error_all(r);
}

// ---------------- unary ----------------

namespace {

struct UnaryCase {
  const char* op;
  std::function<double(double)> f;
  double lo, hi;  // input range
  std::vector<Attribute> attrs = {};
  int64_t opset = 13;
};

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

const std::vector<UnaryCase>& unary_cases() {
  static const std::vector<UnaryCase> cases = {
      {"Relu", [](double x) { return x < 0 ? 0 : x; }, -3, 3},
      {"LeakyRelu", [](double x) { return x < 0 ? 0.01 * x : x; }, -3, 3},
      {"LeakyRelu", [](double x) { return x < 0 ? 0.2 * x : x; }, -3, 3, {attr_float("alpha", 0.2f)}},
      {"Sigmoid", sigmoid, -8, 8},
      {"Tanh", [](double x) { return std::tanh(x); }, -4, 4},
      {"Elu", [](double x) { return x < 0 ? (std::exp(x) - 1) : x; }, -4, 4},
      {"Elu",
       [](double x) { return x < 0 ? 0.5 * (std::exp(x) - 1) : x; },
       -4,
       4,
       {attr_float("alpha", 0.5f)}},
      {"Selu",
       [](double x) {
         return 1.05070102214813232421875 * (x <= 0 ? 1.67326319217681884765625 * (std::exp(x) - 1) : x);
       },
       -3, 3},
      {"Celu",
       [](double x) { return std::max(0.0, x) + std::min(0.0, 2.0 * (std::exp(x / 2.0) - 1)); },
       -3,
       3,
       {attr_float("alpha", 2.0f)}},
      {"HardSigmoid", [](double x) { return std::max(0.0, std::min(1.0, 0.2 * x + 0.5)); }, -4, 4},
      {"HardSwish", [](double x) { return x * std::max(0.0, std::min(1.0, x / 6 + 0.5)); }, -5, 5, {}, 14},
      {"Softplus", [](double x) { return std::log(std::exp(x) + 1); }, -10, 10},
      {"Softsign", [](double x) { return x / (1 + std::fabs(x)); }, -5, 5},
      {"ThresholdedRelu", [](double x) { return x > 1 ? x : 0; }, -3, 3},
      {"Abs", [](double x) { return std::fabs(x); }, -3, 3},
      {"Neg", [](double x) { return -x; }, -3, 3},
      {"Sign", [](double x) { return x > 0   ? 1.0
                                     : x < 0 ? -1.0
                                             : 0.0; }, -3, 3},
      {"Exp", [](double x) { return std::exp(x); }, -5, 5},
      {"Log", [](double x) { return std::log(x); }, 0.01, 10},
      {"Sqrt", [](double x) { return std::sqrt(x); }, 0, 10},
      {"Reciprocal", [](double x) { return 1 / x; }, 0.1, 10},
      {"Floor", [](double x) { return std::floor(x); }, -5, 5},
      {"Ceil", [](double x) { return std::ceil(x); }, -5, 5},
      {"Round", [](double x) { return std::nearbyint(x); }, -5, 5},
      {"Erf", [](double x) { return std::erf(x); }, -3, 3},
      {"Sin", [](double x) { return std::sin(x); }, -3, 3},
      {"Cos", [](double x) { return std::cos(x); }, -3, 3},
      {"Tan", [](double x) { return std::tan(x); }, -1.2, 1.2},
      {"Asin", [](double x) { return std::asin(x); }, -1, 1},
      {"Acos", [](double x) { return std::acos(x); }, -1, 1},
      {"Atan", [](double x) { return std::atan(x); }, -3, 3},
      {"Sinh", [](double x) { return std::sinh(x); }, -3, 3},
      {"Cosh", [](double x) { return std::cosh(x); }, -3, 3},
      {"Asinh", [](double x) { return std::asinh(x); }, -3, 3},
      {"Acosh", [](double x) { return std::acosh(x); }, 1, 5},
      {"Atanh", [](double x) { return std::atanh(x); }, -0.99, 0.99},
  };
  return cases;
}

bool has_xnnpack(const std::string& op) {
  for (const char* x :
       {"LeakyRelu", "Sigmoid", "Elu", "HardSwish", "Abs", "Neg", "Sqrt", "Floor", "Ceil", "Round"})
    if (op == x) return true;
  return false;
}

NodeRun unary_node(const UnaryCase& c, const Tensor& x) {
  NodeRun r;
  r.op_type = c.op;
  r.opset = c.opset;
  r.attributes = c.attrs;
  r.inputs = {x};
  return r;
}

}  // namespace

TEST_CASE("Unary float ops against double references, both providers", "[elementwise][unary]") {
  const Shape shapes[] = {{2, 3, 4}, {}, {0, 5}, {1000}};
  for (const auto& c : unary_cases()) {
    for (size_t si = 0; si < std::size(shapes); ++si) {
      Tensor x = random_float(shapes[si], 5 + si, c.lo, c.hi);
      if (std::string(c.op) == "Round" && x.numel() > 3) {  // exercise exact halves
        x.data<float>()[0] = 2.5f;
        x.data<float>()[1] = -1.5f;
        x.data<float>()[2] = 0.5f;
      }
      std::vector<double> want;
      for (double v : values_of(x)) want.push_back(c.f(v));
      INFO(c.op << " " << shape_to_string(shapes[si]));
      OpTester t(unary_node(c, x));
      t.expect_values(want).tolerance(2e-6, 1e-6).tolerance("xnnpack", 1e-5, 1e-6);
      if (has_xnnpack(c.op)) t.require("xnnpack");
      Tensor y = t.run().ref();
      REQUIRE(y.shape() == x.shape());
      REQUIRE(y.dtype() == DType::Float);
    }
  }
}

TEST_CASE("Unary ops on double, float16 and bfloat16", "[elementwise][unary]") {
  for (DType t : {DType::Double, DType::Float16, DType::BFloat16}) {
    for (const auto& c : unary_cases()) {
      Tensor x = random_tensor(t, {3, 5}, 3, std::max(c.lo, -3.0), std::min(c.hi, 3.0));
      if (std::string(c.op) == "Log" || std::string(c.op) == "Reciprocal")
        for (int64_t i = 0; i < x.numel(); ++i) set_value(x, i, 0.5 + i * 0.125);
      if (std::string(c.op) == "Acosh")
        for (int64_t i = 0; i < x.numel(); ++i) set_value(x, i, 1 + i * 0.125);
      std::vector<double> want;
      for (double v : values_of(x)) want.push_back(c.f(v));
      INFO(c.op << " " << dtype_name(t));
      Tensor y = run_all(unary_node(c, x));
      REQUIRE(y.dtype() == t);
      // Attributes are float, so double results carry float-rounded alphas.
      double tol = t == DType::Double ? 1e-7 : t == DType::Float16 ? 2e-3 : 1e-2;
      require_values(y, want, tol, tol);
    }
  }
}

TEST_CASE("Unary ops on integer dtypes", "[elementwise][unary]") {
  for (DType t : {DType::Int8, DType::Int16, DType::Int32, DType::Int64}) {
    Tensor x = random_tensor(t, {4, 5}, 9, -20, 20);
    std::vector<double> v = values_of(x), relu, abs, neg, sign;
    for (double e : v) {
      relu.push_back(e < 0 ? 0 : e);
      abs.push_back(std::fabs(e));
      neg.push_back(-e);
      sign.push_back(e > 0 ? 1 : e < 0 ? -1 : 0);
    }
    NodeRun r;
    r.opset = 14;
    r.inputs = {x};
    r.op_type = "Relu";
    check_all(r, relu);
    r.op_type = "Abs";
    check_all(r, abs);
    r.op_type = "Neg";
    check_all(r, neg);
    r.op_type = "Sign";
    check_all(r, sign);
  }
  // Abs/Sign on unsigned; Neg of an unsigned type is not defined.
  Tensor u = Tensor::from_vector<uint32_t>({0, 5, 7}, {3});
  NodeRun r;
  r.inputs = {u};
  r.op_type = "Abs";
  check_all(r, {0, 5, 7});
  r.op_type = "Sign";
  check_all(r, {0, 1, 1});
  r.op_type = "Neg";
  expect_error_all(r);
  // Float-only ops reject integers.
  r.op_type = "Exp";
  expect_error_all(r);
  // INT_MIN wraps rather than trapping.
  r.op_type = "Abs";
  r.inputs = {Tensor::from_vector<int8_t>({-128}, {1})};
  CHECK(run_all(r).data<int8_t>()[0] == -128);
}

TEST_CASE("Not, IsNaN and IsInf", "[elementwise][unary]") {
  NodeRun r;
  r.op_type = "Not";
  r.inputs = {Tensor::from_vector<bool>({true, false}, {2})};
  check_all(r, {0, 1});
  float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from_vector<float>({1, nan, inf, -inf, 0}, {5});
  r.op_type = "IsNaN";
  r.inputs = {x};
  Tensor y = run_all(r);
  REQUIRE(y.dtype() == DType::Bool);
  require_values(y, {0, 1, 0, 0, 0});
  r.op_type = "IsInf";
  check_all(r, {0, 0, 1, 1, 0});
  r.attributes = {attr_int("detect_negative", 0)};
  check_all(r, {0, 0, 1, 0, 0});
  r.attributes = {attr_int("detect_positive", 0)};
  check_all(r, {0, 0, 0, 1, 0});
}

TEST_CASE("Elu with a non-positive alpha falls back to ref", "[elementwise][unary]") {
  NodeRun r;
  r.op_type = "Elu";
  r.attributes = {attr_float("alpha", -1.0f)};
  r.inputs = {random_float({8}, 1)};
  REQUIRE(run_node(r).provider == "ref");
  r.provider = "xnnpack";
  REQUIRE_THROWS_AS(run_node(r), Error);  // forced provider declined
}

// ---------------- Clip ----------------

namespace {
std::vector<double> clip_ref(const Tensor& x, double lo, double hi) {
  std::vector<double> out;
  for (double v : values_of(x)) out.push_back(std::min(std::max(v, lo), hi));
  return out;
}
}  // namespace

TEST_CASE("Clip opset 6 attributes, every provider", "[elementwise][clip]") {
  Tensor x = random_float({2, 3, 5}, 1, -10, 10);
  NodeRun r;
  r.op_type = "Clip";
  r.opset = 6;
  r.inputs = {x};
  r.attributes = {attr_float("min", 0.0f), attr_float("max", 6.0f)};
  OpTester(r).expect_values(clip_ref(x, 0, 6)).tolerance(0, 0).run();
  r.attributes = {attr_float("min", -1.0f)};
  OpTester(r).expect_values(clip_ref(x, -1, 1e300)).tolerance(0, 0).run();
}

TEST_CASE("Clip opset 11+ inputs: constant, runtime and omitted bounds", "[elementwise][clip]") {
  Tensor x = random_float({4, 7}, 2, -10, 10);
  Tensor lo = Tensor::scalar<float>(-2.5f), hi = Tensor::scalar<float>(3.0f);
  NodeRun r;
  r.op_type = "Clip";
  r.opset = 13;
  r.inputs = {x, lo, hi};
  r.constant = {false, true, true};
  OpTester(r).expect_values(clip_ref(x, -2.5, 3)).tolerance(0, 0).run();
  // Only a max (min omitted).
  r.inputs = {x, Tensor(), hi};
  OpTester(r).expect_values(clip_ref(x, -1e300, 3)).tolerance(0, 0).run();
  // No bounds at all: a copy.
  r.inputs = {x};
  OpTester(r).expect_values(values_of(x)).tolerance(0, 0).run();
  // Bounds known only at run time: XNNPACK declines.
  r.inputs = {x, lo, hi};
  r.constant = {false, false, false};
  r.provider = "";
  NodeResult res = run_node(r);
  REQUIRE(res.provider == "ref");
  require_values(res.outputs[0], clip_ref(x, -2.5, 3));
  // min > max: every value becomes max (min then max applied); XNNPACK declines.
  r.inputs = {x, Tensor::scalar<float>(2.0f), Tensor::scalar<float>(1.0f)};
  r.constant = {false, true, true};
  res = run_node(r);
  REQUIRE(res.provider == "ref");
  require_values(res.outputs[0], std::vector<double>(static_cast<size_t>(x.numel()), 1.0));
}

TEST_CASE("Clip on integer and double dtypes (opset 12+)", "[elementwise][clip]") {
  for (DType t : {DType::Int8, DType::Int32, DType::Int64, DType::UInt8, DType::Double, DType::Float16}) {
    Tensor x = random_tensor(t, {3, 4}, 3, -8, 8);
    Tensor lo = make_tensor(t, {}, {1}), hi = make_tensor(t, {}, {5});
    NodeRun r;
    r.op_type = "Clip";
    r.opset = 13;
    r.inputs = {x, lo, hi};
    INFO(dtype_name(t));
    Tensor y = run_all(r);
    REQUIRE(y.dtype() == t);
    require_values(y, clip_ref(x, 1, 5));
  }
  // Bound dtype must match; bounds must be scalars.
  NodeRun r;
  r.op_type = "Clip";
  r.opset = 13;
  r.inputs = {random_float({3}, 1), Tensor::scalar<double>(0.0)};
  expect_error_all(r);
  r.inputs = {random_float({3}, 1), Tensor::from_vector<float>({0, 1}, {2})};
  expect_error_all(r);
}

TEST_CASE("Threaded elementwise runs match single-threaded ones", "[elementwise][threads]") {
  Tensor a = random_float({4, 32, 40, 40}, 1), c = random_float({32, 1, 1}, 2, 0.5, 2);
  for (const char* op : {"Add", "Mul", "Div", "Max"})
  {
    INFO(op);
    Shape s;
    const ArithCase* ac = nullptr;
    for (const auto& k : kArith)
      if (std::string(k.op) == op) ac = &k;
    OpTester t(binary_node(op, a, c));
    t.threads(3)
        .expect_values(ref_binary(a, c, ac->f, &s))
        .tolerance(1e-6, 1e-6)
        .run();
  }
  Tensor ia = random_tensor(DType::Int32, {300, 300}, 3, -100, 100),
         ib = random_tensor(DType::Int32, {300}, 4, 1, 9);
  run_threaded_same(binary_node("Div", ia, ib), "ref");
  run_threaded_same(binary_node("Less", ia, ib), "ref");
  NodeRun r;
  r.op_type = "Relu";
  r.inputs = {a};
  OpTester(r).threads(3).tolerance(0, 0).run();
  r.op_type = "Tanh";
  run_threaded_same(r, "ref");
  r.op_type = "Clip";
  r.inputs = {a, Tensor::scalar<float>(-0.5f), Tensor::scalar<float>(0.5f)};
  r.constant = {false, true, true};
  OpTester(r).threads(3).tolerance(0, 0).run();
}

TEST_CASE("XNNPACK kernels run correctly without prepare()", "[elementwise][xnnpack]") {
  Tensor a = random_float({3, 4}, 1), b = random_float({4}, 2);
  NodeRun u;
  u.op_type = "LeakyRelu";
  u.inputs = {a};
  u.provider = "xnnpack";
  require_same(run_without_prepare(u), run_all(u));
  NodeRun g;
  g.op_type = "Gemm";
  g.inputs = {a, random_float({4, 5}, 3)};
  g.provider = "xnnpack";
  require_same(run_without_prepare(g), run_all(g), 1e-5, 1e-6);
  g.op_type = "MatMul";
  require_same(run_without_prepare(g), run_all(g), 1e-5, 1e-6);
  NodeRun s;
  s.op_type = "Softmax";
  s.inputs = {a};
  s.provider = "xnnpack";
  require_same(run_without_prepare(s), run_all(s), 1e-5, 1e-6);
}

TEST_CASE("Variadic Sum and Mean with broadcasting", "[elementwise][binary]") {
  Tensor a = random_float({2, 1, 4}, 1), b = random_float({3, 1}, 2), c = random_float({4}, 3);
  std::vector<double> sum(24), mean(24);
  Shape out = {2, 3, 4};
  for (int64_t i = 0; i < 24; ++i) {
    double s = get_value(a, broadcast_index(a.shape(), out, i)) +
               get_value(b, broadcast_index(b.shape(), out, i)) +
               get_value(c, broadcast_index(c.shape(), out, i));
    sum[i] = s;
    mean[i] = s / 3;
  }
  NodeRun r;
  r.op_type = "Sum";
  r.inputs = {a, b, c};
  Tensor y = run_all(r);
  REQUIRE(y.shape() == out);
  require_values(y, sum, 1e-6, 1e-6);
  r.op_type = "Mean";
  check_all(r, mean, 1e-6, 1e-6);
  r.inputs = {a};
  require_same(run_all(r), a);
  // Two float inputs.
  r.inputs = {a, b};
  r.op_type = "Sum";
  Shape s2;
  std::vector<double> ab = ref_binary(
      a, b, [](double x, double q) { return x + q; }, &s2);
  check_all(r, ab, 1e-6, 1e-6);
  r.op_type = "Mean";
  r.provider = "";
  REQUIRE(run_node(r).provider == "ref");
  for (double& v : ab) v /= 2;
  require_values(run_node(r).outputs[0], ab, 1e-6, 1e-6);
  // Integer Sum; Mean is float-only.
  Tensor i1 = Tensor::from_vector<int32_t>({1, 2}, {2}), i2 = Tensor::from_vector<int32_t>({10}, {1});
  r.op_type = "Sum";
  r.inputs = {i1, i2, i1};
  check_all(r, {12, 14});
  r.op_type = "Mean";
  expect_error_all(r);
}

TEST_CASE("Shrink on float and integer inputs", "[elementwise][unary]") {
  auto shrink = [](double x, double lambd, double bias) {
    return x < -lambd ? x + bias : x > lambd ? x - bias : 0.0;
  };
  Tensor x = random_float({5, 7}, 1, -3, 3);
  NodeRun r;
  r.op_type = "Shrink";
  r.inputs = {x};
  std::vector<double> want;
  for (double v : values_of(x)) want.push_back(shrink(v, 0.5, 0));
  check_all(r, want, 1e-6);
  r.attributes = {attr_float("lambd", 1.5f), attr_float("bias", 1.5f)};
  want.clear();
  for (double v : values_of(x)) want.push_back(shrink(v, 1.5, 1.5));
  check_all(r, want, 1e-6, 1e-6);
  r.inputs = {Tensor::from_vector<int8_t>({-8, -1, 0, 1, 8}, {5})};
  r.attributes = {attr_float("lambd", 1.5f), attr_float("bias", 2.0f)};
  check_all(r, {-6, 0, 0, 0, 6});
}
