// Rearranging kernels: Slice, Split, Pad, Tile, Expand, Where, Trilu, ReverseSequence,
// DepthToSpace/SpaceToDepth, against coordinate-wise references written here.
#include <limits>

#include "tests/ops/tensor/data_movement_util.h"

using namespace onnxi;
using namespace onnxi::test;
using namespace onnxi::test::dm;

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Python's range(dim)[start:end:step], computed the way CPython's slice.indices does.
std::vector<int64_t> py_slice(int64_t start, int64_t end, int64_t step, int64_t dim) {
  auto adjust = [&](int64_t v, bool is_start) {
    const int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? dim : dim - 1;
    (void)is_start;
    if (v < 0) {
      v = v < -dim ? lo : v + dim;
      return std::max(v, lo);
    }
    return std::min(v, hi);
  };
  const int64_t s = adjust(start, true), e = adjust(end, false);
  std::vector<int64_t> out;
  // Steps may be near INT64 extremes: advance in 128 bits.
  for (__int128 i = s; step > 0 ? i < e : i > e; i += step) out.push_back(static_cast<int64_t>(i));
  return out;
}

// Reference gather of `x` by per-dim index lists.
std::vector<double> take(const Tensor& x, const std::vector<std::vector<int64_t>>& lists, Shape* shape) {
  shape->clear();
  for (const auto& l : lists) shape->push_back(static_cast<int64_t>(l.size()));
  std::vector<double> out;
  for (int64_t f = 0; f < shape_numel(*shape); ++f) {
    std::vector<int64_t> c = unravel(f, *shape);
    for (size_t d = 0; d < c.size(); ++d) c[d] = lists[d][c[d]];
    out.push_back(get_value(x, ravel(c, x.shape())));
  }
  return out;
}

}  // namespace

// ---------------- Slice ----------------

TEST_CASE("Slice: negative, clamped and INT64 extremes, negative steps, axes", "[rearrange][slice]") {
  Tensor x = iota(DType::Float, {5, 6, 4});
  struct Case {
    std::vector<int64_t> starts, ends, axes, steps;
  };
  const std::vector<Case> cases = {
      {{1, 0}, {3, 5}, {}, {}},
      {{0, 1}, {-1, 1000}, {0, 1}, {}},
      {{-100}, {100}, {2}, {}},
      {{4, 5}, {kMin, kMin}, {0, -2}, {-1, -2}},
      {{-1}, {-6}, {-3}, {-1}},
      {{kMax}, {0}, {1}, {-3}},
      {{2}, {2}, {0}, {}},
      {{3}, {1}, {0}, {1}},
      {{0, 0, 0}, {kMax, kMax, kMax}, {}, {2, 4, kMax}},
      {{1, -1}, {kMax, kMin}, {2, 0}, {kMax, kMin}},
      {{10}, {kMax}, {1}, {}},
  };
  for (const Case& c : cases) {
    INFO("starts " << shape_to_string(c.starts) << " ends " << shape_to_string(c.ends) << " axes "
                   << shape_to_string(c.axes) << " steps " << shape_to_string(c.steps));
    std::vector<std::vector<int64_t>> lists;
    for (int64_t d = 0; d < 3; ++d) lists.push_back(py_slice(0, kMax, 1, x.shape()[d]));
    for (size_t i = 0; i < c.starts.size(); ++i) {
      int64_t a = c.axes.empty() ? static_cast<int64_t>(i) : c.axes[i];
      if (a < 0) a += 3;
      lists[a] = py_slice(c.starts[i], c.ends[i], c.steps.empty() ? 1 : c.steps[i], x.shape()[a]);
    }
    Shape want_shape;
    std::vector<double> want = take(x, lists, &want_shape);
    std::vector<Tensor> in = {x, i64(c.starts), i64(c.ends)};
    if (!c.axes.empty() || !c.steps.empty()) in.push_back(c.axes.empty() ? Tensor() : i64(c.axes));
    if (!c.steps.empty()) in.push_back(i64(c.steps));
    Tensor y = run_both(node("Slice", in));
    REQUIRE(y.shape() == want_shape);
    require_values(y, want);
    // Opset 1 attributes (step 1 only).
    if (c.steps.empty()) {
      std::vector<Attribute> attrs = {attr_ints("starts", c.starts), attr_ints("ends", c.ends)};
      if (!c.axes.empty()) attrs.push_back(attr_ints("axes", c.axes));
      Tensor y1 = run_all(node("Slice", {x}, attrs, 1));
      REQUIRE(y1.shape() == want_shape);
      require_values(y1, want);
    }
  }
}

TEST_CASE("Slice: int32 arguments, strings, empty dims, errors", "[rearrange][slice]") {
  Tensor s = strings({2, 3});
  Tensor y =
      run_all(node("Slice", {s, i32({2}, {1}), i32({-4}, {1}), i32({1}, {1}), i32({-1}, {1})}, {}, 11));
  REQUIRE(y.shape() == Shape{2, 3});
  REQUIRE(y.strings() == std::vector<std::string>{"s2", "s1", "s0", "s5", "s4", "s3"});
  Tensor z(DType::Float, {0, 3});
  REQUIRE(run_all(node("Slice", {z, i64({0}), i64({2}), i64({1})})).shape() == Shape{0, 2});
  REQUIRE(run_all(node("Slice", {z, i64({-1}), i64({kMin}), i64({0}), i64({-1})})).shape() ==
          Shape{0, 3});
  Tensor x = iota(DType::Float, {4, 4});
  expect_error_all(node("Slice", {x, i64({0}), i64({2}), i64({0}), i64({0})}));                                                                 // step 0
  expect_error_all(node("Slice", {x, i64({0}), i64({2}), i64({2})}));  // axis
  expect_error_all(node("Slice", {x, i64({0, 0}), i64({2, 2}), i64({1, -1})}));                                                            // repeated
  expect_error_all(node("Slice", {x, i64({0, 0}), i64({2})}));    // lengths
  expect_error_all(node("Slice", {x, f32({0}, {1}), i64({2})}));  // dtype
}

// ---------------- Split ----------------

TEST_CASE("Split: equal parts, explicit lengths as attribute and input, zero-size parts",
          "[rearrange][split]") {
  Tensor x = iota(DType::Float, {2, 6});
  auto run_split = [](NodeRun r, size_t outputs) {
    r.num_outputs = outputs;
    return run_node(r).outputs;
  };
  std::vector<Tensor> ys = run_split(node("Split", {x}, {attr_int("axis", 1)}), 3);
  REQUIRE(ys.size() == 3);
  for (int k = 0; k < 3; ++k) {
    REQUIRE(ys[k].shape() == Shape{2, 2});
    require_values(ys[k], {2.0 * k, 2.0 * k + 1, 6 + 2.0 * k, 7 + 2.0 * k});
  }
  for (bool constant : {false, true}) {
    NodeRun r = node("Split", {x, i64({1, 0, 5})}, {attr_int("axis", -1)});
    r.constant = {false, constant};
    ys = run_split(r, 3);
    REQUIRE(ys[0].shape() == Shape{2, 1});
    REQUIRE(ys[1].shape() == Shape{2, 0});
    REQUIRE(ys[2].shape() == Shape{2, 5});
    require_values(ys[2], {1, 2, 3, 4, 5, 7, 8, 9, 10, 11});
  }
  ys = run_split(node("Split", {x}, {attr_ints("split", {1, 1})}, 11), 2);  // axis 0 default
  require_values(ys[1], {6, 7, 8, 9, 10, 11});
  ys = run_split(node("Split", {x}, {attr_ints("split", {4, 2}), attr_int("axis", 1)}, 2), 2);
  REQUIRE(ys[0].shape() == Shape{2, 4});
  Tensor s = strings({4});
  ys = run_split(node("Split", {s}), 2);
  REQUIRE(ys[1].strings() == std::vector<std::string>{"s2", "s3"});
  REQUIRE_THROWS_AS(run_split(node("Split", {x}, {attr_int("axis", 1)}), 4), Error);  // 6 / 4
  REQUIRE_THROWS_AS(run_split(node("Split", {x, i64({2, 2})}, {attr_int("axis", 1)}), 2), Error);
  REQUIRE_THROWS_AS(run_split(node("Split", {x, i64({7, -1})}, {attr_int("axis", 1)}), 2), Error);
  REQUIRE_THROWS_AS(run_split(node("Split", {x, i64({6})}, {attr_int("axis", 1)}), 2), Error);  // count
  REQUIRE_THROWS_AS(run_split(node("Split", {x}, {attr_int("axis", 2)}), 2), Error);
  REQUIRE_THROWS_AS(run_split(node("Split", {x, i64({kMax, kMax})}, {attr_int("axis", 1)}), 2), Error);
}

TEST_CASE("Split 18: num_outputs with an uneven last part", "[rearrange][split]") {
  auto run_split = [](NodeRun r, size_t outputs) {
    r.num_outputs = outputs;
    return run_node(r).outputs;
  };
  Tensor x = iota(DType::Float, {7});
  std::vector<Tensor> ys = run_split(node("Split", {x}, {attr_int("num_outputs", 4)}, 18), 4);
  REQUIRE(ys.size() == 4);
  require_values(ys[0], {0, 1});
  require_values(ys[1], {2, 3});
  require_values(ys[2], {4, 5});
  require_values(ys[3], {6});
  Tensor m = iota(DType::Int32, {2, 8});
  ys = run_split(node("Split", {m}, {attr_int("num_outputs", 3), attr_int("axis", 1)}, 18), 3);
  REQUIRE(ys[0].shape() == Shape{2, 3});
  REQUIRE(ys[2].shape() == Shape{2, 2});
  require_values(ys[2], {6, 7, 14, 15});
  // Without num_outputs the node's output count is used, as in ONNX's reference.
  ys = run_split(node("Split", {x}, {}, 18), 2);
  require_values(ys[1], {4, 5, 6});
  // Even splits are unchanged.
  ys = run_split(node("Split", {x}, {attr_int("num_outputs", 7)}, 18), 7);
  REQUIRE(ys[6].shape() == Shape{1});
  // 2 into 3: parts of 1, the last empty; into 4 the last would be -1 long.
  Tensor two = iota(DType::Float, {2});
  ys = run_split(node("Split", {two}, {attr_int("num_outputs", 3)}, 18), 3);
  REQUIRE(ys[2].shape() == Shape{0});
  REQUIRE_THROWS_AS(run_split(node("Split", {two}, {attr_int("num_outputs", 4)}, 18), 4), Error);
  REQUIRE_THROWS_AS(run_split(node("Split", {x}, {attr_int("num_outputs", 3)}, 18), 2), Error);
  REQUIRE_THROWS_AS(run_split(node("Split", {x, i64({3, 4})}, {attr_int("num_outputs", 2)}, 18), 2), Error);
  REQUIRE_THROWS_AS(run_split(node("Split", {x}, {}, 13), 2), Error);  // uneven before 18
}

// ---------------- Pad ----------------

namespace {

int64_t pad_source(int64_t i, int64_t n, const std::string& mode) {
  if (i >= 0 && i < n) return i;
  if (mode == "constant") return -1;
  if (mode == "edge") return i < 0 ? 0 : n - 1;
  if (mode == "wrap") {
    while (i < 0) i += n;
    return i % n;
  }
    // reflect, one bounce at a time
  while (i < 0 || i >= n) {
    if (n == 1) return 0;
    i = i < 0 ? -i : 2 * (n - 1) - i;
  }
  return i;
}

std::vector<double> ref_pad(const Tensor& x, const std::vector<int64_t>& pads, const std::string& mode,
                            double value, Shape* out) {
  const size_t r = x.rank();
  out->clear();
  for (size_t d = 0; d < r; ++d) out->push_back(x.shape()[d] + pads[d] + pads[d + r]);
  std::vector<double> v;
  for (int64_t f = 0; f < shape_numel(*out); ++f) {
    std::vector<int64_t> c = unravel(f, *out);
    bool fill = false;
    for (size_t d = 0; d < r; ++d) {
      // Negative pads crop first; the mode pads the rest.
      const int64_t first = std::max<int64_t>(0, -pads[d]);
      const int64_t n = x.shape()[d] - first - std::max<int64_t>(0, -pads[d + r]);
      c[d] = pad_source(c[d] - std::max<int64_t>(0, pads[d]), n, mode);
      fill |= c[d] < 0;
      if (c[d] >= 0) c[d] += first;
    }
    v.push_back(fill ? value : get_value(x, ravel(c, x.shape())));
  }
  return v;
}

}  // namespace

TEST_CASE("Pad: constant/edge/reflect, negative pads, opset forms", "[rearrange][pad]") {
  Tensor x = random_tensor(DType::Float, {3, 4, 2}, 8);
  const std::vector<std::vector<int64_t>> pad_sets = {
      {0, 0, 0, 0, 0, 0}, {1, 2, 0, 2, 1, 1}, {0, -1, 1, -1, 2, 0}, {2, 7, 1, 3, 0, 4}, {-3, 0, 0, 0, 0, 0}};
  for (const std::string mode : {"constant", "edge", "reflect"}) {
    for (const auto& pads : pad_sets) {
      INFO("mode " << mode << " pads " << shape_to_string(pads));
      Shape os;
      std::vector<double> want = ref_pad(x, pads, mode, 2.5, &os);
      std::vector<Tensor> in = {x, i64(pads)};
      if (mode == "constant") in.push_back(f32({2.5f}, {}));
      Tensor y = run_both(node("Pad", in, {attr_string("mode", mode)}));
      REQUIRE(y.shape() == os);
      require_values(y, want);
      Tensor y2 =
          run_all(node("Pad", {x},
                    {attr_string("mode", mode), attr_ints("pads", pads), attr_float("value", 2.5f)}, 2));
      REQUIRE(y2.shape() == os);
      require_values(y2, want);
      Tensor y1 =
          run_all(node("Pad", {x},
                    {attr_string("mode", mode), attr_ints("paddings", pads), attr_float("value", 2.5f)}, 1));
      require_values(y1, want);
    }
  }
  // Default constant 0 without constant_value; ints, bools and strings.
  Tensor xi = iota(DType::Int32, {2, 2});
  Tensor yi = run_all(node("Pad", {xi, i64({1, 0, 0, 1})}));
  REQUIRE(yi.shape() == Shape{3, 3});
  require_values(yi, {0, 0, 0, 0, 1, 0, 2, 3, 0});
  Tensor s = strings({2});
  Tensor ys = run_all(node("Pad", {s, i64({1, 2}), Tensor::from_vector<std::string>({"p"}, {})}));
  REQUIRE(ys.strings() == std::vector<std::string>{"p", "s0", "s1", "p", "p"});
  ys = run_all(node("Pad", {s, i64({1, 1})}, {attr_string("mode", "reflect")}));
  REQUIRE(ys.strings() == std::vector<std::string>{"s1", "s0", "s1", "s0"});
  // Errors.
  expect_error_all(node("Pad", {x, i64({0, 0, 0, 0})}));
  expect_error_all(node("Pad", {x, i64({-4, 0, 0, 0, 0, 0})}));
  expect_error_all(node("Pad", {x, i64({0, 0, 0, 0, 0, 0})}, {attr_string("mode", "wrapped")}));
  Tensor z(DType::Float, {0, 2});
  expect_error_all(node("Pad", {z, i64({1, 0, 0, 0})}, {attr_string("mode", "edge")}));
  REQUIRE(run_all(node("Pad", {z, i64({1, 0, 0, 0})})).shape() == Shape{1, 2});
  expect_error_all(node("Pad", {x, i64({kMax, 0, 0, 0, 0, 0})}));
  expect_error_all(node("Pad", {x, i64({100000, 0, 0, 100000, 0, 100000})}));
}

TEST_CASE("Pad 18: the axes input names the padded dims", "[rearrange][pad]") {
  Tensor x = random_tensor(DType::Float, {3, 4, 2}, 9);
  Shape os;
  // axes {2, 0} with pads {begin2, begin0, end2, end0} = full pads {1, 0, 2, 3, 0, 1}.
  const std::vector<double> want = ref_pad(x, {1, 0, 2, 3, 0, 1}, "constant", 1.5, &os);
  for (bool constant_axes : {false, true}) {
    Tensor y = run_all(node("Pad", {x, i64({2, 1, 1, 3}), f32({1.5f}, {}), i64({2, -3})}, {}, 18,
                            {false, constant_axes, false, constant_axes}));
    REQUIRE(y.shape() == os);
    require_values(y, want);
  }
  Tensor yi = run_all(node("Pad", {x, i64({1, 1}), f32({0.0f}, {}), i32({1}, {1})}, {attr_string("mode", "edge")}, 18));
  REQUIRE(yi.shape() == Shape{3, 6, 2});
  expect_error_all(node("Pad", {x, i64({1, 1, 1}), f32({0.0f}, {}), i64({1})}, {}, 18));
  expect_error_all(node("Pad", {x, i64({1, 1, 1, 1}), f32({0.0f}, {}), i64({1, -2})}, {}, 18));
  expect_error_all(node("Pad", {x, i64({1, 1}), f32({0.0f}, {}), i64({3})}, {}, 18));
}

TEST_CASE("Pad 19: wrap mode, with crops, against the same reference", "[rearrange][pad]") {
  Tensor x = random_tensor(DType::Float, {3, 4, 2}, 9);
  const std::vector<std::vector<int64_t>> pad_sets = {
      {1, 2, 0, 2, 1, 1}, {0, -1, 1, -1, 2, 0}, {2, 7, 3, 3, 0, 4}, {-2, 0, 0, 1, -1, 0}};
  for (const std::string mode : {"wrap", "edge", "reflect"}) {
    for (const auto& pads : pad_sets) {
      INFO("mode " << mode << " pads " << shape_to_string(pads));
      Shape os;
      std::vector<double> want = ref_pad(x, pads, mode, 0, &os);
      Tensor y = run_all(node("Pad", {x, i64(pads)}, {attr_string("mode", mode)}, 19));
      REQUIRE(y.shape() == os);
      require_values(y, want);
    }
  }
  // By hand: [0 1 2 3 4] cropped by 2 at the start, then 4 wrapped at the end (as ONNX Runtime).
  Tensor v = f32({0, 1, 2, 3, 4}, {5});
  require_values(run_all(node("Pad", {v, i64({-2, 4})}, {attr_string("mode", "wrap")}, 19)), {2, 3, 4, 2, 3, 4, 2});
  require_values(run_all(node("Pad", {v, i64({3, -1})}, {attr_string("mode", "reflect")}, 19)),
                 {3, 2, 1, 0, 1, 2, 3});
  expect_error_all(node("Pad", {v, i64({1, 1})}, {attr_string("mode", "wrap")}, 18), "opset 19");
  CHECK(run_all(node("Pad", {v, i64({-3, -2})}, {attr_string("mode", "wrap")}, 19)).shape() == Shape{0});
  expect_error_all(node("Pad", {v, i64({-5, 2})}, {attr_string("mode", "wrap")}, 19), "empty dim");
  expect_error_all(node("Pad", {v, i64({-3, -3})}, {attr_string("mode", "wrap")}, 19), "removes more");
  Tensor z(DType::Float, {0});
  expect_error_all(node("Pad", {z, i64({1, 0})}, {attr_string("mode", "wrap")}, 19), "empty dim");
}

TEST_CASE("Pad 18: axes input, negative axes, int32 axes, errors", "[rearrange][pad]") {
  Tensor x = random_tensor(DType::Float, {2, 3, 4}, 10);
  // axes [-1, 0] with pads (begin -1, begin 0, end 1, end 2)  ==  full pads {2,0,-1 | 0+... }
  Shape os;
  std::vector<double> want = ref_pad(x, {0, 0, -1, 2, 0, 1}, "constant", 1.5, &os);
  for (bool constant_axes : {false, true}) {
    for (DType at : {DType::Int64, DType::Int32}) {
      Tensor axes = make_tensor(at, {2}, {-1, 0});
      NodeRun r = node("Pad", {x, i64({-1, 0, 1, 2}), f32({1.5f}, {}), axes}, {}, 18);
      r.constant = {false, false, false, constant_axes};
      Tensor y = run_all(r);
      REQUIRE(y.shape() == os);
      require_values(y, want);
    }
  }
  // Edge mode on one axis, constant_value omitted.
  want = ref_pad(x, {0, 1, 0, 0, 2, 0}, "edge", 0, &os);
  Tensor y = run_all(node("Pad", {x, i64({1, 2}), Tensor(), i64({1})}, {attr_string("mode", "edge")}, 25));
  REQUIRE(y.shape() == os);
  require_values(y, want);
  expect_error_all(node("Pad", {x, i64({1, 2, 3}), Tensor(), i64({1})}, {}, 18), "2 per axis");
  expect_error_all(node("Pad", {x, i64({1, 2}), Tensor(), i64({3})}, {}, 18), "out of range");
  expect_error_all(node("Pad", {x, i64({1, 2, 1, 2}), Tensor(), i64({1, -2})}, {}, 18), "twice");
  expect_error_all(node("Pad", {x, i64({1, 2}), Tensor(), f32({1}, {1})}, {}, 18), "int32 or int64");
  expect_error_all(node("Pad", {x, i64({1, 2}), Tensor(), i64({1})}, {}, 13), "opset 18");
}

// ---------------- Tile / Expand ----------------

TEST_CASE("Tile: repeats per dim, opset 1 form, zero repeats, size guard", "[rearrange][tile]") {
  Tensor x = iota(DType::Float, {2, 3});
  for (const std::vector<int64_t>& reps :
       std::vector<std::vector<int64_t>>{{1, 1}, {2, 1}, {1, 3}, {3, 2}, {0, 2}}) {
    INFO("repeats " << shape_to_string(reps));
    Tensor y = run_both(node("Tile", {x, i64(reps)}));
    Shape os = {2 * reps[0], 3 * reps[1]};
    REQUIRE(y.shape() == os);
    std::vector<double> want;
    for (int64_t f = 0; f < shape_numel(os); ++f) {
      std::vector<int64_t> c = unravel(f, os);
      want.push_back(get_value(x, (c[0] % 2) * 3 + c[1] % 3));
    }
    require_values(y, want);
  }
  Tensor y = run_all(node("Tile", {x, i64({2}, {}), i64({1}, {})}, {}, 1));
  REQUIRE(y.shape() == Shape{2, 6});
  require_values(y, {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  Tensor s = strings({2});
  REQUIRE(run_all(node("Tile", {s, i64({2})})).strings() ==
          std::vector<std::string>{"s0", "s1", "s0", "s1"});
  Tensor sc = Tensor::scalar<float>(4);
  check_all(node("Tile", {sc, i64({})}), {4});
  expect_error_all(node("Tile", {x, i64({2})}));
  expect_error_all(node("Tile", {x, i64({-1, 1})}));
  expect_error_all(node("Tile", {x, i64({int64_t(1) << 31, int64_t(1) << 31})}));
  expect_error_all(node("Tile", {x, i64({kMax, kMax})}));
}

TEST_CASE("Expand: broadcasting both ways, strings, size guard", "[rearrange][expand]") {
  Tensor x = iota(DType::Float, {3, 1});
  const std::vector<std::pair<std::vector<int64_t>, Shape>> cases = {
      {{2, 1, 6}, {2, 3, 6}}, {{3, 4}, {3, 4}}, {{4}, {3, 4}},
      {{1}, {3, 1}},          {{1, 1}, {3, 1}}, {{0, 3, 1}, {0, 3, 1}}};
  for (const auto& [shape, want_shape] : cases) {
    INFO("shape " << shape_to_string(shape));
    Tensor y = run_both(node("Expand", {x, i64(shape)}));
    REQUIRE(y.shape() == want_shape);
    std::vector<double> want;
    for (int64_t f = 0; f < y.numel(); ++f)
      want.push_back(get_value(x, broadcast_index(x.shape(), want_shape, f)));
    require_values(y, want);
  }
  Tensor s = strings({2});
  REQUIRE(run_all(node("Expand", {s, i64({2, 2})})).strings() ==
          std::vector<std::string>{"s0", "s1", "s0", "s1"});
  Tensor big = random_float({1, 1, 300}, 3);
  Tensor yb = run_threaded_same(node("Expand", {big, i64({40, 50, 300})}), "ref");
  REQUIRE(yb.shape() == Shape{40, 50, 300});
  expect_error_all(node("Expand", {x, i64({2, 2})}));
  expect_error_all(node("Expand", {x, i64({-1, 1})}));
  expect_error_all(node("Expand", {x, i64({1000000, 1000000, 3, 1})}));
}

// ---------------- Where ----------------

TEST_CASE("Where with three-way broadcasting, every element size and strings", "[rearrange][where]") {
  Tensor cond = Tensor::from_vector<bool>({true, false, false, true, true, false}, {2, 1, 3});
  for (DType t : {DType::Float, DType::Int64, DType::UInt8, DType::Float16, DType::Bool, DType::Int16}) {
    Tensor a = random_tensor(t, {4, 1}, 1, 0, 1);
    Tensor b = random_tensor(t, {3}, 2, 0, 1);
    Tensor y = run_all(node("Where", {cond, a, b}, {}, 16));
    const Shape os = {2, 4, 3};
    REQUIRE(y.shape() == os);
    REQUIRE(y.dtype() == t);
    std::vector<double> want;
    for (int64_t f = 0; f < 24; ++f) {
      const bool c = cond.data<bool>()[broadcast_index(cond.shape(), os, f)];
      want.push_back(c ? get_value(a, broadcast_index(a.shape(), os, f))
                       : get_value(b, broadcast_index(b.shape(), os, f)));
    }
    require_values(y, want);
  }
  Tensor sa = Tensor::from_vector<std::string>({"a"}, {});
  Tensor sb = strings({3});
  REQUIRE(run_all(node("Where", {cond, sa, sb}, {}, 9)).strings() ==
          std::vector<std::string>{"a", "s1", "s2", "a", "a", "s2"});
  Tensor fa = random_float({64, 1, 200}, 3), fb = random_float({1, 32, 200}, 4);
  Tensor fc = random_tensor(DType::Bool, {64, 32, 1}, 5, 0, 1);
  run_threaded_same(node("Where", {fc, fa, fb}), "ref");
  expect_error_all(node("Where", {cond, random_float({2}, 1), random_float({3}, 1)}));
  REQUIRE_THROWS_AS(
      run_all(node("Where", {random_float({3}, 1), random_float({3}, 1), random_float({3}, 1)})), Error);
  expect_error_all(node("Where", {cond, random_float({3}, 1), iota(DType::Int64, {3})}));
}

// ---------------- Trilu ----------------

TEST_CASE("Trilu upper/lower for k across and beyond the matrix, batches", "[rearrange][trilu]") {
  Tensor x = iota(DType::Float, {2, 3, 5});
  for (int upper : {0, 1})
    for (int64_t k : {int64_t(0), int64_t(1), int64_t(-1), int64_t(4), int64_t(-3), int64_t(7), int64_t(-9),
                      kMax, kMin}) {
      INFO("upper " << upper << " k " << k);
      Tensor y = run_all(node("Trilu", {x, i64({k}, {})}, {attr_int("upper", upper)}, 14));
      std::vector<double> want;
      for (int64_t f = 0; f < x.numel(); ++f) {
        std::vector<int64_t> c = unravel(f, x.shape());
        const __int128 diff = static_cast<__int128>(c[2]) - c[1];
        const bool keep = upper ? diff >= k : diff <= k;
        want.push_back(keep ? get_value(x, f) : 0);
      }
      require_values(y, want);
    }
  check_all(node("Trilu", {f32({1, 2, 3, 4}, {2, 2})}, {}, 14), {1, 2, 0, 4});
  check_all(node("Trilu", {f32({1, 2, 3, 4}, {2, 2})}, {attr_int("upper", 0)}, 14), {1, 0, 3, 4});
  Tensor s = strings({2, 2});
  REQUIRE(run_all(node("Trilu", {s}, {}, 14)).strings() ==
          std::vector<std::string>{"s0", "s1", "", "s3"});
  REQUIRE(run_all(node("Trilu", {Tensor(DType::Float, {0, 3})}, {}, 14)).shape() == Shape{0, 3});
  expect_error_all(node("Trilu", {f32({1, 2}, {2})}, {}, 14));
}

// ---------------- ReverseSequence ----------------

TEST_CASE("ReverseSequence on time/batch axes in both orders", "[rearrange][reversesequence]") {
  Tensor x = iota(DType::Float, {4, 4});
  Tensor y = run_all(node("ReverseSequence", {x, i64({4, 3, 2, 1})},
                       {attr_int("time_axis", 0), attr_int("batch_axis", 1)}, 10));
  require_values(y, {12, 9, 6, 3, 8, 5, 2, 7, 4, 1, 10, 11, 0, 13, 14, 15});
  y = run_all(node("ReverseSequence", {x, i64({1, 2, 3, 4})},
                {attr_int("time_axis", 1), attr_int("batch_axis", 0)}, 10));
  require_values(y, {0, 1, 2, 3, 5, 4, 6, 7, 10, 9, 8, 11, 15, 14, 13, 12});
  // Inner dims move together; zero lengths copy.
  Tensor x3 = iota(DType::Float, {3, 2, 2});
  y = run_all(node("ReverseSequence", {x3, i64({0, 3})}, {}, 10));
  require_values(y, {0, 1, 10, 11, 4, 5, 6, 7, 8, 9, 2, 3});
  expect_error_all(node("ReverseSequence", {x, i64({5, 1, 1, 1})}, {}, 10));
  expect_error_all(node("ReverseSequence", {x, i64({-1, 1, 1, 1})}, {}, 10));
  expect_error_all(node("ReverseSequence", {x, i64({1, 1})}, {}, 10));
  REQUIRE_THROWS_AS(
      run_all(node("ReverseSequence", {x, i64({1, 1, 1, 1})}, {attr_int("time_axis", 1)}, 10)), Error);
}

// ---------------- DepthToSpace / SpaceToDepth ----------------

TEST_CASE("DepthToSpace DCR/CRD and SpaceToDepth invert each other", "[rearrange][depthtospace]") {
  const int64_t n = 2, c = 8, h = 3, w = 2, b = 2;
  Tensor x = iota(DType::Float, {n, c, h, w});
  for (const std::string mode : {"DCR", "CRD"}) {
    INFO("mode " << mode);
    Tensor y = run_all(node("DepthToSpace", {x}, {attr_int("blocksize", b), attr_string("mode", mode)}));
    REQUIRE(y.shape() == Shape{n, c / 4, h * b, w * b});
    std::vector<double> want;
    for (int64_t f = 0; f < y.numel(); ++f) {
      std::vector<int64_t> o = unravel(f, y.shape());
      const int64_t bh = o[2] % b, bw = o[3] % b;
      const int64_t ch = mode == "DCR" ? (bh * b + bw) * (c / 4) + o[1] : o[1] * b * b + bh * b + bw;
      want.push_back(get_value(x, ravel({o[0], ch, o[2] / b, o[3] / b}, x.shape())));
    }
    require_values(y, want);
    if (mode == "DCR") {
      Tensor back = run_all(node("SpaceToDepth", {y}, {attr_int("blocksize", b)}));
      require_same(back, x);
    }
  }
  // Opset 1 is DCR.
  Tensor y1 = run_all(node("DepthToSpace", {x}, {attr_int("blocksize", b)}, 1));
  require_same(y1, run_all(node("DepthToSpace", {x}, {attr_int("blocksize", b)})));
  Tensor s = strings({1, 4, 1, 1});
  REQUIRE(run_all(node("DepthToSpace", {s}, {attr_int("blocksize", 2)})).strings() ==
          std::vector<std::string>{"s0", "s1", "s2", "s3"});
  expect_error_all(node("DepthToSpace", {x}, {attr_int("blocksize", 3)}));
  expect_error_all(node("DepthToSpace", {x}, {attr_int("blocksize", 0)}));
  REQUIRE_THROWS_AS(
      run_all(node("DepthToSpace", {x}, {attr_int("blocksize", 2), attr_string("mode", "XYZ")})), Error);
  expect_error_all(node("SpaceToDepth", {x}, {attr_int("blocksize", 2)}));  // h = 3
  REQUIRE_THROWS_AS(
      run_all(node("SpaceToDepth", {iota(DType::Float, {2, 2})}, {attr_int("blocksize", 1)})), Error);
}
