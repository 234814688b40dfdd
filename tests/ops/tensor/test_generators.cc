// Kernels that generate or place values: Range, ConstantOfShape, EyeLike, Size (and the
// shape-only flag of Shape/Size/EyeLike), MaxUnpool, against references
// written here.
#include <cmath>
#include <limits>

#include "tests/ops/tensor/data_movement_util.h"

using namespace onnxi;
using namespace onnxi::test;
using namespace onnxi::test::dm;

// ---------------- Range ----------------

TEST_CASE("Range for int and float types, positive and negative deltas", "[generate][range]") {
  struct Case {
    double start, limit, delta;
  };
  const std::vector<Case> cases = {{3, 9, 3}, {10, 4, -2}, {0, 10, 1}, {5, 5, 1},
                                   {5, 1, 1}, {-3, 4, 2},  {1, 2, 5}};
  for (DType t : {DType::Int16, DType::Int32, DType::Int64, DType::Float, DType::Double}) {
    for (const Case& c : cases) {
      INFO(dtype_name(t) << " " << c.start << " " << c.limit << " " << c.delta);
      auto scalar = [t](double v) {
        Tensor s(t, {});
        set_value(s, 0, v);
        return s;
      };
      Tensor y = run_both(node("Range", {scalar(c.start), scalar(c.limit), scalar(c.delta)}, {}, 11));
      std::vector<double> want;
      const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((c.limit - c.start) / c.delta)));
      for (int64_t i = 0; i < n; ++i) want.push_back(c.start + static_cast<double>(i) * c.delta);
      REQUIRE(y.dtype() == t);
      REQUIRE(y.shape() == Shape{n});
      require_values(y, want);
    }
  }
  Tensor y = run_all(node("Range", {f32({0.5f}, {}), f32({2.0f}, {}), f32({0.25f}, {})}, {}, 11));
  require_values(y, {0.5, 0.75, 1, 1.25, 1.5, 1.75});
  // int64 extremes: the count is exact and the values do not overflow.
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  y = run_all(node("Range", {i64({lo}, {}), i64({hi}, {}), i64({hi}, {})}, {}, 11));
  REQUIRE(y.shape() == Shape{3});
  CHECK(y.data<int64_t>()[2] == hi - 1);  // lo + 2 * hi
  expect_error_all(node("Range", {i64({0}, {}), i64({5}, {}), i64({0}, {})}, {}, 11));
  expect_error_all(node("Range", {i64({lo}, {}), i64({hi}, {}), i64({1}, {})}, {}, 11));
  expect_error_all(node("Range", {f32({0}, {}), f32({1e30f}, {}), f32({1}, {})}, {}, 11));
  expect_error_all(node("Range", {f32({0}, {}), f32({NAN}, {}), f32({1}, {})}, {}, 11));
  expect_error_all(node("Range", {i64({0}, {}), i64({5}, {}), i64({1, 1}, {2})}, {}, 11));
  expect_error_all(node("Range", {i64({0}, {}), f32({5}, {}), i64({1}, {})}, {}, 11));
  REQUIRE_THROWS_AS(
      run_all(node("Range", {iota(DType::UInt8, {}), iota(DType::UInt8, {}), iota(DType::UInt8, {})}, {}, 11)),
      Error);
}

TEST_CASE("Range 27: float16 and bfloat16, stash_type", "[generate][range]") {
  auto half = [](DType t, double v) { return make_tensor(t, {}, {v}); };
  for (DType t : {DType::Float16, DType::BFloat16}) {
    INFO(dtype_name(t));
    Tensor y = run_all(node("Range", {half(t, 1), half(t, 3), half(t, 0.5)}, {}, 27));
    REQUIRE(y.dtype() == t);
    require_values(y, {1, 1.5, 2, 2.5});
    y = run_all(node("Range", {half(t, 4), half(t, 1), half(t, -1)}, {attr_int("stash_type", 11)}, 27));
    require_values(y, {4, 3, 2});
    expect_error_all(node("Range", {half(t, 1), half(t, 3), half(t, 0.5)}, {}, 11), "opset 27");
  }
  // bfloat16 keeps 8 significant bits: 256 + 1 is not representable, but each element is
  // computed from start + i * delta in float and rounded once, so the sequence keeps moving
  // (257 rounds to 256, 258 stays).
  Tensor y = run_all(node("Range", {half(DType::BFloat16, 256), half(DType::BFloat16, 260), half(DType::BFloat16, 1)}, {}, 27));
  require_values(y, {256, 256, 258, 260});
  expect_error_all(node("Range", {half(DType::Float16, 1), half(DType::Float16, 3), half(DType::Float16, 1)},
                        {attr_int("stash_type", 10)}, 27),
                   "stash_type");
  // Other types are unchanged at 27.
  require_values(run_all(node("Range", {i64({0}, {}), i64({3}, {}), i64({1}, {})}, {}, 27)), {0, 1, 2});
}

// ---------------- ConstantOfShape ----------------

TEST_CASE("ConstantOfShape: default float zero, typed values, scalar output, guards",
          "[generate][constantofshape]") {
  Tensor y = run_both(node("ConstantOfShape", {i64({2, 3})}, {}, 9));
  REQUIRE(y.dtype() == DType::Float);
  REQUIRE(y.shape() == Shape{2, 3});
  require_values(y, std::vector<double>(6, 0));
  y = run_both(node("ConstantOfShape", {i64({4})}, {attr_tensor("value", i64({-7}, {1}))}, 9));
  REQUIRE(y.dtype() == DType::Int64);
  require_values(y, {-7, -7, -7, -7});
  y = run_all(node("ConstantOfShape", {i64({})}, {attr_tensor("value", Tensor::from_vector<bool>({true}, {1}))}, 9));
  REQUIRE(y.shape().empty());
  REQUIRE(y.dtype() == DType::Bool);
  require_values(y, {1});
  Tensor h(DType::Float16, {1});
  set_value(h, 0, 1.5);
  y = run_all(node("ConstantOfShape", {i64({2, 0})}, {attr_tensor("value", h)}, 9));
  REQUIRE(y.shape() == Shape{2, 0});
  y = run_all(node("ConstantOfShape", {i64({1, 2})}, {attr_tensor("value", h)}, 9));
  require_values(y, {1.5, 1.5});
  expect_error_all(node("ConstantOfShape", {i64({2, -1})}, {}, 9));
  expect_error_all(node("ConstantOfShape", {i64({1 << 20, 1 << 20, 1 << 10})}, {}, 9));
  REQUIRE_THROWS_AS(
      run_all(node("ConstantOfShape", {i64({2})}, {attr_tensor("value", f32({1, 2}, {2}))}, 9)), Error);
  expect_error_all(node("ConstantOfShape", {f32({2}, {1})}, {}, 9));
}

// ---------------- EyeLike ----------------

TEST_CASE("EyeLike: diagonals k, dtype attribute, non-square", "[generate][eyelike]") {
  const int64_t big = std::numeric_limits<int64_t>::max();
  for (const Shape& s : {Shape{3, 3}, Shape{2, 5}, Shape{5, 2}, Shape{0, 3}}) {
    for (int64_t k :
         {int64_t(0), int64_t(1), int64_t(-1), int64_t(3), int64_t(-4), int64_t(9), big, -big - 1}) {
      INFO("shape " << shape_to_string(s) << " k " << k);
      Tensor x = random_tensor(DType::Int32, s, 1);
      Tensor y = run_all(node("EyeLike", {x}, {attr_int("k", k)}, 9));
      REQUIRE(y.dtype() == DType::Int32);
      REQUIRE(y.shape() == s);
      std::vector<double> want;
      for (int64_t f = 0; f < y.numel(); ++f) {
        std::vector<int64_t> c = unravel(f, s);
        want.push_back(static_cast<__int128>(c[1]) - c[0] == k ? 1 : 0);
      }
      require_values(y, want);
    }
  }
  Tensor y = run_all(node("EyeLike", {random_float({2, 2}, 1)}, {attr_int("dtype", 10)}, 9));
  REQUIRE(y.dtype() == DType::Float16);
  require_values(y, {1, 0, 0, 1});
  y = run_all(node("EyeLike", {random_float({2, 2}, 1)}, {attr_int("dtype", 9)}, 9));
  REQUIRE(y.dtype() == DType::Bool);
  require_values(y, {1, 0, 0, 1});
  expect_error_all(node("EyeLike", {random_float({2, 2, 2}, 1)}, {}, 9));
  expect_error_all(node("EyeLike", {random_float({2, 2}, 1)}, {attr_int("dtype", 8)}, 9));
  expect_error_all(node("EyeLike", {random_float({2, 2}, 1)}, {attr_int("dtype", 99)}, 9));
}

// ---------------- Size / shape-only ops ----------------

TEST_CASE("Size counts elements; Shape, Size and EyeLike only need input shapes", "[generate][size]") {
  for (const Shape& s : {Shape{}, Shape{3}, Shape{2, 0, 4}, Shape{2, 3, 4}}) {
    Tensor y = run_all(node("Size", {Tensor(DType::Float, s)}));
    REQUIRE(y.dtype() == DType::Int64);
    REQUIRE(y.shape().empty());
    CHECK(y.data<int64_t>()[0] == shape_numel(s));
  }
  REQUIRE(run_all(node("Size", {strings({5})}, {}, 1)).data<int64_t>()[0] == 5);
  // A data-less stand-in (what the planner passes when only the shape is known).
  for (const char* op : {"Shape", "Size", "EyeLike"}) {
    INFO(op);
    Node n;
    n.op_type = op;
    n.inputs = {"x"};
    n.outputs = {"y"};
    std::vector<ValueType> in(1);
    in[0].dtype = DType::Float;
    in[0].shape_known = true;
    in[0].shape = {3, 4};
    BuildContext bctx{n, 13, in};
    auto k = build_kernel(bctx, "ref");
    REQUIRE(k);
    CHECK_FALSE(k->needs_input_data(0));
    Tensor stand_in = Tensor::view(DType::Float, {3, 4}, nullptr);
    in[0].constant = &stand_in;
    std::vector<ValueType> out(1);
    InferContext ictx(in, out);
    k->infer(ictx);
    Tensor y(out[0].dtype, out[0].shape);
    run_kernel_once(*k, {&stand_in}, {&y}, nullptr);
    if (std::string(op) == "Size") CHECK(y.data<int64_t>()[0] == 12);
    if (std::string(op) == "Shape") require_values(y, {3, 4});
  }
}

// ---------------- MaxUnpool ----------------

TEST_CASE("MaxUnpool places values at MaxPool indices; output_shape; errors", "[generate][maxunpool]") {
  Tensor x = f32({5, 6, 7, 8}, {1, 1, 2, 2});
  Tensor idx = i64({5, 7, 13, 15}, {1, 1, 2, 2});
  std::vector<Attribute> attrs = {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})};
  Tensor y = run_both(node("MaxUnpool", {x, idx}, attrs, 11));
  REQUIRE(y.shape() == Shape{1, 1, 4, 4});
  require_values(y, {0, 0, 0, 0, 0, 5, 0, 6, 0, 0, 0, 0, 0, 7, 0, 8});
  y = run_both(node("MaxUnpool", {x, idx, i64({1, 1, 5, 5})}, attrs, 11));
  REQUIRE(y.shape() == Shape{1, 1, 5, 5});
  std::vector<double> want(25, 0);
  want[5] = 5, want[7] = 6, want[13] = 7, want[15] = 8;
  require_values(y, want);
  // Pads shrink the default output; two channels index the whole tensor.
  Tensor x2 = f32({1, 2}, {1, 2, 1, 1});
  y = run_all(node("MaxUnpool", {x2, i64({3, 5}, {1, 2, 1, 1})},
                {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {0, 0, 1, 0})}, 9));
  REQUIRE(y.shape() == Shape{1, 2, 2, 3});
  require_values(y, {0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0});
  expect_error_all(node("MaxUnpool", {x, i64({5, 7, 13, 16}, {1, 1, 2, 2})}, attrs, 11));
  expect_error_all(node("MaxUnpool", {x, i64({5, 7, 13, -1}, {1, 1, 2, 2})}, attrs, 11));
  expect_error_all(node("MaxUnpool", {x, i64({5, 7, 13}, {1, 1, 3})}, attrs, 11));
  expect_error_all(node("MaxUnpool", {x, idx}, {attr_ints("kernel_shape", {0, 2})}, 11));
  expect_error_all(node("MaxUnpool", {x, idx, i64({1, 1, 5})}, attrs, 11));
  expect_error_all(node("MaxUnpool", {x, idx}, {attr_ints("kernel_shape", {2})}, 11));
}
