// Shape and data-movement kernels (Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout,
// Constant, Transpose, Shape, Concat, Cast) and Softmax/LogSoftmax, against references
// written here.
#include <cmath>
#include <limits>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

NodeRun node(const std::string& op, std::vector<Tensor> inputs, std::vector<Attribute> attrs = {},
             int64_t opset = 13) {
  NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.inputs = std::move(inputs);
  r.attributes = std::move(attrs);
  return r;
}

Tensor ints(std::vector<int64_t> v) {
  int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<int64_t>(v, {n});
}

// Output of a shape-only op: same data, given shape.
void require_reshaped(const Tensor& y, const Tensor& x, const Shape& want) {
  REQUIRE(y.shape() == want);
  REQUIRE(y.dtype() == x.dtype());
  require_values(y, values_of(x));
}

}  // namespace

// ---------------- Flatten ----------------

TEST_CASE("Flatten over axes, negative axes and zero-size dims", "[tensor][flatten]") {
  Tensor x = random_float({2, 3, 4, 5}, 1);
  const std::vector<std::pair<int64_t, Shape>> cases = {{0, {1, 120}},  {1, {2, 60}},  {2, {6, 20}},
                                                        {3, {24, 5}},   {4, {120, 1}}, {-1, {24, 5}},
                                                        {-4, {1, 120}}, {-3, {2, 60}}};
  for (const auto& [axis, want] : cases) {
    INFO("axis " << axis);
    require_reshaped(run_all(node("Flatten", {x}, {attr_int("axis", axis)})), x, want);
  }
  require_reshaped(run_all(node("Flatten", {x})), x, {2, 60});  // default axis 1
  Tensor z(DType::Float, {2, 0, 3});
  REQUIRE(run_all(node("Flatten", {z}, {attr_int("axis", 2)})).shape() == Shape{0, 3});
  expect_error_all(node("Flatten", {x}, {attr_int("axis", 5)}));
  expect_error_all(node("Flatten", {x}, {attr_int("axis", -5)}));
  expect_error_all(node("Flatten", {x}, {attr_int("axis", -1)}, 9));  // negative before 11
  Tensor s = Tensor::from_vector<std::string>({"a", "b", "c", "d"}, {2, 2});
  Tensor ys = run_all(node("Flatten", {s}, {attr_int("axis", 0)}));
  REQUIRE(ys.shape() == Shape{1, 4});
  REQUIRE(ys.strings() == s.strings());
}

// ---------------- Reshape ----------------

TEST_CASE("Reshape: explicit, 0 copies a dim, -1 inferred, allowzero", "[tensor][reshape]") {
  Tensor x = random_float({2, 3, 4}, 1);
  const std::vector<std::pair<std::vector<int64_t>, Shape>> cases = {
      {{24}, {24}},           {{4, 6}, {4, 6}},
      {{0, -1}, {2, 12}},     {{-1, 4}, {6, 4}},
      {{0, 0, 4}, {2, 3, 4}}, {{2, 3, 2, 2}, {2, 3, 2, 2}},
      {{-1}, {24}},           {{1, 1, 24, 1}, {1, 1, 24, 1}},
      {{0, 3, -1}, {2, 3, 4}}};
  for (const auto& [shape, want] : cases) {
    INFO("shape " << shape_to_string(Shape(shape)));
    for (bool constant : {true, false}) {
      NodeRun r = node("Reshape", {x, ints(shape)});
      r.constant = {false, constant};
      require_reshaped(run_all(r), x, want);
    }
  }
  // Opset < 5: the shape is an attribute.
  require_reshaped(run_all(node("Reshape", {x}, {attr_ints("shape", {3, -1})}, 4)), x, {3, 8});
  // allowzero=1: 0 is a real zero-size dim.
  Tensor z(DType::Float, {0, 4});
  NodeRun r = node("Reshape", {z, ints({4, 0})}, {attr_int("allowzero", 1)}, 14);
  REQUIRE(run_all(r).shape() == Shape{4, 0});
  r = node("Reshape", {z, ints({0, 8})}, {}, 14);  // without allowzero 0 copies dim 0 (=0)
  REQUIRE(run_all(r).shape() == Shape{0, 8});
  // Zero-size input with -1 and a non-zero rest.
  REQUIRE(run_all(node("Reshape", {z, ints({-1, 2})})).shape() == Shape{0, 2});
}

TEST_CASE("Reshape errors", "[tensor][reshape]") {
  Tensor x = random_float({2, 3, 4}, 1);
  // {huge, 1024, -1}: the product of the known dims overflows int64 (found by fuzz_run; was
  // signed overflow, undefined behaviour, before the check)
  const std::vector<std::vector<int64_t>> bad = {{5, 5},           {-1, -1}, {-2, 12}, {7, -1}, {0, 0, 0, 0, 2},
                                                 {25},             {364791569817010212, 1024, -1}};
  for (const auto& s : bad) {
    INFO("shape " << shape_to_string(Shape(s)));
    for (bool constant : {true, false}) {
      NodeRun r = node("Reshape", {x, ints(s)});
      r.constant = {false, constant};
      expect_error_all(r);
    }
  }
  // allowzero with both 0 and -1.
  expect_error_all(node("Reshape", {x, ints({0, -1})}, {attr_int("allowzero", 1)}, 14));
  // Zero-size input where -1 is ambiguous.
  Tensor z(DType::Float, {0, 4});
  expect_error_all(node("Reshape", {z, ints({0, -1})}));
  // Shape of the wrong type.
  expect_error_all(node("Reshape", {x, Tensor::from_vector<float>({24}, {1})}));
}

// ---------------- Squeeze / Unsqueeze ----------------

TEST_CASE("Squeeze with and without axes, attribute and input forms", "[tensor][squeeze]") {
  Tensor x = random_float({1, 3, 1, 2, 1}, 1);
  require_reshaped(run_all(node("Squeeze", {x})), x, {3, 2});
  require_reshaped(run_all(node("Squeeze", {x, ints({0, -1})})), x, {3, 1, 2});
  require_reshaped(run_all(node("Squeeze", {x}, {attr_ints("axes", {2})}, 11)), x, {1, 3, 2, 1});
  NodeRun r = node("Squeeze", {x, ints({2})});
  r.constant = {false, true};
  require_reshaped(run_all(r), x, {1, 3, 2, 1});
  expect_error_all(node("Squeeze", {x, ints({1})}));      // dim 3 is not 1
  expect_error_all(node("Squeeze", {x, ints({5})}));      // out of range
  expect_error_all(node("Squeeze", {x, ints({0, -5})}));  // repeated axis
  expect_error_all(node("Squeeze", {x}, {attr_ints("axes", {-1})}, 10));
}

TEST_CASE("Unsqueeze at several positions, attribute and input forms", "[tensor][unsqueeze]") {
  Tensor x = random_float({3, 4}, 1);
  const std::vector<std::pair<std::vector<int64_t>, Shape>> cases = {
      {{0}, {1, 3, 4}},       {{2}, {3, 4, 1}},       {{-1}, {3, 4, 1}},
      {{0, 3}, {1, 3, 4, 1}}, {{1, 0}, {1, 1, 3, 4}}, {{-4, 2}, {1, 3, 1, 4}}};
  for (const auto& [axes, want] : cases) {
    INFO("axes " << shape_to_string(Shape(axes)));
    require_reshaped(run_all(node("Unsqueeze", {x, ints(axes)})), x, want);
    require_reshaped(run_all(node("Unsqueeze", {x}, {attr_ints("axes", axes)}, 11)), x, want);
  }
  Tensor s = Tensor::scalar<float>(2.5f);
  require_reshaped(run_all(node("Unsqueeze", {s, ints({0})})), s, {1});
  expect_error_all(node("Unsqueeze", {x, ints({4})}));
  expect_error_all(node("Unsqueeze", {x, ints({1, 1})}));
  expect_error_all(node("Unsqueeze", {x}, {}, 11));  // axes required
}

// ---------------- Identity / Dropout ----------------

TEST_CASE("Identity copies every dtype, strings included", "[tensor][identity]") {
  for (DType t : {DType::Float, DType::Int64, DType::UInt8, DType::Bool, DType::Float16, DType::Double}) {
    Tensor x = random_tensor(t, {2, 3}, 4, 0, 1);
    Tensor y = run_all(node("Identity", {x}));
    REQUIRE(y.dtype() == t);
    require_same(y, x);
    REQUIRE(y.raw_data() != x.raw_data());
  }
  Tensor s = Tensor::from_vector<std::string>({"hello", "", "world"}, {3});
  REQUIRE(run_all(node("Identity", {s})).strings() == s.strings());
  Tensor empty(DType::Float, {0, 7});
  REQUIRE(run_all(node("Identity", {empty})).shape() == Shape{0, 7});
}

TEST_CASE("Dropout in inference: output = input, mask all true", "[tensor][dropout]") {
  Tensor x = random_float({3, 4}, 1);
  NodeRun r = node("Dropout", {x});
  r.num_outputs = 2;
  NodeResult res = run_node(r);
  require_same(res.outputs[0], x);
  REQUIRE(res.outputs[1].dtype() == DType::Bool);
  require_values(res.outputs[1], std::vector<double>(12, 1.0));
  // Opset 7: the mask has the data's type.
  r.opset = 7;
  r.attributes = {attr_float("ratio", 0.3f)};
  res = run_node(r);
  REQUIRE(res.outputs[1].dtype() == DType::Float);
  require_values(res.outputs[1], std::vector<double>(12, 1.0));
  // Opset 12+: ratio and training_mode inputs; training zeroes elements and scales the
  // others by 1 / (1 - ratio) (see test_det_random.cc).
  NodeRun t = node("Dropout", {x, Tensor::scalar<float>(0.5f), Tensor::scalar<bool>(true)});
  Tensor trained = run_all(t);
  for (int64_t i = 0; i < x.numel(); ++i)
    REQUIRE(
        (get_value(trained, i) == 0 || get_value(trained, i) == static_cast<double>(2 * x.data<float>()[i])));
  t.inputs[2] = Tensor::scalar<bool>(false);
  require_same(run_all(t), x);
}

// ---------------- Constant ----------------

TEST_CASE("Constant in every attribute form", "[tensor][constant]") {
  Tensor v = random_float({2, 2}, 1);
  Tensor y = run_all(node("Constant", {}, {attr_tensor("value", v)}, 1));
  require_same(y, v);
  y = run_all(node("Constant", {}, {attr_float("value_float", 1.5f)}));
  REQUIRE(y.dtype() == DType::Float);
  REQUIRE(y.shape().empty());
  CHECK(y.data<float>()[0] == 1.5f);
  y = run_all(node("Constant", {}, {attr_floats("value_floats", {1, 2, 3})}));
  REQUIRE(y.shape() == Shape{3});
  require_values(y, {1, 2, 3});
  y = run_all(node("Constant", {}, {attr_int("value_int", -7)}));
  REQUIRE(y.dtype() == DType::Int64);
  REQUIRE(y.shape().empty());
  CHECK(y.data<int64_t>()[0] == -7);
  y = run_all(node("Constant", {}, {attr_ints("value_ints", {4, 5})}));
  REQUIRE(y.dtype() == DType::Int64);
  require_values(y, {4, 5});
  y = run_all(node("Constant", {}, {attr_string("value_string", "hi")}));
  REQUIRE(y.dtype() == DType::String);
  REQUIRE(y.strings() == std::vector<std::string>{"hi"});
  Attribute ss;
  ss.name = "value_strings";
  ss.kind = Attribute::Kind::Strings;
  ss.strings = {"a", "b"};
  y = run_all(node("Constant", {}, {ss}));
  REQUIRE(y.shape() == Shape{2});
  REQUIRE(y.strings() == ss.strings);
}

TEST_CASE("Constant errors: sparse, none, two, too new", "[tensor][constant]") {
  Attribute sparse;
  sparse.name = "sparse_value";
  sparse.kind = Attribute::Kind::Tensor;
  sparse.t = Tensor::scalar<float>(1);
  REQUIRE_THROWS_WITH(run_all(node("Constant", {}, {sparse})), Catch::Contains("sparse"));
  expect_error_all(node("Constant", {}, {}));
  REQUIRE_THROWS_AS(
      run_all(node("Constant", {}, {attr_int("value_int", 1), attr_float("value_float", 1)})), Error);
  expect_error_all(node("Constant", {}, {attr_int("value_int", 1)}, 11));
}

// ---------------- Transpose ----------------

namespace {

// GCC 12 at -O3 reports a false -Wfree-nonheap-object on this function's vectors.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
std::vector<double> ref_transpose(const Tensor& x, const std::vector<int64_t>& perm, Shape* out_shape) {
  const Shape& s = x.shape();
  size_t r = s.size();
  Shape out(r);
  for (size_t j = 0; j < r; ++j) out[j] = s[perm[j]];
  std::vector<int64_t> in_strides(r, 1);
  for (size_t i = r; i-- > 1;) in_strides[i - 1] = in_strides[i] * s[i];
  int64_t n = x.numel();
  std::vector<double> y(static_cast<size_t>(n));
  for (int64_t o = 0; o < n; ++o) {
    int64_t rem = o, src = 0;
    for (size_t j = r; j-- > 0;) {
      int64_t coord = rem % out[j];
      rem /= out[j];
      src += coord * in_strides[perm[j]];
    }
    y[o] = get_value(x, src);
  }
  *out_shape = out;
  return y;
}
#pragma GCC diagnostic pop

}  // namespace

TEST_CASE("Transpose: NCHW<->NHWC fast paths, general perms, every element size", "[tensor][transpose]") {
  const std::vector<std::pair<Shape, std::vector<int64_t>>> cases = {
      {{2, 3, 5, 7}, {0, 2, 3, 1}},     // NCHW -> NHWC
      {{2, 5, 7, 3}, {0, 3, 1, 2}},     // NHWC -> NCHW
      {{1, 64, 56, 56}, {0, 2, 3, 1}},  // ResNet-sized, tile multiples
      {{1, 33, 17, 19}, {0, 2, 3, 1}},  // not tile multiples
      {{3, 35, 37, 2}, {0, 3, 1, 2}},
      {{4, 5}, {1, 0}},
      {{2, 3, 4}, {2, 0, 1}},
      {{2, 3, 4, 5}, {3, 1, 0, 2}},
      {{2, 1, 4, 1, 3}, {4, 2, 0, 1, 3}},  // size-1 dims dropped
      {{2, 3, 4, 5, 6}, {0, 1, 4, 2, 3}},
      {{6}, {0}},
      {{}, {}},
      {{2, 0, 3}, {2, 1, 0}},  // zero-size
  };
  for (const auto& [shape, perm] : cases) {
    for (DType t : {DType::Float, DType::UInt8, DType::Float16, DType::Int64, DType::Bool}) {
      Tensor x = random_tensor(t, shape, 3, 0, 100);
      Shape out;
      std::vector<double> want = ref_transpose(x, perm, &out);
      INFO(shape_to_string(shape) << " perm " << shape_to_string(Shape(perm)) << " " << dtype_name(t));
      Tensor y = run_all(node("Transpose", {x}, {attr_ints("perm", perm)}));
      REQUIRE(y.shape() == out);
      REQUIRE(y.dtype() == t);
      require_values(y, want);
    }
  }
}

TEST_CASE("Transpose default perm reverses; strings; errors", "[tensor][transpose]") {
  Tensor x = random_float({2, 3, 4}, 1);
  Shape out;
  std::vector<double> want = ref_transpose(x, {2, 1, 0}, &out);
  Tensor y = run_all(node("Transpose", {x}));
  REQUIRE(y.shape() == out);
  require_values(y, want);
  Tensor s = Tensor::from_vector<std::string>({"a", "b", "c", "d", "e", "f"}, {2, 3});
  Tensor ys = run_all(node("Transpose", {s}));
  REQUIRE(ys.shape() == Shape{3, 2});
  REQUIRE(ys.strings() == std::vector<std::string>{"a", "d", "b", "e", "c", "f"});
  expect_error_all(node("Transpose", {x}, {attr_ints("perm", {0, 1})}));
  expect_error_all(node("Transpose", {x}, {attr_ints("perm", {0, 1, 1})}));
  expect_error_all(node("Transpose", {x}, {attr_ints("perm", {0, 1, 3})}));
  expect_error_all(node("Transpose", {x}, {attr_ints("perm", {0, -1, 2})}));
}

// ---------------- Shape ----------------

TEST_CASE("Shape with start/end (opset 15)", "[tensor][shape]") {
  Tensor x(DType::Float, {2, 3, 0, 5});
  Tensor y = run_all(node("Shape", {x}));
  REQUIRE(y.dtype() == DType::Int64);
  require_values(y, {2, 3, 0, 5});
  const std::vector<std::tuple<int64_t, std::optional<int64_t>, std::vector<double>>> cases = {
      {1, std::nullopt, {3, 0, 5}},
      {-1, std::nullopt, {5}},
      {0, 2, {2, 3}},
      {1, -1, {3, 0}},
      {-10, 10, {2, 3, 0, 5}},
      {3, 1, {}},
      {4, std::nullopt, {}}};
  for (const auto& [start, end, want] : cases) {
    std::vector<Attribute> attrs = {attr_int("start", start)};
    if (end) attrs.push_back(attr_int("end", *end));
    INFO("start " << start << " end " << (end ? std::to_string(*end) : "none"));
    Tensor r = run_all(node("Shape", {x}, attrs, 15));
    REQUIRE(r.shape() == Shape{static_cast<int64_t>(want.size())});
    require_values(r, want);
  }
  REQUIRE(run_all(node("Shape", {Tensor::scalar<float>(1)})).shape() == Shape{0});
}

// ---------------- Concat ----------------

TEST_CASE("Concat along each axis, negative axes, empty inputs, strings", "[tensor][concat]") {
  Tensor a = random_float({2, 3, 4}, 1);
  for (int64_t axis : {0, 1, 2, -1, -3}) {
    int64_t ax = axis < 0 ? axis + 3 : axis;
    Shape sb = a.shape(), sc = a.shape();
    sb[ax] = 2;
    sc[ax] = 0;
    Tensor b = random_float(sb, 2), c = random_float(sc, 3);
    Tensor y = run_all(node("Concat", {a, c, b}, {attr_int("axis", axis)}));
    Shape want_shape = a.shape();
    want_shape[ax] += 2;
    REQUIRE(y.shape() == want_shape);
    // Reference: pick from a or b by the coordinate along the axis.
    int64_t inner = 1;
    for (size_t d = ax + 1; d < 3; ++d) inner *= want_shape[d];
    std::vector<double> want;
    for (int64_t i = 0; i < y.numel(); ++i) {
      int64_t coord = (i / inner) % want_shape[ax], outer = i / (inner * want_shape[ax]), in = i % inner;
      if (coord < a.shape()[ax])
        want.push_back(get_value(a, (outer * a.shape()[ax] + coord) * inner + in));
      else
        want.push_back(get_value(b, (outer * 2 + coord - a.shape()[ax]) * inner + in));
    }
    INFO("axis " << axis);
    require_values(y, want);
  }
  Tensor s1 = Tensor::from_vector<std::string>({"a", "b"}, {2, 1}),
         s2 = Tensor::from_vector<std::string>({"c", "d"}, {2, 1});
  Tensor ys = run_all(node("Concat", {s1, s2}, {attr_int("axis", 1)}));
  REQUIRE(ys.strings() == std::vector<std::string>{"a", "c", "b", "d"});
  Tensor i64 = Tensor::from_vector<int64_t>({1, 2}, {2});
  check_all(node("Concat", {i64, i64, i64}, {attr_int("axis", 0)}), {1, 2, 1, 2, 1, 2});
}

TEST_CASE("Concat errors", "[tensor][concat]") {
  Tensor a = random_float({2, 3}, 1), b = random_float({3, 3}, 2);
  expect_error_all(node("Concat", {a, b}, {attr_int("axis", 1)}));
  expect_error_all(node("Concat", {a, a}, {attr_int("axis", 2)}));
  expect_error_all(node("Concat", {a, random_float({2, 3, 1}, 3)}, {attr_int("axis", 0)}));
  REQUIRE_THROWS_AS(
      run_all(node("Concat", {a, Tensor::from_vector<double>({1, 2, 3}, {1, 3})}, {attr_int("axis", 0)})),
      Error);
  expect_error_all(node("Concat", {a, a}));  // axis required from opset 4
}

// ---------------- Cast ----------------

TEST_CASE("Cast between numeric dtypes and bool", "[tensor][cast]") {
  const DType all[] = {DType::Float, DType::Double,  DType::Int8,    DType::Int16,  DType::Int32,
                       DType::Int64, DType::UInt8,   DType::UInt16,  DType::UInt32, DType::UInt64,
                       DType::Bool,  DType::Float16, DType::BFloat16};
  // Values every dtype holds exactly.
  std::vector<double> vals = {0, 1, 2, 3, 7, 100, 5, 0, 64, 1};
  for (DType from : all)
    for (DType to : all) {
      std::vector<double> v = vals;
      if (from == DType::Bool)
        for (double& e : v) e = e != 0;
      Tensor x = make_tensor(from, {2, 5}, v);
      std::vector<double> want = v;
      if (to == DType::Bool)
        for (double& e : want) e = e != 0;
      INFO(dtype_name(from) << " -> " << dtype_name(to));
      Tensor y = run_all(node("Cast", {x}, {attr_int("to", static_cast<int64_t>(to))}));
      REQUIRE(y.dtype() == to);
      REQUIRE(y.shape() == x.shape());
      require_values(y, want);
    }
}

TEST_CASE("Cast: float->int truncates, float16/bfloat16 round to nearest even", "[tensor][cast]") {
  Tensor f = Tensor::from_vector<float>({2.7f, -2.7f, 0.5f, -0.0f}, {4});
  Tensor y = run_all(node("Cast", {f}, {attr_int("to", 6)}));
  std::vector<int32_t> want = {2, -2, 0, 0};
  for (int i = 0; i < 4; ++i) CHECK(y.data<int32_t>()[i] == want[i]);
  // NaN to int is 0 rather than undefined behaviour.
  Tensor nan = Tensor::from_vector<float>({std::numeric_limits<float>::quiet_NaN(), 1e30f}, {2});
  Tensor yn = run_all(node("Cast", {nan}, {attr_int("to", 7)}));
  CHECK(yn.data<int64_t>()[0] == 0);
  CHECK(yn.data<int64_t>()[1] == INT64_MAX);

  // float -> float16, literal bit patterns: 1 + 2^-11 is a tie (rounds to even 1.0);
  // 1 + 3*2^-11 rounds up; 65520 overflows to inf; 2^-25 ties to 0; 3*2^-26 rounds to the
  // smallest subnormal; NaN stays NaN.
  Tensor h =
      Tensor::from_vector<float>({1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 65520.0f, 65504.0f, 0x1p-25f,
                                  3 * 0x1p-26f, -2.0f, std::numeric_limits<float>::infinity(), 0x1p-14f},
                                 {9});
  Tensor yh = run_all(node("Cast", {h}, {attr_int("to", 10)}));
  const uint16_t* bits = static_cast<const uint16_t*>(yh.raw_data());
  const uint16_t want_bits[] = {0x3c00, 0x3c02, 0x7c00, 0x7bff, 0x0000, 0x0001, 0xc000, 0x7c00, 0x0400};
  for (int i = 0; i < 9; ++i) {
    INFO("element " << i);
    CHECK(bits[i] == want_bits[i]);
  }
  Tensor hn = run_all(node("Cast", {nan}, {attr_int("to", 10)}));
  CHECK((static_cast<const uint16_t*>(hn.raw_data())[0] & 0x7fff) > 0x7c00);
  // double -> float16 rounds once, directly: 1 + 2^-11 + 2^-40 is just above the tie.
  Tensor d = Tensor::from_vector<double>({1.0 + 0x1p-11 + 0x1p-40}, {1});
  Tensor yd = run_all(node("Cast", {d}, {attr_int("to", 10)}));
  CHECK(static_cast<const uint16_t*>(yd.raw_data())[0] == 0x3c01);
  // float -> bfloat16: 1 + 2^-8 ties to even (1.0); 1 + 3*2^-8 rounds up to 1 + 2^-6.
  Tensor b = Tensor::from_vector<float>({1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f}, {2});
  Tensor yb = run_all(node("Cast", {b}, {attr_int("to", 16)}));
  CHECK(static_cast<const uint16_t*>(yb.raw_data())[0] == 0x3f80);
  CHECK(static_cast<const uint16_t*>(yb.raw_data())[1] == 0x3f82);
  // float16 -> float is exact, subnormals included.
  Tensor hs(DType::Float16, {3});
  uint16_t* hb = static_cast<uint16_t*>(hs.raw_data());
  hb[0] = 0x0001;
  hb[1] = 0x3555;
  hb[2] = 0xfbff;
  Tensor yf = run_all(node("Cast", {hs}, {attr_int("to", 1)}));
  CHECK(yf.data<float>()[0] == 0x1p-24f);
  CHECK(yf.data<float>()[1] == 0x1.554p-2f);
  CHECK(yf.data<float>()[2] == -65504.0f);
}

TEST_CASE("Cast to and from string; legacy string 'to'", "[tensor][cast]") {
  Tensor f = Tensor::from_vector<float>({0.5f, -3.0f, 1e-5f, std::numeric_limits<float>::infinity()}, {4});
  Tensor s = run_all(node("Cast", {f}, {attr_int("to", 8)}));
  REQUIRE(s.strings() == std::vector<std::string>{"0.5", "-3", "1e-05", "inf"});
  Tensor back = run_all(node("Cast", {s}, {attr_int("to", 1)}));
  require_same(back, f);
  Tensor si = Tensor::from_vector<std::string>({"12", "-7", "1E2"}, {3});
  Tensor yi =
      run_all(node("Cast", {Tensor::from_vector<std::string>({"12", "-7"}, {2})}, {attr_int("to", 7)}));
  require_values(yi, {12, -7});
  check_all(node("Cast", {si}, {attr_int("to", 11)}), {12, -7, 100});
  REQUIRE_THROWS_AS(
      run_all(node("Cast", {Tensor::from_vector<std::string>({"abc"}, {1})}, {attr_int("to", 1)})),
      Error);
  REQUIRE_THROWS_AS(
      run_all(node("Cast", {Tensor::from_vector<std::string>({"-1"}, {1})}, {attr_int("to", 2)})), Error);
  expect_error_all(node("Cast", {f}, {attr_int("to", 99)}));
  expect_error_all(node("Cast", {f}, {attr_int("to", 14)}));  // complex64
  // Opset 1-5 named the type.
  Tensor yl = run_all(node("Cast", {f}, {attr_string("to", "DOUBLE")}, 5));
  REQUIRE(yl.dtype() == DType::Double);
}

// ---------------- Softmax / LogSoftmax ----------------

namespace {

// Normalizes x over (outer, n, inner) blocks in double.
std::vector<double> ref_softmax(const Tensor& x, int64_t outer, int64_t n, int64_t inner, bool log) {
  std::vector<double> v = values_of(x), y(v.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      double mx = -INFINITY, sum = 0;
      for (int64_t k = 0; k < n; ++k) mx = std::max(mx, v[(o * n + k) * inner + j]);
      for (int64_t k = 0; k < n; ++k) sum += std::exp(v[(o * n + k) * inner + j] - mx);
      for (int64_t k = 0; k < n; ++k) {
        double e = v[(o * n + k) * inner + j] - mx;
        y[(o * n + k) * inner + j] = log ? e - std::log(sum) : std::exp(e) / sum;
      }
    }
  return y;
}

}  // namespace

TEST_CASE("Softmax/LogSoftmax opset 13 single axis, both providers", "[tensor][softmax]") {
  Tensor x = random_float({2, 3, 4, 5}, 1, -5, 5);
  for (int64_t axis : {-1, 3, 2, 1, 0, -4}) {
    int64_t ax = axis < 0 ? axis + 4 : axis;
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < ax; ++d) outer *= x.dim(d);
    for (int64_t d = ax + 1; d < 4; ++d) inner *= x.dim(d);
    for (bool log : {false, true}) {
      const char* op = log ? "LogSoftmax" : "Softmax";
      NodeRun r = node(op, {x}, {attr_int("axis", axis)});
      std::vector<double> want = ref_softmax(x, outer, x.dim(ax), inner, log);
      INFO(op << " axis " << axis);
      OpTester t(r);
      t.expect_values(want).tolerance(1e-5, 1e-6);
      if (!log && ax == 3) t.require("xnnpack");
      CHECK(t.run().providers.size() == (!log && ax == 3 ? 2u : 1u));
      r.provider = "";
      CHECK(run_node(r).provider == (!log && ax == 3 ? "xnnpack" : "ref"));
    }
  }
}

TEST_CASE("Softmax/LogSoftmax opset < 13 coerce to 2-D", "[tensor][softmax]") {
  Tensor x = random_float({2, 3, 4}, 2, -5, 5);
  for (int64_t axis : {0, 1, 2, -1}) {
    int64_t ax = axis < 0 ? axis + 3 : axis;
    int64_t outer = 1;
    for (int64_t d = 0; d < ax; ++d) outer *= x.dim(d);
    for (bool log : {false, true}) {
      const char* op = log ? "LogSoftmax" : "Softmax";
      NodeRun r = node(op, {x}, {attr_int("axis", axis)}, 11);
      std::vector<double> want = ref_softmax(x, outer, x.numel() / outer, 1, log);
      INFO(op << " axis " << axis);
      OpTester t(r);
      t.expect_values(want).tolerance(1e-5, 1e-6);
      if (!log) t.require("xnnpack");
      t.run();
    }
  }
  // Default axis is 1 before 13.
  OpTester(node("Softmax", {x}, {}, 11))
      .require("xnnpack")
      .expect_values(ref_softmax(x, 2, 12, 1, false))
      .tolerance(1e-5, 1e-6)
      .run();
}

TEST_CASE("Softmax dtypes, large values, empty tensors, bad axes", "[tensor][softmax]") {
  for (DType t : {DType::Double, DType::Float16, DType::BFloat16}) {
    Tensor x = random_tensor(t, {3, 6}, 1, -3, 3);
    double tol = t == DType::Double ? 1e-12 : t == DType::Float16 ? 2e-3 : 1e-2;
    INFO(dtype_name(t));
    check_all(node("Softmax", {x}), ref_softmax(x, 3, 6, 1, false), tol, tol);
    check_all(node("LogSoftmax", {x}), ref_softmax(x, 3, 6, 1, true), tol, tol);
  }
  Tensor big = Tensor::from_vector<float>({1000, 1001, 1002}, {1, 3});
  OpTester(node("Softmax", {big})).require("xnnpack").expect_values(ref_softmax(big, 1, 3, 1, false)).tolerance(1e-5, 1e-7).run();
  check_all(node("LogSoftmax", {big}), ref_softmax(big, 1, 3, 1, true), 1e-6, 1e-6);
  Tensor empty(DType::Float, {0, 4});
  REQUIRE(OpTester(node("Softmax", {empty})).require("xnnpack").run().ref().shape() == Shape{0, 4});
  Tensor x = random_float({2, 3}, 1);
  expect_error_all(node("Softmax", {x}, {attr_int("axis", 2)}));
  expect_error_all(node("LogSoftmax", {x}, {attr_int("axis", -3)}));
  expect_error_all(node("Softmax", {Tensor::from_vector<int32_t>({1}, {1})}));
}

TEST_CASE("Threaded Transpose/Softmax runs match single-threaded ones", "[tensor][threads]") {
  Tensor x = random_float({2, 64, 30, 31}, 1);
  for (const auto& perm : {std::vector<int64_t>{0, 2, 3, 1}, std::vector<int64_t>{3, 1, 0, 2}}) {
    Tensor y = run_threaded_same(node("Transpose", {x}, {attr_ints("perm", perm)}), "ref");
    Shape out;
    require_values(y, ref_transpose(x, perm, &out));
  }
  Tensor s = random_float({600, 200}, 2, -5, 5);
  OpTester(node("Softmax", {s})).threads(3).require("xnnpack").tolerance(1e-5, 1e-7).run();
  run_threaded_same(node("LogSoftmax", {s}, {attr_int("axis", 0)}), "ref");
}

TEST_CASE("CastLike takes the target dtype from its second input", "[tensor][cast]") {
  Tensor x = Tensor::from_vector<float>({1.5f, -2.5f, 3.0f}, {3});
  Tensor like = Tensor::from_vector<int64_t>({0}, {1});
  Tensor y = run_all(node("CastLike", {x, like}, {}, 15));
  REQUIRE(y.dtype() == DType::Int64);
  require_values(y, {1, -2, 3});
  Tensor s = run_all(node("CastLike", {x, Tensor::from_vector<std::string>({""}, {1})}, {}, 15));
  REQUIRE(s.strings() == std::vector<std::string>{"1.5", "-2.5", "3"});
  expect_error_all(node("CastLike", {x}, {}, 15));
}
