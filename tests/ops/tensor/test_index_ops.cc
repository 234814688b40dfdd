// ArgMax/ArgMin, Hardmax, CumSum, TopK, Unique and NonZero against references written here.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

namespace {

NodeRun node(const std::string& op, std::vector<Tensor> inputs, std::vector<Attribute> attrs = {},
             int64_t opset = 13, size_t outputs = 1) {
  NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.inputs = std::move(inputs);
  r.attributes = std::move(attrs);
  r.num_outputs = outputs;
  return r;
}

Tensor i64(std::vector<int64_t> v, Shape shape) { return Tensor::from_vector<int64_t>(v, std::move(shape)); }

// (outer, n, inner) of `shape` around `axis`.
void split(const Shape& s, int64_t axis, int64_t* outer, int64_t* n, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int64_t d = 0; d < axis; ++d) *outer *= s[d];
  *n = s[axis];
  for (size_t d = axis + 1; d < s.size(); ++d) *inner *= s[d];
}

}  // namespace

// ---------------- ArgMax / ArgMin ----------------

TEST_CASE("ArgMax/ArgMin over axes with keepdims and select_last_index", "[reduce][argmax]") {
  // Integer data in a small range: many ties.
  Tensor x = random_tensor(DType::Int32, {3, 4, 5}, 3, 0, 3);
  for (const char* op : {"ArgMax", "ArgMin"}) {
    const bool is_max = std::string(op) == "ArgMax";
    for (int64_t axis : {0, 1, 2, -1, -3}) {
      for (bool keep : {true, false}) {
        for (bool last : {false, true}) {
          INFO(op << " axis " << axis << " keepdims " << keep << " last " << last);
          const int64_t a = axis < 0 ? axis + 3 : axis;
          int64_t outer, n, inner;
          split(x.shape(), a, &outer, &n, &inner);
          std::vector<double> want;
          for (int64_t o = 0; o < outer; ++o)
            for (int64_t j = 0; j < inner; ++j) {
              int64_t bi = 0;
              for (int64_t k = 1; k < n; ++k) {
                double v = get_value(x, (o * n + k) * inner + j), b = get_value(x, (o * n + bi) * inner + j);
                bool better = is_max ? v > b : v < b;
                if (better || (last && v == b)) bi = k;
              }
              want.push_back(static_cast<double>(bi));
            }
          Shape want_shape = x.shape();
          if (keep)
            want_shape[a] = 1;
          else
            want_shape.erase(want_shape.begin() + a);
          Tensor y = run_all(node(op, {x},
                   {attr_int("axis", axis), attr_int("keepdims", keep), attr_int("select_last_index", last)},
                   12));
          REQUIRE(y.dtype() == DType::Int64);
          REQUIRE(y.shape() == want_shape);
          require_values(y, want);
        }
      }
    }
  }
}

TEST_CASE("ArgMax/ArgMin: defaults, dtypes, NaN, empty and errors", "[reduce][argmax]") {
  Tensor x = Tensor::from_vector<float>({1, 5, 5, 2, 0, 0}, {2, 3});
  Tensor y = run_all(node("ArgMax", {x}));  // axis 0, keepdims
  REQUIRE(y.shape() == Shape{1, 3});
  require_values(y, {1, 0, 0});
  check_all(node("ArgMax", {x}, {attr_int("axis", 1)}), {1, 0});
  // select_last_index is ignored before opset 12.
  require_values(
      run_all(node("ArgMax", {x}, {attr_int("axis", 1), attr_int("select_last_index", 1)}, 11)), {1, 0});
  require_values(
      run_all(node("ArgMin", {x}, {attr_int("axis", 1), attr_int("select_last_index", 1)}, 12)), {0, 2});
  for (DType t : {DType::Double, DType::Float16, DType::BFloat16, DType::Int8, DType::UInt8, DType::Int64,
                  DType::UInt64}) {
    Tensor xt = make_tensor(t, {2, 3}, {1, 5, 5, 2, 0, 0});
    check_all(node("ArgMin", {xt}, {attr_int("axis", -1), attr_int("keepdims", 0)}), {0, 1});
  }
  Tensor nan = Tensor::from_vector<float>({1, NAN, 3, NAN}, {4});
  check_all(node("ArgMax", {nan}), {1});
  check_all(node("ArgMin", {nan}), {1});
  check_all(node("ArgMax", {nan}, {attr_int("select_last_index", 1)}, 12), {3});
  // Empty: the output is empty when a kept dim is 0; an empty axis is an error otherwise.
  Tensor e(DType::Float, {0, 3});
  REQUIRE(run_all(node("ArgMax", {e}, {attr_int("axis", 1)})).shape() == Shape{0, 1});
  expect_error_all(node("ArgMax", {e}, {attr_int("axis", 0)}));
  expect_error_all(node("ArgMax", {x}, {attr_int("axis", 2)}));
  expect_error_all(node("ArgMax", {x}, {attr_int("axis", -3)}));
  expect_error_all(node("ArgMax", {Tensor::scalar<float>(1)}));
  expect_error_all(node("ArgMax", {Tensor::from_vector<bool>({true}, {1})}));
}

// ---------------- Hardmax ----------------

TEST_CASE("Hardmax: opset 13 axis vs opset < 13 coerced rows", "[reduce][hardmax]") {
  Tensor x = random_tensor(DType::Float, {2, 3, 4}, 5, -2, 2);
  for (int64_t opset : {11, 13}) {
    for (int64_t axis : {0, 1, 2, -1, -2}) {
      INFO("opset " << opset << " axis " << axis);
      const int64_t a = axis < 0 ? axis + 3 : axis;
      int64_t outer, n, inner;
      if (opset < 13) {
        outer = 1;
        for (int64_t d = 0; d < a; ++d) outer *= x.shape()[d];
        n = x.numel() / outer;
        inner = 1;
      } else {
        split(x.shape(), a, &outer, &n, &inner);
      }
      std::vector<double> want(x.numel(), 0);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < inner; ++j) {
          int64_t bi = 0;
          for (int64_t k = 1; k < n; ++k)
            if (get_value(x, (o * n + k) * inner + j) > get_value(x, (o * n + bi) * inner + j)) bi = k;
          want[(o * n + bi) * inner + j] = 1;
        }
      Tensor y = run_all(node("Hardmax", {x}, {attr_int("axis", axis)}, opset));
      REQUIRE(y.shape() == x.shape());
      require_values(y, want);
    }
  }
  // Defaults: axis -1 from 13, axis 1 (rows of the trailing dims) before.
  Tensor m = Tensor::from_vector<float>({1, 3, 3, 0, 9, 0, 2, 1}, {2, 2, 2});
  check_all(node("Hardmax", {m}), {0, 1, 1, 0, 1, 0, 1, 0});
  check_all(node("Hardmax", {m}, {}, 11), {0, 1, 0, 0, 1, 0, 0, 0});
  check_all(node("Hardmax", {m}, {attr_int("axis", 0)}, 11), {0, 0, 0, 0, 1, 0, 0, 0});
  check_all(node("Hardmax", {m}, {attr_int("axis", 3)}, 11), std::vector<double>(8, 1));
  Tensor h = make_tensor(DType::Float16, {1, 3}, {0.5, 0.25, 0.5});
  check_all(node("Hardmax", {h}), {1, 0, 0});
  REQUIRE(run_all(node("Hardmax", {Tensor(DType::Float, {0, 3})})).shape() == Shape{0, 3});
  expect_error_all(node("Hardmax", {m}, {attr_int("axis", 3)}));
  expect_error_all(node("Hardmax", {m}, {attr_int("axis", 4)}, 11));
  expect_error_all(node("Hardmax", {Tensor::from_vector<int32_t>({1}, {1})}));
}

// ---------------- CumSum ----------------

TEST_CASE("CumSum: axes, exclusive, reverse, dtypes", "[reduce][cumsum]") {
  for (DType t : {DType::Float, DType::Double, DType::Int32, DType::Int64, DType::UInt32, DType::Float16}) {
    Tensor x = random_tensor(t, {2, 3, 4}, 17, -3, 3);
    for (int64_t axis : {0, 1, 2, -1, -3}) {
      for (bool exclusive : {false, true}) {
        for (bool reverse : {false, true}) {
          INFO(dtype_name(t) << " axis " << axis << " exclusive " << exclusive << " reverse " << reverse);
          const int64_t a = axis < 0 ? axis + 3 : axis;
          int64_t outer, n, inner;
          split(x.shape(), a, &outer, &n, &inner);
          std::vector<double> want(x.numel());
          for (int64_t o = 0; o < outer; ++o)
            for (int64_t j = 0; j < inner; ++j)
              for (int64_t k = 0; k < n; ++k) {
                double s = 0;
                for (int64_t m = 0; m < n; ++m) {
                  bool in = reverse ? (exclusive ? m > k : m >= k) : (exclusive ? m < k : m <= k);
                  if (in) s += get_value(x, (o * n + m) * inner + j);
                }
                want[(o * n + k) * inner + j] = s;
              }
          for (bool axis32 : {false, true}) {
            Tensor ax =
                axis32 ? Tensor::scalar<int32_t>(static_cast<int32_t>(axis)) : Tensor::scalar<int64_t>(axis);
            NodeRun r =
                node("CumSum", {x, ax}, {attr_int("exclusive", exclusive), attr_int("reverse", reverse)}, 14);
            r.constant = {false, axis32};
            Tensor y = run_all(r);
            REQUIRE(y.dtype() == t);
            REQUIRE(y.shape() == x.shape());
            require_values(y, want);
          }
        }
      }
    }
  }
}

TEST_CASE("CumSum: 1-element axis, empty input and errors", "[reduce][cumsum]") {
  Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, 5}, {5});
  check_all(node("CumSum", {x, i64({0}, {1})}, {}, 11), {1, 3, 6, 10, 15});
  require_values(
      run_all(node("CumSum", {x, i64({0}, {})}, {attr_int("exclusive", 1), attr_int("reverse", 1)}, 11)),
      {14, 12, 9, 5, 0});
  REQUIRE(run_all(node("CumSum", {Tensor(DType::Float, {2, 0}), i64({1}, {})})).shape() == Shape{2, 0});
  expect_error_all(node("CumSum", {x, i64({1}, {})}));
  expect_error_all(node("CumSum", {x, i64({-2}, {})}));
  expect_error_all(node("CumSum", {x, i64({0, 0}, {2})}));
  expect_error_all(node("CumSum", {x, Tensor::scalar<float>(0)}));
  expect_error_all(node("CumSum", {Tensor::from_vector<bool>({true}, {1}), i64({0}, {})}));
}

// ---------------- TopK ----------------

namespace {

// Reference TopK along `axis`: stable sort of (value, index) pairs.
void ref_topk(const Tensor& x, int64_t axis, int64_t k, bool largest, std::vector<double>* values,
              std::vector<double>* indices) {
  int64_t outer, n, inner;
  split(x.shape(), axis, &outer, &n, &inner);
  values->assign(outer * k * inner, 0);
  indices->assign(outer * k * inner, 0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      std::vector<int64_t> idx(n);
      std::iota(idx.begin(), idx.end(), 0);
      auto v = [&](int64_t i) { return get_value(x, (o * n + i) * inner + j); };
      std::stable_sort(idx.begin(), idx.end(),
                       [&](int64_t a, int64_t b) { return largest ? v(a) > v(b) : v(a) < v(b); });
      for (int64_t i = 0; i < k; ++i) {
        (*values)[(o * k + i) * inner + j] = v(idx[i]);
        (*indices)[(o * k + i) * inner + j] = static_cast<double>(idx[i]);
      }
    }
}

}  // namespace

TEST_CASE("TopK: largest/smallest, axes, ties by lower index", "[tensor][topk]") {
  Tensor x = random_tensor(DType::Float, {3, 5, 4}, 21, -2, 2);  // multiples of 1/8: ties
  for (int64_t axis : {0, 1, 2, -1}) {
    const int64_t a = axis < 0 ? axis + 3 : axis;
    for (int64_t k : {int64_t{0}, int64_t{1}, int64_t{2}, x.shape()[a]}) {
      for (bool largest : {true, false}) {
        for (bool constant_k : {true, false}) {
          INFO("axis " << axis << " k " << k << " largest " << largest << " constant " << constant_k);
          std::vector<double> wv, wi;
          ref_topk(x, a, k, largest, &wv, &wi);
          NodeRun r =
              node("TopK", {x, i64({k}, {1})}, {attr_int("axis", axis), attr_int("largest", largest)}, 11, 2);
          r.constant = {false, constant_k};
          NodeResult res = run_node(r);
          Shape want_shape = x.shape();
          want_shape[a] = k;
          REQUIRE(res.outputs[0].shape() == want_shape);
          REQUIRE(res.outputs[1].shape() == want_shape);
          REQUIRE(res.outputs[1].dtype() == DType::Int64);
          require_values(res.outputs[0], wv);
          require_values(res.outputs[1], wi);
        }
      }
    }
  }
}

TEST_CASE("TopK: opset 1 attribute k, dtypes, NaN and errors", "[tensor][topk]") {
  Tensor x = Tensor::from_vector<float>({3, 1, 3, 2, 0, 5}, {2, 3});
  NodeResult r1 = run_node(node("TopK", {x}, {attr_int("k", 2)}, 1, 2));
  require_values(r1.outputs[0], {3, 3, 5, 2});
  require_values(r1.outputs[1], {0, 2, 2, 0});
  NodeResult r10 = run_node(node("TopK", {x, i64({1}, {1})}, {attr_int("axis", 0)}, 10, 2));
  require_values(r10.outputs[0], {3, 1, 5});
  require_values(r10.outputs[1], {0, 0, 1});
  for (DType t : {DType::Int32, DType::Int64, DType::UInt8, DType::Double, DType::Float16}) {
    Tensor xt = make_tensor(t, {2, 3}, {3, 1, 3, 2, 0, 5});
    NodeResult r = run_node(node("TopK", {xt, i64({2}, {1})}, {attr_int("largest", 0)}, 11, 2));
    REQUIRE(r.outputs[0].dtype() == t);
    require_values(r.outputs[0], {1, 3, 0, 2});
    require_values(r.outputs[1], {1, 0, 1, 0});
  }
  Tensor nan = Tensor::from_vector<float>({1, NAN, 3}, {3});
  NodeResult rn = run_node(node("TopK", {nan, i64({2}, {1})}, {}, 11, 2));
  require_values(rn.outputs[1], {1, 2});
  // Only the values output requested.
  NodeResult rv = run_node(node("TopK", {x, i64({1}, {1})}, {}, 11, 1));
  require_values(rv.outputs[0], {3, 5});
  REQUIRE_THROWS_AS(run_node(node("TopK", {x, i64({4}, {1})}, {}, 11, 2)), Error);
  REQUIRE_THROWS_AS(run_node(node("TopK", {x, i64({-1}, {1})}, {}, 11, 2)), Error);
  REQUIRE_THROWS_AS(run_node(node("TopK", {x, i64({1, 1}, {2})}, {}, 11, 2)), Error);
  REQUIRE_THROWS_AS(run_node(node("TopK", {x, i64({1}, {1})}, {attr_int("axis", 2)}, 11, 2)), Error);
  REQUIRE_THROWS_AS(run_node(node("TopK", {x}, {}, 1, 2)), Error);  // k attribute is required
  REQUIRE_THROWS_AS(run_node(node("TopK", {Tensor::scalar<float>(1), i64({1}, {1})}, {}, 11, 2)), Error);
}

// ---------------- Unique ----------------

TEST_CASE("Unique: flattened, sorted and unsorted, all outputs", "[tensor][unique]") {
  Tensor x = Tensor::from_vector<float>({2, 1, 1, 3, 4, 3}, {6});
  NodeResult s = run_node(node("Unique", {x}, {}, 11, 4));
  require_values(s.outputs[0], {1, 2, 3, 4});
  require_values(s.outputs[1], {1, 0, 3, 4});
  require_values(s.outputs[2], {1, 0, 0, 2, 3, 2});
  require_values(s.outputs[3], {2, 1, 2, 1});
  NodeResult u = run_node(node("Unique", {x}, {attr_int("sorted", 0)}, 11, 4));
  require_values(u.outputs[0], {2, 1, 3, 4});
  require_values(u.outputs[1], {0, 1, 3, 4});
  require_values(u.outputs[2], {0, 1, 1, 2, 3, 2});
  require_values(u.outputs[3], {1, 2, 2, 1});
  // A 2-D input without axis is flattened; only Y requested.
  Tensor m = Tensor::from_vector<int32_t>({5, 5, -1, 5}, {2, 2});
  NodeResult y = run_node(node("Unique", {m}, {}, 11, 1));
  REQUIRE(y.outputs[0].shape() == Shape{2});
  REQUIRE(y.outputs[0].dtype() == DType::Int32);
  require_values(y.outputs[0], {-1, 5});
  Tensor strs = Tensor::from_vector<std::string>({"b", "a", "b"}, {3});
  NodeResult st = run_node(node("Unique", {strs}, {}, 11, 4));
  REQUIRE(st.outputs[0].strings() == std::vector<std::string>{"a", "b"});
  require_values(st.outputs[3], {1, 2});
  Tensor nan = Tensor::from_vector<float>({NAN, 1, NAN}, {3});
  NodeResult sn = run_node(node("Unique", {nan}, {}, 11, 4));
  require_values(sn.outputs[0], {1, NAN});
  require_values(sn.outputs[3], {1, 2});
  NodeResult e = run_node(node("Unique", {Tensor(DType::Float, {0})}, {}, 11, 4));
  REQUIRE(e.outputs[0].shape() == Shape{0});
  REQUIRE(e.outputs[2].shape() == Shape{0});
}

TEST_CASE("Unique along an axis: lexicographic slices", "[tensor][unique]") {
  // Rows: [1,0,0], [1,0,0], [2,3,4] (the ONNX example); with axis 0.
  Tensor x = Tensor::from_vector<float>({1, 0, 0, 1, 0, 0, 2, 3, 4}, {3, 3});
  NodeResult r = run_node(node("Unique", {x}, {attr_int("axis", 0)}, 11, 4));
  REQUIRE(r.outputs[0].shape() == Shape{2, 3});
  require_values(r.outputs[0], {1, 0, 0, 2, 3, 4});
  require_values(r.outputs[1], {0, 2});
  require_values(r.outputs[2], {0, 0, 1});
  require_values(r.outputs[3], {2, 1});
  // Columns of a 3-D input, negative axis, unsorted.
  Tensor c = Tensor::from_vector<int64_t>({1, 1, 0, 1, 2, 2, 3, 2,  //
                                           0, 0, 5, 0, 1, 1, 1, 1},
                                          {2, 2, 4});
  // Slices along the last axis (index k): (x[0,0,k], x[0,1,k], x[1,0,k], x[1,1,k]).
  // k=0: (1,2,0,1) k=1: (1,2,0,1) k=2: (0,3,5,1) k=3: (1,2,0,1)
  NodeResult rc = run_node(node("Unique", {c}, {attr_int("axis", -1)}, 11, 4));
  REQUIRE(rc.outputs[0].shape() == Shape{2, 2, 2});
  require_values(rc.outputs[0], {0, 1, 3, 2, 5, 0, 1, 1});
  require_values(rc.outputs[1], {2, 0});
  require_values(rc.outputs[2], {1, 1, 0, 1});
  require_values(rc.outputs[3], {1, 3});
  NodeResult ru = run_node(node("Unique", {c}, {attr_int("axis", 2), attr_int("sorted", 0)}, 11, 4));
  require_values(ru.outputs[0], {1, 0, 2, 3, 0, 5, 1, 1});
  require_values(ru.outputs[1], {0, 2});
  require_values(ru.outputs[2], {0, 0, 1, 0});
  REQUIRE_THROWS_AS(run_node(node("Unique", {c}, {attr_int("axis", 3)}, 11, 4)), Error);
  REQUIRE_THROWS_AS(run_node(node("Unique", {Tensor::scalar<float>(1)}, {attr_int("axis", 0)}, 11, 4)),
                    Error);
}

// ---------------- NonZero ----------------

TEST_CASE("NonZero: coordinates in row-major order", "[tensor][nonzero]") {
  Tensor x = random_tensor(DType::Int32, {3, 4, 2}, 9, -1, 1);
  std::vector<std::vector<double>> coords(3);
  for (int64_t i = 0; i < x.numel(); ++i)
    if (get_value(x, i) != 0) {
      coords[0].push_back(static_cast<double>(i / 8));
      coords[1].push_back(static_cast<double>(i / 2 % 4));
      coords[2].push_back(static_cast<double>(i % 2));
    }
  std::vector<double> want;
  for (const auto& c : coords) want.insert(want.end(), c.begin(), c.end());
  for (bool constant : {true, false}) {
    NodeRun r = node("NonZero", {x});
    r.constant = {constant};
    Tensor y = run_all(r);
    REQUIRE(y.dtype() == DType::Int64);
    REQUIRE(y.shape() == Shape{3, static_cast<int64_t>(coords[0].size())});
    require_values(y, want);
  }
  Tensor b = Tensor::from_vector<bool>({true, false, false, true}, {2, 2});
  check_all(node("NonZero", {b}), {0, 1, 0, 1});
  Tensor f = make_tensor(DType::Float16, {3}, {0, -0.0, 2});
  check_all(node("NonZero", {f}, {}, 9), {2});
  REQUIRE(run_all(node("NonZero", {Tensor::scalar<float>(3)})).shape() == Shape{1, 1});
  REQUIRE(run_all(node("NonZero", {Tensor::scalar<float>(0)})).shape() == Shape{1, 0});
  REQUIRE(run_all(node("NonZero", {Tensor(DType::Float, {2, 0})})).shape() == Shape{2, 0});
  Tensor s = Tensor::from_vector<std::string>({"", "x"}, {2});
  check_all(node("NonZero", {s}), {1});
}

// ---------------- Robustness ----------------

TEST_CASE("Reduce and index ops on random shapes and attributes: results or onnxi::Error", "[reduce][fuzz]") {
  TestRng rng(2024);
  const std::vector<std::string> ops = {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceLogSumExp", "ReduceL2",
                                        "ArgMax",    "ArgMin",     "Hardmax",   "CumSum",          "TopK",
                                        "Unique",    "NonZero",    "Einsum"};
  const std::string alphabet = "ijk.,->";
  for (int iter = 0; iter < 600; ++iter) {
    Shape shape(static_cast<size_t>(rng.integer(0, 4)));
    for (int64_t& d : shape) d = rng.integer(0, 6) == 0 ? 0 : rng.integer(1, 4);
    Tensor x = random_tensor(DType::Float, shape, static_cast<uint64_t>(iter));
    const std::string& op = ops[rng.integer(0, static_cast<int64_t>(ops.size()) - 1)];
    NodeRun r = node(op, {x}, {}, rng.integer(0, 1) ? 13 : 11, 1);
    auto rand_axis = [&] { return rng.integer(-5, 5); };
    if (op.rfind("Reduce", 0) == 0) {
      std::vector<int64_t> axes(static_cast<size_t>(rng.integer(0, 3)));
      for (int64_t& a : axes) a = rand_axis();
      r.opset = rng.integer(0, 1) ? 18 : 11;
      if (r.opset >= 18) {
        if (rng.integer(0, 1)) r.inputs.push_back(Tensor::from_vector<int64_t>(axes, {int64_t(axes.size())}));
        r.attributes.push_back(attr_int("noop_with_empty_axes", rng.integer(0, 1)));
      } else if (rng.integer(0, 1)) {
        r.attributes.push_back(attr_ints("axes", axes));
      }
      r.attributes.push_back(attr_int("keepdims", rng.integer(0, 1)));
    } else if (op == "ArgMax" || op == "ArgMin" || op == "Hardmax") {
      r.attributes = {attr_int("axis", rand_axis()), attr_int("keepdims", rng.integer(0, 1)),
                      attr_int("select_last_index", rng.integer(0, 1))};
    } else if (op == "CumSum") {
      r.inputs.push_back(Tensor::scalar<int64_t>(rand_axis()));
      r.attributes = {attr_int("exclusive", rng.integer(0, 1)), attr_int("reverse", rng.integer(0, 1))};
    } else if (op == "TopK") {
      r.inputs.push_back(Tensor::from_vector<int64_t>({rng.integer(-1, 5)}, {1}));
      r.attributes = {attr_int("axis", rand_axis()), attr_int("largest", rng.integer(0, 1))};
      r.num_outputs = 2;
    } else if (op == "Unique") {
      if (rng.integer(0, 1)) r.attributes.push_back(attr_int("axis", rand_axis()));
      r.attributes.push_back(attr_int("sorted", rng.integer(0, 1)));
      r.num_outputs = 4;
    } else if (op == "Einsum") {
      std::string eq;
      for (int64_t n = rng.integer(0, 9); n > 0; --n) eq += alphabet[rng.integer(0, 6)];
      r.attributes = {attr_string("equation", eq)};
      if (eq.find(',') != std::string::npos) r.inputs.push_back(random_float({3}, 1));
      r.opset = 12;
    }
    for (size_t i = 0; i < r.inputs.size(); ++i) r.constant.push_back(rng.integer(0, 1) == 1);
    INFO(op << " on " << shape_to_string(shape) << " opset " << r.opset);
    try {
      run_node(r);
    } catch (const Error&) {
      // Rejected with a message: fine.
    }
  }
}
