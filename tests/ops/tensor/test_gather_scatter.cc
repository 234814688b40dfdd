// Indexing kernels: Gather, GatherElements, GatherND, Scatter/ScatterElements, ScatterND,
// OneHot and Compress, against coordinate-wise references written here.
#include "tests/ops/tensor/data_movement_util.h"

using namespace onnxi;
using namespace onnxi::test;
using namespace onnxi::test::dm;

namespace {

// Reference Gather: out[pre, j..., post] = data[pre, idx[j...], post].
std::vector<double> ref_gather(const Tensor& data, const std::vector<int64_t>& idx, const Shape& idx_shape,
                               int64_t axis) {
  const Shape& ds = data.shape();
  Shape os(ds.begin(), ds.begin() + axis);
  os.insert(os.end(), idx_shape.begin(), idx_shape.end());
  os.insert(os.end(), ds.begin() + axis + 1, ds.end());
  std::vector<double> out(static_cast<size_t>(shape_numel(os)));
  const size_t q = idx_shape.size();
  for (int64_t f = 0; f < static_cast<int64_t>(out.size()); ++f) {
    std::vector<int64_t> c = unravel(f, os);
    std::vector<int64_t> ic(c.begin() + axis, c.begin() + axis + static_cast<int64_t>(q));
    int64_t k = idx[ravel(ic, idx_shape)];
    if (k < 0) k += ds[axis];
    std::vector<int64_t> src(c.begin(), c.begin() + axis);
    src.push_back(k);
    src.insert(src.end(), c.begin() + axis + static_cast<int64_t>(q), c.end());
    out[f] = get_value(data, ravel(src, ds));
  }
  return out;
}

}  // namespace

// ---------------- Gather ----------------

TEST_CASE("Gather along every axis with int32/int64, negative and scalar indices", "[index][gather]") {
  Tensor data = random_float({3, 4, 5}, 1);
  for (int64_t axis : {0, 1, 2, -1, -3}) {
    const int64_t a = axis < 0 ? axis + 3 : axis;
    const int64_t n = data.shape()[a];
    const std::vector<std::pair<std::vector<int64_t>, Shape>> cases = {
        {{0, n - 1, -1, 1}, {2, 2}}, {{-n}, {}}, {{1, 0, 1}, {3}}, {{}, {0}}};
    for (const auto& [idx, ishape] : cases) {
      INFO("axis " << axis << " indices " << shape_to_string(Shape(idx)));
      Tensor want_t = i64(idx, ishape);
      Tensor y = run_both(node("Gather", {data, want_t}, {attr_int("axis", axis)}));
      Shape os(data.shape().begin(), data.shape().begin() + a);
      os.insert(os.end(), ishape.begin(), ishape.end());
      os.insert(os.end(), data.shape().begin() + a + 1, data.shape().end());
      REQUIRE(y.shape() == os);
      require_values(y, ref_gather(data, idx, ishape, a));
      std::vector<int32_t> idx32(idx.begin(), idx.end());
      require_same(run_all(node("Gather", {data, i32(idx32, ishape)}, {attr_int("axis", axis)})), y);
    }
  }
}

TEST_CASE("Gather of every element size and strings; errors", "[index][gather]") {
  for (DType t :
       {DType::UInt8, DType::Int16, DType::Int32, DType::Int64, DType::Float16, DType::Double, DType::Bool}) {
    Tensor data = random_tensor(t, {4, 3}, 2, 0, 1);
    Tensor y = run_all(node("Gather", {data, i64({3, 0}, {2})}, {attr_int("axis", 0)}));
    REQUIRE(y.dtype() == t);
    require_values(y, ref_gather(data, {3, 0}, {2}, 0));
  }
  Tensor s = strings({2, 3});
  Tensor ys = run_all(node("Gather", {s, i64({2, -3}, {2})}, {attr_int("axis", 1)}));
  REQUIRE(ys.strings() == std::vector<std::string>{"s2", "s0", "s5", "s3"});
  Tensor data = random_float({3, 4}, 3);
  expect_error_all(node("Gather", {data, i64({3})}));
  expect_error_all(node("Gather", {data, i64({-4})}));
  expect_error_all(node("Gather", {data, i64({0})}, {attr_int("axis", 2)}));
  expect_error_all(node("Gather", {Tensor::scalar<float>(1), i64({0})}));
  expect_error_all(node("Gather", {data, f32({0}, {1})}));
  // Zero-size axis: any index is out of range, an empty index list is fine.
  Tensor empty(DType::Float, {0, 2});
  expect_error_all(node("Gather", {empty, i64({0})}));
  REQUIRE(run_all(node("Gather", {empty, i64({})})).shape() == Shape{0, 2});
}

TEST_CASE("Gather threaded runs match single-threaded ones", "[index][gather][threads]") {
  Tensor data = random_float({64, 300}, 4);
  std::vector<int64_t> idx;
  for (int i = 0; i < 500; ++i) idx.push_back((i * 37) % 64 - (i % 2 ? 64 : 0));
  Tensor y = run_threaded_same(node("Gather", {data, i64(idx)}), "ref");
  require_values(y, ref_gather(data, idx, {500}, 0));
}

// ---------------- GatherElements ----------------

TEST_CASE("GatherElements on each axis, negative indices, smaller index dims", "[index][gather_elements]") {
  Tensor data = random_float({3, 4, 2}, 5);
  for (int64_t axis : {0, 1, 2, -1}) {
    const int64_t a = axis < 0 ? axis + 3 : axis;
    Shape is = {2, 3, 2};
    is[a] = 5;  // along the axis the index tensor may be longer
    Tensor idx(DType::Int64, is);
    TestRng rng(static_cast<uint64_t>(a) + 7);
    const int64_t n = data.shape()[a];
    for (int64_t i = 0; i < idx.numel(); ++i) idx.data<int64_t>()[i] = rng.integer(-n, n - 1);
    Tensor y = run_both(node("GatherElements", {data, idx}, {attr_int("axis", axis)}));
    REQUIRE(y.shape() == is);
    std::vector<double> want;
    for (int64_t f = 0; f < idx.numel(); ++f) {
      std::vector<int64_t> c = unravel(f, is);
      int64_t k = idx.data<int64_t>()[f];
      c[a] = k < 0 ? k + n : k;
      want.push_back(get_value(data, ravel(c, data.shape())));
    }
    require_values(y, want);
  }
  // Spec example with int32 indices.
  Tensor d2 = f32({1, 2, 3, 4, 5, 6, 7, 8, 9}, {3, 3});
  Tensor y = run_all(node("GatherElements", {d2, i32({1, 2, 0, 2, 0, 0}, {2, 3})}));
  require_values(y, {4, 8, 3, 7, 2, 3});
  Tensor s = strings({2, 2});
  REQUIRE(
      run_all(node("GatherElements", {s, i64({1, 0, 0, 0}, {2, 2})}, {attr_int("axis", 1)})).strings() ==
      std::vector<std::string>{"s1", "s0", "s2", "s2"});
  expect_error_all(node("GatherElements", {d2, i64({3}, {1, 1})}));
  expect_error_all(node("GatherElements", {d2, i64({-4}, {1, 1})}));
  expect_error_all(node("GatherElements", {d2, i64({0}, {1})}));  // rank
  expect_error_all(node("GatherElements", {d2, i64({0, 0, 0, 0}, {1, 4})}));  // dim 1 > 3
}

// ---------------- GatherND ----------------

TEST_CASE("GatherND spec examples and batch_dims", "[index][gather_nd]") {
  Tensor d22 = i64({0, 1, 2, 3}, {2, 2});
  require_values(run_both(node("GatherND", {d22, i64({0, 0, 1, 1}, {2, 2})})), {0, 3});
  Tensor y = run_both(node("GatherND", {d22, i64({1, 0}, {2, 1})}));
  REQUIRE(y.shape() == Shape{2, 2});
  require_values(y, {2, 3, 0, 1});
  Tensor d222 = i64({0, 1, 2, 3, 4, 5, 6, 7}, {2, 2, 2});
  y = run_both(node("GatherND", {d222, i64({0, 1, 1, 0}, {2, 2})}));
  REQUIRE(y.shape() == Shape{2, 2});
  require_values(y, {2, 3, 4, 5});
  y = run_both(node("GatherND", {d222, i64({0, 1, 1, 0}, {2, 1, 2})}));
  REQUIRE(y.shape() == Shape{2, 1, 2});
  require_values(y, {2, 3, 4, 5});
  y = run_both(node("GatherND", {d222, i64({1, 0}, {2, 1})}, {attr_int("batch_dims", 1)}));
  REQUIRE(y.shape() == Shape{2, 2});
  require_values(y, {2, 3, 4, 5});
  // Negative indices and strings.
  Tensor s = strings({2, 3});
  REQUIRE(run_all(node("GatherND", {s, i64({-1, -1, 0, 1}, {2, 2})})).strings() ==
          std::vector<std::string>{"s5", "s1"});
  // batch_dims 2 with full tuples.
  Tensor d = iota(DType::Float, {2, 3, 4});
  y = run_all(node("GatherND", {d, i64({3, 0, 1, 2, 2, 1}, {2, 3, 1})}, {attr_int("batch_dims", 2)}));
  REQUIRE(y.shape() == Shape{2, 3});
  require_values(y, {3, 4, 9, 14, 18, 21});
  expect_error_all(node("GatherND", {d22, i64({2, 0}, {1, 2})}));
  expect_error_all(node("GatherND", {d22, i64({0, -3}, {1, 2})}));
  expect_error_all(node("GatherND", {d22, i64({0, 0, 0}, {1, 3})}));  // k > rank
  expect_error_all(node("GatherND", {d22, i64({0}, {1, 1})}, {attr_int("batch_dims", 1)}));  // batch dims differ (2 vs 1)
  expect_error_all(node("GatherND", {d22, i64({0, 0}, {2, 1})}, {attr_int("batch_dims", 2)}));
}

// ---------------- ScatterElements / Scatter ----------------

namespace {

std::vector<double> ref_scatter_elements(const Tensor& data, const Tensor& idx, const Tensor& upd,
                                         int64_t axis, const std::string& red) {
  std::vector<double> out = values_of(data);
  const int64_t n = data.shape()[axis];
  for (int64_t f = 0; f < idx.numel(); ++f) {
    std::vector<int64_t> c = unravel(f, idx.shape());
    int64_t k = static_cast<int64_t>(get_value(idx, f));
    c[axis] = k < 0 ? k + n : k;
    double& o = out[ravel(c, data.shape())];
    const double u = get_value(upd, f);
    o = red == "add"   ? o + u
        : red == "mul" ? o * u
        : red == "max" ? std::max(o, u)
        : red == "min" ? std::min(o, u)
                       : u;
  }
  return out;
}

}  // namespace

TEST_CASE("ScatterElements with reductions, duplicates and negative indices", "[index][scatter]") {
  Tensor data = random_tensor(DType::Float, {4, 3, 2}, 6);
  for (int64_t axis : {0, 1, -1}) {
    const int64_t a = axis < 0 ? axis + 3 : axis;
    const int64_t n = data.shape()[a];
    Shape is = {2, 3, 2};
    Tensor idx(DType::Int64, is);
    TestRng rng(static_cast<uint64_t>(a) + 11);
    for (int64_t i = 0; i < idx.numel(); ++i) idx.data<int64_t>()[i] = rng.integer(-n, n - 1);
    Tensor upd = random_tensor(DType::Float, is, 12);
    for (std::string red : {"add", "mul", "max", "min"}) {
      INFO("axis " << axis << " reduction " << red);
      Tensor y = run_both(node("ScatterElements", {data, idx, upd},
                               {attr_int("axis", axis), attr_string("reduction", red)}, 16));
      REQUIRE(y.shape() == data.shape());
      require_values(y, ref_scatter_elements(data, idx, upd, a, red), 1e-6);
    }
  }
  // Without duplicates, "none" stores; opset 11 and Scatter (opset 10) are the same op.
  Tensor d = Tensor(DType::Float, {3, 3});
  Tensor idx = i64({1, 0, 2, 0, 2, 1}, {2, 3});
  Tensor upd = f32({1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f}, {2, 3});
  const std::vector<double> want = {2.0, 1.1, 0, 1.0, 0, 2.2, 0, 2.1, 1.2};
  check_all(node("ScatterElements", {d, idx, upd}, {}, 11), want, 1e-6);
  check_all(node("Scatter", {d, idx, upd}, {}, 10), want, 1e-6);
  check_all(node("ScatterElements", {d, idx, upd}, {attr_string("reduction", "none")}, 16), want, 1e-6);
  // Integer add wraps; int32 indices; strings.
  Tensor di = Tensor::from_vector<int8_t>({100, 0}, {2});
  Tensor ui = Tensor::from_vector<int8_t>({100, 5}, {2});
  Tensor yi =
      run_all(node("ScatterElements", {di, i32({0, 0}, {2}), ui}, {attr_string("reduction", "add")}, 16));
  REQUIRE(yi.data<int8_t>()[0] == static_cast<int8_t>(205 - 256));
  Tensor s = strings({2, 2});
  Tensor su = Tensor::from_vector<std::string>({"x", "y"}, {1, 2});
  REQUIRE(
      run_all(node("ScatterElements", {s, i64({1, 0}, {1, 2}), su}, {attr_int("axis", 1)})).strings() ==
      std::vector<std::string>{"y", "x", "s2", "s3"});
  REQUIRE_THROWS_AS(
      run_all(node("ScatterElements", {s, i64({1, 0}, {1, 2}), su}, {attr_string("reduction", "add")}, 16)),
      Error);
  // Errors: out-of-range indices (both signs), shape mismatches, unknown reduction.
  expect_error_all(node("ScatterElements", {d, i64({3}, {1, 1}), f32({1}, {1, 1})}));
  expect_error_all(node("ScatterElements", {d, i64({-4}, {1, 1}), f32({1}, {1, 1})}));
  expect_error_all(node("ScatterElements", {d, i64({0, 0}, {1, 2}), f32({1}, {1, 1})}));
  expect_error_all(node("ScatterElements", {d, i64({0}, {1, 1}), f32({1}, {1, 1})},
                              {attr_string("reduction", "sub")}, 16));
}

TEST_CASE("ScatterND: elements, slices, reductions, errors", "[index][scatter_nd]") {
  Tensor data = i64({1, 2, 3, 4, 5, 6, 7, 8}, {8});
  Tensor y = run_both(node("ScatterND", {data, i64({4, 3, 1, 7}, {4, 1}), i64({9, 10, 11, 12}, {4})}));
  require_values(y, {1, 11, 3, 10, 9, 6, 7, 12});
  // Slices: rows of a [4, 2, 2].
  Tensor d3 = iota(DType::Float, {4, 2, 2});
  Tensor upd = f32({-1, -2, -3, -4, -5, -6, -7, -8}, {2, 2, 2});
  y = run_both(node("ScatterND", {d3, i64({0, -2}, {2, 1}), upd}));
  require_values(y, {-1, -2, -3, -4, 4, 5, 6, 7, -5, -6, -7, -8, 12, 13, 14, 15});
  // Duplicates accumulate with add/mul.
  Tensor d2 = f32({1, 2, 3, 4}, {2, 2});
  y = run_all(node("ScatterND", {d2, i64({0, 1, 0, 1, 1, 0}, {3, 2}), f32({10, 20, 5}, {3})},
                {attr_string("reduction", "add")}, 16));
  require_values(y, {1, 32, 8, 4});
  y = run_all(node("ScatterND", {d2, i64({0, 1, 0, 1}, {2, 2}), f32({10, 3}, {2})},
                {attr_string("reduction", "mul")}, 16));
  require_values(y, {1, 60, 3, 4});
  Tensor s = strings({3});
  REQUIRE(run_all(node("ScatterND", {s, i64({2}, {1, 1}), Tensor::from_vector<std::string>({"z"}, {1})}))
              .strings() == std::vector<std::string>{"s0", "s1", "z"});
  expect_error_all(node("ScatterND", {data, i64({8}, {1, 1}), i64({0}, {1})}));
  expect_error_all(node("ScatterND", {data, i64({-9}, {1, 1}), i64({0}, {1})}));
  expect_error_all(node("ScatterND", {data, i64({0}, {1, 1}), i64({0, 1}, {2})}));
  expect_error_all(node("ScatterND", {data, i64({0, 0}, {1, 2}), i64({0}, {1})}));
}

// ---------------- OneHot ----------------

TEST_CASE("OneHot: axes, negative and out-of-range indices, value types", "[index][onehot]") {
  Tensor idx = i64({0, 2, -1, 5, -4, 1}, {2, 3});
  const int64_t depth = 3;
  Tensor values = f32({-1, 7}, {2});
  for (int64_t axis : {-1, 0, 1, 2, -3}) {
    const int64_t a = axis < 0 ? axis + 3 : axis;
    Shape os = {2, 3};
    os.insert(os.begin() + a, depth);
    Tensor y = run_both(node("OneHot", {idx, i64({depth}, {}), values}, {attr_int("axis", axis)}, 11));
    REQUIRE(y.shape() == os);
    std::vector<double> want;
    for (int64_t f = 0; f < shape_numel(os); ++f) {
      std::vector<int64_t> c = unravel(f, os);
      const int64_t pos = c[a];
      c.erase(c.begin() + a);
      int64_t k = idx.data<int64_t>()[ravel(c, {2, 3})];
      if (k < 0) k += depth;
      want.push_back(k == pos ? 7 : -1);
    }
    INFO("axis " << axis);
    require_values(y, want);
  }
  // Float indices and depth truncate; string values.
  Tensor fi = f32({1.7f, 0.2f}, {2});
  Tensor sv = Tensor::from_vector<std::string>({"off", "on"}, {2});
  Tensor ys = run_all(node("OneHot", {fi, f32({2.9f}, {1}), sv}, {}, 9));
  REQUIRE(ys.shape() == Shape{2, 2});
  REQUIRE(ys.strings() == std::vector<std::string>{"off", "on", "on", "off"});
  expect_error_all(node("OneHot", {idx, i64({0}, {}), values}));
  expect_error_all(node("OneHot", {idx, i64({3}, {}), values}, {attr_int("axis", 3)}));
  expect_error_all(node("OneHot", {idx, i64({3}, {}), f32({1}, {1})}));
  expect_error_all(node("OneHot", {idx, i64({int64_t(1) << 40}, {}), values}));
}

// ---------------- Compress ----------------

TEST_CASE("Compress along an axis, flattened, short conditions, errors", "[index][compress]") {
  Tensor x = iota(DType::Float, {3, 2});
  auto cond = [](std::vector<bool> v) {
    return Tensor::from_vector<bool>(v, {static_cast<int64_t>(v.size())});
  };
  Tensor y = run_both(node("Compress", {x, cond({false, true, true})}, {attr_int("axis", 0)}, 11));
  REQUIRE(y.shape() == Shape{2, 2});
  require_values(y, {2, 3, 4, 5});
  y = run_both(node("Compress", {x, cond({false, true})}, {attr_int("axis", -1)}, 11));
  REQUIRE(y.shape() == Shape{3, 1});
  require_values(y, {1, 3, 5});
  y = run_both(node("Compress", {x, cond({false, true, false, false, true})}, {}, 11));
  REQUIRE(y.shape() == Shape{2});
  require_values(y, {1, 4});
  y = run_all(node("Compress", {x, cond({false, false})}, {attr_int("axis", 0)}, 11));
  REQUIRE(y.shape() == Shape{0, 2});
  Tensor s = strings({2, 2});
  REQUIRE(run_all(node("Compress", {s, cond({true, false})}, {attr_int("axis", 1)}, 11)).strings() ==
          std::vector<std::string>{"s0", "s2"});
  REQUIRE_THROWS_AS(
      run_all(node("Compress", {x, cond({false, false, false, true})}, {attr_int("axis", 0)}, 11)),
      Error);
  expect_error_all(node("Compress", {x, cond({true})}, {attr_int("axis", 2)}, 11));
  expect_error_all(node("Compress", {x, cond({true})}, {attr_int("axis", -1)}, 9));
}
