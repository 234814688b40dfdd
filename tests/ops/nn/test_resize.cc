// Resize and Upsample, both providers, against a direct double-precision reference that
// evaluates every output element as the tensor product of the per-axis interpolations.
#include <catch2/catch.hpp>

#include "tests/harness/tensor_values.h"

using namespace onnxi;
using namespace onnxi::test;

// A node with the given attributes and inputs (none constant), default provider.
inline onnxi::test::NodeRun op_node(const std::string& op, int64_t opset, std::vector<onnxi::Attribute> attrs,
                                    std::vector<onnxi::Tensor> inputs) {
  onnxi::test::NodeRun r;
  r.op_type = op;
  r.opset = opset;
  r.attributes = std::move(attrs);
  r.inputs = std::move(inputs);
  return r;
}

namespace {

struct ResizeOpts {
  std::string mode = "nearest";
  std::string coord = "half_pixel";
  std::string nearest = "round_prefer_floor";
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0;
  std::vector<double> roi;  // tf_crop_and_resize
};

// Coordinates are computed in float (as ONNX Runtime and PyTorch do); the resized length is
// in * scale, as in the spec's reference implementation.
double ref_coord(const ResizeOpts& o, int64_t i, int64_t in, double scale_d, double start_d, double end_d) {
  const float x = static_cast<float>(i), scale = static_cast<float>(scale_d),
              len = static_cast<float>(in) * scale;
  const float start = static_cast<float>(start_d), end = static_cast<float>(end_d),
              n1 = static_cast<float>(in - 1);
  if (o.coord == "half_pixel") return (x + 0.5f) / scale - 0.5f;
  if (o.coord == "pytorch_half_pixel") return len > 1 ? (x + 0.5f) / scale - 0.5f : 0;
  if (o.coord == "align_corners") return len == 1 ? 0 : x * n1 / (len - 1);
  if (o.coord == "asymmetric") return x / scale;
  if (o.coord == "tf_half_pixel_for_nn") return (x + 0.5f) / scale;
  if (o.coord == "tf_crop_and_resize")
    return len != 1 ? start * n1 + x * (end - start) * n1 / (len - 1) : 0.5f * (start + end) * n1;
  FAIL("bad coord mode");
  return 0;
}

struct Taps {
  std::vector<std::pair<int64_t, double>> taps;
  bool outside = false;
};

Taps ref_taps(const ResizeOpts& o, int64_t i, int64_t in, double scale, double start, double end) {
  Taps t;
  const double x = ref_coord(o, i, in, scale, start, end);
  if (o.coord == "tf_crop_and_resize" && (x < 0 || x > in - 1)) t.outside = true;
  auto clampi = [&](int64_t v) { return std::min<int64_t>(std::max<int64_t>(v, 0), in - 1); };
  const double f = std::floor(x);
  if (o.mode == "nearest") {
    int64_t n;
    const double frac = x - f;
    if (o.nearest == "round_prefer_floor")
      n = frac == 0.5 ? static_cast<int64_t>(f) : static_cast<int64_t>(std::round(x));
    else if (o.nearest == "round_prefer_ceil")
      n = frac == 0.5 ? static_cast<int64_t>(f) + 1 : static_cast<int64_t>(std::round(x));
    else if (o.nearest == "floor")
      n = static_cast<int64_t>(f);
    else
      n = static_cast<int64_t>(std::ceil(x));
    t.taps.push_back({clampi(n), 1.0});
  } else if (o.mode == "linear") {
    t.taps.push_back({clampi(static_cast<int64_t>(f)), 1 - (x - f)});
    t.taps.push_back({clampi(static_cast<int64_t>(f) + 1), x - f});
  } else {
    const double a = o.cubic_a;
    auto kernel = [a](double d) {  // Keys cubic kernel
      d = std::fabs(d);
      if (d <= 1) return (a + 2) * d * d * d - (a + 3) * d * d + 1;
      if (d < 2) return a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a;
      return 0.0;
    };
    double sum = 0;
    std::vector<std::pair<int64_t, double>> raw;
    for (int k = -1; k <= 2; ++k) {
      const int64_t p = static_cast<int64_t>(f) + k;
      double w = kernel(x - static_cast<double>(p));
      if (o.exclude_outside && (p < 0 || p >= in)) w = 0;
      sum += w;
      raw.push_back({p, w});
    }
    for (auto& [p, w] : raw) t.taps.push_back({clampi(p), o.exclude_outside ? w / sum : w});
  }
  return t;
}

std::vector<double> ref_resize(const Tensor& xt, const Shape& out, const std::vector<double>& scales,
                               const ResizeOpts& o) {
  const std::vector<double> x = values_of(xt);
  const Shape& in = xt.shape();
  const size_t r = in.size();
  std::vector<std::vector<Taps>> axis(r);
  for (size_t d = 0; d < r; ++d)
    for (int64_t i = 0; i < out[d]; ++i)
      axis[d].push_back(ref_taps(o, i, in[d], scales[d],
                                 o.roi.empty() ? 0 : static_cast<double>(static_cast<float>(o.roi[d])),
                                 o.roi.empty() ? 1 : static_cast<double>(static_cast<float>(o.roi[d + r]))));
  int64_t n = 1;
  for (int64_t v : out) n *= v;
  std::vector<double> y(static_cast<size_t>(n));
  std::vector<int64_t> coord(r, 0);
  for (int64_t e = 0; e < n; ++e) {
    int64_t rem = e;
    for (size_t d = r; d-- > 0;) {
      coord[d] = rem % out[d];
      rem /= out[d];
    }
    bool outside = false;
    for (size_t d = 0; d < r; ++d) outside = outside || axis[d][static_cast<size_t>(coord[d])].outside;
    if (outside) {
      y[static_cast<size_t>(e)] = o.extrapolation;
      continue;
    }
    // Sum over every combination of taps.
    std::vector<size_t> k(r, 0);
    double acc = 0;
    while (true) {
      double w = 1;
      int64_t idx = 0;
      for (size_t d = 0; d < r; ++d) {
        const auto& tap = axis[d][static_cast<size_t>(coord[d])].taps[k[d]];
        w *= tap.second;
        idx = idx * in[d] + tap.first;
      }
      acc += w * x[static_cast<size_t>(idx)];
      size_t d = r;
      while (d-- > 0) {
        if (++k[d] < axis[d][static_cast<size_t>(coord[d])].taps.size()) break;
        k[d] = 0;
      }
      if (d == static_cast<size_t>(-1)) break;
    }
    y[static_cast<size_t>(e)] = acc;
  }
  return y;
}

std::vector<Attribute> resize_attrs(const ResizeOpts& o) {
  std::vector<Attribute> a{attr_string("mode", o.mode),
                           attr_string("coordinate_transformation_mode", o.coord),
                           attr_string("nearest_mode", o.nearest)};
  if (o.cubic_a != -0.75) a.push_back(attr_float("cubic_coeff_a", static_cast<float>(o.cubic_a)));
  if (o.exclude_outside) a.push_back(attr_int("exclude_outside", 1));
  if (o.extrapolation != 0)
    a.push_back(attr_float("extrapolation_value", static_cast<float>(o.extrapolation)));
  return a;
}

// Resize-13 node with either scales or sizes (the other omitted).
NodeRun resize_node(const Tensor& x, const ResizeOpts& o, const std::vector<float>& scales,
                    const std::vector<int64_t>& sizes, bool constant = true) {
  NodeRun r;
  r.op_type = "Resize";
  r.opset = 13;
  r.attributes = resize_attrs(o);
  Tensor roi = o.roi.empty() ? Tensor()
                             : Tensor::from_vector<float>(std::vector<float>(o.roi.begin(), o.roi.end()),
                                                          {static_cast<int64_t>(o.roi.size())});
  Tensor sc =
      scales.empty() ? Tensor() : Tensor::from_vector<float>(scales, {static_cast<int64_t>(scales.size())});
  Tensor sz =
      sizes.empty() ? Tensor() : Tensor::from_vector<int64_t>(sizes, {static_cast<int64_t>(sizes.size())});
  r.inputs = {x, roi, sc};
  if (!sizes.empty()) r.inputs.push_back(sz);
  r.constant = {false, constant, constant, constant};
  return r;
}

// Output shape and per-axis scales as the spec defines them.
void expected_geometry(const Shape& in, const std::vector<float>& scales, const std::vector<int64_t>& sizes,
                       Shape* out, std::vector<double>* sc) {
  out->clear();
  sc->clear();
  for (size_t d = 0; d < in.size(); ++d) {
    if (!sizes.empty()) {
      out->push_back(sizes[d]);
      sc->push_back(static_cast<float>(sizes[d]) / static_cast<float>(in[d]));
    } else {
      out->push_back(static_cast<int64_t>(std::floor(static_cast<float>(in[d]) * scales[d])));
      sc->push_back(scales[d]);
    }
  }
}

void check_resize(const Tensor& x, const ResizeOpts& o, const std::vector<float>& scales,
                  const std::vector<int64_t>& sizes, const std::string& provider, bool constant = true,
                  double tol = 1e-5) {
  INFO("mode " << o.mode << " coord " << o.coord << " nearest " << o.nearest << " x "
               << shape_to_string(x.shape()) << " scales " << scales.size() << " sizes "
               << shape_to_string(sizes) << " provider " << provider << " constant " << constant);
  Shape out;
  std::vector<double> sc;
  expected_geometry(x.shape(), scales, sizes, &out, &sc);
  std::vector<double> want = ref_resize(x, out, sc, o);
  NodeRun r = resize_node(x, o, scales, sizes, constant);
  r.provider = provider;
  NodeResult res = run_node(r);
  CHECK(res.provider == provider);
  REQUIRE(res.outputs[0].shape() == out);
  require_values(res.outputs[0], want, tol, tol);
}

const char* const kCoordModes[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                   "tf_half_pixel_for_nn"};
const char* const kNearestModes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};

}  // namespace

TEST_CASE("Resize nearest: every nearest_mode and coordinate mode, up and down", "[resize]") {
  Tensor x = random_float({1, 2, 4, 5}, 1);
  for (const char* coord : kCoordModes)
    for (const char* nm : kNearestModes) {
      ResizeOpts o;
      o.coord = coord;
      o.nearest = nm;
      check_resize(x, o, {1, 1, 2, 3}, {}, "ref", true, 0);
      check_resize(x, o, {1, 1, 0.6f, 0.5f}, {}, "ref", true, 0);
      check_resize(x, o, {}, {1, 2, 7, 3}, "ref", false, 0);
      check_resize(x, o, {1, 1, 1.7f, 1.3f}, {}, "ref", true, 0);
    }
}

TEST_CASE("Resize linear and cubic: every coordinate mode", "[resize]") {
  Tensor x = random_float({2, 3, 5, 4}, 2);
  for (const char* coord : kCoordModes) {
    for (const char* mode : {"linear", "cubic"}) {
      ResizeOpts o;
      o.mode = mode;
      o.coord = coord;
      check_resize(x, o, {1, 1, 2, 1.5f}, {}, "ref");
      check_resize(x, o, {1, 1, 0.6f, 0.8f}, {}, "ref");
      check_resize(x, o, {}, {2, 3, 1, 9}, "ref", false);
      o.cubic_a = -0.5;
      o.exclude_outside = true;
      check_resize(x, o, {1, 1, 1.5f, 0.5f}, {}, "ref");
    }
  }
}

TEST_CASE("Resize over every axis of 1-D, 3-D and 5-D inputs", "[resize]") {
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    ResizeOpts o;
    o.mode = mode;
    check_resize(random_float({6}, 3), o, {1.5f}, {}, "ref");
    check_resize(random_float({3, 4, 5}, 4), o, {2, 0.5f, 1.2f}, {}, "ref");
    check_resize(random_float({2, 1, 3, 2, 3}, 5), o, {}, {3, 2, 2, 4, 3}, "ref");
  }
}

TEST_CASE("Resize tf_crop_and_resize with roi and extrapolation_value", "[resize]") {
  Tensor x = random_float({1, 2, 5, 6}, 6);
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    ResizeOpts o;
    o.mode = mode;
    o.coord = "tf_crop_and_resize";
    o.roi = {0, 0, 0.4, 0.6, 1, 1, 0.6, 0.8};
    check_resize(x, o, {}, {1, 2, 3, 3}, "ref");
    o.roi = {0, 0, -0.3, 0.2, 1, 1, 1.2, 1.5};  // partly outside the image
    o.extrapolation = 10;
    check_resize(x, o, {}, {1, 2, 4, 5}, "ref");
    check_resize(x, o, {1, 1, 0.8f, 1.5f}, {}, "ref");
    o.roi = {0, 0, 0.1, 0.2, 1, 1, 0.5, 0.9};
    check_resize(x, o, {}, {1, 2, 1, 1}, "ref");
  }
}

TEST_CASE("Resize xnnpack matches the reference for linear 2-D", "[resize][xnnpack]") {
  Tensor x = random_float({2, 3, 5, 4}, 7);
  for (const char* coord : {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"}) {
    ResizeOpts o;
    o.mode = "linear";
    o.coord = coord;
    check_resize(x, o, {1, 1, 2, 3}, {}, "xnnpack");
    check_resize(x, o, {1, 1, 0.4f, 0.5f}, {}, "xnnpack");
    check_resize(x, o, {}, {2, 3, 7, 9}, "xnnpack");
    check_resize(x, o, {}, {2, 3, 3, 2}, "xnnpack", false);
    check_resize(x, o, {}, {2, 3, 1, 5}, "xnnpack");
    // Scales that are not out/in exactly, or resizing N/C: the reference path runs.
    check_resize(x, o, {1, 1, 1.7f, 1.3f}, {}, "xnnpack");
    check_resize(x, o, {1, 2, 2, 1}, {}, "xnnpack");
  }
}

TEST_CASE("Resize xnnpack declines what XNNPACK does not compute", "[resize][xnnpack]") {
  auto provider = [](const Tensor& x, ResizeOpts o) {
    return run_node(resize_node(x, o, {}, {1, 1, 4, 4})).provider;
  };
  Tensor x4 = random_float({1, 1, 2, 2}, 8);
  ResizeOpts lin;
  lin.mode = "linear";
  CHECK(provider(x4, lin) == "xnnpack");
  ResizeOpts nearest;
  CHECK(provider(x4, nearest) == "ref");
  ResizeOpts cubic;
  cubic.mode = "cubic";
  CHECK(provider(x4, cubic) == "ref");
  ResizeOpts tf = lin;
  tf.coord = "tf_half_pixel_for_nn";
  CHECK(provider(x4, tf) == "ref");
  CHECK(provider(cast_tensor(x4, DType::Double), lin) == "ref");
}

TEST_CASE("Resize on integer and 16-bit float dtypes", "[resize]") {
  for (DType t : {DType::UInt8, DType::Int32, DType::Int64, DType::Float16, DType::Double, DType::Bool}) {
    INFO(dtype_name(t));
    Tensor x = random_tensor(t, {1, 1, 3, 4}, 9, 0, 8);
    ResizeOpts o;
    NodeRun r = resize_node(x, o, {1, 1, 2, 1.5f}, {});
    Tensor y = run_all(r);
    CHECK(y.dtype() == t);
    Shape out;
    std::vector<double> sc;
    expected_geometry(x.shape(), {1, 1, 2, 1.5f}, {}, &out, &sc);
    require_values(y, ref_resize(x, out, sc, o));
    if (t == DType::Bool) continue;
    // Linear: computed in double, stored as Cast stores (integers truncate).
    o.mode = "linear";
    Tensor yl = run_all(resize_node(x, o, {1, 1, 2, 1.5f}, {}));
    std::vector<double> want = ref_resize(x, out, sc, o);
    for (double& v : want)
      if (t != DType::Float16 && t != DType::Double) v = std::trunc(v);
    require_values(yl, want, 1e-3, 1e-3);
  }
}

TEST_CASE("Resize opset 10/11 and Upsample 7/9", "[resize]") {
  Tensor x = random_float({1, 2, 3, 3}, 10);
  const std::vector<float> scales{1, 1, 2, 2.5f};
  Tensor sc = Tensor::from_vector<float>(scales, {4});
  ResizeOpts asym;
  asym.coord = "asymmetric";
  asym.nearest = "floor";  // as ONNX's version converter maps Resize 10 to 11
  Shape out;
  std::vector<double> s;
  expected_geometry(x.shape(), scales, {}, &out, &s);
  for (const char* mode : {"nearest", "linear"}) {
    asym.mode = mode;
    std::vector<double> want = ref_resize(x, out, s, asym);
    const bool linear = std::string(mode) == "linear";  // XNNPACK's bilinear resize must take it
    NodeRun r10{"Resize", "", 10, {attr_string("mode", mode)}, {x, sc}, {false, true}, 1, ""};
    OpTester t10(r10);
    t10.expect_values(want).tolerance(1e-5, 1e-5);
    if (linear) t10.require("xnnpack");
    t10.run();
    NodeRun u9{"Upsample", "", 9, {attr_string("mode", mode)}, {x, sc}, {false, false}, 1, ""};
    OpTester t9(u9);
    t9.expect_values(want).tolerance(1e-5, 1e-5);
    if (linear) t9.require("xnnpack");
    t9.run();
    NodeRun u7{"Upsample", "", 7, {attr_string("mode", mode), attr_floats("scales", scales)}, {x}, {false}, 1, ""};
    OpTester t7(u7);
    t7.expect_values(want).tolerance(1e-5, 1e-5);
    if (linear) t7.require("xnnpack");
    t7.run();
  }
  // Resize-10 downsampling with nearest rounds down too.
  const std::vector<float> down{1, 1, 0.6f, 0.6f};
  expected_geometry(x.shape(), down, {}, &out, &s);
  asym.mode = "nearest";
  NodeRun r10{"Resize", "", 10, {}, {x, Tensor::from_vector<float>(down, {4})}, {false, true}, 1, "ref"};
  check_all(r10, ref_resize(x, out, s, asym));
  // Resize-11: roi and scales are required inputs; empty scales with sizes.
  ResizeOpts o;
  o.mode = "linear";
  NodeRun r11{"Resize",
              "",
              11,
              resize_attrs(o),
              {x, Tensor(DType::Float, {0}), Tensor(DType::Float, {0}),
               Tensor::from_vector<int64_t>({1, 2, 5, 4}, {4})},
              {false, true, true, true},
              1,
              "ref"};
  expected_geometry(x.shape(), {}, {1, 2, 5, 4}, &out, &s);
  check_all(r11, ref_resize(x, out, s, o), 1e-5, 1e-5);
}

TEST_CASE("Resize re-runs with new shapes and scales", "[resize][xnnpack]") {
  ResizeOpts o;
  o.mode = "linear";
  std::unique_ptr<OpTester> t;
  uint32_t seed = 12;
  for (auto [shape, scales] : std::vector<std::pair<Shape, std::vector<float>>>{
           {{1, 1, 2, 2}, {1, 1, 2, 2}}, {{2, 3, 4, 5}, {1, 1, 0.5f, 3}}, {{1, 2, 3, 3}, {1, 1, 1.5f, 1}}}) {
    Tensor x = random_float(shape, seed++);
    Tensor sc = Tensor::from_vector<float>(scales, {4});
    Shape out;
    std::vector<double> s;
    expected_geometry(shape, scales, {}, &out, &s);
    if (!t)
      t = std::make_unique<OpTester>(resize_node(x, o, {scales.begin(), scales.end()}, {}, false));
    else
      t->then({x, Tensor(), sc});
    t->expect(make_tensor(DType::Float, out, ref_resize(x, out, s, o)));
  }
  t->tolerance(1e-5, 1e-5).dynamic_shapes().require("xnnpack").run();
}

TEST_CASE("Resize rejects invalid nodes and inputs with Error", "[resize][errors]") {
  Tensor x = random_float({1, 1, 2, 2}, 13);
  ResizeOpts o;
  for (bool constant : {true, false}) {
    INFO("constant " << constant);
    // Both scales and sizes; neither; wrong lengths; bad values; absurd sizes.
    NodeRun both = resize_node(x, o, {1, 1, 2, 2}, {1, 1, 4, 4}, constant);
    CHECK_THROWS_AS(run_node(both), Error);
    CHECK_THROWS_AS(run_node(resize_node(x, o, {1, 2}, {}, constant)), Error);
    CHECK_THROWS_AS(run_node(resize_node(x, o, {}, {1, 1, 4}, constant)), Error);
    CHECK_THROWS_AS(run_node(resize_node(x, o, {1, 1, 0, 2}, {}, constant)), Error);
    CHECK_THROWS_AS(run_node(resize_node(x, o, {1, 1, -2, 2}, {}, constant)), Error);
    CHECK_THROWS_AS(run_node(resize_node(x, o, {1, 1, NAN, 2}, {}, constant)), Error);
    CHECK_THROWS_AS(run_node(resize_node(x, o, {1, 1, 1e30f, 2}, {}, constant)), Error);
    CHECK_THROWS_AS(run_node(resize_node(x, o, {1, 1, 60000, 60000}, {}, constant)), Error);
    CHECK_THROWS_AS(run_node(resize_node(x, o, {}, {1, 1, -1, 4}, constant)), Error);
    CHECK_THROWS_AS(run_node(resize_node(x, o, {}, {1, 1, int64_t(1) << 40, 4}, constant)), Error);
    ResizeOpts tf = o;
    tf.coord = "tf_crop_and_resize";
    tf.roi = {0, 0, 0, 0, 1, 1, 1};
    CHECK_THROWS_AS(run_node(resize_node(x, tf, {}, {1, 1, 3, 3}, constant)), Error);
    tf.roi = {0, 0, 0, NAN, 1, 1, 1, 1};
    CHECK_THROWS_AS(run_node(resize_node(x, tf, {}, {1, 1, 3, 3}, constant)), Error);
  }
  NodeRun neither = resize_node(x, o, {}, {});
  CHECK_THROWS_AS(run_node(neither), Error);
  for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"mode", "bilinear"}, {"coordinate_transformation_mode", "corners"}, {"nearest_mode", "round"}}) {
    NodeRun r = resize_node(x, o, {1, 1, 2, 2}, {});
    for (auto& a : r.attributes)
      if (a.name == name) a.s = value;
    CHECK_THROWS_AS(run_node(r), Error);
  }
  // Upsample scales below 1; cubic before opset 11; rank 0.
  NodeRun up{"Upsample",    "", 9, {}, {x, Tensor::from_vector<float>({1, 1, 0.5f, 1}, {4})},
             {false, true}, 1,  ""};
  CHECK_THROWS_AS(run_node(up), Error);
  NodeRun cubic10{"Resize",
                  "",
                  10,
                  {attr_string("mode", "cubic")},
                  {x, Tensor::from_vector<float>({1, 1, 2, 2}, {4})},
                  {false, true},
                  1,
                  ""};
  CHECK_THROWS_AS(run_node(cubic10), Error);
  CHECK_THROWS_AS(run_node(resize_node(Tensor::scalar<float>(1), o, {}, {})), Error);
}

TEST_CASE("Resize with random inputs either runs or throws Error", "[resize][errors]") {
  TestRng rng(23);
  const char* modes[] = {"nearest", "linear", "cubic"};
  const char* coords[] = {"half_pixel", "pytorch_half_pixel",   "align_corners",
                          "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  const char* nearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  int ran = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int64_t r = rng.integer(1, 4);
    Shape s;
    for (int64_t i = 0; i < r; ++i) s.push_back(rng.integer(0, 4));
    Tensor x = random_float(s, static_cast<uint64_t>(trial));
    ResizeOpts o;
    o.mode = modes[rng.integer(0, 2)];
    o.coord = coords[rng.integer(0, 5)];
    o.nearest = nearest[rng.integer(0, 3)];
    o.exclude_outside = rng.integer(0, 1) == 1;
    o.extrapolation = rng.uniform(-2, 2);
    const int64_t n = r + (rng.integer(0, 9) == 0 ? 1 : 0);
    if (o.coord == "tf_crop_and_resize" && rng.integer(0, 3) != 0)
      for (int64_t i = 0; i < 2 * n; ++i) o.roi.push_back(rng.uniform(-1, 2));
    std::vector<float> scales;
    std::vector<int64_t> sizes;
    if (rng.integer(0, 1) == 0) {
      for (int64_t i = 0; i < n; ++i) scales.push_back(static_cast<float>(rng.uniform(-0.5, 3)));
    } else {
      for (int64_t i = 0; i < n; ++i) sizes.push_back(rng.integer(-1, 7));
    }
    const bool constant = rng.integer(0, 1) == 1;
    for (const std::string provider : {"ref", "xnnpack"}) {
      NodeRun node = resize_node(x, o, scales, sizes, constant);
      node.provider = provider;
      try {
        run_node(node);
        ++ran;
      } catch (const Error&) {
      }
    }
  }
  CHECK(ran > 50);
}
